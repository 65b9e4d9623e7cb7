import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { ApiServer, openStore } from "@atoll/apiserver";
import type { KubeClient, KubeObject } from "@atoll/kube";
import { R } from "@atoll/kube";

/** Test support for the network package: a real API server, TCP echo servers, bounded waits. */

export type TestApi = { server: ApiServer; client: KubeClient; stop(): Promise<void> };

export async function startApi(): Promise<TestApi> {
  const store = await openStore("memory");
  const server = await ApiServer.start({ store });
  return {
    server,
    client: server.client("network-test"),
    async stop() {
      await server.stop();
      await store.close();
    },
  };
}

/** Polls `check` every 5 ms until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A TCP echo server on `host` (port 0 = any) that answers each message with `<name>:<message>`. */
export type Echo = { port: number; close(): Promise<void> };

export async function startEcho(host: string, name: string, port = 0): Promise<Echo> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.on("data", (data) => socket.write(`${name}:${data.toString()}`));
  });
  server.listen(port, host);
  await once(server, "listening");
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Connects, sends `ping`, and resolves with the reply, or with `refused`,
 * `reset` or `closed` when the connection fails or ends without one. Bounded by `timeoutMs`.
 */
export function exchange(
  host: string,
  port: number,
  options: { localAddress?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, localAddress: options.localAddress });
    let settled = false;
    const finish = (result: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish("timeout"), options.timeoutMs ?? 2000);
    socket.on("connect", () => socket.write("ping"));
    socket.on("data", (data) => finish(data.toString()));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      finish(
        error.code === "ECONNREFUSED"
          ? "refused"
          : error.code === "ECONNRESET"
            ? "reset"
            : String(error.code),
      ),
    );
    socket.on("close", () => finish("closed"));
  });
}

/** Creates a Pod and sets its status as a kubelet would: an IP, a phase, a Ready condition. */
export async function createPod(
  client: KubeClient,
  pod: {
    namespace?: string;
    name: string;
    labels: Record<string, string>;
    ip: string;
    ready: boolean;
    node?: string;
  },
  containerPorts: Array<{ name: string; containerPort: number }> = [],
): Promise<KubeObject> {
  const namespace = pod.namespace ?? "default";
  await client.create(R.pods, namespace, {
    metadata: { name: pod.name, labels: pod.labels },
    spec: {
      nodeName: pod.node ?? "node-0",
      containers: [{ name: "app", image: "echo", ports: containerPorts }],
    },
  });
  return setPodStatus(client, namespace, pod.name, pod.ip, pod.ready);
}

export function setPodStatus(
  client: KubeClient,
  namespace: string,
  name: string,
  ip: string,
  ready: boolean,
): Promise<KubeObject> {
  const status = {
    phase: "Running",
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
  };
  return client.patch(R.pods, namespace, name, "merge", { status }, { subresource: "status" });
}

/** The Warning Events recorded about an object, by reason. */
export async function warningReasons(client: KubeClient, namespace: string, name: string): Promise<string[]> {
  const events = await client.list(R.events, { namespace });
  return events.items
    .filter((e) => (e.involvedObject as { name?: string } | undefined)?.name === name && e.type === "Warning")
    .map((e) => String(e.reason));
}
