/**
 * The workload controllers of a simulated member cluster: what
 * kube-controller-manager runs for ReplicaSets, Deployments, StatefulSets,
 * DaemonSets and Jobs, written against `@atoll/kube`'s client and informers.
 */
export { DaemonSetController } from "./daemonset-controller.ts";
export { DeploymentController } from "./deployment-controller.ts";
export {
  createWorkloadInformers,
  informersRunnable,
  type WorkloadInformers,
  workloadInformersFrom,
} from "./informers.ts";
export { JobController, type JobControllerOptions } from "./job-controller.ts";
export { workloadControllersExtension } from "./member-extension.ts";
export { ReplicaSetController } from "./replicaset-controller.ts";
export { StatefulSetController } from "./statefulset-controller.ts";
export type { WorkloadControllerOptions } from "./synced-controller.ts";
export {
  JOB_TRACKING_FINALIZER,
  WorkloadAnnotations,
  WorkloadControllerNames,
  WorkloadLabels,
} from "./well-known.ts";
export {
  type CreateWorkloadControllersOptions,
  createWorkloadControllers,
  type WorkloadControllers,
} from "./workload-controllers.ts";
