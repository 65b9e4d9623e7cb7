import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type AgentActionResult, AgentAnnotations, KubeBlocksLabels } from "@atoll/api";
import { eventually, startTestMember, type TestMember } from "../e2e/harness.ts";
import { PodWatch } from "./pod-watch.fixture.ts";

const ID = 122;
const haveEtcd = existsSync("/usr/bin/etcd");

const ROLE_LABEL_PATH = `jsonpath={.metadata.labels.${KubeBlocksLabels.role.replaceAll(".", "\\.")}}`;

function etcdPod(options: {
  name: string;
  annotations: Record<string, string>;
  args?: string[];
  restartPolicy?: string;
}): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: options.name, annotations: options.annotations },
    spec: {
      restartPolicy: options.restartPolicy ?? "Always",
      containers: [
        {
          name: "etcd",
          image: "quay.io/coreos/etcd:v3.4.23",
          env: [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
          command: ["etcd"],
          args: options.args ?? [
            `--name=${options.name}`,
            "--data-dir=/var/run/etcd/data",
            "--listen-client-urls=http://$(POD_IP):2379",
            "--advertise-client-urls=http://$(POD_IP):2379",
            "--listen-peer-urls=http://$(POD_IP):2380",
            "--initial-advertise-peer-urls=http://$(POD_IP):2380",
            `--initial-cluster=${options.name}=http://$(POD_IP):2380`,
          ],
          volumeMounts: [
            { name: "work", mountPath: "/work" },
            { name: "data", mountPath: "/var/run/etcd" },
          ],
        },
      ],
      volumes: [
        { name: "work", emptyDir: {} },
        { name: "data", emptyDir: {} },
      ],
    },
  });
}

const request = (r: Record<string, unknown>) => JSON.stringify(r);

let m: TestMember;
before(async () => {
  // SQLite, so the member can be stopped and started again from its data dir.
  m = await startTestMember(ID, { storage: "sqlite" });
});
after(async () => {
  await m?.stop();
});

async function resultOf(pod: string, id: string, timeoutMs = 20_000): Promise<AgentActionResult> {
  const path = `jsonpath={.metadata.annotations.${AgentAnnotations.actionResult.replaceAll(".", "\\.")}}`;
  return eventually(
    `result ${id} on ${pod}`,
    async () => {
      const text = await m.ok(["get", "pod", pod, "-o", path]);
      const result = text === "" ? undefined : (JSON.parse(text) as AgentActionResult);
      return result?.id === id ? result : undefined;
    },
    timeoutMs,
  );
}

test("simulated containers: no role is probed, actions report that there is no process; unusable annotations are reported", async () => {
  await m.ok(
    ["apply", "-f", "-"],
    JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "web",
        annotations: {
          [AgentAnnotations.roleProbe]: request({ command: ["echo", "leader"] }),
          [AgentAnnotations.actionRequest]: request({ id: "s1", command: ["true"] }),
        },
      },
      spec: { containers: [{ name: "nginx", image: "nginx" }] },
    }),
  );
  const simulated = await resultOf("web", "s1");
  assert.equal(simulated.exitCode, null);
  assert.match(simulated.output, /container "nginx" is simulated/);

  await m.ok([
    "annotate",
    "--overwrite",
    "pod",
    "web",
    `${AgentAnnotations.actionRequest}=${request({ id: "s2", container: "sidecar", command: ["true"] })}`,
  ]);
  assert.match((await resultOf("web", "s2")).output, /the pod has no container "sidecar"/);
  await m.ok([
    "annotate",
    "--overwrite",
    "pod",
    "web",
    `${AgentAnnotations.actionRequest}=${request({ id: "s3", command: "true" })}`,
  ]);
  const invalid = await resultOf("web", "s3");
  assert.equal(invalid.exitCode, null);
  assert.match(invalid.output, /invalid action request: command must be a non-empty array of strings/);

  await m.ok(["annotate", "--overwrite", "pod", "web", `${AgentAnnotations.roleProbe}={"command": []}`]);
  await eventually("an InvalidRoleProbe event", async () =>
    (await m.ok(["get", "events", "--field-selector", "involvedObject.name=web"])).includes(
      "InvalidRoleProbe",
    ),
  );
  assert.equal(await m.ok(["get", "pod", "web", "-o", ROLE_LABEL_PATH]), "");
});

