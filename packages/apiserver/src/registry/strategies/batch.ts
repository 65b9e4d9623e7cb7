import { isRecord, type KubeObject } from "../../api/object.ts";
import type { Strategy } from "../strategy.ts";
import { workloadStrategy } from "./apps.ts";

/** Labels the API server gives a Job's pod template when it generates the Job's selector. */
export const JOB_LABELS = {
  controllerUid: "batch.kubernetes.io/controller-uid",
  jobName: "batch.kubernetes.io/job-name",
  legacyControllerUid: "controller-uid",
  legacyJobName: "job-name",
} as const;

const validation = workloadStrategy({
  selectorImmutable: true,
  selectorRequired: true,
  restartPolicies: ["OnFailure", "Never"],
});

/**
 * Jobs: unless `manualSelector` is true, the selector is generated from the
 * Job's uid and the template labelled to match (what kube-apiserver's Job
 * strategy does on create); then the workload validation applies.
 */
export const jobStrategy: Strategy = {
  prepareForCreate(object) {
    generateSelector(object);
  },
  validate: validation.validate,
};

function generateSelector(job: KubeObject): void {
  if (!isRecord(job.spec) || job.spec.manualSelector === true) return;
  const spec = job.spec;
  const uid = job.metadata.uid ?? "";
  const template = isRecord(spec.template) ? spec.template : {};
  const metadata = isRecord(template.metadata) ? template.metadata : {};
  const labels = isRecord(metadata.labels) ? (metadata.labels as Record<string, string>) : {};
  labels[JOB_LABELS.controllerUid] ??= uid;
  labels[JOB_LABELS.legacyControllerUid] ??= uid;
  labels[JOB_LABELS.jobName] ??= job.metadata.name ?? "";
  labels[JOB_LABELS.legacyJobName] ??= job.metadata.name ?? "";
  spec.template = { ...template, metadata: { ...metadata, labels } };
  if (spec.selector === undefined || spec.selector === null)
    spec.selector = { matchLabels: { [JOB_LABELS.controllerUid]: uid } };
}
