import { readFileSync } from "node:fs";
import { readKubeconfig } from "@atoll/kube/http/kubeconfig-data";
import { HttpKubeClient, KubeconfigError } from "@atoll/kube/http-client";
import {
  connectMembers,
  MESH_FIELD_MANAGER,
  MeshError,
  MeshFailure,
  type MeshMember,
  type MeshTarget,
  type MeshView,
  meshViewOf,
  readMeshMember,
  removePeers,
  standaloneKubeconfig,
  waitForMesh,
} from "@atoll/sim/mesh/index";
import { Command, Option } from "commander";
import { hubKubeconfigPath } from "../hub/kubeconfig-path.ts";
import { duration } from "./controllers.ts";

type Opened = MeshTarget & { close(): void };
type KubeconfigOptions = { kubeconfig?: string; kubeconfigA?: string; kubeconfigB?: string };
type WaitOptions = { wait?: boolean; timeout: number };

/**
 * `atoll mesh connect|disconnect|status`: Cilium-ClusterMesh-style meshing of
 * simulated members, addressed by the contexts of one kubeconfig (the one
 * `atoll up` writes) or by a kubeconfig per member.
 */
export function meshCommand(env: NodeJS.ProcessEnv): Command {
  const mesh = new Command("mesh").description(
    "Mesh simulated members (as cilium clustermesh): global Services span the meshed members",
  );
  mesh.addCommand(
    withKubeconfigOptions(new Command("connect"))
      .description("Connect two members (or --all) after checking names, cluster ids and address ranges")
      .argument("[a]", "a member: its context in the kubeconfig")
      .argument("[b]", "the other member")
      .option(
        "--all",
        "connect every member among the kubeconfig's contexts (contexts that are not members are skipped)",
      )
      .option("--wait", "return once every connected member sees its new peers Connected")
      .addOption(timeoutOption())
      .addHelpText(
        "after",
        `
Checks Cilium's requirements first (unique member names, unique cluster ids in
1-255, no overlapping pod or service ranges, also against the peers each
member already has) and writes nothing when one is not met. Each member then
keeps the other's kubeconfig in its Secret kube-system/atoll-clustermesh.

Examples:
  atoll mesh connect k8s-1 k8s-2                       # contexts of $KUBECONFIG or .atoll/kubeconfig
  atoll mesh connect --all --wait --kubeconfig .atoll/kubeconfig
  atoll mesh connect k8s-1 edge --kubeconfig-b edge/kubeconfig   # a member started with atoll sim`,
      )
      .action(
        async (
          a: string | undefined,
          b: string | undefined,
          options: KubeconfigOptions & WaitOptions & { all?: boolean },
        ) => {
          if (options.all) {
            if (a || b) throw new Error("give two members or --all, not both");
            const result = await meshConnectAll({
              kubeconfig: kubeconfigFile(options.kubeconfig, env),
              ...options,
            });
            for (const skip of result.skipped)
              process.stdout.write(`skipped ${skip.context}: ${skip.reason}\n`);
            process.stdout.write(
              `meshed ${result.members.join(", ")}: ${result.connections} connection(s)${options.wait ? ", all Connected" : ""}\n`,
            );
            return;
          }
          if (!a || !b) throw new Error("name two members to connect (or pass --all)");
          await withTargets([a, b], options, env, async (targets) => {
            const members = await Promise.all(targets.map(readMeshMember));
            await connectMembers(members);
            if (options.wait) await waitForMesh(members, options.timeout);
            const [x, y] = members.map((m) => `${m.info.name} (id ${m.info.id})`);
            process.stdout.write(`connected ${x} and ${y}${options.wait ? ": both Connected" : ""}\n`);
          });
        },
      ),
  );
  mesh.addCommand(
    withKubeconfigOptions(new Command("disconnect"))
      .description("Disconnect two members: each forgets the other and withdraws its endpoints")
      .argument("<a>", "a member: its context in the kubeconfig")
      .argument("<b>", "the other member")
      .addHelpText("after", "\nExample:\n  atoll mesh disconnect k8s-1 k8s-3")
      .action(async (a: string, b: string, options: KubeconfigOptions) => {
        await withTargets([a, b], options, env, async (targets) => {
          // A member that is down cannot be read, but the other still forgets it (by its context name).
          const read = await Promise.allSettled(targets.map(readMeshMember));
          const names = read.map((r, i) => (r.status === "fulfilled" ? r.value.info.name : targets[i].label));
          const failures: string[] = [];
          for (const [i, result] of read.entries()) {
            if (result.status === "rejected") {
              failures.push(`${targets[i].label} still names ${names[1 - i]}: ${messageOf(result.reason)}`);
              continue;
            }
            await removePeers(targets[i], [names[1 - i]]);
          }
          if (failures.length > 0) throw new Error(`disconnected on one side only; ${failures.join("; ")}`);
          process.stdout.write(`disconnected ${names[0]} and ${names[1]}\n`);
        });
      }),
  );
  mesh.addCommand(
    new Command("status")
      .description(
        "Per member: its peers, whether each is Connected, and the global Services and endpoints it sees",
      )
      .argument("[members...]", "members (contexts) to show (default: every member among the contexts)")
      .option(
        "--kubeconfig <file>",
        "kubeconfig with a context per member (default $KUBECONFIG, then .atoll/kubeconfig)",
      )
      .option("-o, --output <format>", "text or json", "text")
      .addHelpText("after", "\nExamples:\n  atoll mesh status\n  atoll mesh status k8s-1 -o json")
      .action(async (names: string[], options: { kubeconfig?: string; output: string }) => {
        if (options.output !== "text" && options.output !== "json")
          throw new Error(`unknown output format "${options.output}" (text or json)`);
        const file = kubeconfigFile(options.kubeconfig, env);
        const contexts = names.length > 0 ? names : contextsOf(file);
        const rows = await Promise.all(contexts.map((context) => statusOf(file, context, names.length > 0)));
        const shown = rows.filter((row): row is MemberView => row !== undefined);
        process.stdout.write(
          options.output === "json" ? `${JSON.stringify(shown, null, 2)}\n` : formatStatus(shown),
        );
      }),
  );
  return mesh;
}

