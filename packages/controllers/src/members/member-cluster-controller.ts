import {
  AtollAnnotations,
  AtollFinalizers,
  MEMBER_CLUSTERS,
  type MemberCluster,
  MemberConditions,
} from "@atoll/api";
import type { Clock, Informer, KubeClient, ReconcileResult, Runnable } from "@atoll/kube";
import { Controller, StatusError } from "@atoll/kube";
import { reconcileBootstrap } from "./bootstrap.ts";
import { type Connector, JoinError, JoinFailure } from "./connection.ts";
import { drainMember } from "./drain.ts";
import { DEFAULT_HEALTH, type HealthSettings, readyState } from "./health.ts";
import { MemberRuntime } from "./member-runtime.ts";
import { loadKubeconfig } from "./secrets.ts";
import { condition, discoverApis, statusPatch } from "./status.ts";
import { desiredTaints } from "./taints.ts";

type RuntimeEntry = {
  runtime: MemberRuntime;
  identity: string;
  apis?: unknown;
  version?: string;
  /** The runtime's apiGeneration when the APIs were discovered: an older one means rediscover. */
  apisAt?: number;
};

export type MemberClusterControllerOptions = {
  /** The hub's API. */
  client: KubeClient;
  memberClusters: Informer;
  secrets: Informer;
  connect: Connector;
  clock: Clock;
  health?: Partial<HealthSettings>;
  onError?: (controller: string, key: string, error: unknown) => void;
};

/**
 * Joins MemberClusters and keeps an honest, live picture of each: reads the
 * kubeconfig Secret, connects, refuses duplicates, installs what the member
 * needs (and repairs it), probes health (Ready, and taints after grace
 * periods), reports version, APIs and resource summaries; on deletion removes
 * what the hub placed (unless orphaned) before releasing the finalizer.
 */
export class MemberClusterController implements Runnable {
  #options: MemberClusterControllerOptions;
  #settings: HealthSettings;
  #controller: Controller;
  #runtimes = new Map<string, RuntimeEntry>();

