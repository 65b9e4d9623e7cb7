import type { StatusCause } from "../api/errors.ts";
import type { JSONSchemaProps } from "./definition.ts";
import { child, forbidden, index, invalid, key, required } from "./field-errors.ts";

type Level = "root" | "item" | "field";

/**
 * Whether a schema is structural, as kube-apiserver requires of every CRD
 * version (ValidateStructural): every node has a type (except int-or-string
 * and embedded resources), arrays have items, metadata at the root says
 * nothing beyond `name`/`generateName`, and `allOf`/`anyOf`/`oneOf`/`not`
 * only add value validations to fields the structural part already declares.
 */
export function validateStructural(schema: JSONSchemaProps, path: string): StatusCause[] {
  return [...invariants(schema, "root", path), ...completeness(schema, path)];
}

function itemsOf(schema: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  return schema && !Array.isArray(schema.items) ? schema.items : undefined;
}

function invariants(s: JSONSchemaProps, level: Level, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (s.type === "array" && s.items === undefined)
    causes.push(required(child(path, "items"), "must be specified"));
  const items = itemsOf(s);
  if (items) causes.push(...invariants(items, "item", child(path, "items")));
  for (const [name, property] of Object.entries(s.properties ?? {})) {
    causes.push(...invariants(property, "field", key(child(path, "properties"), name)));
  }
  if (typeof s.additionalProperties === "object") {
    causes.push(...invariants(s.additionalProperties, "field", child(path, "additionalProperties")));
  }
  causes.push(...extensionChecks(s, level, path));
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  const skipAnyOf = intOrString && isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = intOrString && isIntOrStringAnyOf(s.allOf?.[0]?.anyOf);
  causes.push(...valueValidations(s, { skipAnyOf, skipFirstAllOfAnyOf }, level, path));
  if (level === "root" || s["x-kubernetes-embedded-resource"])
    causes.push(...resourceMetaChecks(s, level, path));
  return causes;
}

function extensionChecks(s: JSONSchemaProps, level: Level, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  if (embedded && s.type !== "object") {
    const detail = "must be object if x-kubernetes-embedded-resource is true";
    causes.push(
      s.type ? invalid(child(path, "type"), s.type, detail) : required(child(path, "type"), detail),
    );
  } else if (!s.type && !embedded && !intOrString && !s["x-kubernetes-preserve-unknown-fields"]) {
    const where = {
      root: "at the root",
      item: "for specified array items",
      field: "for specified object fields",
    }[level];
    causes.push(required(child(path, "type"), `must not be empty ${where}`));
  }
  if (level === "root" && s.type && s.type !== "object") {
    causes.push(invalid(child(path, "type"), s.type, "must be object at the root"));
  }
  if (intOrString && s.type) {
    causes.push(invalid(child(path, "type"), s.type, "must be empty if x-kubernetes-int-or-string is true"));
  }
  if (intOrString && s["x-kubernetes-preserve-unknown-fields"]) {
    causes.push(
      invalid(
        child(path, "x-kubernetes-preserve-unknown-fields"),
        true,
        "must be false if x-kubernetes-int-or-string is true",
      ),
    );
  }
  if (intOrString && embedded) {
    causes.push(
      invalid(
        child(path, "x-kubernetes-embedded-resource"),
        true,
        "must be false if x-kubernetes-int-or-string is true",
      ),
    );
  }
  return causes;
}

function isIntOrStringAnyOf(anyOf: JSONSchemaProps[] | undefined): boolean {
  if (anyOf?.length !== 2) return false;
  const only = (s: JSONSchemaProps, type: string) => s.type === type && Object.keys(s).length === 1;
  return only(anyOf[0], "integer") && only(anyOf[1], "string");
}

/** Root metadata may only constrain name and generateName; kind and apiVersion are strings. */
function resourceMetaChecks(s: JSONSchemaProps, level: Level, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const properties = s.properties ?? {};
  const at = (name: string) => key(child(path, "properties"), name);
  const metadata = properties.metadata;
  if (metadata && level === "root") {
    const { type: _type, default: _default, properties: metaProperties, ...rest } = metadata;
    const extra = Object.keys(metaProperties ?? {}).filter((k) => k !== "name" && k !== "generateName");
    const meaningful = Object.entries(rest).filter(([, v]) => v !== undefined && v !== false);
    if (extra.length || meaningful.length) {
      causes.push(
        forbidden(
          at("metadata"),
          "must not specify anything other than name and generateName, but metadata is implicitly specified",
        ),
      );
    }
  }
  for (const name of ["kind", "apiVersion"]) {
    const property = properties[name];
    if (property && property.type !== "string")
      causes.push(invalid(child(at(name), "type"), property.type ?? "", "must be string"));
  }
  if (metadata && metadata.type !== "object") {
    causes.push(invalid(child(at("metadata"), "type"), metadata.type ?? "", "must be object"));
  }
  return causes;
}

