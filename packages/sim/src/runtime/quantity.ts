const suffixes: Record<string, number> = {
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
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * The numeric value of a Kubernetes resource quantity (`500m`, `2Gi`, `1e3`,
 * `128M`), as a float; precise enough for the downward API's rounding.
 */
export function parseQuantity(text: string | number): number {
  if (typeof text === "number") return text;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/.exec(
    text.trim(),
  );
  if (match === null) throw new Error(`invalid quantity ${JSON.stringify(text)}`);
  const [, number, exponent, suffix] = match;
  const value = Number(number + (exponent ?? ""));
  return value * suffixes[suffix ?? ""];
}

/** `Quantity.MilliValue()`: the value in thousandths, rounded up. */
export function milliValue(text: string | number): number {
  return Math.ceil(roundNoise(parseQuantity(text) * 1000));
}

/** `Quantity.Value()`: the value as an integer, rounded up. */
export function wholeValue(text: string | number): number {
  return Math.ceil(roundNoise(parseQuantity(text)));
}

// 0.1 * 1000 is 100.00000000000001 in floating point; quantities never carry more than nine decimals.
function roundNoise(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
