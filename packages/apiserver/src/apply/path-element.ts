/**
 * One step of a field path, in the FieldsV1 key syntax Kubernetes stores in
 * `metadata.managedFields`: `f:name` (a field or map key), `k:{"name":"web"}`
 * (an associative-list item, key fields sorted), `v:"a"` (a set item) and
 * `i:0` (a positional list item; never produced here, accepted on decode).
 */
import { compareJson, compareStrings, goJson, goQuote, isObject } from "./json-value.ts";

/** A decoded path element. */
export type PathElement =
  | { readonly kind: "field"; readonly name: string }
  /** Key fields sorted by name. */
  | { readonly kind: "key"; readonly fields: readonly (readonly [string, unknown])[] }
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "index"; readonly index: number };

/** The FieldsV1 key of an element, e.g. `k:{"containerPort":80,"protocol":"TCP"}`. */
export function encodePathElement(element: PathElement): string {
  switch (element.kind) {
    case "field":
      return `f:${element.name}`;
    case "key":
      return `k:${goJson(Object.fromEntries(element.fields))}`;
    case "value":
      return `v:${goJson(element.value)}`;
    case "index":
      return `i:${element.index}`;
  }
}

/** The FieldsV1 key of a field or map entry. */
export function fieldKey(name: string): string {
  return `f:${name}`;
}

/** Parses a FieldsV1 key; throws on anything Kubernetes would reject. */
export function decodePathElement(encoded: string): PathElement {
  const prefix = encoded.slice(0, 2);
  const rest = encoded.slice(2);
  switch (prefix) {
    case "f:":
      return { kind: "field", name: rest };
    case "k:": {
      const parsed = parseJson(encoded, rest);
      if (!isObject(parsed) || Object.keys(parsed).length === 0) {
        throw new Error(`invalid key path element ${JSON.stringify(encoded)}: expected a non-empty object`);
      }
      return keyElement(Object.entries(parsed));
    }
    case "v:":
      return { kind: "value", value: parseJson(encoded, rest) };
    case "i:": {
      if (!/^(0|[1-9][0-9]*)$/.test(rest))
        throw new Error(`invalid index path element ${JSON.stringify(encoded)}`);
      return { kind: "index", index: Number(rest) };
    }
    default:
      throw new Error(`unknown path element type in ${JSON.stringify(encoded)}`);
  }
}

/** Rewrites a FieldsV1 key in canonical form (sorted key fields, Go JSON). */
export function canonicalKey(encoded: string): string {
  return encodePathElement(decodePathElement(encoded));
}

/** A key element from unsorted fields. */
export function keyElement(fields: Iterable<readonly [string, unknown]>): PathElement {
  return { kind: "key", fields: [...fields].sort(([a], [b]) => compareStrings(a, b)) };
}

function parseJson(encoded: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new Error(`invalid path element ${JSON.stringify(encoded)}`, { cause });
  }
}

const kindRank = { field: 0, key: 1, value: 2, index: 3 } as const;

/** structured-merge-diff's element order: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return Math.sign(kindRank[a.kind] - kindRank[b.kind]);
  if (a.kind === "field" && b.kind === "field") return compareStrings(a.name, b.name);
  if (a.kind === "value" && b.kind === "value") return compareJson(a.value, b.value);
  if (a.kind === "index" && b.kind === "index") return Math.sign(a.index - b.index);
  if (a.kind === "key" && b.kind === "key") {
    for (let i = 0; i < Math.min(a.fields.length, b.fields.length); i++) {
      const [aName, aValue] = a.fields[i];
      const [bName, bValue] = b.fields[i];
      const c = compareStrings(aName, bName) || compareJson(aValue, bValue);
      if (c !== 0) return c;
    }
    return Math.sign(a.fields.length - b.fields.length);
  }
  return 0;
}

/** Orders encoded FieldsV1 keys as structured-merge-diff serializes them. */
export function compareEncodedKeys(a: string, b: string): number {
  return comparePathElements(decodePathElement(a), decodePathElement(b));
}

/** A value as structured-merge-diff prints it in paths: strings quoted, numbers bare. */
function printValue(value: unknown): string {
  if (typeof value === "string") return goQuote(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  return goJson(value);
}

/** A path as conflict messages print it: `.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]`. */
export function formatPath(path: readonly string[]): string {
  return path.map((encoded) => formatElement(decodePathElement(encoded))).join("");
}

function formatElement(element: PathElement): string {
  switch (element.kind) {
    case "field":
      return `.${element.name}`;
    case "key":
      return `[${element.fields.map(([name, value]) => `${name}=${printValue(value)}`).join(",")}]`;
    case "value":
      return `[=${printValue(element.value)}]`;
    case "index":
      return `[${element.index}]`;
  }
}
