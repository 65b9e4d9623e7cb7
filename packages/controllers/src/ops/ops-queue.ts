import type { Cluster } from "@atoll/api";
import { isRecord } from "@atoll/kube";
import { OPS_QUEUE_ANNOTATION } from "./ops-names.ts";

/** One OpsRequest in a Cluster's queue: running, or waiting when `inQueue`. */
export type QueueEntry = { name: string; type: string; inQueue?: boolean };

/**
 * The Cluster's queue, in order: the head is the operation allowed to run.
 * An unreadable annotation reads as empty, so a hand-edited value never
 * wedges the Cluster's operations.
 */
export function parseQueue(cluster: Cluster): QueueEntry[] {
  const text = cluster.metadata.annotations?.[OPS_QUEUE_ANNOTATION];
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter(isRecord)
    .filter((e) => typeof e.name === "string" && e.name !== "")
    .map((e) => ({
      name: String(e.name),
      type: typeof e.type === "string" ? e.type : "",
      ...(e.inQueue === true ? { inQueue: true } : {}),
    }));
}

/** The annotation's new value; null (a merge patch's delete) when the queue is empty. */
export function queueValue(entries: readonly QueueEntry[]): string | null {
  return entries.length ? JSON.stringify(entries) : null;
}

/**
 * `entries` with `name` waiting, unless it is there already: after every
 * running entry and every waiting one created no later (`createdAt` gives an
 * operation's creation time), so operations run in the order they were
 * created, and those created in the same second in the order they arrived.
 */
export function enqueued(
  entries: readonly QueueEntry[],
  entry: { name: string; type: string },
  createdAt: (name: string) => number,
): QueueEntry[] {
  if (entries.some((e) => e.name === entry.name)) return [...entries];
  const at = createdAt(entry.name);
  const later = entries.findIndex((e) => e.inQueue === true && createdAt(e.name) > at);
  const waiting: QueueEntry = { name: entry.name, type: entry.type, inQueue: true };
  if (later < 0) return [...entries, waiting];
  return [...entries.slice(0, later), waiting, ...entries.slice(later)];
}

/** `entries` with `name` marked running. */
export function started(entries: readonly QueueEntry[], name: string): QueueEntry[] {
  return entries.map((e) => (e.name === name ? { name: e.name, type: e.type } : e));
}

/** `entries` without `names`. */
export function without(entries: readonly QueueEntry[], names: readonly string[]): QueueEntry[] {
  return entries.filter((e) => !names.includes(e.name));
}

/** Whether `name` has been started on the Cluster (its change made). */
export function isStarted(entries: readonly QueueEntry[], name: string): boolean {
  return entries.some((e) => e.name === name && e.inQueue !== true);
}
