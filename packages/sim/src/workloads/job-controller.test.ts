import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Informer, type KubeObject, R } from "@atoll/kube";
import { isPodActive, podPhase } from "./pod-state.ts";
import { JOB_TRACKING_FINALIZER, WorkloadAnnotations, WorkloadLabels } from "./well-known.ts";
import {
  startWorkloadTestCluster,
  statusOf,
  until,
  type WorkloadTestCluster,
} from "./workload-test-cluster.ts";
import type { Condition } from "./workload-types.ts";

let cluster: WorkloadTestCluster;
before(async () => {
  cluster = await startWorkloadTestCluster();
});
after(async () => {
  await cluster.stop();
  assert.deepEqual(cluster.errors.map(String), [], "no reconcile failed");
});

const NS = "default";

function job(name: string, spec: Record<string, unknown>) {
  return {
    metadata: { name },
    spec: {
      template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } },
      ...spec,
    },
  };
}

const jobPods = (name: string) => cluster.pods(NS, [WorkloadLabels.jobName, name]);
const conditionsOf = (status: Record<string, unknown>) => (status.conditions ?? []) as Condition[];
const reasons = (status: Record<string, unknown>) =>
  conditionsOf(status).map((c) => `${c.type}=${c.status}/${c.reason}`);

/** Plays the kubelet for one Job's pods: each new pod runs `outcome(pod)` to the end. */
async function kubelet(name: string, outcome: (pod: KubeObject) => "Succeeded" | "Failed" | undefined) {
  const watcher = new Informer(cluster.client, R.pods, {
    namespace: NS,
    labelSelector: `${WorkloadLabels.jobName}=${name}`,
  });
  let maxActive = 0;
  const handle = (pod: KubeObject) => {
    maxActive = Math.max(maxActive, watcher.list().filter(isPodActive).length);
    const phase = outcome(pod);
    if (podPhase(pod) !== "Pending" || pod.metadata.deletionTimestamp || !phase) return;
    setTimeout(() => void cluster.finishPod(NS, pod.metadata.name ?? "", phase).catch(() => {}), 5);
  };
  watcher.addHandlers({ onAdd: handle, onUpdate: handle });
  watcher.start();
  await watcher.synced();
  return { stop: () => watcher.stop(), maxActive: () => maxActive };
}

async function finishedStatus(name: string, type: "Complete" | "Failed", timeoutMs = 20_000) {
  return until(
    async () => {
      const s = await statusOf(cluster.client, R.jobs, NS, name);
      return conditionsOf(s).some((c) => c.type === type && c.status === "True") && s;
    },
    `job ${name} ${type}`,
    timeoutMs,
  );
}

test("a Job runs parallelism pods at a time and completes after `completions` succeed", async () => {
  const node = await kubelet("pi", () => "Succeeded");
  const created = await cluster.client.create(R.jobs, NS, job("pi", { completions: 5, parallelism: 2 }));
  const status = await finishedStatus("pi", "Complete");
  node.stop();
  assert.ok(node.maxActive() <= 2, `at most 2 pods ran at once (saw ${node.maxActive()})`);
  assert.deepEqual(reasons(status), [
    "SuccessCriteriaMet=True/CompletionsReached",
    "Complete=True/CompletionsReached",
  ]);
  assert.equal(conditionsOf(status)[1].message, "Reached expected number of succeeded pods");
  assert.equal(status.succeeded, 5);
  assert.equal(status.failed, undefined);
  assert.equal(status.active, undefined);
  assert.deepEqual(status.uncountedTerminatedPods, {});
  assert.ok(status.startTime && status.completionTime);
  const pods = await until(() => {
    const list = jobPods("pi");
    return (
      list.length === 5 && list.every((p) => !p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) && list
    );
  }, "5 pods, finalizers released");
  for (const pod of pods) {
    assert.match(pod.metadata.name ?? "", /^pi-[a-z0-9]{5}$/);
    assert.equal(pod.metadata.labels?.[WorkloadLabels.jobControllerUid], created.metadata.uid);
    assert.equal(pod.metadata.labels?.[WorkloadLabels.legacyJobControllerUid], created.metadata.uid);
    assert.equal(pod.metadata.labels?.[WorkloadLabels.legacyJobName], "pi");
    assert.equal(podPhase(pod), "Succeeded");
  }
});

