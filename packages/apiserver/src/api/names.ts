import type { StatusCause } from "./errors.ts";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PATH_SEGMENT_FORBIDDEN = /[/%]/;

/** How a kind's object names are checked, as kube-apiserver's per-kind name validators do. */
export type NameRule = "subdomain" | "label" | "path-segment";

/** Causes for an invalid `metadata.name` (empty when valid). */
export function validateName(name: string, rule: NameRule, field = "metadata.name"): StatusCause[] {
  const causes: StatusCause[] = [];
  const invalid = (message: string) =>
    causes.push({ reason: "FieldValueInvalid", field, message: `Invalid value: "${name}": ${message}` });
  if (rule === "path-segment") {
    if (name === "." || name === "..") invalid(`may not be '${name}'`);
    else if (PATH_SEGMENT_FORBIDDEN.test(name)) invalid("may not contain '/' or '%'");
    return causes;
  }
  if (rule === "label") {
    if (name.length > 63) invalid("must be no more than 63 characters");
    if (!DNS1123_LABEL.test(name)) {
      invalid(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      );
    }
    return causes;
  }
  if (name.length > 253) invalid("must be no more than 253 characters");
  if (!DNS1123_SUBDOMAIN.test(name)) {
    invalid(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return causes;
}

const GENERATE_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const MAX_GENERATED_NAME_LENGTH = 63 - 5;

/** `generateName` plus five random characters, as Kubernetes' SimpleNameGenerator does. */
export function generateName(base: string, random: () => number): string {
  const prefix = base.length > MAX_GENERATED_NAME_LENGTH ? base.slice(0, MAX_GENERATED_NAME_LENGTH) : base;
  let suffix = "";
  for (let i = 0; i < 5; i++)
    suffix += GENERATE_NAME_ALPHABET[Math.floor(random() * GENERATE_NAME_ALPHABET.length)];
  return prefix + suffix;
}
