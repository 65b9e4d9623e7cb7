import { isRecord } from "@atoll/kube";
import { OverrideError, OverrideFailure } from "./override-error.ts";

/**
 * RFC 6901 JSON pointers and the three RFC 6902 operations the plaintext
 * overrider needs (add, remove, replace), with evanphx/json-patch's defaults as
 * Karmada uses them: add needs the parent to exist, remove and replace need the
 * target to exist. All functions edit `document` in place; callers pass a copy.
 */

/** Splits a pointer into unescaped reference tokens; "" is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `JSON pointer ${JSON.stringify(pointer)} must start with /`,
    );
  }
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Escapes one reference token (a label key with "/" in it, say). */
export function escapeToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** The value at `pointer`, or undefined when any step is missing. */
export function getAt(document: unknown, pointer: string): unknown {
  let current = document;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(current)) {
      const index = arrayIndex(token, current.length - 1);
      if (index === undefined) return undefined;
      current = current[index];
    } else if (isRecord(current) && Object.hasOwn(current, token)) {
      current = current[token];
    } else {
      return undefined;
    }
  }
  return current;
}

/** RFC 6902 add: sets an object member, or inserts into an array ("-" appends). The root cannot be added. */
export function addAt(document: unknown, pointer: string, value: unknown): void {
  const { parent, token } = locateParent(document, pointer);
  if (Array.isArray(parent)) {
    const index = token === "-" ? parent.length : arrayIndex(token, parent.length);
    if (index === undefined) throw missing(pointer);
    parent.splice(index, 0, value);
  } else {
    setOwn(parent, token, value);
  }
}

/** RFC 6902 remove: the target must exist. */
export function removeAt(document: unknown, pointer: string): void {
  const { parent, token } = locateParent(document, pointer);
  if (Array.isArray(parent)) {
    const index = arrayIndex(token, parent.length - 1);
    if (index === undefined) throw missing(pointer);
    parent.splice(index, 1);
  } else {
    if (!Object.hasOwn(parent, token)) throw missing(pointer);
    delete parent[token];
  }
}

/** RFC 6902 replace: the target must exist. */
export function replaceAt(document: unknown, pointer: string, value: unknown): void {
  const { parent, token } = locateParent(document, pointer);
  if (Array.isArray(parent)) {
    const index = arrayIndex(token, parent.length - 1);
    if (index === undefined) throw missing(pointer);
    parent[index] = value;
  } else {
    if (!Object.hasOwn(parent, token)) throw missing(pointer);
    setOwn(parent, token, value);
  }
}

function locateParent(
  document: unknown,
  pointer: string,
): { parent: Record<string, unknown> | unknown[]; token: string } {
  const tokens = parsePointer(pointer);
  const token = tokens.pop();
  if (token === undefined) {
    throw new OverrideError(OverrideFailure.InvalidOverrider, "the whole document cannot be patched");
  }
  const parent = getAt(document, tokens.map((t) => `/${escapeToken(t)}`).join(""));
  if (!Array.isArray(parent) && !isRecord(parent)) throw missing(pointer);
  return { parent, token };
}

/** Sets an own data property, so a "__proto__" token names a key rather than the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** An array index token (no sign, no leading zeros) no greater than `max`. */
function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const index = Number(token);
  return index <= max ? index : undefined;
}

function missing(pointer: string): OverrideError {
  return new OverrideError(OverrideFailure.PathNotFound, `path ${pointer} does not exist`);
}
