import type { Clock, Informer, KubeClient, KubeObject, Runnable } from "@atoll/kube";
import { objectKeyOf } from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { PodAgent, wantsAgent } from "./pod-agent.ts";
import type { ContainerProcesses } from "./pod-containers.ts";

export type ReplicaAgentOptions = {
  /** The member's own API (writes are attributed to this client's field manager). */
  client: KubeClient;
  pods: Informer;
  /** The member's real-process runtime; undefined when every container is simulated. */
  processes: ContainerProcesses | undefined;
  clock: Clock;
  recorder: EventRecorder;
  onError?: (component: string, key: string, error: unknown) => void;
};

/** The component name in errors and events. */
export const AGENT_COMPONENT = "atoll-agent";

/**
 * What KubeBlocks' kbagent does inside each replica's pod, done by the member
 * for every pod that asks (see README.md): role probes kept in the pod's
 * `kubeblocks.io/role` label and lifecycle actions answered in an
 * annotation. Containers the kubelet simulates have no process, so nothing is
 * probed in them and actions on them report so.
 */
export class ReplicaAgent implements Runnable {
  #options: ReplicaAgentOptions;
  #agents = new Map<string, PodAgent>();
  #stopped = false;

  constructor(options: ReplicaAgentOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    await this.#options.pods.synced();
    this.#options.pods.addHandlers({
      onAdd: (pod) => this.#sync(pod),
      onUpdate: (pod) => this.#sync(pod),
      onDelete: (pod) => this.#forget(pod),
    });
  }

  /** Stops every pod's probes and actions; the member writes nothing more for them. */
  stop(): void {
    this.#stopped = true;
    for (const agent of this.#agents.values()) agent.stop();
    this.#agents.clear();
  }

  /** Pods with an agent now (for tests and benchmarks). */
  get podCount(): number {
    return this.#agents.size;
  }

  #sync(pod: KubeObject): void {
    if (this.#stopped) return;
    const uid = pod.metadata.uid ?? "";
    let agent = this.#agents.get(uid);
    if (!wantsAgent(pod)) {
      agent?.stop();
      this.#agents.delete(uid);
      return;
    }
    if (agent === undefined) {
      const key = objectKeyOf(pod);
      agent = new PodAgent(pod, {
        client: this.#options.client,
        processes: this.#options.processes,
        clock: this.#options.clock,
        recorder: this.#options.recorder,
        onError: (error) => this.#options.onError?.(AGENT_COMPONENT, key, error),
      });
      this.#agents.set(uid, agent);
    }
    agent.update(pod);
  }

  #forget(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? "";
    this.#agents.get(uid)?.stop();
    this.#agents.delete(uid);
  }
}
