import {
  type Cluster,
  ClusterPhases,
  type ClusterStatus,
  COMPONENT_DEFINITIONS,
  type ComponentDefinition,
  ComponentDefinitionPhases,
  InstanceOperationAnnotations,
  KB_CLUSTERS,
  KubeBlocksAnnotations,
  type MemberCluster,
} from "@atoll/api";
import {
  Controller,
  cloneJson,
  type Informer,
  jsonEqual,
  type KubeObject,
  type ReconcileResult,
  type Runnable,
  StatusError,
} from "@atoll/kube";
import { type ConditionState, mergeConditions } from "../binding/conditions.ts";
import { gateSignature, memberGate } from "../execution/member-gate.ts";
import type { PropagationContext } from "../propagation/context.ts";
import { type Cleanup, cleanUp } from "./instance-deletion.ts";
import {
  INSTANCE_FIELD_MANAGER,
  INSTANCE_FINALIZER,
  InstanceAnnotations,
  InstanceConditions,
} from "./instance-names.ts";
import { type MemberAccess, type Move, syncInstance } from "./instance-sync.ts";
import { MemberInformers } from "./member-informers.ts";
import { messageOf } from "./member-writes.ts";
import {
  departures,
  eligibleMembers,
  parsePlacement,
  placementCandidates,
  placeReplicas,
  relocationTarget,
} from "./placement.ts";
import { syncedStatus } from "./synced-status.ts";

export type InstanceControllerOptions = {
  /** Clusters reconciled at once (default 4). */
  concurrency?: number;
  /** The field manager of applies into members (default `atoll-instances`). */
  fieldManager?: string;
  /** How often a Cluster that is not settled is looked at again without an event (default 5000 ms). */
  resyncMs?: number;
};

const NAME = "instances";

/**
 * KubeBlocks' Cluster across members: places each replica on a member
 * (recorded on the Cluster, never moved), writes its pod, PVCs and pod
 * services into that member through the member's API (server-side apply, no
 * ownerReferences), reports per-replica status at the hub (Unknown while
 * a member cannot be reached), and cleans up per terminationPolicy under a
 * finalizer.
 */
export class InstanceController implements Runnable {
  #context: PropagationContext;
  #controller: Controller;
  #fieldManager: string;
  #resyncMs: number;
  #clusters: Informer | undefined;
  #definitions: Informer | undefined;
  #members = new Map<string, { informers: MemberInformers; namespaces: Set<string> }>();
  #signatures = new Map<string, string>();
  #shapes = new Map<string, string>();
  #stopped = false;

