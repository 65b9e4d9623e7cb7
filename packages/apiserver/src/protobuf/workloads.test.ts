import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { container, objectMeta, quantityEntry } from "./go-encoding.fixture.ts";
import { decodeKubernetesProtobuf } from "./index.ts";
import { kubernetesBody, WireWriter } from "./wire-writer.fixture.ts";

/** A pod template using volumes, probes, env sources, resources, security and scheduling fields. */
function podTemplate(t: WireWriter): void {
  t.message(1, (m) => objectMeta(m, { name: "", labels: { app: "web" } }));
  t.message(2, (spec) =>
    spec
      .message(1, (v) =>
        v.string(1, "config").message(2, (src) =>
          src.message(19, (cm) =>
            cm
              .message(1, (r) => r.string(1, "settings"))
              .message(2, (item) => item.string(1, "a").string(2, "a.conf"))
              .varint(3, 420),
          ),
        ),
      )
      .message(1, (v) =>
        v
          .string(1, "scratch")
          .message(2, (src) =>
            src.message(2, (e) => e.string(1, "Memory").message(2, (q) => q.string(1, "1Gi"))),
          ),
      )
      .message(2, (c) =>
        container(c, {
          name: "app",
          image: "web:1",
          extra: (x) =>
            x
              .message(7, (env) =>
                env
                  .string(1, "TOKEN")
                  .string(2, "")
                  .message(3, (from) =>
                    from.message(4, (s) => s.message(1, (r) => r.string(1, "creds")).string(2, "token")),
                  ),
              )
              .message(7, (env) =>
                env
                  .string(1, "NODE")
                  .string(2, "")
                  .message(3, (from) => from.message(1, (f) => f.string(1, "v1").string(2, "spec.nodeName"))),
              )
              .message(9, (mount) =>
                mount.string(1, "config").varint(2, true).string(3, "/etc/app").string(4, ""),
              )
              .message(10, (probe) =>
                probe
                  .message(1, (h) =>
                    h.message(2, (get) =>
                      get
                        .string(1, "/healthz")
                        .message(2, (p) => p.varint(1, 1).string(3, "http"))
                        .string(3, "")
                        .string(4, "HTTP"),
                    ),
                  )
                  .varint(2, 5)
                  .varint(3, 0)
                  .varint(4, 10)
                  .varint(5, 0)
                  .varint(6, 3),
              )
              .message(11, (probe) =>
                probe
                  .message(1, (h) => h.message(1, (exec) => exec.string(1, "cat").string(1, "/tmp/ready")))
                  .varint(2, 0),
              )
              .message(12, (life) => life.message(2, (pre) => pre.message(4, (sleep) => sleep.varint(1, 5))))
              .message(15, (sec) =>
                sec
                  .message(1, (caps) => caps.string(2, "ALL"))
                  .varint(4, 1000)
                  .varint(5, true),
              )
              .message(19, (from) =>
                from.string(1, "CFG_").message(2, (cm) => cm.message(1, (r) => r.string(1, "settings"))),
              ),
          resources: (r) => {
            quantityEntry(r, 1, "cpu", "500m");
            quantityEntry(r, 1, "memory", "128Mi");
          },
        }),
      )
      .string(3, "Always")
      .varint(4, 30)
      .string(6, "ClusterFirst")
      .message(18, (aff) =>
        aff.message(1, (node) =>
          node.message(1, (sel) =>
            sel.message(1, (term) =>
              term.message(1, (req) => req.string(1, "zone").string(2, "In").string(3, "a").string(3, "b")),
            ),
          ),
        ),
      )
      .message(22, (tol) =>
        tol.string(1, "dedicated").string(2, "Exists").string(3, "").string(4, "NoSchedule").varint(5, 30),
      )
      .varint(25, -5)
      .message(33, (tsc) => tsc.varint(1, 1).string(2, "zone").string(3, "DoNotSchedule")),
  );
}

