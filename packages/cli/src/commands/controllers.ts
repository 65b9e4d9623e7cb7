import { readFileSync } from "node:fs";
import { type HubControllers, httpConnector, startHubControllers } from "@atoll/controllers";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { Command } from "commander";
import { pino } from "pino";
import { hubKubeconfigPath } from "../hub/kubeconfig-path.ts";

type Options = {
  kubeconfig?: string;
  context?: string;
  multiClusterKubeconfigSecret?: string;
  multiClusterKubeconfigSecretNamespace: string;
  multiClusterContexts?: string;
  multiClusterContextsDisabled?: string;
  probeInterval: string;
  unknownAfter: string;
  evictionTimeout: string;
  logLevel: string;
};

/** `atoll controllers`: the hub controllers, against a hub API, until SIGINT/SIGTERM. */
export function controllersCommand(env: NodeJS.ProcessEnv): Command {
  return new Command("controllers")
    .description("Run the hub controllers (member clusters: join, health, status)")
    .option("--kubeconfig <file>", "the hub's kubeconfig (default $KUBECONFIG, then .atoll/kubeconfig)")
    .option("--context <name>", "context of the hub kubeconfig to use")
    .option(
      "--multi-cluster-kubeconfig-secret <name>",
      "KubeBlocks-style: the Secret holding the members' kubeconfig",
    )
    .option("--multi-cluster-kubeconfig-secret-namespace <ns>", "namespace of that Secret", "kb-system")
    .option("--multi-cluster-contexts <list>", "KubeBlocks-style: comma-separated contexts, one member each")
    .option(
      "--multi-cluster-contexts-disabled <list>",
      "KubeBlocks-style: comma-separated contexts to disable",
    )
    .option("--probe-interval <duration>", "member health probe period", "2s")
    .option("--unknown-after <duration>", "Ready=Unknown after this long without a successful probe", "10s")
    .option("--eviction-timeout <duration>", "NoExecute taint after this long NotReady/Unreachable", "30s")
    .option("--log-level <level>", "log level", env.ATOLL_LOG_LEVEL ?? "info")
    .addHelpText(
      "after",
      `
Examples:
  atoll controllers --kubeconfig .atoll/kubeconfig
  atoll controllers --multi-cluster-kubeconfig-secret members --multi-cluster-contexts k8s-1,k8s-2,k8s-3`,
    )
    .action(async (options: Options) => {
      const log = pino({ level: options.logLevel, base: { component: "controllers" } });
      const path = hubKubeconfigPath(options.kubeconfig, env);
      const hub = HttpKubeClient.fromKubeconfigText(readFileSync(path, "utf8"), {
        context: options.context,
        fieldManager: "atoll-controllers",
      });
      const list = (text: string | undefined) =>
        (text ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
      if (options.multiClusterContexts && !options.multiClusterKubeconfigSecret) {
        throw new Error("--multi-cluster-contexts needs --multi-cluster-kubeconfig-secret");
      }
      const controllers: HubControllers = await startHubControllers({
        hub,
        connect: httpConnector,
        health: {
          probeIntervalMs: duration(options.probeInterval),
          unknownAfterMs: duration(options.unknownAfter),
          evictionTimeoutMs: duration(options.evictionTimeout),
        },
        kubeBlocks: options.multiClusterKubeconfigSecret
          ? {
              secret: {
                namespace: options.multiClusterKubeconfigSecretNamespace,
                name: options.multiClusterKubeconfigSecret,
              },
              contexts: list(options.multiClusterContexts),
              disabledContexts: list(options.multiClusterContextsDisabled),
            }
          : undefined,
        onError: (controller, key, error) =>
          log.warn(
            { controller, key, error: error instanceof Error ? error.message : String(error) },
            "reconcile failed",
          ),
      });
      log.info({ hub: hub.server }, "hub controllers running");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await controllers.stop();
      hub.close();
    });
}

/** "2s", "500ms", "1m" → milliseconds. */
export function duration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`invalid duration "${text}" (use e.g. 500ms, 2s, 1m)`);
  const value = Number(match[1]);
  return match[2] === "ms" ? value : match[2] === "s" ? value * 1000 : value * 60_000;
}
