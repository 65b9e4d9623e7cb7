import { readFileSync } from "node:fs";
import { MEMBER_CLUSTERS } from "@atoll/api";
import type { KubeObject } from "@atoll/kube";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { Command } from "commander";
import { stringify as stringifyYaml } from "yaml";
import { hubKubeconfigPath } from "../hub/kubeconfig-path.ts";

type Options = {
  namespace?: string;
  allNamespaces?: boolean;
  clusters?: string;
  allClusters?: boolean;
  kubeconfig?: string;
  output?: string;
};
type Table = {
  columnDefinitions: Array<{ name: string; priority: number }>;
  rows: Array<{ cells: unknown[] }>;
};

const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
const OUTPUTS = ["wide", "json", "yaml"];
/** On objects listed from members with -o json|yaml: the member each came from. */
const CLUSTER_ANNOTATION = "cluster.atoll.io/name";

function labelled(object: KubeObject, cluster: string): KubeObject {
  const metadata = {
    ...object.metadata,
    annotations: { ...object.metadata?.annotations, [CLUSTER_ANNOTATION]: cluster },
  };
  return { ...object, metadata };
}

/**
 * `atoll get KIND [NAME] [-n NS|-A] [--clusters a,b|--all-clusters]`: lists
 * objects across members (through the hub's /clusters/{name}/ forwarding) with
 * a CLUSTER column; without a cluster flag, lists the hub's own objects.
 */
export function getCommand(env: NodeJS.ProcessEnv): Command {
  return new Command("get")
    .description("List objects of a kind at the hub or across member clusters")
    .argument("<kind>", "a resource name as kubectl knows it (pods, deployments, services…)")
    .argument("[name]")
    .option("-n, --namespace <ns>", "namespace", "default")
    .option("-A, --all-namespaces", "every namespace")
    .option("--clusters <list>", "comma-separated members")
    .option("--all-clusters", "every member")
    .option(
      "-o, --output <format>",
      "wide, json or yaml (objects from members carry the cluster.atoll.io/name annotation)",
    )
    .option("--kubeconfig <file>", "the hub's kubeconfig")
    .addHelpText(
      "after",
      "\nExamples:\n  atoll get pods --all-clusters -A\n  atoll get deployments --clusters k8s-1,k8s-2 -n shop\n  atoll get pod etcd-etcd-0 --clusters k8s-1 -o yaml",
    )
    .action(async (kind: string, name: string | undefined, options: Options) => {
      if (options.output !== undefined && !OUTPUTS.includes(options.output)) {
        throw new Error(`unknown output format "${options.output}": use one of ${OUTPUTS.join(", ")}`);
      }
      const hub = HttpKubeClient.fromKubeconfigText(
        readFileSync(hubKubeconfigPath(options.kubeconfig, env), "utf8"),
      );
      try {
        const clusters = options.allClusters
          ? (await hub.list(MEMBER_CLUSTERS)).items.map((m) => m.metadata.name ?? "")
          : (options.clusters ?? "").split(",").filter((c) => c !== "");
        const targets =
          clusters.length > 0
            ? clusters.map((c) => ({ cluster: c, prefix: `/clusters/${c}` }))
            : [{ cluster: "", prefix: "" }];
        const rows: string[][] = [];
        const objects: KubeObject[] = [];
        let header: string[] = [];
        const wide = options.output === "wide";
        let failed = 0;
        for (const { cluster, prefix } of targets) {
          let path: string;
          try {
            path = await resourcePath(
              hub,
              prefix,
              kind,
              options.allNamespaces ? undefined : options.namespace,
              name,
            );
          } catch (error) {
            // One member down must not hide the others: say so and go on.
            if (!(error instanceof UnreachableTarget) || !cluster) throw error;
            process.stderr.write(`${cluster}: ${error.message}\n`);
            failed++;
            continue;
          }
          if (options.output === "json" || options.output === "yaml") {
            const raw = await hub.request("GET", prefix + path, { accept: "application/json" });
            if (raw.status >= 300) {
              process.stderr.write(`${cluster || "hub"}: ${safeMessage(raw.body)}\n`);
              failed++;
              continue;
            }
            const found = JSON.parse(raw.body) as { items?: KubeObject[] } & KubeObject;
            for (const object of found.items ?? [found])
              objects.push(cluster ? labelled(object, cluster) : object);
            continue;
          }
          const answer = await hub.request("GET", prefix + path, { accept: TABLE });
          if (answer.status >= 300) {
            const message = safeMessage(answer.body);
            process.stderr.write(`${cluster || "hub"}: ${message}\n`);
            failed++;
            continue;
          }
          const table = JSON.parse(answer.body) as Table;
          const shown = table.columnDefinitions
            .map((c, i) => ({ c, i }))
            .filter(({ c }) => wide || c.priority === 0);
          header = [
            ...(cluster ? ["CLUSTER"] : []),
            ...(options.allNamespaces ? ["NAMESPACE"] : []),
            ...shown.map(({ c }) => c.name.toUpperCase()),
          ];
          for (const row of table.rows) {
            const meta = (row as { object?: { metadata?: { namespace?: string } } }).object?.metadata;
            rows.push([
              ...(cluster ? [cluster] : []),
              ...(options.allNamespaces ? [meta?.namespace ?? ""] : []),
              ...shown.map(({ i }) => String(row.cells[i] ?? "")),
            ]);
          }
        }
        // Exit 1 when any member could not be read, after printing what could.
        if (failed > 0) process.exitCode = 1;
        if (options.output === "json" || options.output === "yaml") {
          // One object asked for at one place prints as itself; anything else as a List, as kubectl does.
          const single = name !== undefined && targets.length === 1 && objects.length === 1;
          const document = single
            ? objects[0]
            : { apiVersion: "v1", kind: "List", metadata: {}, items: objects };
          process.stdout.write(
            options.output === "json" ? `${JSON.stringify(document, null, 2)}\n` : stringifyYaml(document),
          );
          return;
        }
        if (rows.length === 0) {
          process.stdout.write("No resources found\n");
          return;
        }
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
        for (const line of [header, ...rows])
          process.stdout.write(
            `${line
              .map((cell, i) => cell.padEnd(widths[i]))
              .join("   ")
              .trimEnd()}\n`,
          );
      } finally {
        hub.close();
      }
    });
}

