import { AtollLabels, type ResourceList } from "@atoll/api";
import type { Clock, KubeObject, ResourceId } from "@atoll/kube";
import { Informer, isRecord, milliValue, parseQuantity, R } from "@atoll/kube";
import type { MemberConnection } from "./connection.ts";
import { type HealthRecord, type HealthSettings, probeMember } from "./health.ts";

/** What the hub reads from and installs in every member. */
export const MEMBER_RESOURCES = {
  nodes: R.nodes,
  pods: R.pods,
  namespaces: R.namespaces,
  serviceaccounts: R.serviceaccounts,
  clusterroles: R.clusterroles,
  clusterrolebindings: R.clusterrolebindings,
  customresourcedefinitions: R.customresourcedefinitions,
} as const satisfies Record<string, ResourceId>;

/** Probes of all members fall on this many shared instants per probe interval. */
const PROBE_SLOTS_PER_INTERVAL = 8;
const MANAGED = `${AtollLabels.managedBy}=${AtollLabels.managedByValue}`;

/**
 * Everything the hub keeps per joined member: its connection, one set of
 * informers shared by every controller that needs the member, and the health
 * prober. Started on join, stopped on unjoin or disable; a member that is down
 * only slows its own runtime (informers retry with back-off).
 */
export class MemberRuntime {
  readonly name: string;
  readonly connection: MemberConnection;
  readonly nodes: Informer;
  readonly pods: Informer;
  /** The objects the hub installs (labelled managed-by atoll), watched so edits and deletions are repaired. */
  readonly managed: Informer[];
  /** The member's CRDs: a change means its served APIs changed (a CRD propagated to it, say). */
  readonly crds: Informer;
  /** Bumped on every CRD change, so the APIs discovered at an older value are known to be stale. */
  apiGeneration = 0;
  readonly health: HealthRecord;
  #clock: Clock;
  #settings: HealthSettings;
  #timer: NodeJS.Timeout | undefined;
  #onChange: () => void;
  #stopped = false;

  constructor(options: {
    name: string;
    connection: MemberConnection;
    clock: Clock;
    settings: HealthSettings;
    /** Something the hub shows about this member may have changed. */
    onChange: () => void;
  }) {
    this.name = options.name;
    this.connection = options.connection;
    this.#clock = options.clock;
    this.#settings = options.settings;
    this.#onChange = options.onChange;
    this.health = { since: options.clock.now().getTime() };
    const client = options.connection.client;
    this.nodes = new Informer(client, MEMBER_RESOURCES.nodes);
    this.pods = new Informer(client, MEMBER_RESOURCES.pods, {
      fieldSelector: "status.phase!=Succeeded,status.phase!=Failed",
    });
    this.managed = [
      MEMBER_RESOURCES.namespaces,
      MEMBER_RESOURCES.serviceaccounts,
      MEMBER_RESOURCES.clusterroles,
      MEMBER_RESOURCES.clusterrolebindings,
    ].map((resource) => new Informer(client, resource, { labelSelector: MANAGED }));
    this.crds = new Informer(client, MEMBER_RESOURCES.customresourcedefinitions);
  }

