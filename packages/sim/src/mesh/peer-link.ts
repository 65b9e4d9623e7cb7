import { type Clock, Informer, R, StatusError } from "@atoll/kube";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { type Backend, LocalEndpointSource } from "../network/endpoint-source.ts";
import type { Service, ServicePort } from "../network/objects.ts";
import { type ClusterInfo, parseClusterInfo } from "./cluster-info.ts";
import { isShared } from "./global-service.ts";
import { meshProblems } from "./requirements.ts";
import { CLUSTER_INFO_CONFIGMAP, MESH_FIELD_MANAGER, MESH_NAMESPACE } from "./well-known.ts";

/** How a member watches its peers' health. */
export type PeerHealthSettings = {
  /** Without a successful probe for this long, a peer's endpoints are withdrawn (default 10 s, as the hub's Unknown). */
  failureDetectionMs: number;
  /** How often each peer's `/readyz` is probed (default 2 s). */
  probeIntervalMs: number;
  /** Each probe's own timeout (default 1.5 s). */
  probeTimeoutMs: number;
};

export const DEFAULT_PEER_HEALTH: PeerHealthSettings = {
  failureDetectionMs: 10_000,
  probeIntervalMs: 2000,
  probeTimeoutMs: 1500,
};

/**
 * Settings with defaults filled in: a probe interval a fifth of the detection
 * period (at most 2 s) and a probe timeout no longer than the interval
 * (at most 1.5 s), so a shorter detection period probes faster.
 */
export function peerHealthSettings(given: Partial<PeerHealthSettings> = {}): PeerHealthSettings {
  const failureDetectionMs = given.failureDetectionMs ?? DEFAULT_PEER_HEALTH.failureDetectionMs;
  const probeIntervalMs =
    given.probeIntervalMs ??
    Math.min(DEFAULT_PEER_HEALTH.probeIntervalMs, Math.round(failureDetectionMs / 5));
  const probeTimeoutMs =
    given.probeTimeoutMs ?? Math.min(DEFAULT_PEER_HEALTH.probeTimeoutMs, probeIntervalMs);
  return { failureDetectionMs, probeIntervalMs, probeTimeoutMs };
}

/**
 * - Connecting: not yet (or no longer) holding a synced view of the peer;
 * - Connected: its Services and EndpointSlices are watched and its endpoints used;
 * - Unreachable: no successful probe for the detection period, endpoints withdrawn;
 * - Invalid: the peer answers but cannot be meshed (wrong name, clashing id or ranges, bad kubeconfig).
 */
export type PeerState = "Connecting" | "Connected" | "Unreachable" | "Invalid";

export type PeerLinkOptions = {
  /** The peer's name, as this member's mesh Secret records it. */
  name: string;
  kubeconfig: string;
  /** This member's own identity, checked against the peer's. */
  self: ClusterInfo;
  settings: PeerHealthSettings;
  clock: Clock;
  /** Called on every state change and every change the peer's watched objects see. */
  onChange: () => void;
  /** Called when a verified peer's endpoints are withdrawn for its silence, with its identity. */
  onWithdrawn?: (peer: ClusterInfo) => void;
};

type Session = { services: Informer; slices: Informer; source: LocalEndpointSource; ready: boolean };

/**
 * This member's connection to one peer: probes the peer's API, and while it
 * answers keeps list-watch caches of the peer's Services and EndpointSlices.
 * A peer silent for the detection period has its endpoints withdrawn and its
 * caches dropped; when it answers again it is re-verified and re-listed
 * before its endpoints are used, so nothing stale comes back.
 */
