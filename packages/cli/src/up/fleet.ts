import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type HubControllers, httpConnector, startHubControllers } from "@atoll/controllers";
import type { Clock } from "@atoll/kube";
import { type KubeconfigContext, kubeconfigDocument } from "@atoll/sim/kubeconfig";
import { addressPlan } from "@atoll/sim/network/address-plan";
import { type Logger, pino } from "pino";
import { meshConnectAll } from "../commands/mesh.ts";
import { type DataDirLayout, dataDirLayout, memberNames } from "./data-dir.ts";
import { type FleetSettings, saveShape } from "./fleet-settings.ts";
import { checkHubPort, type Hub, startHub } from "./hub.ts";
import { joinMembers, MEMBERS_SECRET, waitMembersReady } from "./join.ts";
import { MemberProcess } from "./member-process.ts";
import type { NodeChildren } from "./node-runtime.ts";
import { checkPortFree, isAddressInUse } from "./port-check.ts";
import type { ProgressSink, StepEvent } from "./progress.ts";
import { UpError } from "./up-error.ts";

/** The port `atoll sim` serves each member's API on (its admin endpoint is the next one). */
const MEMBER_PORT = 6443;
/** How long one member process may take to log "member ready". */
const MEMBER_START_MS = 30_000;

export type FleetDeps = {
  progress: ProgressSink;
  children: NodeChildren;
  /** The members' environment. */
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** When `atoll up` started (elapsed times count from here). */
  startedAt: number;
  /** Aborting stops the start and everything started so far. */
  signal: AbortSignal;
};

/**
 * A running fleet: the hub API server and the hub controllers in this
 * process, each member an `atoll sim` child process, joined the KubeBlocks
 * way (one kubeconfig Secret, contexts k8s-1…k8s-N).
 */
export class Fleet {
  readonly layout: DataDirLayout;
  readonly hubUrl: string;
  readonly members: readonly MemberProcess[];
  #hub: Hub;
  #controllers: HubControllers;
  #log: Logger;

  private constructor(fields: {
    layout: DataDirLayout;
    hub: Hub;
    members: MemberProcess[];
    controllers: HubControllers;
    log: Logger;
  }) {
    this.layout = fields.layout;
    this.hubUrl = fields.hub.url;
    this.members = fields.members;
    this.#hub = fields.hub;
    this.#controllers = fields.controllers;
    this.#log = fields.log;
  }

