/** KubeBlocks' OpsRequest at the hub: the controller that runs operations on Clusters, and its well-known names. */
export { OpsController, type OpsControllerOptions } from "./ops-controller.ts";
export * from "./ops-names.ts";
