import { flushCompileCache } from "node:module";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { FLEET_ENTRY, launchBackground, stopBackground } from "../up/background.ts";
import { dataDirLayout } from "../up/data-dir.ts";
import { prepareFleetPki } from "../up/fleet-pki.ts";
import {
  type FleetShape,
  type RequestedSettings,
  resolveSettings,
  STORAGE_KINDS,
  type StorageKind,
} from "../up/fleet-settings.ts";
import { FLEET_NODE_ARGS, fleetEnvironment } from "../up/node-runtime.ts";
import { dataDirInUse, runningFleetPid } from "../up/pid-file.ts";
import { exitCodeOf, UP_FAILURES } from "../up/up-error.ts";
import { duration } from "./controllers.ts";

type UpOptions = {
  members: number;
  firstId: number;
  dataDir: string;
  port: number;
  storage: StorageKind;
  mesh: boolean;
  detach?: boolean;
  timeout: number;
};

/** `atoll up`: a hub, its controllers and N simulated members on this machine, until Ctrl-C. */
export function upCommand(env: NodeJS.ProcessEnv): Command {
  const command = new Command("up")
    .description("Start a fleet on this machine: the hub, its controllers and simulated members (no Docker)")
    .option("--members <n>", "simulated members, named k8s-1…k8s-N", int(1, 200), 3)
    .option("--first-id <id>", "member i gets id first-id+i-1 and owns 127.<id>.0.0/16", int(1, 200), 1)
    .option("--data-dir <dir>", "where the fleet keeps its state, kubeconfig and logs", ".atoll")
    .option("--port <port>", "hub API port on 127.0.0.1 (0 picks a free one)", int(0, 65535), 6443)
    .addOption(
      new Option(
        "--storage <kind>",
        "hub and member storage (etcd: the hub's own etcd in DATA_DIR/hub-etcd, members on sqlite)",
      )
        .choices(STORAGE_KINDS)
        .default("sqlite"),
    )
    .option(
      "--no-mesh",
      "do not connect the members into a mesh (by default every pair is connected: global services span them)",
    )
    .option("-d, --detach", "run in the background (logs in DATA_DIR/up.log); return once Ready")
    .addOption(
      new Option("--timeout <duration>", "how long members may take to become Ready")
        .argParser(durationArg)
        .default(60_000, "60s"),
    )
    .addHelpText(
      "after",
      `
Starts the hub API server (SQLite in DATA_DIR/hub/hub.db, HTTPS with a token),
the hub controllers, and each member as its own \`atoll sim\` process, joined
through the kubeconfig Secret kb-system/atoll-members (contexts k8s-1…k8s-N).
Writes DATA_DIR/kubeconfig (contexts hub, k8s-1…k8s-N) and prints what to try
once every member is Ready. Ctrl-C stops everything; \`atoll up\` again on the
same data dir brings the fleet back with its objects.

Exit codes: 0 stopped cleanly, 1 failed, 2 invalid settings, 3 a fleet already
runs from the data dir, 4 a port or member address is in use, 5 not Ready in time.

Examples:
  atoll up                                   # 3 members, hub on https://127.0.0.1:6443
  atoll up --members 5 --port 0 --data-dir /tmp/fleet
  atoll up -d && kubectl --kubeconfig .atoll/kubeconfig get memberclusters && atoll down
  atoll fault stop k8s-2 --data-dir .atoll   # take a member down`,
    )
    .action(async (options: UpOptions) => {
      await reportingExitCode(() => runUp(options, command, env));
    });
  return usageErrorsExit2(command);
}

/** `atoll down`: stops a fleet started with `atoll up -d`. */
export function downCommand(): Command {
  const command = new Command("down")
    .description("Stop the fleet running from a data dir (started with `atoll up -d`)")
    .option("--data-dir <dir>", "the fleet's data dir", ".atoll")
    .addOption(
      new Option("--timeout <duration>", "how long to wait for a clean stop before killing")
        .argParser(durationArg)
        .default(30_000, "30s"),
    )
    .addHelpText(
      "after",
      `
Exit codes: 0 stopped (or nothing was running), 1 the fleet could not be stopped.

Examples:
  atoll down
  atoll down --data-dir /tmp/fleet`,
    )
    .action(async (options: { dataDir: string; timeout: number }) => {
      await reportingExitCode(async () => {
        const dir = dataDirLayout(options.dataDir).root;
        const stopped = await stopBackground(dir, options.timeout);
        process.stdout.write(
          stopped
            ? `fleet in ${dir} stopped (${stopped.pids.length} processes gone)\n`
            : `no fleet running from ${dir}\n`,
        );
      });
    });
  return usageErrorsExit2(command);
}

async function runUp(options: UpOptions, command: Command, env: NodeJS.ProcessEnv): Promise<void> {
  const layout = dataDirLayout(options.dataDir);
  const explicit = new Set<keyof FleetShape>(
    (["members", "firstId", "storage"] as const).filter((key) => command.getOptionValueSource(key) === "cli"),
  );
  const requested: RequestedSettings = {
    dataDir: layout.root,
    members: options.members,
    firstId: options.firstId,
    port: options.port,
    storage: options.storage,
    mesh: options.mesh,
    readyTimeoutMs: options.timeout,
    explicit,
  };
  const settings = await resolveSettings(requested, layout);
  const running = await runningFleetPid(layout.pidFile);
  if (running !== undefined) throw dataDirInUse(layout.root, running);
  // Here, not in the fleet process: certificates are created without leaving pkijs in the fleet's memory.
  await prepareFleetPki(settings, new Date());
  await warmCompileCache();
  if (options.detach) {
    await launchBackground(settings, { stdout: process.stdout, env, cwd: process.cwd() });
    return;
  }
  // Become the fleet process (same pid, so Ctrl-C and pid files just work) without the rest of the CLI in memory.
  if (typeof process.execve === "function") {
    const args = [process.execPath, ...FLEET_NODE_ARGS, FLEET_ENTRY, "--settings", JSON.stringify(settings)];
    args.push("--started-at", String(Math.round(performance.timeOrigin)));
    process.execve(process.execPath, args, fleetEnvironment(env));
  }
  const { runFleet } = await import("../up/run-fleet.ts");
  const code = await runFleet(settings, {
    stdout: process.stdout,
    stderr: process.stderr,
    env,
    cwd: process.cwd(),
    startedAt: performance.timeOrigin,
  });
  if (code !== 0) throw new CommanderError(code, "atoll.up.failed", "the fleet failed");
}

/**
 * Writes node's compile cache with everything the fleet's processes load —
 * this process has loaded it all (every command, and the two entries, which
 * do nothing when imported) — so that a first start after installing or
 * changing the code strips no TypeScript in the fleet process or the members:
 * the type stripper would stay in each one's memory (~20 MiB) and slow its start.
 */
async function warmCompileCache(): Promise<void> {
  await import("../up/fleet-entry.ts");
  await import("../up/sim-entry.ts");
  flushCompileCache();
}

/** Runs `action`; an error is printed once and becomes the process's exit code (see UP_FAILURES). */
async function reportingExitCode(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CommanderError) throw error;
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    throw new CommanderError(exitCodeOf(error), "atoll.up.failed", "reported");
  }
}

/** Commander reports parse errors itself; they exit with the catalogue's "invalid settings" code. */
function usageErrorsExit2(command: Command): Command {
  return command.exitOverride((error) => {
    if (error.exitCode === 0) throw error;
    throw new CommanderError(UP_FAILURES.Invalid, error.code, error.message);
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

function durationArg(value: string): number {
  try {
    return duration(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}
