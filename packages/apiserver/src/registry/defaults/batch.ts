import type { KubeObject } from "../../api/object.ts";
import { child, ensureChild, items, setIfUnset, setIfZero } from "./json-fields.ts";
import { defaultPodTemplate } from "./pod-spec.ts";

/** Kubernetes' "no limit" for a per-index backoff Job: the largest int32. */
const UNLIMITED_BACKOFF = 2_147_483_647;

/**
 * A Job: `completions` and `parallelism` 1 when both are unset (parallelism
 * alone otherwise), `backoffLimit` 6 (unlimited with a per-index limit),
 * `completionMode: NonIndexed`, `suspend: false`, `manualSelector: false`,
 * `podReplacementPolicy` (`Failed` with a pod failure policy, else
 * `TerminatingOrFailed`), pod failure rules' condition `status: "True"`, the
 * Job's labels from its template when it has none, and the pod template's
 * defaults. Those include `restartPolicy: Always` when it is missing, as in
 * Kubernetes, whose Job validation then rejects `Always` and `""` alike
 * ("Required value: valid values: "OnFailure", "Never""). The selector and
 * its labels are the strategy's.
 */
export function defaultJob(job: KubeObject): void {
  const spec = ensureChild(job, "spec");
  if (!spec) return;
  const unset = (key: string) => spec[key] === undefined || spec[key] === null;
  if (unset("completions") && unset("parallelism")) spec.completions = 1;
  setIfUnset(spec, "parallelism", 1);
  setIfUnset(spec, "backoffLimit", unset("backoffLimitPerIndex") ? 6 : UNLIMITED_BACKOFF);
  const templateLabels = child(child(child(spec, "template"), "metadata"), "labels");
  const labels = job.metadata.labels;
  if (templateLabels && Object.keys(templateLabels).length > 0 && Object.keys(labels ?? {}).length === 0) {
    job.metadata.labels = { ...(templateLabels as Record<string, string>) };
  }
  setIfUnset(spec, "completionMode", "NonIndexed");
  setIfUnset(spec, "suspend", false);
  const podFailurePolicy = child(spec, "podFailurePolicy");
  for (const rule of items(podFailurePolicy, "rules")) {
    for (const pattern of items(rule, "onPodConditions")) setIfZero(pattern, "status", "True");
  }
  setIfUnset(spec, "podReplacementPolicy", podFailurePolicy ? "Failed" : "TerminatingOrFailed");
  setIfUnset(spec, "manualSelector", false);
  defaultPodTemplate(spec);
}
