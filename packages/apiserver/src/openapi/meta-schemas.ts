import {
  DELETE_OPTIONS,
  LIST_META,
  META_V1,
  OBJECT_META,
  PATCH,
  SCALE,
  STATUS,
  WATCH_EVENT,
} from "./definition-names.ts";
import { fieldRef, type JsonObject, str } from "./json.ts";

/**
 * The apimachinery schemas every group-version document refers to: ObjectMeta
 * and its parts, ListMeta, Status, DeleteOptions, Patch, WatchEvent, and
 * autoscaling/v1 Scale for `/scale` subresources. OpenAPI v3 form.
 */
export const TIME = `${META_V1}.Time`;
const FIELDS_V1 = `${META_V1}.FieldsV1`;
const MANAGED_FIELDS_ENTRY = `${META_V1}.ManagedFieldsEntry`;
const OWNER_REFERENCE = `${META_V1}.OwnerReference`;
const STATUS_DETAILS = `${META_V1}.StatusDetails`;
const STATUS_CAUSE = `${META_V1}.StatusCause`;
const PRECONDITIONS = `${META_V1}.Preconditions`;
const RAW_EXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension";
const SCALE_SPEC = "io.k8s.api.autoscaling.v1.ScaleSpec";
const SCALE_STATUS = "io.k8s.api.autoscaling.v1.ScaleStatus";
export const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
export const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";

export const API_VERSION_FIELD = str(
  "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.",
);
export const KIND_FIELD = str(
  "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.",
);

function gvk(group: string, version: string, kind: string): JsonObject {
  return { "x-kubernetes-group-version-kind": [{ group, kind, version }] };
}

function object(description: string, properties: JsonObject, extra: JsonObject = {}): JsonObject {
  return { type: "object", description, properties, ...extra };
}

const int = (description: string, format = "int64"): JsonObject => ({ type: "integer", format, description });
const bool = (description: string): JsonObject => ({ type: "boolean", description });
const strings = (description: string, extra: JsonObject = {}): JsonObject => ({
  type: "array",
  description,
  items: { type: "string", default: "" },
  ...extra,
});
const stringMap = (description: string): JsonObject => ({
  type: "object",
  description,
  additionalProperties: { type: "string", default: "" },
});

const objectMeta = object(
  "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
  {
    annotations: stringMap(
      "Annotations is an unstructured key value map stored with a resource that may be set by external tools.",
    ),
    creationTimestamp: fieldRef(TIME, {
      description: "CreationTimestamp is when this object was created. Set by the server. Read-only.",
    }),
    deletionGracePeriodSeconds: int(
      "Seconds allowed for this object to gracefully terminate before it will be removed. Read-only.",
    ),
    deletionTimestamp: fieldRef(TIME, {
      description: "DeletionTimestamp is when this resource will be deleted. Set by the server.",
    }),
    finalizers: strings("Must be empty before the object is deleted from the registry.", {
      "x-kubernetes-list-type": "set",
      "x-kubernetes-patch-strategy": "merge",
    }),
    generateName: str(
      "GenerateName is an optional prefix used by the server to generate a unique name when name is not set.",
    ),
    generation: int("A sequence number representing a specific generation of the desired state. Read-only."),
    labels: stringMap(
      "Map of string keys and values that can be used to organize and categorize (scope and select) objects.",
    ),
    managedFields: {
      type: "array",
      description:
        "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.",
      items: fieldRef(MANAGED_FIELDS_ENTRY, { default: {} }),
      "x-kubernetes-list-type": "atomic",
    },
    name: str("Name must be unique within a namespace. Cannot be updated."),
    namespace: str("Namespace defines the space within which each name must be unique. Cannot be updated."),
    ownerReferences: {
      type: "array",
      description: "List of objects depended by this object.",
      items: fieldRef(OWNER_REFERENCE, { default: {} }),
      "x-kubernetes-list-map-keys": ["uid"],
      "x-kubernetes-list-type": "map",
      "x-kubernetes-patch-merge-key": "uid",
      "x-kubernetes-patch-strategy": "merge",
    },
    resourceVersion: str("An opaque value that represents the internal version of this object. Read-only."),
    selfLink: str(
      "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.",
    ),
    uid: str("UID is the unique in time and space value for this object. Set by the server. Read-only."),
  },
);