  constructor(context: PropagationContext, options: InstanceControllerOptions = {}) {
    this.#context = context;
    this.#fieldManager = options.fieldManager ?? INSTANCE_FIELD_MANAGER;
    this.#resyncMs = options.resyncMs ?? 5000;
    this.#controller = new Controller({
      name: NAME,
      reconcile: (key) => this.#reconcile(key),
      onError: context.onError,
      concurrency: options.concurrency ?? 4,
    });
  }

  start(): void {
    const hubInformers = this.#context.hubInformers;
    this.#clusters = hubInformers.informer(KB_CLUSTERS);
    this.#controller.watches(this.#clusters);
    const requeueAll = () => this.#enqueueAll();
    const definitionChanged = (definition: KubeObject) => {
      requeueAll();
      this.#markAvailable(definition as ComponentDefinition);
    };
    this.#definitions = hubInformers.informer(COMPONENT_DEFINITIONS, {
      onAdd: definitionChanged,
      onUpdate: definitionChanged,
      onDelete: requeueAll,
    });
    this.#context.memberClusters.addHandlers({
      onAdd: (mc) => this.#memberEvent(mc),
      onUpdate: (mc) => this.#memberEvent(mc),
      onDelete: (mc) => this.#memberEvent(mc, true),
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#controller.stop();
    for (const member of this.#members.values()) member.informers.stop();
    this.#members.clear();
  }

  /**
   * A ComponentDefinition the API accepted is usable (its schema checked what
   * Atoll reads): Available, as KubeBlocks reports it, for its generation.
   */
  #markAvailable(definition: ComponentDefinition): void {
    const generation = definition.metadata.generation;
    const status = definition.status ?? {};
    if (
      this.#stopped ||
      (status.phase === ComponentDefinitionPhases.Available && status.observedGeneration === generation)
    )
      return;
    const next = {
      ...definition,
      status: { ...status, phase: ComponentDefinitionPhases.Available, observedGeneration: generation },
    };
    this.#context.hub
      .update(COMPONENT_DEFINITIONS, undefined, next, { subresource: "status" })
      .catch((error) => {
        // A conflict means a newer copy is on its way through the informer, which comes back here.
        if (!(error instanceof StatusError && error.reason === "Conflict"))
          this.#context.onError?.(NAME, definition.metadata.name ?? "", error);
      });
  }

  #enqueueAll(): void {
    for (const cluster of this.#clusters?.list() ?? []) {
      this.#controller.enqueue(`${cluster.metadata.namespace}/${cluster.metadata.name}`);
    }
  }

  /** Keeps one set of informers per joined member (fresh after an outage, so they list at once) and re-queues on gate changes. */
  #memberEvent(object: KubeObject, deleted = false): void {
    if (this.#stopped) return;
    const member = object.metadata.name ?? "";
    const mc = deleted ? undefined : (object as MemberCluster);
    const runtime = deleted ? undefined : this.#context.members.runtime(member);
    const current = this.#members.get(member);
    const signature = gateSignature(member, mc, this.#context.members);
    const previous = this.#signatures.get(member);
    this.#signatures.set(member, signature);
    // What placement reads of a member: a change (cordon, taints, unjoin, Ready) may move or place replicas.
    const shape = mc
      ? JSON.stringify([
          mc.spec?.unschedulable,
          mc.spec?.disabled,
          mc.metadata.deletionTimestamp,
          (mc.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`),
          mc.status?.conditions?.map((c) => `${c.type}=${c.status}`),
        ])
      : "";
    const previousShape = this.#shapes.get(member);
    this.#shapes.set(member, shape);
    if (!runtime) {
      current?.informers.stop();
      this.#members.delete(member);
    } else {
      const reopened = signature === "open" && previous !== undefined && previous !== "open";
      if (!current || current.informers.source !== runtime.connection || reopened) {
        current?.informers.stop();
        const informers = new MemberInformers({
          member,
          client: runtime.connection.client,
          source: runtime.connection,
          onCluster: (key) => this.#controller.enqueue(key),
        });
        this.#members.set(member, { informers, namespaces: new Set() });
      }
    }
    if (previous !== signature || previousShape !== shape) this.#enqueueAll();
  }

  #access(member: string): MemberAccess {
    const mc = this.#context.memberClusters.get(member) as MemberCluster | undefined;
    const gate = memberGate(member, mc, this.#context.members);
    const state = this.#members.get(member);
    if (!gate.open) return { closed: gate.message };
    if (!state) return { closed: `member cluster ${member} is not joined` };
    return state;
  }

  async #reconcile(key: string): Promise<ReconcileResult> {
    const cluster = this.#clusters?.get(key) as Cluster | undefined;
    if (!cluster || this.#stopped) return undefined;
    const finalizers = cluster.metadata.finalizers ?? [];
    if (cluster.metadata.deletionTimestamp) {
      if (!finalizers.includes(INSTANCE_FINALIZER)) return undefined;
      return this.#delete(cluster);
    }
    if (!finalizers.includes(INSTANCE_FINALIZER)) {
      await this.#patchMetadata(cluster, { finalizers: [...finalizers, INSTANCE_FINALIZER] });
      return undefined;
    }
    const memberClusters = this.#context.memberClusters.list() as MemberCluster[];
    const eligible = eligibleMembers(memberClusters);
    const annotation = cluster.metadata.annotations?.[KubeBlocksAnnotations.multiClusterPlacement];
    const candidates = placementCandidates(annotation, eligible);
    const recordedText = cluster.metadata.annotations?.[InstanceAnnotations.replicaPlacement];
    const recorded = parsePlacement(recordedText);
    const components = (cluster.spec.componentSpecs ?? []).map((c) => ({
      name: c.name,
      replicas: c.replicas ?? 1,
    }));
    const placement = placeReplicas({ recorded, components, candidates, eligible });
    if (!jsonEqual(placement, recorded) || recordedText === undefined) {
      // Recorded before anything is written to a member, so a replica's member never changes.
      await this.#patchMetadata(cluster, {
        annotations: { [InstanceAnnotations.replicaPlacement]: JSON.stringify(placement) },
      });
      return undefined;
    }
    const placed = [
      ...new Set(
        Object.values(placement)
          .flat()
          .filter((m) => m !== ""),
      ),
    ];
    const rebuildLost = cluster.metadata.annotations?.[InstanceAnnotations.rebuildLostReplicas] === "true";
    const moves: Move[] = [];
    const blocked: string[] = [];
    const moving = new Set<string>();
    for (const departure of departures({ placement, members: memberClusters, rebuildLost })) {
      if (moving.has(departure.component)) continue; // one replica of a component at a time
      moving.add(departure.component);
      const to = relocationTarget(placement[departure.component] ?? [], candidates, eligible);
      if (to) moves.push({ ...departure, to });
      else blocked.push(`${departure.reason}, and no other member may take its replica`);
    }
    const outcome = await syncInstance({
      cluster,
      placement,
      definition: (name) => this.#definitions?.get(name) as ComponentDefinition | undefined,
      access: (member) => this.#access(member),
      mirrorMembers: [...new Set([...(annotation ? candidates : []), ...placed])],
      moves,
      allMembers: [...this.#members.keys()],
      fieldManager: this.#fieldManager,
    });
    if (outcome.switchover) {
      await this.#patchMetadata(cluster, {
        annotations: { [InstanceOperationAnnotations.switchoverResult]: JSON.stringify(outcome.switchover) },
      });
      return undefined; // the Cluster's update re-queues it
    }
    if (outcome.moved.length > 0) {
      const next = cloneJson(placement);
      for (const move of outcome.moved) {
        const members = next[move.component];
        if (members?.[move.ordinal] === move.from) members[move.ordinal] = move.to;
      }
      await this.#patchMetadata(cluster, {
        annotations: { [InstanceAnnotations.replicaPlacement]: JSON.stringify(next) },
      });
      return undefined;
    }
    const {
      phase,
      components: componentStatus,
      conditions,
    } = syncedStatus(cluster, outcome, candidates, blocked);
    await this.#writeStatus(cluster, { phase, components: componentStatus }, conditions, [
      InstanceConditions.DeletionRefused,
    ]);
    if (outcome.failures.length)
      throw new Error(`failed to sync Cluster ${key}: ${outcome.failures.join("; ")}`);
    const settled = phase === ClusterPhases.Running || phase === ClusterPhases.Stopped;
    return settled ? undefined : { requeueAfterMs: this.#resyncMs };
  }

  async #delete(cluster: Cluster): Promise<ReconcileResult> {
    const result: Cleanup = await cleanUp({
      cluster,
      members: [
        ...new Set([
          ...this.#members.keys(),
          ...Object.values(
            parsePlacement(cluster.metadata.annotations?.[InstanceAnnotations.replicaPlacement]),
          ).flat(),
        ]),
      ].filter((m) => m !== ""),
      access: (member) => this.#access(member),
      memberExists: (member) => this.#context.memberClusters.get(member) !== undefined,
    });
    if (result.refused) {
      const refused: ConditionState = {
        type: InstanceConditions.DeletionRefused,
        status: "True",
        reason: "DoNotTerminate",
        message: result.refused,
      };
      await this.#writeStatus(cluster, {}, [refused], []);
      return undefined;
    }
    await this.#writeStatus(
      cluster,
      { phase: ClusterPhases.Deleting, message: result.pending.join("; ") || undefined },
      [],
      [],
    );
    if (result.pending.length) return { requeueAfterMs: 500 };
    await this.#patchMetadata(cluster, {
      finalizers: (cluster.metadata.finalizers ?? []).filter((f) => f !== INSTANCE_FINALIZER),
    });
    return undefined;
  }

  async #patchMetadata(cluster: Cluster, metadata: Record<string, unknown>): Promise<void> {
    const { namespace, name = "", resourceVersion } = cluster.metadata;
    try {
      await this.#context.hub.patch(KB_CLUSTERS, namespace, name, "merge", {
        metadata: { ...metadata, resourceVersion },
      });
    } catch (error) {
      throw new Error(`failed to update Cluster ${namespace}/${name}: ${messageOf(error)}`, { cause: error });
    }
  }

  /** Writes status only when it says something new. */
  async #writeStatus(
    cluster: Cluster,
    fields: Partial<ClusterStatus>,
    set: ConditionState[],
    remove: string[],
  ): Promise<void> {
    const old = cluster.status ?? {};
    const status: ClusterStatus = {
      ...old,
      ...fields,
      observedGeneration: cluster.metadata.generation,
      conditions: mergeConditions(old.conditions, set, remove, this.#context.clock.now()),
    };
    if (status.message === undefined) delete status.message;
    if (jsonEqual(status, old)) return;
    const { namespace, name = "" } = cluster.metadata;
    try {
      await this.#context.hub.update(
        KB_CLUSTERS,
        namespace,
        { ...cluster, status },
        { subresource: "status" },
      );
    } catch (error) {
      throw new Error(`failed to write the status of Cluster ${namespace}/${name}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
}
