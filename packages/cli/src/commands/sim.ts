import { join } from "node:path";
import { loadRuntimeConfig, MemberHost } from "@atoll/sim";
import { Command, InvalidArgumentError } from "commander";
import { pino } from "pino";

type Options = {
  name: string;
  id: number;
  count: number;
  port: number;
  dataDir: string;
  nodes: number;
  storage: "sqlite" | "memory";
  lbPool?: string[];
  runtimeConfig?: string;
  apiOnly?: boolean;
  logLevel: string;
};

/** `atoll sim`: one simulated member cluster (or `--count N` of them) until SIGINT/SIGTERM. */
export function simCommand(env: NodeJS.ProcessEnv): Command {
  return new Command("sim")
    .description(
      "Run simulated member clusters: an API server, controllers and a kubelet stand-in per member",
    )
    .option("--name <name>", "member name (with --count, the prefix: <name>-1 … <name>-N)", "k8s-1")
    .option("--id <id>", "member id 1-200: the member owns 127.<id>.0.0/16", int(1, 200), 1)
    .option("--count <n>", "members in this process (names k8s-1…k8s-N, ids from --id)", int(1, 200), 1)
    .option("--port <port>", "API server port on each member's own address 127.<id>.0.1", int(1, 65535), 6443)
    .option("--data-dir <dir>", "where state, volumes and the kubeconfig live", ".atoll/sim")
    .option("--nodes <n>", "nodes per member", int(1, 240), 3)
    .option("--storage <kind>", "sqlite (durable) or memory", "sqlite")
    .option("--lb-pool <range...>", "load-balancer address pools (ranges or CIDRs)")
    .option(
      "--runtime-config <file>",
      "which images run as real processes (YAML/JSON); default: etcd images run the system's etcd",
    )
    .option(
      "--api-only",
      "serve the API and nodes only: no scheduler, kubelet or controllers (objects are stored, nothing acts on them)",
    )
    .option("--log-level <level>", "log level", env.ATOLL_LOG_LEVEL ?? "info")
    .addHelpText(
      "after",
      `
Examples:
  atoll sim --name k8s-1 --id 1 --data-dir .atoll/k8s-1
  KUBECONFIG=.atoll/k8s-1/kubeconfig kubectl get nodes
  atoll sim --count 3 --data-dir .atoll/members     # k8s-1, k8s-2, k8s-3 in one process
  atoll sim --count 100 --id 4 --api-only --storage memory   # many light members to load a control plane`,
    )
    .action(async (options: Options) => {
      await runSim(options);
    });
}

function int(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

async function runSim(options: Options): Promise<void> {
  if (options.storage !== "sqlite" && options.storage !== "memory")
    throw new Error(`--storage must be sqlite or memory`);
  const log = pino({ level: options.logLevel, base: { component: "sim" } });
  const members: MemberHost[] = [];
  const runtime = options.runtimeConfig ? await loadRuntimeConfig(options.runtimeConfig) : undefined;
  const single = options.count === 1;
  try {
    for (let i = 0; i < options.count; i++) {
      const id = options.id + i;
      const name = single ? options.name : `${options.name.replace(/-\d+$/, "")}-${id}`;
      const host = new MemberHost({
        name,
        id,
        port: options.port,
        dataDir: single ? options.dataDir : join(options.dataDir, name),
        nodes: options.nodes,
        storage: options.storage,
        apiOnly: options.apiOnly === true,
        loadBalancerPools: options.lbPool,
        runtime: runtime,
        onWarning: (message) => log.warn({ member: name }, message),
        onError: (component, key, error) =>
          log.warn(
            {
              member: name,
              controller: component,
              key,
              error: error instanceof Error ? error.message : String(error),
            },
            "reconcile failed",
          ),
      });
      const admin = await host.start(options.port + 1);
      members.push(host);
      log.info(
        { member: name, url: host.member?.url, kubeconfig: host.member?.kubeconfigPath, admin: admin.url },
        "member ready",
      );
    }
  } catch (error) {
    await Promise.all(members.map((m) => m.stop()));
    throw error;
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  log.info({ members: members.length }, "stopping");
  await Promise.all(members.map((m) => m.stop()));
}
