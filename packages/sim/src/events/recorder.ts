import type { Clock, KubeClient, KubeObject } from "@atoll/kube";
import { R, rfc3339, StatusError } from "@atoll/kube";

export type EventType = "Normal" | "Warning";

/** Records core/v1 Events about objects, as a component of a real cluster does. */
export interface EventRecorder {
  /** Fire and forget: recording never fails the caller. */
  event(
    object: KubeObject,
    type: EventType,
    reason: string,
    message: string,
    options?: { fieldPath?: string },
  ): void;
}

type Seen = { name: string; namespace: string; count: number };

let sequence = 0;
/** One counter for every recorder in the process, so event names made in the same millisecond differ. */
function nextSequence(): number {
  sequence = (sequence + 1) % 1_000_000;
  return sequence;
}

/**
 * Writes Events through the API, merging repeats of the same object, reason
 * and message into one Event with a growing `count` (as client-go's correlator does).
 */
export class ApiEventRecorder implements EventRecorder {
  #client: KubeClient;
  #component: string;
  #host: string | undefined;
  #clock: Clock;
  #seen = new Map<string, Seen>();

  constructor(options: { client: KubeClient; component: string; host?: string; clock: Clock }) {
    this.#client = options.client;
    this.#component = options.component;
    this.#host = options.host;
    this.#clock = options.clock;
  }

  event(
    object: KubeObject,
    type: EventType,
    reason: string,
    message: string,
    options: { fieldPath?: string } = {},
  ): void {
    void this.#record(object, type, reason, message, options.fieldPath).catch(() => {
      // Events are best effort, as in Kubernetes.
    });
  }

  async #record(object: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string) {
    const meta = object.metadata;
    const namespace = meta.namespace || "default";
    const key = [meta.uid, fieldPath ?? "", reason, message].join("\u0000");
    const now = rfc3339(this.#clock.now());
    const seen = this.#seen.get(key);
    if (seen) {
      seen.count++;
      try {
        await this.#client.patch(R.events, seen.namespace, seen.name, "merge", {
          count: seen.count,
          lastTimestamp: now,
        });
        return;
      } catch (error) {
        if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
      }
    }
    if (this.#seen.size > 4096) this.#seen.clear();
    // Names come from one sequence shared by every recorder in the process (a member's scheduler and
    // kubelet record events about the same pod in the same millisecond); a clash is retried once.
    for (let attempt = 0; ; attempt++) {
      const name = `${meta.name}.${(this.#clock.now().getTime() * 1000 + (nextSequence() % 1000)).toString(16)}`;
      this.#seen.set(key, { name, namespace, count: 1 });
      try {
        await this.#create(object, name, namespace, { type, reason, message, fieldPath, now });
        return;
      } catch (error) {
        if (attempt > 0 || !(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
      }
    }
  }

  #create(
    object: KubeObject,
    name: string,
    namespace: string,
    event: { type: EventType; reason: string; message: string; fieldPath?: string; now: string },
  ): Promise<KubeObject> {
    const meta = object.metadata;
    const { type, reason, message, fieldPath, now } = event;
    return this.#client.create(R.events, namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.#component, ...(this.#host ? { host: this.#host } : {}) },
      reportingComponent: this.#component,
      reportingInstance: this.#host ?? "",
    });
  }
}
