import assert from "node:assert/strict";
import { test } from "node:test";
import { concrete, type Shape } from "../shape.ts";
import { builtinRootShapeName, builtinShapes } from "./index.ts";

/** A minimal structural check (test-only): unknown fields and scalar type mismatches, by path. */
function problems(value: unknown, shape: Shape, path = ""): string[] {
  const s = concrete(shape, builtinShapes);
  if (value === null || s.type === "any") return [];
  switch (s.type) {
    case "scalar": {
      const ok =
        s.scalar === "integer"
          ? Number.isInteger(value)
          : s.scalar === "number"
            ? typeof value === "number"
            : s.scalar === "boolean"
              ? typeof value === "boolean"
              : s.scalar === "int-or-string"
                ? typeof value === "string" || Number.isInteger(value)
                : s.scalar === "quantity"
                  ? typeof value === "string" || typeof value === "number"
                  : typeof value === "string";
      const inEnum = !s.enum || s.enum.includes(value as string);
      return ok && inEnum ? [] : [`${path}: ${JSON.stringify(value)} is not ${s.scalar}`];
    }
    case "list":
      if (!Array.isArray(value)) return [`${path}: not a list`];
      return value.flatMap((item, i) => problems(item, s.items, `${path}[${i}]`));
    case "map":
      if (typeof value !== "object" || Array.isArray(value)) return [`${path}: not a map`];
      return Object.entries(value).flatMap(([k, v]) => problems(v, s.values, `${path}[${k}]`));
    case "struct":
      if (typeof value !== "object" || Array.isArray(value)) return [`${path}: not an object`];
      return Object.entries(value).flatMap(([k, v]) =>
        k in s.fields
          ? problems(v, s.fields[k], `${path}.${k}`)
          : s.open
            ? []
            : [`${path}.${k}: unknown field`],
      );
  }
}

function check(group: string, manifest: { kind: string; [field: string]: unknown }): void {
  const root: Shape = { type: "ref", name: builtinRootShapeName(group, manifest.kind) };
  assert.deepEqual(problems(manifest, root), [], manifest.kind);
}

const podTemplate = {
  metadata: { labels: { app: "web" }, annotations: { "prometheus.io/scrape": "true" } },
  spec: {
    serviceAccountName: "web",
    securityContext: { runAsNonRoot: true, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
    imagePullSecrets: [{ name: "regcred" }],
    initContainers: [{ name: "migrate", image: "web:1", command: ["./migrate"], restartPolicy: "Always" }],
    containers: [
      {
        name: "web",
        image: "nginx:1.27",
        imagePullPolicy: "IfNotPresent",
        args: ["--port", "8080"],
        ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
        env: [
          { name: "MODE", value: "prod" },
          { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password", optional: false } } },
          { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1m" } } },
        ],
        envFrom: [{ configMapRef: { name: "web-config" }, prefix: "CFG_" }],
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: 1, memory: "1Gi" } },
        livenessProbe: { httpGet: { path: "/healthz", port: "http", scheme: "HTTP" }, periodSeconds: 10 },
        readinessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 5 },
        startupProbe: { exec: { command: ["cat", "/tmp/ready"] }, failureThreshold: 30 },
        lifecycle: { preStop: { sleep: { seconds: 5 } } },
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          readOnlyRootFilesystem: true,
        },
        volumeMounts: [
          { name: "data", mountPath: "/data" },
          { name: "config", mountPath: "/etc/web", readOnly: true, subPath: "web.conf" },
        ],
      },
    ],
    volumes: [
      { name: "data", persistentVolumeClaim: { claimName: "data" } },
      { name: "config", configMap: { name: "web-config", items: [{ key: "web.conf", path: "web.conf" }] } },
      { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
      {
        name: "token",
        projected: {
          sources: [
            { serviceAccountToken: { path: "token", expirationSeconds: 3600, audience: "api" } },
            { downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
          ],
        },
      },
    ],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }] },
          ],
        },
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: { app: "web" } },
              topologyKey: "kubernetes.io/hostname",
            },
          },
        ],
      },
    },
    tolerations: [
      { key: "dedicated", operator: "Equal", value: "web", effect: "NoSchedule", tolerationSeconds: 60 },
    ],
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { app: "web" } },
      },
    ],
    nodeSelector: { "kubernetes.io/arch": "amd64" },
    hostAliases: [{ ip: "10.0.0.1", hostnames: ["db.local"] }],
    dnsConfig: { options: [{ name: "ndots", value: "2" }] },
    terminationGracePeriodSeconds: 30,
  },
};

test("a production-style Deployment, Service and HPA-free app validate", () => {
  check("apps", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels: { app: "web" } },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 5,
      selector: {
        matchLabels: { app: "web" },
        matchExpressions: [{ key: "tier", operator: "In", values: ["fe"] }],
      },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
      template: podTemplate,
    },
    status: {
      observedGeneration: 2,
      replicas: 3,
      conditions: [
        {
          type: "Available",
          status: "True",
          lastUpdateTime: "2024-01-01T00:00:00Z",
          reason: "MinimumReplicasAvailable",
        },
      ],
    },
  });
  check("", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web" },
    spec: {
      type: "LoadBalancer",
      selector: { app: "web" },
      ports: [
        { name: "http", port: 80, targetPort: "http", protocol: "TCP", nodePort: 30080, appProtocol: "http" },
      ],
      externalTrafficPolicy: "Local",
      ipFamilyPolicy: "SingleStack",
      ipFamilies: ["IPv4"],
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 300 } },
    },
    status: {
      loadBalancer: { ingress: [{ ip: "1.2.3.4", ipMode: "VIP", ports: [{ port: 80, protocol: "TCP" }] }] },
    },
  });
});

