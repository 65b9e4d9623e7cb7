import type { ResourceCatalog } from "../resources/catalog.ts";
import type { ResourceType } from "../resources/resource-type.ts";

const SUBRESOURCE_VERBS = ["get", "patch", "update"];

/** `/api`: the legacy core group's versions. */
export function apiVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupDocument(name: string, versions: string[]) {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

/** `/apis`: every named group with its versions, preferred first. */
export function apiGroupList(catalog: ResourceCatalog) {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: catalog
      .groups()
      .filter((g) => g.name !== "")
      .map((g) => groupDocument(g.name, g.versions)),
  };
}

/** `/apis/{group}`, or undefined when the group is not served. */
export function apiGroup(catalog: ResourceCatalog, group: string) {
  const served = catalog.groups().find((g) => g.name === group);
  if (!served || group === "") return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupDocument(served.name, served.versions) };
}

/** `/api/v1`, `/apis/{group}/{version}`: the resources and subresources of a group version. */
export function apiResourceList(catalog: ResourceCatalog, group: string, version: string) {
  const types = catalog.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((type) => {
    const main = {
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: [...type.verbs],
      ...(type.shortNames.length > 0 ? { shortNames: [...type.shortNames] } : {}),
      ...(type.categories.length > 0 ? { categories: [...type.categories] } : {}),
    };
    const subs: object[] = [];
    if (type.subresources.status) {
      subs.push({
        name: `${type.plural}/status`,
        singularName: "",
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: SUBRESOURCE_VERBS,
      });
    }
    if (type.subresources.scale) {
      subs.push({
        name: `${type.plural}/scale`,
        singularName: "",
        namespaced: type.namespaced,
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: SUBRESOURCE_VERBS,
      });
    }
    if (type.group === "" && type.plural === "pods") {
      subs.push(
        { name: "pods/binding", singularName: "", namespaced: true, kind: "Binding", verbs: ["create"] },
        { name: "pods/log", singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] },
      );
    }
    if (type.group === "" && type.plural === "namespaces") {
      subs.push({
        name: "namespaces/finalize",
        singularName: "",
        namespaced: false,
        kind: "Namespace",
        verbs: ["update"],
      });
    }
    return [main, ...subs];
  });
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

/** Aggregated discovery (apidiscovery.k8s.io/v2): `/api` (core only) or `/apis` (named groups) in one document. */
export function aggregatedDiscovery(catalog: ResourceCatalog, legacy: boolean) {
  const groups = catalog.groups().filter((g) => (legacy ? g.name === "" : g.name !== ""));
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: groups.map((g) => ({
      metadata: g.name ? { name: g.name } : {},
      versions: g.versions.map((version) => ({
        version,
        resources: catalog.inGroupVersion(g.name, version).map(discoveryResource),
        freshness: "Current",
      })),
    })),
  };
}

function discoveryResource(type: ResourceType) {
  const responseKind = { group: type.group, version: type.version, kind: type.kind };
  const subresources: object[] = [];
  if (type.subresources.scale) {
    subresources.push({
      subresource: "scale",
      responseKind: { group: "autoscaling", version: "v1", kind: "Scale" },
      verbs: SUBRESOURCE_VERBS,
    });
  }
  if (type.subresources.status)
    subresources.push({ subresource: "status", responseKind, verbs: SUBRESOURCE_VERBS });
  if (type.group === "" && type.plural === "namespaces") {
    subresources.push({ subresource: "finalize", responseKind, verbs: ["update"] });
  }
  return {
    resource: type.plural,
    responseKind,
    scope: type.namespaced ? "Namespaced" : "Cluster",
    singularResource: type.singular,
    verbs: [...type.verbs],
    ...(type.shortNames.length > 0 ? { shortNames: [...type.shortNames] } : {}),
    ...(type.categories.length > 0 ? { categories: [...type.categories] } : {}),
    ...(subresources.length > 0 ? { subresources } : {}),
  };
}