export const META_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  [OBJECT_META]: objectMeta,
  [LIST_META]: object("ListMeta describes metadata that synthetic resources must have, including lists.", {
    continue: str("continue may be set if the user set a limit on the number of items returned."),
    remainingItemCount: int(
      "remainingItemCount is the number of subsequent items in the list which are not included in this response.",
    ),
    resourceVersion: str("The resource version of the list, for watches and consistent reads. Read-only."),
    selfLink: str(
      "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.",
    ),
  }),
  [TIME]: {
    type: "string",
    format: "date-time",
    description:
      "Time is a wrapper around time which supports correct marshaling to YAML and JSON (RFC 3339).",
  },
  [FIELDS_V1]: {
    type: "object",
    description: "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.",
  },
  [MANAGED_FIELDS_ENTRY]: object(
    "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
    {
      apiVersion: str("APIVersion defines the version of this resource that this field set applies to."),
      fieldsType: str(
        'FieldsType is the discriminator for the different fields format and version. Only "FieldsV1".',
      ),
      fieldsV1: fieldRef(FIELDS_V1, {
        description: "FieldsV1 holds the first JSON version format as described in the FieldsV1 type.",
      }),
      manager: str("Manager is an identifier of the workflow managing these fields."),
      operation: str(
        "Operation is the type of operation which lead to this ManagedFieldsEntry being created: Apply or Update.",
      ),
      subresource: str(
        "Subresource is the name of the subresource used to update that object, or empty for the main resource.",
      ),
      time: fieldRef(TIME, {
        description: "Time is the timestamp of when the ManagedFields entry was added.",
      }),
    },
  ),
  [OWNER_REFERENCE]: object(
    "OwnerReference contains enough information to let you identify an owning object.",
    {
      apiVersion: str("API version of the referent.", { default: "" }),
      blockOwnerDeletion: bool(
        'If true, and the owner has the "foregroundDeletion" finalizer, the owner cannot be deleted before this reference is removed.',
      ),
      controller: bool("If true, this reference points to the managing controller."),
      kind: str("Kind of the referent.", { default: "" }),
      name: str("Name of the referent.", { default: "" }),
      uid: str("UID of the referent.", { default: "" }),
    },
    { required: ["apiVersion", "kind", "name", "uid"], "x-kubernetes-map-type": "atomic" },
  ),
  [STATUS]: object(
    "Status is a return value for calls that don't return other objects.",
    {
      apiVersion: API_VERSION_FIELD,
      code: int("Suggested HTTP return code for this status, 0 if not set.", "int32"),
      details: fieldRef(STATUS_DETAILS, { description: "Extended data associated with the reason." }),
      kind: KIND_FIELD,
      message: str("A human-readable description of the status of this operation."),
      metadata: fieldRef(LIST_META, { default: {}, description: "Standard list metadata." }),
      reason: str("A machine-readable description of why this operation is in the Failure status."),
      status: str('Status of the operation. One of: "Success" or "Failure".'),
    },
    gvk("", "v1", "Status"),
  ),
  [STATUS_DETAILS]: object("StatusDetails is a set of additional properties that MAY be set by the server.", {
    causes: {
      type: "array",
      description: "The Causes array includes more details associated with the StatusReason failure.",
      items: fieldRef(STATUS_CAUSE, { default: {} }),
      "x-kubernetes-list-type": "atomic",
    },
    group: str("The group attribute of the resource associated with the status StatusReason."),
    kind: str("The kind attribute of the resource associated with the status StatusReason."),
    name: str("The name attribute of the resource associated with the status StatusReason."),
    retryAfterSeconds: int(
      "If specified, the time in seconds before the operation should be retried.",
      "int32",
    ),
    uid: str("UID of the resource."),
  }),
  [STATUS_CAUSE]: object("StatusCause provides more information about an api.Status failure.", {
    field: str("The field of the resource that has caused this error, as named by its JSON serialization."),
    message: str("A human-readable description of the cause of the error."),
    reason: str("A machine-readable description of the cause of the error."),
  }),
  [DELETE_OPTIONS]: object(
    "DeleteOptions may be provided when deleting an API object.",
    {
      apiVersion: API_VERSION_FIELD,
      dryRun: strings("When present, indicates that modifications should not be persisted.", {
        "x-kubernetes-list-type": "atomic",
      }),
      gracePeriodSeconds: int("The duration in seconds before the object should be deleted."),
      ignoreStoreReadErrorWithClusterBreakingPotential: bool(
        "Delete the resource even if it cannot be read from storage. Dangerous.",
      ),
      kind: KIND_FIELD,
      orphanDependents: bool("Deprecated: use propagationPolicy."),
      preconditions: fieldRef(PRECONDITIONS, {
        description: "Must be fulfilled before a deletion is carried out.",
      }),
      propagationPolicy: str(
        "Whether and how garbage collection will be performed: Orphan, Background or Foreground.",
      ),
    },
    gvk("", "v1", "DeleteOptions"),
  ),
  [PRECONDITIONS]: object("Preconditions must be fulfilled before an operation is carried out.", {
    resourceVersion: str("Specifies the target ResourceVersion."),
    uid: str("Specifies the target UID."),
  }),
  [PATCH]: {
    type: "object",
    description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
  },
  [WATCH_EVENT]: object(
    "Event represents a single event to a watched resource.",
    {
      object: fieldRef(RAW_EXTENSION, {
        description: "Object is the object the event is about, or a Status for ERROR events.",
      }),
      type: str("ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.", { default: "" }),
    },
    { required: ["type", "object"], ...gvk("", "v1", "WatchEvent") },
  ),
  // v3 gives these two no single type (kubectl explain then prints their names); v2 makes them strings.
  [INT_OR_STRING]: {
    description: "IntOrString is a type that can hold an int32 or a string.",
    format: "int-or-string",
    oneOf: [{ type: "integer" }, { type: "string" }],
  },
  [QUANTITY]: {
    description: 'Quantity is a fixed-point representation of a number, such as "1.5", "100m" or "2Gi".',
    oneOf: [{ type: "string" }, { type: "number" }],
  },
  [RAW_EXTENSION]: { type: "object", description: "RawExtension holds an embedded object of any kind." },
  [SCALE]: object(
    "Scale represents a scaling request for a resource.",
    {
      apiVersion: API_VERSION_FIELD,
      kind: KIND_FIELD,
      metadata: fieldRef(OBJECT_META, { default: {}, description: "Standard object metadata." }),
      spec: fieldRef(SCALE_SPEC, { default: {}, description: "spec defines the behavior of the scale." }),
      status: fieldRef(SCALE_STATUS, {
        default: {},
        description: "status is the current status of the scale. Read-only.",
      }),
    },
    gvk("autoscaling", "v1", "Scale"),
  ),
  [SCALE_SPEC]: object("ScaleSpec describes the attributes of a scale subresource.", {
    replicas: int("replicas is the desired number of instances for the scaled object.", "int32"),
  }),
  [SCALE_STATUS]: object(
    "ScaleStatus represents the current status of a scale subresource.",
    {
      replicas: {
        ...int("replicas is the actual number of observed instances of the scaled object.", "int32"),
        default: 0,
      },
      selector: str(
        "selector is the label query over pods that should match the replicas count, in string form.",
      ),
    },
    { required: ["replicas"] },
  ),
};

/** Short names the shapes of other modules may use for apimachinery types, mapped to their definitions. */
const ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(META_SCHEMAS).map((name) => [name.slice(name.lastIndexOf(".") + 1), name]),
);

/** The meta definition a shape ref names (`ObjectMeta`, `meta/v1.Time`, or the full name), if any. */
export function metaDefinitionFor(refName: string): string | undefined {
  if (refName in META_SCHEMAS) return refName;
  const short = refName.slice(Math.max(refName.lastIndexOf("."), refName.lastIndexOf("/")) + 1);
  const alias = ALIASES[short];
  if (!alias) return undefined;
  const qualified =
    refName === short || /(^|[./])meta[./]v1[./]/.test(refName) || /autoscaling[./]v1[./]/.test(refName);
  return qualified ? alias : undefined;
}
