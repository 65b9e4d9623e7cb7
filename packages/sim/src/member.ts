import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ApiServer, openStore, type Store, tokenAuthenticator } from "@atoll/apiserver";
import type { Clock, KubeClient, Runnable } from "@atoll/kube";
import { Manager, R, systemClock } from "@atoll/kube";
import { ReplicaAgent } from "./agent/index.ts";
import { ApiEventRecorder } from "./events/recorder.ts";
import { InformerFactory } from "./informer-factory.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { Kubelet } from "./kubelet/kubelet.ts";
import type { SimulationProfile } from "./kubelet/simulation.ts";
import { loadOrCreateMemberPki } from "./member-pki.ts";
import { ClusterMesh } from "./mesh/cluster-mesh.ts";
import type { PeerHealthSettings } from "./mesh/peer-link.ts";
import { type AddressPlan, addressPlan, ipToNumber } from "./network/address-plan.ts";
import { createNetworking } from "./network/networking.ts";
import type { ServiceProxy } from "./network/proxy.ts";
import { type NodeCapacity, NodeManager } from "./nodes/node-manager.ts";
import {
  defaultRuntimeConfig,
  RealProcessLauncher,
  type RuntimeConfig,
  searchPath,
} from "./runtime/index.ts";
import { Scheduler } from "./scheduler/scheduler.ts";
import { ServiceAccountController } from "./serviceaccounts/service-account-controller.ts";
import { LocalProvisioner } from "./storage/local-provisioner.ts";
import { workloadControllersExtension } from "./workloads/member-extension.ts";

export type MemberOptions = {
  /** The member's name, e.g. `k8s-1`: its kubeconfig context and node name prefix. */
  name: string;
  /** 1…200: the member owns 127.<id>.0.0/16. */
  id: number;
  dataDir: string;
  /** API server port on the member's own address 127.<id>.0.1 (default 6443). */
  port?: number;
  /** "sqlite" (default, under dataDir) or "memory". */
  storage?: "sqlite" | "memory";
  nodes?: number;
  nodeCapacity?: NodeCapacity;
  simulation?: Partial<SimulationProfile>;
  /**
   * Which images run as real processes (default: images naming etcd run the
   * system's etcd, when installed); "simulate-all" runs nothing for real.
   */
  runtime?: RuntimeConfig | "simulate-all";
  /** Operator-facing warnings (e.g. no etcd binary: etcd pods are simulated). */
  onWarning?: (message: string) => void;
  /** MetalLB-like load-balancer pools (ranges or CIDRs); default 127.<id>.192.0/18. */
  loadBalancerPools?: string[];
  /** Cluster mesh peer failure detection (default: a silent peer's endpoints are withdrawn after 10 s). */
  mesh?: Partial<PeerHealthSettings>;
  /**
   * Serve the API and keep the nodes alive, and nothing more: no scheduler,
   * kubelet, workload, volume, service or mesh controllers, so objects are
   * stored and watched but nothing acts on them (kwok without pods). A member
   * that costs a control plane's measurements as little CPU as possible.
   */
  apiOnly?: boolean;
  /** Components a member runs beyond the built-in ones, given the member's wiring. */
  extensions?: ReadonlyArray<(member: MemberContext) => Runnable>;
  clock?: Clock;
  onError?: (component: string, key: string, error: unknown) => void;
};

/** What extension components get to build themselves from. */
export type MemberContext = {
  name: string;
  plan: AddressPlan;
  dataDir: string;
  server: ApiServer;
  informers: InformerFactory;
  nodes: NodeManager;
  clock: Clock;
  onError?: (component: string, key: string, error: unknown) => void;
};

/**
 * A simulated member cluster: Atoll's API server on the member's own loopback
 * address plus what a real cluster's control plane and kubelets do. Writes a
 * kubeconfig (context = member name) to `<dataDir>/kubeconfig`.
 */
