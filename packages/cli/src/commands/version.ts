import { existsSync, readFileSync } from "node:fs";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { Command } from "commander";
import { hubKubeconfigPath } from "../hub/kubeconfig-path.ts";

/** `atoll version`: this CLI's version and runtime, and the hub's API server version when one is configured. */
export function versionCommand(version: string, env: NodeJS.ProcessEnv): Command {
  return new Command("version")
    .description("Print the atoll version, and the hub's when a hub kubeconfig is found")
    .option("--kubeconfig <file>", "the hub's kubeconfig (default $KUBECONFIG, then .atoll/kubeconfig)")
    .option("--client", "only this CLI's version")
    .addHelpText("after", "\nExamples:\n  atoll version\n  atoll version --client")
    .action(async (options: { kubeconfig?: string; client?: boolean }) => {
      process.stdout.write(`Client Version: atoll v${version} (node ${process.version})\n`);
      if (options.client) return;
      const path = hubKubeconfigPath(options.kubeconfig, env);
      if (!existsSync(path)) {
        process.stdout.write(`Hub: no kubeconfig at ${path} (start a fleet with: atoll up)\n`);
        return;
      }
      const hub = HttpKubeClient.fromKubeconfigText(readFileSync(path, "utf8"));
      try {
        const answer = await hub.request("GET", "/version");
        const server = JSON.parse(answer.body) as { gitVersion?: string };
        process.stdout.write(`Hub Version: ${server.gitVersion ?? "unknown"} (${hub.server})\n`);
      } catch (error) {
        process.stdout.write(
          `Hub: unreachable at ${hub.server}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      } finally {
        hub.close();
      }
    });
}
