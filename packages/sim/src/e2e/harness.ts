import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemberHost } from "../faults/member-host.ts";
import type { MemberOptions, SimMember } from "../member.ts";

export type KubectlResult = { code: number; stdout: string; stderr: string };

export type TestMember = {
  host: MemberHost;
  member: SimMember;
  dir: string;
  kubectl(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  ok(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
};

/**
 * Starts a simulated member (in-memory storage, its own temp dir and member
 * id, so test files can run side by side) and a kubectl bound to it.
 */
export async function startTestMember(id: number, options: Partial<MemberOptions> = {}): Promise<TestMember> {
  const dir = await mkdtemp(join(tmpdir(), `atoll-sim-${id}-`));
  const host = new MemberHost({
    name: `sim-${id}`,
    id,
    dataDir: dir,
    storage: "memory",
    port: 6443,
    ...options,
  });
  await host.start();
  const member = host.member;
  if (!member) throw new Error("member did not start");
  const kubectl = (args: string[], runOptions: { input?: string; timeoutMs?: number } = {}) =>
    new Promise<KubectlResult>((resolve) => {
      const child = execFile(
        "kubectl",
        ["--kubeconfig", member.kubeconfigPath, "--cache-dir", join(dir, ".kube-cache"), ...args],
        { timeout: runOptions.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024 },
        (error, stdout, stderr) => {
          resolve({
            code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
            stdout: String(stdout),
            stderr: String(stderr),
          });
        },
      );
      child.stdin?.end(runOptions.input ?? "");
    });
  return {
    host,
    member,
    dir,
    kubectl,
    async ok(args, input) {
      const result = await kubectl(args, { input });
      if (result.code !== 0)
        throw new Error(`kubectl ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
      return result.stdout;
    },
    async stop() {
      await host.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 50 ms until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
