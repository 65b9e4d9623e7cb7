import { readFileSync } from "node:fs";
import {
  AtollAnnotations,
  AtollNamespaces,
  KUBECONFIG_SECRET,
  MEMBER_CLUSTERS,
  type MemberCluster,
} from "@atoll/api";
import { httpConnector, JoinError } from "@atoll/controllers";
import { type KubeClient, R, StatusError } from "@atoll/kube";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { Command } from "commander";
import { hubKubeconfigPath } from "../hub/kubeconfig-path.ts";

type HubOptions = { kubeconfig?: string };

function openHub(options: HubOptions, env: NodeJS.ProcessEnv): HttpKubeClient {
  return HttpKubeClient.fromKubeconfigText(readFileSync(hubKubeconfigPath(options.kubeconfig, env), "utf8"), {
    fieldManager: "atoll-cli",
  });
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `atoll join NAME --kubeconfig F`: checks the member, stores its kubeconfig at the hub, waits until it is Joined and Ready. */
export function joinCommand(env: NodeJS.ProcessEnv): Command {
  return new Command("join")
    .description("Join a member cluster to the fleet")
    .argument("<name>", "the member's name in the fleet")
    .requiredOption("--kubeconfig <file>", "the member's kubeconfig")
    .option("--context <name>", "context of the member kubeconfig (default: its current context)")
    .option("--region <region>")
    .option("--zone <zone>")
    .option("--provider <provider>")
    .option("--hub-kubeconfig <file>", "the hub's kubeconfig (default $KUBECONFIG, then .atoll/kubeconfig)")
    .option("--timeout <seconds>", "how long to wait for Ready", "30")
    .addHelpText(
      "after",
      "\nExample:\n  atoll join k8s-4 --kubeconfig .atoll/k8s-4/kubeconfig --region eu --zone eu-1",
    )
    .action(
      async (
        name: string,
        options: {
          kubeconfig: string;
          hubKubeconfig?: string;
          context?: string;
          region?: string;
          zone?: string;
          provider?: string;
          timeout: string;
        },
      ) => {
        const text = readFileSync(options.kubeconfig, "utf8");
        // Check before writing anything: a bad kubeconfig or an unreachable member joins nothing.
        const connection = (() => {
          try {
            return httpConnector(text, options.context);
          } catch (error) {
            throw new Error(
              error instanceof JoinError ? `cannot join ${name}: ${error.message}` : String(error),
            );
          }
        })();
        try {
          const answer = await connection.get("/readyz", { timeoutMs: 5000 }).catch((error: unknown) => {
            throw new Error(
              `cannot join ${name}: the member at ${connection.server} is unreachable: ${error instanceof Error ? error.message : String(error)}`,
            );
          });
          if (answer.status >= 300 && answer.status !== 404)
            throw new Error(`cannot join ${name}: the member answered /readyz with ${answer.status}`);
        } finally {
          connection.close();
        }
        const hub = openHub({ kubeconfig: options.hubKubeconfig }, env);
        try {
          if (await hub.get(MEMBER_CLUSTERS, undefined, name))
            throw new Error(`member ${name} already exists`);
          await ensureNamespace(hub, AtollNamespaces.hubSystem);
          const secretName = `member-${name}`;
          await hub.patch(
            R.secrets,
            AtollNamespaces.hubSystem,
            secretName,
            "apply",
            {
              apiVersion: "v1",
              kind: "Secret",
              metadata: { name: secretName, namespace: AtollNamespaces.hubSystem },
              type: KUBECONFIG_SECRET.type,
              data: { [KUBECONFIG_SECRET.key]: Buffer.from(text).toString("base64") },
            },
            { force: true },
          );
          const started = Date.now();
          await hub.create(MEMBER_CLUSTERS, undefined, {
            apiVersion: "cluster.atoll.io/v1alpha1",
            kind: "MemberCluster",
            metadata: { name },
            spec: {
              kubeconfig: {
                secretRef: { namespace: AtollNamespaces.hubSystem, name: secretName },
                key: KUBECONFIG_SECRET.key,
                ...(options.context ? { context: options.context } : {}),
              },
              ...(options.region ? { region: options.region } : {}),
              ...(options.zone ? { zone: options.zone } : {}),
              ...(options.provider ? { provider: options.provider } : {}),
            },
          });
          const outcome = await until(`${name} to join`, Number(options.timeout) * 1000, async () => {
            const mc = (await hub.get(MEMBER_CLUSTERS, undefined, name)) as MemberCluster | undefined;
            const joined = mc?.status?.conditions?.find((c) => c.type === "Joined");
            const ready = mc?.status?.conditions?.find((c) => c.type === "Ready");
            if (joined?.status === "False")
              return { ok: false, message: `${joined.reason}: ${joined.message}` };
            if (joined?.status === "True" && ready?.status === "True") return { ok: true, message: "" };
            return undefined;
          });
          if (!outcome.ok) {
            await hub.delete(MEMBER_CLUSTERS, undefined, name).catch(() => undefined);
            await hub.delete(R.secrets, AtollNamespaces.hubSystem, secretName).catch(() => undefined);
            throw new Error(`cannot join ${name}: ${outcome.message}`);
          }
          process.stdout.write(`member ${name} joined and Ready in ${Date.now() - started} ms\n`);
        } finally {
          hub.close();
        }
      },
    );
}

async function ensureNamespace(hub: KubeClient, name: string): Promise<void> {
  try {
    await hub.create(R.namespaces, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
  }
}

/** `atoll unjoin NAME [--orphan]`: removes the member; by default what the hub placed in it goes first. */
export function unjoinCommand(env: NodeJS.ProcessEnv): Command {
  return new Command("unjoin")
    .description("Remove a member from the fleet (by default, first removing what the hub placed in it)")
    .argument("<name>")
    .option("--drain", "remove what the hub placed in the member (the default)")
    .option("--orphan", "leave what the hub placed in the member")
    .option("--kubeconfig <file>", "the hub's kubeconfig")
    .option("--timeout <seconds>", "how long to wait", "60")
    .addHelpText(
      "after",
      "\nExamples:\n  atoll drain k8s-3 && atoll unjoin k8s-3   # move its replicas first, then remove it\n  atoll unjoin k8s-3 --orphan               # leave what the hub placed there",
    )
    .action(
      async (name: string, options: HubOptions & { drain?: boolean; orphan?: boolean; timeout: string }) => {
        if (options.drain && options.orphan) throw new Error("--drain and --orphan exclude each other");
        const hub = openHub(options, env);
        try {
          const policy = options.orphan ? "orphan" : "drain";
          await hub.patch(MEMBER_CLUSTERS, undefined, name, "merge", {
            metadata: { annotations: { [AtollAnnotations.unjoinPolicy]: policy } },
          });
          await hub.delete(MEMBER_CLUSTERS, undefined, name);
          await until(`${name} to be removed`, Number(options.timeout) * 1000, async () =>
            (await hub.get(MEMBER_CLUSTERS, undefined, name)) === undefined ? true : undefined,
          );
          process.stdout.write(`member ${name} unjoined (${policy})\n`);
        } finally {
          hub.close();
        }
      },
    );
}

/** cordon, uncordon, disable, enable: one spec field, switched at run time. */
export function switchCommands(env: NodeJS.ProcessEnv): Command[] {
  const specs: Array<[string, string, Record<string, boolean>]> = [
    ["cordon", "Stop placing new work on a member", { unschedulable: true }],
    ["uncordon", "Allow new work on a member again", { unschedulable: false }],
    ["disable", "Stop all writes to a member (its state is shown as last known)", { disabled: true }],
    ["enable", "Re-enable a disabled member", { disabled: false }],
  ];
  return specs.map(([verb, description, spec]) =>
    new Command(verb)
      .description(description)
      .argument("<name>")
      .option("--kubeconfig <file>", "the hub's kubeconfig")
      .addHelpText("after", `\nExample:\n  atoll ${verb} k8s-2`)
      .action(async (name: string, options: HubOptions) => {
        const hub = openHub(options, env);
        try {
          await hub.patch(MEMBER_CLUSTERS, undefined, name, "merge", { spec });
          process.stdout.write(`member ${name} ${verb}${verb.endsWith("e") ? "d" : "ed"}\n`);
        } finally {
          hub.close();
        }
      }),
  );
}

/** `atoll members` (alias `clusters`): the fleet's members at a glance. */
export function membersCommand(env: NodeJS.ProcessEnv): Command {
  return new Command("members")
    .alias("clusters")
    .description("List the fleet's member clusters: readiness, version, nodes, capacity, taints")
    .option("--kubeconfig <file>", "the hub's kubeconfig")
    .addHelpText("after", "\nExamples:\n  atoll members\n  atoll clusters --kubeconfig hub.kubeconfig")
    .action(async (options: HubOptions) => {
      const hub = openHub(options, env);
      try {
        const members = (await hub.list(MEMBER_CLUSTERS)).items as MemberCluster[];
        if (members.length === 0) {
          process.stdout.write("No members joined\n");
          return;
        }
        const rows = members.map((mc) => {
          const ready = mc.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown";
          const nodes = mc.status?.nodeSummary
            ? `${mc.status.nodeSummary.readyNum}/${mc.status.nodeSummary.totalNum}`
            : "-";
          const summary = mc.status?.resourceSummary;
          const pods = summary
            ? `${summary.allocated?.pods ?? "0"}/${summary.allocatable?.pods ?? "0"}`
            : "-";
          const cpu = summary ? `${summary.allocated?.cpu ?? "0"}/${summary.allocatable?.cpu ?? "0"}` : "-";
          const taints =
            (mc.spec.taints ?? [])
              .map((t) => `${t.key.replace("cluster.atoll.io/", "")}:${t.effect}`)
              .join(",") || "-";
          return [
            mc.metadata.name ?? "",
            ready,
            mc.status?.kubernetesVersion ?? "-",
            nodes,
            pods,
            cpu,
            taints,
            mc.spec.disabled ? "true" : "false",
            age(mc.metadata.creationTimestamp),
          ];
        });
        const header = ["NAME", "READY", "VERSION", "NODES", "PODS", "CPU", "TAINTS", "DISABLED", "AGE"];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
        for (const line of [header, ...rows])
          process.stdout.write(
            `${line
              .map((c, i) => c.padEnd(widths[i]))
              .join("   ")
              .trimEnd()}\n`,
          );
      } finally {
        hub.close();
      }
    });
}

function age(timestamp: string | undefined): string {
  if (!timestamp) return "-";
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
