/**
 * The FieldsV1 wire form of a field set, as stored in
 * `metadata.managedFields[].fieldsV1`: nested objects keyed by path elements,
 * `{}` for a member with nothing below it and `".": {}` for a member that also
 * has members below it.
 */
import { type FieldSet, isEmptyFieldSet, sortedKeys } from "./field-set.ts";
import { isObject } from "./json-value.ts";
import { canonicalKey } from "./path-element.ts";

/** A FieldsV1 document. */
export type FieldsV1 = { [key: string]: FieldsV1 };

/** Encodes a set; keys come out in the order kube-apiserver writes them. */
export function encodeFieldsV1(set: FieldSet): FieldsV1 {
  return encodeNode(set, false);
}

function encodeNode(set: FieldSet, includeSelf: boolean): FieldsV1 {
  const out: FieldsV1 = {};
  if (includeSelf && set.member && set.children.size > 0) out["."] = {};
  for (const key of sortedKeys(set)) {
    const child = set.children.get(key);
    if (child && !isEmptyFieldSet(child)) out[key] = encodeNode(child, true);
  }
  return out;
}

/** Decodes a FieldsV1 document, canonicalizing keys; throws on malformed input. */
export function decodeFieldsV1(document: unknown): FieldSet {
  if (!isObject(document)) throw new Error("fieldsV1 must be a JSON object");
  return decodeNode(document, []).set;
}

function decodeNode(
  document: Record<string, unknown>,
  path: readonly string[],
): { set: FieldSet; member: boolean } {
  let member = false;
  const children = new Map<string, FieldSet>();
  for (const [key, value] of Object.entries(document)) {
    if (!isObject(value)) throw new Error(`fieldsV1 at ${[...path, key].join(" ")}: expected an object`);
    if (key === ".") {
      member = true;
      continue;
    }
    const canonical = canonicalKey(key);
    const child = decodeNode(value, [...path, canonical]);
    children.set(canonical, { member: child.member, children: child.set.children });
  }
  // An empty object means the path itself is a member.
  if (children.size === 0) member = true;
  return { set: { member: false, children }, member };
}
