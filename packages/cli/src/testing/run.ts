import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";

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

/** A long-running `atoll` process (`up`, `apiserver`…) a test started, and everything it printed so far. */
export type AtollProcess = { child: ChildProcess; output(): string };

const pdeathsig = spawnSync("setpriv", ["--help"], { encoding: "utf8" }).stdout?.includes("--pdeathsig");

/**
 * Spawns `atoll ARGS` (under `setpriv --pdeathsig KILL` where there is one,
 * so it dies with the test) and resolves once its output contains `ready`;
 * rejects if it exits first or is not ready within `readyMs` (then it is
 * killed). `NO_COLOR` is set.
 */
export async function startAtollProcess(
  args: string[],
  options: { ready: RegExp | string; cwd?: string; env?: NodeJS.ProcessEnv; readyMs?: number },
): Promise<AtollProcess> {
  const node = [process.execPath, ATOLL_BIN, ...args];
  const [command, ...rest] = pdeathsig ? ["setpriv", "--pdeathsig", "KILL", ...node] : node;
  const child = spawn(command, rest, {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...(options.env ?? process.env), NO_COLOR: "1" },
  });
  let output = "";
  const append = (text: string): void => {
    output += text;
  };
  child.stdout?.setEncoding("utf8").on("data", append);
  child.stderr?.setEncoding("utf8").on("data", append);
  const { ready } = options;
  const readyMs = options.readyMs ?? 40_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL"); // not left behind by a test that gave up on it
      reject(new Error(`atoll ${args[0]} not ready after ${readyMs} ms:\n${output}`));
    }, readyMs);
    const check = (): void => {
      if (typeof ready === "string" ? !output.includes(ready) : !ready.test(output)) return;
      clearTimeout(timer);
      child.stdout?.off("data", check);
      resolve();
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`atoll ${args[0]} exited (${code}) before it was ready:\n${output}`));
    });
  });
  return { child, output: () => output };
}
