import { release } from "node:os";
import type { Clock, KubeClient, KubeObject, Runnable } from "@atoll/kube";
import { isRecord, jsonEqual, R, rfc3339, StatusError } from "@atoll/kube";

/** What each simulated node offers, as a kubelet reports capacity. */
export type NodeCapacity = { cpu: string; memory: string; pods: string; "ephemeral-storage": string };

export const DEFAULT_NODE_CAPACITY: NodeCapacity = {
  cpu: "8",
  memory: "32Gi",
  pods: "110",
  "ephemeral-storage": "100Gi",
};

export type NodeManagerOptions = {
  client: KubeClient;
  clock: Clock;
  /** The member's name: nodes are `<member>-node-<i>`. */
  member: string;
  count: number;
  capacity?: NodeCapacity;
  /** The InternalIP of node `index` (0-based). */
  nodeIp(index: number): string;
  /** Lease renewal period (kubelet default 10 s). */
  heartbeatMs?: number;
  /**
   * How often an unchanged node status is posted anyway (kubelet's
   * nodeStatusReportFrequency, default 5 min); a changed status is posted at
   * the next heartbeat. Liveness is the lease's job.
   */
  statusReportMs?: number;
  /** Labels every node gets, e.g. topology.kubernetes.io/region. */
  labels?: Record<string, string>;
};

const KUBELET_VERSION = "v1.32.0-atoll";
const LEASE_SECONDS = 40;
const STATUS_REPORT_MS = 5 * 60_000;

/** `report` posts the node status; `if-changed` only when it changed or the last report is `statusReportMs` old. */
type StatusUpdate = "report" | "if-changed";

/**
 * The kubelets' side of node life: registers the nodes, keeps their Ready
 * condition and node leases fresh, and can be told a node is NotReady (a fault).
 */
export class NodeManager implements Runnable {
  #options: NodeManagerOptions;
  #timer: NodeJS.Timeout | undefined;
  #notReady = new Set<string>();

  constructor(options: NodeManagerOptions) {
    this.#options = options;
  }

  get names(): string[] {
    return Array.from({ length: this.#options.count }, (_, i) => nodeName(this.#options.member, i));
  }

  ip(name: string): string | undefined {
    const index = this.names.indexOf(name);
    return index < 0 ? undefined : this.#options.nodeIp(index);
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.#options.count; i++) await this.#register(i);
    await this.#heartbeat();
    this.#timer = setInterval(
      () => void this.#heartbeat().catch(() => {}),
      this.#options.heartbeatMs ?? 10_000,
    );
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Marks a node NotReady (kubelet reports not ready) or Ready again. */
  async setReady(name: string, ready: boolean): Promise<void> {
    if (ready) this.#notReady.delete(name);
    else this.#notReady.add(name);
    await this.#updateStatus(name, "report");
  }

  isReady(name: string): boolean {
    return !this.#notReady.has(name);
  }

  async #register(index: number): Promise<void> {
    const { client, member } = this.#options;
    const name = nodeName(member, index);
    const existing = await client.get(R.nodes, undefined, name);
    if (!existing) {
      try {
        await client.create(R.nodes, undefined, this.#node(index));
      } catch (error) {
        if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
      }
    }
    await this.#updateStatus(name, "report");
  }

  #node(index: number): KubeObject {
    const { member, labels } = this.#options;
    const name = nodeName(member, index);
    return {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name,
        labels: {
          "kubernetes.io/hostname": name,
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          "node.kubernetes.io/instance-type": "atoll-sim",
          "topology.kubernetes.io/zone": `${member}-zone-${String.fromCharCode(97 + (index % 26))}`,
          ...labels,
        },
        annotations: { "node.alpha.kubernetes.io/ttl": "0" },
      },
      spec: {},
    };
  }

