import {
  AtollLabels,
  derivedServiceName,
  MCS_FIELD_MANAGER,
  SERVICE_IMPORTS,
  type ServiceImport,
  ServiceImportTypes,
} from "@atoll/api";
import {
  jsonEqual,
  type KubeClient,
  type KubeObject,
  R,
  type ResourceId,
  StatusError,
  splitKey,
} from "@atoll/kube";
import { nextConditions, type WantedCondition } from "./conditions.ts";
import type { Service } from "./core-objects.ts";
import type { DerivedService } from "./derive.ts";
import {
  desiredDerivedService,
  desiredImport,
  desiredSlices,
  type EndpointSource,
  importMatches,
  importOwner,
  serviceMatches,
  sliceMatches,
} from "./import-objects.ts";
import type { MemberWatch } from "./member-watch.ts";

/** A member the import is written into: its API and the controller's informers over it. */
export type ImportTarget = { member: string; client: KubeClient; watch: MemberWatch };

/**
 * Makes one member's ServiceImport `key`, its derived Service (ClusterSetIP)
 * and its imported EndpointSlices match `derived`. Reads the member's
 * informers and writes only what differs (server-side apply, forced), so a
 * settled service costs no request.
 */
export async function syncImport(
  target: ImportTarget,
  key: string,
  derived: DerivedService,
  sources: readonly EndpointSource[],
  now: Date,
): Promise<void> {
  const { namespace = "", name } = splitKey(key);
  const { watch, client } = target;
  const derivedName = derivedServiceName(namespace, name);
  const clusterSet = derived.type === ServiceImportTypes.ClusterSetIP;
  const liveService = watch.services.get(`${namespace}/${derivedName}`) as Service | undefined;
  const serviceName = clusterSet ? derivedName : undefined;
  const options = (ips: string[] | undefined) => ({ derivedService: serviceName, ips });
  let serviceImport = watch.imports.get(key) as ServiceImport | undefined;
  let desired = desiredImport(
    namespace,
    name,
    derived,
    options(clusterSet ? clusterIps(liveService) : undefined),
  );
  if (!importMatches(serviceImport, desired)) serviceImport = await apply(client, SERVICE_IMPORTS, desired);
  if (!serviceImport) return;
  const owner = importOwner(serviceImport);
  if (clusterSet) {
    const wanted = desiredDerivedService(namespace, name, derivedName, derived, owner);
    const service = serviceMatches(liveService, wanted)
      ? liveService
      : await apply(client, R.services, wanted);
    const ips = clusterIps(service);
    if (ips && !jsonEqual(serviceImport.spec?.ips, ips)) {
      desired = desiredImport(namespace, name, derived, options(ips));
      serviceImport = await apply(client, SERVICE_IMPORTS, desired);
    }
  } else if (liveService && isManaged(liveService)) {
    await remove(client, R.services, namespace, derivedName);
  }
  const slices = desiredSlices({ namespace, name, derived, sources, derivedService: serviceName, owner });
  const live = watch.importedSlices(key);
  for (const slice of slices) {
    const current = live.find((s) => s.metadata.name === slice.metadata.name);
    if (!sliceMatches(current, slice)) await apply(client, R.endpointslices, slice);
  }
  for (const stale of live) {
    if (!slices.some((s) => s.metadata.name === stale.metadata.name))
      await remove(client, R.endpointslices, namespace, stale.metadata.name ?? "");
  }
  await writeImportStatus(client, serviceImport, derived, now);
}

/** Removes the member's ServiceImport `key` and what was derived from it, if the controller wrote them. */
export async function removeImport(target: ImportTarget, key: string): Promise<void> {
  const { namespace = "", name } = splitKey(key);
  const { watch, client } = target;
  for (const slice of watch.importedSlices(key))
    await remove(client, R.endpointslices, namespace, slice.metadata.name ?? "");
  const derivedName = derivedServiceName(namespace, name);
  const service = watch.services.get(`${namespace}/${derivedName}`);
  if (service && isManaged(service)) await remove(client, R.services, namespace, derivedName);
  const serviceImport = watch.imports.get(key);
  if (serviceImport && isManaged(serviceImport)) await remove(client, SERVICE_IMPORTS, namespace, name);
}

/** Whether the member holds anything the controller wrote for `key`. */
export function holdsImport(watch: MemberWatch, key: string): boolean {
  const serviceImport = watch.imports.get(key);
  return (serviceImport !== undefined && isManaged(serviceImport)) || watch.importedSlices(key).length > 0;
}

async function writeImportStatus(
  client: KubeClient,
  serviceImport: ServiceImport,
  derived: DerivedService,
  now: Date,
): Promise<void> {
  const clusters = derived.constituents.map((c) => ({ cluster: c.cluster }));
  const waiting = derived.type === ServiceImportTypes.ClusterSetIP && !serviceImport.spec?.ips?.length;
  const ready: WantedCondition = waiting
    ? { type: "Ready", status: "False", reason: "Pending", message: "waiting for the ClusterSet IP" }
    : {
        type: "Ready",
        status: "True",
        reason: "Ready",
        message: `imported from ${clusters.length} cluster(s)`,
      };
  const current = serviceImport.status?.conditions ?? [];
  const conditions = nextConditions(current, [ready], { owned: ["Ready"], now });
  if (!conditions && jsonEqual(serviceImport.status?.clusters ?? [], clusters)) return;
  await client
    .patch(
      SERVICE_IMPORTS,
      serviceImport.metadata.namespace,
      serviceImport.metadata.name ?? "",
      "merge",
      { status: { clusters, conditions: conditions ?? current } },
      { subresource: "status", fieldManager: MCS_FIELD_MANAGER },
    )
    .catch(ignoreNotFound);
}

function clusterIps(service: Service | undefined): string[] | undefined {
  const ip = service?.spec?.clusterIP;
  return ip && ip !== "None" ? [ip] : undefined;
}

function isManaged(object: KubeObject): boolean {
  return object.metadata.labels?.[AtollLabels.managedBy] === AtollLabels.managedByValue;
}

async function apply<T extends KubeObject>(client: KubeClient, resource: ResourceId, object: T): Promise<T> {
  const { namespace, name = "" } = object.metadata;
  try {
    return (await client.patch(resource, namespace, name, "apply", object, {
      fieldManager: MCS_FIELD_MANAGER,
      force: true,
    })) as T;
  } catch (error) {
    throw new Error(`failed to apply ${resource.kind} ${namespace}/${name}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

async function remove(
  client: KubeClient,
  resource: ResourceId,
  namespace: string,
  name: string,
): Promise<void> {
  try {
    await client.delete(resource, namespace, name);
  } catch (error) {
    if (error instanceof StatusError && error.reason === "NotFound") return;
    throw new Error(`failed to delete ${resource.kind} ${namespace}/${name}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

function ignoreNotFound(error: unknown): undefined {
  if (error instanceof StatusError && error.reason === "NotFound") return undefined;
  throw error;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
