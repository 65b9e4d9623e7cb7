import { type BenchConfig, TARGETS } from "./config.ts";
import type { BackendResult } from "./report.ts";
import type { WatchResult } from "./watch-summary.ts";

/** One line of the table: a label, one cell per backend, and the target it is held to. */
export type Row = { label: string; cell: (r: BackendResult) => string; target: string };

/** The table's rows; the watch rows repeat for each of `config.watchRuns`. */
export function tableRows(config: BenchConfig): Row[] {
  return [
    {
      label: "creates/s (ConfigMap POST)",
      cell: (r) =>
        r.backend === "etcd"
          ? count(r.throughput?.creates.perSecond)
          : atLeast(r.throughput?.creates.perSecond, TARGETS.createsPerSecond[r.backend]),
      target: `>= ${count(TARGETS.createsPerSecond.memory)} memory, >= ${count(TARGETS.createsPerSecond.sqlite)} sqlite`,
    },
    { label: "updates/s (ConfigMap PUT)", cell: (r) => count(r.throughput?.updates.perSecond), target: "" },
    { label: "gets/s (ConfigMap GET)", cell: (r) => count(r.throughput?.gets.perSecond), target: "" },
    {
      label: `pod creates/s (seeding ${count(config.listPods)})`,
      cell: (r) => count(r.lists?.seed.perSecond),
      target: "",
    },
    {
      label: "list 10k pods p50 ms",
      cell: (r) => atMost(r.lists?.fullList.p50, TARGETS.list10kP99Ms),
      target: "",
    },
    {
      label: "list 10k pods p99 ms",
      cell: (r) => atMost(r.lists?.fullList.p99, TARGETS.list10kP99Ms),
      target: `<= ${TARGETS.list10kP99Ms}`,
    },
    { label: `paged list (limit=${config.pageLimit}) ms`, cell: (r) => ms(r.lists?.pagedListMs), target: "" },
    ...config.watchRuns.flatMap((_, i) => watchRows(config, i)),
    {
      label: "server cores busy, per phase",
      cell: (r) => r.phases.map((p) => p.serverCores?.toFixed(2) ?? "-").join(" / "),
      target: "",
    },
    { label: "server peak RSS MiB", cell: (r) => count(r.serverPeakRssMiB), target: "" },
    { label: "etcd peak RSS MiB", cell: (r) => count(r.storagePeakRssMiB), target: "" },
  ];
}

function watchRows(config: BenchConfig, run: number): Row[] {
  const at = `watch @${config.watchRuns[run].writesPerSecond}/s`;
  const watch = (r: BackendResult): WatchResult | undefined => r.watch[run];
  return [
    { label: `${at} p50 ms`, cell: (r) => ms(watch(r)?.latency.p50), target: "" },
    {
      label: `${at} p99 ms`,
      cell: (r) => atMost(watch(r)?.latency.p99, TARGETS.watchP99Ms),
      target: `<= ${TARGETS.watchP99Ms} at ${count(config.watchers)} watchers`,
    },
    { label: `${at} max ms`, cell: (r) => ms(watch(r)?.latency.max), target: "" },
    {
      label: `${at}: its write's reply p50 / p99 ms`,
      cell: (r) => `${ms(watch(r)?.writeLatency.p50)} / ${ms(watch(r)?.writeLatency.p99)}`,
      target: "",
    },
    { label: `${at} events delivered`, cell: (r) => delivered(watch(r)), target: "all" },
  ];
}

function count(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "-" : Math.round(value).toLocaleString("en-US");
}

function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return "-";
  if (value < 10) return value.toFixed(2);
  return value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString("en-US");
}

function atLeast(value: number | undefined, target: number): string {
  return mark(count(value), value, (v) => v >= target);
}

function atMost(value: number | undefined, target: number): string {
  return mark(ms(value), value, (v) => v <= target);
}

function mark(text: string, value: number | undefined, met: (v: number) => boolean): string {
  if (value === undefined || Number.isNaN(value)) return text;
  return `${text} ${met(value) ? "ok" : "MISS"}`;
}

function delivered(watch: WatchResult | undefined): string {
  if (!watch) return "-";
  return `${watch.delivered.toLocaleString("en-US")}/${watch.expectedDeliveries.toLocaleString("en-US")}`;
}
