/**
 * Label key and value rules, with the error wording kube-apiserver uses
 * (apimachinery's `validate/content` and `validation/field` packages), so a
 * rejected selector reads the same as it would from a real cluster.
 */

const LABEL_KEY_MAX_BYTES = 63;
const LABEL_VALUE_MAX_BYTES = 63;
const DNS1123_SUBDOMAIN_MAX_BYTES = 253;

const LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

const labelKeyPattern = new RegExp(`^${LABEL_KEY_FMT}$`);
const labelValuePattern = new RegExp(`^${LABEL_VALUE_FMT}$`);
const subdomainPattern = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

function regexError(message: string, pattern: string, examples: readonly string[]): string {
  const shown = examples.map((example) => `'${example}', `).join(" or ");
  return `${message} (e.g. ${shown}regex used for validation is '${pattern}')`;
}

function maxLenError(bytes: number): string {
  return `must be no more than ${bytes} bytes`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function subdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_BYTES) errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX_BYTES));
  if (!subdomainPattern.test(value)) {
    errors.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, ["example.com"]));
  }
  return errors;
}

/** Why `key` is not a valid label key (`[prefix/]name`); empty when it is valid. */
export function labelKeyErrors(key: string): string[] {
  const examples = ["MyName", "my.name", "123-abc"];
  const parts = key.split("/");
  if (parts.length > 2) {
    return [
      `a valid label key ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, examples)} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const errors: string[] = [];
  const name = parts.length === 2 ? parts[1] : parts[0];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === "") errors.push("prefix part must be non-empty");
    else errors.push(...subdomainErrors(prefix).map((message) => `prefix part ${message}`));
  }
  if (name === "") errors.push("name part must be non-empty");
  else if (byteLength(name) > LABEL_KEY_MAX_BYTES)
    errors.push(`name part ${maxLenError(LABEL_KEY_MAX_BYTES)}`);
  if (!labelKeyPattern.test(name))
    errors.push(`name part ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, examples)}`);
  return errors;
}

/** Why `value` is not a valid label value; empty when it is valid (the empty string is valid). */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_BYTES) errors.push(maxLenError(LABEL_VALUE_MAX_BYTES));
  if (!labelValuePattern.test(value)) {
    errors.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, ["MyValue", "my_value", "12345"]));
  }
  return errors;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\u0007": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
  '"': '\\"',
};
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** A string quoted as Go's `%q` (strconv.Quote) would quote it. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const escaped = SIMPLE_ESCAPES[ch];
    if (escaped) out += escaped;
    else if (printable.test(ch)) out += ch;
    else {
      const code = ch.codePointAt(0) ?? 0;
      if (code < 0x80) out += `\\x${code.toString(16).padStart(2, "0")}`;
      else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
      else out += `\\U${code.toString(16).padStart(8, "0")}`;
    }
  }
  return `${out}"`;
}

/** A string slice printed as Go's `%#v` would print it. */
export function goStringSlice(values: readonly string[] | undefined): string {
  if (!values || values.length === 0) return "[]string(nil)";
  return `[]string{${values.map(goQuote).join(", ")}}`;
}

/**
 * One `field.Invalid` error as Go prints it: `path: Invalid value: "v": detail`.
 * `path` is `<nil>` where the Go code validated against a nil path.
 * `value` is printed verbatim when already formatted (a slice), else quoted.
 */
export function invalidValueText(path: string, value: string | { raw: string }, detail: string): string {
  const shown = typeof value === "string" ? goQuote(value) : value.raw;
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

/** Joins error messages as Go's `utilerrors.Aggregate` does: duplicates dropped, `[a, b]` when several. */
export function aggregateText(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}
