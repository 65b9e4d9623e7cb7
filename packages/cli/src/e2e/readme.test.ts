/**
 * The README's walkthrough, run as a user runs it: `atoll up` in the
 * foreground (a child process, its printed output), then every `sh` block of
 * the walkthrough section, in order, through bash — `npx atoll` is this
 * checkout's CLI, `.atoll` the fleet's data dir in the working directory —
 * each block's output checked. Then Ctrl-C (SIGINT) must leave no process
 * behind, and `atoll up` again must bring the instance back with its data.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startAtollProcess } from "../testing/run.ts";
import { isAlive, processTree, waitGone } from "../up/process-tree.ts";
import { READY_HEADLINE } from "../up/ready-block.ts";

const REPO = new URL("../../../../", import.meta.url).pathname;
const BIN = join(REPO, "packages/cli/bin/atoll.ts");
// This file owns member ids 125–127.
const UP_ARGS = ["up", "--first-id", "125", "--port", "0"];
const haveEtcd = existsSync("/usr/bin/etcd") && existsSync("/usr/bin/etcdctl");

let dir: string;
let fleet: ChildProcess | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-readme-"));
  await cp(join(REPO, "examples"), join(dir, "examples"), { recursive: true });
  // `npx atoll …` in the README runs this checkout's CLI; anything else goes to the real npx.
  await writeFile(
    join(dir, "npx"),
    `#!/bin/bash\nif [ "$1" = atoll ]; then shift; exec "${process.execPath}" "${BIN}" "$@"; fi\nexec /usr/bin/env -S npx "$@"\n`,
  );
  await chmod(join(dir, "npx"), 0o755);
});

after(async () => {
  if (fleet?.pid && fleet.exitCode === null) fleet.kill("SIGKILL");
  await new Promise<void>((resolve) =>
    execFile(process.execPath, [BIN, "down", "--data-dir", join(dir, ".atoll"), "--timeout", "5s"], () =>
      resolve(),
    ),
  );
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

/** The `sh` blocks of the walkthrough section, in order. */
async function walkthrough(): Promise<string[]> {
  const readme = await readFile(join(REPO, "README.md"), "utf8");
  const start = readme.indexOf("## Five minutes");
  const end = readme.indexOf("### Propagating ordinary workloads");
  assert.ok(start >= 0 && end > start, "the README has its walkthrough section");
  return [...readme.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].trim());
}

const env = () => ({
  ...process.env,
  PATH: `${dir}:${process.env.PATH}`,
  NO_COLOR: "1",
  KUBECONFIG: join(dir, ".atoll", "kubeconfig"),
});

function bash(script: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["-eo", "pipefail", "-c", script],
      { cwd: dir, env: env(), timeout: 90_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          output: `${stdout}${stderr}`,
        }),
    );
  });
}

/** `atoll up` in the foreground, as `npm start` runs it; resolves once it prints its ready block. */
async function up(): Promise<ChildProcess> {
  const { child, output } = await startAtollProcess(UP_ARGS, { ready: READY_HEADLINE, cwd: dir, env: env() });
  assert.match(output(), /export KUBECONFIG=.*\.atoll\/kubeconfig/);
  return child;
}

/** Ctrl-C: the fleet exits 0 and none of its processes is left. */
async function interrupt(child: ChildProcess): Promise<void> {
  const pids = await processTree(child.pid ?? 0);
  assert.ok(pids.length >= 4, `atoll up and its members: ${pids.join(",")}`);
  const exited = once(child, "exit");
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const [code] = await exited;
  clearTimeout(timer);
  assert.equal(code, 0, "atoll up exits 0 on SIGINT");
  assert.ok(await waitGone(pids, 5000), `no process left: ${pids.filter(isAlive).join(",")}`);
}

type Expectation = { check: (output: string) => boolean; retryMs?: number };

const roles = (output: string) =>
  output
    .trim()
    .split("\n")
    .map((line) => line.split("\t"));

