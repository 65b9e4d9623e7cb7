import { StatusError } from "../api/errors.ts";

export { fieldsOf, type SelectableResource, selectableFields } from "./selectable-fields.ts";

/** `=` and `==` both mean equality. */
export type FieldOperator = "=" | "==" | "!=";

/** One clause of a field selector; a selector is the AND of its requirements. */
export type FieldRequirement = {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
};

/** A compiled field selector. */
export interface FieldSelector {
  /** Whether an object with these selectable fields is selected; a missing field reads as "". */
  matches(fields: Record<string, string>): boolean;
  /** True when the selector selects everything. */
  readonly empty: boolean;
  /** The requirements, ANDed, in the order kube-apiserver evaluates them (sorted by term text). */
  readonly requirements: readonly FieldRequirement[];
  /** The value `field` must equal for a match, if the selector pins one. */
  requiresExactMatch(field: string): string | undefined;
  /** Canonical text: `metadata.name=web,spec.nodeName!=n1`, values re-escaped. */
  toString(): string;
}

/** Escapes `\`, `,` and `=` so an arbitrary value can be written into a field selector. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (ch) => `\\${ch}`);
}

/** Splits on commas that are not backslash-escaped; the escapes are kept for unescapeValue. */
function splitTerms(text: string): string[] {
  if (text === "") return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (escaped) escaped = false;
    else if (ch === "\\") escaped = true;
    else if (ch === ",") {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** The field is everything before the first operator; fields cannot be escaped. `!=` and `==` win over `=`. */
function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const operator of ["!=", "==", "="] as const) {
      if (term.startsWith(operator, i)) return [term.slice(0, i), operator, term.slice(i + operator.length)];
    }
  }
  return undefined;
}

function unescapeValue(raw: string): string {
  let value = "";
  let escaped = false;
  for (const ch of raw) {
    if (escaped) {
      if (ch !== "\\" && ch !== "," && ch !== "=") {
        throw new StatusError("BadRequest", `invalid field selector: invalid escape sequence: \\${ch}`);
      }
      value += ch;
      escaped = false;
    } else if (ch === "\\") escaped = true;
    else if (ch === "," || ch === "=") {
      // Go prints the offending rune as a number, e.g. 61 for '='.
      throw new StatusError(
        "BadRequest",
        `invalid field selector: unescaped character in value: ${ch.codePointAt(0)}`,
      );
    } else value += ch;
  }
  if (escaped) throw new StatusError("BadRequest", "invalid field selector: invalid escape sequence: \\");
  return value;
}

class RequirementFieldSelector implements FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  constructor(requirements: readonly FieldRequirement[]) {
    this.requirements = requirements;
  }
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(fields: Record<string, string>): boolean {
    return this.requirements.every(({ field, operator, value }) => {
      const actual = Object.hasOwn(fields, field) ? fields[field] : "";
      return operator === "!=" ? actual !== value : actual === value;
    });
  }
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator !== "!=")?.value;
  }
  toString(): string {
    return this.requirements
      .map(
        ({ field, operator, value }) => `${field}${operator === "!=" ? "!=" : "="}${escapeFieldValue(value)}`,
      )
      .join(",");
  }
}

/**
 * Parses the `fieldSelector` query parameter as apimachinery's `fields.ParseSelector`:
 * `a=b`, `a==b`, `a!=b`, comma for AND; `\,`, `\=` and `\\` escape those characters
 * in values. Whitespace is significant. The empty string selects everything.
 * @throws StatusError BadRequest worded as kube-apiserver, e.g. `invalid selector: 'x'; can't understand 'x'`.
 */
export function parseFieldSelector(text: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(text).sort()) {
    if (term === "") continue;
    const parts = splitTerm(term);
    if (!parts)
      throw new StatusError("BadRequest", `invalid selector: '${text}'; can't understand '${term}'`);
    const [field, operator, raw] = parts;
    requirements.push({ field, operator, value: unescapeValue(raw) });
  }
  return new RequirementFieldSelector(requirements);
}

/**
 * Parses `text` and checks every field against `supported` (see `selectableFields`).
 * @throws StatusError BadRequest `field label not supported: <field>` for the first
 *   unsupported field, as kube-apiserver reports it; or a parse error as parseFieldSelector.
 */
export function compileFieldSelector(text: string, supported: (field: string) => boolean): FieldSelector {
  const selector = parseFieldSelector(text);
  for (const { field } of selector.requirements) {
    if (!supported(field)) throw new StatusError("BadRequest", `field label not supported: ${field}`);
  }
  return selector;
}
