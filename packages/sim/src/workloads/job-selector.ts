import type { KubeObject } from "@atoll/kube";
import { selectorMatches } from "./label-selector.ts";
import { WorkloadLabels } from "./well-known.ts";
import { type LabelSelector, type PodTemplate, specOf } from "./workload-types.ts";

type SelectorSpec = { selector?: LabelSelector; manualSelector?: boolean; template?: PodTemplate };

/** The Job's selector, or for a Job without one, the selector kube-apiserver generates for it. */
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
