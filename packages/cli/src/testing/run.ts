import { execFile } from "node:child_process";

/** What a finished command printed and how it exited. */
export type Run = { code: number; stdout: string; stderr: string };

/** The `atoll` entry point, as users run it. */
export const ATOLL_BIN = new URL("../../bin/atoll.ts", import.meta.url).pathname;

/**
 * Runs a command to completion with stdin closed (kubectl would otherwise
 * prompt for credentials), `env` added to this process's environment.
 */
export function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
    child.stdin?.end();
  });
}

/** Runs `atoll ARGS` with this runtime, as `npx atoll` would. */
export function runAtoll(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}) {
  return run(process.execPath, [ATOLL_BIN, ...args], options);
}