test("an action on a container that is not running reports exit code null after its timeout", {
  skip: !haveEtcd && "etcd is not installed",
}, async () => {
  await m.ok(
    ["apply", "-f", "-"],
    etcdPod({ name: "broken", annotations: {}, args: ["--no-such-flag"], restartPolicy: "Never" }),
  );
  await eventually(
    "broken failed",
    async () => (await m.ok(["get", "pod", "broken", "-o", "jsonpath={.status.phase}"])) === "Failed",
    30_000,
  );
  await m.ok([
    "annotate",
    "pod",
    "broken",
    `${AgentAnnotations.actionRequest}=${request({ id: "b1", command: ["true"], timeoutSeconds: 1 })}`,
  ]);
  const result = await resultOf("broken", "b1");
  assert.equal(result.exitCode, null);
  assert.match(result.output, /container "etcd" is not running \(waited 1s\)/);
  assert.ok(Date.parse(result.finishedAt) - Date.parse(result.startedAt) >= 1000);
});

test("after a member restart a finished request is not run again, the role label comes back, and a new request runs", {
  skip: !haveEtcd && "etcd is not installed",
}, async () => {
  const record = ["sh", "-c", "echo ran >> /work/runs"];
  await m.ok(
    ["apply", "-f", "-"],
    etcdPod({
      name: "db",
      annotations: {
        [AgentAnnotations.roleProbe]: request({ command: ["sh", "-c", "cat /work/role"] }),
        [AgentAnnotations.actionRequest]: request({
          id: "r1",
          command: ["sh", "-c", "echo leader > /work/role"],
        }),
      },
    }),
  );
  assert.equal((await resultOf("db", "r1", 60_000)).exitCode, 0);
  await eventually(
    "role leader",
    async () => (await m.ok(["get", "pod", "db", "-o", ROLE_LABEL_PATH])) === "leader",
  );
  await m.ok([
    "annotate",
    "--overwrite",
    "pod",
    "db",
    `${AgentAnnotations.actionRequest}=${request({ id: "r2", command: record })}`,
  ]);
  assert.equal((await resultOf("db", "r2")).exitCode, 0);
  const uid = (await m.ok(["get", "pod", "db", "-o", "jsonpath={.metadata.uid}"])).trim();
  const runs = join(m.dir, "pods", uid, "volumes", "kubernetes.io~empty-dir", "work", "runs");
  assert.equal(await readFile(runs, "utf8"), "ran\n");

  const before = (await m.ok(["get", "pod", "db", "-o", "jsonpath={.metadata.resourceVersion}"])).trim();
  await m.host.setMemberDown(true);
  await m.host.setMemberDown(false);
  // Watching from before the restart: the stale role goes while the container is not running yet, then comes back.
  const watch = await PodWatch.start(m.member.kubeconfigPath, {
    namespace: "default",
    name: "db",
    resourceVersion: before,
  });
  try {
    const removed = await watch.waitForRole(undefined, 0, 30_000);
    await watch.waitForRole("leader", watch.changes.indexOf(removed) + 1, 30_000);
  } finally {
    watch.stop();
  }
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await readFile(runs, "utf8"), "ran\n", "r2 was not run again");

  await m.ok([
    "annotate",
    "--overwrite",
    "pod",
    "db",
    `${AgentAnnotations.actionRequest}=${request({ id: "r3", command: record })}`,
  ]);
  assert.equal((await resultOf("db", "r3")).exitCode, 0);
  assert.equal(await readFile(runs, "utf8"), "ran\nran\n");
});
