import { MiB, median } from "@atoll/bench-kit";
import { TARGETS } from "./config.ts";
import type { MemberRunResult } from "./member-run.ts";
import type { MemorySample } from "./pod-ramp.ts";

/** One line of the single-member table: a label, a figure per storage backend, and the target if any. */
export type Row = { label: string; value: (run: MemberRunResult) => number | undefined; target?: string };

/** The single-member table: rollout latency, pods/s, delete rate and memory per pod. */
export function memberRows(runs: MemberRunResult[]): Row[] {
  const replicas = runs.find((r) => r.rollout)?.rollout?.replicas ?? 0;
  const steps = runs.find((r) => r.ramp)?.ramp?.steps.map((s) => s.replicas) ?? [];
  const rows: Row[] = [
    { label: "member start, ms", value: (r) => r.startMs },
    {
      label: `rollout ${replicas} pods (kubectl apply → all Ready), median ms`,
      value: (r) => r.rollout?.readyMs.p50,
      target: `≤ ${TARGETS.rolloutP50Ms}`,
    },
    { label: "  max ms", value: (r) => r.rollout?.readyMs.max },
    { label: "  max / median", value: (r) => ratio(r.rollout?.readyMs.max, r.rollout?.readyMs.p50) },
    { label: "  kubectl apply itself, median ms", value: (r) => med(r.rollout?.runs.map((x) => x.applyMs)) },
    {
      label: "  apply → first pod seen, median ms",
      value: (r) => med(r.rollout?.runs.map((x) => x.firstPodMs)),
    },
    {
      label: "  one pod seen → Ready, p50 ms (median run)",
      value: (r) => med(r.rollout?.runs.map((x) => x.podReadyP50Ms)),
    },
    {
      label: "  one pod seen → Ready, max ms (median run)",
      value: (r) => med(r.rollout?.runs.map((x) => x.podReadyMaxMs)),
    },
    {
      label: "  member event-loop stall, longest, median run ms",
      value: (r) => med(r.rollout?.runs.map((x) => x.loopDelayMaxMs)),
    },
    {
      label: `delete ${replicas} pods (kubectl delete → all gone), median ms`,
      value: (r) => r.rollout?.deleteMs.p50,
    },
  ];
  let from = 0;
  steps.forEach((to, i) => {
    const step = (r: MemberRunResult) => r.ramp?.steps[i];
    rows.push(
      { label: `ramp ${from} → ${to}: Ready pods/s, overall`, value: (r) => step(r)?.ready.podsPerSecond },
      {
        label: "  middle 80 % of pods as the watch saw them, pods/s",
        value: (r) => step(r)?.ready.sustainedPodsPerSecond,
      },
      { label: "  best 1 s window, pods/s", value: (r) => step(r)?.ready.peakPodsPerSecond },
      { label: "  one pod seen → Ready, p50 ms", value: (r) => step(r)?.podReadyP50Ms },
      { label: "  one pod seen → Ready, p99 ms", value: (r) => step(r)?.podReadyP99Ms },
      { label: "  member CPU per pod, ms", value: (r) => step(r)?.memberCpuMsPerPod },
      { label: "  member event-loop stall, longest ms", value: (r) => step(r)?.loopDelay.maxMs },
    );
    from = to;
  });
  rows.push(
    { label: `delete ${from} pods: pods gone/s, overall`, value: (r) => r.ramp?.deleted.podsPerSecond },
    { label: "  middle 80 % of pods, pods/s", value: (r) => r.ramp?.deleted.sustainedPodsPerSecond },
    { label: "  member event-loop stall, longest ms", value: (r) => r.ramp?.deleteLoopDelay.maxMs },
  );
  rows.push(...memoryRows(steps));
  return rows;
}

function memoryRows(steps: number[]): Row[] {
  const at = (r: MemberRunResult, i: number): MemorySample | undefined => r.ramp?.memory[i];
  const rows: Row[] = [
    { label: "member RSS with no pods (after GC), MiB", value: (r) => mib(at(r, 0)?.rss) },
    { label: "  JS heap used, MiB", value: (r) => mib(at(r, 0)?.heapUsed) },
  ];
  steps.forEach((pods, i) => {
    const prev = (r: MemberRunResult) => at(r, i);
    const cur = (r: MemberRunResult) => at(r, i + 1);
    const added = (r: MemberRunResult) => pods - (prev(r)?.pods ?? 0);
    const per = (r: MemberRunResult, field: "rss" | "heapUsed" | "external") => {
      const a = prev(r)?.[field];
      const b = cur(r)?.[field];
      return a === undefined || b === undefined ? undefined : Math.round((b - a) / added(r));
    };
    rows.push(
      { label: `member RSS with ${pods} Ready pods, MiB`, value: (r) => mib(cur(r)?.rss) },
      { label: `  RSS per pod added (${steps[i - 1] ?? 0} → ${pods}), bytes`, value: (r) => per(r, "rss") },
      { label: "  JS heap per pod added, bytes", value: (r) => per(r, "heapUsed") },
      { label: "  external per pod added, bytes", value: (r) => per(r, "external") },
      {
        label: "  events stored per pod",
        value: (r) => {
          const e = cur(r)?.events;
          return e === undefined ? undefined : Math.round((e / pods) * 10) / 10;
        },
      },
    );
  });
  const last = steps.length + 1;
  rows.push({
    label: "after deleting every pod: heap above no-pods, MiB",
    value: (r) => {
      const a = at(r, 0)?.heapUsed;
      const b = at(r, last)?.heapUsed;
      return a === undefined || b === undefined ? undefined : mib(b - a);
    },
  });
  return rows;
}

function med(values: number[] | undefined): number | undefined {
  return values?.length ? median(values) : undefined;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : Math.round((a / b) * 100) / 100;
}

function mib(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : Math.round((bytes / MiB) * 10) / 10;
}
