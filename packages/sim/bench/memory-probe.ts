// Preloaded into the member process (`node --expose-gc --import memory-probe.ts …`):
// answers the benchmark's IPC requests with process.memoryUsage(), after a full
// GC when asked, so heap figures are live data rather than garbage. It exists
// only in benchmark runs and adds nothing the member itself would do.
import { getHeapStatistics } from "node:v8";

type ProbeRequest = { type: "memory"; gc: boolean; id: number };

/** What the probe sends back; sizes in bytes. */
export type ProbeReply = {
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

function isRequest(value: unknown): value is ProbeRequest {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === "memory";
}

const collect = (globalThis as { gc?: () => void }).gc;

if (process.send) {
  process.on("message", (message: unknown) => {
    if (!isRequest(message)) return;
    // Two passes: the first can leave weakly held objects and finalizers for the second.
    if (message.gc && collect) {
      collect();
      collect();
    }
    const usage = process.memoryUsage();
    const reply: ProbeReply = {
      id: message.id,
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      heapTotal: usage.heapTotal,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      mallocedMemory: getHeapStatistics().malloced_memory,
      gcRan: message.gc && collect !== undefined,
    };
    process.send?.(reply);
  });
  // The IPC channel must not keep a member process alive that is otherwise done.
  process.channel?.unref();
}
