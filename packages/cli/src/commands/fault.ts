import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AdminAddress } from "@atoll/sim";
import { Command } from "commander";
import { dataDirLayout } from "../up/data-dir.ts";

const ACTIONS: Record<
  string,
  {
    path: (target?: string) => string;
    body: (target?: string, container?: string) => object;
    target?: string;
  }
> = {
  "api-down": { path: () => "/faults/api", body: () => ({ down: true }) },
  "api-up": { path: () => "/faults/api", body: () => ({ down: false }) },
  stop: { path: () => "/faults/member", body: () => ({ down: true }) },
  start: { path: () => "/faults/member", body: () => ({ down: false }) },
  partition: { path: () => "/faults/partition", body: () => ({ partitioned: true }) },
  heal: { path: () => "/faults/partition", body: () => ({ partitioned: false }) },
  "node-not-ready": {
    path: (node) => `/faults/nodes/${node}`,
    body: () => ({ ready: false }),
    target: "NODE",
  },
  "node-ready": { path: (node) => `/faults/nodes/${node}`, body: () => ({ ready: true }), target: "NODE" },
  kill: {
    path: (pod) => {
      const [namespace, name] = (pod ?? "").includes("/") ? (pod ?? "").split("/") : ["default", pod ?? ""];
      return `/faults/pods/${namespace}/${name}/kill`;
    },
    body: (_pod, container) => (container ? { container } : {}),
    target: "[NAMESPACE/]POD",
  },
};

/**
 * `atoll fault ACTION [MEMBER] [TARGET] [--data-dir DIR | --member-dir DIR]`:
 * inject or lift a fault in a simulated member — one of a fleet's members
 * (`atoll up`, by name) or a member of its own (`atoll sim`, by its data dir).
 */
export function faultCommand(): Command {
  return new Command("fault")
    .description("Inject or lift a fault in a simulated member (through its admin endpoint)")
    .argument("<action>", `one of: ${[...Object.keys(ACTIONS), "status"].join(", ")}`)
    .argument(
      "[args...]",
      "MEMBER (a fleet's member, unless --member-dir), then the node (node-not-ready, node-ready) or pod (kill)",
    )
    .option("--data-dir <dir>", "the fleet's data dir (atoll up); MEMBER is one of its members", ".atoll")
    .option("--member-dir <dir>", "instead: one member's own data dir (atoll sim; holds admin.json)")
    .option("-c, --container <name>", "container to kill (default: the pod's first)")
    .addHelpText(
      "after",
      `
Examples:
  atoll fault stop k8s-2                              # a member of the fleet in .atoll goes down
  atoll fault start k8s-2 --data-dir /tmp/fleet
  atoll fault api-down --member-dir .atoll/members/k8s-1      # API refuses connections, workloads keep running
  atoll fault node-not-ready k8s-1-node-2 --member-dir .atoll/members/k8s-1
  atoll fault kill k8s-1 default/etcd-0 -c etcd       # a container of a fleet member's pod
  atoll fault partition k8s-2                         # cut k8s-2 off the hub and the other members
  atoll fault heal k8s-2
  atoll fault status --member-dir .atoll/members/k8s-1

partition: the member keeps running, but its API stops answering (the hub marks it
Unknown), its proxy forwards only to its own pods, its node ports and load-balancer
IPs refuse every connection, and connections its proxy relays across the cut are
reset. The other members drop its endpoints from their global Services once their
probes of its API have failed for the mesh's detection period (10 s by default) and
reset the connections they still relay to its pods. So traffic through global
ClusterIP Services is cut both ways. NOT cut: a process that dials another member's
pod IP, node port or load-balancer IP itself — every member shares the loopback
interface, and cutting that needs a network namespace per pod. heal undoes it.`,
    )
    .action(
      async (
        action: string,
        args: string[],
        options: { dataDir: string; memberDir?: string; container?: string },
      ) => {
        const [memberDir, target] = options.memberDir
          ? [options.memberDir, args[0]]
          : [fleetMemberDir(options.dataDir, args[0]), args[1]];
        const admin = await readAdmin(memberDir);
        const headers = { authorization: `Bearer ${admin.token}`, "content-type": "application/json" };
        let response: Response;
        if (action === "status") {
          response = await fetch(`${admin.url}/faults`, { headers });
        } else {
          const spec = ACTIONS[action];
          if (!spec)
            throw new Error(
              `unknown fault action "${action}"; expected one of: ${Object.keys(ACTIONS).join(", ")}, status`,
            );
          if (spec.target && !target) throw new Error(`${action} needs a ${spec.target}`);
          response = await fetch(admin.url + spec.path(target), {
            method: "POST",
            headers,
            body: JSON.stringify(spec.body(target, options.container)),
          });
        }
        const body = (await response.json()) as Record<string, unknown>;
        if (!response.ok) throw new Error(String(body.error ?? `admin endpoint answered ${response.status}`));
        process.stdout.write(`${JSON.stringify(body)}\n`);
      },
    );
}

function fleetMemberDir(dataDir: string, member: string | undefined): string {
  if (!member)
    throw new Error(
      `name the member: atoll fault ACTION MEMBER --data-dir ${dataDir} (or pass --member-dir)`,
    );
  return dataDirLayout(dataDir).memberDir(member);
}

async function readAdmin(dir: string): Promise<AdminAddress> {
  try {
    return JSON.parse(await readFile(join(dir, "admin.json"), "utf8")) as AdminAddress;
  } catch (error) {
    throw new Error(
      `no running member in ${dir} (admin.json unreadable: ${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