  /**
   * Starts hub and members at once, then writes the kubeconfig Secret and
   * DATA_DIR/kubeconfig, starts the controllers with the multi-cluster
   * settings and resolves once every member is Ready. On failure or abort,
   * stops whatever it started and rejects (an UpError saying what to do).
   */
  static async start(settings: FleetSettings, deps: FleetDeps): Promise<Fleet> {
    const layout = dataDirLayout(settings.dataDir);
    await mkdir(layout.membersDir, { recursive: true });
    await mkdir(layout.hubDir, { recursive: true });
    await saveShape(layout, settings);
    const log = pino(
      { level: "info", base: { component: "hub" } },
      pino.destination({ dest: layout.hubLog, append: true, sync: true }),
    );
    const steps = new StartSteps(deps, log);
    const stoppers: Array<() => Promise<void>> = [];
    const names = memberNames(settings.members);
    try {
      await checkHubPort(settings.port);
      await Promise.all(names.map((name, i) => checkMemberPorts(name, settings.firstId + i)));
      const { hub, members } = await startProcesses({ settings, layout, deps, steps, stoppers, log });
      const contexts = await Promise.all(members.map((m) => memberContext(layout, m)));
      await joinMembers(hub.client("atoll-up"), contexts);
      await writeKubeconfig(layout, hub, contexts);
      log.info(
        { elapsedMs: steps.elapsedMs() },
        "members' kubeconfig Secret and DATA_DIR/kubeconfig written",
      );
      steps.report("hub controllers", "running", "installing CRDs, joining the members");
      const controllers = await startHubControllers({
        hub: hub.client("atoll-controllers"),
        connect: httpConnector,
        kubeBlocks: { secret: MEMBERS_SECRET, contexts: names, disabledContexts: [] },
        onError: (controller, key, error) =>
          log.warn({ controller, key, error: errorText(error) }, "reconcile failed"),
      }).catch((error) => steps.fail("hub controllers", error));
      stoppers.push(async () => {
        await controllers.stop();
      });
      const secret = `${MEMBERS_SECRET.namespace}/${MEMBERS_SECRET.name}`;
      steps.report("hub controllers", "done", `members from ${secret} (contexts ${names.join(",")})`);
      await waitMembersReady({
        hub: hub.client("atoll-up"),
        controllers,
        names,
        timeoutMs: settings.readyTimeoutMs,
        signal: deps.signal,
        onReady: (name) => {
          const member = members.find((m) => m.name === name);
          steps.report(name, "done", `Ready (${member?.address.url ?? ""}, pid ${member?.pid ?? "?"})`);
        },
      });
      if (settings.mesh && names.length > 1) {
        steps.report("mesh", "running", "connecting every pair of members");
        const meshed = await meshConnectAll({ kubeconfig: layout.kubeconfig, wait: true }).catch((error) =>
          steps.fail("mesh", error),
        );
        steps.report(
          "mesh",
          "done",
          `${meshed.connections} connections between ${meshed.members.join(", ")}`,
        );
      }
      log.info({ hub: hub.url, members: names }, "fleet ready");
      return new Fleet({ layout, hub, members, controllers, log });
    } catch (error) {
      steps.stopOpen();
      for (const stop of stoppers.reverse()) await stop().catch(() => {});
      log.flush();
      throw error;
    }
  }

  /** Pids of the member processes. */
  get memberPids(): number[] {
    return this.members.map((m) => m.pid);
  }

  /** Stops the controllers, then every member process (by pid), then the hub. */
  async stop(): Promise<void> {
    await this.#controllers.stop();
    await Promise.all(this.members.map((m) => m.stop()));
    await this.#hub.stop();
    this.#log.info("fleet stopped");
    this.#log.flush();
  }
}

/**
 * The start's progress: each component's line, mirrored in the hub log; a
 * failure is shown on its line, and lines cut short by it (or by Ctrl-C) as stopped.
 */
class StartSteps {
  #deps: FleetDeps;
  #log: Logger;
  #open = new Set<string>();
  /** Aborted on the first failure, so the other starts stop at once instead of at their deadlines. */
  readonly failed = new AbortController();

  constructor(deps: FleetDeps, log: Logger) {
    this.#deps = deps;
    this.#log = log;
  }

  elapsedMs(): number {
    return this.#deps.clock.now().getTime() - this.#deps.startedAt;
  }

  report(step: string, state: StepEvent["state"], detail: string): void {
    if (state === "running") this.#open.add(step);
    else this.#open.delete(step);
    const event = { step, state, detail, elapsedMs: this.elapsedMs() };
    this.#deps.progress.report(event);
    this.#log.info(event, "start progress");
  }

