import type { MemberCluster, ServiceExport } from "@atoll/api";
import { Controller, type KubeObject, type ReconcileResult, type Runnable, splitKey } from "@atoll/kube";
import { gateSignature, memberGate } from "../execution/member-gate.ts";
import type { PropagationContext } from "../propagation/context.ts";
import type { Service } from "./core-objects.ts";
import { type DerivedService, deriveService } from "./derive.ts";
import { type ExportOutcome, type ExportReading, readExport, writeExportStatus } from "./export-status.ts";
import type { EndpointSource } from "./import-objects.ts";
import { holdsImport, type ImportTarget, messageOf, removeImport, syncImport } from "./import-sync.ts";
import { MemberWatch } from "./member-watch.ts";

export type McsControllerOptions = {
  /** Services (namespace/name) reconciled at once (default 4). */
  concurrency?: number;
  /**
   * How long a joined, Ready member's informers may take to list before the
   * member is left out (default 10 000 ms) — e.g. one that does not serve the
   * MCS CRDs. Until then no import is changed, so a restart never withdraws
   * what a member that has not listed yet exports.
   */
  syncTimeoutMs?: number;
};

const NAME = "mcs";
/** A member Ready again whose informers have not listed for this long is watched afresh. */
const RELIST_AFTER_MS = 1000;

/** One member as a reconcile sees it. */
type MemberView = { member: string; watch: MemberWatch; target: ImportTarget | undefined };

/** One member's ServiceExport of the service being reconciled, and what it contributes. */
type ExportView = { view: MemberView; serviceExport: ServiceExport; reading: ExportReading };

/**
 * The Multi-Cluster Services API at the hub (KEP-1645). Watches every joined
 * member's ServiceExports, Services and EndpointSlices; per namespace/name it
 * merges the valid exports (oldest export wins a conflict) into one
 * clusterset service and writes, into every member that has the namespace, a
 * ServiceImport, its derived Service (whose cluster IP, from the member's own
 * service range, is the ClusterSet IP) and EndpointSlices with the ready
 * endpoints of each reachable exporter. Each export gets Valid, Ready and
 * Conflict conditions. An exporter that is not Ready has its endpoints
 * withdrawn everywhere until it is Ready again; when the last export goes,
 * imports and slices go too.
 */
export class McsController implements Runnable {
  #context: PropagationContext;
  #controller: Controller;
  #syncTimeoutMs: number;
  #watches = new Map<string, MemberWatch>();
  #signatures = new Map<string, string>();
  #timers = new Set<NodeJS.Timeout>();
  /** Services with an export or an import somewhere: what member and Service/slice changes may concern. */
  #known = new Set<string>();
  #stopped = false;