export class SimMember {
  readonly name: string;
  readonly id: number;
  readonly plan: AddressPlan;
  readonly server: ApiServer;
  readonly kubeconfigPath: string;
  readonly token: string;
  /** The member's CA certificate (PEM), as kubeconfigs carry it. */
  readonly caPem: string;
  readonly nodes: NodeManager;
  readonly kubelet: Kubelet;
  /** The member's part of the cluster mesh (the partition fault isolates it). */
  readonly mesh: ClusterMesh;
  /** The member's userspace service proxy (the partition fault isolates it). */
  readonly proxy: ServiceProxy;
  #store: Store;
  #manager: Manager;
  #informers: InformerFactory;

  private constructor(fields: {
    options: MemberOptions;
    server: ApiServer;
    store: Store;
    token: string;
    caPem: string;
    manager: Manager;
    informers: InformerFactory;
    nodes: NodeManager;
    kubelet: Kubelet;
    mesh: ClusterMesh;
    proxy: ServiceProxy;
  }) {
    this.name = fields.options.name;
    this.id = fields.options.id;
    this.plan = addressPlan(fields.options.id);
    this.server = fields.server;
    this.kubeconfigPath = join(fields.options.dataDir, "kubeconfig");
    this.token = fields.token;
    this.caPem = fields.caPem;
    this.nodes = fields.nodes;
    this.kubelet = fields.kubelet;
    this.mesh = fields.mesh;
    this.proxy = fields.proxy;
    this.#store = fields.store;
    this.#manager = fields.manager;
    this.#informers = fields.informers;
  }