export class PeerLink {
  readonly name: string;
  #options: PeerLinkOptions;
  #client: HttpKubeClient | undefined;
  #session: Session | undefined;
  /** The identity the peer last proved, once verified. */
  #info: ClusterInfo | undefined;
  #state: PeerState = "Connecting";
  #message = "";
  #since: number;
  #lastSuccess: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: PeerLinkOptions) {
    this.name = options.name;
    this.#options = options;
    this.#since = options.clock.now().getTime();
  }

  start(): void {
    try {
      this.#client = HttpKubeClient.fromKubeconfigText(this.#options.kubeconfig, {
        fieldManager: MESH_FIELD_MANAGER,
        timeoutMs: Math.max(this.#options.settings.probeTimeoutMs, 5000),
      });
    } catch (error) {
      this.#setState("Invalid", `the stored kubeconfig cannot be used: ${messageOf(error)}`);
      return;
    }
    void this.#tick();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#closeSession();
    this.#client?.close();
  }

  /** The state now: a Connected peer silent for the detection period reads Unreachable at once, before the next probe. */
  get state(): PeerState {
    if (this.#state === "Connected" && !this.#fresh()) return "Unreachable";
    return this.#state;
  }

  get message(): string {
    return this.state === "Unreachable" && this.#state === "Connected"
      ? "no successful probe for the detection period"
      : this.#message;
  }

  /** When the state last changed (ms since the epoch). */
  get since(): number {
    if (this.#state === "Connected" && !this.#fresh() && this.#lastSuccess !== undefined) {
      return this.#lastSuccess + this.#options.settings.failureDetectionMs;
    }
    return this.#since;
  }

  /**
   * The peer's ready backends for `port` of the same-named, same-namespace
   * Service, when the peer is Connected and its Service is global and shared.
   */
  backends(service: Service, port: ServicePort): Backend[] {
    const session = this.#session;
    if (!session?.ready || this.state !== "Connected") return [];
    const theirs = session.services.get(`${service.metadata.namespace}/${service.metadata.name}`) as
      | Service
      | undefined;
    if (!theirs || !isShared(theirs)) return [];
    return session.source.backends(theirs, port);
  }

  #fresh(): boolean {
    const now = this.#options.clock.now().getTime();
    return (
      this.#lastSuccess !== undefined && now - this.#lastSuccess < this.#options.settings.failureDetectionMs
    );
  }

  async #tick(): Promise<void> {
    const client = this.#client;
    if (this.#stopped || !client) return;
    const { settings } = this.#options;
    const answer = await client
      .request("GET", "/readyz", { timeoutMs: settings.probeTimeoutMs })
      .then((r) => (r.status >= 200 && r.status < 300 ? "" : `/readyz answered ${r.status}`))
      .catch((error: unknown) => `unreachable: ${messageOf(error)}`);
    if (this.#stopped) return;
    if (answer === "") {
      const now = this.#options.clock.now().getTime();
      const last = this.#lastSuccess;
      // Back after a silence of the detection period, before a failing probe closed the session:
      // its cached endpoints are stale, so they are dropped and listed afresh before any is used.
      if (this.#session && last !== undefined && now - last >= settings.failureDetectionMs) {
        this.#withdraw();
        this.#setState(
          "Unreachable",
          "no successful probe for the detection period",
          last + settings.failureDetectionMs,
        );
      }
      this.#lastSuccess = now;
      if (!this.#session) await this.#open(client);
    } else {
      const silentSince = this.#lastSuccess ?? this.#since;
      const now = this.#options.clock.now().getTime();
      if (now - silentSince >= settings.failureDetectionMs && this.#state !== "Unreachable") {
        this.#withdraw();
        this.#setState("Unreachable", answer, silentSince + settings.failureDetectionMs);
      }
    }
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), settings.probeIntervalMs);
  }

  /** Verifies the peer's identity, then lists and watches its Services and EndpointSlices. */
  async #open(client: HttpKubeClient): Promise<void> {
    let info: ClusterInfo;
    try {
      const configMap = await client.get(R.configmaps, MESH_NAMESPACE, CLUSTER_INFO_CONFIGMAP);
      if (this.#stopped) return;
      if (!configMap) {
        this.#setState("Invalid", `publishes no ${MESH_NAMESPACE}/${CLUSTER_INFO_CONFIGMAP}`);
        return;
      }
      info = parseClusterInfo(configMap.data, `${this.name}'s ${CLUSTER_INFO_CONFIGMAP}`);
    } catch (error) {
      // No answer is a connection problem, for the probes to judge; any other failure is the peer's.
      if (
        error instanceof StatusError &&
        (error.reason === "ServiceUnavailable" || error.reason === "Timeout")
      )
        return;
      this.#setState("Invalid", `cannot read its identity: ${messageOf(error)}`);
      return;
    }
    const problems = [
      ...(info.name === this.name ? [] : [`the peer calls itself ${info.name}, not ${this.name}`]),
      ...meshProblems([this.#options.self, info]).map((p) => p.message),
    ];
    if (problems.length > 0) {
      this.#setState("Invalid", problems.join("; "));
      return;
    }
    this.#info = info;
    this.#setState("Connecting", "");
    const onChange = () => this.#options.onChange();
    const services = new Informer(client, R.services);
    const slices = new Informer(client, R.endpointslices);
    const session: Session = { services, slices, source: new LocalEndpointSource(slices), ready: false };
    this.#session = session;
    for (const informer of [services, slices]) {
      informer.addHandlers({ onAdd: onChange, onUpdate: onChange, onDelete: onChange });
      informer.start();
    }
    // Not awaited: probing goes on while the first lists load, so a peer lost meanwhile is still noticed.
    void Promise.all([services.synced(), slices.synced()]).then(() => {
      if (this.#session !== session) return;
      session.ready = true;
      this.#setState("Connected", "");
    });
  }

  /** Drops the silent peer's caches and lets the owner cut what still reaches it. */
  #withdraw(): void {
    const hadSession = this.#session !== undefined;
    this.#closeSession();
    if (hadSession && this.#info) this.#options.onWithdrawn?.(this.#info);
  }

  #closeSession(): void {
    const session = this.#session;
    this.#session = undefined;
    session?.services.stop();
    session?.slices.stop();
    // Drops pooled connections and any watch still hanging on a silent peer.
    this.#client?.close();
  }

  /** `at`: when the change happened, if not now (a silent peer became Unreachable when its period ran out). */
  #setState(state: PeerState, message: string, at?: number): void {
    if (state === this.#state && message === this.#message) return;
    if (state !== this.#state) this.#since = at ?? this.#options.clock.now().getTime();
    this.#state = state;
    this.#message = message;
    this.#options.onChange();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
