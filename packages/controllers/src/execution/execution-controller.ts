import {
  type MemberCluster,
  memberOfExecutionNamespace,
  PropagationFinalizers,
  type ResourceIdentifier,
  WORKS,
  type Work,
  WorkConditions,
  type WorkStatus,
} from "@atoll/api";
import type { Informer, KubeObject, ReconcileResult, Runnable } from "@atoll/kube";
import { Controller, objectKeyOf, R } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import { applyManifest, type ManifestOutcome } from "./apply-manifest.ts";
import { messageOf, RetryLater } from "./failures.ts";
import { type PreparedManifest, prepareManifests, sameObject } from "./manifest.ts";
import { MemberCaches } from "./member-caches.ts";
import { gateSignature, memberGate, workGate } from "./member-gate.ts";
import { removeObjects } from "./remove-objects.ts";
import { appliedStatus, notDispatchedStatus, statusChange } from "./work-status.ts";
import { WorksByMember } from "./works-by-member.ts";

export type ExecutionControllerOptions = {
  /** The server-side apply field manager in members (default "atoll-execution"). */
  fieldManager?: string;
  /** Works reconciled at once (default 16); one slow member then holds up at most its own share. */
  concurrency?: number;
  /**
   * A Work whose only news is its member objects' status (a rollout's
   * progress) is written at most once per this many ms (default 200), so a
   * burst of member updates becomes one hub write rather than one each — and
   * one binding and template status update downstream. Changes of the Work's
   * conditions are written at once. 0 writes every change.
   */
  statusIntervalMs?: number;
};

const NAME = "execution";

/**
 * Applies each Work to its member (the member is named by the Work's
 * execution namespace, atoll-es-<member>) and reports back: server-side apply
 * of every manifest, conflicts with objects Atoll did not create, drift
 * repair from informers over the member's managed objects, the member
 * objects' status and health in Work status, and removal of member objects
 * when manifests or the Work go (held by the execution finalizer).
 */
export class ExecutionController implements Runnable {
  #context: PropagationContext;
  #fieldManager: string;
  #controller: Controller;
  #caches: MemberCaches;
  #works: Informer | undefined;
  #byMember = new WorksByMember();
  /** Works with a manifest of a kind no API serves yet; re-queued when CRDs change. */
  #unresolved = new Set<string>();
  #signatures = new Map<string, string>();
  /** The status last written per Work, until the informer shows the Work at the version that write made. */
  #written = new Map<string, { resourceVersion: string | undefined; status: WorkStatus }>();
  #statusIntervalMs: number;
  /** When each Work's status was last written (clock ms). */
  #lastStatusWrite = new Map<string, number>();
  /** Works whose first successful status was held back one interval (see #writeStatus). */
  #firstHeld = new Set<string>();

