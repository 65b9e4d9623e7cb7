/**
 * The fields each kind can be filtered on with `fieldSelector`, and their values
 * for one object, as kube-apiserver defines them (its field label conversion
 * functions and each registry's `ToSelectableFields`).
 */

/** Which resource an object belongs to. `namespaced` defaults from the built-in kinds, else true. */
export type SelectableResource = { group: string; plural: string; namespaced?: boolean };

type Unstructured = Record<string, unknown>;
type FieldReader = (obj: Unstructured) => Record<string, string>;

function child(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Unstructured)[key]
    : undefined;
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

const at = (obj: Unstructured, ...path: string[]): unknown => path.reduce<unknown>(child, obj);
const str = (obj: Unstructured, ...path: string[]): string => text(at(obj, ...path));
/** Go formats these as `strconv.Itoa` of an int32 that defaults to 0. */
const int = (obj: Unstructured, ...path: string[]): string => {
  const value = at(obj, ...path);
  return typeof value === "number" ? String(Math.trunc(value)) : "0";
};
/** Go formats these as `strconv.FormatBool` of a bool that defaults to false. */
const bool = (obj: Unstructured, ...path: string[]): string => String(at(obj, ...path) === true);

function podFields(pod: Unstructured): Record<string, string> {
  const podIPs = at(pod, "status", "podIPs");
  const firstIP =
    Array.isArray(podIPs) && podIPs.length > 0 ? text(child(podIPs[0], "ip")) : str(pod, "status", "podIP");
  return {
    "spec.nodeName": str(pod, "spec", "nodeName"),
    "spec.restartPolicy": str(pod, "spec", "restartPolicy"),
    "spec.schedulerName": str(pod, "spec", "schedulerName"),
    "spec.serviceAccountName": str(pod, "spec", "serviceAccountName"),
    "spec.hostNetwork": bool(pod, "spec", "hostNetwork"),
    "status.phase": str(pod, "status", "phase"),
    "status.podIP": firstIP,
    "status.nominatedNodeName": str(pod, "status", "nominatedNodeName"),
  };
}

function eventFields(event: Unstructured): Record<string, string> {
  const involved = (key: string): string => str(event, "involvedObject", key);
  return {
    "involvedObject.kind": involved("kind"),
    "involvedObject.namespace": involved("namespace"),
    "involvedObject.name": involved("name"),
    "involvedObject.uid": involved("uid"),
    "involvedObject.apiVersion": involved("apiVersion"),
    "involvedObject.resourceVersion": involved("resourceVersion"),
    "involvedObject.fieldPath": involved("fieldPath"),
    reason: str(event, "reason"),
    reportingComponent: str(event, "reportingComponent"),
    source: str(event, "source", "component"),
    type: str(event, "type"),
  };
}

/** Kind-specific selectable fields, keyed by `group/plural`. */
const SPECIFIC: Record<string, FieldReader> = {
  "/pods": podFields,
  "/events": eventFields,
  "/secrets": (secret) => ({ type: str(secret, "type") }),
  "/services": (svc) => ({
    "spec.clusterIP": str(svc, "spec", "clusterIP"),
    "spec.type": str(svc, "spec", "type"),
  }),
  "/nodes": (node) => ({ "spec.unschedulable": bool(node, "spec", "unschedulable") }),
  "/namespaces": (ns) => ({ "status.phase": str(ns, "status", "phase") }),
  "/replicationcontrollers": (rc) => ({ "status.replicas": int(rc, "status", "replicas") }),
  "apps/replicasets": (rs) => ({ "status.replicas": int(rs, "status", "replicas") }),
  "batch/jobs": (job) => ({ "status.successful": int(job, "status", "succeeded") }),
  "certificates.k8s.io/certificatesigningrequests": (csr) => ({
    "spec.signerName": str(csr, "spec", "signerName"),
  }),
};

/** Field names per kind, without reading an object. */
const SPECIFIC_NAMES: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(SPECIFIC).map(([key, read]) => [key, Object.keys(read({}))]),
);

const CLUSTER_SCOPED = new Set([
  "/nodes",
  "/namespaces",
  "/persistentvolumes",
  "/componentstatuses",
  "rbac.authorization.k8s.io/clusterroles",
  "rbac.authorization.k8s.io/clusterrolebindings",
  "storage.k8s.io/storageclasses",
  "storage.k8s.io/csidrivers",
  "storage.k8s.io/csinodes",
  "storage.k8s.io/volumeattachments",
  "apiextensions.k8s.io/customresourcedefinitions",
  "apiregistration.k8s.io/apiservices",
  "admissionregistration.k8s.io/mutatingwebhookconfigurations",
  "admissionregistration.k8s.io/validatingwebhookconfigurations",
  "certificates.k8s.io/certificatesigningrequests",
  "scheduling.k8s.io/priorityclasses",
  "node.k8s.io/runtimeclasses",
  "networking.k8s.io/ingressclasses",
]);

const keyOf = (resource: SelectableResource): string => `${resource.group}/${resource.plural}`;

function isNamespaced(resource: SelectableResource): boolean {
  return resource.namespaced ?? !CLUSTER_SCOPED.has(keyOf(resource));
}

/**
 * The field names `fieldSelector` may use for this resource: `metadata.name`,
 * `metadata.namespace` (namespaced kinds only), and the kind's own fields
 * (e.g. `spec.nodeName` for pods). Pass `selectableFields(r).includes` to compileFieldSelector.
 */
export function selectableFields(resource: SelectableResource): readonly string[] {
  const meta = isNamespaced(resource) ? ["metadata.name", "metadata.namespace"] : ["metadata.name"];
  return [...meta, ...(SPECIFIC_NAMES[keyOf(resource)] ?? [])];
}

/** The selectable fields of `obj` with their values, ready for `FieldSelector.matches`. */
export function fieldsOf(resource: SelectableResource, obj: object): Record<string, string> {
  const unstructured = obj as Unstructured;
  const fields: Record<string, string> = { "metadata.name": str(unstructured, "metadata", "name") };
  if (isNamespaced(resource)) fields["metadata.namespace"] = str(unstructured, "metadata", "namespace");
  const specific = SPECIFIC[keyOf(resource)];
  return specific ? { ...fields, ...specific(unstructured) } : fields;
}
