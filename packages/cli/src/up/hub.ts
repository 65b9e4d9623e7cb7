import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import {
  ApiServer,
  type CertificateAndKey,
  loadOrCreateServingPki,
  openStore,
  type Store,
  tokenAuthenticator,
} from "@atoll/apiserver";
import { memberForwardingResolver } from "@atoll/controllers";
import type { KubeClient } from "@atoll/kube";
import type { Logger } from "pino";
import type { DataDirLayout } from "./data-dir.ts";
import type { StorageKind } from "./fleet-settings.ts";
import { type HubEtcd, startHubEtcd } from "./hub-etcd.ts";
import { checkPortFree, isAddressInUse } from "./port-check.ts";
import { UpError } from "./up-error.ts";

export const HUB_HOST = "127.0.0.1";

/** The running hub API server and what a kubeconfig needs to reach it. */
export type Hub = {
  server: ApiServer;
  url: string;
  token: string;
  caPem: string;
  /** In-process client of the hub's API, writing as `fieldManager`. */
  client: (fieldManager: string) => KubeClient;
  stop: () => Promise<void>;
};

export type HubOptions = {
  layout: DataDirLayout;
  port: number;
  storage: StorageKind;
  log: Logger;
  now: Date;
  /** Put before the hub etcd's command line so it dies with the fleet (setpriv --pdeathsig KILL). */
  childWrapper?: readonly string[];
};

/**
 * Starts the hub: Atoll's API server over SQLite (DATA_DIR/hub/hub.db),
 * memory, or an etcd of its own (DATA_DIR/hub-etcd, see hub-etcd.ts), HTTPS with a CA kept in DATA_DIR/hub/pki and one admin bearer token
 * (DATA_DIR/hub/token) — both kept across restarts, so kubeconfigs stay valid —
 * and forwarding of /clusters/{member}/… to the members it knows.
 */
export async function startHub(options: HubOptions): Promise<Hub> {
  const { layout, log } = options;
  await mkdir(layout.hubDir, { recursive: true });
  const token = await loadOrCreateToken(layout.hubToken);
  const pki = await loadOrCreateHubPki(layout, options.now);
  const etcd =
    options.storage === "etcd"
      ? await startHubEtcd({ ...options, host: HUB_HOST, wrapper: options.childWrapper })
      : undefined;
  const store: Store = await openHubStore(options, etcd);
  let server: ApiServer | undefined;
  const forwarding = memberForwardingResolver(() => {
    if (!server) throw new Error("the hub API server is still starting");
    return server.client("atoll-forwarding");
  });
  try {
    server = await ApiServer.start({
      store,
      tls: pki.serving,
      host: HUB_HOST,
      port: options.port,
      forwarding,
      authenticator: tokenAuthenticator(
        new Map([[token, { name: "atoll-admin", uid: "atoll-admin", groups: ["system:masters"] }]]),
      ),
      onRequest: (event) => {
        if (event.error && event.code >= 500)
          log.error({ ...event, error: event.error.message }, "request failed");
      },
      onControllerError: (controller, key, error) =>
        log.warn({ controller, key, error: errorText(error) }, "reconcile failed"),
    });
  } catch (error) {
    await store.close();
    await etcd?.stop();
    throw isAddressInUse(error) ? hubPortInUse(options.port, error) : error;
  }
  const running = server;
  return {
    server: running,
    url: running.url,
    token,
    caPem: pki.ca.certPem,
    client: (fieldManager) => running.client(fieldManager),
    async stop() {
      await running.stop();
      await store.close();
      await etcd?.stop();
    },
  };
}

async function openHubStore(options: HubOptions, etcd: HubEtcd | undefined): Promise<Store> {
  if (etcd === undefined)
    return openStore(options.storage === "memory" ? "memory" : `sqlite:${options.layout.hubDb}`);
  try {
    return await openStore(etcd.storeSpec);
  } catch (error) {
    await etcd.stop();
    throw error;
  }
}

/** The hub's CA and serving certificate in DATA_DIR/hub/pki: created on first use, read after. */
export function loadOrCreateHubPki(
  layout: DataDirLayout,
  now: Date,
): Promise<{ ca: CertificateAndKey; serving: CertificateAndKey }> {
  return loadOrCreateServingPki(layout.hubPki, {
    commonName: "atoll-hub",
    hosts: [HUB_HOST, "localhost"],
    now,
  });
}

async function loadOrCreateToken(path: string): Promise<string> {
  const existing = await readFile(path, "utf8").catch(() => "");
  if (existing.trim() !== "") return existing.trim();
  const token = randomBytes(24).toString("base64url");
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Fails fast, before anything starts, when the hub's port is taken (0 always is free). */
export async function checkHubPort(port: number): Promise<void> {
  if (port === 0) return;
  try {
    await checkPortFree(HUB_HOST, port);
  } catch (error) {
    throw isAddressInUse(error) ? hubPortInUse(port, error) : error;
  }
}

function hubPortInUse(port: number, cause: unknown): UpError {
  return new UpError(
    "PortInUse",
    `port ${port} on ${HUB_HOST} is in use (another fleet or API server?): pass --port 0 for any free port, or --port N`,
    { cause },
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