  constructor(context: PropagationContext, options: ExecutionControllerOptions = {}) {
    this.#context = context;
    this.#fieldManager = options.fieldManager ?? "atoll-execution";
    this.#statusIntervalMs = options.statusIntervalMs ?? 200;
    this.#controller = new Controller({
      name: NAME,
      reconcile: (key) => this.#reconcile(key),
      onError: context.onError,
      concurrency: options.concurrency ?? 16,
    });
    this.#caches = new MemberCaches((workKey) => this.#controller.enqueue(workKey));
  }

  start(): void {
    this.#works = this.#context.hubInformers.informer(WORKS, {
      onAdd: (work) => this.#workEvent(work, true),
      onUpdate: (work, old) => {
        const key = objectKeyOf(work);
        if (this.#written.get(key)?.resourceVersion === work.metadata.resourceVersion)
          this.#written.delete(key);
        this.#workEvent(work, specOrLifecycleChanged(work, old));
      },
      onDelete: (work) => {
        this.#byMember.remove(work);
        this.#written.delete(objectKeyOf(work));
        this.#lastStatusWrite.delete(objectKeyOf(work));
        this.#firstHeld.delete(objectKeyOf(work));
      },
    });
    this.#context.memberClusters.addHandlers({
      onAdd: (mc) => this.#memberEvent(mc),
      onUpdate: (mc) => this.#memberEvent(mc),
      onDelete: (mc) => this.#memberEvent(mc, true),
    });
    const requeueUnresolved = () => {
      for (const key of this.#unresolved) this.#controller.enqueue(key);
    };
    this.#context.hubInformers.informer(R.customresourcedefinitions, {
      onAdd: requeueUnresolved,
      onUpdate: requeueUnresolved,
    });
  }

  stop(): void {
    this.#controller.stop();
    this.#caches.stop();
  }

  #workEvent(work: KubeObject, changed: boolean): void {
    if (!memberOfExecutionNamespace(work.metadata.namespace ?? "")) return;
    this.#byMember.add(work);
    if (changed) this.#controller.enqueue(objectKeyOf(work));
  }

  /** Re-queues a member's Works when whether they may be applied changed, or its connection did. */
  #memberEvent(mc: KubeObject, deleted = false): void {
    const member = mc.metadata.name ?? "";
    const current = deleted ? undefined : (mc as MemberCluster);
    const signature = gateSignature(member, current, this.#context.members);
    const connection = this.#context.members.runtime(member)?.connection;
    const cache = this.#caches.get(member);
    const reconnected = cache !== undefined && cache.source !== connection;
    if (signature !== "open" || reconnected) this.#caches.drop(member);
    if (this.#signatures.get(member) === signature && !reconnected) return;
    this.#signatures.set(member, signature);
    for (const key of this.#byMember.keys(member)) this.#controller.enqueue(key);
  }

  async #reconcile(key: string): Promise<ReconcileResult> {
    const work = this.#works?.get(key) as Work | undefined;
    if (!work) {
      this.#unresolved.delete(key);
      return undefined;
    }
    const member = memberOfExecutionNamespace(work.metadata.namespace ?? "");
    if (!member) return undefined;
    const mc = this.#context.memberClusters.get(member) as MemberCluster | undefined;
    if (work.metadata.deletionTimestamp) return this.#finalize(work, member, mc);
    const gate = workGate(work) ?? memberGate(member, mc, this.#context.members);
    if (!gate.open)
      return this.#writeStatus(work, notDispatchedStatus(work, gate, this.#context.clock.now()));
    if (!(work.metadata.finalizers ?? []).includes(PropagationFinalizers.execution)) {
      await this.#setFinalizers(work, [...(work.metadata.finalizers ?? []), PropagationFinalizers.execution]);
    }
    const cache = this.#caches.for(member, gate.client, gate.source);
    const { prepared, unusable } = prepareManifests(work, this.#context.mapper);
    if (unusable.length) this.#unresolved.add(key);
    else this.#unresolved.delete(key);
    await removeObjects(cache, work, removedIdentifiers(work, prepared));
    const outcomes: ManifestOutcome[] = [];
    // In order: a Namespace or CRD listed first exists before what goes in it.
    for (const manifest of prepared) {
      outcomes.push(await applyManifest(cache, work, manifest, this.#fieldManager));
    }
    const result = await this.#writeStatus(
      work,
      appliedStatus(work, outcomes, unusable, this.#context.clock.now()),
    );
    const retry = outcomes.filter((o) => o.failure?.retry);
    if (retry.length) {
      throw new RetryLater(retry.map((o) => o.failure?.message).join("; "));
    }
    return result;
  }

  /**
   * A Work being deleted: remove what it applied from the member (unless
   * preserveResourcesOnDeletion), then let it go. A member that no longer
   * exists, or is being unjoined (its drain removes or orphans what the hub
   * placed, as its unjoin policy says), is not cleaned here. One that is
   * disabled, not joined or not Ready keeps the Work until it can be cleaned
   * (its MemberCluster changing re-queues it); failures retry with back-off.
   */
  async #finalize(work: Work, member: string, mc: MemberCluster | undefined): Promise<ReconcileResult> {
    if (!(work.metadata.finalizers ?? []).includes(PropagationFinalizers.execution)) return undefined;
    const leaving = !mc || mc.metadata.deletionTimestamp !== undefined;
    if (!leaving && !work.spec?.preserveResourcesOnDeletion) {
      const gate = memberGate(member, mc, this.#context.members);
      if (!gate.open) return undefined;
      const cache = this.#caches.for(member, gate.client, gate.source);
      await removeObjects(cache, work, ownedIdentifiers(work, this.#context));
    }
    await this.#setFinalizers(
      work,
      (work.metadata.finalizers ?? []).filter((f) => f !== PropagationFinalizers.execution),
    );
    return undefined;
  }

  async #setFinalizers(work: Work, finalizers: string[]): Promise<void> {
    try {
      await this.#context.hub.patch(WORKS, work.metadata.namespace, work.metadata.name ?? "", "merge", {
        metadata: { finalizers, resourceVersion: work.metadata.resourceVersion },
      });
    } catch (error) {
      throw new Error(`failed to set the finalizers of Work ${objectKeyOf(work)}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  /**
   * Writes status only when it changes, and news of member objects' status
   * at most once per status interval (asking for a pass when it is due). The
   * Work read may predate the last write (the informer not yet caught up):
   * a status equal to the one written and not yet seen back is not written
   * again.
   */
  async #writeStatus(work: Work, status: WorkStatus): Promise<ReconcileResult> {
    const key = objectKeyOf(work);
    const pending = this.#written.get(key);
    if (pending?.resourceVersion === work.metadata.resourceVersion) this.#written.delete(key);
    const change = statusChange(work, status);
    if (change === "none") return undefined;
    if (pending && statusChange({ ...work, status: pending.status }, status) === "none") return undefined;
    const now = this.#context.clock.now().getTime();
    // A Work's first successful apply is reported one interval late: by then the
    // member's controllers have usually written the objects' status, and one
    // write carries both (half the Work status writes of a fresh propagation).
    if (!work.status?.conditions?.length && applied(status) && !this.#firstHeld.has(key)) {
      this.#firstHeld.add(key);
      return { requeueAfterMs: this.#statusIntervalMs };
    }
    const due = (this.#lastStatusWrite.get(key) ?? Number.NEGATIVE_INFINITY) + this.#statusIntervalMs;
    if (change === "observed" && now < due) return { requeueAfterMs: due - now };
    const written = await this.#context.hub
      .patch(
        WORKS,
        work.metadata.namespace,
        work.metadata.name ?? "",
        "merge",
        { status: { conditions: status.conditions, manifestStatuses: status.manifestStatuses } },
        { subresource: "status" },
      )
      .catch((error: unknown) => {
        throw new Error(`failed to write the status of Work ${key}: ${messageOf(error)}`, { cause: error });
      });
    this.#written.set(key, { resourceVersion: written.metadata.resourceVersion, status });
    this.#lastStatusWrite.set(key, now);
    return undefined;
  }
}

function applied(status: WorkStatus): boolean {
  return status.conditions?.some((c) => c.type === WorkConditions.Applied && c.status === "True") ?? false;
}

/** Objects recorded in status whose manifests are no longer in the Work. */
function removedIdentifiers(work: Work, prepared: PreparedManifest[]): ResourceIdentifier[] {
  const recorded = (work.status?.manifestStatuses ?? []).map((s) => s.identifier);
  return recorded.filter((id) => !prepared.some((m) => sameObject(m.identifier, id)));
}

/** Everything a Work may have applied: its manifests now, and what its status recorded. */
function ownedIdentifiers(work: Work, context: PropagationContext): ResourceIdentifier[] {
  const { prepared } = prepareManifests(work, context.mapper);
  const current = prepared.map((m) => m.identifier);
  return [...current, ...removedIdentifiers(work, prepared)];
}

/** A Work update worth a pass: spec (generation), deletion, finalizers or labels; not its own status writes. */
function specOrLifecycleChanged(work: KubeObject, old: KubeObject): boolean {
  const a = work.metadata;
  const b = old.metadata;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    (a.finalizers ?? []).join() !== (b.finalizers ?? []).join()
  );
}
