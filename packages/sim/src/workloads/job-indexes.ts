import type { KubeObject } from "@atoll/kube";
import { WorkloadAnnotations } from "./well-known.ts";

/** The pod's completion index (its `batch.kubernetes.io/job-completion-index` annotation), or -1. */
export function completionIndexOf(pod: KubeObject): number {
  const raw = pod.metadata.annotations?.[WorkloadAnnotations.jobCompletionIndex];
  if (raw === undefined || !/^\d+$/.test(raw)) return -1;
  const index = Number(raw);
  return Number.isSafeInteger(index) ? index : -1;
}

/** The indexes of a `completedIndexes` string ("1,3-5") below `completions`. */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const indexes = new Set<number>();
  for (const part of (text ?? "").split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) continue;
    const first = Number(match[1]);
    const last = Math.min(match[2] === undefined ? first : Number(match[2]), completions - 1);
    for (let i = first; i <= last; i++) indexes.add(i);
  }
  return indexes;
}

/** Sorted indexes as Kubernetes writes `completedIndexes`: ranges of consecutive ones, `1,3-5`. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The lowest `count` indexes below `completions` that have neither succeeded nor an active pod. */
export function firstPendingIndexes(
  activePods: KubeObject[],
  succeeded: Set<number>,
  count: number,
  completions: number,
): number[] {
  const taken = new Set([...succeeded, ...activePods.map(completionIndexOf)]);
  const pending: number[] = [];
  for (let i = 0; i < completions && pending.length < count; i++) if (!taken.has(i)) pending.push(i);
  return pending;
}