  /** Reports `step` failed (or stopped, when something else failed first) and rethrows. */
  fail(step: string, error: unknown): never {
    if (this.failed.signal.aborted || this.#deps.signal.aborted) this.report(step, "stopped", "");
    else this.report(step, "failed", errorText(error));
    this.failed.abort(error);
    throw error;
  }

  stopOpen(): void {
    for (const step of this.#open) this.report(step, "stopped", "");
  }
}

/** Starts the hub and every member process at once; each started one is added to `stoppers`. */
async function startProcesses(context: {
  settings: FleetSettings;
  layout: DataDirLayout;
  deps: FleetDeps;
  steps: StartSteps;
  stoppers: Array<() => Promise<void>>;
  log: Logger;
}): Promise<{ hub: Hub; members: MemberProcess[] }> {
  const { settings, layout, deps, steps, stoppers } = context;
  const names = memberNames(settings.members);
  steps.report("hub API server", "running", "starting");
  steps.report("hub controllers", "running", "waiting for the members");
  for (const name of names) steps.report(name, "running", "starting");
  const hubStart = startHub({
    layout,
    port: settings.port,
    storage: settings.storage,
    log: context.log,
    now: deps.clock.now(),
    childWrapper: deps.children.diesWithParent ? ["setpriv", "--pdeathsig", "KILL"] : undefined,
  }).then(
    (hub) => {
      stoppers.push(() => hub.stop());
      steps.report("hub API server", "done", `${hub.url} (${storageText(settings, layout)})`);
      return hub;
    },
    (error) => steps.fail("hub API server", error),
  );
  const signal = AbortSignal.any([deps.signal, steps.failed.signal]);
  const memberStarts = names.map((name, i) =>
    MemberProcess.start({
      name,
      id: settings.firstId + i,
      dataDir: layout.memberDir(name),
      // etcd is the hub's: members keep their state in sqlite then.
      storage: settings.storage === "etcd" ? "sqlite" : settings.storage,
      logPath: layout.memberLog(name),
      children: deps.children,
      env: deps.env,
      deadlineMs: MEMBER_START_MS,
      signal,
    }).then(
      (member) => {
        stoppers.push(() => member.stop());
        steps.report(name, "running", `joining (${member.address.url})`);
        return member;
      },
      (error) => steps.fail(name, new UpError("Failed", `member ${name} did not start: ${errorText(error)}`)),
    ),
  );
  // Wait for all, so that everything started is in `stoppers` before a failure is handled.
  const settled = await Promise.allSettled([hubStart, ...memberStarts]);
  const rejected = settled.find((s) => s.status === "rejected");
  if (rejected) throw rejected.reason;
  deps.signal.throwIfAborted();
  return { hub: await hubStart, members: await Promise.all(memberStarts) };
}

async function checkMemberPorts(name: string, id: number): Promise<void> {
  const host = addressPlan(id).apiServer;
  for (const port of [MEMBER_PORT, MEMBER_PORT + 1]) {
    try {
      await checkPortFree(host, port);
    } catch (error) {
      if (!isAddressInUse(error)) throw error;
      throw new UpError(
        "PortInUse",
        `${host}:${port}, the address of member ${name} (id ${id}), is in use — another fleet or ` +
          "`atoll sim` with these ids? Stop it, or pick other ids with --first-id (e.g. a new --data-dir --first-id 10)",
        { cause: error },
      );
    }
  }
}

/** The member's context for the kubeconfigs: its URL, admin token and CA, as `atoll sim` keeps them. */
async function memberContext(layout: DataDirLayout, member: MemberProcess): Promise<KubeconfigContext> {
  const dir = layout.memberDir(member.name);
  const [token, caPem] = await Promise.all([
    readFile(join(dir, "token"), "utf8"),
    readFile(join(dir, "pki", "ca.crt"), "utf8"),
  ]);
  return { name: member.name, server: member.address.url, token: token.trim(), caPem };
}

async function writeKubeconfig(layout: DataDirLayout, hub: Hub, members: KubeconfigContext[]): Promise<void> {
  const hubContext = { name: "hub", server: hub.url, token: hub.token, caPem: hub.caPem };
  await writeFile(layout.kubeconfig, kubeconfigDocument([hubContext, ...members], "hub"), { mode: 0o600 });
}

function storageText(settings: FleetSettings, layout: DataDirLayout): string {
  if (settings.storage === "etcd") return `etcd, data in ${join(layout.root, "hub-etcd")}`;
  return settings.storage === "memory" ? "in memory" : `sqlite ${layout.hubDb}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
