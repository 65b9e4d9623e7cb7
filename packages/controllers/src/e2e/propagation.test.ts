/**
 * Propagation end to end: a hub, three simulated members, every hub
 * controller running; manifests and policies applied with kubectl at the hub,
 * outcomes checked in each member through its own API.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  executionNamespace,
  MEMBER_CLUSTERS,
  RESOURCE_BINDINGS,
  type ResourceBinding,
  WORKS,
} from "@atoll/api";
import { isRecord, type KubeObject, R, type ResourceId } from "@atoll/kube";
import { workName } from "../propagation/names.ts";
import { conditionOf, startFleet, type TestFleet, until } from "../testing/fleet.fixture.ts";

let fleet: TestFleet;
const MEMBERS = ["k8s-1", "k8s-2", "k8s-3"];

before(async () => {
  fleet = await startFleet({
    ids: [181, 182, 183],
    propagation: true,
    memberSpec: (i) => ({
      region: i < 2 ? "east" : "west",
      zone: `zone-${"abc"[i]}`,
      labels: i < 2 ? { env: "prod" } : { env: "edge" },
    }),
    // k8s-3 is small: one node with 2 CPUs, so capacity-aware division gives it little.
    simOptions: (i) =>
      i === 2
        ? { nodes: 1, nodeCapacity: { cpu: "2", memory: "8Gi", pods: "110", "ephemeral-storage": "10Gi" } }
        : {},
  });
});

after(async () => {
  await fleet?.stop();
});

let files = 0;
async function kubectlApply(yaml: string): Promise<void> {
  const file = join(fleet.dir, `manifest-${files++}.yaml`);
  await writeFile(file, yaml);
  const result = await fleet.kubectl(["apply", "-f", file]);
  assert.equal(result.code, 0, result.stderr);
}

async function memberObject(member: string, resource: ResourceId, ns: string, name: string) {
  return fleet.member(member).client.get(resource, ns, name);
}

/** Replicas of a Deployment per member (0 where absent). */
async function replicasByMember(ns: string, name: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const m of MEMBERS) {
    const d = await memberObject(m, R.deployments, ns, name);
    counts[m] = d && isRecord(d.spec) ? Number(d.spec.replicas ?? 1) : 0;
  }
  return counts;
}

function deployment(ns: string, name: string, replicas: number, extra = ""): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: registry.example/team/${name}:1.0
${extra ? `${extra}\n` : ""}`;
}

function policy(
  ns: string,
  name: string,
  kinds: Array<[string, string, string?]>,
  placement: string,
): string {
  const selectors = kinds
    .map(
      ([apiVersion, kind, n]) =>
        `  - apiVersion: ${apiVersion}\n    kind: ${kind}${n ? `\n    name: ${n}` : ""}`,
    )
    .join("\n");
  return `apiVersion: policy.atoll.io/v1alpha1
kind: PropagationPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
  resourceSelectors:
${selectors}
${placement}
`;
}

async function namespace(ns: string): Promise<void> {
  const result = await fleet.kubectl(["create", "namespace", ns]);
  assert.equal(result.code, 0, result.stderr);
}

describe("propagation through the hub", () => {
  test("Duplicated: a Deployment and a ConfigMap reach every member, labelled as Atoll's", async () => {
    await namespace("dup");
    await kubectlApply(`${deployment("dup", "web", 2)}---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: dup}
data: {mode: fast}
---
${policy(
  "dup",
  "everywhere",
  [
    ["apps/v1", "Deployment", "web"],
    ["v1", "ConfigMap", "settings"],
  ],
  "  placement: {}",
)}`);
    await until("web in every member with 2 replicas", async () => {
      const counts = await replicasByMember("dup", "web");
      return MEMBERS.every((m) => counts[m] === 2);
    });
    for (const m of MEMBERS) {
      const cm = await until(`settings in ${m}`, () => memberObject(m, R.configmaps, "dup", "settings"));
      assert.deepEqual(cm.data, { mode: "fast" });
      assert.equal(cm.metadata.labels?.["app.kubernetes.io/managed-by"], "atoll");
    }
    const rb = (await fleet.hub.get(RESOURCE_BINDINGS, "dup", "web-deployment")) as ResourceBinding;
    assert.deepEqual(
      rb.spec.clusters,
      MEMBERS.map((name) => ({ name, replicas: 2 })),
    );
    assert.equal(conditionOf(rb, "Scheduled")?.status, "True");
  });

  test("Divided by static weights that do not divide evenly: 7 replicas at 2:1 → 5 and 2", async () => {
    await namespace("weights");
    await kubectlApply(`${deployment("weights", "api", 7)}---
