import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clusterOf } from "./ops.fixture.ts";
import { OPS_QUEUE_ANNOTATION } from "./ops-names.ts";
import { enqueued, isStarted, parseQueue, queueValue, started, without } from "./ops-queue.ts";

describe("a Cluster's ops queue", () => {
  it("reads KubeBlocks' annotation, and an unreadable one as empty", () => {
    const read = (value: string) => parseQueue(clusterOf({ annotations: { [OPS_QUEUE_ANNOTATION]: value } }));
    assert.deepEqual(read('[{"name":"a","type":"Restart"},{"name":"b","type":"Stop","inQueue":true}]'), [
      { name: "a", type: "Restart" },
      { name: "b", type: "Stop", inQueue: true },
    ]);
    assert.deepEqual(read("{oops"), []);
    assert.deepEqual(read('{"name":"a"}'), []);
    assert.deepEqual(read('[{"type":"Stop"}, 3, {"name":"c"}]'), [{ name: "c", type: "" }]);
    assert.deepEqual(parseQueue(clusterOf()), []);
  });

  it("queues once, in creation order (ties in arrival order), never before a running one; starts in place; removes", () => {
    const created: Record<string, number> = { a: 1, b: 2, c: 2, d: 1, e: 0 };
    const at = (name: string) => created[name] ?? 0;
    let queue = enqueued([], { name: "a", type: "Restart" }, at);
    queue = enqueued(queue, { name: "b", type: "Stop" }, at);
    queue = enqueued(queue, { name: "a", type: "Restart" }, at);
    assert.deepEqual(queue, [
      { name: "a", type: "Restart", inQueue: true },
      { name: "b", type: "Stop", inQueue: true },
    ]);
    const ordered = enqueued(
      enqueued(started(queue, "a"), { name: "c", type: "Start" }, at),
      { name: "d", type: "Stop" },
      at,
    );
    assert.deepEqual(
      ordered.map((e) => e.name),
      ["a", "d", "b", "c"],
    );
    assert.deepEqual(
      enqueued(started(queue, "a"), { name: "e", type: "Stop" }, at).map((e) => e.name),
      ["a", "e", "b"],
      "never ahead of the running one",
    );
    assert.equal(isStarted(queue, "a"), false);
    queue = started(queue, "a");
    assert.equal(isStarted(queue, "a"), true);
    assert.equal(isStarted(queue, "b"), false);
    assert.deepEqual(without(queue, ["a"]), [{ name: "b", type: "Stop", inQueue: true }]);
    assert.equal(queueValue([]), null, "an empty queue removes the annotation");
    assert.equal(queueValue(without(queue, ["b"])), '[{"name":"a","type":"Restart"}]');
  });
});
