/** The alphabet of Kubernetes' `rand.SafeEncodeString`: no vowels, no look-alike digits. */
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
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
 * template's canonical JSON, its decimal value rendered in the safe alphabet
 * (up to 10 characters). Key order does not change the result.
 */
export function computeTemplateHash(template: unknown, collisionCount?: number): string {
  let text = stableJson(template);
  if (collisionCount !== undefined && collisionCount > 0) text += `#${collisionCount}`;
  return [...String(fnv32a(text))]
    .map((digit) => SAFE_ALPHABET[digit.charCodeAt(0) % SAFE_ALPHABET.length])
    .join("");
}
