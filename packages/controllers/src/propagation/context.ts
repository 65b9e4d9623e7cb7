import { MEMBER_CLUSTERS } from "@atoll/api";
import type { Clock, Informer, KubeClient } from "@atoll/kube";
import { R, systemClock } from "@atoll/kube";
import type { MemberClusterController } from "../members/member-cluster-controller.ts";
import { InformerPool } from "./informer-pool.ts";
import { ResourceMapper } from "./resource-mapper.ts";

/**
 * What every propagation controller shares: the hub API, one pool of hub
 * informers (so templates, policies, bindings and Works are each watched
 * once), the kind→resource mapper, the MemberClusters, and the member
 * runtimes (`members.runtime(name)?.connection.client` is a member's API).
 */
export type PropagationContext = {
  hub: KubeClient;
  hubInformers: InformerPool;
  mapper: ResourceMapper;
  memberClusters: Informer;
  members: Pick<MemberClusterController, "runtime">;
  clock: Clock;
  onError?: (controller: string, key: string, error: unknown) => void;
};

/** Builds the shared context; the pool's informers start on first use and stop with `hubInformers.stop()`. */
export function propagationContext(options: {
  hub: KubeClient;
  members: Pick<MemberClusterController, "runtime">;
  clock?: Clock;
  onError?: PropagationContext["onError"];
}): PropagationContext {
  const hubInformers = new InformerPool(options.hub);
  return {
    hub: options.hub,
    hubInformers,
    mapper: new ResourceMapper(hubInformers.informer(R.customresourcedefinitions)),
    memberClusters: hubInformers.informer(MEMBER_CLUSTERS),
    members: options.members,
    clock: options.clock ?? systemClock,
    onError: options.onError,
  };
}
