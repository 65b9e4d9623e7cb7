import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { eventually, startTestMember, type TestMember } from "./harness.ts";

let m: TestMember;
before(async () => {
  m = await startTestMember(101);
});
after(async () => {
  await m.stop();
});

test("nodes register Ready with capacity, addresses in the member's range, and leases", async () => {
  const nodes = JSON.parse(await m.ok(["get", "nodes", "-o", "json"])).items;
  assert.equal(nodes.length, 3);
  for (const node of nodes) {
    assert.equal(node.status.conditions.find((c: { type: string }) => c.type === "Ready").status, "True");
    assert.match(node.status.addresses[0].address, /^127\.101\.0\.\d+$/);
    assert.equal(node.status.allocatable.pods, "110");
  }
  assert.match(
    await m.ok(["get", "leases", "-n", "kube-node-lease", "-o", "name"]),
    /lease.coordination.k8s.io\/sim-101-node-1/,
  );
});

test("a pod is scheduled, gets an IP and becomes Running and Ready, with events", async () => {
  await m.ok(["run", "web", "--image=nginx", "--port=80"]);
  await m.ok(["wait", "--for=condition=Ready", "pod/web", "--timeout=15s"]);
  const pod = JSON.parse(await m.ok(["get", "pod", "web", "-o", "json"]));
  assert.equal(pod.status.phase, "Running");
  assert.match(pod.status.podIP, /^127\.101\.\d+\.\d+$/);
  assert.match(pod.spec.nodeName, /^sim-101-node-\d$/);
  assert.equal(pod.status.containerStatuses[0].ready, true);
  assert.ok(pod.status.containerStatuses[0].state.running.startedAt);
  const events = await m.ok(["get", "events", "--field-selector", "involvedObject.name=web"]);
  for (const reason of ["Scheduled", "Pulled", "Created", "Started"])
    assert.match(events, new RegExp(reason));
  assert.match(
    await m.ok(["get", "pod", "web", "-o", "wide"]),
    /web\s+1\/1\s+Running\s+0\s+\S+\s+127\.101\./,
  );
});

test("a pod that fits nowhere is Unschedulable with a FailedScheduling event", async () => {
  await m.ok(
    ["apply", "-f", "-"],
    `apiVersion: v1
kind: Pod
metadata: {name: huge}
spec:
  containers: [{name: c, image: nginx, resources: {requests: {cpu: "64"}}}]
`,
  );
  const message = await eventually("FailedScheduling", async () => {
    const pod = JSON.parse(await m.ok(["get", "pod", "huge", "-o", "json"]));
    return pod.status.conditions?.find((c: { type: string; reason: string }) => c.reason === "Unschedulable")
      ?.message as string | undefined;
  });
  assert.match(message, /0\/3 nodes are available: 3 Insufficient cpu/);
  assert.match(await m.ok(["get", "events", "--field-selector", "reason=FailedScheduling"]), /huge/);
  await m.ok(["delete", "pod", "huge"]);
});

test("run-to-completion pods succeed; deleted pods terminate and go", async () => {
  await m.ok(["run", "once", "--image=busybox", "--restart=Never"]);
  await m.ok(["wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/once", "--timeout=15s"]);
  assert.match(await m.ok(["get", "pod", "once"]), /Completed/);
  await m.ok(["delete", "pod", "web", "--timeout=15s"]);
  assert.equal((await m.kubectl(["get", "pod", "web"])).code, 1);
});

test("a claim gets a provisioned volume bound both ways; deleting it reclaims the volume", async () => {
  await m.ok(
    ["apply", "-f", "-"],
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 2Gi}}
`,
  );
  await m.ok(["wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data", "--timeout=15s"]);
  const claim = JSON.parse(await m.ok(["get", "pvc", "data", "-o", "json"]));
  assert.equal(claim.spec.storageClassName, "standard");
  const volume = JSON.parse(await m.ok(["get", "pv", claim.spec.volumeName, "-o", "json"]));
  assert.equal(volume.status.phase, "Bound");
  assert.equal(volume.spec.claimRef.name, "data");
  assert.equal(volume.spec.capacity.storage, "2Gi");
  await m.ok(["delete", "pvc", "data"]);
  await eventually(
    "the PV deleted",
    async () => (await m.kubectl(["get", "pv", claim.spec.volumeName])).code === 1,
  );
});

test("every namespace gets a default service account; namespace deletion empties it", async () => {
  await m.ok(["create", "namespace", "team"]);
  await eventually(
    "default SA",
    async () => (await m.kubectl(["get", "sa", "default", "-n", "team"])).code === 0,
  );
  await m.ok(["run", "p", "--image=nginx", "-n", "team"]);
  await m.ok(["delete", "namespace", "team", "--timeout=20s"]);
  assert.equal((await m.kubectl(["get", "namespace", "team"])).code, 1);
});

test("a Deployment rolls out to Available with Kubernetes' status; a StatefulSet creates ordinals with bound claims", async () => {
  await m.ok(["create", "deployment", "api", "--image=nginx:1.25", "--replicas=3"]);
  await m.ok(["rollout", "status", "deployment/api", "--timeout=30s"]);
  await m.ok(["wait", "--for=condition=Available", "deployment/api", "--timeout=15s"]);
  const deployment = JSON.parse(await m.ok(["get", "deploy", "api", "-o", "json"]));
  assert.deepEqual(
    [
      deployment.status.replicas,
      deployment.status.readyReplicas,
      deployment.status.availableReplicas,
      deployment.status.updatedReplicas,
    ],
    [3, 3, 3, 3],
  );
  assert.equal(deployment.status.observedGeneration, deployment.metadata.generation);
  await m.ok(["set", "image", "deployment/api", "nginx=nginx:1.26"]);
  await m.ok(["rollout", "status", "deployment/api", "--timeout=30s"]);
  const images = JSON.parse(await m.ok(["get", "pods", "-l", "app=api", "-o", "json"])).items.map(
    (p: { spec: { containers: Array<{ image: string }> } }) => p.spec.containers[0].image,
  );
  assert.deepEqual([...new Set(images)], ["nginx:1.26"]);

  await m.ok(
    ["apply", "-f", "-"],
    `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`,
  );
  await m.ok(["rollout", "status", "statefulset/db", "--timeout=30s"]);
  const pods = JSON.parse(await m.ok(["get", "pods", "-l", "app=db", "-o", "json"])).items;
  const byName = pods.sort(
    (
      a: { metadata: { creationTimestamp: string; name: string } },
      b: { metadata: { creationTimestamp: string; name: string } },
    ) => a.metadata.name.localeCompare(b.metadata.name),
  );
  assert.deepEqual(
    byName.map((p: { metadata: { name: string } }) => p.metadata.name),
    ["db-0", "db-1", "db-2"],
  );
  const claims = JSON.parse(await m.ok(["get", "pvc", "-o", "json"])).items;
  assert.deepEqual(
    claims
      .map(
        (c: { metadata: { name: string }; status: { phase: string } }) =>
          `${c.metadata.name}:${c.status.phase}`,
      )
      .sort(),
    ["data-db-0:Bound", "data-db-1:Bound", "data-db-2:Bound"],
  );
});
