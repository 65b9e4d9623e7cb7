import type { Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { KubeClient } from "@atoll/kube/client";
import { type Clock, type Random, systemClock, systemRandom } from "./api/clock.ts";
import { GarbageCollector } from "./controllers/garbage-collector.ts";
import { NamespaceController } from "./controllers/namespace-controller.ts";
import { CrdController } from "./crd-registry/crd-controller.ts";
import { CrdTypes } from "./crd-registry/crd-types.ts";
import { ForwardingProxy } from "./forwarding/forwarding-proxy.ts";
import type { ForwardingResolver } from "./forwarding/forwarding-resolver.ts";
import { type Authenticator, allowAll } from "./http/auth.ts";
import type { PodLogSource } from "./http/handlers/pod-subresources.ts";
import { createRouter } from "./http/router.ts";
import { selectorCompiler } from "./http/selector-compiler.ts";
import type { ServerContext } from "./http/server-context.ts";
import { LocalClient } from "./local-client.ts";
import { OpenAPIPublisher } from "./openapi/openapi-publisher.ts";
import { createFieldManager } from "./registry/field-manager.ts";
import { createPatcher } from "./registry/patcher.ts";
import { Registry } from "./registry/registry.ts";
import { builtinResourceTypes } from "./resources/builtin.ts";
import { ResourceCatalog } from "./resources/catalog.ts";
import { seedDefaults } from "./seed.ts";
import type { Store } from "./storage/store.ts";
import { toTable } from "./tables/index.ts";
import { Cacher } from "./watch/cacher.ts";

// Not `import … from "node:http"`: its ESM form also loads node's bundled undici (fetch, WebSocket), used or not (nodejs/node#59686).
const { createServer } = process.getBuiltinModule("node:http");

/** The Kubernetes version this server reports and models its API on. */
export const KUBERNETES_VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0+atoll" };

export type ApiServerOptions = {
  store: Store;
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  authenticator?: Authenticator;
  /** Serve HTTPS with this certificate and key (PEM); plain HTTP without. */
  tls?: { certPem: string; keyPem: string };
  clock?: Clock;
  random?: Random;
  /** Events kept per resource for resuming watches (default 5000). */
  watchHistory?: number;
  /** Watches without timeoutSeconds end after 1–2× this (default 1800 s, as kube-apiserver's min-request-timeout). */
  watchTimeoutSeconds?: number;
  /** BOOKMARK period for watches that ask for them (default 5 s). */
  bookmarkIntervalMs?: number;
  /** Storage is compacted to this many revisions behind the head, every `compactIntervalMs` (defaults 10,000 and 60 s). */
  compactRetainRevisions?: number;
  compactIntervalMs?: number;
  onRequest?: Parameters<typeof createRouter>[0]["onRequest"];
  onControllerError?: (controller: string, key: string, error: unknown) => void;
  /** Forwards `/clusters/{name}/…` and `…/memberclusters/{name}/proxy/…` to the member this resolves (no forwarding without). */
  forwarding?: ForwardingResolver;
};

/**
 * A running Kubernetes-compatible API server: storage, watch cache, the
 * built-in resources, CRDs, and the in-process namespace and garbage
 * collection controllers. `stop()` releases everything it started.
 */
export class ApiServer {
  readonly registry: Registry;
  readonly catalog: ResourceCatalog;
  #context: ServerContext;
  #server: Server;
  #podLogs: { source: PodLogSource | undefined };
  #sockets = new Set<Socket>();
  #address = { host: "", port: 0 };
  #stoppers: Array<() => void | Promise<void>> = [];
  #url = "";

  private constructor(context: ServerContext, server: Server, podLogs: { source: PodLogSource | undefined }) {
    this.#podLogs = podLogs;
    server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
    this.registry = context.registry;
    this.catalog = context.catalog;
    this.#context = context;
    this.#server = server;
  }

  /** Serves `pods/{name}/log` from this source (a kubelet). */
  setPodLogSource(source: PodLogSource | undefined): void {
    this.#podLogs.source = source;
  }

  /** An in-process client of this server's API, writing as `fieldManager`. */
  client(fieldManager: string): KubeClient {
    const { registry, catalog, patcher, shapes } = this.#context;
    return new LocalClient({ registry, catalog, patcher, shapes, fieldManager });
  }

  static async start(options: ApiServerOptions): Promise<ApiServer> {
    const clock = options.clock ?? systemClock;
    const random = options.random ?? systemRandom;
    const catalog = new ResourceCatalog();
    catalog.set("builtin", builtinResourceTypes());
    const crdTypes = new CrdTypes();
    const cacher = await Cacher.start(options.store, { historyPerResource: options.watchHistory });
    const registry = new Registry({
      store: options.store,
      cacher,
      hooks: crdTypes,
      fieldManager: createFieldManager(crdTypes),
      clock,
      random,
    });
    const podLogs: { source: PodLogSource | undefined } = { source: undefined };
    const context: ServerContext = {
      catalog,
      registry,
      patcher: createPatcher(),
      shapes: crdTypes.shapes,
      clock,
      selectors: selectorCompiler,
      tables: (type, objects, tableOptions) => toTable(type, objects, { ...tableOptions, now: clock.now() }),
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 5000,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 1800,
      podLogs: () => podLogs.source,
    };
    const onError = (controller: string) => (key: string, error: unknown) =>
      options.onControllerError?.(controller, key, error);
    const openapi = new OpenAPIPublisher({
      resolver: crdTypes.shapes,
      source: catalog,
      serverVersion: KUBERNETES_VERSION.gitVersion,
    });
    const forward = options.forwarding && new ForwardingProxy({ resolver: options.forwarding });
    const router = createRouter({
      forward,
      context,
      authenticator: options.authenticator ?? allowAll,
      openapi,
      version: {
        ...KUBERNETES_VERSION,
        gitCommit: "atoll",
        gitTreeState: "clean",
        buildDate: "2026-01-01T00:00:00Z",
        goVersion: "node",
        compiler: "node",
        platform: `${process.platform}/${process.arch}`,
      },
      onRequest: options.onRequest,
      isReady: () => cacher.failure === undefined,
    });
    const serverOptions = { keepAliveTimeout: 65_000, requestTimeout: 0 };
    const handler = (req: Parameters<typeof router>[0], res: Parameters<typeof router>[1]) =>
      void router(req, res);
    const server: Server = options.tls
      ? createHttpsServer({ ...serverOptions, cert: options.tls.certPem, key: options.tls.keyPem }, handler)
      : createServer(serverOptions, handler);
    const apiServer = new ApiServer(context, server, podLogs);
    await seedDefaults(registry, catalog);
    const crdController = new CrdController({ registry, catalog, crdTypes, onError: onError("crd") });
    const namespaces = new NamespaceController({ registry, catalog, onError: onError("namespace") });
    const gc = new GarbageCollector({ registry, catalog, onError: onError("garbage-collector") });
    const compactor = startCompactor(
      options.store,
      options.compactRetainRevisions ?? 10_000,
      options.compactIntervalMs ?? 60_000,
    );
    apiServer.#stoppers.push(
      () => crdController.stop(),
      () => namespaces.stop(),
      () => gc.stop(),
      () => clearInterval(compactor),
      () => cacher.stop(),
      () => forward?.close(),
    );
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
    });
    const address = server.address() as AddressInfo;
    apiServer.#url = `${options.tls ? "https" : "http"}://${address.address}:${address.port}`;
    apiServer.#address = { host: address.address, port: address.port };
    return apiServer;
  }

  /** `http://127.0.0.1:PORT` */
  get url(): string {
    return this.#url;
  }

  get port(): number {
    return this.#address.port;
  }

  /** Whether the server accepts connections (false while paused). */
  get listening(): boolean {
    return this.#server.listening;
  }

  /**
   * Stops accepting connections and drops open ones, as an unreachable API
   * server looks to clients (connection refused); in-process clients keep working.
   */
  async pause(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /** Listens again on the same address after `pause`. */
  async resume(): Promise<void> {
    if (this.#server.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#address.port, this.#address.host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
  }

  /** Stops listening, closes open connections (watches included) and stops the controllers. Does not close the store. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (this.#server.listening) this.#server.close(() => resolve());
      else resolve();
    });
    this.#server.closeAllConnections();
    // TLS sockets that never completed a request are not closed by closeAllConnections.
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    for (const stop of this.#stoppers.reverse()) await stop();
  }
}

function startCompactor(store: Store, retain: number, intervalMs: number): NodeJS.Timeout {
  const timer = setInterval(async () => {
    try {
      const head = await store.currentRevision();
      const target = head - retain;
      if (target > (await store.compactedRevision())) await store.compact(target);
    } catch {
      // Compaction is best effort; the next tick tries again.
    }
  }, intervalMs);
  timer.unref();
  return timer;
}
