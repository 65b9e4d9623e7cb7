/**
 * The JSONPath subset CRDs use in `additionalPrinterColumns`, evaluated as
 * client-go's jsonpath does with missing keys allowed: `.status.phase`,
 * `.spec.replicas`, `.metadata.labels.app`, `.metadata.labels['app.kubernetes.io/name']`,
 * `.spec.containers[0].image`, `.items[*].name`, `.status.conditions[?(@.type=="Ready")].status`.
 */

type Literal = string | number | boolean;
type FilterOperator = "==" | "!=" | "<" | "<=" | ">" | ">=";
type Segment =
  | { kind: "field"; name: string }
  | { kind: "wildcard" }
  | { kind: "index"; index: number }
  | { kind: "filter"; path: Segment[]; test?: { operator: FilterOperator; value: Literal } };

/** A parsed path; `evaluate` returns every value it reaches, in document order. */
export interface JsonPath {
  evaluate(root: unknown): unknown[];
}

/** Raised for a path outside the supported subset. */
export class JsonPathSyntaxError extends Error {}

const FIELD_TERMINATORS = new Set([
  ".",
  "[",
  "]",
  " ",
  "(",
  ")",
  "=",
  "!",
  "<",
  ">",
  ",",
  "@",
  "$",
  "{",
  "}",
]);

function fieldName(text: string, start: number): [name: string, end: number] {
  let name = "";
  let i = start;
  while (i < text.length && !FIELD_TERMINATORS.has(text[i])) {
    if (text[i] === "\\" && i + 1 < text.length) i++;
    name += text[i++];
  }
  return [name, i];
}

/** The end of a bracket, skipping quoted text and nested parentheses. */
function closingBracket(text: string, open: number): number {
  let quote = "";
  let depth = 0;
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "]" && depth === 0) return i;
  }
  throw new JsonPathSyntaxError(`unclosed '[' in ${text}`);
}

const QUOTED = /^(["'])(.*)\1$/s;
const FILTER = /^\?\((.*)\)$/s;
const COMPARISON = /^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/s;

function literal(text: string): Literal {
  const quoted = QUOTED.exec(text.trim());
  if (quoted) return quoted[2];
  const trimmed = text.trim();
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  const number = Number(trimmed);
  if (trimmed === "" || Number.isNaN(number))
    throw new JsonPathSyntaxError(`unrecognized filter value ${text}`);
  return number;
}

function bracket(content: string): Segment {
  const inner = content.trim();
  if (inner === "*") return { kind: "wildcard" };
  if (/^-?\d+$/.test(inner)) return { kind: "index", index: Number(inner) };
  const quoted = QUOTED.exec(inner);
  if (quoted) return { kind: "field", name: quoted[2] };
  const filter = FILTER.exec(inner);
  if (!filter) throw new JsonPathSyntaxError(`unsupported subscript [${content}]`);
  const expression = filter[1].trim();
  const comparison = COMPARISON.exec(expression);
  const subject = comparison ? comparison[1] : expression;
  if (!subject.startsWith("@")) throw new JsonPathSyntaxError(`unsupported filter ${expression}`);
  const path = segments(subject.slice(1).trim());
  if (!comparison) return { kind: "filter", path };
  return {
    kind: "filter",
    path,
    test: { operator: comparison[2] as FilterOperator, value: literal(comparison[3]) },
  };
}

function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let i = text.startsWith("$") ? 1 : 0;
  while (i < text.length) {
    if (text[i] === "[") {
      const close = closingBracket(text, i);
      out.push(bracket(text.slice(i + 1, close)));
      i = close + 1;
    } else if (text[i] === ".") {
      if (text[i + 1] === ".") throw new JsonPathSyntaxError(`recursive descent is not supported in ${text}`);
      if (text[i + 1] === "[") {
        i++;
        continue;
      }
      const [name, end] = fieldName(text, i + 1);
      if (name === "") {
        if (end >= text.length) break; // A lone "." is the root.
        throw new JsonPathSyntaxError(`unexpected ${text[end]} in ${text}`);
      }
      out.push(name === "*" ? { kind: "wildcard" } : { kind: "field", name });
      i = end;
    } else {
      throw new JsonPathSyntaxError(`unexpected ${text[i]} in ${text}`);
    }
  }
  return out;
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

function compare(actual: unknown, operator: FilterOperator, expected: Literal): boolean {
  if (typeof actual !== typeof expected) return operator === "!=";
  const a = actual as Literal;
  switch (operator) {
    case "==":
      return a === expected;
    case "!=":
      return a !== expected;
    case "<":
      return a < expected;
    case "<=":
      return a <= expected;
    case ">":
      return a > expected;
    case ">=":
      return a >= expected;
  }
}

function stepOne(value: unknown, segment: Segment): unknown[] {
  if (value === null || value === undefined) return [];
  switch (segment.kind) {
    case "field":
      return isMap(value) && Object.hasOwn(value, segment.name) ? [value[segment.name]] : [];
    case "wildcard":
      if (Array.isArray(value)) return value;
      return isMap(value)
        ? Object.keys(value)
            .sort()
            .map((key) => value[key])
        : [];
    case "index": {
      if (!Array.isArray(value)) return [];
      const index = segment.index < 0 ? value.length + segment.index : segment.index;
      return index >= 0 && index < value.length ? [value[index]] : [];
    }
    case "filter":
      if (!Array.isArray(value)) return [];
      return value.filter((item) => {
        const found = evaluateSegments(segment.path, item);
        if (!segment.test) return found.length > 0;
        const { operator, value: expected } = segment.test;
        return found.length > 0 && compare(found[0], operator, expected);
      });
  }
}

function step(values: unknown[], segment: Segment): unknown[] {
  return values.flatMap((value) => stepOne(value, segment));
}

function evaluateSegments(path: readonly Segment[], root: unknown): unknown[] {
  return path.reduce<unknown[]>(step, [root]);
}

/**
 * Parses a CRD column path (`.status.phase`; braces optional).
 * @throws JsonPathSyntaxError for anything outside the supported subset.
 */
export function parseJsonPath(path: string): JsonPath {
  let text = path.trim();
  if (text.startsWith("{") && text.endsWith("}")) text = text.slice(1, -1).trim();
  const parsed = segments(text);
  return { evaluate: (root) => evaluateSegments(parsed, root) };
}
