import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type LocalEtcd, startLocalEtcd } from "@atoll/apiserver";
import type { Logger } from "pino";
import type { DataDirLayout } from "./data-dir.ts";
import { UpError } from "./up-error.ts";

/** Restarts after which a crashing hub etcd is left down. */
const MAX_RESTARTS = 5;

/** The hub's etcd, kept running by `atoll up` for `--storage etcd`. */
export type HubEtcd = {
  /** `etcd:http://…` for openStore. */
  storeSpec: string;
  dataDir: string;
  /** Stops supervising and the process. */
  stop: () => Promise<void>;
};

export type HubEtcdOptions = {
  layout: DataDirLayout;
  /** The loopback address to listen on (the hub's). */
  host: string;
  log: Logger;
  /** Put before etcd's command line so it dies with the fleet (setpriv --pdeathsig KILL). */
  wrapper?: readonly string[];
};

/**
 * Starts a one-member etcd for the hub with its data in DATA_DIR/hub-etcd and
 * its log in DATA_DIR/hub/etcd.log, on ports the OS picks the first
 * time and DATA_DIR/hub/etcd.json keeps, so a restarted fleet finds the same
 * etcd with its keys. An etcd that exits while the fleet runs is restarted
 * (up to MAX_RESTARTS times); the store's watches resume by themselves.
 */
export async function startHubEtcd(options: HubEtcdOptions): Promise<HubEtcd> {
  const { layout, log } = options;
  const dataDir = join(layout.root, "hub-etcd");
  const portsFile = join(layout.hubDir, "etcd.json");
  const saved = await readPorts(portsFile);
  const start = (ports: Ports | undefined): Promise<LocalEtcd> =>
    startLocalEtcd({
      dataDir,
      host: options.host,
      clientPort: ports?.clientPort,
      peerPort: ports?.peerPort,
      logFile: join(layout.hubDir, "etcd.log"),
      wrapper: options.wrapper,
    });
  let etcd: LocalEtcd;
  try {
    etcd = await start(saved);
  } catch (error) {
    const ports = saved
      ? ` (ports ${saved.clientPort} and ${saved.peerPort} from ${portsFile}: free them, or remove that file)`
      : "";
    throw new UpError("Failed", `the hub's etcd did not start${ports}: ${errorText(error)}`, {
      cause: error,
    });
  }
  const ports = { clientPort: etcd.clientPort, peerPort: etcd.peerPort };
  await writeFile(portsFile, `${JSON.stringify(ports, null, 2)}\n`);
  log.info({ etcd: etcd.url, pid: etcd.pid, dataDir }, "hub etcd started");

  let stopping = false;
  let restarts = 0;
  const supervise = (running: LocalEtcd): void => {
    void running.exited.then(async (exit) => {
      if (stopping) return;
      if (restarts >= MAX_RESTARTS) {
        log.error({ etcd: running.url, ...exit, restarts }, "hub etcd keeps exiting: left down");
        return;
      }
      restarts += 1;
      log.warn({ etcd: running.url, ...exit, restarts }, "hub etcd exited: restarting it");
      try {
        etcd = await start(ports);
        if (stopping) await etcd.stop();
        else supervise(etcd);
      } catch (error) {
        log.error({ etcd: running.url, error: errorText(error) }, "hub etcd did not restart");
      }
    });
  };
  supervise(etcd);
  return {
    storeSpec: `etcd:${etcd.url}`,
    dataDir,
    async stop() {
      stopping = true;
      await etcd.stop();
    },
  };
}

type Ports = { clientPort: number; peerPort: number };

async function readPorts(path: string): Promise<Ports | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const ports = JSON.parse(text) as Partial<Ports>;
    if (typeof ports.clientPort === "number" && typeof ports.peerPort === "number") {
      return { clientPort: ports.clientPort, peerPort: ports.peerPort };
    }
  } catch {
    // Reported below.
  }
  throw new UpError("Invalid", `${path} does not hold the hub etcd's ports: fix or remove it`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
