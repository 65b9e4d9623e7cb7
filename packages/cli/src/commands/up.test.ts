import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type AtollProcess, startAtollProcess } from "../testing/run.ts";
import { isAlive, processTree, waitGone } from "../up/process-tree.ts";
import { READY_HEADLINE } from "../up/ready-block.ts";

const BIN = new URL("../../bin/atoll.ts", import.meta.url).pathname;
// This file owns member ids 194–199: the foreground fleet uses 194–196, the background one 197–199.
const FOREGROUND = ["--first-id", "194", "--members", "3"];
const BACKGROUND = ["--first-id", "197", "--members", "3"];
const MEMBERS = ["k8s-1", "k8s-2", "k8s-3"];
const READY_MS = 40_000;
const STOP_MS = 20_000;
const _pdeathsig = spawnSync("setpriv", ["--help"], { encoding: "utf8" }).stdout?.includes("--pdeathsig");

let dir: string;
const running = new Set<ChildProcess>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-up-"));
});

after(async () => {
  for (const child of running) if (child.pid) process.kill(child.pid, "SIGKILL");
  const background = join(dir, "background");
  await atoll("down", "--data-dir", background, "--timeout", "5s");
  await rm(dir, { recursive: true, force: true });
});

type Run = { code: number; stdout: string; stderr: string };

function run(command: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({
        code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
        stdout: String(stdout),
        stderr: String(stderr),
      }),
    );
    child.stdin?.end(input);
  });
}
const atoll = (...args: string[]) => run(process.execPath, [BIN, ...args]);
const kubectl = (dataDir: string, ...args: string[]) =>
  run("kubectl", [
    "--kubeconfig",
    join(dataDir, "kubeconfig"),
    "--cache-dir",
    join(dir, "kube-cache"),
    ...args,
  ]);
const kubectlApply = (dataDir: string, manifest: string) =>
  run(
    "kubectl",
    ["--kubeconfig", join(dataDir, "kubeconfig"), "--cache-dir", join(dir, "kube-cache"), "apply", "-f", "-"],
    manifest,
  );

/** `atoll up ARGS` as a user runs it; resolves with the process and its output once the ready block is printed. */
async function up(dataDir: string, args: string[]): Promise<AtollProcess> {
  const started = await startAtollProcess(["up", "--port", "0", "--data-dir", dataDir, ...args], {
    ready: READY_HEADLINE,
    readyMs: READY_MS,
  });
  running.add(started.child);
  started.child.once("exit", () => running.delete(started.child));
  return started;
}

/** Sends `signal` and checks the fleet exits 0 leaving none of its processes behind. */
async function stopFleet(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const pids = await processTree(child.pid ?? 0);
  assert.ok(pids.length >= 4, `atoll up and its three members, got pids ${pids.join(",")}`);
  const exited = once(child, "exit");
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_MS);
  const [code] = await exited;
  clearTimeout(timer);
  assert.equal(code, 0, `atoll up exits 0 on ${signal}`);
  // The members' exit was awaited by pid; give the kernel's bookkeeping a bounded moment.
  assert.ok(await waitGone(pids, 2000), `no process left: ${pids.filter(isAlive).join(",")}`);
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

const GREETING = `apiVersion: v1
kind: ConfigMap
metadata: {name: greeting, namespace: default}
data: {hello: atoll}
---
apiVersion: policy.atoll.io/v1alpha1
kind: PropagationPolicy
metadata: {name: greeting, namespace: default}
spec:
  resourceSelectors: [{apiVersion: v1, kind: ConfigMap, name: greeting}]
  placement:
    clusterAffinity: {clusterNames: [k8s-1, k8s-2, k8s-3]}
`;

