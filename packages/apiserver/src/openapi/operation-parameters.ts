import type { JsonObject } from "./json.ts";

/**
 * The parameters of Kubernetes API operations as kube-apiserver publishes
 * them (inline, each with `schema.uniqueItems`), including `fieldValidation`
 * on every create, update and patch.
 */
function param(name: string, location: "query" | "path", type: string, description: string): JsonObject {
  const p: JsonObject = { name, in: location, description, schema: { type, uniqueItems: true } };
  if (location === "path") p.required = true;
  return p;
}

export const PRETTY = param("pretty", "query", "string", "If 'true', then the output is pretty printed.");
export const NAME = (kind: string) => param("name", "path", "string", `name of the ${kind}`);
export const NAMESPACE = param(
  "namespace",
  "path",
  "string",
  "object name and auth scope, such as for teams and projects",
);
export const DRY_RUN = param(
  "dryRun",
  "query",
  "string",
  "When present, indicates that modifications should not be persisted. Valid values: All.",
);
export const FIELD_MANAGER = param(
  "fieldManager",
  "query",
  "string",
  "fieldManager is a name associated with the actor or entity that is making these changes.",
);
export const FIELD_VALIDATION = param(
  "fieldValidation",
  "query",
  "string",
  "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (the default) and Strict.",
);
export const FORCE = param(
  "force",
  "query",
  "boolean",
  'Force is going to "force" Apply requests: re-acquire conflicting fields owned by other people.',
);
export const LIST_PARAMS = [
  param(
    "allowWatchBookmarks",
    "query",
    "boolean",
    'allowWatchBookmarks requests watch events with type "BOOKMARK".',
  ),
  param(
    "continue",
    "query",
    "string",
    "The continue option should be set when retrieving more results from the server.",
  ),
  param(
    "fieldSelector",
    "query",
    "string",
    "A selector to restrict the list of returned objects by their fields.",
  ),
  param(
    "labelSelector",
    "query",
    "string",
    "A selector to restrict the list of returned objects by their labels.",
  ),
  param("limit", "query", "integer", "limit is a maximum number of responses to return for a list call."),
  param(
    "resourceVersion",
    "query",
    "string",
    "resourceVersion sets a constraint on what resource versions a request may be served from.",
  ),
  param(
    "resourceVersionMatch",
    "query",
    "string",
    "resourceVersionMatch determines how resourceVersion is applied to list calls.",
  ),
  param(
    "sendInitialEvents",
    "query",
    "boolean",
    "sendInitialEvents makes a watch start with synthetic events for the current state.",
  ),
  param("timeoutSeconds", "query", "integer", "Timeout for the list/watch call."),
  param(
    "watch",
    "query",
    "boolean",
    "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.",
  ),
];
export const DELETE_PARAMS = [
  DRY_RUN,
  param(
    "gracePeriodSeconds",
    "query",
    "integer",
    "The duration in seconds before the object should be deleted.",
  ),
  param(
    "ignoreStoreReadErrorWithClusterBreakingPotential",
    "query",
    "boolean",
    "Delete the resource even if it cannot be read from storage. Dangerous.",
  ),
  param("orphanDependents", "query", "boolean", "Deprecated: use propagationPolicy."),
  param(
    "propagationPolicy",
    "query",
    "string",
    "Whether and how garbage collection will be performed: Orphan, Background or Foreground.",
  ),
];
export const WRITE_PARAMS = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