type Skips = { skipAnyOf: boolean; skipFirstAllOfAnyOf: boolean };
const NO_SKIPS: Skips = { skipAnyOf: false, skipFirstAllOfAnyOf: false };

type Junctor = "allOf" | "anyOf" | "oneOf" | "not";

/** Calls `visit` for every schema under `allOf`, `anyOf`, `oneOf` and `not`, with its path. */
function eachJunctor(
  s: JSONSchemaProps,
  path: string,
  visit: (sub: JSONSchemaProps, subPath: string, junctor: Junctor, i: number) => void,
): void {
  for (const junctor of ["anyOf", "allOf", "oneOf"] as const) {
    s[junctor]?.forEach((sub, i) => {
      visit(sub, index(child(path, junctor), i), junctor, i);
    });
  }
  if (s.not) visit(s.not, child(path, "not"), "not", 0);
}

function valueValidations(s: JSONSchemaProps, skips: Skips, level: Level, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  eachJunctor(s, path, (sub, subPath, junctor, i) => {
    if (junctor === "anyOf" && skips.skipAnyOf) return;
    const subSkips =
      junctor === "allOf" && i === 0 && skips.skipFirstAllOfAnyOf
        ? { ...NO_SKIPS, skipAnyOf: true }
        : NO_SKIPS;
    causes.push(...nested(sub, subSkips, level, subPath));
  });
  return causes;
}

const NESTED_FORBIDDEN: [keyof JSONSchemaProps, string][] = [
  ["type", "must be empty to be structural"],
  ["default", "must be undefined to be structural"],
  ["title", "must be empty to be structural"],
  ["description", "must be empty to be structural"],
  ["nullable", "must be false to be structural"],
  ["x-kubernetes-preserve-unknown-fields", "must be false to be structural"],
  ["x-kubernetes-embedded-resource", "must be false to be structural"],
  ["x-kubernetes-int-or-string", "must be false to be structural"],
  ["x-kubernetes-list-map-keys", "must be empty to be structural"],
  ["x-kubernetes-list-type", "must be undefined to be structural"],
  ["x-kubernetes-map-type", "must be undefined to be structural"],
  ["x-kubernetes-validations", "must be empty to be structural"],
];

/** A schema under a junctor: value validations only. */
function nested(v: JSONSchemaProps, skips: Skips, level: Level, path: string): StatusCause[] {
  const causes = valueValidations(v, skips, level, path);
  const items = itemsOf(v);
  if (items) causes.push(...nested(items, NO_SKIPS, level, child(path, "items")));
  for (const [name, property] of Object.entries(v.properties ?? {})) {
    causes.push(...nested(property, NO_SKIPS, "field", key(child(path, "properties"), name)));
  }
  for (const [name, detail] of NESTED_FORBIDDEN) {
    const value = v[name];
    const set = Array.isArray(value)
      ? value.length > 0
      : value !== undefined && value !== false && value !== "";
    if (set) causes.push(forbidden(child(path, name), detail));
  }
  if (level === "root" && v.properties?.metadata) {
    causes.push(
      forbidden(key(child(path, "properties"), "metadata"), "must not be specified in a nested context"),
    );
  }
  return causes;
}

/** Junctors may only speak about fields the structural part declares. */
function completeness(s: JSONSchemaProps, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  eachJunctor(s, path, (v, vPath) => {
    causes.push(...nestedCompleteness(v, s, path, vPath));
  });
  const items = itemsOf(s);
  if (items) causes.push(...completeness(items, child(path, "items")));
  for (const [name, property] of Object.entries(s.properties ?? {})) {
    causes.push(...completeness(property, key(child(path, "properties"), name)));
  }
  if (typeof s.additionalProperties === "object") {
    causes.push(...completeness(s.additionalProperties, child(path, "additionalProperties")));
  }
  return causes;
}

function nestedCompleteness(
  v: JSONSchemaProps,
  s: JSONSchemaProps | undefined,
  sPath: string,
  vPath: string,
): StatusCause[] {
  if (!s) return [required(sPath, `because it is defined in ${vPath}`)];
  const causes: StatusCause[] = [];
  eachJunctor(v, vPath, (sub, subPath) => {
    causes.push(...nestedCompleteness(sub, s, sPath, subPath));
  });
  const vItems = itemsOf(v);
  if (vItems)
    causes.push(...nestedCompleteness(vItems, itemsOf(s), child(sPath, "items"), child(vPath, "items")));
  for (const [name, property] of Object.entries(v.properties ?? {})) {
    const sPropPath = key(child(sPath, "properties"), name);
    const vPropPath = key(child(vPath, "properties"), name);
    const sProperty = s.properties?.[name];
    if (!sProperty) causes.push(required(sPropPath, `because it is defined in ${vPropPath}`));
    else causes.push(...nestedCompleteness(property, sProperty, sPropPath, vPropPath));
  }
  return causes;
}
