const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/**
 * The value of a Kubernetes resource quantity ("100m", "1.5Gi", "2e3", 4) as a
 * number of base units (cores, bytes). Throws on malformed input.
 */
export function parseQuantity(value: string | number): number {
  if (typeof value === "number") return value;
  const match = QUANTITY.exec(value.trim());
  if (!match)
    throw new Error(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': "${value}"`,
    );
  const number = Number(match[1]);
  if (match[2]) return number * 10 ** Number(match[2].slice(1));
  const suffix = match[3] ?? "";
  return number * (BINARY[suffix] ?? DECIMAL[suffix]);
}

/** Milli-units (what the scheduler adds up for cpu), rounded up as Kubernetes does. */
export function milliValue(value: string | number): number {
  return Math.ceil(parseQuantity(value) * 1000 - 1e-9);
}
