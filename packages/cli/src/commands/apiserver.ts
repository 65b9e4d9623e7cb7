import { ApiServer, loadOrCreateServingPki, loadTokenFile, openStore } from "@atoll/apiserver";
import {
  type HubControllers,
  httpConnector,
  memberForwardingResolver,
  startHubControllers,
} from "@atoll/controllers";
import { Command, InvalidArgumentError } from "commander";
import { pino } from "pino";

type Options = {
  host: string;
  port: number;
  storage: string;
  tokenFile?: string;
  tlsDir?: string;
  withControllers?: boolean;
  logLevel: string;
};

/** `atoll apiserver`: a Kubernetes-compatible API server until SIGINT/SIGTERM. */
export function apiserverCommand(env: NodeJS.ProcessEnv): Command {
  return new Command("apiserver")
    .description("Run Atoll's Kubernetes-compatible API server")
    .option("--host <address>", "loopback address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0 picks a free one)", parsePort, 6443)
    .option(
      "--storage <spec>",
      "storage backend: memory, sqlite:PATH, or etcd:http://HOST:PORT[,…][?prefix=/atoll] (a running etcd)",
      "memory",
    )
    .option(
      "--token-file <file>",
      'static bearer tokens (token,user,uid,"group1,group2"); without it every request is admin',
    )
    .option(
      "--tls-dir <dir>",
      "serve HTTPS with a CA and serving certificate kept in this directory (created on first use)",
    )
    .option(
      "--with-controllers",
      "also run the hub controllers in this process, over the server's in-process API (as atoll up does)",
    )
    .option("--log-level <level>", "log level (debug, info, warn, error)", env.ATOLL_LOG_LEVEL ?? "info")
    .addHelpText(
      "after",
      `
Examples:
  atoll apiserver --port 6443
  atoll apiserver --port 6443 --storage sqlite:.atoll/hub.db --with-controllers   # a hub in one process
  atoll apiserver --port 6443 --storage sqlite:.atoll/hub.db --token-file tokens.csv --tls-dir .atoll/pki
  atoll apiserver --port 6443 --storage etcd:http://127.0.0.1:2379?prefix=/atoll
  kubectl --server https://127.0.0.1:6443 --certificate-authority .atoll/pki/ca.crt --token T get ns
  kubectl --server http://127.0.0.1:6443 get namespaces`,
    )
    .action(async (options: Options) => {
      await runApiServer(options);
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError("must be a port number (0-65535)");
  return port;
}

async function runApiServer(options: Options): Promise<void> {
  const log = pino({ level: options.logLevel, base: { component: "apiserver" } });
  const store = await openStore(options.storage);
  const authenticator = options.tokenFile ? await loadTokenFile(options.tokenFile) : undefined;
  let server: ApiServer | undefined;
  // The hub forwards /clusters/{member}/… to members it knows as MemberClusters.
  const forwarding = memberForwardingResolver(() => {
    if (!server) throw new Error("the API server is still starting");
    return server.client("atoll-forwarding");
  });
  const tls = options.tlsDir
    ? (
        await loadOrCreateServingPki(options.tlsDir, {
          commonName: "atoll-apiserver",
          hosts: [options.host, "localhost"],
          now: new Date(),
        })
      ).serving
    : undefined;
  server = await ApiServer.start({
    store,
    tls,
    forwarding,
    host: options.host,
    port: options.port,
    authenticator,
    onRequest: (event) => {
      if (event.error && event.code >= 500)
        log.error({ ...event, error: event.error.message }, "request failed");
      else log.debug(event, "request");
    },
    onControllerError: (controller, key, error) =>
      log.warn(
        { controller, key, error: error instanceof Error ? error.message : String(error) },
        "reconcile failed",
      ),
  });
  log.info(
    { url: server.url, storage: store.kind, auth: authenticator ? "token-file" : "none" },
    "API server ready",
  );
  let controllers: HubControllers | undefined;
  if (options.withControllers) {
    controllers = await startHubControllers({
      hub: server.client("atoll-controllers"),
      connect: httpConnector,
      onError: (controller, key, error) =>
        log.warn(
          { controller, key, error: error instanceof Error ? error.message : String(error) },
          "reconcile failed",
        ),
    });
    log.info({ hub: server.url }, "hub controllers running");
  }
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, "shutting down");
      resolve();
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
  await controllers?.stop();
  await server.stop();
  await store.close();
}
