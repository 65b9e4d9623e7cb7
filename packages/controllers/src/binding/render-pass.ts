import { executionNamespace, type MemberCluster, type ResourceBinding } from "@atoll/api";
import type { Informer, KubeObject, ReconcileResult, ResourceId } from "@atoll/kube";
import { jsonEqual, StatusError } from "@atoll/kube";
import { type ClusterOverridePolicy, OverrideError, type OverridePolicy } from "../overrides/index.ts";
import { workName } from "../propagation/names.ts";
import { bindingIdLabel, bindingIdOf, bindingNameAnnotations, targetMembers } from "./binding-keys.ts";
import { type BindingState, templateKey } from "./binding-state.ts";
import { cleanManifest } from "./clean.ts";
import { type DependencyKind, dependenciesOf, dependencyKey } from "./dependencies.ts";
import {
  appliedOverrideAnnotations,
  type MemberRender,
  manifestLabels,
  renderDependency,
  renderForMember,
} from "./render.ts";
import { fingerprint, isVerified, type RenderMemo } from "./render-memo.ts";
import { RenderedReasons, type RenderFailure, renderedCondition } from "./rendered-condition.ts";
import { isDivided } from "./replicas.ts";
import type { DesiredWork, WorkWriter } from "./works.ts";

/** Writes to the hub in flight at once for one binding's members. */
const WRITES_PER_BINDING = 8;

export type RenderPassOptions = {
  state: BindingState;
  writer: WorkWriter;
  /** The template informer of a resource, routed to this controller. */
  templates(resource: ResourceId): Informer;
  /** The dependency informers, routed to this controller; started on first use. */
  dependencies(): Record<DependencyKind, Informer>;
  /** Asks the status pass to report a changed outcome. */
  outcomeChanged(key: string): void;
};

/**
 * The render half of the binding controller: turns a binding, its template,
 * the override policies and (with propagateDeps) the template's
 * dependencies into one Work per target member, and removes the Works of
 * members no longer targeted (those being gracefully evicted excepted) and
 * of deleted bindings.
 */
export class RenderPass {
  #options: RenderPassOptions;

