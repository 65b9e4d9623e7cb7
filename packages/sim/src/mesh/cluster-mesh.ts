import {
  type Clock,
  Controller,
  Informer,
  type KubeClient,
  type KubeObject,
  R,
  type Runnable,
} from "@atoll/kube";
import type { AddressPlan } from "../network/address-plan.ts";
import type { Backend, EndpointSource } from "../network/endpoint-source.ts";
import type { Service, ServicePort } from "../network/objects.ts";
import { type ClusterInfo, clusterInfoConfigMap, clusterInfoOf } from "./cluster-info.ts";
import { affinityOf, globalBackends, isGlobal } from "./global-service.ts";
import { peersOfSecret } from "./mesh-secret.ts";
import { type MeshStatus, meshStatusConfigMap } from "./mesh-status.ts";
import { type PeerHealthSettings, PeerLink, peerHealthSettings } from "./peer-link.ts";
import { CLUSTERMESH_SECRET, MESH_FIELD_MANAGER, MESH_NAMESPACE } from "./well-known.ts";

export type ClusterMeshOptions = {
  /** This member's name, as peers know it. */
  name: string;
  plan: AddressPlan;
  /** The member's own API. */
  client: KubeClient;
  /** The member's Services (a shared informer, started by its owner). */
  services: Informer;
  clock: Clock;
  /** Peer failure detection; see {@link peerHealthSettings} for the defaults. */
  health?: Partial<PeerHealthSettings>;
  /**
   * Called when a peer's endpoints are withdrawn because it went silent for
   * the detection period: the member's proxy resets the connections it still
   * relays to the peer's pods (a partition breaks them).
   */
  onPeerWithdrawn?: (peer: ClusterInfo) => void;
  onError?: (component: string, key: string, error: unknown) => void;
};

const INFO_KEY = "cluster-info";
const PEERS_KEY = "peers";
const STATUS_KEY = "status";

/**
 * A member's part of a Cilium-ClusterMesh-like mesh. Publishes the member's
 * identity (`kube-system/atoll-cluster-info`), watches `kube-system/atoll-clustermesh`
 * for the peers to mesh with (idle while it names none), keeps a
 * {@link PeerLink} to each, and publishes what it sees to
 * `kube-system/atoll-clustermesh-status`. {@link endpointSource} adds the
 * peers' endpoints to the member's global Services.
 */
export class ClusterMesh implements Runnable {
  static readonly NAME = "clustermesh";
  readonly self: ClusterInfo;
  readonly health: PeerHealthSettings;
  #options: ClusterMeshOptions;
  #secret: Informer;
  #links = new Map<string, { link: PeerLink; kubeconfig: string }>();
  #controller: Controller | undefined;
  #published = "";
  #isolated = false;

