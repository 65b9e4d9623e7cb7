import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One benchmark run: a temp dir, a timestamped log, and a guaranteed clean-up of what it started. */
export type BenchSession = {
  readonly tempDir: string;
  /** Writes `[bench 12.3s] line` to stderr. */
  log(line: string): void;
  /** Stops the watchdog, then the children, and removes the temp dir. */
  finish(): Promise<void>;
};

/**
 * Opens a run: makes a temp dir and arms a watchdog and SIGINT/SIGTERM
 * handlers that stop the children (`stopChildren`), remove the temp dir and
 * exit 1 — so a benchmark that hangs or is interrupted leaves nothing behind.
 */
export async function openBenchSession(options: {
  /** Names the temp dir: `atoll-<name>-bench-…`. */
  name: string;
  /** The whole run is aborted after this long. */
  deadlineMs: number;
  stopChildren(): Promise<void>;
}): Promise<BenchSession> {
  const tempDir = await mkdtemp(join(tmpdir(), `atoll-${options.name}-bench-`));
  const began = performance.now();
  const log = (line: string) =>
    process.stderr.write(`[bench ${((performance.now() - began) / 1000).toFixed(1)}s] ${line}\n`);
  const cleanUp = async () => {
    await options.stopChildren();
    await rm(tempDir, { recursive: true, force: true });
  };
  const abort = (why: string) => {
    log(`aborting: ${why}; stopping the processes this benchmark started`);
    void cleanUp().finally(() => process.exit(1));
  };
  const watchdog = setTimeout(
    () => abort(`still running after ${options.deadlineMs} ms`),
    options.deadlineMs,
  );
  const onSigint = () => abort("SIGINT");
  const onSigterm = () => abort("SIGTERM");
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigterm);
  return {
    tempDir,
    log,
    async finish() {
      clearTimeout(watchdog);
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", onSigterm);
      await cleanUp();
    },
  };
}
