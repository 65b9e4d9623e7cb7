import type { MemberCluster, ResourceBinding } from "@atoll/api";
import type { Informer, InformerHandlers, KubeObject, ResourceId, Runnable } from "@atoll/kube";
import { Controller, isRecord, jsonEqual, objectKeyOf } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import { bindingIdOf, bindingIdOfWork, bindingKeyOfWork, targetMembers } from "./binding-keys.ts";
import { BindingState, templateKey } from "./binding-state.ts";
import { DEPENDENCY_RESOURCES, type DependencyKind } from "./dependencies.ts";
import { RenderPass } from "./render-pass.ts";
import { StatusPass } from "./status-pass.ts";
import { WorkWriter } from "./works.ts";

export type BindingControllerOptions = {
  /** Bindings rendered at once, and bindings whose status is aggregated at once (default 8 each). */
  concurrency?: number;
};

type Running = { state: BindingState; render: Controller; status: Controller };

/** How long a status pass waits so the reports of several Works are written together. */
const STATUS_COALESCE_MS = 250;

/**
 * Turns (Cluster)ResourceBindings into Works and Work status back into
 * bindings and templates — the third stage of propagation:
 *
 * - render: per member in spec.clusters, the template cleaned of what the hub
 *   set, with the member's replicas and its overrides, plus (propagateDeps)
 *   the ConfigMaps, Secrets, ServiceAccount and PVCs its pods use, as one Work
 *   in the member's execution namespace; Works of members no longer targeted
 *   (unless being gracefully evicted) and of deleted bindings are deleted.
 *   An override that cannot be applied leaves that member's Work as it was
 *   and sets the binding's Rendered condition False.
 * - status: Work status → binding aggregatedStatus and FullyApplied → the hub
 *   template's status (Deployments and the like show their members' sums).
 *
 * Level-triggered over the shared hub informers; in steady state it writes
 * nothing. Informers are obtained, and handlers registered, on start().
 */
export class BindingController implements Runnable {
  #context: PropagationContext;
  #concurrency: number;
  #running: Running | undefined;
  #templateResources = new Set<string>();
  #dependencyInformers: Record<DependencyKind, Informer> | undefined;

  constructor(context: PropagationContext, options: BindingControllerOptions = {}) {
    this.#context = context;
    this.#concurrency = options.concurrency ?? 8;
  }

  start(): void {
    if (this.#running) return;
    const state = new BindingState(this.#context);
    const templates = (resource: ResourceId) => this.#templates(resource);
    const status = new StatusPass({ state, templates });
    const render = new RenderPass({
      state,
      writer: new WorkWriter(this.#context.hub),
      templates,
      dependencies: () => this.#dependencies(),
      outcomeChanged: (key) => this.#running?.status.enqueueAfter(key, STATUS_COALESCE_MS),
    });
    this.#running = {
      state,
      render: new Controller({
        name: "binding-render",
        reconcile: (key) => render.reconcile(key),
        onError: this.#context.onError,
        concurrency: this.#concurrency,
      }),
      status: new Controller({
        name: "binding-status",
        reconcile: (key) => status.reconcile(key),
        onError: this.#context.onError,
        concurrency: this.#concurrency,
      }),
    };
    this.#routeBindings(state);
    this.#routeWorks(state);
    this.#routeTargeting(state);
  }

  stop(): void {
    this.#running?.render.stop();
    this.#running?.status.stop();
  }

  #render(keys: Iterable<string>): void {
    for (const key of keys) this.#running?.render.enqueue(key);
  }

  /**
   * Status passes wait STATUS_COALESCE_MS: a binding's Works report one after
   * another (one per member, then again as the members' controllers settle),
   * and one pass after the burst writes the binding and template once
   * instead of once per report. Queued keys keep their earliest due time.
   */
  #status(keys: Iterable<string>): void {
    for (const key of keys) this.#running?.status.enqueueAfter(key, STATUS_COALESCE_MS);
  }

