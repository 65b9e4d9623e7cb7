import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, test } from "node:test";
import { type AgentActionResult, AgentAnnotations, KubeBlocksLabels } from "@atoll/api";
import { eventually, startTestMember, type TestMember } from "../e2e/harness.ts";
import { PodWatch } from "./pod-watch.fixture.ts";

const ID = 121;
const haveEtcd = existsSync("/usr/bin/etcd") && existsSync("/usr/bin/etcdctl");
const skip = !haveEtcd && "etcd is not installed";

/**
 * The role is whatever /role/role (an emptyDir) says — but only while etcd
 * answers, so the label follows the real database process.
 */
const PROBE = {
  command: [
    "sh",
    "-c",
    "etcdctl --endpoints=http://$POD_IP:2379 --command-timeout=1s endpoint health >/dev/null 2>&1 && cat /role/role",
  ],
  periodSeconds: 1,
};

function manifest(): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "db-0", annotations: { [AgentAnnotations.roleProbe]: JSON.stringify(PROBE) } },
    spec: {
      containers: [
        {
          name: "etcd",
          image: "quay.io/coreos/etcd:v3.4.23",
          env: [
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "ETCDCTL_API", value: "3" },
          ],
          command: ["etcd"],
          args: [
            "--name=db-0",
            "--data-dir=/var/run/etcd/data",
            "--listen-client-urls=http://$(POD_IP):2379",
            "--advertise-client-urls=http://$(POD_IP):2379",
            "--listen-peer-urls=http://$(POD_IP):2380",
            "--initial-advertise-peer-urls=http://$(POD_IP):2380",
            "--initial-cluster=db-0=http://$(POD_IP):2380",
          ],
          volumeMounts: [
            { name: "role", mountPath: "/role" },
            { name: "data", mountPath: "/var/run/etcd" },
          ],
        },
      ],
      volumes: [
        { name: "role", emptyDir: {} },
        { name: "data", emptyDir: {} },
      ],
    },
  });
}

let m: TestMember;
let watch: PodWatch;
let roleDir = "";
before(async () => {
  if (!haveEtcd) return;
  m = await startTestMember(ID);
  await m.ok(["apply", "-f", "-"], manifest());
  await m.ok(["wait", "--for=condition=Ready", "pod/db-0", "--timeout=60s"]);
  const uid = (await m.ok(["get", "pod", "db-0", "-o", "jsonpath={.metadata.uid}"])).trim();
  roleDir = join(m.dir, "pods", uid, "volumes", "kubernetes.io~empty-dir", "role");
  watch = await PodWatch.start(m.member.kubeconfigPath, { namespace: "default", name: "db-0" });
});
after(async () => {
  watch?.stop();
  await m?.stop();
});

/** What the database does when its role changes: the file the probe reads is replaced. */
async function setRoleFile(role: string): Promise<void> {
  await writeFile(join(roleDir, ".role.tmp"), `${role}\n`);
  await rename(join(roleDir, ".role.tmp"), join(roleDir, "role"));
}

/** Annotates db-0 with an action request (as the hub does) and waits for its result. */
async function runAction(request: Record<string, unknown>, timeoutMs = 20_000): Promise<AgentActionResult> {
  await m.ok([
    "annotate",
    "--overwrite",
    "pod",
    "db-0",
    `${AgentAnnotations.actionRequest}=${JSON.stringify(request)}`,
  ]);
  return eventually(
    `result of action ${request.id}`,
    async () => {
      const text = watch.latest?.metadata?.annotations?.[AgentAnnotations.actionResult];
      const result = text === undefined ? undefined : (JSON.parse(text) as AgentActionResult);
      return result?.id === request.id ? result : undefined;
    },
    timeoutMs,
  );
}

