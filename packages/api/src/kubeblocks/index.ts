/** KubeBlocks' database-instance API (apps.kubeblocks.io/v1alpha1): types, CRDs and well-known names. */
export * from "./agent-names.ts";
export * from "./cluster.ts";
export { kbClusterCrd } from "./cluster-crd.ts";
export * from "./component-definition.ts";
export { componentDefinitionCrd } from "./component-definition-crd.ts";
export * from "./instance-operations.ts";
export { kubeBlocksCrds } from "./kubeblocks-crds.ts";
export * from "./kubeblocks-names.ts";
export * from "./ops-request.ts";
export { opsRequestCrd } from "./ops-request-crd.ts";
