import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

const BIN = new URL("../../bin/atoll.ts", import.meta.url).pathname;
const ID = 104;
const haveEtcd = existsSync("/usr/bin/etcd");

let dir: string;
const children = new Set<ChildProcess>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-sim-cli-"));
});
after(async () => {
  for (const child of children) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

function startSim(dataDir: string, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, "sim", "--name", "k8s-x", "--id", String(ID), "--data-dir", dataDir, ...extra],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.add(child);
  child.on("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`sim did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("member ready")) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sim exited with ${code}: ${output}`));
    });
  });
}

/** Pids of processes whose command line mentions this member's address range. */
async function processesOfMember(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(`127.${ID}.`) && cmdline.includes("etcd")) pids.push(Number(entry));
  }
  return pids;
}

/** Alive and not a zombie waiting for its (new) parent to reap it. */
async function running(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return status !== "" && !/^State:\s+Z/m.test(status);
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("kill -9 of a member leaves none of its etcd processes behind; a restart brings the pod back", {
  skip: !haveEtcd && "etcd is not installed",
}, async () => {
  const dataDir = join(dir, "k8s-x");
  const sim = await startSim(dataDir);
  const kubectl = (...args: string[]) =>
    promisify(execFile)(
      "kubectl",
      ["--kubeconfig", join(dataDir, "kubeconfig"), "--cache-dir", join(dir, "cache"), ...args],
      {
        timeout: 30_000,
      },
    );
  const manifest = join(dir, "etcd.yaml");
  await writeFile(
    manifest,
    `apiVersion: v1
kind: Pod
metadata: {name: etcd}
spec:
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.5
    env: [{name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]
    command: [etcd, --data-dir=/var/run/etcd, --listen-client-urls=http://$(POD_IP):2379,
      --advertise-client-urls=http://$(POD_IP):2379, --listen-peer-urls=http://$(POD_IP):2380]
`,
  );
  await kubectl("apply", "-f", manifest);
  await kubectl("wait", "--for=condition=Ready", "pod/etcd", "--timeout=30s");
  const before = await until(
    "the etcd process",
    async () => {
      const pids = await processesOfMember();
      return pids.length > 0 ? pids : undefined;
    },
    10_000,
  );

  sim.kill("SIGKILL");
  await until(
    "the member's processes to die",
    async () => ((await processesOfMember()).length === 0 ? true : undefined),
    10_000,
  );
  await until(
    "every process it started to be gone",
    async () => {
      const alive = await Promise.all(before.map(running));
      return alive.some(Boolean) ? undefined : true;
    },
    10_000,
  );

  const again = await startSim(dataDir);
  await kubectl("wait", "--for=condition=Ready", "pod/etcd", "--timeout=30s");
  const restarted = JSON.parse((await kubectl("get", "pod", "etcd", "-o", "json")).stdout);
  assert.ok(
    restarted.status.containerStatuses[0].state.running,
    "the container runs again after the restart",
  );
  again.kill("SIGTERM");
  await new Promise((resolve) => again.once("exit", resolve));
  await until(
    "a clean stop leaves nothing",
    async () => ((await processesOfMember()).length === 0 ? true : undefined),
    10_000,
  );
});

test("--api-only: the member stores and serves objects, keeps its nodes Ready, and nothing acts on them", async () => {
  const dataDir = join(dir, "api-only");
  const sim = await startSim(dataDir, ["--api-only", "--storage", "memory"]);
  const kubectl = async (...args: string[]) =>
    (
      await promisify(execFile)(
        "kubectl",
        ["--kubeconfig", join(dataDir, "kubeconfig"), "--cache-dir", join(dir, "cache"), ...args],
        { timeout: 30_000 },
      )
    ).stdout;
  try {
    await kubectl("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2");
    await kubectl("run", "lonely", "--image=nginx:1.25");
    const nodes = await kubectl(
      "get",
      "nodes",
      "-o",
      "jsonpath={.items[*].status.conditions[?(@.type=='Ready')].status}",
    );
    assert.equal(nodes, "True True True");
    // A full member has a ReplicaSet within ~100 ms and a bound pod soon after; give it ten times that.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await kubectl("get", "replicasets", "-o", "name"), "");
    assert.equal(
      await kubectl("get", "pod", "lonely", "-o", "jsonpath={.spec.nodeName}|{.status.phase}"),
      "|Pending",
    );
    const deployment = JSON.parse(await kubectl("get", "deployment", "web", "-o", "json"));
    assert.equal(deployment.spec.replicas, 2);
    assert.equal(deployment.status?.replicas, undefined);
  } finally {
    sim.kill("SIGTERM");
    await new Promise((resolve) => sim.once("exit", resolve));
  }
});
