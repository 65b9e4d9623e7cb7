import { writeFile } from "node:fs/promises";
import type { ProxyOverheadResult } from "./proxy-overhead.ts";
import type { WithdrawalResult } from "./withdrawal.ts";

/** What `results-latest.json` holds. */
export type NetworkReport = {
  startedAt: string;
  durationMs: number;
  machine: { cores: number; loadAverage: number; node: string; setprivPdeathsig: boolean };
  options: Record<string, string | number>;
  proxy?: ProxyOverheadResult;
  withdrawal: WithdrawalResult[];
  errors: string[];
};

export async function writeReport(path: string, report: NetworkReport): Promise<void> {
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** The report as a short table for the terminal. */
export function formatTable(report: NetworkReport): string {
  const lines = [
    "",
    `network benchmark — one run on ${report.machine.cores} cores (load ${report.machine.loadAverage}): compare ratios, not absolute figures`,
  ];
  const proxy = report.proxy;
  if (proxy) {
    const { bulk, latency, proxyCpu } = proxy;
    lines.push(
      "",
      "userspace proxy (k8s-1's process) vs direct to the pod; client and pod servers in two other processes",
      row("", "direct", "via cluster IP", "proxied/direct"),
      row(
        `bulk ${bulk.mib} MiB, MiB/s (median of ${bulk.runs})`,
        bulk.directMedianMiBps,
        bulk.proxiedMedianMiBps,
        bulk.ratio,
      ),
      row(
        `connect+ping p50 ms (${latency.connections} each)`,
        latency.directMs.p50,
        latency.proxiedMs.p50,
        latency.ratioP50,
      ),
      row("connect+ping p99 ms", latency.directMs.p99, latency.proxiedMs.p99, latency.ratioP99),
      row("connect+ping max ms", latency.directMs.max, latency.proxiedMs.max, ""),
      `proxy CPU beyond idle (${proxyCpu.idleMsPerSecond} ms/s): ${proxyCpu.msPerConnection} ms per connection, ${proxyCpu.msPerMiB} ms per MiB; failed connections: ${latency.failures}`,
    );
  }
  if (report.withdrawal.length > 0) {
    lines.push(
      "",
      "global Service: k8s-3's endpoint leaves k8s-1's Service (polled with real connections to k8s-1's cluster IP)",
      row("cause", "last reached p50", "gone by p50", "gone by max", "back p50 (runs)"),
    );
    for (const w of report.withdrawal) {
      const cause = w.cause === "pod-unready" ? "pod Ready=False" : "API down (default detection)";
      lines.push(
        row(
          cause,
          w.lastReachedMs.p50,
          w.withdrawnMs.p50,
          w.withdrawnMs.max,
          `${w.backMs.p50} (${w.runs.length})`,
        ),
      );
    }
    lines.push(
      "ms from the cause being sent; the withdrawal falls between the last connection reaching k8s-3 and the third in a row to miss it",
    );
  }
  for (const error of report.errors) lines.push(`error: ${error}`);
  return `${lines.join("\n")}\n`;
}

function row(label: string, ...cells: Array<string | number>): string {
  return `${label.padEnd(40)}${cells.map((c) => String(c).padStart(18)).join("")}`;
}