  constructor(options: ClusterMeshOptions) {
    this.#options = options;
    this.self = clusterInfoOf(options.name, options.plan);
    this.health = peerHealthSettings(options.health);
    this.#secret = new Informer(options.client, R.secrets, {
      namespace: MESH_NAMESPACE,
      fieldSelector: `metadata.name=${CLUSTERMESH_SECRET}`,
    });
  }

  start(): void {
    this.#controller = new Controller({
      name: ClusterMesh.NAME,
      reconcile: async (key) => {
        if (key === INFO_KEY) await this.#publishInfo();
        else if (key === PEERS_KEY) this.#syncPeers();
        else if (key === STATUS_KEY) {
          await this.#publishStatus();
          // A peer going silent changes its state without an event: look again while there are peers.
          return this.#links.size > 0 ? { requeueAfterMs: this.health.probeIntervalMs } : undefined;
        }
        return undefined;
      },
      onError: this.#options.onError,
    })
      .watches(this.#secret, () => [PEERS_KEY])
      .watches(this.#options.services, () => [STATUS_KEY]);
    for (const key of [INFO_KEY, PEERS_KEY, STATUS_KEY]) this.#controller.enqueue(key);
    this.#secret.start();
  }

  stop(): void {
    this.#controller?.stop();
    this.#controller = undefined;
    this.#secret.stop();
    for (const { link } of this.#links.values()) link.stop();
    this.#links.clear();
  }

  /**
   * Cuts this member off its peers (a network partition) or lets it back:
   * while isolated, every peer link is stopped, no peer endpoint is used and
   * the mesh Secret is not acted on; when let back, links are made afresh,
   * each peer re-verified and re-listed before its endpoints are used.
   */
  setIsolated(isolated: boolean): void {
    if (isolated === this.#isolated) return;
    this.#isolated = isolated;
    if (isolated) {
      for (const { link } of this.#links.values()) link.stop();
      this.#links.clear();
    }
    this.#controller?.enqueue(PEERS_KEY);
  }

  get isolated(): boolean {
    return this.#isolated;
  }

  /**
   * Wraps the member's own endpoint source: a global Service's backends are
   * its local ones and those of every Connected peer whose same-named Service
   * is global and shared, as its affinity annotation prefers. Other Services
   * are left to `local`.
   */
  endpointSource(local: EndpointSource): EndpointSource {
    return {
      backends: (service, port) => {
        const own = local.backends(service, port);
        if (!isGlobal(service)) return own;
        return globalBackends(affinityOf(service), own, this.#remoteBackends(service, port));
      },
    };
  }

  /** What this member sees of its mesh now. */
  status(): MeshStatus {
    const globals = (this.#options.services.list() as Service[]).filter(isGlobal);
    const peers = [...this.#links.values()].map(({ link }) => {
      let services = 0;
      const endpoints = new Set<string>();
      for (const service of globals) {
        const found = (service.spec?.ports ?? []).flatMap((port) => link.backends(service, port));
        if (found.length > 0) services++;
        for (const backend of found) endpoints.add(`${backend.ip}:${backend.port}`);
      }
      const message = link.state === "Connected" ? undefined : link.message || undefined;
      return {
        name: link.name,
        state: link.state,
        since: new Date(link.since).toISOString(),
        ...(message ? { message } : {}),
        services,
        endpoints: endpoints.size,
      };
    });
    return { member: this.self.name, id: this.self.id, globalServices: globals.length, peers };
  }

  #remoteBackends(service: Service, port: ServicePort): Backend[] {
    return [...this.#links.values()].flatMap(({ link }) => link.backends(service, port));
  }

  #syncPeers(): void {
    const secret = this.#secret.get(`${MESH_NAMESPACE}/${CLUSTERMESH_SECRET}`);
    const wanted = peersOfSecret(this.#isolated ? undefined : secret);
    for (const [name, { link, kubeconfig }] of this.#links) {
      if (wanted.get(name)?.kubeconfig === kubeconfig) continue;
      link.stop();
      this.#links.delete(name);
    }
    for (const peer of wanted.values()) {
      if (this.#links.has(peer.name) || peer.name === this.self.name) continue;
      const link = new PeerLink({
        name: peer.name,
        kubeconfig: peer.kubeconfig,
        self: this.self,
        settings: this.health,
        clock: this.#options.clock,
        onChange: () => this.#controller?.enqueue(STATUS_KEY),
        onWithdrawn: this.#options.onPeerWithdrawn,
      });
      this.#links.set(peer.name, { link, kubeconfig: peer.kubeconfig });
      link.start();
    }
    this.#controller?.enqueue(STATUS_KEY);
  }

  async #publishInfo(): Promise<void> {
    await this.#apply(clusterInfoConfigMap(this.self));
  }

  async #publishStatus(): Promise<void> {
    const status = this.status();
    const text = JSON.stringify(status);
    if (text === this.#published) return;
    await this.#apply(meshStatusConfigMap(status));
    this.#published = text;
  }

  /** Creates the ConfigMap, or replaces its data when it differs. */
  async #apply(configMap: KubeObject): Promise<void> {
    const { client } = this.#options;
    const name = configMap.metadata.name ?? "";
    const options = { fieldManager: MESH_FIELD_MANAGER };
    try {
      const current = await client.get(R.configmaps, MESH_NAMESPACE, name);
      if (!current) {
        await client.create(R.configmaps, MESH_NAMESPACE, configMap, options);
        return;
      }
      if (JSON.stringify(current.data) === JSON.stringify(configMap.data)) return;
      await client.update(R.configmaps, MESH_NAMESPACE, { ...current, data: configMap.data }, options);
    } catch (error) {
      throw new Error(`failed to write ConfigMap ${MESH_NAMESPACE}/${name}: ${String(error)}`, {
        cause: error,
      });
    }
  }
}
