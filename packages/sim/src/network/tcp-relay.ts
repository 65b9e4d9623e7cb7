import { connect, type Socket } from "node:net";
import { backendKey } from "./backend-picker.ts";
import type { Backend } from "./endpoint-source.ts";

export type RelayOptions = {
  /** The next backend to try, given those tried already; undefined when there is none. */
  pick(tried: ReadonlySet<string>): Backend | undefined;
  /** Every socket the relay opens or adopts, so a stopping proxy can close them. */
  sockets: Set<Socket>;
  /** How long to wait for a backend to accept (default 3 s). */
  connectTimeoutMs?: number;
  /**
   * How long a half-closed connection may stay open after one side finished
   * sending (default 60 s, Linux's tcp_fin_timeout): a peer that never closes
   * its side must not hold two sockets forever.
   */
  halfClosedTimeoutMs?: number;
  /** Called once the client is spliced to `backend` through `upstream`, e.g. to reset the pair later. */
  onSpliced?: (backend: Backend, upstream: Socket) => void;
};

/**
 * Relays one accepted connection (created with `pauseOnConnect`) to a
 * backend, byte for byte in both directions, half-closes included. A backend
 * that refuses or does not answer is skipped for the next one, as kube-proxy's
 * userspace mode did; when none is left the client is reset at once, the
 * userspace stand-in for kube-proxy's REJECT. A reset on either side resets
 * the other.
 */
export function relay(client: Socket, options: RelayOptions): void {
  const { sockets } = options;
  const tried = new Set<string>();
  let upstream: Socket | undefined;
  let spliced = false;
  track(client, sockets);
  client.on("error", () => {});
  client.once("close", () => {
    if (!spliced) upstream?.destroy();
  });

  const attempt = () => {
    if (client.destroyed) return;
    const backend = options.pick(tried);
    if (!backend) {
      client.resetAndDestroy();
      return;
    }
    tried.add(backendKey(backend));
    const socket = connect({ host: backend.ip, port: backend.port, allowHalfOpen: true });
    upstream = socket;
    track(socket, sockets);
    const fail = () => {
      socket.destroy();
      attempt();
    };
    socket.setTimeout(options.connectTimeoutMs ?? 3000, fail);
    socket.once("error", fail);
    socket.once("connect", () => {
      socket.setTimeout(0);
      socket.off("error", fail);
      if (client.destroyed) {
        socket.destroy();
        return;
      }
      spliced = true;
      splice(client, socket, options.halfClosedTimeoutMs ?? 60_000);
      options.onSpliced?.(backend, socket);
    });
  };
  attempt();
}

function splice(a: Socket, b: Socket, halfClosedTimeoutMs: number): void {
  let lingering: NodeJS.Timeout | undefined;
  const finished = () => {
    if (lingering) return;
    lingering = setTimeout(() => {
      a.destroy();
      b.destroy();
    }, halfClosedTimeoutMs);
    lingering.unref();
  };
  const closed = () => clearTimeout(lingering);
  for (const socket of [a, b]) {
    socket.once("end", finished);
    socket.once("close", closed);
  }
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.on("error", () => {});
    from.pipe(to);
    // An abortive close travels on as a reset; an orderly one as end-of-stream.
    from.once("close", (hadError) => {
      if (to.destroyed) return;
      if (hadError) to.resetAndDestroy();
      else to.end();
    });
  }
}

function track(socket: Socket, sockets: Set<Socket>): void {
  sockets.add(socket);
  socket.once("close", () => sockets.delete(socket));
}
