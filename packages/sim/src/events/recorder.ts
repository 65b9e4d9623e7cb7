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
  #sequence = 0;

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
    const name = `${meta.name}.${(this.#clock.now().getTime() * 1000 + (this.#sequence++ % 1000)).toString(16)}`;
    if (this.#seen.size > 4096) this.#seen.clear();
    this.#seen.set(key, { name, namespace, count: 1 });
    await this.#client.create(R.events, namespace, {
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
