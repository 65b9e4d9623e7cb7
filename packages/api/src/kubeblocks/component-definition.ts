import type { KubeObject, ResourceId } from "@atoll/kube";
import { KUBEBLOCKS_GROUP, KUBEBLOCKS_VERSION } from "./kubeblocks-names.ts";

/** How to run one kind of component (etcd, MySQL…): cluster-scoped, named by Clusters' `componentDef`. */
export const COMPONENT_DEFINITIONS: ResourceId = {
  group: KUBEBLOCKS_GROUP,
  version: KUBEBLOCKS_VERSION,
  resource: "componentdefinitions",
  kind: "ComponentDefinition",
  namespaced: false,
};

/** A command run in a replica's container. */
export type ExecAction = { command?: string[]; args?: string[] };

/** Where KubeBlocks may run an action: any replica, all, those of a role (matchingKey), or by ordinal. */
export const TargetPodSelectors = { Any: "Any", All: "All", Role: "Role", Ordinal: "Ordinal" } as const;
export type TargetPodSelector = (typeof TargetPodSelectors)[keyof typeof TargetPodSelectors];

/** An action (KubeBlocks 0.9 `Action`): Atoll runs `exec` commands; other fields are kept. */
export type LifecycleAction = {
  image?: string;
  exec?: ExecAction;
  /** The container to run in; defaults to the first of `runtime.containers`. */
  container?: string;
  timeoutSeconds?: number;
  targetPodSelector?: TargetPodSelector;
  matchingKey?: string;
  [field: string]: unknown;
};

/** KubeBlocks 0.9 wraps most actions: a named built-in handler, or a custom action. */
export type LifecycleActionHandler = { builtinHandler?: string; customHandler?: LifecycleAction };

export type RoleProbe = LifecycleActionHandler & {
  initialDelaySeconds?: number;
  /** Defaults to 1. */
  timeoutSeconds?: number;
  /** Defaults to 2. */
  periodSeconds?: number;
};

export type ComponentSwitchover = { withCandidate?: LifecycleAction; withoutCandidate?: LifecycleAction };

export type ComponentLifecycleActions = {
  roleProbe?: RoleProbe;
  switchover?: ComponentSwitchover;
  memberJoin?: LifecycleActionHandler;
  memberLeave?: LifecycleActionHandler;
  [action: string]: unknown;
};

export type ReplicaRole = { name: string; serviceable?: boolean; writable?: boolean; votable?: boolean };

export type ComponentService = {
  name: string;
  /** The Service name's suffix; defaults to `name`. */
  serviceName?: string;
  /** A core/v1 ServiceSpec (ports, type…), kept as sent. */
  spec?: Record<string, unknown>;
  annotations?: Record<string, string>;
  /** Select only replicas of this role. */
  roleSelector?: string;
  podService?: boolean;
  disableAutoProvision?: boolean;
};

export const VarOptions = { Required: "Required", Optional: "Optional" } as const;
export type VarOption = (typeof VarOptions)[keyof typeof VarOptions];

/**
 * A var resolved from a component service: its host, its load-balancer
 * address, or a port. For a pod service, one value per replica, joined with
 * commas (`<svc>:<value>,…`). A replica starts only once Required vars resolve.
 */
export type ServiceVarSelector = {
  /** The ComponentDefinition of the component the service belongs to; defaults to this one. */
  compDef?: string;
  /** The service's `name` in that definition. */
  name?: string;
  optional?: boolean;
  host?: VarOption;
  loadBalancer?: VarOption;
  port?: { name?: string; option?: VarOption };
  [field: string]: unknown;
};

export type VarSource = {
  serviceVarRef?: ServiceVarSelector;
  /** configMapKeyRef, secretKeyRef, hostNetworkVarRef, credentialVarRef, componentVarRef…: kept, not resolved yet. */
  [source: string]: unknown;
};

export type ComponentVar = { name: string; value?: string; valueFrom?: VarSource; expression?: string };

export type ComponentDefinitionSpec = {
  provider?: string;
  description?: string;
  /** e.g. etcd. */
  serviceKind?: string;
  serviceVersion?: string;
  /** The pod template: a core/v1 PodSpec (containers with their ports, volumes…). */
  runtime: Record<string, unknown>;
  vars?: ComponentVar[];
  services?: ComponentService[];
  roles?: ReplicaRole[];
  lifecycleActions?: ComponentLifecycleActions;
  [field: string]: unknown;
};

export const ComponentDefinitionPhases = { Available: "Available", Unavailable: "Unavailable" } as const;
export type ComponentDefinitionPhase =
  (typeof ComponentDefinitionPhases)[keyof typeof ComponentDefinitionPhases];

export type ComponentDefinitionStatus = {
  observedGeneration?: number;
  phase?: ComponentDefinitionPhase;
  message?: string;
};

export type ComponentDefinition = KubeObject & {
  spec: ComponentDefinitionSpec;
  status?: ComponentDefinitionStatus;
};
