import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { objectMeta, quantityEntry } from "./go-encoding.fixture.ts";
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError } from "./index.ts";
import { kubernetesBody, WireWriter } from "./wire-writer.fixture.ts";

function decode(apiVersion: string, kind: string, build: (w: WireWriter) => void): Record<string, unknown> {
  const writer = new WireWriter();
  build(writer);
  return decodeKubernetesProtobuf(kubernetesBody(apiVersion, kind, writer.finish())).object;
}

describe("isKubernetesProtobuf", () => {
  it("recognises the protobuf media type, with parameters and in any case", () => {
    assert.equal(isKubernetesProtobuf("application/vnd.kubernetes.protobuf"), true);
    assert.equal(isKubernetesProtobuf("Application/Vnd.Kubernetes.Protobuf; charset=binary"), true);
    assert.equal(isKubernetesProtobuf("application/json"), false);
    assert.equal(isKubernetesProtobuf("application/vnd.kubernetes.protobuf+json"), false);
    assert.equal(isKubernetesProtobuf(""), false);
  });
});

describe("decodeKubernetesProtobuf", () => {
  it("decodes DeleteOptions under whatever apiVersion the client used", () => {
    const build = (w: WireWriter) =>
      w
        .varint(1, 0)
        .message(2, (p) => p.string(1, "1d2c").string(2, "42"))
        .string(4, "Foreground")
        .string(5, "All");
    for (const apiVersion of ["meta.k8s.io/v1", "v1", "apps/v1"]) {
      assert.deepEqual(decode(apiVersion, "DeleteOptions", build), {
        apiVersion,
        kind: "DeleteOptions",
        gracePeriodSeconds: 0,
        preconditions: { uid: "1d2c", resourceVersion: "42" },
        propagationPolicy: "Foreground",
        dryRun: ["All"],
      });
    }
  });

  it("decodes ObjectMeta's owner references, finalizers and managed fields", () => {
    const pod = decode("v1", "Pod", (w) =>
      w.message(1, (m) => {
        objectMeta(m, { name: "p", namespace: "default" });
        m.varint(10, 0)
          .message(13, (o) =>
            o
              .string(1, "ReplicaSet")
              .string(3, "web-1")
              .string(4, "u-1")
              .string(5, "apps/v1")
              .varint(6, true),
          )
          .string(14, "example.com/guard")
          .message(17, (f) =>
            f
              .string(1, "kubectl")
              .string(2, "Update")
              .string(3, "v1")
              .message(4, (t) => t.varint(1, 1700000000))
              .string(6, "FieldsV1")
              .message(7, (v) => v.string(1, '{"f:spec":{}}'))
              .string(8, ""),
          );
      }),
    );
    assert.deepEqual(pod.metadata, {
      name: "p",
      namespace: "default",
      creationTimestamp: null,
      deletionGracePeriodSeconds: 0,
      ownerReferences: [
        { kind: "ReplicaSet", name: "web-1", uid: "u-1", apiVersion: "apps/v1", controller: true },
      ],
      finalizers: ["example.com/guard"],
      managedFields: [
        {
          manager: "kubectl",
          operation: "Update",
          apiVersion: "v1",
          time: "2023-11-14T22:13:20Z",
          fieldsType: "FieldsV1",
          fieldsV1: { "f:spec": {} },
        },
      ],
    });
  });

  it("decodes a Lease's micro times and an Event's times", () => {
    const lease = decode("coordination.k8s.io/v1", "Lease", (w) =>
      w.message(2, (s) =>
        s
          .string(1, "node-a")
          .varint(2, 40)
          .message(3, (t) => t.varint(1, 1700000000).varint(2, 5_000))
          .message(4, (t) => t.varint(1, 1700000010).varint(2, 999_999_999))
          .varint(5, 0),
      ),
    );
    assert.deepEqual(lease.spec, {
      holderIdentity: "node-a",
      leaseDurationSeconds: 40,
      acquireTime: "2023-11-14T22:13:20.000005Z",
      renewTime: "2023-11-14T22:13:30.999999Z",
      leaseTransitions: 0,
    });

    const event = decode("v1", "Event", (w) =>
      w
        .message(2, (o) =>
          o.string(1, "Pod").string(2, "default").string(3, "p").string(4, "").string(5, "v1"),
        )
        .string(3, "Started")
        .string(4, "Started container")
        .message(5, (s) => s.string(1, "kubelet").string(2, ""))
        .message(6, (t) => t.varint(1, 1700000000))
        .message(7, () => {})
        .varint(8, 2)
        .string(9, "Normal")
        .message(10, () => {}),
    );
    assert.deepEqual(event, {
      apiVersion: "v1",
      kind: "Event",
      involvedObject: { kind: "Pod", namespace: "default", name: "p", apiVersion: "v1" },
      reason: "Started",
      message: "Started container",
      source: { component: "kubelet" },
      firstTimestamp: "2023-11-14T22:13:20Z",
      lastTimestamp: null,
      count: 2,
      type: "Normal",
      eventTime: null,
    });
  });

  it("decodes Secret bytes as base64 and a ControllerRevision's embedded object", () => {
    const secret = decode("v1", "Secret", (w) =>
      w
        .message(2, (e) => e.string(1, "key").bytes(2, Uint8Array.of(0xde, 0xad, 0xbe, 0xef)))
        .message(2, (e) => e.string(1, "empty"))
        .string(3, "Opaque")
        .varint(5, false),
    );
    assert.deepEqual(secret, {
      apiVersion: "v1",
      kind: "Secret",
      data: { key: "3q2+7w==", empty: "" },
      type: "Opaque",
      immutable: false,
    });

    const revision = decode("apps/v1", "ControllerRevision", (w) =>
      w.message(2, (d) => d.string(1, '{"spec":{"template":{"$patch":"replace"}}}')).varint(3, 7),
    );
    assert.deepEqual(revision, {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      data: { spec: { template: { $patch: "replace" } } },
      revision: 7,
    });
  });

  it("decodes a Scale, an Ingress rule's inline value and a Node's quantities", () => {
    const scale = decode("autoscaling/v1", "Scale", (w) =>
      w.message(2, (s) => s.varint(1, 0)).message(3, (s) => s.varint(1, 3).string(2, "app=web")),
    );
    assert.deepEqual(scale, {
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      spec: {},
      status: { replicas: 3, selector: "app=web" },
    });

    const ingress = decode("networking.k8s.io/v1", "Ingress", (w) =>
      w.message(2, (s) =>
        s
          .message(2, (tls) => tls.string(1, "foo.com").string(2, "cert"))
          .message(3, (rule) =>
            rule.string(1, "foo.com").message(2, (value) =>
              value.message(1, (http) =>
                http.message(1, (path) =>
                  path
                    .string(1, "/bar")
                    .message(2, (b) =>
                      b.message(4, (svc) =>
                        svc.string(1, "svc").message(2, (p) => p.string(1, "").varint(2, 8080)),
                      ),
                    )
                    .string(3, "Prefix"),
                ),
              ),
            ),
          )
          .string(4, "nginx"),
      ),
    );
    assert.deepEqual(ingress.spec, {
      tls: [{ hosts: ["foo.com"], secretName: "cert" }],
      rules: [
        {
          host: "foo.com",
          http: {
            paths: [
              {
                path: "/bar",
                backend: { service: { name: "svc", port: { number: 8080 } } },
                pathType: "Prefix",
              },
            ],
          },
        },
      ],
      ingressClassName: "nginx",
    });

    const node = decode("v1", "Node", (w) =>
      w.message(3, (s) => {
        quantityEntry(s, 1, "cpu", "4");
        quantityEntry(s, 1, "memory", "16Gi");
        s.message(5, (a) => a.string(1, "InternalIP").string(2, "10.0.0.1"));
      }),
    );
    assert.deepEqual(node.status, {
      capacity: { cpu: "4", memory: "16Gi" },
      addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
    });
  });

  it("throws ProtobufDecodeError for kinds it has no descriptor for", () => {
    assert.throws(
      () => decode("example.com/v1", "Widget", () => {}),
      (error) =>
        error instanceof ProtobufDecodeError &&
        error.reason === "UnknownKind" &&
        error.message === "no protobuf descriptor for example.com/v1, Kind=Widget; send it as JSON",
    );
  });
});
