import type { Clock } from "@atoll/kube";
import type { Backend } from "./endpoint-source.ts";

export type PickRequest = {
  /** Identifies the Service port: round-robin and affinity are per Service port. */
  portKey: string;
  backends: Backend[];
  clientIp: string;
  /** ClientIP session affinity: how long a client sticks to its backend after its last connection. */
  affinitySeconds?: number;
  /** Backends already tried for this connection. */
  exclude?: ReadonlySet<string>;
};

/**
 * Chooses a backend per connection: round-robin over the current backends
 * (as IPVS's default scheduler), or, with ClientIP affinity, the backend the
 * client last used while it is still a backend and the session has not
 * expired (as kube-proxy's `recent` match).
 */
export class BackendPicker {
  #clock: Clock;
  #cursor = new Map<string, number>();
  #sessions = new Map<string, { backend: string; lastUsed: number }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  pick(request: PickRequest): Backend | undefined {
    const exclude = request.exclude ?? new Set<string>();
    const candidates = request.backends.filter((b) => !exclude.has(backendKey(b)));
    if (candidates.length === 0) return undefined;
    const now = this.#clock.now().getTime();
    const sessionKey = `${request.portKey}|${request.clientIp}`;
    if (request.affinitySeconds !== undefined) {
      const session = this.#sessions.get(sessionKey);
      const live = session && now - session.lastUsed <= request.affinitySeconds * 1000;
      const sticky = live ? candidates.find((b) => backendKey(b) === session.backend) : undefined;
      if (sticky && session) {
        session.lastUsed = now;
        return sticky;
      }
    }
    const cursor = this.#cursor.get(request.portKey) ?? 0;
    const chosen = candidates[cursor % candidates.length];
    this.#cursor.set(request.portKey, (cursor + 1) % Number.MAX_SAFE_INTEGER);
    if (request.affinitySeconds !== undefined) {
      this.#sessions.set(sessionKey, { backend: backendKey(chosen), lastUsed: now });
    }
    return chosen;
  }

  /** Drops the round-robin position and sessions of Service ports no longer proxied. */
  retain(portKeys: ReadonlySet<string>): void {
    for (const key of this.#cursor.keys()) if (!portKeys.has(key)) this.#cursor.delete(key);
    for (const key of this.#sessions.keys())
      if (!portKeys.has(key.slice(0, key.lastIndexOf("|")))) this.#sessions.delete(key);
  }
}

export function backendKey(backend: Backend): string {
  return `${backend.ip}:${backend.port}`;
}
