/**
 * `$(VAR)` expansion as Kubernetes applies it to env values, command, args and
 * subPathExpr: a defined `$(NAME)` becomes its value, an undefined one stays as
 * written, `$$` is an escaped `$` (so `$$(NAME)` yields `$(NAME)`), and any
 * other `$` is kept. Nothing is expanded recursively.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = "";
  let i = 0;
  while (i < input.length) {
    const dollar = input.indexOf("$", i);
    if (dollar < 0 || dollar === input.length - 1) break;
    out += input.slice(i, dollar);
    const next = input[dollar + 1];
    if (next === "$") {
      out += "$";
      i = dollar + 2;
    } else if (next === "(") {
      const close = input.indexOf(")", dollar + 2);
      if (close < 0) {
        out += "$(";
        i = dollar + 2;
      } else {
        const name = input.slice(dollar + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += `$${next}`;
      i = dollar + 2;
    }
  }
  return out + input.slice(i);
}

/** `expand` with a map of variables. */
export function expandWith(input: string, vars: ReadonlyMap<string, string>): string {
  return expand(input, (name) => vars.get(name));
}
