import assert from "node:assert/strict";
import { type ChildProcess, execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LocalEtcd, startLocalEtcd } from "@atoll/apiserver";
import { type AtollProcess, startAtollProcess } from "../testing/run.ts";
import { isAlive, processTree, waitGone } from "./process-tree.ts";
import { READY_HEADLINE } from "./ready-block.ts";

const BIN = new URL("../../bin/atoll.ts", import.meta.url).pathname;
// Member id 180 belongs to this file.
const FLEET = ["--members", "1", "--first-id", "180", "--port", "0"];
const READY_MS = 60_000;

let dir = "";
const children = new Set<ChildProcess>();
const etcds = new Set<LocalEtcd>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-etcd-storage-"));
});
after(async () => {
  for (const child of children) if (child.pid) process.kill(child.pid, "SIGKILL");
  for (const etcd of etcds) await etcd.stop();
  await rm(dir, { recursive: true, force: true });
});

type Run = { code: number; stdout: string; stderr: string };

function kubectl(kubeconfigOrServer: string[], ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      "kubectl",
      [...kubeconfigOrServer, "--cache-dir", join(dir, "kube-cache"), ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

/** Spawns `atoll ARGS` and resolves once its output contains `ready`. */
async function startAtoll(args: string[], ready: RegExp | string): Promise<AtollProcess> {
  const started = await startAtollProcess(args, { ready, readyMs: READY_MS });
  children.add(started.child);
  started.child.once("exit", () => children.delete(started.child));
  return started;
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [code] = await exited;
  clearTimeout(timer);
  return code as number | null;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The pids whose command line is etcd's, among `pids`. */
async function etcdPids(pids: number[]): Promise<number[]> {
  const found: number[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.split("\0")[0]?.endsWith("etcd")) found.push(pid);
  }
  return found;
}

test("atoll up --storage etcd keeps the hub in its own etcd, across a fleet restart and an etcd crash", async () => {
  const dataDir = join(dir, "fleet");
  const hub = ["--kubeconfig", join(dataDir, "kubeconfig"), "--context", "hub"];
  const first = await startAtoll(
    ["up", "--storage", "etcd", "--data-dir", dataDir, ...FLEET],
    READY_HEADLINE,
  );
  assert.match(first.output(), /etcd, data in .*hub-etcd/);
  const created = await kubectl(
    hub,
    "create",
    "configmap",
    "kept",
    "--from-literal=a=1",
    "-o",
    "jsonpath={.metadata.resourceVersion}",
  );
  assert.equal(created.code, 0, created.stderr);
  const pids = await processTree(first.child.pid ?? 0);
  const [etcdPid] = await etcdPids(pids);
  assert.ok(etcdPid, `an etcd among the fleet's processes ${pids.join(",")}`);
  const ports = JSON.parse(await readFile(join(dataDir, "hub", "etcd.json"), "utf8")) as {
    clientPort: number;
  };
  const raw = await fetch(`http://127.0.0.1:${ports.clientPort}/v3/kv/range`, {
    method: "POST",
    body: JSON.stringify({
      key: Buffer.from("/atoll/registry/core/configmaps/default/kept").toString("base64"),
    }),
  });
  const { kvs } = (await raw.json()) as { kvs?: Array<{ mod_revision: string }> };
  assert.equal(kvs?.[0]?.mod_revision, created.stdout, "the resourceVersion is the etcd key's mod_revision");
  assert.equal(await stop(first.child), 0);
  assert.ok(await waitGone(pids, 5000), `no process left: ${pids.filter(isAlive).join(",")}`);

  // The data dir remembers etcd: no --storage needed to bring the same fleet back.
  const second = await startAtoll(["up", "--data-dir", dataDir, ...FLEET], READY_HEADLINE);
  try {
    const kept = await kubectl(
      hub,
      "get",
      "configmap",
      "kept",
      "-o",
      "jsonpath={.data.a} {.metadata.resourceVersion}",
    );
    assert.equal(kept.stdout, `1 ${created.stdout}`, kept.stderr);
    const [restartedEtcd] = await etcdPids(await processTree(second.child.pid ?? 0));
    assert.ok(restartedEtcd);
    process.kill(restartedEtcd, "SIGKILL");
    const after = await until("a write after the hub etcd was killed", async () => {
      const run = await kubectl(hub, "create", "configmap", "after-crash", "--from-literal=b=2");
      return run.code === 0 ? run : undefined;
    });
    assert.match(after.stdout, /after-crash created/);
    const listed = await until("both configmaps listed", async () => {
      const run = await kubectl(hub, "get", "configmaps", "-o", "name");
      return run.stdout.includes("after-crash") ? run.stdout : undefined;
    });
    assert.match(listed, /configmap\/kept/);
  } finally {
    const pidsNow = await processTree(second.child.pid ?? 0);
    assert.equal(await stop(second.child), 0);
    assert.ok(await waitGone(pidsNow, 5000), `no process left: ${pidsNow.filter(isAlive).join(",")}`);
  }
});

test("atoll apiserver --storage etcd:URL serves from that etcd, and a new server finds the objects", async () => {
  const etcd = await startLocalEtcd({ dataDir: join(dir, "apiserver-etcd") });
  etcds.add(etcd);
  const spec = `etcd:${etcd.url}?prefix=/cli-test`;
  const serve = () => startAtoll(["apiserver", "--port", "0", "--storage", spec], /"url":"http/);
  const urlOf = (output: string): string => /"url":"(http[^"]+)"/.exec(output)?.[1] ?? "";
  const first = await serve();
  const created = await kubectl(["--server", urlOf(first.output())], "create", "namespace", "from-etcd");
  assert.equal(created.code, 0, created.stderr);
  assert.equal(await stop(first.child), 0);
  const second = await serve();
  try {
    const got = await kubectl(
      ["--server", urlOf(second.output())],
      "get",
      "namespace",
      "from-etcd",
      "-o",
      "name",
    );
    assert.equal(got.stdout.trim(), "namespace/from-etcd", got.stderr);
  } finally {
    await stop(second.child);
  }
  const refused = await new Promise<Run>((resolve) => {
    execFile(
      process.execPath,
      [BIN, "apiserver", "--port", "0", "--storage", "etcd:http://127.0.0.1:9"],
      { timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number(error.code) || 1 : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
  assert.notEqual(refused.code, 0);
  assert.match(
    refused.stdout + refused.stderr,
    /failed to open etcd store at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/,
  );
});