/** What each block of the walkthrough must print; `seen` counts earlier runs of the same block. */
function expectation(block: string, seen: number, killed: { pod?: string }): Expectation {
  const has = (pattern: RegExp, retryMs?: number): Expectation => ({
    check: (o) => pattern.test(o),
    retryMs,
  });
  if (block.startsWith("export KUBECONFIG")) return { check: () => true };
  if (block === "kubectl get memberclusters")
    return { check: (o) => (o.match(/\bTrue\b/g) ?? []).length === 3 };
  if (block === "kubectl get componentdefinitions")
    return has(/etcd-0\.9\.0\s+etcd\s+3\.4\s+Available/, 10_000);
  if (block.startsWith("kubectl apply")) return has(/created|configured/);
  if (block.startsWith("kubectl wait")) return has(/condition met/);
  if (block === "npx atoll describe instance default/etcd") {
    return seen === 0
      ? has(/etcd-etcd-1\s+k8s-2\s+(leader|follower)\s+Running\s+true/)
      : has(/etcd-etcd-2\s+k8s-3\s+-\s+Unknown\s+false/, 30_000);
  }
  if (block.includes("get pods -L kubeblocks.io/role"))
    return has(/etcd-etcd-1\s+1\/1\s+Running.*\b(leader|follower)\b/, 10_000);
  if (block.startsWith("etcdctl") && block.includes(" put ")) return has(/^OK/m, 20_000);
  if (block.startsWith("etcdctl") && block.endsWith("get greeting")) return has(/^hello$/m, 20_000);
  if (block.startsWith("etcdctl") && block.endsWith("get during")) return has(/^outage$/m, 20_000);
  if (block.startsWith("read POD MEMBER")) return has(/"memberDown":false/);
  if (block.includes('{.podName}{"\\t"}{.member}{"\\t"}{.role}')) {
    const settled = (rows: string[][]) =>
      rows.length === 3 && rows.every((r) => r[2]) && rows.filter((r) => r[2] === "leader").length === 1;
    return seen === 0
      ? {
          check: (o) => {
            const rows = roles(o);
            return settled(rows) && !rows.some((r) => r[0] === killed.pod && r[2] === "leader");
          },
          retryMs: 20_000,
        }
      : { check: (o) => settled(roles(o)) && !o.includes("k8s-3"), retryMs: 60_000 };
  }
  if (block === "npx atoll fault stop k8s-3") return has(/"memberDown":true/);
  if (block === "npx atoll fault start k8s-3") return has(/"memberDown":false/);
  if (block === "kubectl get cluster etcd") return has(/etcd\s+WipeOut\s+Abnormal/, 30_000);
  if (block === "npx atoll cordon k8s-3") return has(/member k8s-3 cordoned/);
  if (block === "npx atoll uncordon k8s-3") return has(/member k8s-3 uncordoned/);
  if (block.includes("etcd-anywhere -o jsonpath")) return { check: (o) => o.trim() === "k8s-1 k8s-2" };
  if (block === "npx atoll drain k8s-3") return has(/member k8s-3 draining/);
  if (block === "npx atoll unjoin k8s-3") return has(/member k8s-3 unjoined \(drain\)/);
  if (block.startsWith("npx atoll join k8s-3")) return has(/member k8s-3 joined and Ready/);
  if (block === "npx atoll get pods --all-clusters")
    return has(/k8s-3\s+etcd-k8s-3-etcd-0\s+1\/1\s+Running/, 10_000);
  throw new Error(`the test does not know what this README block should print:\n${block}`);
}

test("the README walkthrough, command by command, on a fleet started by atoll up", {
  skip: !haveEtcd && "etcd is not installed",
  timeout: 10 * 60_000,
}, async () => {
  const blocks = await walkthrough();
  assert.ok(blocks.length >= 25, `the walkthrough has its steps (${blocks.length})`);
  fleet = await up();
  const seen = new Map<string, number>();
  const killed: { pod?: string } = {};
  for (const block of blocks) {
    const count = seen.get(block) ?? 0;
    seen.set(block, count + 1);
    if (block.startsWith("read POD MEMBER")) {
      const leader = await bash(
        `kubectl get cluster etcd -o jsonpath='{.status.components.etcd.replicas[?(@.role=="leader")].podName}'`,
      );
      killed.pod = leader.output.trim();
    }
    const expected = expectation(block, count, killed);
    const deadline = performance.now() + (expected.retryMs ?? 0);
    let result = await bash(block);
    while (!(result.code === 0 && expected.check(result.output)) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      result = await bash(block);
    }
    assert.ok(
      result.code === 0 && expected.check(result.output),
      `README block:\n${block}\nexited ${result.code} and printed:\n${result.output}\n(leader killed: ${killed.pod ?? "-"})`,
    );
  }
  await interrupt(fleet);

  // `npm start` again: the same fleet, its objects and its etcd data.
  fleet = await up();
  const back = await bash("kubectl wait cluster/etcd --for=jsonpath='{.status.phase}'=Running --timeout=90s");
  assert.equal(back.code, 0, back.output);
  const read = blocks.find((b) => b.startsWith("etcdctl") && b.endsWith("get greeting")) ?? "";
  let value = await bash(read);
  for (let i = 0; i < 40 && !/^hello$/m.test(value.output); i++) {
    await new Promise((r) => setTimeout(r, 500));
    value = await bash(read);
  }
  assert.match(value.output, /^hello$/m, "the value written before the restart is still there");
  await interrupt(fleet);
});