${policy(
  "weights",
  "two-to-one",
  [["apps/v1", "Deployment"]],
  `  placement:
    clusterAffinity: {clusterNames: [k8s-1, k8s-2]}
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
        - {targetCluster: {clusterNames: [k8s-1]}, weight: 2}
        - {targetCluster: {clusterNames: [k8s-2]}, weight: 1}`,
)}`);
    const counts = await until("5 and 2", async () => {
      const c = await replicasByMember("weights", "api");
      return c["k8s-1"] === 5 && c["k8s-2"] === 2 ? c : undefined;
    });
    assert.deepEqual(counts, { "k8s-1": 5, "k8s-2": 2, "k8s-3": 0 });
    // Scaling at the hub re-divides without shuffling: 10 at 2:1 → 7 and 3.
    const scaled = await fleet.kubectl(["scale", "deployment/api", "-n", "weights", "--replicas", "10"]);
    assert.equal(scaled.code, 0, scaled.stderr);
    await until("7 and 3 after scaling", async () => {
      const c = await replicasByMember("weights", "api");
      return c["k8s-1"] === 7 && c["k8s-2"] === 3 && c["k8s-3"] === 0;
    });
  });

  test("capacity-aware division gives a full member nothing; Aggregated packs into one member", async () => {
    await namespace("capacity");
    const requests = `        resources: {requests: {cpu: "1"}}`;
    await kubectlApply(`${deployment("capacity", "dyn", 12, requests)}---
${deployment("capacity", "packed", 4, requests)}---
${policy(
  "capacity",
  "dynamic",
  [["apps/v1", "Deployment", "dyn"]],
  `  placement:
    replicaScheduling:
      replicaSchedulingType: Divided
      weightPreference: {dynamicWeight: AvailableReplicas}`,
)}---
${policy(
  "capacity",
  "aggregated",
  [["apps/v1", "Deployment", "packed"]],
  `  placement:
    replicaScheduling: {replicaSchedulingType: Divided, replicaDivisionPreference: Aggregated}`,
)}`);
    await until("dyn divided 6/6/0", async () => {
      const c = await replicasByMember("capacity", "dyn");
      return c["k8s-1"] === 6 && c["k8s-2"] === 6 && c["k8s-3"] === 0;
    });
    const packed = await until("packed in one member", async () => {
      const c = await replicasByMember("capacity", "packed");
      const holders = Object.entries(c).filter(([, n]) => n > 0);
      return holders.length === 1 && holders[0][1] === 4 ? holders : undefined;
    });
    assert.notEqual(packed[0][0], "k8s-3", "the small member cannot hold 4 CPUs");
  });

  test("spread by region and cluster picks one member per region; tolerations open tainted members", async () => {
    await namespace("spread");
    await kubectlApply(`${deployment("spread", "regional", 2)}---
${policy(
  "spread",
  "two-regions",
  [["apps/v1", "Deployment", "regional"]],
  `  placement:
    spreadConstraints:
    - {spreadByField: region, minGroups: 2, maxGroups: 2}
    - {spreadByField: cluster, minGroups: 2, maxGroups: 2}`,
)}`);
    await until("one east member and k8s-3", async () => {
      const c = await replicasByMember("spread", "regional");
      const east = (c["k8s-1"] > 0 ? 1 : 0) + (c["k8s-2"] > 0 ? 1 : 0);
      return east === 1 && c["k8s-3"] === 2;
    });

    // A NoSchedule taint keeps new objects off k8s-2 unless they tolerate it.
    await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-2", "merge", {
      spec: { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] },
    });
    await kubectlApply(`${deployment("spread", "plain", 1)}---
${deployment("spread", "tolerant", 1)}---
${policy("spread", "plain", [["apps/v1", "Deployment", "plain"]], "  placement: {}")}---
${policy(
  "spread",
  "tolerant",
  [["apps/v1", "Deployment", "tolerant"]],
  `  placement:
    clusterTolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]`,
)}`);
    await until("tolerant everywhere", async () => {
      const c = await replicasByMember("spread", "tolerant");
      return MEMBERS.every((m) => c[m] === 1);
    });
    const plain = await until("plain on k8s-1 and k8s-3", async () => {
      const c = await replicasByMember("spread", "plain");
      return c["k8s-1"] === 1 && c["k8s-3"] === 1 ? c : undefined;
    });
    assert.equal(plain["k8s-2"], 0, "the untolerated NoSchedule taint kept it off k8s-2");
    await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-2", "merge", { spec: { taints: [] } });
  });

  test("overrides per member, dependencies following, and an unschedulable placement explained", async () => {
    await namespace("vary");
    await kubectlApply(`apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: vary}
