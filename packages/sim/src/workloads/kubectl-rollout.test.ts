import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { WorkloadLabels } from "./well-known.ts";
import { startWorkloadTestCluster, type WorkloadTestCluster } from "./workload-test-cluster.ts";

// Real kubectl against the controllers' status: `rollout status`, `wait`, `set image`, `rollout undo`.
let cluster: WorkloadTestCluster;
let dir: string;

before(async () => {
  cluster = await startWorkloadTestCluster();
  cluster.autoKubelet({
    delayMs: 20,
    outcome: (pod) => (pod.metadata.labels?.[WorkloadLabels.jobName] ? "Succeeded" : "Running"),
  });
  await cluster.client.create(
    { group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false },
    undefined,
    {
      metadata: { name: "node-1" },
    },
  );
  dir = await mkdtemp(join(tmpdir(), "atoll-workloads-"));
  const kubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    `clusters: [{name: sim, cluster: {server: "${cluster.server.url}"}}]`,
    "users: [{name: sim, user: {}}]",
    "contexts: [{name: sim, context: {cluster: sim, user: sim, namespace: default}}]",
    "current-context: sim",
  ].join("\n");
  await writeFile(join(dir, "kubeconfig"), kubeconfig);
});

after(async () => {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(cluster.errors.map(String), [], "no reconcile failed");
});

function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      "kubectl",
      ["--kubeconfig", join(dir, "kubeconfig"), "--cache-dir", join(dir, "cache"), ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function ok(args: string[], input?: string): Promise<string> {
  const result = await kubectl(args, input);
  assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.25"}]}
`;

test("kubectl rollout status, wait, set image and rollout undo work on a Deployment", async () => {
  await ok(["apply", "-f", "-"], DEPLOYMENT);
  assert.match(
    await ok(["rollout", "status", "deployment/web", "--timeout=20s"]),
    /deployment "web" successfully rolled out/,
  );
  assert.match(
    await ok(["wait", "--for=condition=Available", "deployment/web", "--timeout=20s"]),
    /deployment.apps\/web condition met/,
  );
  await ok(["set", "image", "deployment/web", "web=nginx:1.26"]);
  assert.match(await ok(["rollout", "status", "deployment/web", "--timeout=20s"]), /successfully rolled out/);
  const history = await ok(["rollout", "history", "deployment/web"]);
  assert.match(history, /^1\s/m);
  assert.match(history, /^2\s/m);
  await ok(["rollout", "undo", "deployment/web"]);
  assert.match(await ok(["rollout", "status", "deployment/web", "--timeout=20s"]), /successfully rolled out/);
  const image = await ok([
    "get",
    "deployment/web",
    "-o",
    "jsonpath={.spec.template.spec.containers[0].image}",
  ]);
  assert.equal(image, "nginx:1.25");
  const revision = await ok([
    "get",
    "deployment/web",
    "-o",
    "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}",
  ]);
  assert.equal(revision, "3", "undo brings the first ReplicaSet back as revision 3");
  const sets = await ok([
    "get",
    "replicasets",
    "-l",
    "app=web",
    "-o",
    "jsonpath={range .items[*]}{.spec.replicas} {end}",
  ]);
  assert.deepEqual(sets.trim().split(" ").map(Number).sort(), [0, 3]);
});

test("kubectl rollout status follows StatefulSets and DaemonSets; kubectl wait sees a Job complete", async () => {
  const manifests = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "etcd:3.5"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "agent:1"}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: once, image: busybox}]
`;
  await ok(["apply", "-f", "-"], manifests);
  assert.match(
    await ok(["rollout", "status", "statefulset/db", "--timeout=20s"]),
    /partitioned roll out complete|rolling update complete/,
  );
  assert.match(
    await ok(["rollout", "status", "daemonset/agent", "--timeout=20s"]),
    /daemon set "agent" successfully rolled out/,
  );
  assert.match(
    await ok(["wait", "--for=condition=complete", "job/once", "--timeout=20s"]),
    /job.batch\/once condition met/,
  );
});
