import { cloneJson } from "@atoll/kube";
import type { StatusCause } from "../../api/errors.ts";
import { validateName } from "../../api/names.ts";
import { isRecord, jsonEqual, type KubeObject } from "../../api/object.ts";
import type { Strategy } from "../strategy.ts";

/** Label Kubernetes puts on every namespace so selectors can match it by name. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** The finalizer a namespace carries until its contents are gone. */
export const NAMESPACE_FINALIZER = "kubernetes";

export const namespaceStrategy: Strategy = {
  nameRule: "label",
  prepareForCreate(object) {
    object.spec = { ...(isRecord(object.spec) ? object.spec : {}), finalizers: [NAMESPACE_FINALIZER] };
    object.status = { phase: "Active" };
    object.metadata.labels = {
      ...object.metadata.labels,
      [NAMESPACE_NAME_LABEL]: object.metadata.name ?? "",
    };
  },
  prepareForUpdate(object, old) {
    object.metadata.labels = { ...object.metadata.labels, [NAMESPACE_NAME_LABEL]: old.metadata.name ?? "" };
    // spec.finalizers changes only through the finalize subresource.
    object.spec = { ...(isRecord(object.spec) ? object.spec : {}), finalizers: specFinalizers(old) };
  },
  pendingFinalization: (object) => specFinalizers(object).length > 0,
  prepareForDeletion(object) {
    object.status = { ...(isRecord(object.status) ? object.status : {}), phase: "Terminating" };
  },
};

export function specFinalizers(object: KubeObject): string[] {
  const spec = isRecord(object.spec) ? object.spec : {};
  return Array.isArray(spec.finalizers)
    ? spec.finalizers.filter((f): f is string => typeof f === "string")
    : [];
}

export const podStrategy: Strategy = {
  returnDeletedObject: true,
  prepareForCreate(object) {
    object.status = { phase: "Pending", qosClass: qosClass(object) };
  },
  validate(object, old) {
    const causes = validatePodSpec(isRecord(object.spec) ? object.spec : undefined, "spec");
    if (old && !jsonEqual(mutablePodSpec(object, old.spec), mutablePodSpec(old, old.spec))) {
      causes.push({
        reason: "FieldValueForbidden",
        field: "spec",
        message:
          "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
      });
    }
    return causes;
  },
  defaultGracePeriodSeconds(object) {
    const spec = isRecord(object.spec) ? object.spec : {};
    const phase = isRecord(object.status) ? object.status.phase : undefined;
    // An unscheduled or finished pod has no kubelet to wait for.
    if (!spec.nodeName || phase === "Succeeded" || phase === "Failed") return 0;
    return typeof spec.terminationGracePeriodSeconds === "number" ? spec.terminationGracePeriodSeconds : 30;
  },
};

/** The pod spec with the fields an update may change blanked out, for comparison. */
function mutablePodSpec(object: KubeObject, old?: unknown): unknown {
  const spec = isRecord(object.spec) ? cloneJson(object.spec) : {};
  for (const field of ["containers", "initContainers"]) {
    const list = spec[field];
    if (Array.isArray(list)) for (const c of list) if (isRecord(c)) delete c.image;
  }
  // Binding sets nodeName once (the binding subresource refuses a second time).
  if (!isRecord(old) || !old.nodeName) delete spec.nodeName;
  delete spec.activeDeadlineSeconds;
  delete spec.tolerations;
  delete spec.terminationGracePeriodSeconds;
  return spec;
}

/** Required parts of a pod spec (also used for workload templates). */
export function validatePodSpec(spec: Record<string, unknown> | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ reason: "FieldValueRequired", field: `${path}.containers`, message: "Required value" });
    return causes;
  }
  const seen = new Set<string>();
  containers.forEach((container, i) => {
    const at = `${path}.containers[${i}]`;
    if (!isRecord(container)) return;
    if (typeof container.name !== "string" || container.name === "") {
      causes.push({ reason: "FieldValueRequired", field: `${at}.name`, message: "Required value" });
    } else {
      causes.push(...validateName(container.name, "label", `${at}.name`));
      if (seen.has(container.name)) {
        causes.push({
          reason: "FieldValueDuplicate",
          field: `${at}.name`,
          message: `Duplicate value: "${container.name}"`,
        });
      }
      seen.add(container.name);
    }
    if (typeof container.image !== "string" || container.image.trim() === "") {
      causes.push({ reason: "FieldValueRequired", field: `${at}.image`, message: "Required value" });
    }
  });
  return causes;
}

function qosClass(pod: KubeObject): string {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isRecord) : [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const resources = isRecord(c.resources) ? c.resources : {};
    const requests = isRecord(resources.requests) ? resources.requests : {};
    const limits = isRecord(resources.limits) ? resources.limits : {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const name of ["cpu", "memory"]) {
      if (limits[name] === undefined || (requests[name] !== undefined && requests[name] !== limits[name]))
        guaranteed = false;
    }
  }
  if (guaranteed) return "Guaranteed";
  return any ? "Burstable" : "BestEffort";
}

export const serviceStrategy: Strategy = {
  nameRule: "label",
  returnDeletedObject: true,
  prepareForCreate(object) {
    object.status = { loadBalancer: {} };
  },
};

export const nodeStrategy: Strategy = { resetStatusOnCreate: false };

/** Secrets: write-only `stringData` is merged into `data` (base64) on every write, as Kubernetes does. */
export const secretStrategy: Strategy = {
  prepareForCreate(object) {
    mergeStringData(object);
  },
  prepareForUpdate(object) {
    mergeStringData(object);
  },
};

function mergeStringData(secret: KubeObject): void {
  if (!isRecord(secret.stringData)) {
    delete secret.stringData;
    return;
  }
  const data: Record<string, unknown> = isRecord(secret.data) ? { ...secret.data } : {};
  for (const [key, value] of Object.entries(secret.stringData)) {
    if (typeof value === "string") data[key] = Buffer.from(value, "utf8").toString("base64");
  }
  secret.data = data;
  delete secret.stringData;
}
