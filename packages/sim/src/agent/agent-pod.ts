import type { AgentActionResult } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import type { ContainerLookup } from "./pod-containers.ts";

/** What a pod's role prober and action runner share: the pod as last seen, its containers, writes to it. */
export interface AgentPod {
  /** The newest version of the pod the agent has (from the informer or its own writes). */
  readonly pod: KubeObject;
  container(name: string | undefined): ContainerLookup;
  /** Makes the pod's role label `role` (undefined: removed); writes nothing when it already is. */
  setRole(role: string | undefined): Promise<void>;
  writeActionResult(result: AgentActionResult): Promise<void>;
  /** A Warning event on the pod (an unusable annotation). */
  warn(reason: string, message: string): void;
}
