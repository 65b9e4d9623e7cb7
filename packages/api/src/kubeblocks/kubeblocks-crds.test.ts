import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { isRecord, jsonEqual, type KubeClient, type KubeObject, R } from "@atoll/kube";
import { assertInvalid, startTestHub, type TestHub } from "../policy/test-hub.fixture.ts";
import { type Cluster, KB_CLUSTERS } from "./cluster.ts";
import { COMPONENT_DEFINITIONS } from "./component-definition.ts";
import { kubeBlocksCrds } from "./kubeblocks-crds.ts";
import { KUBEBLOCKS_GROUP, KUBEBLOCKS_VERSION, KubeBlocksAnnotations } from "./kubeblocks-names.ts";
import { OPS_REQUESTS, type OpsRequest } from "./ops-request.ts";

const SEEDS = new URL("../../../../../shared/seed-manifests/", import.meta.url);
const apiVersion = `${KUBEBLOCKS_GROUP}/${KUBEBLOCKS_VERSION}`;

describe("KubeBlocks CRDs", () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
    for (const crd of kubeBlocksCrds()) await hub.client.create(R.customresourcedefinitions, undefined, crd);
    await Promise.all(kubeBlocksCrds().map((crd) => established(hub.client, crd.metadata.name ?? "")));
  });
  after(async () => {
    await hub.stop();
  });

  test("a served CRD's spec equals the built one, so re-applying never finds drift", async () => {
    for (const crd of kubeBlocksCrds()) {
      const live = await hub.client.get(R.customresourcedefinitions, undefined, crd.metadata.name ?? "");
      assert.ok(jsonEqual(live?.spec, crd.spec), `${crd.metadata.name} came back changed`);
    }
  });

  test("kinds are served with KubeBlocks' short names, scopes and categories", async () => {
    const rows = async (args: string[]) => {
      const result = await hub.kubectl(["api-resources", "--no-headers", ...args]);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout
        .trim()
        .split("\n")
        .map((line) => line.split(/\s+/).join(" "))
        .sort();
    };
    assert.deepEqual(await rows(["--api-group", KUBEBLOCKS_GROUP]), [
      `clusters cl ${apiVersion} true Cluster`,
      `componentdefinitions cmpd ${apiVersion} false ComponentDefinition`,
      `opsrequests ops ${apiVersion} true OpsRequest`,
    ]);
    assert.deepEqual(await rows(["--categories", "kubeblocks"]), [
      `clusters cl ${apiVersion} true Cluster`,
      `componentdefinitions cmpd ${apiVersion} false ComponentDefinition`,
      `opsrequests ops ${apiVersion} true OpsRequest`,
    ]);
  });

  test("each seed manifest of the multi-cluster guide is accepted verbatim and listed with its columns", async () => {
    const files = (await readdir(SEEDS)).filter((f) => f.startsWith("etcd-") && f.endsWith(".yaml")).sort();
    assert.deepEqual(files, ["etcd-cloud-ack.yaml", "etcd-cross-cloud.yaml", "etcd-self-hosted.yaml"]);
    for (const file of files) {
      const created = await hub.kubectl(["create", "-f", new URL(file, SEEDS).pathname, "-o", "name"]);
      assert.equal(created.code, 0, `${file}: ${created.stderr}`);
      const name = created.stdout.trim().replace(/^cluster\.apps\.kubeblocks\.io\//, "");
      assert.match(name, /^etcd[a-z0-9]{5}$/);

      const cluster = (await hub.client.get(KB_CLUSTERS, "default", name)) as Cluster;
      assert.equal(
        cluster.metadata.annotations?.[KubeBlocksAnnotations.multiClusterPlacement],
        "k8s-1,k8s-2,k8s-3",
      );
      const [component] = cluster.spec.componentSpecs ?? [];
      assert.equal(component?.componentDef, "etcd-0.9.0");
      assert.equal(component?.replicas, 3);
      assert.deepEqual(component?.resources?.limits, { cpu: "100m", memory: "100M" });
      assert.equal(component?.volumeClaimTemplates?.[0]?.name, "data");
      assert.deepEqual(component?.volumeClaimTemplates?.[0]?.spec?.accessModes, ["ReadWriteOnce"]);
      const [peer] = component?.services ?? [];
      assert.equal(peer?.podService, true);
      assert.ok(peer?.annotations && Object.keys(peer.annotations).length > 0, `${file}: annotations kept`);

      await hub.client.patch(
        KB_CLUSTERS,
        "default",
        name,
        "merge",
        { status: { phase: "Creating" } },
        { subresource: "status" },
      );
      const listed = await hub.kubectl(["get", "cluster", name]);
      assert.equal(listed.code, 0, listed.stderr);
      const [header, row] = listed.stdout
        .trim()
        .split("\n")
        .map((l) => l.trim().split(/\s+/));
      assert.deepEqual(header, ["NAME", "TERMINATION-POLICY", "STATUS", "AGE"]);
      assert.deepEqual(row?.slice(0, 3), [name, "WipeOut", "Creating"]);
    }
    const seeded = (await hub.client.list(KB_CLUSTERS, { namespace: "default" })).items as Cluster[];
    const services = seeded.map((c) => c.spec.componentSpecs?.[0]?.services?.[0]?.serviceType).sort();
    assert.deepEqual(services, ["ClusterIP", "LoadBalancer", "LoadBalancer"]);
  });

  test("kubectl explain describes componentSpecs", async () => {
    const result = await hub.kubectl(["explain", "cluster.spec.componentSpecs"]);
    assert.equal(result.code, 0, result.stderr);
    for (const field of ["componentDef", "replicas", "resources", "volumeClaimTemplates", "services"])
      assert.match(result.stdout, new RegExp(`\\b${field}\\b`), `explain lacks ${field}`);
  });

  test("a Cluster's status carries per-component and per-replica state", async () => {
    await hub.client.create(KB_CLUSTERS, "default", clusterWith("status-demo", {}));
    const status = {
      phase: "Abnormal",
      observedGeneration: 1,
      components: {
        etcd: {
          phase: "Abnormal",
          message: { "Pod/status-demo-etcd-2": "member k8s-3 unreachable" },
          podsReady: false,
          replicas: [
            {
              podName: "status-demo-etcd-0",
              member: "k8s-1",
              role: "leader",
              phase: "Running",
              address: "10.0.0.1",
            },
            { podName: "status-demo-etcd-2", member: "k8s-3", phase: "Unknown" },
          ],
        },
      },
      conditions: [{ type: "Ready", status: "False", reason: "MemberUnreachable" }],
    };
    await hub.client.patch(
      KB_CLUSTERS,
      "default",
      "status-demo",
      "merge",
      { status },
      { subresource: "status" },
    );
    const read = (await hub.client.get(KB_CLUSTERS, "default", "status-demo")) as Cluster;
    assert.deepEqual(read.status, status);
    await assertInvalid(
      hub.client.patch(
        KB_CLUSTERS,
        "default",
        "status-demo",
        "merge",
        {
          status: {
            phase: "Sleeping",
            components: { etcd: { replicas: [{ podName: "x", phase: "Gone" }] } },
          },
        },
        { subresource: "status" },
      ),
      ["status.phase", "status.components.etcd.replicas[0].phase"],
    );
  });

  test("a Cluster is rejected with the field named when what Atoll reads is wrong", async () => {
    const create = (name: string, spec: Record<string, unknown>) =>
      hub.client.create(KB_CLUSTERS, "default", clusterWith(name, spec));
    await assertInvalid(create("bad-policy", { terminationPolicy: "Forever" }), ["spec.terminationPolicy"]);
    await assertInvalid(create("bad-replicas", { replicas: -1 }), ["spec.componentSpecs[0].replicas"]);
    await assertInvalid(create("bad-service", { serviceType: "ExternalName" }), [
      "spec.componentSpecs[0].services[0].serviceType",
    ]);
    await assertInvalid(create("no-def", { componentDef: undefined }), [
      "spec.componentSpecs[0].componentDef",
    ]);
    const noPolicy = clusterWith("no-policy", {});
    delete (noPolicy.spec as Record<string, unknown>).terminationPolicy;
    await assertInvalid(hub.client.create(KB_CLUSTERS, "default", noPolicy), ["spec.terminationPolicy"]);
  });

  test("unmodelled KubeBlocks fields are kept; replicas default to 1", async () => {
    const cluster = clusterWith("extras", { replicas: undefined, serviceVersion: "3.5.6", tls: false });
    (cluster.spec as Record<string, unknown>).topology = "default";
    await hub.client.create(KB_CLUSTERS, "default", cluster);
    const read = (await hub.client.get(KB_CLUSTERS, "default", "extras")) as Cluster;
    assert.equal(read.spec.topology, "default");
    assert.equal(read.spec.componentSpecs?.[0]?.serviceVersion, "3.5.6");
    assert.equal(read.spec.componentSpecs?.[0]?.replicas, 1);
  });

  test("a ComponentDefinition with roles, role probe, vars and lifecycle actions is accepted as sent", async () => {
    const created = await hub.client.create(COMPONENT_DEFINITIONS, undefined, etcdDefinition());
    assert.deepEqual(created.spec, etcdDefinition().spec);
    const listed = await hub.kubectl(["get", "cmpd", "etcd-test"]);
    assert.equal(listed.code, 0, listed.stderr);
    const [header, row] = listed.stdout
      .trim()
      .split("\n")
      .map((l) => l.trim().split(/\s+/));
    assert.deepEqual(header, ["NAME", "SERVICE", "SERVICE-VERSION", "STATUS", "AGE"]);
    assert.deepEqual(row?.slice(0, 3), ["etcd-test", "etcd", "3.5.6"]);

    const bad = etcdDefinition("etcd-bad");
    const spec = bad.spec as Record<string, unknown>;
    spec.runtime = {};
    spec.roles = [{ name: "leader", writable: "yes" }];
    spec.lifecycleActions = { roleProbe: { periodSeconds: 0 } };
    spec.vars = [{ name: "PEERS", valueFrom: { serviceVarRef: { host: "Always" } } }];
    await assertInvalid(hub.client.create(COMPONENT_DEFINITIONS, undefined, bad), [
      "spec.runtime.containers",
      "spec.roles[0].writable",
      "spec.lifecycleActions.roleProbe.periodSeconds",
      "spec.vars[0].valueFrom.serviceVarRef.host",
    ]);
  });

  test("an OpsRequest of each type is accepted and listed with type, cluster, status and progress", async () => {
    const specs: Record<string, Record<string, unknown>> = {
      Restart: { restart: [{ componentName: "etcd" }] },
      HorizontalScaling: { horizontalScaling: [{ componentName: "etcd", replicas: 5 }] },
      VerticalScaling: {
        verticalScaling: [
          { componentName: "etcd", requests: { cpu: "200m" }, limits: { cpu: "1", memory: "1Gi" } },
        ],
      },
      Switchover: { switchover: [{ componentName: "etcd", instanceName: "demo-etcd-1" }] },
      Stop: {},
      Start: {},
    };
    for (const [type, extra] of Object.entries(specs)) {
      const name = `demo-${type.toLowerCase()}`;
      const created = (await hub.client.create(
        OPS_REQUESTS,
        "default",
        opsRequest(name, { clusterName: "demo", type, ...extra }),
      )) as OpsRequest;
      assert.deepEqual(created.spec, { clusterName: "demo", type, ...extra });
    }
    await hub.client.patch(
      OPS_REQUESTS,
      "default",
      "demo-restart",
      "merge",
      { status: { phase: "Running", progress: "1/3" } },
      { subresource: "status" },
    );
    const listed = await hub.kubectl(["get", "ops", "demo-restart"]);
    assert.equal(listed.code, 0, listed.stderr);
    const [header, row] = listed.stdout
      .trim()
      .split("\n")
      .map((l) => l.trim().split(/\s+/));
    assert.deepEqual(header, ["NAME", "TYPE", "CLUSTER", "STATUS", "PROGRESS", "AGE"]);
    assert.deepEqual(row?.slice(0, 5), ["demo-restart", "Restart", "demo", "Running", "1/3"]);
  });

  test("an OpsRequest is rejected with the field named when its type, target or list is wrong", async () => {
    const create = (name: string, spec: Record<string, unknown>) =>
      hub.client.create(OPS_REQUESTS, "default", opsRequest(name, spec));
    await assertInvalid(create("bad-type", { clusterName: "demo", type: "VolumeExpansion" }), ["spec.type"]);
    await assertInvalid(create("no-cluster", { type: "Stop" }), ["spec.clusterName"]);
    await assertInvalid(create("no-list", { clusterName: "demo", type: "HorizontalScaling" }), [
      "spec.horizontalScaling",
    ]);
    await assertInvalid(
      create("negative", {
        clusterName: "demo",
        type: "HorizontalScaling",
        horizontalScaling: [{ componentName: "etcd", replicas: -1 }],
      }),
      ["spec.horizontalScaling[0].replicas"],
    );
    await assertInvalid(
      create("no-instance", {
        clusterName: "demo",
        type: "Switchover",
        switchover: [{ componentName: "etcd" }],
      }),
      ["spec.switchover[0].instanceName"],
    );
    const legacy = await create("legacy-ref", { clusterRef: "demo", type: "Start" });
    assert.equal((legacy as OpsRequest).spec.clusterRef, "demo");
    await assertInvalid(
      hub.client.patch(OPS_REQUESTS, "default", "legacy-ref", "merge", { spec: { type: "Stop" } }),
      ["spec.type"],
    );
  });
});

