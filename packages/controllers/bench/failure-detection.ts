import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { MemberConditions, MemberTaints } from "@atoll/api";
import { percentile, round } from "@atoll/bench-kit";
import { DEFAULT_HEALTH } from "../src/members/health.ts";
import type { SimMember } from "./fleet-processes.ts";
import type { JoinContext } from "./join-latency.ts";
import { conditionStatus, hasTaint, joinedAndReady } from "./member-watch.ts";

/** One outage: times from the member's API going down (or coming back) to what the hub shows, in ms. */
export type FailureRound = {
  /** api-down → Ready=Unknown. */
  unknownMs: number;
  /** api-down → the unreachable NoSchedule taint. */
  noScheduleMs: number;
  /** api-down → the unreachable NoExecute taint. */
  noExecuteMs: number;
  /** api-up → Ready=True. */
  readyMs: number;
  /** api-up → Ready=True with the unreachable taints gone. */
  untaintedMs: number;
};

type Figure = { median: number; max: number };

/** Failure detection of one member, repeated: each figure's median and max over the rounds. */
export type FailureResult = {
  member: string;
  rounds: FailureRound[];
  unknown: Figure;
  noSchedule: Figure;
  noExecute: Figure;
  ready: Figure;
  untainted: Figure;
  errors: string[];
};

/**
 * Takes `member`'s API down through its admin endpoint (what `atoll fault
 * api-down` does; called directly so a CLI start-up is not timed), waits for
 * Ready=Unknown and then the NoExecute taint, brings it back up and waits for
 * Ready=True with the taints gone; `repeats` times in a row. The controllers
 * must run with the default health settings.
 */
export async function measureFailureDetection(
  context: JoinContext,
  member: SimMember,
  repeats: number,
): Promise<FailureResult> {
  const { watch, config } = context;
  const name = member.name;
  const rounds: FailureRound[] = [];
  const errors: string[] = [];
  const unreachable = MemberTaints.unreachable;
  for (let repeat = 1; repeat <= repeats; repeat++) {
    try {
      await watch.until(name, joinedAndReady, config.readyDeadlineMs, "Ready before the outage");
      // Later rounds start right after the probe that ended the previous outage: spread their start
      // over the probe cycle, since detection time depends on how long ago the last success was.
      if (repeat > 1) await sleep(((repeat - 1) / repeats) * DEFAULT_HEALTH.probeIntervalMs);
      const unknown = watch.until(
        name,
        (mc) => conditionStatus(mc, MemberConditions.Ready) === "Unknown",
        config.unknownDeadlineMs,
        "Ready=Unknown",
      );
      const noSchedule = watch.until(
        name,
        (mc) => hasTaint(mc, unreachable, "NoSchedule"),
        config.noExecuteDeadlineMs,
        "tainted NoSchedule",
      );
      const noExecute = watch.until(
        name,
        (mc) => hasTaint(mc, unreachable, "NoExecute"),
        config.noExecuteDeadlineMs,
        "tainted NoExecute",
      );
      for (const waiting of [unknown, noSchedule, noExecute]) waiting.catch(() => undefined);
      const downAt = await setApiDown(member, true);
      const [unknownAt, noScheduleAt, noExecuteAt] = await Promise.all([unknown, noSchedule, noExecute]);
      context.log(`  ${name} outage ${repeat}: Unknown after ${Math.round(unknownAt - downAt)} ms`);
      const ready = watch.until(
        name,
        (mc) => conditionStatus(mc, MemberConditions.Ready) === "True",
        config.recoveryDeadlineMs,
        "Ready again",
      );
      const untainted = watch.until(
        name,
        (mc) =>
          conditionStatus(mc, MemberConditions.Ready) === "True" &&
          !hasTaint(mc, unreachable, "NoSchedule") &&
          !hasTaint(mc, unreachable, "NoExecute"),
        config.recoveryDeadlineMs,
        "Ready and untainted",
      );
      for (const waiting of [ready, untainted]) waiting.catch(() => undefined);
      const upAt = await setApiDown(member, false);
      const [readyAt, untaintedAt] = await Promise.all([ready, untainted]);
      rounds.push({
        unknownMs: round(unknownAt - downAt),
        noScheduleMs: round(noScheduleAt - downAt),
        noExecuteMs: round(noExecuteAt - downAt),
        readyMs: round(readyAt - upAt),
        untaintedMs: round(untaintedAt - upAt),
      });
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
      await setApiDown(member, false).catch(() => undefined);
    }
  }
  const figure = (pick: (r: FailureRound) => number): Figure => {
    const values = rounds.map(pick);
    return { median: percentile(values, 50), max: values.length ? Math.max(...values) : Number.NaN };
  };
  return {
    member: name,
    rounds,
    unknown: figure((r) => r.unknownMs),
    noSchedule: figure((r) => r.noScheduleMs),
    noExecute: figure((r) => r.noExecuteMs),
    ready: figure((r) => r.readyMs),
    untainted: figure((r) => r.untaintedMs),
    errors,
  };
}

/** Flips the member's API fault through its admin endpoint; resolves with the time the fault took effect. */
async function setApiDown(member: SimMember, down: boolean): Promise<number> {
  const admin = JSON.parse(await readFile(join(member.dir, "admin.json"), "utf8")) as {
    url: string;
    token: string;
  };
  const response = await fetch(`${admin.url}/faults/api`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
    body: JSON.stringify({ down }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`api-${down ? "down" : "up"} on ${member.name}: ${response.status} ${text}`);
  return performance.now();
}
