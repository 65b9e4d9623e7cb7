import type { KubeObject, ResourceId } from "@atoll/kube";
import { objectKeyOf } from "@atoll/kube";
import { apiVersionOf, splitApiVersion } from "../propagation/resource-mapper.ts";

/** A resource template as the detector's queue names it. */
export type TemplateRef = { apiVersion: string; kind: string; namespace?: string; name: string };

/**
 * The queue key of a template: `group/version/Kind/namespace/name`, or
 * `group/version/Kind/name` when cluster-scoped; the core group is empty
 * (`/v1/ConfigMap/default/app`). Names never contain "/", so it splits back.
 */
export function templateKey(ref: TemplateRef): string {
  const { group, version } = splitApiVersion(ref.apiVersion);
  const object = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
  return `${group}/${version}/${ref.kind}/${object}`;
}

/** The key of a template object served by `resource`. */
export function templateKeyOf(resource: ResourceId, template: KubeObject): string {
  return `${resource.group}/${resource.version}/${resource.kind}/${objectKeyOf(template)}`;
}

/** The parts of a key made by templateKey, or undefined for anything else. */
export function parseTemplateKey(key: string): TemplateRef | undefined {
  const parts = key.split("/");
  if (parts.length !== 4 && parts.length !== 5) return undefined;
  const [group, version, kind, ...object] = parts;
  if (!version || !kind || object.some((part) => !part)) return undefined;
  const apiVersion = apiVersionOf({ group, version });
  return object.length === 2
    ? { apiVersion, kind, namespace: object[0], name: object[1] }
    : { apiVersion, kind, name: object[0] };
}