test("an action sets the role; the label follows role changes, and nothing is written while the role holds", {
  skip,
}, async (t) => {
  assert.equal(watch.role, undefined, "no role before the database has one");
  const from = watch.changes.length;
  const result = await runAction({ id: "init", command: ["sh", "-c", "echo leader > /role/role"] });
  assert.equal(result.exitCode, 0);
  await watch.waitForRole("leader", from, 10_000);
  const label = await m.ok(["get", "pod", "db-0", "-o", `jsonpath={.metadata.labels.kubeblocks\\.io/role}`]);
  assert.equal(label, "leader");

  // Changes land at different points of the probe period (right after a label change would always be a
  // period away from the next probe).
  const latencies: number[] = [];
  const offsetsMs = [0, 200, 400, 600, 800];
  for (const [i, role] of ["follower", "leader", "follower", "leader", "follower"].entries()) {
    await new Promise((r) => setTimeout(r, offsetsMs[i]));
    const index = watch.changes.length;
    const changedAt = performance.now();
    await setRoleFile(role);
    const seen = await watch.waitForRole(role, index, 10_000);
    latencies.push(seen.at - changedAt);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  t.diagnostic(
    `role change → label: median ${Math.round(sorted[2])} ms, all ${latencies.map(Math.round).join(", ")} ms`,
  );
  assert.ok(sorted[2] < 3000, `median ${sorted[2]} ms`);

  const versions = watch.versions.length;
  await new Promise((r) => setTimeout(r, 3500));
  assert.equal(watch.versions.length, versions, "three steady probes wrote nothing to the pod");
  assert.equal(watch.role, "follower");
});

test("a killed container loses its role at once and gets it back after the restart", { skip }, async (t) => {
  assert.equal(watch.role, "follower");
  const index = watch.changes.length;
  const killedAt = performance.now();
  m.host.killContainer("default", "db-0", "etcd");
  const removed = await watch.waitForRole(undefined, index, 10_000);
  const back = await watch.waitForRole("follower", index + 1, 30_000);
  t.diagnostic(
    `kill → label removed ${Math.round(removed.at - killedAt)} ms, → label back ${Math.round(back.at - killedAt)} ms`,
  );
  // Three failed probes a second apart would take 3 s; the kubelet restarts after 1 s.
  assert.ok(removed.at - killedAt < 2500, `removal took ${removed.at - killedAt} ms`);
  const pod = JSON.parse(await m.ok(["get", "pod", "db-0", "-o", "json"]));
  assert.equal(pod.status.containerStatuses[0].restartCount, 1);
  assert.equal(pod.metadata.labels[KubeBlocksLabels.role], "follower");
});

test("actions run once per id, with the container's env plus the request's; exit codes, output and timeouts are reported", {
  skip,
}, async () => {
  const record = ["sh", "-c", 'echo "$POD_IP $GREETING" >> /role/runs; echo to-stdout; echo to-stderr >&2'];
  const first = await runAction({ id: "a1", command: record, env: { GREETING: "hello" } });
  assert.equal(first.exitCode, 0);
  assert.match(first.output, /to-stdout/);
  assert.match(first.output, /to-stderr/);
  assert.ok(Date.parse(first.startedAt) <= Date.parse(first.finishedAt));
  const podIP = watch.latest?.status?.podIP;
  assert.equal(await readFile(join(roleDir, "runs"), "utf8"), `${podIP} hello\n`);

  const failed = await runAction({ id: "a2", command: ["sh", "-c", "echo broken; exit 3"] });
  assert.equal(failed.exitCode, 3);
  assert.equal(failed.output.trim(), "broken");

  // The same id again (a re-annotation) is not run again; a new id is.
  await m.ok([
    "annotate",
    "--overwrite",
    "pod",
    "db-0",
    `${AgentAnnotations.actionRequest}=${JSON.stringify({ id: "a2", command: record })}`,
  ]);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await readFile(join(roleDir, "runs"), "utf8")).split("\n").length, 2);
  const again = await runAction({ id: "a3", command: record, env: { GREETING: "again" } });
  assert.equal(again.exitCode, 0);
  assert.equal(await readFile(join(roleDir, "runs"), "utf8"), `${podIP} hello\n${podIP} again\n`);

  const slow = await runAction({ id: "a4", command: ["sleep", "30"], timeoutSeconds: 1 });
  assert.equal(slow.exitCode, null);
  assert.match(slow.output, /timed out after 1s/);

  const long = await runAction({ id: "a5", command: ["sh", "-c", "seq 1 5000"] });
  assert.equal(long.exitCode, 0);
  assert.ok(Buffer.byteLength(long.output) <= 4096);
  assert.match(long.output, /\n5000\n$/, "the output keeps its end");
});

test("a probe that keeps failing removes the role after three failures; a terminating pod loses it at once", {
  skip,
}, async (t) => {
  const index = watch.changes.length;
  assert.equal(watch.role, "follower");
  const brokenAt = performance.now();
  await runAction({ id: "break", command: ["rm", "/role/role"] });
  const removed = await watch.waitForRole(undefined, index, 15_000);
  t.diagnostic(`probe broken → label removed ${Math.round(removed.at - brokenAt)} ms`);
  assert.ok(removed.at - brokenAt >= 2000, "not before the third failure (probes 1 s apart)");

  await setRoleFile("leader");
  await watch.waitForRole("leader", index + 1, 10_000);
  const deleting = watch.changes.length;
  await m.ok(["delete", "pod", "db-0", "--wait=false"]);
  await watch.waitForRole(undefined, deleting, 10_000);
  await m.ok(["wait", "--for=delete", "pod/db-0", "--timeout=60s"]);
});