  constructor(options: RenderPassOptions) {
    this.#options = options;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { state } = this.#options;
    if (!state.synced) return { requeueAfterMs: 100 };
    const binding = state.bindingsOf(key).get(key) as ResourceBinding | undefined;
    if (!binding || binding.metadata.deletionTimestamp) return this.#removeAll(key, binding);
    const id = bindingIdOf(binding);
    if (!id) {
      const message = `the binding has no ${bindingIdLabel(key)} label yet`;
      return this.#conclude(key, [{ reason: RenderedReasons.NoPermanentId, message }]);
    }
    state.rememberId(key, id);
    const ref = binding.spec?.resource;
    const resource = ref && state.context.mapper.resolve(ref.apiVersion, ref.kind);
    if (!ref || !resource) {
      const message = `the hub serves no resource for ${ref?.apiVersion}/${ref?.kind}`;
      this.#conclude(key, [{ reason: RenderedReasons.UnknownKind, message }]);
      return { requeueAfterMs: 2000 };
    }
    const templates = this.#options.templates(resource);
    state.templateIndex.set(key, [templateKey(resource, ref.namespace, ref.name)]);
    if (!templates.hasSynced) return { requeueAfterMs: 100 };
    const template = templates.get(ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);
    if (!template) {
      const message = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name} does not exist`;
      return this.#conclude(key, [{ reason: RenderedReasons.TemplateNotFound, message }]);
    }
    const dependencies = this.#dependencies(key, binding, template);
    if (!dependencies) return { requeueAfterMs: 100 };
    return this.#renderWorks({ key, id, binding, template, dependencies });
  }

  async #renderWorks(input: {
    key: string;
    id: string;
    binding: ResourceBinding;
    template: KubeObject;
    dependencies: KubeObject[];
  }): Promise<ReconcileResult> {
    const { key, id, binding, template, dependencies } = input;
    const { state, writer } = this.#options;
    const memo = this.#memo(key, fingerprint(binding, id, template, dependencies, state.renderEpoch));
    const run = this.#newRun(input, memo);
    const targets = [...new Set(targetMembers(binding))];
    const evicting = new Set((binding.spec.gracefulEvictionTasks ?? []).map((task) => task.fromCluster));
    const existing = new Map<string, KubeObject>();
    const stale: KubeObject[] = [];
    for (const { member, work } of state.worksOf(key, id)) {
      const kept = work.metadata.name === run.name && (targets.includes(member) || evicting.has(member));
      if (kept) existing.set(member, work);
      else stale.push(work);
    }
    await eachLimited(
      [
        ...stale.map((work) => () => writer.delete(work)),
        ...targets.map((member) => () => this.#renderMember(run, member, existing.get(member))),
      ],
      WRITES_PER_BINDING,
    );
    run.failures.sort((a, b) => (a.message < b.message ? -1 : 1));
    const complete = run.failures.length === 0 && !run.waiting;
    return this.#conclude(key, run.failures, complete ? template.metadata.generation : undefined);
  }

  /** What every member's render of one pass shares; the cleaned template is made once, on first need. */
  #newRun(
    input: {
      key: string;
      id: string;
      binding: ResourceBinding;
      template: KubeObject;
      dependencies: KubeObject[];
    },
    memo: RenderMemo,
  ): RenderRun {
    const { key, id, binding, template, dependencies } = input;
    const { state } = this.#options;
    const labels = manifestLabels(bindingIdLabel(key), id);
    const namespace = binding.metadata.namespace;
    let shared: { base: KubeObject; dependencies: KubeObject[] } | undefined;
    return {
      key,
      id,
      binding,
      name: workName({ namespace, name: binding.metadata.name ?? "" }),
      labels,
      memo,
      now: state.context.clock.now().getTime(),
      clusterPolicies: state.clusterOverridePolicies.list().filter(hasSpec) as ClusterOverridePolicy[],
      namespacedPolicies: (namespace ? state.overridePolicies.list(namespace) : []).filter(
        hasSpec,
      ) as OverridePolicy[],
      shared: () => {
        shared ??= {
          base: cleanManifest(withIdentity(template, binding)),
          dependencies: dependencies.map((d) => renderDependency(d, labels)),
        };
        return shared;
      },
      failures: [],
      waiting: false,
    };
  }

  /** Renders one member's Work and writes it if it differs; failures are recorded on the run. */
  async #renderMember(run: RenderRun, member: string, work: KubeObject | undefined): Promise<void> {
    if (work?.metadata.deletionTimestamp) {
      // Re-created once the execution controller releases it; its deletion event brings us back.
      run.waiting = true;
      return;
    }
    if (isVerified(run.memo, member, work, run.now)) return;
    const cluster = this.#options.state.context.memberClusters.get(member) as MemberCluster | undefined;
    if (!cluster) {
      run.failures.push({
        reason: RenderedReasons.MemberNotFound,
        message: `member ${member} does not exist`,
      });
      return;
    }
    const { binding } = run;
    const { base, dependencies } = run.shared();
    let result: MemberRender;
    try {
      result = renderForMember({
        base,
        member: cluster,
        replicas: {
          divided: isDivided(binding.spec.placement),
          share: binding.spec.clusters?.find((c) => c.name === member)?.replicas,
        },
        clusterPolicies: run.clusterPolicies,
        namespacedPolicies: run.namespacedPolicies,
        labels: run.labels,
        dependencies,
      });
    } catch (error) {
      if (!(error instanceof OverrideError)) throw error;
      run.failures.push({ reason: RenderedReasons.OverrideFailed, message: error.message });
      run.memo.works.delete(member);
      return;
    }
    const desired = desiredWork(run, member, result);
    let written: KubeObject | undefined;
    try {
      written = await this.#options.writer.write(desired, work);
    } catch (error) {
      const status = error instanceof Error && error.cause instanceof StatusError ? error.cause : undefined;
      if (status?.reason !== "Invalid") throw error;
      run.failures.push({ reason: RenderedReasons.WorkRejected, message: (error as Error).message });
      return;
    }
    const current = written ?? work;
    run.memo.works.set(member, {
      at: run.now,
      uid: current?.metadata.uid,
      generation: current?.metadata.generation,
      labels: desired.labels,
      annotations: desired.annotations,
    });
  }

  /** The binding is gone (or going): every Work it has is deleted; its memory goes once they are. */
  async #removeAll(key: string, binding: ResourceBinding | undefined): Promise<ReconcileResult> {
    const { state, writer } = this.#options;
    const id = (binding && bindingIdOf(binding)) ?? state.ids.get(key);
    const works = state.worksOf(key, id);
    await eachLimited(
      works.map(
        ({ work }) =>
          () =>
            writer.delete(work),
      ),
      WRITES_PER_BINDING,
    );
    if (works.length === 0) state.forget(key);
    else state.outcomes.delete(key);
    return undefined;
  }

  /**
   * The dependencies to propagate, as found in their informers (a missing one
   * is skipped: its creation brings the binding back through the index);
   * undefined while those informers are still listing.
   */
  #dependencies(key: string, binding: ResourceBinding, template: KubeObject): KubeObject[] | undefined {
    const { state } = this.#options;
    if (!binding.spec.propagateDeps) {
      state.dependencyIndex.delete(key);
      return [];
    }
    const refs = dependenciesOf(template);
    state.dependencyIndex.set(key, refs.map(dependencyKey));
    const informers = this.#options.dependencies();
    if (Object.values(informers).some((informer) => !informer.hasSynced)) return undefined;
    return refs.flatMap((ref) => {
      const object = informers[ref.kind].get(`${ref.namespace}/${ref.name}`);
      return object && !object.metadata.deletionTimestamp ? [object] : [];
    });
  }

  #memo(key: string, fingerprint: string): RenderMemo {
    const { memos } = this.#options.state;
    let memo = memos.get(key);
    if (memo?.fingerprint !== fingerprint) {
      memo = { fingerprint, works: new Map() };
      memos.set(key, memo);
    }
    return memo;
  }

  #conclude(key: string, failures: readonly RenderFailure[], templateGeneration?: number): ReconcileResult {
    const { state } = this.#options;
    const outcome = { condition: renderedCondition(failures), templateGeneration };
    if (!jsonEqual(state.outcomes.get(key), outcome)) {
      state.outcomes.set(key, outcome);
      this.#options.outcomeChanged(key);
    }
    return undefined;
  }
}

/** One render pass of a binding: its inputs, and what went wrong so far. */
type RenderRun = {
  key: string;
  id: string;
  binding: ResourceBinding;
  /** The binding's Work name (the same in every member). */
  name: string;
  labels: Record<string, string>;
  memo: RenderMemo;
  now: number;
  clusterPolicies: ClusterOverridePolicy[];
  namespacedPolicies: OverridePolicy[];
  shared(): { base: KubeObject; dependencies: KubeObject[] };
  failures: RenderFailure[];
  /** A target's Work is still being deleted: it is re-created later. */
  waiting: boolean;
};

function desiredWork(run: RenderRun, member: string, result: MemberRender): DesiredWork {
  const { binding } = run;
  return {
    namespace: executionNamespace(member),
    name: run.name,
    labels: { [bindingIdLabel(run.key)]: run.id },
    annotations: {
      ...bindingNameAnnotations(run.key),
      ...appliedOverrideAnnotations(result.applied, binding.metadata.namespace),
    },
    spec: {
      workload: { manifests: result.manifests },
      conflictResolution: binding.spec.conflictResolution,
      preserveResourcesOnDeletion: binding.spec.preserveResourcesOnDeletion,
    },
  };
}

/** The template as the binding names it: informer objects may lack apiVersion and kind. */
function withIdentity(template: KubeObject, binding: ResourceBinding): KubeObject {
  if (template.apiVersion && template.kind) return template;
  return { ...template, apiVersion: binding.spec.resource.apiVersion, kind: binding.spec.resource.kind };
}

function hasSpec(policy: KubeObject): boolean {
  return typeof policy.spec === "object" && policy.spec !== null;
}

/** Runs every task, at most `limit` at once; rethrows the first failure once all have settled. */
async function eachLimited(tasks: ReadonlyArray<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      try {
        await task?.();
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