  constructor(options: MemberClusterControllerOptions) {
    this.#options = options;
    this.#settings = { ...DEFAULT_HEALTH, ...options.health };
    this.#controller = new Controller({
      name: "member-cluster",
      reconcile: (name) => this.#reconcile(name),
      onError: options.onError,
      // A member that answers slowly (or not at all) must not hold up the others.
      concurrency: 16,
    });
    this.#controller.watches(options.memberClusters);
    this.#controller.watches(options.secrets, (secret) =>
      options.memberClusters
        .list()
        .filter((mc) => {
          const ref = (mc as MemberCluster).spec?.kubeconfig?.secretRef;
          return ref?.namespace === secret.metadata.namespace && ref?.name === secret.metadata.name;
        })
        .map((mc) => mc.metadata.name ?? ""),
    );
  }

  start(): void {}

  stop(): void {
    this.#controller.stop();
    for (const { runtime } of this.#runtimes.values()) runtime.stop();
    this.#runtimes.clear();
  }

  /** The runtime of a joined member (informers, connection), for other controllers. */
  runtime(name: string): MemberRuntime | undefined {
    return this.#runtimes.get(name)?.runtime;
  }

  async #reconcile(name: string): Promise<ReconcileResult> {
    const mc = this.#options.memberClusters.get(name) as MemberCluster | undefined;
    if (!mc) {
      this.#stopRuntime(name);
      return undefined;
    }
    if (mc.metadata.deletionTimestamp) return this.#unjoin(mc);
    if (!(mc.metadata.finalizers ?? []).includes(AtollFinalizers.memberCleanup)) {
      const finalizers = [...(mc.metadata.finalizers ?? []), AtollFinalizers.memberCleanup];
      await this.#options.client.patch(MEMBER_CLUSTERS, undefined, name, "merge", {
        metadata: { finalizers, resourceVersion: mc.metadata.resourceVersion },
      });
      return undefined;
    }
    if (mc.spec.disabled) {
      this.#stopRuntime(name);
      await this.#writeStatus(mc, {
        ready: {
          status: "Unknown",
          reason: "MemberDisabled",
          message: "the member is disabled: nothing is written to it and its state is not refreshed",
        },
      });
      return undefined;
    }
    let entry: RuntimeEntry;
    try {
      entry = this.#ensureRuntime(mc);
    } catch (error) {
      return this.#failJoin(mc, error);
    }
    const { runtime } = entry;
    const now = this.#options.clock.now().getTime();
    const ready = readyState(runtime.health, now, this.#settings);
    const joined = mc.status?.conditions?.find((c) => c.type === MemberConditions.Joined)?.status === "True";
    if (!joined && runtime.health.last && !runtime.health.last.ok && !runtime.health.last.reachable) {
      const message = runtime.health.last.message;
      const tls = /certificate|self[- ]signed|unable to verify|CERT_/i.test(message);
      return this.#failJoin(
        mc,
        tls
          ? new JoinError(
              JoinFailure.CertificateInvalid,
              `the member's serving certificate at ${runtime.connection.server} does not verify: ${message}`,
            )
          : new JoinError(
              JoinFailure.Unreachable,
              `the member's API server at ${runtime.connection.server} is unreachable: ${message}`,
            ),
      );
    }
    if (runtime.health.lastSuccess === undefined) return { requeueAfterMs: 200 };
    try {
      const synced = runtime.managed.every((i) => i.hasSynced) && runtime.crds.hasSynced && joined;
      await reconcileBootstrap(runtime, synced);
    } catch (error) {
      if (!joined)
        return this.#failJoin(
          mc,
          new JoinError(JoinFailure.BootstrapFailed, `installing Atoll's objects failed: ${String(error)}`, {
            cause: error,
          }),
        );
    }
    if (!entry.version || entry.apisAt !== runtime.apiGeneration) {
      const generation = runtime.apiGeneration;
      const discovered = await discoverApis(runtime.connection).catch(() => undefined);
      if (discovered) {
        entry.version = discovered.version;
        entry.apis = discovered.apiEnablements;
        entry.apisAt = generation;
      }
    }
    await this.#writeStatus(mc, { ready, joined: true, entry });
    const taints = desiredTaints(mc, ready, now, this.#settings.evictionTimeoutMs);
    if (taints.changed) {
      await this.#options.client.patch(MEMBER_CLUSTERS, undefined, name, "merge", {
        spec: { taints: taints.taints.length ? taints.taints : null },
      });
    }
    const next = taints.nextChangeInMs ?? Number.POSITIVE_INFINITY;
    const untilUnknown =
      ready.status === "True"
        ? this.#settings.unknownAfterMs - (now - (runtime.health.lastSuccess ?? now)) + 1
        : Number.POSITIVE_INFINITY;
    const wait = Math.min(next, untilUnknown, 30_000);
    return { requeueAfterMs: Math.max(wait, 100) };
  }

  #ensureRuntime(mc: MemberCluster): RuntimeEntry {
    const name = mc.metadata.name ?? "";
    const { text, context, identity } = loadKubeconfig(mc, this.#options.secrets);
    const existing = this.#runtimes.get(name);
    if (existing && existing.identity === identity) return existing;
    if (existing) this.#stopRuntime(name);
    const connection = this.#options.connect(text, context);
    for (const [other, entry] of this.#runtimes) {
      if (other === name) continue;
      const same =
        entry.runtime.connection.server === connection.server &&
        entry.runtime.connection.caData === connection.caData;
      if (same) {
        connection.close();
        throw new JoinError(
          JoinFailure.DuplicateMember,
          `the same cluster (${connection.server}, same CA) is already joined as ${other}`,
        );
      }
    }
    const runtime = new MemberRuntime({
      name,
      connection,
      clock: this.#options.clock,
      settings: this.#settings,
      onChange: () => this.#controller.enqueue(name),
    });
    const entry: RuntimeEntry = { runtime, identity };
    this.#runtimes.set(name, entry);
    runtime.start();
    return entry;
  }

  #stopRuntime(name: string): void {
    this.#runtimes.get(name)?.runtime.stop();
    this.#runtimes.delete(name);
  }

  async #failJoin(mc: MemberCluster, error: unknown): Promise<ReconcileResult> {
    const reason = error instanceof JoinError ? error.reason : "JoinFailed";
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof JoinError && error.reason === JoinFailure.Unreachable))
      this.#stopRuntime(mc.metadata.name ?? "");
    await this.#writeStatus(mc, { joinFailure: { reason, message } });
    return { requeueAfterMs: 2000 };
  }

  async #writeStatus(
    mc: MemberCluster,
    what: {
      ready?: { status: "True" | "False" | "Unknown"; reason: string; message: string };
      joined?: boolean;
      joinFailure?: { reason: string; message: string };
      entry?: { runtime: MemberRuntime; apis?: unknown; version?: string };
    },
  ): Promise<void> {
    const now = this.#options.clock.now();
    const conditions = [...(mc.status?.conditions ?? [])];
    const set = (type: string, status: "True" | "False" | "Unknown", reason: string, message: string) => {
      const index = conditions.findIndex((c) => c.type === type);
      const next = condition(
        conditions[index],
        { type, status, reason, message, observedGeneration: mc.metadata.generation },
        now,
      );
      if (index >= 0) conditions[index] = next;
      else conditions.push(next);
    };
    if (what.joinFailure)
      set(MemberConditions.Joined, "False", what.joinFailure.reason, what.joinFailure.message);
    if (what.joined)
      set(
        MemberConditions.Joined,
        "True",
        "Joined",
        "the hub reaches the member and has installed what it needs",
      );
    if (what.ready) set(MemberConditions.Ready, what.ready.status, what.ready.reason, what.ready.message);
    const patch = statusPatch(mc, conditions, what.entry, now);
    if (!patch) return;
    try {
      await this.#options.client.patch(
        MEMBER_CLUSTERS,
        undefined,
        mc.metadata.name ?? "",
        "merge",
        { status: patch },
        { subresource: "status" },
      );
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
    }
  }

  async #unjoin(mc: MemberCluster): Promise<ReconcileResult> {
    const name = mc.metadata.name ?? "";
    if (!(mc.metadata.finalizers ?? []).includes(AtollFinalizers.memberCleanup)) return undefined;
    const policy = mc.metadata.annotations?.[AtollAnnotations.unjoinPolicy] ?? "drain";
    if (policy !== "orphan" && !mc.spec.disabled) {
      let entry: RuntimeEntry | undefined;
      try {
        entry = this.#ensureRuntime(mc);
      } catch {
        entry = undefined;
      }
      if (entry) {
        const remaining = await drainMember(entry.runtime.connection);
        if (remaining > 0) return { requeueAfterMs: 500 };
      }
    }
    this.#stopRuntime(name);
    const finalizers = (mc.metadata.finalizers ?? []).filter((f) => f !== AtollFinalizers.memberCleanup);
    await this.#options.client.patch(MEMBER_CLUSTERS, undefined, name, "merge", {
      metadata: { finalizers: finalizers.length ? finalizers : null },
    });
    return undefined;
  }
}