data: {level: info}
---
${deployment(
  "vary",
  "shop",
  1,
  `        volumeMounts: [{name: config, mountPath: /etc/shop}]
      volumes:
      - name: config
        configMap: {name: app-config}`,
)}---
${policy(
  "vary",
  "shop",
  [["apps/v1", "Deployment", "shop"]],
  `  propagateDeps: true
  placement: {}`,
)}---
apiVersion: policy.atoll.io/v1alpha1
kind: OverridePolicy
metadata: {name: shop, namespace: vary}
spec:
  resourceSelectors:
  - {apiVersion: apps/v1, kind: Deployment, name: shop}
  overrideRules:
  - targetCluster: {clusterNames: [k8s-1]}
    overriders:
      imageOverrider: [{component: Tag, operator: replace, value: "2.0"}]
  - targetCluster: {fieldSelector: {matchExpressions: [{key: region, operator: In, values: [west]}]}}
    overriders:
      labelsOverrider: [{operator: add, value: {edge: "true"}}]`);
    const images: Record<string, string> = {};
    for (const m of MEMBERS) {
      const d = await until(`shop in ${m}`, () => memberObject(m, R.deployments, "vary", "shop"));
      const spec = d.spec as { template: { spec: { containers: Array<{ image: string }> } } };
      images[m] = spec.template.spec.containers[0].image;
      const cm = await until(`app-config in ${m}`, () => memberObject(m, R.configmaps, "vary", "app-config"));
      assert.deepEqual(cm.data, { level: "info" });
    }
    assert.deepEqual(images, {
      "k8s-1": "registry.example/team/shop:2.0",
      "k8s-2": "registry.example/team/shop:1.0",
      "k8s-3": "registry.example/team/shop:1.0",
    });
    const west = await memberObject("k8s-3", R.deployments, "vary", "shop");
    assert.equal(west?.metadata.labels?.edge, "true");
    assert.equal(
      (await memberObject("k8s-1", R.deployments, "vary", "shop"))?.metadata.labels?.edge,
      undefined,
    );
    // A dependency edited at the hub follows.
    await fleet.hub.patch(R.configmaps, "vary", "app-config", "merge", { data: { level: "debug" } });
    await until("app-config updated everywhere", async () => {
      for (const m of MEMBERS) {
        const cm = await memberObject(m, R.configmaps, "vary", "app-config");
        if ((cm?.data as Record<string, string> | undefined)?.level !== "debug") return false;
      }
      return true;
    });

    // Nothing fits: the binding says why, per member.
    await kubectlApply(`${deployment("vary", "nowhere", 1)}---
${policy(
  "vary",
  "nowhere",
  [["apps/v1", "Deployment", "nowhere"]],
  `  placement:
    clusterAffinity: {labelSelector: {matchLabels: {env: staging}}}`,
)}`);
    const rb = await until("nowhere unschedulable", async () => {
      const b = await fleet.hub.get(RESOURCE_BINDINGS, "vary", "nowhere-deployment");
      return conditionOf(b, "Scheduled")?.status === "False" ? b : undefined;
    });
    const message = String(conditionOf(rb, "Scheduled")?.message);
    assert.match(message, /0\/3 clusters are available/);
  });

  test("conflicts: Abort leaves a member's own object alone; Overwrite takes it over", async () => {
    await namespace("conflict");
    // k8s-1 already has its own ConfigMap of that name (and the namespace).
    const k1 = fleet.member("k8s-1").client;
    await k1.create(R.namespaces, undefined, { metadata: { name: "conflict" } });
    await k1.create(R.configmaps, "conflict", { metadata: { name: "shared" }, data: { owner: "member" } });
    await kubectlApply(`apiVersion: v1
