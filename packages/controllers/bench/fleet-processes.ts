import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { AtollProcess, ChildProcesses } from "./child-processes.ts";

/** A simulated member as `atoll sim` announced it. */
export type SimMember = { name: string; url: string; kubeconfig: string; admin: string; dir: string };

/** An `atoll sim --count N` process and its members, in id order. */
export type SimProcess = AtollProcess & { members: SimMember[]; startMs: number };

/**
 * `atoll apiserver --port 0` (in-memory storage); resolves with the URL it
 * logged once ready. `withControllers`: the hub controllers run in the same
 * process over its in-process API, as in `atoll up` (resolves once they run).
 */
export async function startApiServer(
  children: ChildProcesses,
  deadlineMs: number,
  options: { withControllers?: boolean } = {},
): Promise<AtollProcess & { url: string }> {
  const args = ["apiserver", "--port", "0", "--storage", "memory", "--log-level", "info"];
  if (options.withControllers) args.push("--with-controllers");
  const { process, seen } = await children.startAtoll(args, {
    deadlineMs,
    ready: (line) =>
      options.withControllers ? line.msg === "hub controllers running" : typeof line.fields.url === "string",
  });
  const url = seen.map((line) => line.fields.url).find((u) => typeof u === "string") as string;
  return { ...process, url };
}

/**
 * Writes a kubeconfig for the hub (no auth: the API server runs without a
 * token file) and starts `atoll controllers` with default health settings;
 * resolves once it logs that the controllers run (CRD installed, informers synced).
 */
export async function startControllers(
  children: ChildProcesses,
  options: { hubUrl: string; tempDir: string; deadlineMs: number },
): Promise<AtollProcess> {
  const kubeconfig = join(options.tempDir, "hub.kubeconfig");
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "hub", cluster: { server: options.hubUrl } }],
    users: [{ name: "hub", user: { token: "unused" } }],
    contexts: [{ name: "hub", context: { cluster: "hub", user: "hub" } }],
    "current-context": "hub",
  };
  // JSON is YAML: any kubeconfig reader takes it.
  await writeFile(kubeconfig, JSON.stringify(doc), { mode: 0o600 });
  const { process } = await children.startAtoll(
    ["controllers", "--kubeconfig", kubeconfig, "--log-level", "info"],
    { deadlineMs: options.deadlineMs, ready: (line) => line.msg === "hub controllers running" },
  );
  return process;
}

/**
 * `atoll sim --count N --id FIRST --port P --storage memory`; resolves once all N members are ready.
 */
export async function startSim(
  children: ChildProcesses,
  options: {
    firstId: number;
    count: number;
    port: number;
    dataDir: string;
    deadlineMs: number;
    /** `--api-only`: members that serve their API and run no controllers. */
    apiOnly?: boolean;
  },
): Promise<SimProcess> {
  const started = performance.now();
  // One member is named as given and lives in the data dir itself; several are k8s-<id> in subdirectories.
  const single = options.count === 1;
  const name = single ? `k8s-${options.firstId}` : "k8s";
  const args = ["sim", "--count", String(options.count), "--id", String(options.firstId), "--name", name];
  args.push("--port", String(options.port), "--data-dir", options.dataDir, "--storage", "memory");
  args.push("--nodes", "3", "--log-level", "info");
  if (options.apiOnly) args.push("--api-only");
  const ready = (seen: { msg: string }[]) => seen.filter((l) => l.msg === "member ready").length;
  const { process, seen } = await children.startAtoll(args, {
    deadlineMs: options.deadlineMs,
    ready: (line, lines) => line.msg === "member ready" && ready(lines) === options.count,
  });
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const members = seen
    .filter((line) => line.msg === "member ready")
    .map((line) => {
      const kubeconfig = text(line.fields.kubeconfig);
      return {
        name: text(line.fields.member),
        url: text(line.fields.url),
        kubeconfig,
        admin: text(line.fields.admin),
        dir: dirname(kubeconfig),
      };
    });
  return { ...process, members, startMs: Math.round(performance.now() - started) };
}
