import { AGE, column, NAME, wide } from "../columns.ts";
import { timeSince } from "../human-duration.ts";
import type { Condition, ObjectMeta } from "../kube-types.ts";
import type { Printer } from "../table.ts";

type Node = {
  metadata?: ObjectMeta;
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: Condition[];
    addresses?: { type?: string; address?: string }[];
    nodeInfo?: {
      kubeletVersion?: string;
      osImage?: string;
      kernelVersion?: string;
      containerRuntimeVersion?: string;
    };
  };
};
type Namespace = { metadata?: ObjectMeta; status?: { phase?: string } };

const ROLE_LABEL_PREFIX = "node-role.kubernetes.io/";
const ROLE_LABEL = "kubernetes.io/role";

/** Roles from `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted and unique. */
function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
    if (key.startsWith(ROLE_LABEL_PREFIX)) {
      const role = key.slice(ROLE_LABEL_PREFIX.length);
      if (role) roles.add(role);
    } else if (key === ROLE_LABEL && value) roles.add(value);
  }
  return [...roles].sort();
}

function nodeStatus(node: Node): string {
  const ready = (node.status?.conditions ?? []).findLast((c) => c.type === "Ready");
  const status = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
  if (node.spec?.unschedulable) status.push("SchedulingDisabled");
  return status.join(",");
}

function address(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? "<none>";
}

/** Nodes: Name, Status ("Ready,SchedulingDisabled"), Roles, Age, Version; wide IPs, OS, kernel, runtime. */
export const nodePrinter: Printer = {
  columns: [
    NAME,
    column("Status", "string", "The status of the node"),
    column("Roles", "string", "The roles of the node"),
    AGE,
    column("Version", "string", "Kubelet Version reported by the node."),
    wide("Internal-IP", "List of addresses reachable to the node."),
    wide("External-IP", "List of addresses reachable to the node."),
    wide(
      "OS-Image",
      "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
    ),
    wide(
      "Kernel-Version",
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    ),
    wide(
      "Container-Runtime",
      "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
    ),
  ],
  print(obj, { now }) {
    const node = obj as Node;
    const info = node.status?.nodeInfo ?? {};
    const roles = nodeRoles(node).join(",");
    return {
      cells: [
        node.metadata?.name ?? "",
        nodeStatus(node),
        roles || "<none>",
        timeSince(node.metadata?.creationTimestamp, now),
        info.kubeletVersion ?? "",
        address(node, "InternalIP"),
        address(node, "ExternalIP"),
        info.osImage || "<unknown>",
        info.kernelVersion || "<unknown>",
        info.containerRuntimeVersion || "<unknown>",
      ],
    };
  },
};

/** Namespaces: Name, Status, Age. */
export const namespacePrinter: Printer = {
  columns: [NAME, column("Status", "string", "The status of the namespace"), AGE],
  print(obj, { now }) {
    const ns = obj as Namespace;
    // The API sets the phase on create (Active) and on delete (Terminating).
    const phase = ns.status?.phase ?? (ns.metadata?.deletionTimestamp ? "Terminating" : "Active");
    return { cells: [ns.metadata?.name ?? "", phase, timeSince(ns.metadata?.creationTimestamp, now)] };
  },
};
