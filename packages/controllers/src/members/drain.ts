import { AtollLabels } from "@atoll/api";
import type { KubeClient, ResourceId } from "@atoll/kube";
import { StatusError } from "@atoll/kube";
import { InstanceLabels } from "../instances/instance-names.ts";
import type { MemberConnection } from "./connection.ts";

const MANAGED = `${AtollLabels.managedBy}=${AtollLabels.managedByValue}`;

type Discovered = { resource: ResourceId; deletable: boolean };

/**
 * Removes every object the hub placed in a member (labelled managed-by
 * atoll, or an instance's replica objects), across all the member's
 * listable, deletable resources. Returns how
 * many are still there (being deleted); 0 means the member is clean.
 */
export async function drainMember(connection: MemberConnection): Promise<number> {
  const resources = await deletableResources(connection);
  let remaining = 0;
  for (const { resource } of resources) {
    const list = await connection.client.list(resource, { labelSelector: MANAGED });
    // An instance's pods carry managed-by=kubeblocks (what KubeBlocks' tools read): found by Atoll's own label.
    const instances = await connection.client.list(resource, { labelSelector: InstanceLabels.cluster });
    for (const object of [...list.items, ...instances.items]) {
      if (object.metadata.labels?.[AtollLabels.keepOnUnjoin] === "true") continue;
      remaining++;
      if (object.metadata.deletionTimestamp) continue;
      await deleteQuietly(connection.client, resource, object.metadata.namespace, object.metadata.name ?? "");
    }
  }
  return remaining;
}

async function deleteQuietly(
  client: KubeClient,
  resource: ResourceId,
  namespace: string | undefined,
  name: string,
) {
  try {
    await client.delete(resource, namespace, name, { propagationPolicy: "Background" });
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "NotFound")) throw error;
  }
}

/** Resources of the member that can be listed and deleted, from discovery (namespaces last, so contents go first). */
async function deletableResources(connection: MemberConnection): Promise<Discovered[]> {
  const found: Discovered[] = [];
  const groups = await connection.get("/apis");
  const versions: string[] = ["/api/v1"];
  if (groups.status === 200) {
    const parsed = JSON.parse(groups.body) as {
      groups?: Array<{ preferredVersion?: { groupVersion: string } }>;
    };
    for (const group of parsed.groups ?? [])
      if (group.preferredVersion) versions.push(`/apis/${group.preferredVersion.groupVersion}`);
  }
  for (const path of versions) {
    const answer = await connection.get(path);
    if (answer.status !== 200) continue;
    const list = JSON.parse(answer.body) as {
      groupVersion: string;
      resources: Array<{ name: string; kind: string; namespaced: boolean; verbs: string[] }>;
    };
    const [group, version] = list.groupVersion.includes("/")
      ? list.groupVersion.split("/")
      : ["", list.groupVersion];
    for (const r of list.resources) {
      if (r.name.includes("/") || !r.verbs.includes("list") || !r.verbs.includes("delete")) continue;
      found.push({
        resource: { group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced },
        deletable: true,
      });
    }
  }
  return found.sort(
    (a, b) => Number(a.resource.resource === "namespaces") - Number(b.resource.resource === "namespaces"),
  );
}