  static async start(options: MemberOptions): Promise<SimMember> {
    const plan = addressPlan(options.id);
    const clock = options.clock ?? systemClock;
    await mkdir(options.dataDir, { recursive: true });
    const token = await loadOrCreateToken(join(options.dataDir, "token"));
    const store = await openStore(
      options.storage === "memory" ? "memory" : `sqlite:${join(options.dataDir, "state.db")}`,
    );
    const pki = await loadOrCreateMemberPki(options.dataDir, {
      name: options.name,
      id: options.id,
      now: clock.now(),
    });
    const server = await ApiServer.start({
      store,
      tls: pki.serving,
      host: plan.apiServer,
      // A member's history is bounded tighter than a hub's: heartbeats alone would
      // otherwise fill the default caps, and a process hosts many members.
      watchHistory: 1000,
      compactRetainRevisions: 2000,
      compactIntervalMs: 30_000,
      port: options.port ?? 6443,
      authenticator: tokenAuthenticator(
        new Map([
          [token, { name: "kubernetes-admin", uid: "1", groups: ["system:masters", "system:authenticated"] }],
        ]),
      ),
      onControllerError: options.onError,
    });
    const client = server.client("atoll-sim");
    const informers = new InformerFactory(client);
    // An API-only member builds its controllers over informers that never start, and never starts them.
    const watched = options.apiOnly ? new InformerFactory(client) : informers;
    const manager = new Manager();
    const nodes = new NodeManager({
      client,
      clock,
      member: options.name,
      count: options.nodes ?? 3,
      capacity: options.nodeCapacity,
      nodeIp: (i) => plan.nodeIp(i),
    });
    const recorder = (component: string) => new ApiEventRecorder({ client, component, clock });
    const pods = watched.for(R.pods);
    manager.add(informers);
    manager.add(nodes);
    const controllers = options.apiOnly ? new Manager() : manager;
    controllers.add(
      new Scheduler({
        client,
        pods,
        nodes: watched.for(R.nodes),
        recorder: recorder("default-scheduler"),
        clock,
        onError: options.onError,
      }),
    );
    const launcher = await createLauncher(options, client, clock);
    const kubelet = new Kubelet({
      client,
      pods,
      clock,
      recorder: recorder("kubelet"),
      nodeIp: (node) => nodes.ip(node),
      podRange: plan.podRange,
      launcher,
      simulation: options.simulation,
      logs: launcher,
    });
    controllers.add(kubelet);
    // After the kubelet, so it stops first: a member going down writes no role changes.
    controllers.add(
      new ReplicaAgent({
        client: server.client("atoll-agent"),
        pods,
        processes: launcher,
        clock,
        recorder: recorder("atoll-agent"),
        onError: options.onError,
      }),
    );
    server.setPodLogSource({ open: (pod, logOptions, signal) => kubelet.openLogs(pod, logOptions, signal) });
    controllers.add(
      new ServiceAccountController({
        client,
        namespaces: watched.for(R.namespaces),
        serviceAccounts: watched.for(R.serviceaccounts),
        onError: options.onError,
      }),
    );
    controllers.add(
      new LocalProvisioner({
        client,
        claims: watched.for(R.persistentvolumeclaims),
        volumes: watched.for(R.persistentvolumes),
        storageClasses: watched.for(R.storageclasses),
        recorder: recorder("persistentvolume-controller"),
        root: join(options.dataDir, "volumes"),
        onError: options.onError,
      }),
    );
    const mesh = new ClusterMesh({
      name: options.name,
      plan,
      client,
      services: watched.for(R.services),
      clock,
      health: options.mesh,
      // A silent peer's pods are cut off: connections still relayed to them are reset.
      onPeerWithdrawn: (peer) => {
        const [first, last] = peer.podRange;
        networking.proxy.resetConnections(({ backend }) => {
          const ip = ipToNumber(backend.ip);
          return ip >= first && ip <= last;
        });
      },
      onError: options.onError,
    });
    const networking = createNetworking({
      client,
      informers: {
        services: watched.for(R.services),
        pods,
        endpoints: watched.for(R.endpoints),
        endpointSlices: watched.for(R.endpointslices),
      },
      plan,
      loadBalancerPools: options.loadBalancerPools,
      nodeIps: nodes.names.map((_, i) => plan.nodeIp(i)),
      clock,
      endpointSource: (local) => mesh.endpointSource(local),
      onError: options.onError ?? (() => {}),
    });
    controllers.add(networking);
    controllers.add(mesh);
    const context: MemberContext = {
      name: options.name,
      plan,
      dataDir: options.dataDir,
      server,
      informers,
      nodes,
      clock,
      onError: options.onError,
    };
    controllers.add(workloadControllersExtension()({ ...context, informers: watched }));
    for (const extension of options.extensions ?? []) manager.add(extension(context));
    const member = new SimMember({
      options,
      server,
      store,
      token,
      caPem: pki.ca.certPem,
      manager,
      informers,
      nodes,
      kubelet,
      mesh,
      proxy: networking.proxy,
    });
    await writeKubeconfig(member.kubeconfigPath, {
      name: options.name,
      server: server.url,
      token,
      caPem: pki.ca.certPem,
    });
    await manager.start();
    return member;
  }

  get url(): string {
    return this.server.url;
  }

  /** The member's shared informers (for extensions and tests). */
  get informers(): InformerFactory {
    return this.#informers;
  }

  async stop(): Promise<void> {
    await this.#manager.stop();
    await this.server.stop();
    await this.#store.close();
  }
}

async function createLauncher(
  options: MemberOptions,
  client: KubeClient,
  clock: Clock,
): Promise<RealProcessLauncher | undefined> {
  if (options.runtime === "simulate-all") return undefined;
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message));
  const config = options.runtime ?? defaultRuntimeConfig(searchPath(process.env.PATH ?? ""));
  if (!options.runtime && config.images.length === 0) {
    warn(
      `member ${options.name}: no etcd binary on PATH (install Debian's etcd-server); etcd pods will be SIMULATED, not run`,
    );
  }
  return RealProcessLauncher.create({
    client,
    config,
    dataDir: options.dataDir,
    clock,
    which: searchPath(process.env.PATH ?? ""),
    warn,
  });
}

async function loadOrCreateToken(path: string): Promise<string> {
  try {
    const token = (await readFile(path, "utf8")).trim();
    if (token) return token;
  } catch {
    // First start: no token yet.
  }
  const token = randomBytes(24).toString("base64url");
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}
