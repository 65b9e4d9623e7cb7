import type { KubeObject, ResourceId } from "@atoll/kube";
import { apiVersionOf, type Informer, isRecord, R } from "@atoll/kube";

export { apiVersionOf } from "@atoll/kube";

/** Splits an apiVersion into group ("" for core) and version. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The identity of a kind: `group/version/Kind` (core group as `/v1/Kind`). */
export function gvkKey(apiVersion: string, kind: string): string {
  const { group, version } = splitApiVersion(apiVersion);
  return `${group}/${version}/${kind}`;
}

/**
 * Maps apiVersion + kind to the resource that serves it — client-go's
 * RESTMapper, for the hub: the built-in kinds Atoll's API server serves, plus
 * every served version of the CustomResourceDefinitions the hub knows. Members
 * serve the same kinds under the same plural names (a CRD propagated to a
 * member keeps its names), so one mapper serves both sides.
 */
export class ResourceMapper {
  #builtIn = new Map<string, ResourceId>();
  #crds: Informer | undefined;

  /** `crds`: an informer over the hub's CustomResourceDefinitions, if custom kinds are to be mapped. */
  constructor(crds?: Informer) {
    this.#crds = crds;
    for (const resource of Object.values(R) as ResourceId[]) {
      this.#builtIn.set(gvkKey(apiVersionOf(resource), resource.kind), resource);
    }
  }

  /** The resource serving `apiVersion`/`kind`, or undefined when the hub serves no such kind. */
  resolve(apiVersion: string, kind: string): ResourceId | undefined {
    const builtIn = this.#builtIn.get(gvkKey(apiVersion, kind));
    if (builtIn) return builtIn;
    const { group, version } = splitApiVersion(apiVersion);
    for (const crd of this.#crds?.list() ?? []) {
      const resource = crdResource(crd, group, version, kind);
      if (resource) return resource;
    }
    return undefined;
  }

  /** The resource serving an object, from its own apiVersion and kind. */
  resolveObject(object: KubeObject): ResourceId | undefined {
    return object.apiVersion && object.kind ? this.resolve(object.apiVersion, object.kind) : undefined;
  }
}

function crdResource(crd: KubeObject, group: string, version: string, kind: string): ResourceId | undefined {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  if (spec.group !== group || names.kind !== kind || typeof names.plural !== "string") return undefined;
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  if (!versions.some((v) => v.name === version && v.served !== false)) return undefined;
  return { group, version, resource: names.plural, kind, namespaced: spec.scope !== "Cluster" };
}