test("StatefulSet, DaemonSet, Job and PVC validate", () => {
  check("apps", {
    kind: "StatefulSet",
    spec: {
      serviceName: "db",
      podManagementPolicy: "Parallel",
      selector: { matchLabels: { app: "db" } },
      template: podTemplate,
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0, maxUnavailable: 1 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: "fast",
            resources: { requests: { storage: "10Gi" } },
          },
        },
      ],
    },
  });
  check("apps", {
    kind: "DaemonSet",
    spec: {
      selector: { matchLabels: { app: "agent" } },
      template: podTemplate,
      updateStrategy: { type: "OnDelete" },
    },
  });
  check("batch", {
    kind: "Job",
    spec: {
      completions: 5,
      parallelism: 2,
      completionMode: "Indexed",
      backoffLimitPerIndex: 1,
      ttlSecondsAfterFinished: 100,
      podFailurePolicy: { rules: [{ action: "FailJob", onExitCodes: { operator: "In", values: [42] } }] },
      successPolicy: { rules: [{ succeededIndexes: "0-2", succeededCount: 1 }] },
      template: { spec: { ...podTemplate.spec, restartPolicy: "Never" } },
    },
    status: { uncountedTerminatedPods: { succeeded: ["uid-1"] }, startTime: "2024-01-01T00:00:00Z" },
  });
  check("", {
    kind: "PersistentVolumeClaim",
    spec: {
      accessModes: ["ReadWriteOncePod"],
      volumeMode: "Filesystem",
      resources: { requests: { storage: "1Gi" } },
      dataSourceRef: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "snap" },
    },
  });
});

test("RBAC, ConfigMap, Secret, Lease, EndpointSlice, StorageClass, Event and Node validate", () => {
  check("rbac.authorization.k8s.io", {
    kind: "ClusterRole",
    rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] }],
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/aggregate": "true" } }] },
  });
  check("rbac.authorization.k8s.io", {
    kind: "RoleBinding",
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
    subjects: [{ kind: "ServiceAccount", name: "web", namespace: "default" }],
  });
  check("", { kind: "ConfigMap", data: { "a.conf": "x" }, binaryData: { b: "AAE=" }, immutable: true });
  check("", { kind: "Secret", type: "Opaque", data: { p: "cGFzcw==" }, stringData: { u: "admin" } });
  check("coordination.k8s.io", {
    kind: "Lease",
    spec: {
      holderIdentity: "a",
      leaseDurationSeconds: 15,
      renewTime: "2024-01-01T00:00:00.000000Z",
      leaseTransitions: 2,
    },
  });
  check("discovery.k8s.io", {
    kind: "EndpointSlice",
    addressType: "IPv4",
    endpoints: [
      {
        addresses: ["10.0.0.5"],
        conditions: { ready: true },
        nodeName: "n1",
        zone: "a",
        hints: { forZones: [{ name: "a" }] },
      },
    ],
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
  });
  check("storage.k8s.io", {
    kind: "StorageClass",
    provisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3" },
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
  });
  check("", {
    kind: "Event",
    involvedObject: { kind: "Pod", name: "web", namespace: "default", uid: "u" },
    reason: "Scheduled",
    type: "Normal",
    count: 1,
    firstTimestamp: "2024-01-01T00:00:00Z",
    eventTime: "2024-01-01T00:00:00.000000Z",
    source: { component: "scheduler" },
  });
  check("", {
    kind: "Node",
    spec: { podCIDR: "10.0.0.0/24", podCIDRs: ["10.0.0.0/24"], taints: [{ key: "k", effect: "NoSchedule" }] },
    status: {
      capacity: { cpu: "4", memory: "16Gi", pods: "110" },
      addresses: [{ type: "InternalIP", address: "192.168.1.2" }],
      nodeInfo: { kubeletVersion: "v1.32.0", architecture: "amd64", operatingSystem: "linux" },
      conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2024-01-01T00:00:00Z" }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  });
});

test("a CustomResourceDefinition with structural-schema extensions validates", () => {
  check("apiextensions.k8s.io", {
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: {
        plural: "widgets",
        singular: "widget",
        kind: "Widget",
        shortNames: ["wg"],
        categories: ["all"],
      },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
          },
          additionalPrinterColumns: [{ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }],
          selectableFields: [{ jsonPath: ".spec.color" }],
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: {
                  type: "object",
                  required: ["color"],
                  "x-kubernetes-validations": [{ rule: "self.replicas >= 0", message: "no negatives" }],
                  properties: {
                    color: { type: "string", enum: ["red", "blue"], default: "red" },
                    replicas: { type: "integer", minimum: 0, maximum: 10.5 },
                    port: {
                      "x-kubernetes-int-or-string": true,
                      anyOf: [{ type: "integer" }, { type: "string" }],
                    },
                    items: {
                      type: "array",
                      "x-kubernetes-list-type": "map",
                      "x-kubernetes-list-map-keys": ["name"],
                      items: { type: "object", properties: { name: { type: "string" } } },
                    },
                    extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                    labels: {
                      type: "object",
                      additionalProperties: { type: "string" },
                      "x-kubernetes-map-type": "atomic",
                    },
                  },
                },
              },
            },
          },
        },
      ],
      conversion: { strategy: "None" },
    },
  });
});

test("the walker does reject unknown fields and wrong types", () => {
  const root: Shape = { type: "ref", name: builtinRootShapeName("", "Pod") };
  const pod = {
    kind: "Pod",
    spec: { containers: [{ name: "a", imagee: "x", ports: [{ containerPort: "80" }] }] },
  };
  assert.deepEqual(problems(pod, root), [
    ".spec.containers[0].imagee: unknown field",
    '.spec.containers[0].ports[0].containerPort: "80" is not integer',
  ]);
});
