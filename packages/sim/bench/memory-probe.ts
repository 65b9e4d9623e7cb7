// Preloaded into the member process (`node --expose-gc --import memory-probe.ts …`):
// answers the benchmark's IPC requests with process.memoryUsage() (after a full
// GC when asked, so heap figures are live data rather than garbage) and with the
// event loop's delay since the last ask. It exists only in benchmark runs.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

/** What the benchmark asks over IPC. */
export type ProbeRequest = { id: number; type: "memory"; gc: boolean } | { id: number; type: "loop-delay" };

/** The member's memory; sizes in bytes. */
export type MemoryReply = {
  id: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** V8's malloced memory (compiled code, parser zones …), outside the JS heap. */
  mallocedMemory: number;
  gcRan: boolean;
};

/**
 * How late the member's event loop ran timers since the previous `loop-delay`
 * ask, in ms: how long a request from outside (kubectl, a watch) can wait.
 */
export type LoopDelayReply = { id: number; p50Ms: number; p99Ms: number; maxMs: number };

const RESOLUTION_MS = 10;
const collect = (globalThis as { gc?: () => void }).gc;

function isRequest(value: unknown): value is ProbeRequest {
  const type = (value as { type?: unknown } | null)?.type;
  return type === "memory" || type === "loop-delay";
}

function memory(id: number, gc: boolean): MemoryReply {
  // Two passes: the first can leave weakly held objects and finalizers for the second.
  if (gc && collect) {
    collect();
    collect();
  }
  const usage = process.memoryUsage();
  return {
    id,
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    mallocedMemory: getHeapStatistics().malloced_memory,
    gcRan: gc && collect !== undefined,
  };
}

if (process.send) {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  process.on("message", (message: unknown) => {
    if (!isRequest(message)) return;
    if (message.type === "memory") {
      process.send?.(memory(message.id, message.gc));
      return;
    }
    // The histogram counts the sampling resolution into every figure; take it out.
    const over = (ns: number) => Math.max(0, Math.round((ms(ns) - RESOLUTION_MS) * 10) / 10);
    const reply: LoopDelayReply = {
      id: message.id,
      p50Ms: over(delay.percentile(50)),
      p99Ms: over(delay.percentile(99)),
      maxMs: over(delay.max),
    };
    delay.reset();
    process.send?.(reply);
  });
  // The IPC channel must not keep a member process alive that is otherwise done.
  process.channel?.unref();
}
