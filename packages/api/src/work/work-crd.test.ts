import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type KubeObject, R } from "@atoll/kube";
import { assertInvalid, startTestHub, type TestHub } from "../policy/test-hub.fixture.ts";
import { EXECUTION_NAMESPACE_PREFIX, executionNamespace, memberOfExecutionNamespace } from "../well-known.ts";
import { WORKS, type Work, WorkConditions } from "./work.ts";

const apiVersion = `${WORKS.group}/${WORKS.version}`;
const namespace = executionNamespace("member1");

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "nginx", namespace: "default", labels: { app: "nginx" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "nginx" } },
    template: {
      metadata: { labels: { app: "nginx" } },
      spec: {
        containers: [{ name: "nginx", image: "registry.eu.example.com/nginx:1.25", someFutureField: true }],
      },
    },
  },
};

function work(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion, kind: "Work", metadata: { name, namespace }, spec };
}

describe("Work CRD", () => {
  let hub: TestHub;
  const create = (object: KubeObject) => hub.client.create(WORKS, namespace, object);
  before(async () => {
    hub = await startTestHub();
    await hub.client.create(R.namespaces, undefined, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace },
    });
  });
  after(async () => {
    await hub.stop();
  });

  test("execution namespaces are named after their member", () => {
    assert.equal(namespace, "atoll-es-member1");
    assert.equal(memberOfExecutionNamespace(namespace), "member1");
    assert.equal(memberOfExecutionNamespace("default"), undefined);
    assert.equal(memberOfExecutionNamespace(EXECUTION_NAMESPACE_PREFIX), undefined);
  });

  test("manifests are kept verbatim, defaults applied, and status taken through the subresource", async () => {
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "nginx-conf" },
      data: { "a.conf": "x" },
    };
    const created = (await create(
      work("nginx-687f7fb96f", {
        workload: { manifests: [deployment, configMap] },
        preserveResourcesOnDeletion: false,
      }),
    )) as Work;
    assert.deepEqual(created.spec.workload.manifests, [deployment, configMap]);
    assert.equal(created.spec.conflictResolution, "Abort");

    const status = {
      conditions: [
        {
          type: WorkConditions.Applied,
          status: "True",
          reason: "AppliedSuccessful",
          message: "",
          lastTransitionTime: "2025-01-01T00:00:00Z",
        },
      ],
      manifestStatuses: [
        {
          identifier: {
            ordinal: 0,
            group: "apps",
            version: "v1",
            kind: "Deployment",
            resource: "deployments",
            namespace: "default",
            name: "nginx",
          },
          status: { replicas: 3, readyReplicas: 3 },
          health: "Healthy",
        },
        {
          identifier: {
            ordinal: 1,
            version: "v1",
            kind: "ConfigMap",
            resource: "configmaps",
            namespace: "default",
            name: "nginx-conf",
          },
          health: "Healthy",
        },
      ],
    };
    const updated = (await hub.client.update(
      WORKS,
      namespace,
      { ...created, status },
      { subresource: "status" },
    )) as Work;
    assert.deepEqual(updated.status, status);

    const table = await hub.kubectl(["get", "work", "-n", namespace]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+APPLIED\s+AVAILABLE\s+AGE\nnginx-687f7fb96f\s+True\s+\s+\d+s\n$/);
  });

  test("wrong types and enums are rejected with the fields named", async () => {
    await assertInvalid(create(work("no-workload", {})), ["spec.workload"]);
    await assertInvalid(
      create(
        work("bad-manifests", { workload: { manifests: ["kind: ConfigMap"] }, suspendDispatching: "true" }),
      ),
      ["spec.workload.manifests[0]", "spec.suspendDispatching"],
    );
    const created = await create(work("status-checks", { workload: { manifests: [] } }));
    await assertInvalid(
      hub.client.update(
        WORKS,
        namespace,
        {
          ...created,
          status: { manifestStatuses: [{ identifier: { ordinal: -1, kind: "Pod" }, health: "Green" }] },
        },
        { subresource: "status" },
      ),
      [
        "status.manifestStatuses[0].identifier.ordinal",
        "status.manifestStatuses[0].identifier.name",
        "status.manifestStatuses[0].health",
      ],
    );
  });
});
