import assert from "node:assert/strict";
import { test } from "node:test";
import { conflictReason, deriveService, type ExportedService, servedPorts } from "./derive.ts";

const http = { name: "http", protocol: "TCP", port: 80 } as const;
const metrics = { name: "metrics", protocol: "TCP", port: 9090 } as const;

function exported(
  cluster: string,
  exportedAt: string,
  fields: Partial<ExportedService> = {},
): ExportedService {
  return { cluster, exportedAt, type: "ClusterSetIP", ports: [http], sessionAffinity: "None", ...fields };
}

test("identical exports merge without conflict, oldest first", () => {
  const derived = deriveService([
    exported("k8s-2", "2025-01-01T00:00:02Z"),
    exported("k8s-1", "2025-01-01T00:00:01Z"),
  ]);
  assert.deepEqual(
    derived?.constituents.map((c) => c.cluster),
    ["k8s-1", "k8s-2"],
  );
  assert.deepEqual(derived?.ports, [http]);
  assert.equal(derived?.type, "ClusterSetIP");
  assert.deepEqual(derived?.conflicts, []);
  assert.equal(derived && conflictReason(derived), undefined);
  assert.equal(deriveService([]), undefined);
});

test("a port name defined differently: the oldest definition is used, the newer export conflicts", () => {
  const derived = deriveService([
    exported("k8s-1", "2025-01-01T00:00:01Z"),
    exported("k8s-2", "2025-01-01T00:00:02Z", { ports: [{ ...http, port: 8080 }, metrics] }),
  ]);
  assert.ok(derived);
  assert.deepEqual(derived.ports, [http, metrics]);
  assert.deepEqual(
    derived.conflicts.map((c) => [c.reason, c.cluster]),
    [
      ["PortConflict", "k8s-2"],
      ["PortConflict", "k8s-1"],
    ],
  );
  assert.match(derived.conflicts[0].message, /k8s-2 defines port "http" as TCP\/8080, k8s-1 as TCP\/80/);
  assert.match(derived.conflicts[1].message, /k8s-1 does not export port "metrics"/);
  // Traffic to http goes only to k8s-1, which defines it as the import does; metrics only to k8s-2.
  assert.deepEqual(servedPorts(derived, "k8s-1"), [http]);
  assert.deepEqual(servedPorts(derived, "k8s-2"), [metrics]);
});

test("one protocol/port under two names, and port sets that differ, are port conflicts", () => {
  const renamed = deriveService([
    exported("k8s-1", "2025-01-01T00:00:01Z"),
    exported("k8s-2", "2025-01-01T00:00:02Z", { ports: [{ ...http, name: "web" }] }),
  ]);
  assert.deepEqual(renamed?.ports, [http]);
  assert.deepEqual(
    renamed?.conflicts.map((c) => [c.reason, c.cluster]),
    [["PortConflict", "k8s-2"]],
  );
  const union = deriveService([
    exported("k8s-1", "2025-01-01T00:00:01Z"),
    exported("k8s-2", "2025-01-01T00:00:02Z", { ports: [http, metrics] }),
  ]);
  assert.deepEqual(union?.ports, [http, metrics]);
  assert.deepEqual(
    union?.conflicts.map((c) => [c.reason, c.cluster]),
    [["PortConflict", "k8s-1"]],
  );
  assert.match(
    union?.conflicts[0].message ?? "",
    /k8s-1 does not export port "metrics" TCP\/9090 \(from k8s-2\)/,
  );
});

test("type and session affinity come from the oldest export; ties go to the member name", () => {
  const derived = deriveService([
    exported("k8s-3", "2025-01-01T00:00:01Z", {
      type: "Headless",
      sessionAffinity: "ClientIP",
      timeoutSeconds: 60,
    }),
    exported("k8s-2", "2025-01-01T00:00:01Z", { sessionAffinity: "ClientIP", timeoutSeconds: 30 }),
    exported("k8s-1", "2025-01-01T00:00:05Z"),
  ]);
  assert.ok(derived);
  assert.equal(derived.constituents[0].cluster, "k8s-2");
  assert.equal(derived.type, "ClusterSetIP");
  assert.equal(derived.sessionAffinity, "ClientIP");
  assert.deepEqual(derived.sessionAffinityConfig, { clientIP: { timeoutSeconds: 30 } });
  assert.deepEqual(
    derived.conflicts.map((c) => [c.reason, c.cluster]),
    [
      ["TypeConflict", "k8s-3"],
      ["SessionAffinityConfigConflict", "k8s-3"],
      ["SessionAffinityConflict", "k8s-1"],
    ],
  );
  assert.equal(conflictReason(derived), "TypeConflict,SessionAffinityConflict,SessionAffinityConfigConflict");
});
