import { execFile } from "node:child_process";

export type KubectlOptions = {
  kubeconfig: string;
  /** kubectl's discovery cache; one per benchmark run so the first call pays for discovery once. */
  cacheDir: string;
  timeoutMs: number;
};

/** Runs the machine's kubectl and resolves with its stdout; rejects with its stderr on failure. */
export function kubectl(options: KubectlOptions, args: string[], input = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "kubectl",
      ["--kubeconfig", options.kubeconfig, "--cache-dir", options.cacheDir, ...args],
      { timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(" ")}: ${String(stderr).trim() || error.message}`));
        else resolve(String(stdout));
      },
    );
    child.stdin?.end(input);
  });
}
