import type { KubeObject } from "@atoll/kube";
import { selectorMatches } from "./label-selector.ts";
import { WorkloadLabels } from "./well-known.ts";
import { type LabelSelector, type PodTemplate, specOf } from "./workload-types.ts";

type SelectorSpec = { selector?: LabelSelector; manualSelector?: boolean; template?: PodTemplate };

/**
 * The selector kube-apiserver generates when a Job is created without
 * `manualSelector: true` (the Job strategy's `generateSelector`): the pod
 * template gains the `batch.kubernetes.io/job-name` and `job-name` labels
 * (the Job's name) and the `batch.kubernetes.io/controller-uid` and
 * `controller-uid` labels (its uid), unless already set, and the selector
 * matches `batch.kubernetes.io/controller-uid`. Returns a copy; the Job must
 * already have its uid.
 *
 * Atoll's API server should call this on Job creation, after assigning the
 * uid and before validation. Until it does, the Job controller treats a Job
 * without a selector as selecting its controller-uid label.
 */
export function defaultJobSelector(job: KubeObject): KubeObject {
  const copy = structuredClone(job);
  const spec = specOf<SelectorSpec>(copy);
  if (spec.manualSelector === true || copy.spec === undefined) return copy;
  const uid = copy.metadata.uid ?? "";
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.metadata.labels ??= {};
  const labels = spec.template.metadata.labels;
  for (const key of [WorkloadLabels.legacyJobName, WorkloadLabels.jobName])
    labels[key] ??= copy.metadata.name ?? "";
  for (const key of [WorkloadLabels.legacyJobControllerUid, WorkloadLabels.jobControllerUid])
    labels[key] ??= uid;
  spec.selector ??= {};
  const selector = spec.selector;
  selector.matchLabels = { [WorkloadLabels.jobControllerUid]: uid, ...selector.matchLabels };
  return copy;
}

/** The Job's selector, or for a Job without one, the selector `defaultJobSelector` would give it. */
export function jobSelector(job: KubeObject): LabelSelector {
  const selector = specOf<SelectorSpec>(job).selector;
  return selector ?? { matchLabels: { [WorkloadLabels.jobControllerUid]: job.metadata.uid ?? "" } };
}

/** The Job selects the pod (by its selector, or by its controller-uid label when it has none). */
export function jobSelects(job: KubeObject, pod: KubeObject): boolean {
  return selectorMatches(jobSelector(job), pod.metadata.labels);
}

/** The labels the Job's pods get beyond the template's when the selector is generated (never overriding). */
export function generatedPodLabels(job: KubeObject): Record<string, string> {
  if (specOf<SelectorSpec>(job).manualSelector === true) return {};
  const name = job.metadata.name ?? "";
  const uid = job.metadata.uid ?? "";
  return {
    [WorkloadLabels.legacyJobName]: name,
    [WorkloadLabels.jobName]: name,
    [WorkloadLabels.legacyJobControllerUid]: uid,
    [WorkloadLabels.jobControllerUid]: uid,
  };
}
