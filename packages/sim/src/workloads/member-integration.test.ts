import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { SimMember } from "../member.ts";
import { workloadControllersExtension } from "./member-extension.ts";

// The workload controllers inside a whole simulated member: its scheduler binds
// their pods, its kubelet runs, readies, finishes and terminates them.
const ID = 187;
let member: SimMember;
let dir: string;
const errors: unknown[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-workloads-member-"));
  member = await SimMember.start({
    name: `sim-${ID}`,
    id: ID,
    dataDir: dir,
    storage: "memory",
    simulation: { runToCompletionMs: 100 },
    extensions: [workloadControllersExtension()],
    onError: (component, key, error) => errors.push(`${component} ${key}: ${String(error)}`),
  });
});

after(async () => {
  await member?.stop();
  await rm(dir, { recursive: true, force: true });
});

function kubectl(args: string[], input = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "kubectl",
      ["--kubeconfig", member.kubeconfigPath, "--cache-dir", join(dir, ".kube-cache"), ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr}`)) : resolve(stdout),
    );
    child.stdin?.end(input);
  });
}

test("a Deployment rolls out and rolls over on scheduled, kubelet-run pods", async () => {
  await kubectl(["create", "deployment", "web", "--image=nginx:1.25", "--replicas=3"]);
  assert.match(
    await kubectl(["rollout", "status", "deployment/web", "--timeout=30s"]),
    /successfully rolled out/,
  );
  const pods = JSON.parse(await kubectl(["get", "pods", "-l", "app=web", "-o", "json"])).items;
  assert.equal(pods.length, 3);
  for (const pod of pods) assert.match(pod.spec.nodeName, new RegExp(`^sim-${ID}-node-`));
  await kubectl(["set", "image", "deployment/web", "nginx=nginx:1.26"]);
  assert.match(
    await kubectl(["rollout", "status", "deployment/web", "--timeout=60s"]),
    /successfully rolled out/,
  );
  const images = await kubectl([
    "get",
    "deployment/web",
    "-o",
    "jsonpath={.status.updatedReplicas}/{.status.replicas}",
  ]);
  assert.equal(images, "3/3");
});

test("a DaemonSet runs on every node and a Job completes on the simulated kubelet", async () => {
  await kubectl(
    ["apply", "-f", "-"],
    `apiVersion: apps/v1
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
metadata: {name: pi}
spec:
  completions: 3
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: pi, image: perl}]
`,
  );
  assert.match(
    await kubectl(["rollout", "status", "daemonset/agent", "--timeout=30s"]),
    /successfully rolled out/,
  );
  const nodes = await kubectl(["get", "pods", "-l", "app=agent", "-o", "jsonpath={.items[*].spec.nodeName}"]);
  assert.equal(new Set(nodes.split(" ")).size, 3);
  assert.match(
    await kubectl(["wait", "--for=condition=complete", "job/pi", "--timeout=30s"]),
    /condition met/,
  );
  assert.equal(await kubectl(["get", "job/pi", "-o", "jsonpath={.status.succeeded}"]), "3");
  assert.deepEqual(
    errors.filter((e) => String(e).includes("controller")),
    [],
  );
});

test("a StatefulSet with volume claims comes up in order with provisioned claims", async () => {
  await kubectl(
    ["apply", "-f", "-"],
    `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "etcd:3.5"}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`,
  );
  assert.match(await kubectl(["rollout", "status", "statefulset/db", "--timeout=30s"]), /complete/);
  const claims = await kubectl([
    "get",
    "pvc",
    "-l",
    "app=db",
    "-o",
    "jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}",
  ]);
  assert.deepEqual(claims.trim().split(" ").sort(), ["data-db-0=Bound", "data-db-1=Bound"]);
  const pods = await kubectl(["get", "pods", "-l", "app=db", "-o", "jsonpath={.items[*].metadata.name}"]);
  assert.deepEqual(pods.split(" ").sort(), ["db-0", "db-1"]);
});
