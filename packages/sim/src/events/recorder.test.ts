import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ApiServer, openStore } from "@atoll/apiserver";
import { type Clock, type KubeClient, R } from "@atoll/kube";
import { ApiEventRecorder } from "./recorder.ts";

let server: ApiServer;
let client: KubeClient;

before(async () => {
  server = await ApiServer.start({ store: await openStore("memory") });
  client = server.client("recorder-test");
});
after(async () => {
  await server?.stop();
});

test("two recorders of one process naming events in the same millisecond lose none", async () => {
  const frozen = new Date("2026-11-22T06:00:00.123Z");
  const clock: Clock = { now: () => frozen };
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default", uid: "u-1" } };
  // As a member's scheduler and kubelet do: separate recorders, one pod, one instant.
  const scheduler = new ApiEventRecorder({ client, component: "default-scheduler", clock });
  const kubelet = new ApiEventRecorder({ client, component: "kubelet", clock });
  scheduler.event(pod, "Normal", "Scheduled", "assigned");
  kubelet.event(pod, "Normal", "Pulled", "present");
  kubelet.event(pod, "Normal", "Created", "created");
  scheduler.event(pod, "Normal", "Preempted", "not really");
  const deadline = Date.now() + 5000;
  let reasons: string[] = [];
  while (Date.now() < deadline) {
    const events = await client.list(R.events, { namespace: "default" });
    reasons = events.items.map((e) => String((e as { reason?: string }).reason)).sort();
    if (reasons.length === 4) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(reasons, ["Created", "Preempted", "Pulled", "Scheduled"]);
});