  constructor(context: PropagationContext, options: McsControllerOptions = {}) {
    this.#context = context;
    this.#syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
    this.#controller = new Controller({
      name: NAME,
      reconcile: (key) => this.#reconcile(key),
      onError: context.onError,
      concurrency: options.concurrency ?? 4,
    });
  }

  start(): void {
    this.#context.memberClusters.addHandlers({
      onAdd: (mc) => this.#memberEvent(mc),
      onUpdate: (mc) => this.#memberEvent(mc),
      onDelete: (mc) => this.#memberEvent(mc, true),
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#controller.stop();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const watch of this.#watches.values()) watch.stop();
    this.#watches.clear();
  }

  /**
   * Starts, replaces or drops the member's watch as its runtime comes and
   * goes (and lists afresh when it is Ready again); re-queues every known
   * service when whether it may be written to changes.
   */
  #memberEvent(mc: KubeObject, deleted = false): void {
    if (this.#stopped) return;
    const member = mc.metadata.name ?? "";
    const runtime = deleted ? undefined : this.#context.members.runtime(member);
    const watch = this.#watches.get(member);
    if (!runtime) {
      this.#signatures.delete(member);
      if (watch) {
        watch.stop();
        this.#watches.delete(member);
        this.#enqueueKnown();
      }
      return;
    }
    const signature = gateSignature(
      member,
      deleted ? undefined : (mc as MemberCluster),
      this.#context.members,
    );
    const previous = this.#signatures.get(member);
    // Back from an outage, the informers may be waiting out a retry back-off (up to 5 s): list afresh.
    const reopened =
      signature === "open" &&
      previous !== undefined &&
      previous !== "open" &&
      (watch?.synced || this.#context.clock.now().getTime() - (watch?.startedAt ?? 0) > RELIST_AFTER_MS);
    if (!watch || watch.source !== runtime.connection || reopened) {
      watch?.stop();
      this.#watches.set(member, this.#newWatch(member, runtime.connection));
    }
    if (previous === signature) return;
    this.#signatures.set(member, signature);
    this.#enqueueKnown();
  }

  #newWatch(member: string, connection: { client: ImportTarget["client"] }): MemberWatch {
    const watch = new MemberWatch({
      member,
      client: connection.client,
      source: connection,
      now: this.#context.clock.now().getTime(),
      events: {
        onKey: (key, kind) => {
          if (kind !== "other") this.#known.add(key);
          if (this.#known.has(key)) this.#controller.enqueue(key);
        },
        onNamespace: (namespace) => {
          for (const key of this.#known) if (key.startsWith(`${namespace}/`)) this.#controller.enqueue(key);
        },
        onSynced: () => this.#enqueueKnown(),
      },
    });
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!watch.synced && this.#watches.get(member) === watch) {
        this.#context.onError?.(
          NAME,
          member,
          new Error(
            `member ${member}'s Services, EndpointSlices and MCS objects did not list within ${this.#syncTimeoutMs} ms: it is left out until they do`,
          ),
        );
        this.#enqueueKnown();
      }
    }, this.#syncTimeoutMs);
    timer.unref();
    this.#timers.add(timer);
    return watch;
  }

  #enqueueKnown(): void {
    for (const key of this.#known) this.#controller.enqueue(key);
  }

  async #reconcile(key: string): Promise<ReconcileResult> {
    const { namespace = "", name } = splitKey(key);
    const now = this.#context.clock.now();
    const views = this.#views();
    const listing = views.some(
      (v) => v.target && !v.watch.synced && now.getTime() - v.watch.startedAt < this.#syncTimeoutMs,
    );
    // The member's sync (or its timeout) re-queues every known service.
    if (listing) return undefined;
    const readable = views.filter((v) => v.watch.synced);
    const exports = readable.flatMap((view) => exportOf(view, key));
    const derived = deriveService(
      exports.flatMap((e) => ("exported" in e.reading ? [e.reading.exported] : [])),
    );
    const sources: EndpointSource[] = (derived?.constituents ?? []).flatMap((c) => {
      const view = readable.find((v) => v.member === c.cluster);
      return view?.target ? [{ cluster: c.cluster, slices: view.watch.serviceSlices(key) }] : [];
    });
    const pending: string[] = [];
    const failures: unknown[] = [];
    for (const view of readable) {
      if (!view.target) continue;
      try {
        if (derived && view.watch.hasNamespace(namespace))
          await syncImport(view.target, key, derived, sources, now);
        else if (holdsImport(view.watch, key)) await removeImport(view.target, key);
      } catch (error) {
        pending.push(`${view.member} (${messageOf(error)})`);
        failures.push(
          new Error(`failed to import ${key} into ${view.member}: ${messageOf(error)}`, { cause: error }),
        );
      }
    }
    for (const { view, serviceExport, reading } of exports) {
      if (!view.target) continue;
      try {
        await writeExportStatus(
          view.target.client,
          view.member,
          serviceExport,
          outcomeOf(reading, derived, pending),
          now,
        );
      } catch (error) {
        failures.push(error);
      }
    }
    if (exports.length === 0 && !readable.some((v) => holdsImport(v.watch, key))) this.#known.delete(key);
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1)
      throw new AggregateError(failures, `${failures.length} writes of ${namespace}/${name} failed`);
    return undefined;
  }

  /** Every watched member, with where to write when it may be written to (joined, enabled, Ready). */
  #views(): MemberView[] {
    return [...this.#watches.values()].map((watch) => {
      const mc = this.#context.memberClusters.get(watch.member) as MemberCluster | undefined;
      const gate = memberGate(watch.member, mc, this.#context.members);
      const target =
        gate.open && gate.source === watch.source
          ? { member: watch.member, client: gate.client, watch }
          : undefined;
      return { member: watch.member, watch, target };
    });
  }
}

/** The member's export of `key`, if it has one that is not being deleted. */
function exportOf(view: MemberView, key: string): ExportView[] {
  const serviceExport = view.watch.exports.get(key) as ServiceExport | undefined;
  if (!serviceExport || serviceExport.metadata.deletionTimestamp) return [];
  const service = view.watch.services.get(key) as Service | undefined;
  return [{ view, serviceExport, reading: readExport(view.member, key, serviceExport, service) }];
}

function outcomeOf(
  reading: ExportReading,
  derived: DerivedService | undefined,
  pending: string[],
): ExportOutcome {
  if ("invalid" in reading) return { valid: false, invalid: reading.invalid };
  // Every valid export is a constituent of the derived service.
  if (!derived) throw new Error("a valid export without a derived service");
  return { valid: true, derived, pending };
}