  #both(keys: Iterable<string>): void {
    const list = [...keys];
    this.#render(list);
    this.#status(list);
  }

  #routeBindings(state: BindingState): void {
    const remember = (binding: KubeObject) => {
      const id = bindingIdOf(binding);
      if (id) state.rememberId(objectKeyOf(binding), id);
    };
    const handlers: InformerHandlers = {
      onAdd: (binding) => {
        remember(binding);
        this.#both([objectKeyOf(binding)]);
      },
      onUpdate: (binding, old) => {
        remember(binding);
        const key = objectKeyOf(binding);
        // Our own status writes change neither generation nor labels: no render for them.
        const renderInputs = (b: KubeObject) => [
          b.metadata.generation,
          b.metadata.labels,
          b.metadata.deletionTimestamp,
        ];
        if (!jsonEqual(renderInputs(binding), renderInputs(old))) this.#render([key]);
        this.#status([key]);
      },
      onDelete: (binding) => {
        remember(binding);
        this.#both([objectKeyOf(binding)]);
      },
    };
    state.resourceBindings.addHandlers(handlers);
    state.clusterResourceBindings.addHandlers(handlers);
  }

  #routeWorks(state: BindingState): void {
    const ownerOf = (work: KubeObject): string | undefined => {
      const id = bindingIdOfWork(work);
      return bindingKeyOfWork(work) ?? (id ? state.keysById.get(id) : undefined);
    };
    const index = (work: KubeObject) => {
      const key = bindingKeyOfWork(work);
      const id = bindingIdOfWork(work);
      state.workIndex.set(objectKeyOf(work), [
        ...(key ? [`binding:${key}`] : []),
        ...(id ? [`id:${id}`] : []),
      ]);
    };
    state.works.addHandlers({
      onAdd: (work) => {
        index(work);
        const owner = ownerOf(work);
        if (owner) this.#both([owner]);
      },
      onUpdate: (work, old) => {
        index(work);
        const owners = new Set([ownerOf(work), ownerOf(old)].filter((k) => k !== undefined));
        const specOrMeta = (w: KubeObject) => [
          w.metadata.generation,
          w.metadata.labels,
          w.metadata.annotations,
          w.metadata.deletionTimestamp,
        ];
        if (!jsonEqual(specOrMeta(work), specOrMeta(old))) this.#render(owners);
        this.#status(owners);
      },
      onDelete: (work) => {
        state.workIndex.delete(objectKeyOf(work));
        const owner = ownerOf(work);
        if (!owner) return;
        // A deleted Work must be written again, even one the memo had verified.
        const memo = state.memos.get(owner);
        for (const [member, verified] of memo?.works ?? []) {
          if (verified.uid === work.metadata.uid) memo?.works.delete(member);
        }
        this.#both([owner]);
      },
    });
  }

  /** MemberClusters and override policies: what decides which overrides a member's copy gets. */
  #routeTargeting(state: BindingState): void {
    const targeting = (member: KubeObject) => {
      const spec = (member as MemberCluster).spec ?? {};
      return [member.metadata.labels ?? {}, spec.provider, spec.region, spec.zone];
    };
    const membersChanged = (member: KubeObject) => {
      state.renderEpoch++;
      const name = member.metadata.name ?? "";
      this.#render(
        state
          .allBindings()
          .filter((b) => targetMembers(b as ResourceBinding).includes(name))
          .map(objectKeyOf),
      );
    };
    state.context.memberClusters.addHandlers({
      onAdd: membersChanged,
      onUpdate: (member, old) => {
        if (!jsonEqual(targeting(member), targeting(old))) membersChanged(member);
      },
      onDelete: membersChanged,
    });
    const policyHandlers = (namespaced: boolean): InformerHandlers => {
      const changed = (policies: KubeObject[]) => {
        state.renderEpoch++;
        this.#render(bindingsSelectedBy(state, policies, namespaced));
      };
      return {
        onAdd: (policy) => changed([policy]),
        onUpdate: (policy, old) => {
          if (!jsonEqual(policy.spec, old.spec)) changed([policy, old]);
        },
        onDelete: (policy) => changed([policy]),
      };
    };
    state.overridePolicies.addHandlers(policyHandlers(true));
    state.clusterOverridePolicies.addHandlers(policyHandlers(false));
  }

  /** The pool's informer for a template resource, with this controller's routing added once. */
  #templates(resource: ResourceId): Informer {
    const pool = this.#context.hubInformers;
    const id = `${resource.group}/${resource.version}/${resource.resource}`;
    if (this.#templateResources.has(id)) return pool.informer(resource);
    this.#templateResources.add(id);
    const bindingsOf = (template: KubeObject) =>
      this.#running?.state.templateIndex.objectsOf(
        templateKey(resource, template.metadata.namespace, template.metadata.name ?? ""),
      ) ?? [];
    return pool.informer(resource, {
      onAdd: (template) => this.#both(bindingsOf(template)),
      onUpdate: (template, old) => {
        const keys = bindingsOf(template);
        if (!jsonEqual(renderedPart(template), renderedPart(old))) this.#render(keys);
        this.#status(keys);
      },
      onDelete: (template) => this.#both(bindingsOf(template)),
    });
  }

  /** The dependency informers, started the first time a binding propagates dependencies. */
  #dependencies(): Record<DependencyKind, Informer> {
    if (this.#dependencyInformers) return this.#dependencyInformers;
    const pool = this.#context.hubInformers;
    const informers = {} as Record<DependencyKind, Informer>;
    for (const [kind, resource] of Object.entries(DEPENDENCY_RESOURCES) as Array<
      [DependencyKind, ResourceId]
    >) {
      const bindingsOf = (object: KubeObject) =>
        this.#running?.state.dependencyIndex.objectsOf(
          `${kind}/${object.metadata.namespace}/${object.metadata.name}`,
        ) ?? [];
      informers[kind] = pool.informer(resource, {
        onAdd: (object) => this.#render(bindingsOf(object)),
        onUpdate: (object) => this.#render(bindingsOf(object)),
        onDelete: (object) => this.#render(bindingsOf(object)),
      });
    }
    this.#dependencyInformers = informers;
    return informers;
  }
}

/** A template without what changes when only its status is written. */
function renderedPart(template: KubeObject): KubeObject {
  const { status: _status, ...rest } = template;
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = template.metadata;
  return { ...rest, metadata };
}

/**
 * The bindings whose templates an override policy may select: by the kinds
 * of its resourceSelectors (every kind when it has none), and for an
 * OverridePolicy only in its own namespace.
 */
function bindingsSelectedBy(
  state: BindingState,
  policies: readonly KubeObject[],
  namespaced: boolean,
): string[] {
  const keys = new Set<string>();
  for (const policy of policies) {
    const spec = isRecord(policy.spec) ? policy.spec : {};
    const selectors = Array.isArray(spec.resourceSelectors) ? spec.resourceSelectors.filter(isRecord) : [];
    const kinds = new Set(selectors.map((s) => s.kind));
    const candidates = namespaced
      ? state.resourceBindings.list(policy.metadata.namespace ?? "")
      : state.allBindings();
    for (const binding of candidates) {
      const kind = (binding as ResourceBinding).spec?.resource?.kind;
      if (kinds.size === 0 || kinds.has(kind)) keys.add(objectKeyOf(binding));
    }
  }
  return [...keys];
}
