import { createHash } from "node:crypto";
import type * as Http from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { ForwardTarget } from "./forwarding-resolver.ts";

// Not `import … from "node:http"`: its ESM form also loads node's bundled undici (fetch, WebSocket), used or not (nodejs/node#59686).
const { Agent: HttpAgent } = process.getBuiltinModule("node:http");

/** An agent lent for one request; `release()` once the exchange is over. */
export type AgentLease = { agent: Http.Agent; release(): void };

type Entry = { fingerprint: string; agent: Http.Agent; inFlight: number; retired: boolean };

/**
 * Keep-alive agents, one per member. A member's agent is replaced when the
 * resolver returns a different server or TLS material for it; the old agent
 * closes its idle connections at once and its busy ones (a watch, a log
 * stream) when their requests end.
 *
 * The bearer token is not part of an agent's identity: it travels per request,
 * so a rotated token needs no new connections.
 */
export class AgentPool {
  #entries = new Map<string, Entry>();
  #closed = false;

  /** The agent for `member`'s current `target`. */
  lease(member: string, target: ForwardTarget): AgentLease {
    if (this.#closed) throw new Error("the forwarding agent pool is closed");
    const fingerprint = fingerprintOf(target);
    let entry = this.#entries.get(member);
    if (entry?.fingerprint !== fingerprint) {
      if (entry) this.#retire(entry);
      entry = { fingerprint, agent: createAgent(target), inFlight: 0, retired: false };
      this.#entries.set(member, entry);
    }
    const leased = entry;
    leased.inFlight++;
    let released = false;
    return {
      agent: leased.agent,
      release: () => {
        if (released) return;
        released = true;
        leased.inFlight--;
        if (leased.retired && leased.inFlight === 0) leased.agent.destroy();
      },
    };
  }

  /** Forgets `member` (it was removed or disabled): its connections close as above. */
  forget(member: string): void {
    const entry = this.#entries.get(member);
    if (!entry) return;
    this.#entries.delete(member);
    this.#retire(entry);
  }

  /** Destroys every agent and its connections, busy or not. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) entry.agent.destroy();
    this.#entries.clear();
  }

  /** The number of members with a live agent (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  #retire(entry: Entry): void {
    entry.retired = true;
    if (entry.inFlight === 0) {
      entry.agent.destroy();
      return;
    }
    for (const sockets of Object.values(entry.agent.freeSockets)) {
      for (const socket of sockets ?? []) socket.destroy();
    }
  }
}

function createAgent(target: ForwardTarget): Http.Agent {
  if (new URL(target.server).protocol === "http:") return new HttpAgent({ keepAlive: true });
  return new HttpsAgent({
    keepAlive: true,
    ca: target.caPem,
    cert: target.clientCertPem,
    key: target.clientKeyPem,
    rejectUnauthorized: target.insecureSkipTLSVerify !== true,
  });
}

function fingerprintOf(target: ForwardTarget): string {
  const identity = [
    target.server,
    target.caPem ?? "",
    target.clientCertPem ?? "",
    target.clientKeyPem ?? "",
    target.insecureSkipTLSVerify === true ? "insecure" : "verify",
  ];
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex");
}
