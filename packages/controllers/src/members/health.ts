import type { MemberConnection } from "./connection.ts";

/** Health-probing settings; the defaults are the issue's: probe every 2 s, Unknown after 10 s, NoExecute after 30 s. */
export type HealthSettings = {
  probeIntervalMs: number;
  /** Without a successful probe for this long, Ready becomes Unknown. */
  unknownAfterMs: number;
  /** A NotReady/Unreachable member gets the NoExecute taint after this long. */
  evictionTimeoutMs: number;
  /** Each probe's own timeout. */
  probeTimeoutMs: number;
};

export const DEFAULT_HEALTH: HealthSettings = {
  probeIntervalMs: 2000,
  unknownAfterMs: 10_000,
  evictionTimeoutMs: 30_000,
  probeTimeoutMs: 1500,
};

/** What probes have seen of a member's API server. */
export type HealthRecord = {
  lastProbe?: number;
  lastSuccess?: number;
  /** The last answer: ok, an HTTP failure (reachable but not ready), or a network error. */
  last?: { ok: true } | { ok: false; reachable: boolean; message: string };
  latencyMs?: number;
  /** When probing started (the grace period counts from here before any success). */
  since: number;
};

export type ReadyState = { status: "True" | "False" | "Unknown"; reason: string; message: string };

/** The Ready condition a health record implies at `now`. */
export function readyState(record: HealthRecord, now: number, settings: HealthSettings): ReadyState {
  const last = record.last;
  const silentFor = now - (record.lastSuccess ?? record.since);
  if (silentFor >= settings.unknownAfterMs && !(last?.ok === false && last.reachable)) {
    const detail = last && !last.ok ? `: ${last.message}` : "";
    return {
      status: "Unknown",
      reason: "ClusterUnreachable",
      message: `no successful health probe for ${Math.round(silentFor / 1000)}s${detail}`,
    };
  }
  if (last?.ok === false && last.reachable) {
    return { status: "False", reason: "ClusterNotReady", message: last.message };
  }
  if (record.lastSuccess !== undefined) {
    return { status: "True", reason: "ClusterReady", message: "the member's API server answers /readyz" };
  }
  return { status: "Unknown", reason: "Probing", message: "waiting for the first health probe" };
}

/**
 * One probe of a member: `/readyz`, falling back to `/healthz` when the
 * server has no readyz endpoint (404). Never throws.
 */
export async function probeMember(
  connection: MemberConnection,
  timeoutMs: number,
): Promise<HealthRecord["last"] & object> {
  try {
    let answer = await connection.get("/readyz", { timeoutMs });
    if (answer.status === 404) answer = await connection.get("/healthz", { timeoutMs });
    if (answer.status >= 200 && answer.status < 300) return { ok: true };
    return {
      ok: false,
      reachable: true,
      message: `readyz answered ${answer.status}: ${answer.body.trim().slice(0, 200)}`,
    };
  } catch (error) {
    return { ok: false, reachable: false, message: error instanceof Error ? error.message : String(error) };
  }
}
