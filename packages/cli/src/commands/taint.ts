import { readFileSync } from "node:fs";
import { MEMBER_CLUSTERS, type MemberCluster, MemberTaints, type Taint, type TaintEffect } from "@atoll/api";
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
      await changeMember(name, options, env, (member) => ({
        taints: applyTaintChanges(member.spec.taints ?? [], changes),
      }));
      process.stdout.write(`member ${name} tainted\n`);
    });
}

/**
 * `atoll drain NAME` / `atoll undrain NAME`: everything leaves a member, or
 * may come back. Drain cordons it and adds the NoExecute drain taint:
 * propagated workloads are evicted to other members and database replicas
 * are moved (each rebuilt in another member as a new engine member), so the
 * member can then be unjoined. Undrain removes both.
 */
export function drainCommands(env: NodeJS.ProcessEnv): Command[] {
  const drain = new Command("drain")
    .description(
      "Move everything off a member: cordon it, evict propagated workloads, move database replicas",
    )
    .argument("<name>", "the member")
    .option("--kubeconfig <file>", "the hub's kubeconfig")
    .addHelpText(
      "after",
      "\nExamples:\n  atoll drain k8s-3        # then watch: atoll describe instance default/etcd-x\n  atoll unjoin k8s-3       # once nothing is left on it",
    )
    .action(async (name: string, options: { kubeconfig?: string }) => {
      const taint: Taint = {
        key: MemberTaints.drain,
        effect: "NoExecute",
        timeAdded: new Date().toISOString(),
      };
      await changeMember(name, options, env, (member) => ({
        unschedulable: true,
        taints: applyTaintChanges(member.spec.taints ?? [], [{ remove: false, taint }]),
      }));
      process.stdout.write(`member ${name} draining\n`);
    });
  const undrain = new Command("undrain")
    .description("Let work come back to a drained member: remove the drain taint and uncordon it")
    .argument("<name>", "the member")
    .option("--kubeconfig <file>", "the hub's kubeconfig")
    .addHelpText("after", "\nExample:\n  atoll undrain k8s-3")
    .action(async (name: string, options: { kubeconfig?: string }) => {
      await changeMember(name, options, env, (member) => ({
        unschedulable: false,
        taints: (member.spec.taints ?? []).filter((t) => t.key !== MemberTaints.drain),
      }));
      process.stdout.write(`member ${name} undrained\n`);
    });
  return [drain, undrain];
}

/** Reads a member and writes the spec fields `change` returns, refusing to overwrite a concurrent change. */
async function changeMember(
  name: string,
  options: { kubeconfig?: string },
  env: NodeJS.ProcessEnv,
  change: (member: MemberCluster) => { taints: Taint[]; unschedulable?: boolean },
): Promise<void> {
  const hub = HttpKubeClient.fromKubeconfigText(
    readFileSync(hubKubeconfigPath(options.kubeconfig, env), "utf8"),
  );
  try {
    const member = (await hub.get(MEMBER_CLUSTERS, undefined, name)) as MemberCluster | undefined;
    if (!member) throw new Error(`member ${name} not found (see: atoll members)`);
    const { taints, ...fields } = change(member);
    await hub.patch(MEMBER_CLUSTERS, undefined, name, "merge", {
      metadata: { resourceVersion: member.metadata.resourceVersion },
      spec: { ...fields, taints: taints.length ? taints : null },
    });
  } catch (error) {
    if (error instanceof StatusError && error.reason === "Conflict")
      throw new Error(`member ${name} changed meanwhile: run the command again`);
    throw error;
  } finally {
    hub.close();
  }
}
