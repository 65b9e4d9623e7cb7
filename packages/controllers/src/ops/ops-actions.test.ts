import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InstanceOperationAnnotations } from "@atoll/api";
import { clusterOf, opsOf } from "./ops.fixture.ts";
import { cancelChange, lastConfiguration, startChange } from "./ops-actions.ts";

const NOW = new Date("2026-03-01T10:00:00.123Z");

describe("what each operation changes on the Cluster", () => {
  it("Stop sets stop on every component; Start removes it", () => {
    const stop = startChange(opsOf({ type: "Stop" }), clusterOf(), NOW);
    assert.equal(stop.componentSpecs?.[0].stop, true);
    assert.equal(stop.annotations, undefined);
    const stopped = clusterOf();
    stopped.spec.componentSpecs = stop.componentSpecs;
    const start = startChange(opsOf({ type: "Start" }), stopped, NOW);
    assert.equal("stop" in (start.componentSpecs?.[0] ?? {}), false);
    assert.equal(start.componentSpecs?.[0].replicas, 3, "the rest of the component is kept");
  });

  it("Stop and Start act only on the components KubeBlocks 0.9's stop[]/start[] list", () => {
    const cluster = clusterOf();
    cluster.spec.componentSpecs?.push({ name: "proxy", componentDef: "p", replicas: 1 });
    const change = startChange(opsOf({ type: "Stop", stop: [{ componentName: "proxy" }] }), cluster, NOW);
    assert.deepEqual(
      change.componentSpecs?.map((c) => [c.name, c.stop]),
      [
        ["etcd", undefined],
        ["proxy", true],
      ],
    );
  });

  it("HorizontalScaling sets replicas", () => {
    const op = opsOf({
      type: "HorizontalScaling",
      horizontalScaling: [{ componentName: "etcd", replicas: 5 }],
    });
    assert.equal(startChange(op, clusterOf(), NOW).componentSpecs?.[0].replicas, 5);
  });

  it("VerticalScaling sets requests and limits, keeping what the operation does not name", () => {
    const cluster = clusterOf({
      resources: { requests: { cpu: "100m" }, limits: { cpu: "1", memory: "1Gi" } },
    });
    const op = opsOf({
      type: "VerticalScaling",
      verticalScaling: [{ componentName: "etcd", requests: { cpu: "200m" } }],
    });
    assert.deepEqual(startChange(op, cluster, NOW).componentSpecs?.[0].resources, {
      requests: { cpu: "200m" },
      limits: { cpu: "1", memory: "1Gi" },
    });
  });

  it("Restart adds its components to the restart annotation and keeps the other components' entries", () => {
    const cluster = clusterOf({
      annotations: {
        [InstanceOperationAnnotations.restart]: JSON.stringify({ proxy: "2026-01-01T00:00:00Z" }),
      },
    });
    const change = startChange(
      opsOf({ type: "Restart", restart: [{ componentName: "etcd" }] }),
      cluster,
      NOW,
    );
    assert.equal(change.componentSpecs, undefined);
    assert.deepEqual(JSON.parse(change.annotations?.[InstanceOperationAnnotations.restart] ?? ""), {
      proxy: "2026-01-01T00:00:00Z",
      etcd: NOW.toISOString(),
    });
  });

  it("Restart over an unreadable annotation starts a fresh request", () => {
    const cluster = clusterOf({ annotations: { [InstanceOperationAnnotations.restart]: "{not json" } });
    const change = startChange(
      opsOf({ type: "Restart", restart: [{ componentName: "etcd" }] }),
      cluster,
      NOW,
    );
    assert.deepEqual(JSON.parse(change.annotations?.[InstanceOperationAnnotations.restart] ?? ""), {
      etcd: NOW.toISOString(),
    });
  });

  it("Switchover asks for its first component, by the operation's uid, with the candidate unless *", () => {
    const named = opsOf({
      type: "Switchover",
      switchover: [{ componentName: "etcd", instanceName: "db-etcd-2" }],
    });
    assert.deepEqual(
      JSON.parse(
        startChange(named, clusterOf(), NOW).annotations?.[InstanceOperationAnnotations.switchover] ?? "",
      ),
      {
        id: "uid-1",
        component: "etcd",
        candidate: "db-etcd-2",
      },
    );
    const any = opsOf({ type: "Switchover", switchover: [{ componentName: "etcd", instanceName: "*" }] });
    assert.deepEqual(
      JSON.parse(
        startChange(any, clusterOf(), NOW).annotations?.[InstanceOperationAnnotations.switchover] ?? "",
      ),
      {
        id: "uid-1",
        component: "etcd",
      },
    );
  });

  it("records the configuration scaling changes, and a cancel puts it back", () => {
    const cluster = clusterOf({ resources: { requests: { cpu: "100m" } } });
    const hs = opsOf({
      type: "HorizontalScaling",
      horizontalScaling: [{ componentName: "etcd", replicas: 5 }],
    });
    const last = lastConfiguration(hs, cluster);
    assert.deepEqual(last, { components: { etcd: { replicas: 3 } } });
    const scaled = clusterOf({ replicas: 5 });
    assert.equal(cancelChange(scaled, last ?? { components: {} }).componentSpecs?.[0].replicas, 3);

    const vs = opsOf({
      type: "VerticalScaling",
      verticalScaling: [{ componentName: "etcd", limits: { cpu: "2" } }],
    });
    const before = lastConfiguration(vs, cluster);
    assert.deepEqual(before, { components: { etcd: { resources: { requests: { cpu: "100m" } } } } });
    const resized = clusterOf({ resources: { requests: { cpu: "100m" }, limits: { cpu: "2" } } });
    assert.deepEqual(cancelChange(resized, before ?? { components: {} }).componentSpecs?.[0].resources, {
      requests: { cpu: "100m" },
    });
    assert.equal(lastConfiguration(opsOf({ type: "Stop" }), cluster), undefined);
  });
});