describe("decoding workloads", () => {
  it("decodes a Deployment with a full pod template", () => {
    const raw = new WireWriter()
      .message(1, (m) => objectMeta(m, { name: "web", namespace: "prod", annotations: { note: "x" } }))
      .message(2, (spec) =>
        spec
          .varint(1, 0)
          .message(2, (sel) => sel.entry(1, "app", "web"))
          .message(3, podTemplate)
          .message(4, (st) =>
            st
              .string(1, "RollingUpdate")
              .message(2, (ru) =>
                ru
                  .message(1, (i) => i.varint(1, 1).string(3, "25%"))
                  .message(2, (i) => i.varint(1, 0).varint(2, 1)),
              ),
          )
          .varint(5, 0)
          .varint(6, 2)
          .varint(7, false),
      )
      .message(3, (status) => status.varint(1, 0).varint(2, 0));
    const { object } = decodeKubernetesProtobuf(kubernetesBody("apps/v1", "Deployment", raw.finish()));
    assert.deepEqual(object, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "prod", creationTimestamp: null, annotations: { note: "x" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: "web" } },
          spec: {
            volumes: [
              {
                name: "config",
                configMap: { name: "settings", items: [{ key: "a", path: "a.conf" }], defaultMode: 420 },
              },
              { name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "1Gi" } },
            ],
            containers: [
              {
                name: "app",
                image: "web:1",
                env: [
                  { name: "TOKEN", valueFrom: { secretKeyRef: { name: "creds", key: "token" } } },
                  { name: "NODE", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } },
                ],
                volumeMounts: [{ name: "config", readOnly: true, mountPath: "/etc/app" }],
                livenessProbe: {
                  httpGet: { path: "/healthz", port: "http", scheme: "HTTP" },
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                readinessProbe: { exec: { command: ["cat", "/tmp/ready"] } },
                lifecycle: { preStop: { sleep: { seconds: 5 } } },
                securityContext: { capabilities: { drop: ["ALL"] }, runAsUser: 1000, runAsNonRoot: true },
                envFrom: [{ prefix: "CFG_", configMapRef: { name: "settings" } }],
                resources: { limits: { cpu: "500m", memory: "128Mi" } },
              },
            ],
            restartPolicy: "Always",
            terminationGracePeriodSeconds: 30,
            dnsPolicy: "ClusterFirst",
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] },
                  ],
                },
              },
            },
            tolerations: [
              { key: "dedicated", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 30 },
            ],
            priority: -5,
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" },
            ],
          },
        },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } },
        revisionHistoryLimit: 2,
      },
      status: {},
    });
  });

  it("decodes a CronJob's job template and a StatefulSet's claim templates", () => {
    const cron = new WireWriter()
      .message(1, (m) => objectMeta(m, { name: "tick" }))
      .message(2, (spec) =>
        spec
          .string(1, "*/5 * * * *")
          .string(3, "Forbid")
          .message(5, (jt) =>
            jt
              .message(1, (m) => objectMeta(m, { name: "" }))
              .message(2, (job) => job.varint(1, 1).varint(7, 0).string(9, "NonIndexed")),
          )
          .string(8, "Etc/UTC"),
      );
    assert.deepEqual(
      decodeKubernetesProtobuf(kubernetesBody("batch/v1", "CronJob", cron.finish())).object.spec,
      {
        schedule: "*/5 * * * *",
        concurrencyPolicy: "Forbid",
        jobTemplate: {
          metadata: { creationTimestamp: null },
          spec: { parallelism: 1, backoffLimit: 0, completionMode: "NonIndexed" },
        },
        timeZone: "Etc/UTC",
      },
    );

    const set = new WireWriter().message(2, (spec) =>
      spec
        .varint(1, 3)
        .message(4, (pvc) =>
          pvc
            .message(1, (m) => objectMeta(m, { name: "data" }))
            .message(2, (s) =>
              s
                .string(1, "ReadWriteOnce")
                .message(2, (r) => quantityEntry(r, 2, "storage", "1Gi"))
                .string(5, ""),
            ),
        )
        .string(5, "db"),
    );
    assert.deepEqual(
      decodeKubernetesProtobuf(kubernetesBody("apps/v1", "StatefulSet", set.finish())).object.spec,
      {
        replicas: 3,
        volumeClaimTemplates: [
          {
            metadata: { name: "data", creationTimestamp: null },
            spec: {
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: "1Gi" } },
              storageClassName: "",
            },
          },
        ],
        serviceName: "db",
      },
    );
  });
});