/** Resolves a kind (plural, singular or short name) through the target's discovery. */
async function resourcePath(
  hub: HttpKubeClient,
  prefix: string,
  kind: string,
  namespace: string | undefined,
  name: string | undefined,
) {
  const wanted = kind.toLowerCase();
  const core = await hub.request("GET", `${prefix}/api/v1`);
  if (core.status !== 200) throw new UnreachableTarget(`not reachable: ${safeMessage(core.body)}`);
  const groupVersions = ["/api/v1"];
  const apis = await hub.request("GET", `${prefix}/apis`);
  if (apis.status === 200) {
    for (const g of (
      JSON.parse(apis.body) as { groups: Array<{ preferredVersion: { groupVersion: string } }> }
    ).groups) {
      groupVersions.push(`/apis/${g.preferredVersion.groupVersion}`);
    }
  }
  for (const base of groupVersions) {
    const answer = await hub.request("GET", prefix + base);
    if (answer.status !== 200) continue;
    const list = JSON.parse(answer.body) as {
      resources: Array<{
        name: string;
        singularName: string;
        shortNames?: string[];
        namespaced: boolean;
        kind: string;
      }>;
    };
    const found = list.resources.find(
      (r) =>
        !r.name.includes("/") &&
        (r.name === wanted ||
          r.singularName === wanted ||
          r.kind.toLowerCase() === wanted ||
          r.shortNames?.includes(wanted)),
    );
    if (!found) continue;
    const scope = found.namespaced && namespace ? `/namespaces/${namespace}` : "";
    return `${base}${scope}/${found.name}${name ? `/${name}` : ""}`;
  }
  throw new Error(`the server doesn't have a resource type "${kind}"`);
}

/** The target (a member, through the hub) did not answer discovery. */
class UnreachableTarget extends Error {}

function safeMessage(body: string): string {
  try {
    return String((JSON.parse(body) as { message?: string }).message ?? body);
  } catch {
    return body;
  }
}
