import { executionNamespace, type MemberCluster, type ResourceBinding } from "@atoll/api";
import type { Informer, KubeObject, ReconcileResult, ResourceId } from "@atoll/kube";
import { jsonEqual, StatusError } from "@atoll/kube";
import { type ClusterOverridePolicy, OverrideError, type OverridePolicy } from "../overrides/index.ts";
import { workName } from "../propagation/names.ts";
import { bindingIdLabel, bindingIdOf, bindingNameAnnotations, targetMembers } from "./binding-keys.ts";
import { type BindingState, type RenderMemo, templateKey } from "./binding-state.ts";
import { cleanManifest } from "./clean.ts";
import { type DependencyKind, dependenciesOf, dependencyKey } from "./dependencies.ts";
import { appliedOverrideAnnotations, manifestLabels, renderDependency, renderForMember } from "./render.ts";
import { RenderedReasons, type RenderFailure, renderedCondition } from "./rendered-condition.ts";
import { isDivided } from "./replicas.ts";
import { type DesiredWork, type WorkWriter, workMetadataDiffers } from "./works.ts";

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
    const name = workName({ namespace: binding.metadata.namespace, name: binding.metadata.name ?? "" });
    const targets = [...new Set(targetMembers(binding))];
    const evicting = new Set((binding.spec.gracefulEvictionTasks ?? []).map((task) => task.fromCluster));
    const existing = new Map<string, KubeObject>();
    const stale: KubeObject[] = [];
    for (const { member, work } of state.worksOf(key, id)) {
      const kept = work.metadata.name === name && (targets.includes(member) || evicting.has(member));
      if (kept) existing.set(member, work);
      else stale.push(work);
    }
    const memo = this.#memo(key, fingerprint(binding, id, template, dependencies, state.renderEpoch));
    const labels = manifestLabels(bindingIdLabel(key), id);
    let shared: { base: KubeObject; dependencies: KubeObject[] } | undefined;
    const prepare = () => {
      shared ??= {
        base: cleanManifest(withIdentity(template, binding)),
        dependencies: dependencies.map((d) => renderDependency(d, labels)),
      };
      return shared;
    };
    const failures: RenderFailure[] = [];
    let waiting = false;
    const now = state.context.clock.now().getTime();
    const clusterPolicies = state.clusterOverridePolicies.list().filter(hasSpec) as ClusterOverridePolicy[];
    const namespacedPolicies = (
      binding.metadata.namespace ? state.overridePolicies.list(binding.metadata.namespace) : []
    ).filter(hasSpec) as OverridePolicy[];
    const renderMember = async (member: string) => {
      const work = existing.get(member);
      if (work?.metadata.deletionTimestamp) {
        // Re-created once the execution controller releases it; its deletion event brings us back.
        waiting = true;
        return;
      }
      if (isVerified(memo, member, work, now)) return;
      const cluster = state.context.memberClusters.get(member) as MemberCluster | undefined;
      if (!cluster) {
        failures.push({ reason: RenderedReasons.MemberNotFound, message: `member ${member} does not exist` });
        return;
      }
      const { base, dependencies: rendered } = prepare();
      let result: ReturnType<typeof renderForMember>;
      try {
        result = renderForMember({
          base,
          member: cluster,
          replicas: {
            divided: isDivided(binding.spec.placement),
            share: binding.spec.clusters?.find((c) => c.name === member)?.replicas,
          },
          clusterPolicies,
          namespacedPolicies,
          labels,
          dependencies: rendered,
        });
      } catch (error) {
        if (!(error instanceof OverrideError)) throw error;
        failures.push({ reason: RenderedReasons.OverrideFailed, message: error.message });
        memo.works.delete(member);
        return;
      }
      const desired: DesiredWork = {
        namespace: executionNamespace(member),
        name,
        labels: { [bindingIdLabel(key)]: id },
        annotations: {
          ...bindingNameAnnotations(key),
          ...appliedOverrideAnnotations(result.applied, binding.metadata.namespace),
        },
        spec: {
          workload: { manifests: result.manifests },
          conflictResolution: binding.spec.conflictResolution,
          preserveResourcesOnDeletion: binding.spec.preserveResourcesOnDeletion,
        },
      };
      let written: KubeObject | undefined;
      try {
        written = await writer.write(desired, work);
      } catch (error) {
        const status = error instanceof Error && error.cause instanceof StatusError ? error.cause : undefined;
        if (status?.reason !== "Invalid") throw error;
        failures.push({ reason: RenderedReasons.WorkRejected, message: String((error as Error).message) });
        return;
      }
      const current = written ?? work;
      memo.works.set(member, {
        at: now,
        uid: current?.metadata.uid,
        generation: current?.metadata.generation,
        labels: desired.labels,
        annotations: desired.annotations,
      });
    };
    await eachLimited(
      [
        ...stale.map((work) => () => writer.delete(work)),
        ...targets.map((member) => () => renderMember(member)),
      ],
      WRITES_PER_BINDING,
    );
    failures.sort((a, b) => (a.message < b.message ? -1 : 1));
    const complete = failures.length === 0 && !waiting;
    return this.#conclude(key, failures, complete ? template.metadata.generation : undefined);
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

/**
 * Everything a render reads, but the Works: while it is unchanged, a Work
 * verified against it needs no new render. The template counts by
 * generation and metadata, not resourceVersion, so the status this
 * controller writes to it does not invalidate the memo.
 */
function fingerprint(
  binding: ResourceBinding,
  id: string,
  template: KubeObject,
  dependencies: readonly KubeObject[],
  epoch: number,
): string {
  const meta = template.metadata;
  const templatePart =
    meta.generation === undefined
      ? `rv:${meta.resourceVersion}`
      : `g:${meta.generation}:${JSON.stringify(meta.labels ?? {})}:${JSON.stringify(meta.annotations ?? {})}`;
  return JSON.stringify([
    binding.metadata.uid,
    binding.metadata.generation,
    id,
    meta.uid,
    templatePart,
    epoch,
    dependencies.map((d) => `${d.kind}/${d.metadata.name}@${d.metadata.resourceVersion}`),
  ]);
}

/** How long a Work just written may be missing from the informer before it is written again. */
const INFORMER_LAG_MS = 10_000;

/**
 * Whether the Work is the one verified against the current memo. A Work we
 * just created that the informer has not shown yet counts for a while (its
 * deletion would clear the memo); an older generation is the informer
 * lagging our own update.
 */
function isVerified(memo: RenderMemo, member: string, work: KubeObject | undefined, now: number): boolean {
  const verified = memo.works.get(member);
  if (!verified) return false;
  if (!work) return now - verified.at < INFORMER_LAG_MS;
  return (
    work.metadata.uid === verified.uid &&
    (work.metadata.generation ?? 0) <= (verified.generation ?? 0) &&
    !workMetadataDiffers(work, verified)
  );
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
