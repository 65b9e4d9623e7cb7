import type { JSONSchemaProps } from "./definition.ts";

/**
 * The fields Kubernetes implies on every custom resource (and on every
 * `x-kubernetes-embedded-resource`): `apiVersion`, `kind` and an ObjectMeta
 * `metadata`. Custom resource metadata is pruned to exactly these fields.
 */
export const TYPE_META_FIELDS = ["apiVersion", "kind", "metadata"] as const;

export const API_VERSION_DESCRIPTION =
  "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.";
export const KIND_DESCRIPTION =
  "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.";
export const METADATA_DESCRIPTION = "Standard object's metadata.";

const str = (description: string): JSONSchemaProps => ({ type: "string", description });
const time = (description: string): JSONSchemaProps => ({ type: "string", format: "date-time", description });
const stringMap = (description: string): JSONSchemaProps => ({
  type: "object",
  additionalProperties: { type: "string" },
  description,
});

const OWNER_REFERENCE: JSONSchemaProps = {
  type: "object",
  description:
    "OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.",
  required: ["apiVersion", "kind", "name", "uid"],
  "x-kubernetes-map-type": "atomic",
  properties: {
    apiVersion: str("API version of the referent."),
    kind: str("Kind of the referent."),
    name: str("Name of the referent."),
    uid: str("UID of the referent."),
    controller: {
      type: "boolean",
      description: "If true, this reference points to the managing controller.",
    },
    blockOwnerDeletion: {
      type: "boolean",
      description:
        'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.',
    },
  },
};

const MANAGED_FIELDS_ENTRY: JSONSchemaProps = {
  type: "object",
  description:
    "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
  properties: {
    manager: str("Manager is an identifier of the workflow managing these fields."),
    operation: str("Operation is the type of operation which lead to this ManagedFieldsEntry being created."),
    apiVersion: str("APIVersion defines the version of this resource that this field set applies to."),
    time: time("Time is the timestamp of when the ManagedFields entry was added."),
    fieldsType: str(
      'FieldsType is the discriminator for the different fields format and version. Only "FieldsV1".',
    ),
    fieldsV1: {
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
      description: "FieldsV1 holds the first JSON version format as described in the FieldsV1 type.",
    },
    subresource: str("Subresource is the name of the subresource used to update that object."),
  },
};

/** ObjectMeta as a structural schema: what custom resource metadata is pruned to. */
export const OBJECT_META_SCHEMA: JSONSchemaProps = {
  type: "object",
  description:
    "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
  properties: {
    name: str("Name must be unique within a namespace. Cannot be updated."),
    generateName: str(
      "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.",
    ),
    namespace: str("Namespace defines the space within which each name must be unique."),
    selfLink: str(
      "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.",
    ),
    uid: str(
      "UID is the unique in time and space value for this object. Populated by the system. Read-only.",
    ),
    resourceVersion: str(
      "An opaque value that represents the internal version of this object, used for optimistic concurrency. Read-only.",
    ),
    generation: {
      type: "integer",
      format: "int64",
      description: "A sequence number representing a specific generation of the desired state. Read-only.",
    },
    creationTimestamp: time("CreationTimestamp is when this object was created. Populated by the system."),
    deletionTimestamp: time("DeletionTimestamp is when this resource will be deleted. Set by the server."),
    deletionGracePeriodSeconds: {
      type: "integer",
      format: "int64",
      description: "Seconds allowed for this object to gracefully terminate before it is removed. Read-only.",
    },
    labels: stringMap("Map of string keys and values that can be used to organize and categorize objects."),
    annotations: stringMap("Annotations is an unstructured key value map stored with a resource."),
    ownerReferences: {
      type: "array",
      description: "List of objects depended by this object.",
      items: OWNER_REFERENCE,
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["uid"],
    },
    finalizers: {
      type: "array",
      description: "Must be empty before the object is deleted from the registry.",
      items: { type: "string" },
      "x-kubernetes-list-type": "set",
    },
    managedFields: {
      type: "array",
      description:
        "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.",
      items: MANAGED_FIELDS_ENTRY,
    },
  },
};
