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
