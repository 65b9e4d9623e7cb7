import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../api/object.ts";
import { builtinDefaulter } from "./index.ts";

// Expected objects are what a 1.32 cluster stores before admission plugins run
// (no serviceAccountName, tolerations, priority), minus the empty structs Go's
// encoder prints (`resources: {}`), which are not defaults.

function defaultedPod(spec: Record<string, unknown>): KubeObject {
  const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec };
  builtinDefaulter({ group: "", plural: "pods" })?.(pod);
  return pod;
}

const POD_SPEC_DEFAULTS = {
  dnsPolicy: "ClusterFirst",
  enableServiceLinks: true,
  restartPolicy: "Always",
  schedulerName: "default-scheduler",
  securityContext: {},
  terminationGracePeriodSeconds: 30,
};

const CONTAINER_DEFAULTS = {
  terminationMessagePath: "/dev/termination-log",
  terminationMessagePolicy: "File",
};

describe("pod defaults", () => {
  test("a minimal pod", () => {
    assert.deepEqual(defaultedPod({ containers: [{ name: "web", image: "nginx:1.27" }] }).spec, {
      containers: [
        { name: "web", image: "nginx:1.27", imagePullPolicy: "IfNotPresent", ...CONTAINER_DEFAULTS },
      ],
      ...POD_SPEC_DEFAULTS,
    });
  });

  test("containers: pull policy, ports, env field refs, probes and lifecycle handlers", () => {
    const spec = defaultedPod({
      initContainers: [{ name: "init", image: "busybox" }],
      containers: [
        {
          name: "web",
          image: "nginx:latest",
          ports: [{ containerPort: 80 }],
          env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { grpc: { port: 9000 }, timeoutSeconds: 0 },
          startupProbe: { exec: { command: ["true"] }, periodSeconds: 5 },
          lifecycle: { preStop: { httpGet: { port: 80, path: "/quit" } } },
        },
      ],
      ephemeralContainers: [{ name: "debug", image: "busybox:1.36" }],
    }).spec as Record<string, unknown>;
    assert.deepEqual(spec.initContainers, [
      { name: "init", image: "busybox", imagePullPolicy: "Always", ...CONTAINER_DEFAULTS },
    ]);
    assert.deepEqual(spec.ephemeralContainers, [
      { name: "debug", image: "busybox:1.36", imagePullPolicy: "IfNotPresent", ...CONTAINER_DEFAULTS },
    ]);
    const probe = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };
    assert.deepEqual(spec.containers, [
      {
        name: "web",
        image: "nginx:latest",
        imagePullPolicy: "Always",
        ...CONTAINER_DEFAULTS,
        ports: [{ containerPort: 80, protocol: "TCP" }],
        env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName", apiVersion: "v1" } } }],
        livenessProbe: { httpGet: { port: 80, path: "/", scheme: "HTTP" }, ...probe },
        readinessProbe: { grpc: { port: 9000, service: "" }, ...probe },
        startupProbe: { exec: { command: ["true"] }, ...probe, periodSeconds: 5 },
        lifecycle: { preStop: { httpGet: { port: 80, path: "/quit", scheme: "HTTP" } } },
      },
    ]);
  });

  test("volumes", () => {
    const spec = defaultedPod({
      containers: [{ name: "web", image: "nginx:1.27" }],
      volumes: [
        { name: "scratch" },
        { name: "config", configMap: { name: "web" } },
        { name: "creds", secret: { secretName: "web", defaultMode: 0o400 } },
        { name: "host", hostPath: { path: "/var/log" } },
        {
          name: "info",
          downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] },
        },
        {
          name: "token",
          projected: { sources: [{ serviceAccountToken: { path: "token" } }, { configMap: { name: "ca" } }] },
        },
        { name: "data", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"] } } } },
        { name: "disk", azureDisk: { diskName: "d", diskURI: "u" } },
      ],
    }).spec as Record<string, unknown>;
    assert.deepEqual(spec.volumes, [
      { name: "scratch", emptyDir: {} },
      { name: "config", configMap: { name: "web", defaultMode: 420 } },
      { name: "creds", secret: { secretName: "web", defaultMode: 0o400 } },
      { name: "host", hostPath: { path: "/var/log", type: "" } },
      {
        name: "info",
        downwardAPI: {
          items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels", apiVersion: "v1" } }],
          defaultMode: 420,
        },
      },
      {
        name: "token",
        projected: {
          sources: [
            { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
            { configMap: { name: "ca" } },
          ],
          defaultMode: 420,
        },
      },
      {
        name: "data",
        ephemeral: {
          volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], volumeMode: "Filesystem" } },
        },
      },
      {
        name: "disk",
        azureDisk: {
          diskName: "d",
          diskURI: "u",
          cachingMode: "ReadWrite",
          fsType: "ext4",
          readOnly: false,
          kind: "Shared",
        },
      },
    ]);
  });

  test("requests default to limits, for pods only, without touching given requests", () => {
    const spec = defaultedPod({
      containers: [
        { name: "a", image: "x:1", resources: { limits: { cpu: "1", memory: "1Gi" } } },
        {
          name: "b",
          image: "x:1",
          resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "100m" } },
        },
        { name: "c", image: "x:1", resources: { limits: {} } },
      ],
    }).spec as { containers: Array<{ resources: unknown }> };
    assert.deepEqual(
      spec.containers.map((c) => c.resources),
      [
        { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "1", memory: "1Gi" } },
        { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "100m", memory: "1Gi" } },
        { limits: {} },
      ],
    );
  });

  test("host networking makes container ports host ports", () => {
    const spec = defaultedPod({
      hostNetwork: true,
      containers: [
        {
          name: "a",
          image: "x:1",
          ports: [
            { containerPort: 53, protocol: "UDP" },
            { containerPort: 8080, hostPort: 8080 },
          ],
        },
      ],
    }).spec as { containers: Array<{ ports: unknown }> };
    assert.deepEqual(spec.containers[0].ports, [
      { containerPort: 53, protocol: "UDP", hostPort: 53 },
      { containerPort: 8080, hostPort: 8080, protocol: "TCP" },
    ]);
  });

  test("values the client set are kept", () => {
    const given = {
      containers: [
        {
          name: "web",
          image: "nginx",
          imagePullPolicy: "Never",
          terminationMessagePath: "/tmp/log",
          terminationMessagePolicy: "FallbackToLogsOnError",
          ports: [{ containerPort: 53, protocol: "SCTP" }],
          livenessProbe: {
            httpGet: { port: 80, path: "/healthz", scheme: "HTTPS" },
            timeoutSeconds: 5,
            periodSeconds: 30,
            successThreshold: 1,
            failureThreshold: 10,
          },
        },
      ],
      dnsPolicy: "Default",
      enableServiceLinks: false,
      restartPolicy: "Never",
      schedulerName: "custom",
      securityContext: { runAsNonRoot: true },
      terminationGracePeriodSeconds: 0,
    };
    assert.deepEqual(defaultedPod(structuredClone(given)).spec, given);
  });

  test("null counts as unset, as it does for Go", () => {
    const spec = defaultedPod({
      containers: [{ name: "web", image: "nginx:1.27", imagePullPolicy: null }],
      terminationGracePeriodSeconds: null,
      securityContext: null,
    }).spec as Record<string, unknown>;
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.deepEqual(spec.securityContext, {});
    assert.equal((spec.containers as Array<Record<string, unknown>>)[0].imagePullPolicy, "IfNotPresent");
  });
});
