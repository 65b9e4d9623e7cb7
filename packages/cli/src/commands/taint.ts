import { readFileSync } from "node:fs";
import { MEMBER_CLUSTERS, type MemberCluster, type Taint, type TaintEffect } from "@atoll/api";
import { StatusError } from "@atoll/kube";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { Command } from "commander";
import { hubKubeconfigPath } from "../hub/kubeconfig-path.ts";

const EFFECTS: readonly TaintEffect[] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** One taint argument, as kubectl taint reads it: `key[=value]:Effect`, or `key[:Effect]-` to remove. */
export type TaintChange =
  | { remove: false; taint: Taint }
  | { remove: true; key: string; effect?: TaintEffect };

export function parseTaintArgument(text: string): TaintChange {
  const remove = text.endsWith("-");
  const body = remove ? text.slice(0, -1) : text;
  const colon = body.lastIndexOf(":");
  const effectText = colon < 0 ? undefined : body.slice(colon + 1);
  const keyValue = colon < 0 ? body : body.slice(0, colon);
  const [key, value] = keyValue.includes("=") ? keyValue.split("=", 2) : [keyValue, undefined];
  if (!key || !/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key))
    throw new Error(`invalid taint key in "${text}"`);
  if (effectText !== undefined && !EFFECTS.includes(effectText as TaintEffect))
    throw new Error(`invalid taint effect in "${text}": one of ${EFFECTS.join(", ")}`);
  const effect = effectText as TaintEffect | undefined;
  if (remove) return effect ? { remove: true, key, effect } : { remove: true, key };
  if (!effect) throw new Error(`taint "${text}" needs an effect: key[=value]:${EFFECTS.join("|")}`);
  return { remove: false, taint: { key, effect, ...(value !== undefined ? { value } : {}) } };
}

/** The member's taints after `changes`; an added taint replaces one with the same key and effect. */
export function applyTaintChanges(current: readonly Taint[], changes: readonly TaintChange[]): Taint[] {
  let taints = [...current];
  for (const change of changes) {
    if (change.remove) {
      const before = taints.length;
      taints = taints.filter(
        (t) => !(t.key === change.key && (!change.effect || t.effect === change.effect)),
      );
      if (taints.length === before) throw new Error(`taint "${change.key}" not found`);
    } else {
      taints = [
        ...taints.filter((t) => !(t.key === change.taint.key && t.effect === change.taint.effect)),
        change.taint,
      ];
    }
  }
  return taints;
}

/** `atoll taint NAME key[=value]:Effect… | key[:Effect]-…`: a member's taints, as kubectl taint does nodes. */
export function taintCommand(env: NodeJS.ProcessEnv): Command {
  return new Command("taint")
    .description("Add or remove taints on a member cluster (placement then avoids it unless tolerated)")
    .argument("<name>", "the member")
    .argument(
      "<taints...>",
      "key[=value]:NoSchedule|PreferNoSchedule|NoExecute to add, key[:effect]- to remove",
    )
    .option("--kubeconfig <file>", "the hub's kubeconfig")
    .addHelpText(
      "after",
      "\nExamples:\n  atoll taint k8s-2 dedicated=db:NoSchedule\n  atoll taint k8s-2 dedicated:NoSchedule-",
    )
    .action(async (name: string, args: string[], options: { kubeconfig?: string }) => {
      const changes = args.map(parseTaintArgument);
      const hub = HttpKubeClient.fromKubeconfigText(
        readFileSync(hubKubeconfigPath(options.kubeconfig, env), "utf8"),
      );
      try {
        const member = (await hub.get(MEMBER_CLUSTERS, undefined, name)) as MemberCluster | undefined;
        if (!member) throw new Error(`member ${name} not found (see: atoll members)`);
        const taints = applyTaintChanges(member.spec.taints ?? [], changes);
        await hub.patch(MEMBER_CLUSTERS, undefined, name, "merge", {
          metadata: { resourceVersion: member.metadata.resourceVersion },
          spec: { taints: taints.length ? taints : null },
        });
        process.stdout.write(`member ${name} tainted\n`);
      } catch (error) {
        if (error instanceof StatusError && error.reason === "Conflict")
          throw new Error(`member ${name} changed meanwhile: run the command again`);
        throw error;
      } finally {
        hub.close();
      }
    });
}
