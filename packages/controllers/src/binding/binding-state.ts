import {
  CLUSTER_OVERRIDE_POLICIES,
  CLUSTER_RESOURCE_BINDINGS,
  memberOfExecutionNamespace,
  OVERRIDE_POLICIES,
  RESOURCE_BINDINGS,
  WORKS,
  type Work,
} from "@atoll/api";
import type { Informer, KubeObject, ResourceId } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import type { ConditionState } from "./conditions.ts";
import type { RenderMemo } from "./render-memo.ts";
import { ReverseIndex } from "./reverse-index.ts";

/** What the last render of a binding concluded, for the status pass to report. */
export type RenderOutcome = {
  /** The Rendered condition. */
  condition: ConditionState;
  /** The template generation every target's Work now carries, when every one was rendered. */
  templateGeneration?: number;
};

/** The identity of a template in the indexes: resource and object key. */
export function templateKey(resource: ResourceId, namespace: string | undefined, name: string): string {
  return `${resource.group}/${resource.resource}/${namespace ?? ""}/${name}`;
}

/**
 * The state the render and status passes share: the hub informers both read,
 * the reverse indexes events are routed through, and per-binding memory
 * (permanent ids outliving their binding, render outcomes and memos).
 */
export class BindingState {
  readonly context: PropagationContext;
  readonly resourceBindings: Informer;
  readonly clusterResourceBindings: Informer;
  readonly works: Informer;
  readonly overridePolicies: Informer;
  readonly clusterOverridePolicies: Informer;
  /** binding key → the template it reads. */
  readonly templateIndex = new ReverseIndex();
  /** binding key → the dependencies (`Kind/namespace/name`) it propagates, present or not. */
  readonly dependencyIndex = new ReverseIndex();
  /** Work key → `binding:<key>` and `id:<permanent id>` of the binding it belongs to. */
  readonly workIndex = new ReverseIndex();
  /** binding key → its permanent id, kept after the binding is gone until its Works are. */
  readonly ids = new Map<string, string>();
  /** permanent id → binding key, to route events of a Work whose annotations were edited away. */
  readonly keysById = new Map<string, string>();
  readonly outcomes = new Map<string, RenderOutcome>();
  readonly memos = new Map<string, RenderMemo>();
  /** Bumped whenever an override policy, or what targeting reads of a member, changes. */
  renderEpoch = 0;

  constructor(context: PropagationContext) {
    this.context = context;
    const pool = context.hubInformers;
    this.resourceBindings = pool.informer(RESOURCE_BINDINGS);
    this.clusterResourceBindings = pool.informer(CLUSTER_RESOURCE_BINDINGS);
    this.works = pool.informer(WORKS);
    this.overridePolicies = pool.informer(OVERRIDE_POLICIES);
    this.clusterOverridePolicies = pool.informer(CLUSTER_OVERRIDE_POLICIES);
  }

  /** Whether every informer the passes read has listed once. */
  get synced(): boolean {
    return [
      this.resourceBindings,
      this.clusterResourceBindings,
      this.works,
      this.overridePolicies,
      this.clusterOverridePolicies,
      this.context.memberClusters,
    ].every((informer) => informer.hasSynced);
  }

  /** The binding informer a key belongs to. */
  bindingsOf(key: string): Informer {
    return key.includes("/") ? this.resourceBindings : this.clusterResourceBindings;
  }

  allBindings(): KubeObject[] {
    return [...this.resourceBindings.list(), ...this.clusterResourceBindings.list()];
  }

  /** The Works of a binding, by the annotations naming it or by its permanent id, with their members. */
  worksOf(key: string, id: string | undefined): Array<{ member: string; work: Work }> {
    const keys = new Set(this.workIndex.objectsOf(`binding:${key}`));
    if (id) for (const workKey of this.workIndex.objectsOf(`id:${id}`)) keys.add(workKey);
    const found: Array<{ member: string; work: Work }> = [];
    for (const workKey of keys) {
      const work = this.works.get(workKey) as Work | undefined;
      const member = work && memberOfExecutionNamespace(work.metadata.namespace ?? "");
      if (work && member) found.push({ member, work });
    }
    return found;
  }

  rememberId(key: string, id: string): void {
    const old = this.ids.get(key);
    if (old === id) return;
    if (old !== undefined) this.keysById.delete(old);
    this.ids.set(key, id);
    this.keysById.set(id, key);
  }

  /** Drops everything remembered about a binding that is gone with all its Works. */
  forget(key: string): void {
    const id = this.ids.get(key);
    if (id !== undefined) this.keysById.delete(id);
    this.ids.delete(key);
    this.outcomes.delete(key);
    this.memos.delete(key);
    this.templateIndex.delete(key);
    this.dependencyIndex.delete(key);
  }
}
