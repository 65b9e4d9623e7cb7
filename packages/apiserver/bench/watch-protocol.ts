/** What the benchmark passes a watch client process, as one JSON argument. */
export type WatchClientArgs = {
  url: string;
  /** Path and query of the watch, `…/configmaps?watch=true&resourceVersion=RV`. */
  path: string;
  watchers: number;
  /** Events each watcher should receive before it counts as complete. */
  expected: number;
  connectDeadlineMs: number;
};

/** Benchmark → client: the writes are done; report once every watcher is complete or after the deadline. */
export type FinishMessage = { type: "finish"; drainDeadlineMs: number };

export type ReadyMessage = { type: "ready"; opened: number; errors: string[] };

export type ResultMessage = {
  type: "result";
  /** Receive time − send time of every event received, ms. */
  latencies: Float64Array;
  received: number;
  /** Watchers that received all `expected` events. */
  complete: number;
  /** Triples of (send time, first delivery latency, last delivery latency), one per event seen. */
  events: Float64Array;
  /** CPU this client process used, ms. */
  cpuMs: number;
  errors: string[];
};

export type ClientMessage = ReadyMessage | ResultMessage;

/**
 * Wall-clock ms with sub-ms resolution. Every process on the machine derives
 * it from the same system clock, so a time taken in one process can be
 * subtracted from a time taken in another.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
