import type { Runnable } from "@atoll/kube";
import { DaemonSetController } from "./daemonset-controller.ts";
import { DeploymentController } from "./deployment-controller.ts";
import { JobController } from "./job-controller.ts";
import { ReplicaSetController } from "./replicaset-controller.ts";
import { StatefulSetController } from "./statefulset-controller.ts";
import type { WorkloadControllerOptions } from "./synced-controller.ts";

/** What `createWorkloadControllers` needs: a client, shared informers, a clock, an error sink, and the Job back-off. */
export type CreateWorkloadControllersOptions = WorkloadControllerOptions & {
  /** Delay before a Job replaces failed pods: `initialMs` doubling per failure up to `maxMs` (Kubernetes: 10 s, 6 min). */
  jobBackoff?: { initialMs?: number; maxMs?: number };
};

/** The workload controllers of one member cluster, started and stopped together. */
export type WorkloadControllers = Runnable & {
  replicaSets: ReplicaSetController;
  deployments: DeploymentController;
  statefulSets: StatefulSetController;
  daemonSets: DaemonSetController;
  jobs: JobController;
};

/**
 * The controllers kube-controller-manager runs for workloads, over shared
 * informers the caller creates and starts (see `createWorkloadInformers`).
 * `start()` returns at once; each controller begins reconciling once the
 * informers it reads have listed.
 */
export function createWorkloadControllers(options: CreateWorkloadControllersOptions): WorkloadControllers {
  const replicaSets = new ReplicaSetController(options);
  const deployments = new DeploymentController(options);
  const statefulSets = new StatefulSetController(options);
  const daemonSets = new DaemonSetController(options);
  const jobs = new JobController({ ...options, backoff: options.jobBackoff });
  const all: Runnable[] = [replicaSets, deployments, statefulSets, daemonSets, jobs];
  return {
    replicaSets,
    deployments,
    statefulSets,
    daemonSets,
    jobs,
    async start() {
      for (const controller of all) await controller.start();
    },
    async stop() {
      for (const controller of [...all].reverse()) await controller.stop();
    },
  };
}