function clusterWith(name: string, component: Record<string, unknown>): KubeObject {
  const { terminationPolicy = "Delete", serviceType = "ClusterIP", ...rest } = component;
  const spec: Record<string, unknown> = {
    name: "etcd",
    componentDef: "etcd-0.9.0",
    replicas: 3,
    services: [{ name: "peer", serviceType, podService: true }],
    ...rest,
  };
  for (const key of Object.keys(spec)) if (spec[key] === undefined) delete spec[key];
  return {
    apiVersion,
    kind: "Cluster",
    metadata: { name },
    spec: { terminationPolicy, componentSpecs: [spec] },
  };
}

function opsRequest(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion, kind: "OpsRequest", metadata: { name }, spec };
}

function etcdDefinition(name = "etcd-test"): KubeObject {
  const probe = { exec: { command: ["/bin/sh", "-c", "etcdctl endpoint status -w simple | role"] } };
  return {
    apiVersion,
    kind: "ComponentDefinition",
    metadata: { name },
    spec: {
      provider: "atoll",
      serviceKind: "etcd",
      serviceVersion: "3.5.6",
      runtime: {
        containers: [
          {
            name: "etcd",
            image: "quay.io/coreos/etcd:v3.5.6",
            command: ["etcd"],
            ports: [
              { name: "client", containerPort: 2379 },
              { name: "peer", containerPort: 2380 },
            ],
            volumeMounts: [{ name: "data", mountPath: "/var/run/etcd" }],
          },
        ],
      },
      volumes: [{ name: "data", needSnapshot: true }],
      services: [
        {
          name: "peer",
          serviceName: "peer",
          podService: true,
          spec: { ports: [{ name: "peer", port: 2380, targetPort: "peer" }] },
        },
      ],
      roles: [
        { name: "leader", serviceable: true, writable: true, votable: true },
        { name: "follower", serviceable: true, writable: false, votable: true },
      ],
      vars: [
        {
          name: "PEER_ENDPOINT",
          valueFrom: { serviceVarRef: { compDef: name, name: "peer", optional: false, host: "Required" } },
        },
        {
          name: "PEER_LB",
          valueFrom: { serviceVarRef: { name: "peer", loadBalancer: "Required", port: { name: "peer" } } },
        },
        { name: "TOKEN", valueFrom: { secretKeyRef: { name: "etcd", key: "token" } } },
        { name: "CLUSTER_STATE", value: "new" },
      ],
      lifecycleActions: {
        roleProbe: { customHandler: probe, periodSeconds: 1, timeoutSeconds: 1 },
        switchover: { withCandidate: { exec: { command: ["switch", "$(KB_SWITCHOVER_CANDIDATE_NAME)"] } } },
        memberJoin: {
          customHandler: {
            exec: { command: ["etcdctl", "member", "add"] },
            targetPodSelector: "Role",
            matchingKey: "leader",
          },
        },
        memberLeave: { customHandler: { exec: { command: ["etcdctl", "member", "remove"] } } },
        postProvision: { customHandler: { exec: { command: ["true"] } } },
      },
    },
  };
}

async function established(client: KubeClient, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const crd = await client.get(R.customresourcedefinitions, undefined, name);
    const conditions =
      isRecord(crd?.status) && Array.isArray(crd.status.conditions) ? crd.status.conditions : [];
    if (conditions.some((c) => isRecord(c) && c.type === "Established" && c.status === "True")) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} did not become Established`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
