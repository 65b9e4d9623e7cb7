import type { Clock, KubeClient, KubeObject } from "@atoll/kube";
import { R, rfc3339 } from "@atoll/kube";

/** Event reasons the detector reports on policies. */
export const DetectorEventReasons = {
  /** A resource selector names a kind the hub does not serve (yet): its templates cannot be found. */
  UnknownKind: "UnknownKind",
  /** A resource selector names one of Atoll's own kinds, which are never propagated. */
  ReservedKind: "ReservedKind",
} as const;

/**
 * Warning Events on policies, written once per policy (by uid), reason and
 * message: a policy re-read a hundred times does not make a hundred Events.
 * Best effort, as Kubernetes' event recorder: a failed write is not retried.
 */
export class PolicyEvents {
  #client: KubeClient;
  #clock: Clock;
  #component: string;
  #recorded = new Set<string>();
  #sequence = 0;

  constructor(options: { client: KubeClient; clock: Clock; component: string }) {
    this.#client = options.client;
    this.#clock = options.clock;
    this.#component = options.component;
  }

  warn(policy: KubeObject, reason: string, message: string): void {
    const key = [policy.metadata.uid, reason, message].join("\u0000");
    if (this.#recorded.has(key)) return;
    if (this.#recorded.size > 4096) this.#recorded.clear();
    this.#recorded.add(key);
    void this.#write(policy, reason, message).catch(() => this.#recorded.delete(key));
  }

  async #write(policy: KubeObject, reason: string, message: string): Promise<void> {
    const { metadata } = policy;
    // Events about cluster-scoped objects live in "default", as Kubernetes records them.
    const namespace = metadata.namespace || "default";
    const now = this.#clock.now();
    const suffix = (now.getTime() * 1000 + (this.#sequence++ % 1000)).toString(16);
    await this.#client.create(R.events, namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${metadata.name}.${suffix}`, namespace },
      involvedObject: {
        apiVersion: policy.apiVersion,
        kind: policy.kind,
        ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
        name: metadata.name,
        uid: metadata.uid,
        resourceVersion: metadata.resourceVersion,
      },
      reason,
      message,
      type: "Warning",
      count: 1,
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      source: { component: this.#component },
      reportingComponent: this.#component,
      reportingInstance: "",
    });
  }
}
