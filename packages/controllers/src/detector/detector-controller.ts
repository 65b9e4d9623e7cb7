import {
  CLUSTER_PROPAGATION_POLICIES,
  CLUSTER_RESOURCE_BINDINGS,
  PROPAGATION_POLICIES,
  PropagationFinalizers,
  PropagationLabels,
  type PropagationPolicy,
  RESOURCE_BINDINGS,
  type ResourceBinding,
  WORKS,
} from "@atoll/api";
import type { Informer, KubeObject, Random, ReconcileResult, ResourceId, Runnable } from "@atoll/kube";
import { Controller, R, systemRandom } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import { BindingIds } from "./binding-ids.ts";
import { bindingIdLabel, bindingLocation } from "./binding-spec.ts";
import { releaseBinding, syncBinding } from "./binding-sync.ts";
import { claimOf, claimPatch } from "./claim.ts";
import { ignoreReason } from "./ignored.ts";
import { DetectorEventReasons, PolicyEvents } from "./policy-events.ts";
import { type CandidatePolicy, choosePolicy, type PolicyScope } from "./policy-match.ts";
import { finalizeTemplate } from "./template-deletion.ts";
import { parseTemplateKey, templateKey, templateKeyOf } from "./template-key.ts";
import { TemplateKinds } from "./template-kinds.ts";

export type DetectorOptions = {
  /** Source of bindings' permanent ids (default: crypto.randomUUID). */
  random?: Random;
  /** Templates reconciled at once (default 4). */
  concurrency?: number;
  /** How often a deleting template re-checks for its binding and Works, besides their events (default 1000 ms). */
  deletionRecheckMs?: number;
  /** Told what each reconcile of a template decided, for logs and tests (it must not throw). */
  onOutcome?: (key: string, outcome: DetectorOutcome) => void;
};

/**
 * What one reconcile did with a template: `ignored` (never propagated),
 * `unmatched` (no policy, nothing claimed), `claimed` (claim and binding up to
 * date), `released` (no policy any more), `waiting` (being deleted, its
 * binding or Works remain), `finalized` (finalizer released), `gone`.
 */
export type DetectorOutcome =
  | "ignored"
  | "unmatched"
  | "claimed"
  | "released"
  | "waiting"
  | "finalized"
  | "gone";

type Informers = {
  policies: Informer;
  clusterPolicies: Informer;
  bindings: Informer;
  clusterBindings: Informer;
  works: Informer;
  crds: Informer;
};

/**
 * The first stage of propagation: finds the policy of every resource template
 * at the hub (Karmada's resource detector), claims the template for it
 * (labels, annotations, finalizer) and keeps its (Cluster)ResourceBinding in
 * step with the template and the policy. Templates no policy claims any more
 * are released with their bindings kept; a deleted template keeps its
 * finalizer until its binding and every Work of it are gone.
 *
 * Queue keys are templates: `group/version/Kind/namespace/name`.
 */
export class DetectorController implements Runnable {
  #context: PropagationContext;
  #random: Random;
  #recheckMs: number;
  #onOutcome: DetectorOptions["onOutcome"];
  #controller: Controller;
  #events: PolicyEvents;
  #informers: Informers | undefined;
  #kinds: TemplateKinds | undefined;
  #synced: Promise<unknown> | undefined;
  #bindingIds = new BindingIds();

