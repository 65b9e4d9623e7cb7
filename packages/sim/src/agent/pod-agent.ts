import { type AgentActionResult, AgentAnnotations, KubeBlocksLabels } from "@atoll/api";
import type { Clock, KubeClient, KubeObject } from "@atoll/kube";
import { R, StatusError } from "@atoll/kube";
import type { EventRecorder } from "../events/recorder.ts";
import { ActionRunner } from "./action-runner.ts";
import type { AgentPod } from "./agent-pod.ts";
import { type ContainerLookup, type ContainerProcesses, lookupContainer } from "./pod-containers.ts";
import { parseRoleProbe, renderActionResult } from "./protocol.ts";
import { RoleProber } from "./role-prober.ts";

export type PodAgentDeps = {
  /** The member's own API, as the pod's agent reaches it. */
  client: KubeClient;
  processes: ContainerProcesses | undefined;
  clock: Clock;
  recorder: EventRecorder;
  onError(error: unknown): void;
};

/** Whether a pod asks for the agent (a role probe or an action request). */
export function wantsAgent(pod: KubeObject): boolean {
  const annotations = pod.metadata.annotations ?? {};
  return (
    annotations[AgentAnnotations.roleProbe] !== undefined ||
    annotations[AgentAnnotations.actionRequest] !== undefined
  );
}

/**
 * The agent of one pod: a role prober while the pod has a usable role-probe
 * annotation, an action runner once it has an action request, and the pod
 * writes both make (metadata merge patches with only the changed key).
 */
export class PodAgent implements AgentPod {
  #pod: KubeObject;
  #deps: PodAgentDeps;
  #stopped = false;
  #probeText: string | undefined;
  #prober: RoleProber | undefined;
  #runner: ActionRunner | undefined;
  /** Role writes in order, so a removal queued after a set wins. */
  #roleWrites: Promise<void> = Promise.resolve();

  constructor(pod: KubeObject, deps: PodAgentDeps) {
    this.#pod = pod;
    this.#deps = deps;
  }

  get pod(): KubeObject {
    return this.#pod;
  }

  /** A newer version of the pod arrived from the informer. */
  update(pod: KubeObject): void {
    if (this.#stopped) return;
    this.#pod = pod;
    this.#syncProber();
    this.#prober?.podChanged();
    if (
      this.#runner === undefined &&
      pod.metadata.annotations?.[AgentAnnotations.actionRequest] !== undefined
    )
      this.#runner = new ActionRunner(this, this.#deps.clock, this.#deps.onError);
    this.#runner?.podChanged();
  }

  /** Ends probing and actions; nothing is written after this. */
  stop(): void {
    this.#stopped = true;
    this.#prober?.stop();
    this.#runner?.stop();
  }

  container(name: string | undefined): ContainerLookup {
    return lookupContainer(this.#pod, name, this.#deps.processes);
  }

  setRole(role: string | undefined): Promise<void> {
    const write = this.#roleWrites.then(() => this.#writeRole(role));
    this.#roleWrites = write.catch(() => {});
    return write;
  }

  async writeActionResult(result: AgentActionResult): Promise<void> {
    await this.#patchMetadata({
      annotations: { [AgentAnnotations.actionResult]: renderActionResult(result) },
    });
  }

  warn(reason: string, message: string): void {
    if (!this.#stopped) this.#deps.recorder.event(this.#pod, "Warning", reason, message);
  }

  #syncProber(): void {
    const text = this.#pod.metadata.annotations?.[AgentAnnotations.roleProbe];
    if (text === this.#probeText) return;
    this.#probeText = text;
    const spec = text === undefined ? undefined : parseRoleProbe(text);
    if (spec?.ok) {
      if (this.#prober) this.#prober.update(spec.value);
      else {
        this.#prober = new RoleProber(this, spec.value, this.#deps.onError);
        this.#prober.start();
      }
      return;
    }
    // Without a usable probe the label is left as it is: whoever removed or broke the probe owns it now.
    this.#prober?.stop();
    this.#prober = undefined;
    if (spec !== undefined) this.warn("InvalidRoleProbe", `role probe: ${spec.error}`);
  }

  async #writeRole(role: string | undefined): Promise<void> {
    if (this.#pod.metadata.labels?.[KubeBlocksLabels.role] === role) return;
    await this.#patchMetadata({ labels: { [KubeBlocksLabels.role]: role ?? null } });
  }

  /** A merge patch of the pod's metadata; a pod that is gone is not an error. */
  async #patchMetadata(metadata: Record<string, unknown>): Promise<void> {
    if (this.#stopped) return;
    const { namespace, name } = this.#pod.metadata;
    try {
      this.#pod = await this.#deps.client.patch(R.pods, namespace, name ?? "", "merge", { metadata });
    } catch (error) {
      if (error instanceof StatusError && error.reason === "NotFound") return;
      throw new Error(`failed to patch pod ${namespace}/${name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
