import {
  ACTION_DEFAULT_TIMEOUT_SECONDS,
  ACTION_OUTPUT_LIMIT_BYTES,
  type AgentActionResult,
  ROLE_PROBE_DEFAULTS,
} from "@atoll/api";
import { isRecord } from "@atoll/kube";

/** A role probe annotation, checked, with its defaults applied. */
export type RoleProbeSpec = {
  container: string | undefined;
  command: string[];
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
};

/** An action request annotation, checked, with its defaults applied. */
export type ActionRequestSpec = {
  id: string;
  container: string | undefined;
  command: string[];
  env: Record<string, string>;
  timeoutMs: number;
};

/** A parsed annotation, or why it cannot be used. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Reads `agent.atoll.io/role-probe`. */
export function parseRoleProbe(text: string): Parsed<RoleProbeSpec> {
  const json = parseObject(text);
  if (!json.ok) return json;
  const o = json.value;
  const problems = [
    checkCommand(o.command),
    checkOptionalString(o, "container"),
    checkPositive(o, "periodSeconds"),
    checkPositive(o, "timeoutSeconds"),
    checkPositive(o, "failureThreshold", { integer: true }),
  ].filter((p) => p !== undefined);
  if (problems.length > 0) return { ok: false, error: problems.join("; ") };
  return {
    ok: true,
    value: {
      container: o.container as string | undefined,
      command: o.command as string[],
      periodMs: 1000 * ((o.periodSeconds as number | undefined) ?? ROLE_PROBE_DEFAULTS.periodSeconds),
      timeoutMs: 1000 * ((o.timeoutSeconds as number | undefined) ?? ROLE_PROBE_DEFAULTS.timeoutSeconds),
      failureThreshold: (o.failureThreshold as number | undefined) ?? ROLE_PROBE_DEFAULTS.failureThreshold,
    },
  };
}

/**
 * Reads `agent.atoll.io/action-request`. An unusable request still yields its
 * `id` when it has one, so the failure can be reported in its result.
 */
export function parseActionRequest(text: string): Parsed<ActionRequestSpec> & { id?: string } {
  const json = parseObject(text);
  if (!json.ok) return json;
  const o = json.value;
  const id = typeof o.id === "string" && o.id !== "" ? o.id : undefined;
  const env = o.env;
  const envValid =
    env === undefined || (isRecord(env) && Object.values(env).every((v) => typeof v === "string"));
  const problems = [
    id === undefined ? "id must be a non-empty string" : undefined,
    checkCommand(o.command),
    checkOptionalString(o, "container"),
    envValid ? undefined : "env must be an object of strings",
    checkPositive(o, "timeoutSeconds"),
  ].filter((p) => p !== undefined);
  if (problems.length > 0 || id === undefined) return { ok: false, error: problems.join("; "), id };
  return {
    ok: true,
    id,
    value: {
      id,
      container: o.container as string | undefined,
      command: o.command as string[],
      env: (env as Record<string, string> | undefined) ?? {},
      timeoutMs: 1000 * ((o.timeoutSeconds as number | undefined) ?? ACTION_DEFAULT_TIMEOUT_SECONDS),
    },
  };
}

/** The id in `agent.atoll.io/action-result`, or undefined when there is none (or it is not a result). */
export function actionResultId(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const json = parseObject(text);
  return json.ok && typeof json.value.id === "string" ? json.value.id : undefined;
}

/** The annotation value of a result, its output cut to the last ACTION_OUTPUT_LIMIT_BYTES. */
export function renderActionResult(result: AgentActionResult): string {
  return JSON.stringify({ ...result, output: lastBytes(result.output, ACTION_OUTPUT_LIMIT_BYTES) });
}

/** The role a probe printed: its stdout's last non-empty line, trimmed ("" when there is none). */
export function roleOf(stdout: string): string {
  const lines = stdout.split("\n").map((line) => line.trim());
  return lines.findLast((line) => line !== "") ?? "";
}

/** The end of `text`, at most `limit` bytes of UTF-8, never starting inside a character. */
export function lastBytes(text: string, limit: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= limit) return text;
  let start = bytes.length - limit;
  // Skip UTF-8 continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString("utf8");
}

function parseObject(text: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  return isRecord(value) ? { ok: true, value } : { ok: false, error: "not a JSON object" };
}

function checkCommand(command: unknown): string | undefined {
  const valid =
    Array.isArray(command) && command.length > 0 && command.every((part) => typeof part === "string");
  return valid ? undefined : "command must be a non-empty array of strings";
}

function checkOptionalString(o: Record<string, unknown>, field: string): string | undefined {
  const value = o[field];
  return value === undefined || (typeof value === "string" && value !== "")
    ? undefined
    : `${field} must be a non-empty string`;
}

function checkPositive(
  o: Record<string, unknown>,
  field: string,
  options: { integer?: boolean } = {},
): string | undefined {
  const value = o[field];
  if (value === undefined) return undefined;
  const valid =
    typeof value === "number" &&
    Number.isFinite(value) &&
    value > 0 &&
    (!options.integer || Number.isInteger(value));
  return valid ? undefined : `${field} must be a positive ${options.integer ? "integer" : "number"}`;
}
