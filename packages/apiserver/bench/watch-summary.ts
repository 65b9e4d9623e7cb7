import { type Summary as LatencySummary, median, summarize } from "@atoll/bench-kit";
import type { BenchConfig, WatchRun } from "./config.ts";
import type { Writes } from "./watch-latency.ts";
import type { ReadyMessage, ResultMessage } from "./watch-protocol.ts";

export type WatchResult = {
  /** The rate asked for; `writeRate` is the one achieved. */
  writesPerSecond: number;
  watchers: number;
  opened: number;
  writes: number;
  writeErrors: number;
  /** Rate the writes were actually issued at, per second. */
  writeRate: number;
  /** Send to reply of the writes, ms: how much of the delivery latency is the write itself. */
  writeLatency: LatencySummary;
  /** See `Writes.writerLoopDelayMaxMs`. */
  writerLoopDelayMaxMs: number;
  expectedDeliveries: number;
  delivered: number;
  completeWatchers: number;
  /** Receive time − send time per watcher per event, ms. */
  latency: LatencySummary;
  /**
   * Per event, the latency of its first delivery to any watcher (write and
   * dispatch) and of its last (after fanning out to all), ms.
   */
  firstDelivery: LatencySummary;
  lastDelivery: LatencySummary;
  /** Median last-delivery latency of the first and the last quarter of the events; a rise means a backlog. */
  lastDeliveryTrend: { firstQuarterP50: number; lastQuarterP50: number };
  /** CPU the watch client processes used, ms. */
  clientCpuMs: number;
  errors: string[];
};

export type WatchSummaryInput = {
  config: BenchConfig;
  run: WatchRun;
  ready: ReadyMessage[];
  results: ResultMessage[];
  writes: Writes;
};

export function summarizeWatch({ config, run, ready, results, writes }: WatchSummaryInput): WatchResult {
  const opened = ready.reduce((sum, r) => sum + r.opened, 0);
  const events = mergeEvents(results);
  const lasts = events.map((e) => e.last);
  const quarter = Math.max(1, Math.floor(events.length / 4));
  const errors = [...ready.flatMap((r) => r.errors), ...results.flatMap((r) => r.errors)];
  if (writes.firstError) errors.unshift(`write: ${writes.firstError}`);
  return {
    writesPerSecond: run.writesPerSecond,
    watchers: config.watchers,
    opened,
    writes: writes.done,
    writeErrors: writes.failed,
    writeRate: writes.rate,
    writeLatency: summarize(writes.latencies),
    writerLoopDelayMaxMs: writes.writerLoopDelayMaxMs,
    expectedDeliveries: opened * writes.done,
    delivered: results.reduce((sum, r) => sum + r.received, 0),
    completeWatchers: results.reduce((sum, r) => sum + r.complete, 0),
    latency: summarize(concat(results.map((r) => r.latencies))),
    firstDelivery: summarize(events.map((e) => e.first)),
    lastDelivery: summarize(lasts),
    lastDeliveryTrend: {
      firstQuarterP50: median(lasts.slice(0, quarter)),
      lastQuarterP50: median(lasts.slice(-quarter)),
    },
    clientCpuMs: results.reduce((sum, r) => sum + r.cpuMs, 0),
    errors: errors.slice(0, 10),
  };
}

type EventDeliveries = { sentAt: number; first: number; last: number };

/** Each event's first and last delivery over all client processes, in send order. */
function mergeEvents(results: ResultMessage[]): EventDeliveries[] {
  const bySentAt = new Map<number, EventDeliveries>();
  for (const { events } of results) {
    for (let i = 0; i + 2 < events.length; i += 3) {
      const [sentAt, first, last] = [events[i], events[i + 1], events[i + 2]];
      const seen = bySentAt.get(sentAt);
      if (!seen) bySentAt.set(sentAt, { sentAt, first, last });
      else {
        seen.first = Math.min(seen.first, first);
        seen.last = Math.max(seen.last, last);
      }
    }
  }
  return [...bySentAt.values()].sort((a, b) => a.sentAt - b.sentAt);
}

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((sum, a) => sum + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
