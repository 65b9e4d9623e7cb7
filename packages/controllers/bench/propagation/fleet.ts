import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { HttpKubeClient } from "@atoll/kube/http-client";
import type { ChildProcesses } from "../child-processes.ts";
import { type SimProcess, startApiServer, startControllers, startSim } from "../fleet-processes.ts";
import { HubClient } from "../hub-client.ts";
import { allocateMemberIds } from "../member-ids.ts";
import { joinedAndReady, MemberClusterWatch } from "../member-watch.ts";

const MEMBER_PORT = 17443;
/**
 * Member ids are taken from 4–200 wherever nobody listens now (1–3 are `atoll
 * up`'s defaults). Unlike bench:members this does not avoid the ids tests use:
 * a hundred members need most of the range; do not run it beside the tests.
 */
const FIRST_ID = 4;

export type HubLayout = "embedded" | "split";

/**
 * "full": each member a whole simulated cluster (its Deployment controller
 * writes a ReplicaSet and status for every Deployment Atoll applies);
 * "api-only": members that only store and serve objects (`atoll sim
 * --api-only`), as members on hardware of their own cost the hub nothing.
 */
export type MemberKind = "full" | "api-only";

export type BenchMember = { name: string; client: HttpKubeClient; sim: SimProcess };

/** A hub API server, `atoll controllers`, and members in `atoll sim` processes, all joined and Ready. */
export type BenchFleet = {
  hubUrl: string;
  hub: HubClient;
  layout: HubLayout;
  memberKind: MemberKind;
  hubPid: number;
  /** The hub's own pid when the layout is "embedded". */
  controllersPid: number;
  members: BenchMember[];
  sims: SimProcess[];
  watch: MemberClusterWatch;
  close(): Promise<void>;
};

/**
 * Starts a fleet of `members` members, `perSim` per sim process (1 gives
 * every member its own process, so one can be killed like a real cluster).
 */
export async function startBenchFleet(
  children: ChildProcesses,
  options: {
    members: number;
    perSim: number;
    tempDir: string;
    /**
     * "embedded": the hub controllers run inside the API server process over
     * its in-process API, as `atoll up` runs them; "split": `atoll controllers`
     * is a process of its own talking HTTP to the hub, as in a deployment
     * that scales them apart.
     */
    hub: HubLayout;
    /** "api-only": members that serve their API and run no controllers of their own. */
    memberKind?: MemberKind;
    log: (line: string) => void;
  },
): Promise<BenchFleet> {
  const counts: number[] = [];
  for (let left = options.members; left > 0; left -= options.perSim)
    counts.push(Math.min(left, options.perSim));
  const starts = await allocateMemberIds({
    counts,
    first: FIRST_ID,
    last: 200,
    port: MEMBER_PORT,
    avoid: new Set(),
  });
  await mkdir(options.tempDir, { recursive: true });
  const api = await startApiServer(children, 30_000, { withControllers: options.hub === "embedded" });
  const controllers =
    options.hub === "embedded"
      ? api
      : await startControllers(children, { hubUrl: api.url, tempDir: options.tempDir, deadlineMs: 30_000 });
  const sims: SimProcess[] = [];
  for (const [i, count] of counts.entries()) {
    sims.push(
      await startSim(children, {
        firstId: starts[i],
        count,
        port: MEMBER_PORT,
        dataDir: join(options.tempDir, `sim-${i}`),
        deadlineMs: 120_000,
        apiOnly: options.memberKind === "api-only",
      }),
    );
  }
  options.log(`${options.members} members in ${sims.length} sim processes started`);
  const hub = new HubClient(api.url, 64);
  const watch = await MemberClusterWatch.open(api.url);
  await hub.ensureSystemNamespace();
  const members: BenchMember[] = [];
  for (const sim of sims) {
    for (const m of sim.members) {
      const secret = await hub.putKubeconfigSecret(m.name, m.kubeconfig);
      await hub.createMemberCluster(m.name, secret);
      const client = HttpKubeClient.fromKubeconfigText(await readFile(m.kubeconfig, "utf8"));
      members.push({ name: m.name, client, sim });
    }
  }
  await Promise.all(members.map((m) => watch.until(m.name, joinedAndReady, 120_000, "Joined and Ready")));
  options.log(`${members.length} members joined and Ready`);
  return {
    hubUrl: api.url,
    hub,
    layout: options.hub,
    memberKind: options.memberKind ?? "full",
    hubPid: api.pid,
    controllersPid: controllers.pid,
    members,
    sims,
    watch,
    async close() {
      for (const m of members) m.client.close();
      await watch.close();
      await hub.close();
    },
  };
}
