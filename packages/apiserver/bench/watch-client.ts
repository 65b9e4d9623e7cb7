// A watch client process: opens `watchers` watches, records each event's
// delivery latency, and reports to the benchmark over IPC. Run by watch-latency.ts.
import type { Readable } from "node:stream";
import { Pool } from "undici";
import { SENT_AT_ANNOTATION } from "./fixtures.ts";
import {
  type ClientMessage,
  type FinishMessage,
  type WatchClientArgs,
  wallClockMs,
} from "./watch-protocol.ts";

const MARKER = `"${SENT_AT_ANNOTATION}":"`;
const MAX_ERRORS = 10;

type Tally = {
  latencies: Float64Array;
  count: number;
  complete: number;
  /** Per event (keyed by its send time): the latency of its first and last delivery here. */
  events: Map<number, { first: number; last: number }>;
  errors: string[];
};

async function main(args: WatchClientArgs): Promise<void> {
  // The benchmark went away without asking for results: nothing left to report to.
  const orphaned = () => process.exit(1);
  process.once("disconnect", orphaned);
  const pool = new Pool(args.url, {
    connections: args.watchers,
    pipelining: 1,
    bodyTimeout: 0,
    headersTimeout: 0,
  });
  const tally: Tally = {
    latencies: new Float64Array(args.watchers * args.expected),
    count: 0,
    complete: 0,
    events: new Map(),
    errors: [],
  };
  const bodies: Readable[] = [];
  const opening = Array.from({ length: args.watchers }, () =>
    openWatch(pool, args, tally).then((body) => bodies.push(body)),
  );
  const settled = await settleWithin(opening, args.connectDeadlineMs);
  for (const result of settled) if (result.status === "rejected") note(tally, result.reason);
  await report({ type: "ready", opened: bodies.length, errors: tally.errors });
  const finish = await new Promise<FinishMessage>((resolve) => process.once("message", resolve));
  await waitUntil(() => tally.complete === bodies.length, finish.drainDeadlineMs);
  await report({
    type: "result",
    latencies: tally.latencies.subarray(0, tally.count),
    received: tally.count,
    complete: tally.complete,
    events: Float64Array.from(
      [...tally.events].flatMap(([sentAt, { first, last }]) => [sentAt, first, last]),
    ),
    cpuMs: cpuMs(),
    errors: tally.errors,
  });
  for (const body of bodies) body.destroy();
  await pool.destroy();
  process.off("disconnect", orphaned);
  process.disconnect?.();
}

function report(message: ClientMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send?.(message, undefined, undefined, (error) => (error ? reject(error) : resolve())),
  );
}

/** Resolves once the server has answered the watch with 200; events are then tallied as they arrive. */
async function openWatch(pool: Pool, args: WatchClientArgs, tally: Tally): Promise<Readable> {
  const response = await pool.request({ method: "GET", path: args.path });
  if (response.statusCode !== 200) {
    const text = await response.body.text();
    throw new Error(`watch ${args.path}: HTTP ${response.statusCode} ${text.slice(0, 200)}`);
  }
  const body = response.body;
  let received = 0;
  let partial = "";
  body.setEncoding("utf8");
  body.on("data", (chunk: string) => {
    const now = wallClockMs();
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      const sentAt = sentAtOf(line);
      if (sentAt === undefined) continue;
      record(tally, sentAt, now - sentAt);
      if (++received === args.expected) tally.complete++;
    }
  });
  body.on("error", (error) => note(tally, error));
  body.on("end", () => {
    if (received < args.expected)
      note(tally, new Error(`watch ended after ${received} of ${args.expected} events`));
  });
  return body;
}

function record(tally: Tally, sentAt: number, latency: number): void {
  if (tally.count < tally.latencies.length) tally.latencies[tally.count++] = latency;
  const event = tally.events.get(sentAt);
  if (!event) tally.events.set(sentAt, { first: latency, last: latency });
  else event.last = Math.max(event.last, latency);
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The send time in an event line; found by search, not JSON.parse, so the client spends little CPU per event. */
function sentAtOf(line: string): number | undefined {
  const at = line.indexOf(MARKER);
  if (at < 0) return undefined;
  const start = at + MARKER.length;
  return Number(line.slice(start, line.indexOf('"', start)));
}

function note(tally: Tally, error: unknown): void {
  if (tally.errors.length < MAX_ERRORS)
    tally.errors.push(error instanceof Error ? error.message : String(error));
}

async function settleWithin<T>(promises: Promise<T>[], ms: number): Promise<PromiseSettledResult<T>[]> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`not open after ${ms} ms`)), ms).unref(),
  );
  return Promise.allSettled(promises.map((p) => Promise.race([p, timeout])));
}

async function waitUntil(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

await main(JSON.parse(process.argv[2] ?? "{}") as WatchClientArgs);
