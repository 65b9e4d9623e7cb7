/**
 * A set of field paths, stored as a tree keyed by FieldsV1 path-element keys
 * (`f:spec`, `k:{"name":"web"}`, `v:"a"`). A node is a *member* when its own
 * path is in the set; it may also have members below it (`.: {}` in FieldsV1).
 * The root is never a member: the whole object is not tracked.
 *
 * Operations never modify their inputs.
 */
import { compareEncodedKeys } from "./path-element.ts";

/** A set of field paths (see the module comment). */
export type FieldSet = {
  readonly member: boolean;
  readonly children: ReadonlyMap<string, FieldSet>;
};

/** A path as FieldsV1 keys, e.g. `["f:spec", "f:replicas"]`. */
export type FieldPath = readonly string[];

const EMPTY: FieldSet = { member: false, children: new Map() };

/** The set with no paths. */
export function emptyFieldSet(): FieldSet {
  return EMPTY;
}

/** True when the set holds no path. */
export function isEmptyFieldSet(set: FieldSet): boolean {
  return !set.member && set.children.size === 0;
}

/** A set holding exactly the given paths. Empty paths are ignored. */
export function fieldSetOfPaths(paths: Iterable<FieldPath>): FieldSet {
  let result = EMPTY;
  for (const path of paths) result = withPath(result, path);
  return result;
}

/** The set plus one path. */
export function withPath(set: FieldSet, path: FieldPath): FieldSet {
  if (path.length === 0) return set;
  const [head, ...rest] = path;
  const child = set.children.get(head) ?? EMPTY;
  const next = rest.length === 0 ? { member: true, children: child.children } : withPath(child, rest);
  const children = new Map(set.children);
  children.set(head, next);
  return { member: set.member, children };
}

/** True when the path itself is a member. */
export function hasPath(set: FieldSet, path: FieldPath): boolean {
  let node: FieldSet | undefined = set;
  for (const key of path) {
    node = node.children.get(key);
    if (!node) return false;
  }
  return path.length > 0 && node.member;
}

/** The subset below one element, as a set rooted there. */
export function childSet(set: FieldSet, key: string): FieldSet {
  const child = set.children.get(key);
  return child ? { member: false, children: child.children } : EMPTY;
}

function node(member: boolean, children: Map<string, FieldSet>): FieldSet {
  return member || children.size > 0 ? { member, children } : EMPTY;
}

/** Paths in either set. */
export function union(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmptyFieldSet(b)) return a;
  if (isEmptyFieldSet(a)) return b;
  const children = new Map(a.children);
  for (const [key, child] of b.children) {
    const mine = children.get(key);
    children.set(key, mine ? union(mine, child) : child);
  }
  return node(a.member || b.member, children);
}

/** Paths in both sets. */
export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  const children = new Map<string, FieldSet>();
  for (const [key, child] of a.children) {
    const other = b.children.get(key);
    if (!other) continue;
    const both = intersection(child, other);
    if (!isEmptyFieldSet(both)) children.set(key, both);
  }
  return node(a.member && b.member, children);
}

/** Paths in `a` that are not in `b`; members of `b` do not take their descendants with them. */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmptyFieldSet(b)) return a;
  const children = new Map<string, FieldSet>();
  for (const [key, child] of a.children) {
    const other = b.children.get(key);
    const rest = other ? difference(child, other) : child;
    if (!isEmptyFieldSet(rest)) children.set(key, rest);
  }
  return node(a.member && !b.member, children);
}

/** Like `difference`, but a member of `b` also removes everything below it from `a`. */
export function recursiveDifference(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmptyFieldSet(b)) return a;
  const children = new Map<string, FieldSet>();
  for (const [key, child] of a.children) {
    const other = b.children.get(key);
    if (other?.member) continue;
    const rest = other ? recursiveDifference(child, other) : child;
    if (!isEmptyFieldSet(rest)) children.set(key, rest);
  }
  return node(a.member && !b.member, children);
}

/** Equal membership. */
export function fieldSetsEqual(a: FieldSet, b: FieldSet): boolean {
  if (a.member !== b.member || a.children.size !== b.children.size) return false;
  for (const [key, child] of a.children) {
    const other = b.children.get(key);
    if (!other || !fieldSetsEqual(child, other)) return false;
  }
  return true;
}

/** Child keys in structured-merge-diff's order (fields, keys, values, indexes; each sorted). */
export function sortedKeys(set: FieldSet): string[] {
  return [...set.children.keys()].sort(compareEncodedKeys);
}

/**
 * Every member path, in the order structured-merge-diff iterates a set: at each
 * level the members first, then the subtrees, both sorted.
 */
export function fieldPaths(set: FieldSet, prefix: FieldPath = []): FieldPath[] {
  const keys = sortedKeys(set);
  const paths: FieldPath[] = [];
  for (const key of keys) if (set.children.get(key)?.member) paths.push([...prefix, key]);
  for (const key of keys) {
    const child = set.children.get(key);
    if (child && child.children.size > 0) paths.push(...fieldPaths(child, [...prefix, key]));
  }
  return paths;
}
