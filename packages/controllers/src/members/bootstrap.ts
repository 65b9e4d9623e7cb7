import { AtollLabels, AtollNamespaces, mcsCrds } from "@atoll/api";
import type { KubeObject, ResourceId } from "@atoll/kube";
import { containsManifest } from "../execution/manifest-subset.ts";
import { MEMBER_RESOURCES, type MemberRuntime } from "./member-runtime.ts";

/** The ClusterRole Atoll's database pods use in every member (KubeBlocks' `kubeblocks-cluster-pod-role`). */
export const CLUSTER_POD_ROLE = "atoll-cluster-pod-role";
export const CLUSTER_POD_SERVICE_ACCOUNT = "atoll-cluster-pod";

const labels = { [AtollLabels.managedBy]: AtollLabels.managedByValue };

/** What every member needs for Atoll's workloads, installed on join and kept as is. */
export function memberBootstrapObjects(): Array<{ resource: ResourceId; object: KubeObject }> {
  const ns = AtollNamespaces.memberSystem;
  return [
    {
      resource: MEMBER_RESOURCES.namespaces,
      object: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels } },
    },
    {
      resource: MEMBER_RESOURCES.serviceaccounts,
      object: {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: CLUSTER_POD_SERVICE_ACCOUNT, namespace: ns, labels },
      },
    },
    {
      resource: MEMBER_RESOURCES.clusterroles,
      object: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: CLUSTER_POD_ROLE, labels },
        rules: [
          { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "patch", "update"] },
          { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
          {
            apiGroups: [""],
            resources: ["configmaps", "secrets", "services", "endpoints"],
            verbs: ["get", "list", "watch"],
          },
          {
            apiGroups: ["coordination.k8s.io"],
            resources: ["leases"],
            verbs: ["get", "list", "watch", "create", "update", "patch"],
          },
        ],
      },
    },
    {
      resource: MEMBER_RESOURCES.clusterrolebindings,
      object: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: CLUSTER_POD_ROLE, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: CLUSTER_POD_ROLE },
        subjects: [{ kind: "ServiceAccount", name: CLUSTER_POD_SERVICE_ACCOUNT, namespace: ns }],
      },
    },
    // The Multi-Cluster Services API, so exports can be made in any member. Kept on unjoin:
    // deleting a CRD would delete every ServiceExport and ServiceImport of the member.
    ...mcsCrds().map((crd) => ({
      resource: MEMBER_RESOURCES.customresourcedefinitions,
      object: {
        ...crd,
        metadata: { ...crd.metadata, labels: { ...labels, [AtollLabels.keepOnUnjoin]: "true" } },
      },
    })),
  ];
}

/**
 * Whether the member's copy is missing or no longer holds what the hub
 * installs. Fields the member's API server defaulted (a CRD's conversion
 * strategy, say) are not drift: only what the hub sets is compared.
 */
function drifted(desired: KubeObject, live: KubeObject | undefined): boolean {
  if (!live || live.metadata.deletionTimestamp) return true;
  for (const [key, value] of Object.entries(desired)) {
    if (key === "metadata" || key === "apiVersion" || key === "kind") continue;
    if (!containsManifest(live[key], value)) return true;
  }
  const liveLabels = live.metadata.labels ?? {};
  return Object.entries(desired.metadata.labels ?? {}).some(([k, v]) => liveLabels[k] !== v);
}

/**
 * Installs (server-side apply, forced) whatever is missing or edited. Before
 * the member's informers have synced, everything is applied once.
 * Returns how many objects were written.
 */
export async function reconcileBootstrap(runtime: MemberRuntime, synced: boolean): Promise<number> {
  let written = 0;
  for (const { resource, object } of memberBootstrapObjects()) {
    const live = synced
      ? runtime.managedObject(resource, object.metadata.namespace, object.metadata.name ?? "")
      : undefined;
    if (synced && !drifted(object, live)) continue;
    await runtime.connection.client.patch(
      resource,
      object.metadata.namespace,
      object.metadata.name ?? "",
      "apply",
      object,
      {
        fieldManager: "atoll-hub",
        force: true,
      },
    );
    written++;
  }
  return written;
}
