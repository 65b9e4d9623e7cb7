import { execFile } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ApiServer, type ApiServerOptions } from "../api-server.ts";
import { MemoryStore } from "../storage/memory-store.ts";

export type KubectlResult = { code: number; stdout: string; stderr: string };

export type TestServer = {
  server: ApiServer;
  url: string;
  dir: string;
  kubeconfig: string;
  /** Runs kubectl (default binary, or `binary` such as kubectl.1.28) against the server. */
  kubectl(
    args: string[],
    options?: { input?: string; binary?: string; env?: Record<string, string>; timeoutMs?: number },
  ): Promise<KubectlResult>;
  stop(): Promise<void>;
};

/** Starts an in-process API server on a free loopback port with a kubeconfig for it. */
export async function startTestServer(
  options: Partial<ApiServerOptions> & { token?: string } = {},
): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), "atoll-e2e-"));
  const store = options.store ?? new MemoryStore();
  const server = await ApiServer.start({ ...options, store, port: 0 });
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: test",
      "  cluster:",
      `    server: ${server.url}`,
      "users:",
      "- name: test",
      `  user: ${options.token ? `{token: ${options.token}}` : "{}"}`,
      "contexts:",
      "- name: test",
      "  context: {cluster: test, user: test, namespace: default}",
      "current-context: test",
      "",
    ].join("\n"),
  );
  return {
    server,
    url: server.url,
    dir,
    kubeconfig,
    kubectl: (args, runOptions = {}) =>
      runKubectl(
        runOptions.binary ?? "kubectl",
        ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args],
        {
          ...runOptions,
          cwd: dir,
        },
      ),
    async stop() {
      await server.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The path of an older kubectl shipped beside the default one (e.g. `kubectl.1.28`), if present. */
export function kubectlBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  try {
    const beside = join(dirname(realpathSync(findOnPath("kubectl") ?? "")), name);
    return existsSync(beside) ? beside : undefined;
  } catch {
    return undefined;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":"))
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

function runKubectl(
  binary: string,
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd: string; timeoutMs?: number },
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      binary,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
