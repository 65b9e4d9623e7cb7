import { readFileSync } from "node:fs";
import {
  CLUSTER_RESOURCE_BINDINGS,
  MEMBER_CLUSTERS,
  type MemberCluster,
  RESOURCE_BINDINGS,
  type ResourceBinding,
} from "@atoll/api";
import { explain, type PlacementExplanation, scheduleInputOf } from "@atoll/controllers";
import type { KubeClient } from "@atoll/kube";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { Command } from "commander";
import { hubKubeconfigPath } from "../hub/kubeconfig-path.ts";

/**
 * `atoll explain placement NS/NAME`: why each replica went where it went —
 * the scheduler's decision for one binding replayed against the members as
 * they are now, member by member: selected (with replicas), passed over, or
 * rejected, with the reasons.
 */
export function explainCommand(env: NodeJS.ProcessEnv): Command {
  const explainer = new Command("explain").description("Explain Atoll's decisions");
  explainer.addCommand(
    new Command("placement")
      .description("Why a resource's replicas went to the members they did, and why others were rejected")
      .argument(
        "<target>",
        "NS/NAME of a ResourceBinding or of the resource template it is for (NAME alone: cluster-scoped)",
      )
      .option("--kubeconfig <file>", "the hub's kubeconfig (default $KUBECONFIG, then .atoll/kubeconfig)")
      .option("-o, --output <format>", "text or json", "text")
      .addHelpText(
        "after",
        "\nExamples:\n  atoll explain placement shop/web             # the binding of template shop/web (any kind)\n  atoll explain placement shop/web-deployment  # a ResourceBinding by name",
      )
      .action(async (target: string, options: { kubeconfig?: string; output: string }) => {
        if (options.output !== "text" && options.output !== "json")
          throw new Error(`unknown output format "${options.output}" (text or json)`);
        const hub = HttpKubeClient.fromKubeconfigText(
          readFileSync(hubKubeconfigPath(options.kubeconfig, env), "utf8"),
        );
        try {
          const binding = await findBinding(hub, target);
          const members = (await hub.list(MEMBER_CLUSTERS)).items as MemberCluster[];
          const explanation = explain(scheduleInputOf(binding, members, new Date()));
          process.stdout.write(
            options.output === "json"
              ? `${JSON.stringify({ binding: bindingRef(binding), ...explanation }, null, 2)}\n`
              : formatExplanation(binding, explanation),
          );
        } finally {
          hub.close();
        }
      }),
  );
  return explainer;
}

/** The binding named `target`, or the binding of the template named `target`. */
async function findBinding(hub: KubeClient, target: string): Promise<ResourceBinding> {
  const slash = target.indexOf("/");
  const namespace = slash < 0 ? undefined : target.slice(0, slash);
  const name = slash < 0 ? target : target.slice(slash + 1);
  if (!name || name.includes("/")) throw new Error(`"${target}" is not NS/NAME or NAME`);
  const resource = namespace ? RESOURCE_BINDINGS : CLUSTER_RESOURCE_BINDINGS;
  const byName = await hub.get(resource, namespace, name);
  if (byName) return byName as ResourceBinding;
  const list = (await hub.list(resource, namespace ? { namespace } : {})).items as ResourceBinding[];
  const forTemplate = list.filter((b) => b.spec.resource.name === name);
  if (forTemplate.length === 1) return forTemplate[0];
  if (forTemplate.length > 1) {
    const names = forTemplate.map((b) => b.metadata.name).join(", ");
    throw new Error(`several templates named ${name} are propagated (${names}): name the binding`);
  }
  const where = namespace ? `in namespace ${namespace}` : "(cluster-scoped)";
  throw new Error(
    `no binding ${name} ${where}, and no propagated template of that name: is a policy selecting it?`,
  );
}

function bindingRef(binding: ResourceBinding) {
  const { namespace, name } = binding.metadata;
  return { kind: binding.kind ?? "ResourceBinding", namespace, name, resource: binding.spec.resource };
}

function formatExplanation(binding: ResourceBinding, explanation: PlacementExplanation): string {
  const { resource } = binding.spec;
  const template = `${resource.apiVersion} ${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ""}${resource.name}`;
  const bindingName = `${binding.metadata.namespace ? `${binding.metadata.namespace}/` : ""}${binding.metadata.name}`;
  const lines = [
    `Binding:   ${bindingName}`,
    `Template:  ${template}, ${binding.spec.replicas ?? 0} replicas`,
    `Strategy:  ${explanation.strategy}${explanation.affinityName ? `, affinity group "${explanation.affinityName}"` : ""}`,
  ];
  const result = explanation.result;
  if ("error" in result) {
    lines.push(`Result:    not schedulable (${result.error.reason}): ${result.error.message}`);
  } else {
    const placed = result.clusters.map((c) => `${c.name}: ${c.replicas}`).join(", ");
    lines.push(`Result:    ${placed || "no members"}`);
  }
  const current = (binding.spec.clusters ?? []).map((c) => `${c.name}: ${c.replicas ?? 0}`).join(", ");
  lines.push(`Placed:    ${current || "nowhere yet"}`);
  for (const task of binding.spec.gracefulEvictionTasks ?? []) {
    lines.push(`Leaving:   ${task.fromCluster} (${task.reason}${task.message ? `: ${task.message}` : ""})`);
  }
  for (const fallback of explanation.fallbacks) {
    lines.push(`Tried:     affinity group "${fallback.affinityName}": ${fallback.message}`);
  }
  lines.push("");
  const rows = [
    ["MEMBER", "VERDICT", "REPLICAS", "SCORE", "ROOM", "WHY"],
    ...explanation.members.map((m) => [
      m.name,
      m.verdict,
      m.replicas === undefined ? "-" : String(m.replicas),
      m.score === undefined ? "-" : String(m.score),
      m.available === undefined ? "-" : String(m.available),
      m.reasons.join("; "),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows) {
    lines.push(
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    );
  }
  return `${lines.join("\n")}\n`;
}
