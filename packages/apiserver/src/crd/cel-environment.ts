import { Environment } from "@marcbachmann/cel-js";

/**
 * The CEL environment for `x-kubernetes-validations`: standard CEL (macros
 * `all`, `exists`, `exists_one`, `map`, `filter`, `has()`, `size()`, string
 * functions, timestamps, durations, optionals) plus the parts of Kubernetes'
 * extension libraries that rules commonly use: strings (`replace`, `charAt`,
 * `reverse`), lists (`isSorted`, `sum`, `min`, `max`, `indexOf`,
 * `lastIndexOf`) and regex (`find`, `findAll`).
 *
 * Not provided: the `url`, `ip`, `cidr`, `quantity`, `format` and
 * `authorizer` libraries; rules that call them fail to evaluate and are
 * reported as evaluation errors.
 */
export function createRuleEnvironment(): Environment {
  const env = new Environment({
    unlistedVariablesAreDyn: true,
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
  });
  registerStrings(env);
  registerLists(env);
  registerRegex(env);
  return env;
}

function registerStrings(env: Environment): void {
  env.registerFunction("string.replace(string, string): string", (s: string, from: string, to: string) =>
    s.split(from).join(to),
  );
  env.registerFunction("string.replace(string, string, int): string", replaceN);
  env.registerFunction("string.charAt(int): string", (s: string, i: bigint) => {
    const chars = [...s];
    if (i < 0n || i > BigInt(chars.length)) throw new Error(`index out of range: ${i}`);
    return chars[Number(i)] ?? "";
  });
  env.registerFunction("string.reverse(): string", (s: string) => [...s].reverse().join(""));
}

function replaceN(s: string, from: string, to: string, n: bigint): string {
  if (n < 0n) return s.split(from).join(to);
  let out = s;
  let start = 0;
  for (let done = 0n; done < n; done++) {
    const at = out.indexOf(from, start);
    if (at < 0) break;
    out = out.slice(0, at) + to + out.slice(at + from.length);
    start = at + to.length + (from.length === 0 ? 1 : 0);
  }
  return out;
}

type Comparable = bigint | number | string | boolean | Date;

function compare(a: Comparable, b: Comparable): number {
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

function extreme(list: Comparable[], sign: 1 | -1): Comparable {
  if (list.length === 0) throw new Error("min/max of an empty list");
  return list.reduce((best, v) => (compare(v, best) * sign > 0 ? v : best));
}

function indexOf(list: unknown[], value: unknown, fromEnd: boolean): bigint {
  const text = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));
  const needle = text(value);
  const order = list.map((v, i) => [text(v), i] as const);
  const found = (fromEnd ? order.reverse() : order).find(([v]) => v === needle);
  return BigInt(found ? found[1] : -1);
}

function registerLists(env: Environment): void {
  env.registerFunction("list<dyn>.isSorted(): bool", (list: Comparable[]) =>
    list.every((v, i) => i === 0 || compare(list[i - 1], v) <= 0),
  );
  env.registerFunction("list<int>.sum(): int", (list: bigint[]) => list.reduce((a, b) => a + b, 0n));
  env.registerFunction("list<double>.sum(): double", (list: number[]) => list.reduce((a, b) => a + b, 0));
  env.registerFunction("list<dyn>.min(): dyn", (list: Comparable[]) => extreme(list, -1));
  env.registerFunction("list<dyn>.max(): dyn", (list: Comparable[]) => extreme(list, 1));
  env.registerFunction("list<dyn>.indexOf(dyn): int", (list: unknown[], v: unknown) =>
    indexOf(list, v, false),
  );
  env.registerFunction("list<dyn>.lastIndexOf(dyn): int", (list: unknown[], v: unknown) =>
    indexOf(list, v, true),
  );
}

function registerRegex(env: Environment): void {
  env.registerFunction(
    "string.find(string): string",
    (s: string, re: string) => new RegExp(re, "u").exec(s)?.[0] ?? "",
  );
  env.registerFunction("string.findAll(string): list<string>", (s: string, re: string) =>
    [...s.matchAll(new RegExp(re, "gu"))].map((m) => m[0]),
  );
  env.registerFunction("string.findAll(string, int): list<string>", (s: string, re: string, n: bigint) => {
    const all = [...s.matchAll(new RegExp(re, "gu"))].map((m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  });
}