  async #heartbeat(): Promise<void> {
    for (const name of this.names) {
      await this.#renewLease(name);
      await this.#updateStatus(name, "if-changed");
    }
  }

  async #renewLease(name: string): Promise<void> {
    const { client, clock } = this.#options;
    if (this.#notReady.has(name)) return;
    const renewTime = clock.now().toISOString().replace("Z", "000Z");
    const node = await client.get(R.nodes, undefined, name);
    const lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name,
        namespace: "kube-node-lease",
        ...(node
          ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata.uid ?? "" }] }
          : {}),
      },
      spec: { holderIdentity: name, leaseDurationSeconds: LEASE_SECONDS, renewTime },
    };
    await client.patch(R.leases, "kube-node-lease", name, "apply", lease, {
      fieldManager: "kubelet",
      force: true,
    });
  }

  async #updateStatus(name: string, update: StatusUpdate): Promise<void> {
    const { client, clock } = this.#options;
    const node = await client.get(R.nodes, undefined, name);
    if (!node) return;
    const index = this.names.indexOf(name);
    const now = rfc3339(clock.now());
    const ready = !this.#notReady.has(name);
    const status = isRecord(node.status) ? node.status : {};
    const previous = Array.isArray(status.conditions)
      ? (status.conditions as Array<Record<string, unknown>>)
      : [];
    const condition = (type: string, value: string, reason: string, message: string) => {
      const before = previous.find((c) => c.type === type);
      const transition = before && before.status === value ? String(before.lastTransitionTime) : now;
      return { type, status: value, lastHeartbeatTime: now, lastTransitionTime: transition, reason, message };
    };
    const capacity = this.#options.capacity ?? DEFAULT_NODE_CAPACITY;
    const nextStatus = {
      capacity,
      allocatable: capacity,
      conditions: [
        condition(
          "MemoryPressure",
          "False",
          "KubeletHasSufficientMemory",
          "kubelet has sufficient memory available",
        ),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ready
          ? condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")
          : condition(
              "Ready",
              "False",
              "KubeletNotReady",
              "container runtime network not ready: simulated fault",
            ),
      ],
      addresses: [
        { type: "InternalIP", address: this.#options.nodeIp(index) },
        { type: "Hostname", address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: name,
        systemUUID: name,
        bootID: name,
        kernelVersion: release(),
        osImage: "Atoll simulated node",
        containerRuntimeVersion: "atoll-sim://0.1.0",
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: "linux",
        architecture: "amd64",
      },
    };
    const reportMs = this.#options.statusReportMs ?? STATUS_REPORT_MS;
    const lastReport = Date.parse(String(previous.find((c) => c.type === "Ready")?.lastHeartbeatTime));
    // Posting an unchanged status every heartbeat made node objects most of an idle member's writes,
    // each kept in the API server's watch and revision histories.
    const due =
      update === "report" ||
      !(clock.now().getTime() - lastReport < reportMs) ||
      !sameApartFromHeartbeats(status, nextStatus);
    if (due) {
      await client.patch(
        R.nodes,
        undefined,
        name,
        "merge",
        { status: nextStatus },
        { subresource: "status" },
      );
    }
    await this.#syncTaints(node, ready);
  }

  /** A NotReady node carries the not-ready taints, as the node lifecycle controller adds them. */
  async #syncTaints(node: KubeObject, ready: boolean): Promise<void> {
    const spec = isRecord(node.spec) ? node.spec : {};
    const taints = Array.isArray(spec.taints) ? (spec.taints as Array<Record<string, unknown>>) : [];
    const others = taints.filter((t) => t.key !== NOT_READY_TAINT);
    const wanted = ready
      ? others
      : [
          ...others,
          { key: NOT_READY_TAINT, effect: "NoSchedule" },
          { key: NOT_READY_TAINT, effect: "NoExecute", timeAdded: rfc3339(this.#options.clock.now()) },
        ];
    if (wanted.length === taints.length && ready === !taints.some((t) => t.key === NOT_READY_TAINT)) return;
    await this.#options.client.patch(R.nodes, undefined, node.metadata.name ?? "", "merge", {
      spec: { taints: wanted.length > 0 ? wanted : null },
    });
  }
}

export const NOT_READY_TAINT = "node.kubernetes.io/not-ready";

/** Whether `next` would change nothing in `current` but the conditions' lastHeartbeatTime. */
function sameApartFromHeartbeats(current: Record<string, unknown>, next: Record<string, unknown>): boolean {
  const strip = (conditions: unknown) =>
    Array.isArray(conditions)
      ? conditions.map((c) => (isRecord(c) ? { ...c, lastHeartbeatTime: undefined } : c))
      : conditions;
  return Object.entries(next).every(([key, value]) =>
    key === "conditions" ? jsonEqual(strip(current[key]), strip(value)) : jsonEqual(current[key], value),
  );
}

export function nodeName(member: string, index: number): string {
  return `${member}-node-${index + 1}`;
}
