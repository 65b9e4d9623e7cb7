import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { podPrinter } from "./pod.ts";

const now = new Date("2024-05-01T12:00:00Z");
const created = "2024-05-01T11:00:00Z";

type PodInput = Record<string, unknown> & {
  status?: Record<string, unknown>;
  spec?: Record<string, unknown>;
};

function pod(overrides: PodInput = {}): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "web-7d4b9c8f5-x2x9q",
      namespace: "shop",
      creationTimestamp: created,
      ...(overrides.metadata ?? {}),
    },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }], ...overrides.spec },
    status: { phase: "Pending", ...overrides.status },
  };
}

const running = { running: { startedAt: "2024-05-01T11:00:05Z" } };
const cells = (obj: object) => podPrinter.print(obj, { now }).cells;
const short = (obj: object) => cells(obj).slice(0, 5);

describe("pod printer", () => {
  test("columns match kube-apiserver, wide ones at priority 1", () => {
    assert.deepEqual(
      podPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ["Name", "string", "name", 0],
        ["Ready", "string", "", 0],
        ["Status", "string", "", 0],
        ["Restarts", "string", "", 0],
        ["Age", "string", "", 0],
        ["IP", "string", "", 1],
        ["Node", "string", "", 1],
        ["Nominated Node", "string", "", 1],
        ["Readiness Gates", "string", "", 1],
      ],
    );
  });

  test("a running pod with wide cells", () => {
    const obj = pod({
      spec: { nodeName: "kind-worker", readinessGates: [{ conditionType: "example.com/lb" }] },
      status: {
        phase: "Running",
        podIP: "10.244.1.7",
        podIPs: [{ ip: "10.244.1.7" }],
        conditions: [
          { type: "Ready", status: "True" },
          { type: "example.com/lb", status: "True" },
        ],
        containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: running }],
      },
    });
    assert.deepEqual(cells(obj), [
      "web-7d4b9c8f5-x2x9q",
      "1/1",
      "Running",
      "0",
      "60m",
      "10.244.1.7",
      "kind-worker",
      "<none>",
      "1/1",
    ]);
    assert.equal(podPrinter.print(obj, { now }).conditions, undefined);
  });

  test("an unscheduled pod", () => {
    assert.deepEqual(cells(pod()), [
      "web-7d4b9c8f5-x2x9q",
      "0/1",
      "Pending",
      "0",
      "60m",
      "<none>",
      "<none>",
      "<none>",
      "<none>",
    ]);
  });

  test("scheduling gates", () => {
    const obj = pod({
      status: { conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] },
    });
    assert.equal(cells(obj)[2], "SchedulingGated");
  });

  test("containers being created", () => {
    const obj = pod({
      status: {
        containerStatuses: [
          { name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } },
        ],
      },
    });
    assert.deepEqual(short(obj), ["web-7d4b9c8f5-x2x9q", "0/1", "ContainerCreating", "0", "60m"]);
  });

  test("crash loop with the time of the last restart", () => {
    const obj = pod({
      status: {
        phase: "Running",
        containerStatuses: [
          {
            name: "app",
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2024-05-01T11:55:00Z" } },
          },
        ],
      },
    });
    assert.deepEqual(short(obj), ["web-7d4b9c8f5-x2x9q", "0/1", "CrashLoopBackOff", "5 (5m ago)", "60m"]);
  });

  test("the first container's state wins; readiness counts running ready containers", () => {
    const obj = pod({
      spec: { containers: [{ name: "app" }, { name: "sidecar" }] },
      status: {
        phase: "Running",
        containerStatuses: [
          { name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff" } } },
          { name: "sidecar", ready: true, restartCount: 2, state: running },
        ],
      },
    });
    assert.deepEqual(short(obj), ["web-7d4b9c8f5-x2x9q", "1/2", "ImagePullBackOff", "2", "60m"]);
  });

  test("completed pods carry a Completed row condition", () => {
    const obj = pod({
      status: {
        phase: "Succeeded",
        containerStatuses: [
          {
            name: "app",
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: "Completed" } },
          },
        ],
      },
    });
    const row = podPrinter.print(obj, { now });
    assert.deepEqual(row.cells.slice(0, 4), ["web-7d4b9c8f5-x2x9q", "0/1", "Completed", "0"]);
    assert.deepEqual(row.conditions, [
      {
        type: "Completed",
        status: "True",
        reason: "Succeeded",
        message: "The pod has completed successfully.",
      },
    ]);
  });

  test("failed pods: terminated without reason shows the exit code or signal", () => {
    const failed = (terminated: object) =>
      pod({
        status: {
          phase: "Failed",
          containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { terminated } }],
        },
      });
    assert.equal(cells(failed({ exitCode: 3 }))[2], "ExitCode:3");
    assert.equal(cells(failed({ exitCode: 137, signal: 9 }))[2], "Signal:9");
    assert.equal(cells(failed({ exitCode: 137, reason: "OOMKilled" }))[2], "OOMKilled");
    assert.deepEqual(podPrinter.print(failed({ exitCode: 3 }), { now }).conditions, [
      { type: "Completed", status: "True", reason: "Failed", message: "The pod failed." },
    ]);
  });

  test("a completed container beside a running one reads Running or NotReady", () => {
    const obj = (ready: string) =>
      pod({
        spec: { containers: [{ name: "job" }, { name: "proxy" }] },
        status: {
          phase: "Running",
          conditions: [{ type: "Ready", status: ready }],
          containerStatuses: [
            { name: "job", ready: false, state: { terminated: { exitCode: 0, reason: "Completed" } } },
            { name: "proxy", ready: true, state: running },
          ],
        },
      });
    assert.deepEqual(cells(obj("True")).slice(1, 3), ["1/2", "Running"]);
    assert.deepEqual(cells(obj("False")).slice(1, 3), ["1/2", "NotReady"]);
  });

  test("init containers: progress, failures and waiting reasons", () => {
    const init = (initContainerStatuses: object[]) =>
      pod({
        spec: { initContainers: [{ name: "migrate" }, { name: "seed" }] },
        status: {
          initContainerStatuses,
          containerStatuses: [{ name: "app", state: { waiting: { reason: "PodInitializing" } } }],
        },
      });
    const done = {
      name: "migrate",
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: "Completed" } },
    };
    assert.equal(
      cells(
        init([
          { name: "migrate", state: running },
          { name: "seed", state: { waiting: {} } },
        ]),
      )[2],
      "Init:0/2",
    );
    assert.equal(cells(init([done, { name: "seed", state: running }]))[2], "Init:1/2");
    assert.equal(
      cells(
        init([done, { name: "seed", restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } } }]),
      )[2],
      "Init:CrashLoopBackOff",
    );
    assert.equal(
      cells(init([{ name: "migrate", state: { terminated: { exitCode: 2 } } }]))[2],
      "Init:ExitCode:2",
    );
    assert.equal(
      cells(init([{ name: "migrate", state: { terminated: { exitCode: 1, reason: "Error" } } }]))[2],
      "Init:Error",
    );
    assert.equal(
      cells(init([{ name: "migrate", state: { terminated: { exitCode: 1, signal: 15 } } }]))[2],
      "Init:Signal:15",
    );
    assert.equal(
      cells(
        init([done, { name: "seed", restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } } }]),
      )[3],
      "3",
    );
  });

  test("a started sidecar init container counts towards readiness", () => {
    const obj = pod({
      spec: { initContainers: [{ name: "mesh", restartPolicy: "Always" }] },
      status: {
        phase: "Running",
        conditions: [
          { type: "Initialized", status: "True" },
          { type: "Ready", status: "True" },
        ],
        initContainerStatuses: [
          { name: "mesh", ready: true, started: true, restartCount: 1, state: running },
        ],
        containerStatuses: [{ name: "app", ready: true, restartCount: 2, state: running }],
      },
    });
    assert.deepEqual(short(obj).slice(1, 4), ["2/2", "Running", "3"]);
  });

  test("deletion", () => {
    const deleting = pod({
      metadata: { deletionTimestamp: "2024-05-01T11:59:00Z" },
      status: { phase: "Running", containerStatuses: [{ name: "app", ready: true, state: running }] },
    });
    assert.equal(cells(deleting)[2], "Terminating");
    const lost = pod({
      metadata: { deletionTimestamp: "2024-05-01T11:59:00Z" },
      status: { phase: "Running", reason: "NodeLost" },
    });
    assert.equal(cells(lost)[2], "Unknown");
    const finished = pod({
      metadata: { deletionTimestamp: "2024-05-01T11:59:00Z" },
      status: { phase: "Succeeded" },
    });
    assert.equal(cells(finished)[2], "Succeeded");
  });

  test("the pod's own reason replaces the phase", () => {
    assert.equal(cells(pod({ status: { phase: "Failed", reason: "Evicted" } }))[2], "Evicted");
  });
});