test("a Job fails with BackoffLimitExceeded after more than backoffLimit failed pods", async () => {
  const node = await kubelet("flaky", () => "Failed");
  await cluster.client.create(R.jobs, NS, job("flaky", { backoffLimit: 2 }));
  const status = await finishedStatus("flaky", "Failed");
  await new Promise((r) => setTimeout(r, 50));
  node.stop();
  assert.deepEqual(reasons(status), [
    "FailureTarget=True/BackoffLimitExceeded",
    "Failed=True/BackoffLimitExceeded",
  ]);
  assert.equal(conditionsOf(status)[1].message, "Job has reached the specified backoff limit");
  assert.equal(status.failed, 3);
  assert.equal(status.completionTime, undefined);
  assert.equal(jobPods("flaky").length, 3, "no pod after the limit");
});

test("an Indexed Job gives each pod its completion index and tracks completedIndexes", async () => {
  // Index 1's first pod fails; every other pod succeeds.
  let firstOfIndex1: string | undefined;
  const node = await kubelet("idx", (pod) => {
    if (pod.metadata.annotations?.[WorkloadAnnotations.jobCompletionIndex] !== "1") return "Succeeded";
    firstOfIndex1 ??= pod.metadata.uid;
    return pod.metadata.uid === firstOfIndex1 ? "Failed" : "Succeeded";
  });
  await cluster.client.create(
    R.jobs,
    NS,
    job("idx", { completions: 3, parallelism: 3, completionMode: "Indexed" }),
  );
  const status = await finishedStatus("idx", "Complete");
  node.stop();
  assert.equal(status.completedIndexes, "0-2");
  assert.equal(status.succeeded, 3);
  assert.equal(status.failed, 1);
  const pods = jobPods("idx");
  assert.equal(pods.length, 4);
  for (const pod of pods) {
    const index = pod.metadata.annotations?.[WorkloadAnnotations.jobCompletionIndex];
    assert.equal(pod.metadata.labels?.[WorkloadLabels.jobCompletionIndex], index);
    assert.match(pod.metadata.name ?? "", new RegExp(`^idx-${index}-[a-z0-9]{5}$`));
    const spec = pod.spec as { hostname: string; containers: Array<{ env: unknown[] }> };
    assert.equal(spec.hostname, `idx-${index}`);
    assert.deepEqual(spec.containers[0].env, [
      {
        name: "JOB_COMPLETION_INDEX",
        valueFrom: {
          fieldRef: {
            apiVersion: "v1",
            fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
          },
        },
      },
    ]);
  }
});

test("a suspended Job runs no pods until resumed; activeDeadlineSeconds fails it with DeadlineExceeded", async () => {
  await cluster.client.create(R.jobs, NS, job("later", { suspend: true, activeDeadlineSeconds: 1 }));
  const suspended = await until(async () => {
    const s = await statusOf(cluster.client, R.jobs, NS, "later");
    return conditionsOf(s).some((c) => c.type === "Suspended" && c.status === "True") && s;
  }, "Suspended");
  assert.equal(suspended.startTime, undefined);
  assert.equal(jobPods("later").length, 0);
  await cluster.client.patch(R.jobs, NS, "later", "merge", { spec: { suspend: false } });
  // The pod lives only until the 1 s deadline; on a loaded machine a poll can
  // miss it, so its existence is proven by the failure it is counted as below.
  const status = await finishedStatus("later", "Failed");
  assert.deepEqual(reasons(status), [
    "Suspended=False/JobResumed",
    "FailureTarget=True/DeadlineExceeded",
    "Failed=True/DeadlineExceeded",
  ]);
  assert.equal(status.failed, 1, "the pod stopped at the deadline counts as failed");
  await until(() => jobPods("later").length === 0, "its pod deleted");
});

test("ttlSecondsAfterFinished deletes the finished Job", async () => {
  const node = await kubelet("brief", () => "Succeeded");
  await cluster.client.create(R.jobs, NS, job("brief", { ttlSecondsAfterFinished: 0 }));
  await until(
    async () => (await cluster.client.get(R.jobs, NS, "brief")) === undefined,
    "job deleted",
    15_000,
  );
  node.stop();
});
