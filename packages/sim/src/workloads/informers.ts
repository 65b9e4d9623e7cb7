import { Informer, type KubeClient, R, type ResourceId, type Runnable } from "@atoll/kube";

/** The shared informers the workload controllers read from. */
export type WorkloadInformers = {
  pods: Informer;
  replicasets: Informer;
  deployments: Informer;
  statefulsets: Informer;
  daemonsets: Informer;
  jobs: Informer;
  nodes: Informer;
  persistentvolumeclaims: Informer;
};

/** One unstarted informer per resource the workload controllers read, across all namespaces. */
export function createWorkloadInformers(client: KubeClient): WorkloadInformers {
  return {
    pods: new Informer(client, R.pods),
    replicasets: new Informer(client, R.replicasets),
    deployments: new Informer(client, R.deployments),
    statefulsets: new Informer(client, R.statefulsets),
    daemonsets: new Informer(client, R.daemonsets),
    jobs: new Informer(client, R.jobs),
    nodes: new Informer(client, R.nodes),
    persistentvolumeclaims: new Informer(client, R.persistentvolumeclaims),
  };
}

/**
 * The workload informers taken from a shared-informer factory (such as the
 * member's `InformerFactory`), so the workload controllers share one cache per
 * resource with every other controller of the member.
 */
export function workloadInformersFrom(factory: { for(resource: ResourceId): Informer }): WorkloadInformers {
  return {
    pods: factory.for(R.pods),
    replicasets: factory.for(R.replicasets),
    deployments: factory.for(R.deployments),
    statefulsets: factory.for(R.statefulsets),
    daemonsets: factory.for(R.daemonsets),
    jobs: factory.for(R.jobs),
    nodes: factory.for(R.nodes),
    persistentvolumeclaims: factory.for(R.persistentvolumeclaims),
  };
}

/** Starts every informer (and resolves once all have listed); stops them all. */
export function informersRunnable(informers: WorkloadInformers): Runnable {
  const all = Object.values(informers);
  return {
    async start() {
      for (const informer of all) informer.start();
      await Promise.all(all.map((informer) => informer.synced()));
    },
    stop() {
      for (const informer of all) informer.stop();
    },
  };
}
