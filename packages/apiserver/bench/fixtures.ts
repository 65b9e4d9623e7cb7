/** The annotation a watched object carries: its send time, in ms on the wall clock (see `wallClockMs`). */
export const SENT_AT_ANNOTATION = "bench.atoll.dev/sent-at";

export type ConfigMapOptions = {
  name: string;
  namespace: string;
  resourceVersion?: string;
  sentAtMs?: number;
};

/** A small ConfigMap (~400 bytes) such as controllers write often. */
export function configMap(options: ConfigMapOptions, revision: number): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { "app.kubernetes.io/name": "bench", "app.kubernetes.io/part-of": "atoll-bench" },
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.sentAtMs === undefined
        ? {}
        : { annotations: { [SENT_AT_ANNOTATION]: options.sentAtMs.toFixed(3) } }),
    },
    data: {
      revision: String(revision),
      "app.properties": `log.level=info\nfeature.flags=alpha,beta\ncache.size=${256 + (revision % 64)}\n`,
      endpoint: "https://api.internal.example:8443/v1",
    },
  };
}

/**
 * A Pod shaped like a Deployment's (~1.5 KB of JSON): labels, probes,
 * resources, env, volumes, a sidecar and tolerations. No ownerReferences, so
 * the garbage collector leaves it alone.
 */
export function pod(name: string, namespace: string, index: number): Record<string, unknown> {
  const app = `web-${index % 50}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      labels: { app, "app.kubernetes.io/name": app, "pod-template-hash": "7c9f8d6b5", tier: "frontend" },
      annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9090" },
    },
    spec: {
      nodeName: `worker-${index % 100}`,
      serviceAccountName: "web",
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      containers: [webContainer(app), sidecar()],
      volumes: [{ name: "config", configMap: { name: `${app}-config` } }],
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
    },
  };
}

function webContainer(app: string): Record<string, unknown> {
  return {
    name: "web",
    image: "registry.example.com/shop/web:1.24.3",
    ports: [
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "metrics", containerPort: 9090, protocol: "TCP" },
    ],
    env: [
      { name: "APP_NAME", value: app },
      { name: "LOG_LEVEL", value: "info" },
    ],
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    volumeMounts: [{ name: "config", mountPath: "/etc/web", readOnly: true }],
    readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: "/livez", port: 8080 }, initialDelaySeconds: 15, periodSeconds: 20 },
  };
}

function sidecar(): Record<string, unknown> {
  return {
    name: "log-shipper",
    image: "registry.example.com/infra/log-shipper:3.1.0",
    args: ["--input=/var/log/web", "--output=forward://collector.logging:24224"],
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
  };
}