kind: ConfigMap
metadata: {name: shared, namespace: conflict}
data: {owner: hub}
---
${policy("conflict", "shared", [["v1", "ConfigMap", "shared"]], "  placement: {}")}`);
    await until("shared in k8s-2 and k8s-3", async () => {
      const a = await memberObject("k8s-2", R.configmaps, "conflict", "shared");
      const b = await memberObject("k8s-3", R.configmaps, "conflict", "shared");
      return a?.data && b?.data;
    });
    const work = await until("the k8s-1 Work reports the conflict", async () => {
      const w = await fleet.hub.get(
        WORKS,
        executionNamespace("k8s-1"),
        workName({ namespace: "conflict", name: "shared-configmap" }),
      );
      return conditionOf(w, "Applied")?.reason === "ConflictAborted" ? w : undefined;
    });
    assert.equal(conditionOf(work, "Applied")?.status, "False");
    assert.deepEqual((await memberObject("k8s-1", R.configmaps, "conflict", "shared"))?.data, {
      owner: "member",
    });

    await fleet.hub.patch((await import("@atoll/api")).PROPAGATION_POLICIES, "conflict", "shared", "merge", {
      spec: { conflictResolution: "Overwrite" },
    });
    await until("k8s-1 taken over", async () => {
      const cm = await memberObject("k8s-1", R.configmaps, "conflict", "shared");
      return (cm?.data as Record<string, string> | undefined)?.owner === "hub";
    });
  });

  test("drift in a member is put back within a second; the hub Deployment shows the members' sums", async () => {
    const ns = "dup";
    const k2 = fleet.member("k8s-2").client;
    await k2.patch(R.deployments, ns, "web", "merge", { spec: { replicas: 5 } });
    let started = performance.now();
    await until("replicas restored", async () => {
      const d = await k2.get(R.deployments, ns, "web");
      return isRecord(d?.spec) && d.spec.replicas === 2;
    });
    const editRestoredMs = performance.now() - started;
    await k2.delete(R.configmaps, ns, "settings");
    started = performance.now();
    await until("settings recreated", () => k2.get(R.configmaps, ns, "settings"));
    const deleteRestoredMs = performance.now() - started;
    assert.ok(editRestoredMs < 1000, `edit restored in ${Math.round(editRestoredMs)} ms`);
    assert.ok(deleteRestoredMs < 1000, `deletion restored in ${Math.round(deleteRestoredMs)} ms`);

    const hubDeployment = await until("the hub Deployment reports 6 ready", async () => {
      const d = await fleet.hub.get(R.deployments, ns, "web");
      return isRecord(d?.status) && d.status.readyReplicas === 6 ? d : undefined;
    });
    assert.equal((hubDeployment.status as Record<string, unknown>).availableReplicas, 6);
    // A Divided Deployment reads naturally at the hub: 7 + 3 ready of 10.
    await until("the hub's api Deployment reports 10 ready", async () => {
      const d = await fleet.hub.get(R.deployments, "weights", "api");
      return isRecord(d?.status) && d.status.readyReplicas === 10;
    });
    const table = await fleet.kubectl(["get", "deployment", "api", "-n", "weights", "--no-headers"]);
    assert.match(table.stdout, /^api\s+10\/10\s+10\s+10\s/);
    // After the drift, k8s-2's copy settles back to Healthy.
    const rb = await until("every member Healthy in the binding", async () => {
      const b = (await fleet.hub.get(RESOURCE_BINDINGS, ns, "web-deployment")) as ResourceBinding;
      const items = b.status?.aggregatedStatus?.map((s) => `${s.clusterName}:${s.applied}:${s.health}`);
      return JSON.stringify(items) === JSON.stringify(MEMBERS.map((m) => `${m}:true:Healthy`))
        ? b
        : undefined;
    });
    assert.equal(conditionOf(rb, "FullyApplied")?.status, "True");
  });

  test("deleting the template removes it from every member; a preserved one stays", async () => {
    await namespace("bye");
    await kubectlApply(`apiVersion: v1
