/** KubeBlocks' Cluster placed across members: the instance controller and its well-known names. */
export { InstanceController, type InstanceControllerOptions } from "./instance-controller.ts";
export * from "./instance-names.ts";
