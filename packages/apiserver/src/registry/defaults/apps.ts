import type { KubeObject } from "../../api/object.ts";
import { child, ensureChild, items, setIfUnset, setIfZero } from "./json-fields.ts";
import { defaultPodTemplate } from "./pod-spec.ts";
import { defaultClaimSpec } from "./volumes.ts";

const REVISION_HISTORY_LIMIT = 10;

/**
 * A Deployment: `replicas: 1`, a `RollingUpdate` strategy with
 * `maxUnavailable` and `maxSurge` of `"25%"`, `revisionHistoryLimit: 10`,
 * `progressDeadlineSeconds: 600`, and the pod template's defaults.
 */
export function defaultDeployment(deployment: KubeObject): void {
  const spec = ensureChild(deployment, "spec");
  if (!spec) return;
  setIfUnset(spec, "replicas", 1);
  const strategy = ensureChild(spec, "strategy");
  if (strategy) {
    setIfZero(strategy, "type", "RollingUpdate");
    const rollingUpdate =
      strategy.type === "RollingUpdate" ? ensureChild(strategy, "rollingUpdate") : undefined;
    if (rollingUpdate) {
      setIfUnset(rollingUpdate, "maxUnavailable", "25%");
      setIfUnset(rollingUpdate, "maxSurge", "25%");
    }
  }
  setIfUnset(spec, "revisionHistoryLimit", REVISION_HISTORY_LIMIT);
  setIfUnset(spec, "progressDeadlineSeconds", 600);
  defaultPodTemplate(spec);
}

/** A ReplicaSet: `replicas: 1` and the pod template's defaults. */
export function defaultReplicaSet(replicaSet: KubeObject): void {
  const spec = ensureChild(replicaSet, "spec");
  if (!spec) return;
  setIfUnset(spec, "replicas", 1);
  defaultPodTemplate(spec);
}

/**
 * A DaemonSet: a `RollingUpdate` update strategy replacing one node's pod at
 * a time (`maxUnavailable: 1`, `maxSurge: 0`), `revisionHistoryLimit: 10`,
 * and the pod template's defaults.
 */
export function defaultDaemonSet(daemonSet: KubeObject): void {
  const spec = ensureChild(daemonSet, "spec");
  if (!spec) return;
  const strategy = ensureChild(spec, "updateStrategy");
  if (strategy) {
    setIfZero(strategy, "type", "RollingUpdate");
    const rollingUpdate =
      strategy.type === "RollingUpdate" ? ensureChild(strategy, "rollingUpdate") : undefined;
    if (rollingUpdate) {
      setIfUnset(rollingUpdate, "maxUnavailable", 1);
      setIfUnset(rollingUpdate, "maxSurge", 0);
    }
  }
  setIfUnset(spec, "revisionHistoryLimit", REVISION_HISTORY_LIMIT);
  defaultPodTemplate(spec);
}

/**
 * A StatefulSet: `replicas: 1`, `podManagementPolicy: OrderedReady`, a
 * `RollingUpdate` update strategy with `partition: 0`, PVC retention
 * `Retain`/`Retain`, `revisionHistoryLimit: 10`, and for the pod template and
 * each volume claim template their defaults (a claim template's
 * `status.phase` is `Pending`, as in Kubernetes).
 *
 * As in Kubernetes, `rollingUpdate` is only created when the type was unset:
 * an explicit `type: RollingUpdate` without it gets no partition.
 */
export function defaultStatefulSet(statefulSet: KubeObject): void {
  const spec = ensureChild(statefulSet, "spec");
  if (!spec) return;
  setIfZero(spec, "podManagementPolicy", "OrderedReady");
  const strategy = ensureChild(spec, "updateStrategy");
  if (strategy) {
    if (!strategy.type) {
      strategy.type = "RollingUpdate";
      setIfUnset(strategy, "rollingUpdate", {});
    }
    const rollingUpdate = strategy.type === "RollingUpdate" ? child(strategy, "rollingUpdate") : undefined;
    if (rollingUpdate) setIfUnset(rollingUpdate, "partition", 0);
  }
  const retention = ensureChild(spec, "persistentVolumeClaimRetentionPolicy");
  if (retention) {
    setIfZero(retention, "whenDeleted", "Retain");
    setIfZero(retention, "whenScaled", "Retain");
  }
  setIfUnset(spec, "replicas", 1);
  setIfUnset(spec, "revisionHistoryLimit", REVISION_HISTORY_LIMIT);
  defaultPodTemplate(spec);
  for (const claim of items(spec, "volumeClaimTemplates")) {
    const status = ensureChild(claim, "status");
    if (status) setIfZero(status, "phase", "Pending");
    defaultClaimSpec(ensureChild(claim, "spec"));
  }
}
