import { ApiServer, openStore, type Store } from "@atoll/apiserver";
import {
  Informer,
  type KubeClient,
  type KubeObject,
  R,
  type ResourceId,
  rfc3339,
  systemClock,
} from "@atoll/kube";
import { ApiEventRecorder } from "../events/recorder.ts";
import { createWorkloadInformers, informersRunnable, type WorkloadInformers } from "./informers.ts";
import { podPhase } from "./pod-state.ts";
import { createWorkloadControllers, type WorkloadControllers } from "./workload-controllers.ts";

/**
 * A real in-process API server with the workload controllers running against
 * it, for tests. The test plays the kubelet: `runPod`, `finishPod`, or
 * `autoKubelet` to make every new pod Running and Ready after a delay.
 */
export type WorkloadTestCluster = {
  server: ApiServer;
  client: KubeClient;
  informers: WorkloadInformers;
  controllers: WorkloadControllers;
  errors: unknown[];
  /** Marks a pod Running and Ready (its Ready condition's lastTransitionTime is now). */
  runPod(namespace: string, name: string): Promise<KubeObject>;
  /** Moves a pod to Succeeded or Failed. */
  finishPod(namespace: string, name: string, phase: "Succeeded" | "Failed"): Promise<KubeObject>;
  /**
   * From now on, every new pending pod `filter` accepts becomes Running and
   * Ready `delayMs` after it appears, or finishes when `outcome` says so.
   */
  autoKubelet(options?: {
    delayMs?: number;
    filter?: (pod: KubeObject) => boolean;
    outcome?: (pod: KubeObject) => "Running" | "Succeeded" | "Failed";
  }): void;
  /** Pods in `namespace`, from the cache, optionally filtered by a label. */
  pods(namespace: string, label?: [string, string]): KubeObject[];
  stop(): Promise<void>;
};

export async function startWorkloadTestCluster(
  options: { jobBackoffMs?: number } = {},
): Promise<WorkloadTestCluster> {
  const store: Store = await openStore("memory");
  const server = await ApiServer.start({ store });
  const client = server.client("test");
  const informers = createWorkloadInformers(server.client("workload-informers"));
  const errors: unknown[] = [];
  const controllers = createWorkloadControllers({
    client: server.client("kube-controller-manager"),
    informers,
    clock: systemClock,
    onError: (_controller, _key, error) => errors.push(error),
    jobBackoff: { initialMs: options.jobBackoffMs ?? 0 },
    events: (component) =>
      new ApiEventRecorder({ client: server.client(component), component, clock: systemClock }),
  });
  const running = informersRunnable(informers);
  await controllers.start();
  await running.start();
  const kubeletTimers = new Set<NodeJS.Timeout>();
  let kubeletInformer: Informer | undefined;

  const runPod = (namespace: string, name: string) =>
    client.patch(
      R.pods,
      namespace,
      name,
      "merge",
      {
        status: {
          phase: "Running",
          podIP: "127.1.1.1",
          conditions: [{ type: "Ready", status: "True", lastTransitionTime: rfc3339(new Date()) }],
        },
      },
      { subresource: "status" },
    );

  const finishPod = (namespace: string, name: string, phase: "Succeeded" | "Failed") =>
    client.patch(
      R.pods,
      namespace,
      name,
      "merge",
      {
        status: {
          phase,
          conditions: [{ type: "Ready", status: "False", lastTransitionTime: rfc3339(new Date()) }],
        },
      },
      { subresource: "status" },
    );

  return {
    server,
    client,
    informers,
    controllers,
    errors,
    runPod,
    finishPod,
    autoKubelet({
      delayMs = 10,
      filter = () => true,
      outcome = (): "Running" | "Succeeded" | "Failed" => "Running",
    } = {}) {
      kubeletInformer = new Informer(client, R.pods);
      const started = new Set<string>();
      const schedule = (pod: KubeObject) => {
        const uid = pod.metadata.uid ?? "";
        if (started.has(uid) || podPhase(pod) !== "Pending" || pod.metadata.deletionTimestamp || !filter(pod))
          return;
        started.add(uid);
        const namespace = pod.metadata.namespace ?? "";
        const name = pod.metadata.name ?? "";
        const phase = outcome(pod);
        const timer = setTimeout(() => {
          kubeletTimers.delete(timer);
          const done = phase === "Running" ? runPod(namespace, name) : finishPod(namespace, name, phase);
          done.catch(() => {});
        }, delayMs);
        kubeletTimers.add(timer);
      };
      kubeletInformer.addHandlers({ onAdd: schedule, onUpdate: schedule });
      kubeletInformer.start();
    },
    pods: (namespace, label) =>
      informers.pods
        .list(namespace)
        .filter((p) => !label || p.metadata.labels?.[label[0]] === label[1])
        .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "")),
    async stop() {
      for (const timer of kubeletTimers) clearTimeout(timer);
      kubeletInformer?.stop();
      await controllers.stop();
      await running.stop();
      await server.stop();
      await store.close();
    },
  };
}

/** Polls `check` until it holds, failing with `message` (and the last value seen) after `timeoutMs`. */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  message: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The object's status as a plain record (`{}` when it has none or is gone). */
export async function statusOf(
  client: KubeClient,
  resource: ResourceId,
  namespace: string,
  name: string,
): Promise<Record<string, unknown>> {
  const object = await client.get(resource, namespace, name);
  return (object?.status as Record<string, unknown> | undefined) ?? {};
}

/** A minimal valid pod template with `labels` and one container running `image`. */
export function podTemplate(labels: Record<string, string>, image = "nginx:1.25"): Record<string, unknown> {
  return {
    metadata: { labels },
    spec: { containers: [{ name: "main", image }], restartPolicy: "Always" },
  };
}
