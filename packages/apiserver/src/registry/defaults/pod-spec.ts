import type { KubeObject } from "../../api/object.ts";
import { defaultContainer, defaultHostPorts, defaultRequestsFromLimits } from "./containers.ts";
import { ensureChild, items, type JsonObject, setIfUnset, setIfZero } from "./json-fields.ts";
import { defaultVolume } from "./volumes.ts";

const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

/**
 * The defaults every pod spec gets, in a Pod or in a workload's pod template:
 * `restartPolicy: Always`, `dnsPolicy: ClusterFirst`, `securityContext: {}`,
 * `terminationGracePeriodSeconds: 30`, `schedulerName: default-scheduler`,
 * then each volume's and each container's defaults.
 *
 * `serviceAccountName` is not defaulted: the ServiceAccount admission plugin
 * sets it, not defaulting.
 */
export function defaultPodSpec(spec: JsonObject): void {
  setIfZero(spec, "dnsPolicy", "ClusterFirst");
  setIfZero(spec, "restartPolicy", "Always");
  setIfUnset(spec, "securityContext", {});
  setIfUnset(spec, "terminationGracePeriodSeconds", 30);
  setIfZero(spec, "schedulerName", "default-scheduler");
  for (const volume of items(spec, "volumes")) defaultVolume(volume);
  for (const list of CONTAINER_LISTS) {
    for (const container of items(spec, list)) defaultContainer(container);
  }
}

/**
 * A workload's `spec.template` (created if absent, as Go's struct always is):
 * the pod spec defaults only. The Pod-only defaults of {@link defaultPod} stay
 * out so that a new server default never rolls out every workload.
 */
export function defaultPodTemplate(workloadSpec: JsonObject): void {
  const template = ensureChild(workloadSpec, "template");
  const spec = template && ensureChild(template, "spec");
  if (spec) defaultPodSpec(spec);
}

/**
 * A Pod: the pod spec defaults plus those only Pods get: `enableServiceLinks:
 * true`, requests copied from limits for (init) containers that set only
 * limits, and with `hostNetwork` each container port's `hostPort`.
 */
export function defaultPod(pod: KubeObject): void {
  const spec = ensureChild(pod, "spec");
  if (!spec) return;
  const containers = [...items(spec, "containers"), ...items(spec, "initContainers")];
  for (const container of containers) defaultRequestsFromLimits(container);
  setIfUnset(spec, "enableServiceLinks", true);
  if (spec.hostNetwork === true) for (const container of containers) defaultHostPorts(container);
  defaultPodSpec(spec);
}