test("atoll up: a Ready fleet kubectl can use, stopped by SIGINT, brought back with its objects", async () => {
  const fleetDir = join(dir, "fleet");
  const first = await up(fleetDir, FOREGROUND);
  assert.match(first.output(), /hub API server: ready https:\/\/127\.0\.0\.1:\d+/);
  assert.match(first.output(), new RegExp(`export KUBECONFIG=${join(fleetDir, "kubeconfig")}`));
  assert.match(
    first.output(),
    /kubectl get memberclusters\n {2}kubectl apply -f \S*examples\/etcd\.yaml .*\n {2}npx atoll get pods --all-clusters/,
  );

  const members = await kubectl(fleetDir, "get", "memberclusters");
  assert.equal(members.code, 0, members.stderr);
  for (const name of MEMBERS) assert.match(members.stdout, new RegExp(`^${name}\\s+True\\s`, "m"));
  const contexts = await kubectl(fleetDir, "config", "get-contexts", "-o", "name");
  assert.deepEqual(contexts.stdout.trim().split("\n").sort(), ["hub", ...MEMBERS]);
  const nodes = await kubectl(fleetDir, "--context", "k8s-2", "get", "nodes");
  assert.equal(nodes.code, 0, nodes.stderr);
  assert.equal(nodes.stdout.match(/^k8s-2-node-\d+\s+Ready\s/gm)?.length, 3, nodes.stdout);
  const secret = await kubectl(fleetDir, "get", "secret", "-n", "kb-system", "atoll-members", "-o", "name");
  assert.equal(secret.stdout.trim(), "secret/atoll-members");

  const applied = await kubectlApply(fleetDir, GREETING);
  assert.equal(applied.code, 0, applied.stderr);
  for (const context of MEMBERS) {
    await until(`the ConfigMap in ${context}`, async () => {
      const copy = await kubectl(
        fleetDir,
        "--context",
        context,
        "get",
        "configmap",
        "greeting",
        "-o",
        "jsonpath={.data.hello}",
      );
      return copy.stdout === "atoll" ? true : undefined;
    });
  }

  // atoll fault finds the fleet's members by --data-dir.
  const down = await atoll("fault", "stop", "k8s-3", "--data-dir", fleetDir);
  assert.equal(down.code, 0, down.stderr);
  assert.notEqual(
    (await kubectl(fleetDir, "--context", "k8s-3", "get", "nodes", "--request-timeout", "2s")).code,
    0,
  );
  const back = await atoll("fault", "start", "k8s-3", "--data-dir", fleetDir);
  assert.equal(back.code, 0, back.stderr);
  assert.equal((await kubectl(fleetDir, "--context", "k8s-3", "get", "nodes")).code, 0);

  // A second fleet on the same data dir, or on the same member addresses, is refused with a clear reason.
  const again = await atoll("up", "--port", "0", "--data-dir", fleetDir);
  assert.equal(again.code, 3, again.stderr);
  assert.match(again.stderr, /a fleet is already running from .*atoll down --data-dir/);
  const clash = await atoll("up", "--port", "0", "--data-dir", join(dir, "clash"), ...FOREGROUND);
  assert.equal(clash.code, 4, clash.stderr);
  assert.match(clash.stderr, /127\.194\.0\.1:6443, the address of member k8s-1 \(id 194\), is in use/);

  await stopFleet(first.child, "SIGINT");
  assert.match(first.output(), /fleet stopped\n$/);

  const second = await up(fleetDir, []);
  const hubCopy = await kubectl(fleetDir, "get", "configmap", "greeting", "-o", "jsonpath={.data.hello}");
  assert.equal(hubCopy.stdout, "atoll", hubCopy.stderr);
  for (const context of MEMBERS) {
    const copy = await kubectl(
      fleetDir,
      "--context",
      context,
      "get",
      "configmap",
      "greeting",
      "-o",
      "jsonpath={.data.hello}",
    );
    assert.equal(copy.stdout, "atoll", `${context}: ${copy.stderr}`);
  }
  const shape = JSON.parse(await readFile(join(fleetDir, "fleet.json"), "utf8"));
  assert.deepEqual(shape, { members: 3, firstId: 194, storage: "sqlite" });
  await stopFleet(second.child, "SIGTERM");
});

test("atoll up -d returns once Ready; atoll down stops every process", async () => {
  const fleetDir = join(dir, "background");
  const started = await atoll("up", "-d", "--port", "0", "--data-dir", fleetDir, ...BACKGROUND);
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stdout, new RegExp(READY_HEADLINE));
  assert.match(started.stdout, /Stop it with: npx atoll down --data-dir /);
  const pid = Number(await readFile(join(fleetDir, "up.pid"), "utf8"));
  const pids = await processTree(pid);
  assert.equal(pids.length, 4, `the fleet process and three members: ${pids.join(",")}`);
  const members = await kubectl(fleetDir, "get", "memberclusters");
  for (const name of MEMBERS) assert.match(members.stdout, new RegExp(`^${name}\\s+True\\s`, "m"));
  assert.match(await readFile(join(fleetDir, "up.log"), "utf8"), /k8s-3: ready Ready/);

  const stopped = await atoll("down", "--data-dir", fleetDir);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /stopped \(4 processes gone\)/);
  assert.deepEqual(pids.filter(isAlive), []);
  const nothing = await atoll("down", "--data-dir", fleetDir);
  assert.equal(nothing.code, 0);
  assert.match(nothing.stdout, /no fleet running from/);
});

test("atoll up refuses settings its data dir cannot honour, saying what to do", async () => {
  const fleetDir = join(dir, "shaped");
  await mkdir(fleetDir, { recursive: true });
  await writeFile(
    join(fleetDir, "fleet.json"),
    JSON.stringify({ members: 3, firstId: 194, storage: "sqlite" }),
  );
  const moved = await atoll("up", "--first-id", "10", "--data-dir", fleetDir);
  assert.equal(moved.code, 2);
  assert.match(
    moved.stderr,
    /holds a fleet with 3 members \(ids 194–196, sqlite storage\); --first-id 10 does not match/,
  );
});