kind: ConfigMap
metadata: {name: gone, namespace: bye}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: kept, namespace: bye}
---
${policy("bye", "gone", [["v1", "ConfigMap", "gone"]], "  placement: {}")}---
${policy("bye", "kept", [["v1", "ConfigMap", "kept"]], "  preserveResourcesOnDeletion: true\n  placement: {}")}`);
    for (const m of MEMBERS) {
      await until(`both in ${m}`, async () => {
        const a = await memberObject(m, R.configmaps, "bye", "gone");
        const b = await memberObject(m, R.configmaps, "bye", "kept");
        return a && b;
      });
    }
    const deleted = await fleet.kubectl([
      "delete",
      "configmap",
      "gone",
      "kept",
      "-n",
      "bye",
      "--wait=true",
      "--timeout=20s",
    ]);
    assert.equal(deleted.code, 0, deleted.stderr);
    for (const m of MEMBERS) {
      assert.equal(await memberObject(m, R.configmaps, "bye", "gone"), undefined, `gone removed from ${m}`);
      assert.ok(await memberObject(m, R.configmaps, "bye", "kept"), `kept preserved in ${m}`);
    }
    assert.equal((await fleet.hub.list(RESOURCE_BINDINGS, { namespace: "bye" })).items.length, 0);
  });

  test("a CRD and its custom resources propagate; a Service keeps each member's own cluster IP", async () => {
    await namespace("custom");
    await kubectlApply(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
---
apiVersion: policy.atoll.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: widget-crd}
spec:
  resourceSelectors:
  - {apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, name: widgets.example.com}
  placement: {}
`);
    // The kind exists at the hub once its CRD is established there.
    await until("widgets served at the hub", async () => {
      const result = await fleet.kubectl(["get", "widgets", "-n", "custom"]);
      return result.code === 0;
    });
    await kubectlApply(`apiVersion: example.com/v1
kind: Widget
metadata: {name: gear, namespace: custom}
spec: {size: 3}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: custom}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
---
${policy(
  "custom",
  "widgets",
  [
    ["example.com/v1", "Widget"],
    ["v1", "Service", "api"],
  ],
  "  placement: {}",
)}`);
    const widgets: ResourceId = {
      group: "example.com",
      version: "v1",
      resource: "widgets",
      kind: "Widget",
      namespaced: true,
    };
    const clusterIPs = new Set<string>();
    for (const m of MEMBERS) {
      const gear = await until(`gear in ${m}`, () => memberObject(m, widgets, "custom", "gear"), 30_000);
      assert.deepEqual(gear.spec, { size: 3 });
      const service = await until(`api Service in ${m}`, () => memberObject(m, R.services, "custom", "api"));
      const ip = String((service.spec as { clusterIP?: string }).clusterIP ?? "");
      assert.match(ip, /^127\.18[123]\./, `${m} allocated its own cluster IP`);
      clusterIPs.add(ip);
    }
    assert.equal(clusterIPs.size, 3, "each member keeps the cluster IP it allocated");
    // A later template edit is applied without touching the member-owned cluster IP.
    await fleet.hub.patch(R.services, "custom", "api", "merge", { metadata: { labels: { tier: "front" } } });
    for (const m of MEMBERS) {
      const service = await until(`api relabelled in ${m}`, async () => {
        const found = await memberObject(m, R.services, "custom", "api");
        return found?.metadata.labels?.tier === "front" ? found : undefined;
      });
      assert.ok(clusterIPs.has(String((service.spec as { clusterIP?: string }).clusterIP)));
    }
  });

  test("a member killed: its replicas are rebuilt elsewhere and ready replicas never reach zero", async () => {
    await namespace("failover");
    await kubectlApply(`${deployment("failover", "svc", 6)}---
${policy(
  "failover",
  "svc",
  [["apps/v1", "Deployment", "svc"]],
  `  placement:
    replicaScheduling: {replicaSchedulingType: Divided}`,
)}`);
    await until("2/2/2 ready", async () => {
      const ready = await readyByMember("failover", "svc");
      return MEMBERS.every((m) => ready[m] === 2);
    });
    const samples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const ready = await readyByMember("failover", "svc", ["k8s-1", "k8s-2"]);
        samples.push(Object.values(ready).reduce((a, b) => a + b, 0));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const killedAt = performance.now();
    await fleet.member("k8s-3").host.stop();
    try {
      await until(
        "6 ready on k8s-1 and k8s-2",
        async () => {
          const ready = await readyByMember("failover", "svc", ["k8s-1", "k8s-2"]);
          return ready["k8s-1"] + ready["k8s-2"] === 6;
        },
        30_000,
      );
    } finally {
      sampling = false;
      await sampler;
    }
    const failoverMs = performance.now() - killedAt;
    assert.ok(samples.length > 10, `sampled ${samples.length} times`);
    assert.ok(
      Math.min(...samples) > 0,
      `ready replicas fleet-wide never hit zero (min ${Math.min(...samples)})`,
    );
    const rb = (await fleet.hub.get(RESOURCE_BINDINGS, "failover", "svc-deployment")) as ResourceBinding;
    assert.deepEqual(
      (rb.spec.clusters ?? []).map((c) => c.name),
      ["k8s-1", "k8s-2"],
      `rebuilt in ${Math.round(failoverMs)} ms`,
    );
  });
});

async function readyByMember(ns: string, name: string, members = MEMBERS): Promise<Record<string, number>> {
  const ready: Record<string, number> = {};
  for (const m of members) {
    const d: KubeObject | undefined = await memberObject(m, R.deployments, ns, name).catch(() => undefined);
    ready[m] = isRecord(d?.status) ? Number(d.status.readyReplicas ?? 0) : 0;
  }
  return ready;
}
