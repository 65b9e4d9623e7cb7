import type { ResourceId } from "../client.ts";
import { badRequest } from "../errors.ts";
import type { KubeObject } from "../object.ts";
import { apiVersionOf } from "../resources.ts";

/**
 * The URL path of a collection (no `name`) or of one object: `/api/v1/namespaces/ns/pods/web/status`.
 * A namespaced resource without a namespace addresses all namespaces (lists and watches only).
 */
export function resourcePath(
  resource: ResourceId,
  target: { namespace?: string; name?: string; subresource?: string } = {},
): string {
  const segments = resource.group ? ["apis", resource.group, resource.version] : ["api", resource.version];
  if (resource.namespaced && target.namespace) segments.push("namespaces", target.namespace);
  segments.push(resource.resource);
  if (target.name !== undefined) segments.push(target.name);
  if (target.subresource) segments.push(target.subresource);
  return `/${segments.map(encodeURIComponent).join("/")}`;
}

/**
 * The path of one named object, refusing what would silently address the
 * whole collection instead (an empty name, or no namespace for a namespaced resource).
 */
export function objectPath(
  resource: ResourceId,
  namespace: string | undefined,
  name: string | undefined,
  subresource?: string,
): string {
  if (!name) throw badRequest(`${resource.resource}: a name is required`);
  if (resource.namespaced && !namespace) {
    throw badRequest(`${resource.resource} "${name}": a namespace is required`);
  }
  return resourcePath(resource, { namespace, name, subresource });
}

/** `path?query`, leaving out parameters that are undefined. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Fills `apiVersion` and `kind`, which Kubernetes leaves out of list items. */
export function withKind(resource: ResourceId, object: KubeObject): KubeObject {
  if (object.apiVersion && object.kind) return object;
  const { apiVersion, kind, metadata, ...rest } = object;
  return { apiVersion: apiVersion || apiVersionOf(resource), kind: kind || resource.kind, metadata, ...rest };
}
