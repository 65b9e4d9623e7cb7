import type { KubeObject } from "@atoll/kube";
import { kbClusterCrd } from "./cluster-crd.ts";
import { componentDefinitionCrd } from "./component-definition-crd.ts";
import { opsRequestCrd } from "./ops-request-crd.ts";

/** Cluster, ComponentDefinition and OpsRequest (apps.kubeblocks.io/v1alpha1), fresh objects on each call. */
export function kubeBlocksCrds(): KubeObject[] {
  return [kbClusterCrd(), componentDefinitionCrd(), opsRequestCrd()];
}