export type MeshAllResult = {
  /** The members meshed, by name. */
  members: string[];
  /** Contexts that are not simulated members (e.g. `hub`), and why. */
  skipped: Array<{ context: string; reason: string }>;
  /** Pairs connected: n(n-1)/2. */
  connections: number;
};

/**
 * Connects every pair of the members among a kubeconfig's contexts (what
 * `atoll up` calls once its members are Ready). Contexts that answer but
 * publish no mesh identity are skipped; an unreachable context fails the call.
 */
export async function meshConnectAll(options: {
  kubeconfig: string;
  wait?: boolean;
  timeout?: number;
}): Promise<MeshAllResult> {
  const opened: Opened[] = [];
  try {
    const members: MeshMember[] = [];
    const skipped: MeshAllResult["skipped"] = [];
    for (const context of contextsOf(options.kubeconfig)) {
      const target = openTarget(context, options.kubeconfig, context);
      opened.push(target);
      try {
        members.push(await readMeshMember(target));
      } catch (error) {
        if (!(error instanceof MeshError && error.reason === MeshFailure.NoClusterInfo)) throw error;
        skipped.push({ context, reason: "not a simulated member (no kube-system/atoll-cluster-info)" });
      }
    }
    if (members.length < 2)
      throw new Error(`${options.kubeconfig} has ${members.length} member(s): nothing to mesh`);
    await connectMembers(members);
    if (options.wait) await waitForMesh(members, options.timeout ?? 30_000);
    const count = members.length;
    return { members: members.map((m) => m.info.name), skipped, connections: (count * (count - 1)) / 2 };
  } finally {
    for (const target of opened) target.close();
  }
}

function withKubeconfigOptions(command: Command): Command {
  return command
    .option(
      "--kubeconfig <file>",
      "kubeconfig with a context per member (default $KUBECONFIG, then .atoll/kubeconfig)",
    )
    .option(
      "--kubeconfig-a <file>",
      "the first member's own kubeconfig (its context named A, else its current one)",
    )
    .option("--kubeconfig-b <file>", "the second member's own kubeconfig");
}

