import { badRequest } from "../api/errors.ts";
import type { FieldValidation } from "../registry/registry.ts";

/** Typed access to a request's query parameters, with Kubernetes' errors for bad values. */
export class Query {
  #params: URLSearchParams;
  constructor(params: URLSearchParams) {
    this.#params = params;
  }

  string(name: string): string | undefined {
    const value = this.#params.get(name);
    return value === null ? undefined : value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.#params.get(name);
    if (value === null) return undefined;
    if (value === "" || value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    throw badRequest(`invalid value for ${name}: "${value}" (expected a boolean)`);
  }

  integer(name: string): number | undefined {
    const value = this.#params.get(name);
    if (value === null || value === "") return undefined;
    if (!/^-?\d+$/.test(value))
      throw badRequest(`invalid value for ${name}: "${value}" (expected an integer)`);
    return Number(value);
  }

  /** `dryRun=All` (the only value Kubernetes accepts). */
  dryRun(): boolean {
    const values = this.#params.getAll("dryRun");
    if (values.length === 0) return false;
    for (const value of values) {
      if (value !== "All") throw badRequest(`Invalid dry run value: "${value}": supported values: "All"`);
    }
    return true;
  }

  fieldValidation(): FieldValidation | undefined {
    const value = this.string("fieldValidation");
    if (value === undefined || value === "") return undefined;
    if (value === "Strict" || value === "Warn" || value === "Ignore") return value;
    throw badRequest(
      `fieldValidation: Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`,
    );
  }
}
