import { readFileSync } from "node:fs";
import { type Cluster, KB_CLUSTERS, KubeBlocksAnnotations } from "@atoll/api";
import { isRecord, type KubeObject } from "@atoll/kube";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { Command } from "commander";
import { hubKubeconfigPath } from "../hub/kubeconfig-path.ts";

const RECENT_EVENTS = 10;

/**
 * `atoll describe instance NS/NAME`: one database instance in one view — its
 * phase, every replica's member, role, phase and address, and the recent
 * events of the instance at the hub and of its pods in their members.
 */
export function describeCommand(env: NodeJS.ProcessEnv): Command {
  const describe = new Command("describe").description("Show one object across the fleet in detail");
  describe.addCommand(
    new Command("instance")
      .description("A database instance (KubeBlocks Cluster): replicas, members, roles, addresses, events")
      .argument("<target>", "NS/NAME of the Cluster at the hub (NAME alone: namespace default)")
      .option("--kubeconfig <file>", "the hub's kubeconfig (default $KUBECONFIG, then .atoll/kubeconfig)")
      .addHelpText("after", "\nExample:\n  atoll describe instance default/etcd-x7k2p")
      .action(async (target: string, options: { kubeconfig?: string }) => {
        const [namespace, name] = target.includes("/") ? target.split("/", 2) : ["default", target];
        if (!namespace || !name) throw new Error(`"${target}" is not NS/NAME or NAME`);
        const hub = HttpKubeClient.fromKubeconfigText(
          readFileSync(hubKubeconfigPath(options.kubeconfig, env), "utf8"),
        );
        try {
          const cluster = (await hub.get(KB_CLUSTERS, namespace, name)) as Cluster | undefined;
          if (!cluster)
            throw new Error(`instance ${namespace}/${name} not found (see: kubectl get clusters -A)`);
          const events = await recentEvents(hub, cluster);
          process.stdout.write(formatInstance(cluster, events));
        } finally {
          hub.close();
        }
      }),
  );
  return describe;
}

type EventRow = { at: string; where: string; type: string; reason: string; object: string; message: string };

/** The instance's events at the hub and its pods' events in their members (through the hub's forwarding). */
async function recentEvents(hub: HttpKubeClient, cluster: Cluster): Promise<EventRow[]> {
  const namespace = cluster.metadata.namespace ?? "default";
  const rows: EventRow[] = [];
  const collect = async (where: string, prefix: string, objectName: string) => {
    const selector = encodeURIComponent(`involvedObject.name=${objectName}`);
    const answer = await hub
      .request("GET", `${prefix}/api/v1/namespaces/${namespace}/events?fieldSelector=${selector}`)
      .catch(() => undefined);
    if (answer?.status !== 200) return;
    const list = JSON.parse(answer.body) as { items?: KubeObject[] };
    for (const event of list.items ?? []) {
      const involved = isRecord(event.involvedObject) ? event.involvedObject : {};
      rows.push({
        at: String(event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp ?? ""),
        where,
        type: String(event.type ?? ""),
        reason: String(event.reason ?? ""),
        object: `${String(involved.kind ?? "").toLowerCase()}/${String(involved.name ?? "")}`,
        message: String(event.message ?? ""),
      });
    }
  };
  await collect("hub", "", cluster.metadata.name ?? "");
  for (const replica of replicasOf(cluster)) {
    if (replica.member) await collect(replica.member, `/clusters/${replica.member}`, replica.podName);
  }
  return rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(-RECENT_EVENTS);
}

function replicasOf(cluster: Cluster) {
  return Object.values(cluster.status?.components ?? {}).flatMap((c) => c.replicas ?? []);
}

export function formatInstance(cluster: Cluster, events: EventRow[]): string {
  const { metadata, spec, status } = cluster;
  const placement = metadata.annotations?.[KubeBlocksAnnotations.multiClusterPlacement];
  const lines = [
    `Name:               ${metadata.name}`,
    `Namespace:          ${metadata.namespace}`,
    `Phase:              ${status?.phase ?? "Unknown"}${status?.message ? ` (${status.message})` : ""}`,
    `Termination policy: ${spec.terminationPolicy ?? ""}`,
    `Placement:          ${placement ?? "any schedulable member"}`,
  ];
  for (const component of spec.componentSpecs ?? []) {
    const componentStatus = status?.components?.[component.name];
    lines.push(
      "",
      `Component ${component.name} (${component.componentDef}, ${component.replicas ?? 1} replicas): ${componentStatus?.phase ?? "Unknown"}`,
    );
    lines.push(
      ...table([
        ["REPLICA", "MEMBER", "ROLE", "PHASE", "READY", "ADDRESS"],
        ...(componentStatus?.replicas ?? []).map((r) => [
          r.podName,
          r.member ?? "-",
          r.role || "-",
          r.phase ?? "-",
          r.ready === undefined ? "-" : r.ready ? "true" : "false",
          r.address ?? "-",
        ]),
      ]).map((l) => `  ${l}`),
    );
  }
  const conditions = status?.conditions ?? [];
  if (conditions.length > 0) {
    lines.push("", "Conditions:");
    lines.push(
      ...table([
        ["TYPE", "STATUS", "REASON", "MESSAGE"],
        ...conditions.map((c) => [c.type, c.status, c.reason, c.message]),
      ]).map((l) => `  ${l}`),
    );
  }
  lines.push("", events.length === 0 ? "Events: <none>" : "Events:");
  if (events.length > 0) {
    lines.push(
      ...table([
        ["WHERE", "TYPE", "REASON", "OBJECT", "MESSAGE"],
        ...events.map((e) => [e.where, e.type, e.reason, e.object, e.message]),
      ]).map((l) => `  ${l}`),
    );
  }
  return `${lines.join("\n")}\n`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join("   ")
      .trimEnd(),
  );
}
