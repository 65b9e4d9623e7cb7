/** The alphabet of Kubernetes' `rand.SafeEncodeString`: no vowels, no look-alike digits. */
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/**
 * JSON with keys sorted and null, empty-object and empty-array fields left
 * out, as Kubernetes' semantic equality sees decoded objects:
 * `creationTimestamp: null` or `resources: {}` in a template (kubectl writes
 * both) is the same template as one without them.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value) ?? "{}";
}

function canonical(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    return value.length === 0 ? undefined : `[${value.map((item) => canonical(item) ?? "null").join(",")}]`;
  }
  if (typeof value === "object") {
    const fields = Object.keys(value)
      .sort()
      .flatMap((key) => {
        const text = canonical((value as Record<string, unknown>)[key]);
        return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`];
      });
    return fields.length === 0 ? undefined : `{${fields.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A short, stable name-safe hash of a pod template (and of the collision
 * count, when there is one), as `controller.ComputeHash`: FNV-1a of the
 * template's canonical JSON (`canonicalJson`), its decimal value rendered in the safe alphabet
 * (up to 10 characters). Key order does not change the result.
 */
export function computeTemplateHash(template: unknown, collisionCount?: number): string {
  let text = canonicalJson(template);
  if (collisionCount !== undefined && collisionCount > 0) text += `#${collisionCount}`;
  return [...String(fnv32a(text))]
    .map((digit) => SAFE_ALPHABET[digit.charCodeAt(0) % SAFE_ALPHABET.length])
    .join("");
}
