import { type AggregatedStatusItem, BindingConditions, type ResourceBinding, type Work } from "@atoll/api";
import type { Informer, ReconcileResult, ResourceId } from "@atoll/kube";
import { isRecord, jsonEqual, StatusError } from "@atoll/kube";
import { aggregatedItems, appliedCondition, fullyAppliedCondition, type MemberWork } from "./aggregate.ts";
import { bindingIdOf, bindingResourceOf, targetMembers } from "./binding-keys.ts";
import type { BindingState, RenderOutcome } from "./binding-state.ts";
import { type ConditionState, mergeConditions, sameConditions } from "./conditions.ts";
import { type MemberStatus, templateStatusUpdate } from "./template-status.ts";
import { FIELD_MANAGER } from "./works.ts";

export type StatusPassOptions = {
  state: BindingState;
  templates(resource: ResourceId): Informer;
};

/** Retry soon after a write lost a race: the informer brings the newer object meanwhile. */
const CONFLICT_RETRY_MS = 50;

/**
 * The status half of the binding controller: the Works' status becomes the
 * binding's aggregatedStatus with FullyApplied (and the render pass's
 * Rendered condition), and the members' copies' status becomes the hub
 * template's own status. Each is written through the status subresource,
 * and only when it would change.
 */
export class StatusPass {
  #options: StatusPassOptions;

  constructor(options: StatusPassOptions) {
    this.#options = options;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { state } = this.#options;
    if (!state.synced) return { requeueAfterMs: 100 };
    const binding = state.bindingsOf(key).get(key) as ResourceBinding | undefined;
    if (!binding || binding.metadata.deletionTimestamp) return undefined;
    const works = state
      .worksOf(key, bindingIdOf(binding))
      .filter(({ work }) => !work.metadata.deletionTimestamp);
    const items = aggregatedItems(works);
    const targets = [...new Set(targetMembers(binding))];
    const outcome = state.outcomes.get(key);
    const now = state.context.clock.now();
    try {
      await this.#writeBindingStatus(key, binding, items, targets, outcome, now);
      await this.#writeTemplateStatus(binding, { works, items, targets, outcome, now });
    } catch (error) {
      if (error instanceof StatusError && error.reason === "Conflict")
        return { requeueAfterMs: CONFLICT_RETRY_MS };
      throw error;
    }
    return undefined;
  }

  async #writeBindingStatus(
    key: string,
    binding: ResourceBinding,
    items: AggregatedStatusItem[],
    targets: string[],
    outcome: RenderOutcome | undefined,
    now: Date,
  ): Promise<void> {
    const fullyApplied = fullyAppliedCondition(targets, items);
    const set: ConditionState[] = [];
    if (fullyApplied) set.push(fullyApplied);
    if (outcome) set.push(outcome.condition);
    const existing = binding.status?.conditions;
    const conditions = mergeConditions(
      existing,
      set,
      fullyApplied ? [] : [BindingConditions.FullyApplied],
      now,
    );
    const sameItems = jsonEqual(binding.status?.aggregatedStatus ?? [], items);
    if (sameItems && sameConditions(existing, conditions)) return;
    try {
      await this.#options.state.context.hub.patch(
        bindingResourceOf(key),
        binding.metadata.namespace,
        binding.metadata.name ?? "",
        "merge",
        {
          // The resourceVersion makes this a compare-and-swap: conditions is replaced whole,
          // and the scheduler writes its own condition there too.
          metadata: { resourceVersion: binding.metadata.resourceVersion },
          status: { aggregatedStatus: items, conditions },
        },
        { subresource: "status", fieldManager: FIELD_MANAGER },
      );
    } catch (error) {
      if (error instanceof StatusError && error.reason === "NotFound") return;
      throw error;
    }
  }

  async #writeTemplateStatus(
    binding: ResourceBinding,
    view: {
      works: MemberWork[];
      items: AggregatedStatusItem[];
      targets: string[];
      outcome: RenderOutcome | undefined;
      now: Date;
    },
  ): Promise<void> {
    const { state } = this.#options;
    const ref = binding.spec?.resource;
    const resource = ref && state.context.mapper.resolve(ref.apiVersion, ref.kind);
    if (!ref || !resource) return;
    const templates = this.#options.templates(resource);
    const template = templates.get(ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);
    if (!template || template.metadata.deletionTimestamp) return;
    const rendered = view.outcome?.templateGeneration;
    const members = [...new Set([...view.targets, ...view.items.map((i) => i.clusterName)])].sort();
    const statuses: MemberStatus[] = members.map((member) => {
      const item = view.items.find((i) => i.clusterName === member);
      const work = view.works.find((w) => w.member === member)?.work;
      const current =
        item?.applied === true &&
        isRecord(item.status) &&
        item.status.observedGeneration !== undefined &&
        work !== undefined &&
        appliedToGeneration(work) &&
        rendered !== undefined &&
        rendered === template.metadata.generation;
      return { member, status: item?.status, current };
    });
    const fields = templateStatusUpdate(template, statuses, view.now);
    if (!fields) return;
    try {
      await state.context.hub.patch(
        resource,
        template.metadata.namespace,
        template.metadata.name ?? "",
        "merge",
        { metadata: { resourceVersion: template.metadata.resourceVersion }, status: fields },
        { subresource: "status", fieldManager: FIELD_MANAGER },
      );
    } catch (error) {
      if (error instanceof StatusError && error.reason === "NotFound") return;
      throw error;
    }
  }
}

/** Whether the Applied condition speaks for the Work's current spec (when it says which generation it saw). */
function appliedToGeneration(work: Work): boolean {
  const observed = appliedCondition(work)?.observedGeneration;
  return observed === undefined || observed >= (work.metadata.generation ?? 0);
}