function timeoutOption(): Option {
  return new Option("--timeout <duration>", "how long --wait waits")
    .argParser(duration)
    .default(30_000, "30s");
}

async function withTargets(
  labels: [string, string],
  options: KubeconfigOptions,
  env: NodeJS.ProcessEnv,
  action: (targets: [Opened, Opened]) => Promise<void>,
): Promise<void> {
  const fileOf = (own: string | undefined) => own ?? kubeconfigFile(options.kubeconfig, env);
  const a = openTarget(labels[0], fileOf(options.kubeconfigA), options.kubeconfigA ? undefined : labels[0]);
  try {
    const b = openTarget(labels[1], fileOf(options.kubeconfigB), options.kubeconfigB ? undefined : labels[1]);
    try {
      await action([a, b]);
    } finally {
      b.close();
    }
  } finally {
    a.close();
  }
}

/**
 * The member `label` through `file`: its context named `context`, or (a
 * member's own kubeconfig) the context named `label` if there is one, else
 * the current one.
 */
function openTarget(label: string, file: string, context: string | undefined): Opened {
  const text = readFileSync(file, "utf8");
  try {
    const chosen = context ?? (contextsOfText(text).includes(label) ? label : currentContext(text));
    const kubeconfig = standaloneKubeconfig(text, chosen);
    const client = HttpKubeClient.fromKubeconfigText(kubeconfig, {
      fieldManager: MESH_FIELD_MANAGER,
      timeoutMs: 10_000,
    });
    return { label, client, kubeconfig, close: () => client.close() };
  } catch (error) {
    if (!(error instanceof KubeconfigError)) throw error;
    throw new MeshError(MeshFailure.InvalidKubeconfig, `cannot use ${label} from ${file}: ${error.message}`, {
      cause: error,
    });
  }
}

function kubeconfigFile(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return hubKubeconfigPath(flag, env);
}

function contextsOf(file: string): string[] {
  return contextsOfText(readFileSync(file, "utf8"));
}

function contextsOfText(text: string): string[] {
  return readKubeconfig(text).contexts.map((c) => c.name);
}

function currentContext(text: string): string {
  return readKubeconfig(text).currentContext ?? "";
}

type MemberView = (MeshView & { context: string }) | { context: string; error: string };

/** A context's view, or undefined for a context that is not a member unless it was named. */
async function statusOf(file: string, context: string, named: boolean): Promise<MemberView | undefined> {
  let target: Opened | undefined;
  try {
    target = openTarget(context, file, context);
    return { context, ...(await meshViewOf(target)) };
  } catch (error) {
    if (!named && error instanceof MeshError && error.reason === MeshFailure.NoClusterInfo) return undefined;
    return { context, error: messageOf(error) };
  } finally {
    target?.close();
  }
}

function formatStatus(views: readonly MemberView[]): string {
  if (views.length === 0) return "No simulated members among the kubeconfig's contexts\n";
  const header = [
    "MEMBER",
    "ID",
    "GLOBAL-SERVICES",
    "PEER",
    "STATE",
    "AGE",
    "SERVICES",
    "ENDPOINTS",
    "MESSAGE",
  ];
  const rows: string[][] = [];
  for (const view of views) {
    if ("error" in view) {
      rows.push([view.context, "-", "-", "-", "-", "-", "-", "-", view.error]);
      continue;
    }
    const member = [view.member, String(view.id), String(view.globalServices ?? "-")];
    if (view.peers.length === 0) rows.push([...member, "-", "-", "-", "-", "-", "not meshed"]);
    for (const peer of view.peers) {
      rows.push([
        ...member,
        peer.name,
        peer.state,
        age(peer.since),
        String(peer.services ?? "-"),
        String(peer.endpoints ?? "-"),
        peer.message ?? "",
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows]
    .map(
      (line) =>
        `${line
          .map((c, i) => c.padEnd(widths[i]))
          .join("   ")
          .trimEnd()}\n`,
    )
    .join("");
}

function age(timestamp: string | undefined): string {
  if (!timestamp) return "-";
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