  constructor(context: PropagationContext, options: DetectorOptions = {}) {
    this.#context = context;
    this.#random = options.random ?? systemRandom;
    this.#recheckMs = options.deletionRecheckMs ?? 1000;
    this.#onOutcome = options.onOutcome;
    this.#controller = new Controller({
      name: "detector",
      reconcile: async (key) => {
        const { outcome, result } = await this.#reconcile(key);
        if (outcome) this.#onOutcome?.(key, outcome);
        return result;
      },
      onError: context.onError,
      concurrency: options.concurrency ?? 4,
    });
    this.#events = new PolicyEvents({
      client: context.hub,
      clock: context.clock,
      component: "atoll-detector",
    });
  }

  start(): void {
    if (this.#informers) return;
    const pool = this.#context.hubInformers;
    const crds = pool.informer(R.customresourcedefinitions);
    this.#kinds = new TemplateKinds({
      pool,
      mapper: this.#context.mapper,
      crds,
      onChange: (resource, template) => this.#controller.enqueue(templateKeyOf(resource, template)),
    });
    const policyHandlers = (scope: PolicyScope) => ({
      onAdd: (p: KubeObject) => this.#policyChanged(scope, p),
      onUpdate: (p: KubeObject, old: KubeObject) => {
        this.#policyChanged(scope, p);
        this.#policyChanged(scope, old);
      },
      onDelete: (p: KubeObject) => this.#policyChanged(scope, p),
    });
    const bindingHandlers = {
      onAdd: (b: KubeObject) => this.#bindingChanged(b),
      onUpdate: (b: KubeObject) => this.#bindingChanged(b),
      onDelete: (b: KubeObject) => this.#bindingChanged(b),
    };
    this.#informers = {
      crds,
      works: pool.informer(WORKS, { onDelete: (w) => this.#workDeleted(w) }),
      bindings: pool.informer(RESOURCE_BINDINGS, bindingHandlers),
      clusterBindings: pool.informer(CLUSTER_RESOURCE_BINDINGS, bindingHandlers),
      policies: pool.informer(PROPAGATION_POLICIES, policyHandlers("namespaced")),
      clusterPolicies: pool.informer(CLUSTER_PROPAGATION_POLICIES, policyHandlers("cluster")),
    };
    // CRDs may start serving kinds policies named before: watch their templates then.
    const retry = () => this.#kinds?.retry();
    pool.informer(R.customresourcedefinitions, { onAdd: retry, onUpdate: retry });
    // Deciding on a template needs every policy and binding: an unsynced cache would read as "no policy" and release it.
    this.#synced = Promise.all(Object.values(this.#informers).map((informer) => informer.synced()));
  }

  stop(): void {
    this.#controller.stop();
  }

  /** A policy appeared, changed or went: re-decide every template of the kinds it selects (in its namespace). */
  #policyChanged(scope: PolicyScope, policy: KubeObject): void {
    const kinds = this.#kinds;
    if (!kinds) return;
    const selectors = (policy as PropagationPolicy).spec?.resourceSelectors ?? [];
    const namespace = scope === "namespaced" ? policy.metadata.namespace : undefined;
    for (const selector of selectors) {
      const result = kinds.watch(selector.apiVersion, selector.kind);
      if ("problem" in result) {
        if (!policy.metadata.deletionTimestamp) this.#reportKind(policy, selector, result.problem);
        continue;
      }
      for (const template of kinds.informer(result.resource)?.list(namespace) ?? []) {
        this.#controller.enqueue(templateKeyOf(result.resource, template));
      }
    }
  }

  #reportKind(policy: KubeObject, selector: { apiVersion: string; kind: string }, problem: string): void {
    const what = `${selector.kind} (${selector.apiVersion})`;
    if (problem === "reserved") {
      this.#events.warn(
        policy,
        DetectorEventReasons.ReservedKind,
        `resourceSelectors: ${what} is one of Atoll's own kinds, which are never propagated`,
      );
    } else {
      this.#events.warn(
        policy,
        DetectorEventReasons.UnknownKind,
        `resourceSelectors: the hub does not serve ${what}; its templates are propagated once it does ` +
          "(e.g. when its CustomResourceDefinition is created)",
      );
    }
  }

  /** A binding changed: its template is re-decided (a deleted binding is re-created, a deleting template may proceed). */
  #bindingChanged(binding: KubeObject): void {
    const ref = (binding as ResourceBinding).spec?.resource;
    if (!ref?.apiVersion || !ref.kind || !ref.name) return;
    // Templates of a kind no policy names any more still need their deletion handled.
    this.#kinds?.watch(ref.apiVersion, ref.kind);
    const key = templateKey(ref);
    const id = binding.metadata.labels?.[bindingIdLabel({ namespace: binding.metadata.namespace })];
    if (id) this.#bindingIds.set(key, id);
    this.#controller.enqueue(key);
  }

  /** A Work went: if a deleting template waits for its binding's Works, look again. */
  #workDeleted(work: KubeObject): void {
    const labels = work.metadata.labels ?? {};
    for (const id of [
      labels[PropagationLabels.resourceBindingId],
      labels[PropagationLabels.clusterResourceBindingId],
    ]) {
      const key = id && this.#bindingIds.templateOf(id);
      if (key) this.#controller.enqueue(key);
    }
  }

  async #reconcile(key: string): Promise<{ outcome?: DetectorOutcome; result?: ReconcileResult }> {
    await this.#synced;
    const ref = parseTemplateKey(key);
    const resource = ref && this.#kinds?.resource(ref.apiVersion, ref.kind);
    const informer = resource && this.#kinds?.informer(resource);
    if (!ref || !resource || !informer) return {};
    const cached = informer.get(ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);
    if (!cached) {
      // Gone: the binding follows through its owner reference.
      this.#bindingIds.delete(key);
      return { outcome: "gone" };
    }
    const template: KubeObject = { ...cached, apiVersion: ref.apiVersion, kind: resource.kind };
    if (ignoreReason(resource.group, template)) return { outcome: "ignored" };
    if (template.metadata.deletionTimestamp) return this.#finalize(key, resource, template);
    const claimed = claimOf(template);
    const decision = choosePolicy({ template, policies: this.#candidates(template), claimed });
    if (decision.action === "claim") return this.#claim(key, resource, template, decision.policy);
    await this.#release(resource, template);
    return { outcome: claimed ? "released" : "unmatched" };
  }

  /** Every live policy that may select `template`: the PropagationPolicies of its namespace and all ClusterPropagationPolicies. */
  #candidates(template: KubeObject): CandidatePolicy[] {
    const informers = this.#informers;
    if (!informers) return [];
    const live = (p: KubeObject) => !p.metadata.deletionTimestamp;
    const namespace = template.metadata.namespace;
    const namespaced = namespace ? informers.policies.list(namespace).filter(live) : [];
    return [
      ...namespaced.map((p) => ({ scope: "namespaced" as const, policy: p as PropagationPolicy })),
      ...informers.clusterPolicies
        .list()
        .filter(live)
        .map((p) => ({ scope: "cluster" as const, policy: p as PropagationPolicy })),
    ];
  }

  async #claim(
    key: string,
    resource: ResourceId,
    template: KubeObject,
    policy: CandidatePolicy,
  ): Promise<{ outcome?: DetectorOutcome; result?: ReconcileResult }> {
    const patch = claimPatch(template, policy);
    let claimed = template;
    if (patch) {
      const written = await this.#patchTemplate(
        resource,
        template,
        patch,
        (what) => `claim ${what} for ${describe(policy)}`,
      );
      claimed = { ...written, apiVersion: template.apiVersion, kind: template.kind };
    }
    const result = await syncBinding({
      hub: this.#context.hub,
      bindings: this.#bindingsFor(claimed),
      resource,
      template: claimed,
      policy,
      newId: () => this.#random.uuid(),
    });
    if ("waiting" in result) return { result: { requeueAfterMs: this.#recheckMs } };
    const id = result.binding.metadata.labels?.[bindingIdLabel(bindingLocation(claimed))];
    if (id) this.#bindingIds.set(key, id);
    return { outcome: "claimed" };
  }

  /** No policy claims `template`: drop its claim and finalizer, and the claim marks of its (kept) binding. */
  async #release(resource: ResourceId, template: KubeObject): Promise<void> {
    const patch = claimPatch(template, undefined);
    if (patch) await this.#patchTemplate(resource, template, patch, (what) => `release ${what}`);
    await releaseBinding({ hub: this.#context.hub, bindings: this.#bindingsFor(template), template });
  }

  async #finalize(
    key: string,
    resource: ResourceId,
    template: KubeObject,
  ): Promise<{ outcome?: DetectorOutcome; result?: ReconcileResult }> {
    if (!(template.metadata.finalizers ?? []).includes(PropagationFinalizers.propagation)) {
      return { outcome: "finalized" };
    }
    const progress = await finalizeTemplate({
      hub: this.#context.hub,
      resource,
      template,
      knownBindingId: this.#bindingIds.get(key),
    });
    if (progress.state === "released") {
      this.#bindingIds.delete(key);
      return { outcome: "finalized" };
    }
    if (progress.bindingId) this.#bindingIds.set(key, progress.bindingId);
    return { outcome: "waiting", result: { requeueAfterMs: this.#recheckMs } };
  }

  /** A merge patch of the template; a failure says what was being done (a Conflict is retried by the queue). */
  async #patchTemplate(
    resource: ResourceId,
    template: KubeObject,
    patch: unknown,
    doing: (what: string) => string,
  ): Promise<KubeObject> {
    const { namespace, name = "" } = template.metadata;
    try {
      return await this.#context.hub.patch(resource, namespace, name, "merge", patch);
    } catch (error) {
      const what = `${resource.kind} ${namespace ? `${namespace}/` : ""}${name}`;
      throw new Error(`failed to ${doing(what)}: ${(error as Error).message}`, { cause: error });
    }
  }

  #bindingsFor(template: KubeObject): Informer {
    const informers = this.#informers;
    if (!informers) throw new Error("the detector is not started");
    return template.metadata.namespace ? informers.bindings : informers.clusterBindings;
  }
}

function describe(candidate: CandidatePolicy): string {
  const { name, namespace } = candidate.policy.metadata;
  return candidate.scope === "namespaced"
    ? `PropagationPolicy ${namespace}/${name}`
    : `ClusterPropagationPolicy ${name}`;
}
