import { Informer, isRecord, type KubeClient, type KubeObject, R, type ResourceId } from "@atoll/kube";
import { InformerPool } from "../propagation/informer-pool.ts";
import { InstanceLabels } from "./instance-names.ts";

/** The kinds the instance controller creates in members. */
export const INSTANCE_KINDS: readonly ResourceId[] = [R.pods, R.services, R.persistentvolumeclaims];

/**
 * The instance controller's informers over one member: its pods, services
 * and PVCs carrying the instance label, built over one connection (a new
 * connection, or the member back from an outage, means new informers).
 * Every change is reported as the hub Cluster's key (`namespace/name`).
 */
export class MemberInformers {
  readonly member: string;
  readonly client: KubeClient;
  readonly source: object;
  #pool: InformerPool;
  /** The member's nodes (few, unlabelled): where its node ports listen. */
  #nodes: Informer;

  constructor(options: {
    member: string;
    client: KubeClient;
    source: object;
    onCluster: (key: string) => void;
  }) {
    this.member = options.member;
    this.client = options.client;
    this.source = options.source;
    this.#pool = new InformerPool(options.client, { labelSelector: InstanceLabels.cluster });
    const emit = (object: KubeObject) => {
      const cluster = object.metadata.labels?.[InstanceLabels.cluster];
      if (cluster) options.onCluster(`${object.metadata.namespace}/${cluster}`);
    };
    for (const kind of INSTANCE_KINDS) {
      this.#pool.informer(kind, { onAdd: emit, onUpdate: emit, onDelete: emit });
    }
    this.#nodes = new Informer(options.client, R.nodes);
    this.#nodes.start();
  }

  /** The InternalIP of the member's first Ready node, by name. */
  nodeAddress(): string | undefined {
    const nodes = this.#nodes
      .list()
      .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
    for (const node of nodes) {
      const status = isRecord(node.status) ? node.status : {};
      const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
      if (!conditions.some((c) => c.type === "Ready" && c.status === "True")) continue;
      const addresses = Array.isArray(status.addresses) ? status.addresses.filter(isRecord) : [];
      const internal = addresses.find((a) => a.type === "InternalIP");
      if (typeof internal?.address === "string") return internal.address;
    }
    return undefined;
  }

  informer(kind: ResourceId): Informer {
    return this.#pool.informer(kind);
  }

  get synced(): boolean {
    return INSTANCE_KINDS.every((kind) => this.#pool.informer(kind).hasSynced);
  }

  /** The member's objects of hub Cluster `namespace/name` of one kind. */
  objectsOf(kind: ResourceId, namespace: string, cluster: string): KubeObject[] {
    return this.informer(kind)
      .list(namespace)
      .filter((o) => o.metadata.labels?.[InstanceLabels.cluster] === cluster);
  }

  get(kind: ResourceId, namespace: string, name: string): KubeObject | undefined {
    return this.informer(kind).get(`${namespace}/${name}`);
  }

  stop(): void {
    this.#nodes.stop();
    this.#pool.stop();
  }
}