  /** Starts informers and the prober; the first probe runs at once. */
  start(): void {
    const changed = () => this.#onChange();
    for (const informer of [this.nodes, this.pods, ...this.managed]) {
      informer.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
      informer.start();
    }
    const apisChanged = () => {
      this.apiGeneration++;
      this.#onChange();
    };
    this.crds.addHandlers({ onAdd: apisChanged, onUpdate: apisChanged, onDelete: apisChanged });
    this.crds.start();
    void this.probe();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const informer of [this.nodes, this.pods, this.crds, ...this.managed]) informer.stop();
    this.connection.close();
  }

  /** Probes now, then every probe interval (give or take an eighth of it); reports when the outcome changes. */
  async probe(): Promise<void> {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    const started = performance.now();
    const startedAt = this.#clock.now().getTime();
    const result = await probeMember(this.connection, this.#settings.probeTimeoutMs);
    if (this.#stopped) return;
    const now = this.#clock.now().getTime();
    const before = this.health.last;
    this.health.lastProbe = now;
    this.health.last = result;
    if (result.ok) {
      this.health.lastSuccess = now;
      this.health.latencyMs = Math.round((performance.now() - started) * 10) / 10;
    }
    const changed =
      before?.ok !== result.ok ||
      (before && !before.ok && !result.ok && before.reachable !== result.reachable);
    if (changed) this.#onChange();
    this.#timer = setTimeout(() => void this.probe(), this.#nextProbeInMs(startedAt));
    this.#timer.unref();
  }

  /**
   * One interval after this probe started, moved to the nearest of
   * PROBE_SLOTS_PER_INTERVAL shared instants per interval: idle probing is
   * mostly the cost of waking up, and members whose probes fall in the same
   * slot share one wake-up instead of one each.
   */
  #nextProbeInMs(startedAt: number): number {
    const interval = this.#settings.probeIntervalMs;
    const slot = interval / PROBE_SLOTS_PER_INTERVAL;
    const due = Math.round((startedAt + interval) / slot) * slot;
    return Math.max(0, due - this.#clock.now().getTime());
  }

  /** Nodes and their readiness, as the member reports them. */
  nodeSummary(): { totalNum: number; readyNum: number } {
    const nodes = this.nodes.list();
    const ready = nodes.filter((node) => {
      const conditions =
        isRecord(node.status) && Array.isArray(node.status.conditions) ? node.status.conditions : [];
      return conditions.some((c) => isRecord(c) && c.type === "Ready" && c.status === "True");
    });
    return { totalNum: nodes.length, readyNum: ready.length };
  }

  /** Allocatable (sum over nodes) and allocated (sum of scheduled pods' requests). */
  resourceSummary(): { allocatable: ResourceList; allocated: ResourceList } {
    let cpu = 0;
    let memory = 0;
    let pods = 0;
    for (const node of this.nodes.list()) {
      const allocatable =
        isRecord(node.status) && isRecord(node.status.allocatable) ? node.status.allocatable : {};
      cpu += quantity(allocatable.cpu, milliValue);
      memory += quantity(allocatable.memory, parseQuantity);
      pods += quantity(allocatable.pods, parseQuantity);
    }
    let usedCpu = 0;
    let usedMemory = 0;
    let usedPods = 0;
    for (const pod of this.pods.list()) {
      if (!isRecord(pod.spec) || !pod.spec.nodeName) continue;
      usedPods++;
      for (const container of Array.isArray(pod.spec.containers)
        ? pod.spec.containers.filter(isRecord)
        : []) {
        const requests =
          isRecord(container.resources) && isRecord(container.resources.requests)
            ? container.resources.requests
            : {};
        usedCpu += quantity(requests.cpu, milliValue);
        usedMemory += quantity(requests.memory, parseQuantity);
      }
    }
    return {
      allocatable: { cpu: `${cpu}m`, memory: String(Math.round(memory)), pods: String(pods) },
      allocated: { cpu: `${usedCpu}m`, memory: String(Math.round(usedMemory)), pods: String(usedPods) },
    };
  }

  /** The installed object of a kind, as the member has it now (for repair). */
  managedObject(resource: ResourceId, namespace: string | undefined, name: string): KubeObject | undefined {
    const informer =
      resource.resource === MEMBER_RESOURCES.customresourcedefinitions.resource
        ? this.crds
        : this.managed.find((i) => i.resource.resource === resource.resource);
    return informer?.get(namespace ? `${namespace}/${name}` : name);
  }
}

function quantity(value: unknown, parse: (v: string | number) => number): number {
  if (typeof value !== "string" && typeof value !== "number") return 0;
  try {
    return parse(value);
  } catch {
    return 0;
  }
}
