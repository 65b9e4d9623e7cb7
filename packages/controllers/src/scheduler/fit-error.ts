import type { Attempt } from "./pipeline.ts";
import type { FitError } from "./schedule-types.ts";

/** `2 cluster(s) had …` for Karmada-worded reasons, `1 cluster: cluster is disabled` for the rest. */
function summarize(reason: string, count: number): string {
  if (reason.startsWith("cluster(s)")) return `${count} ${reason}`;
  return `${count} ${count === 1 ? "cluster" : "clusters"}: ${reason}`;
}

/** `0/N clusters are available: <reasons by count>. <why the feasible ones did not do>.` */
function attemptMessage(attempt: Attempt): string {
  const counts = new Map<string, number>();
  for (const fit of attempt.fits) {
    for (const reason of fit.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  const histogram = [...counts].map(([reason, n]) => summarize(reason, n)).sort();
  const parts = [histogram.join(", "), attempt.failure?.message].filter((p) => p);
  const head = `0/${attempt.fits.length} clusters are available`;
  return parts.length === 0 ? `${head}.` : `${head}: ${parts.map((p) => `${p}.`).join(" ")}`;
}

/** Why each member of one attempt was not used. */
function memberReasons(attempt: Attempt, name: string): string[] {
  const fit = attempt.fits.find((f) => f.name === name);
  if (fit && fit.reasons.length > 0) return fit.reasons;
  const passed = attempt.passedOver.get(name);
  if (passed) return [passed];
  return [`passed the filters, but ${attempt.failure?.message ?? "was not used"}`];
}

/**
 * The fit error for attempts that all failed: the last attempt's reason, a
 * Karmada-style summary, and each member's reasons. With several
 * `clusterAffinities` groups tried, each part is prefixed with its group.
 */
export function fitError(attempts: readonly Attempt[]): FitError {
  const last = attempts[attempts.length - 1];
  const several = attempts.length > 1;
  const label = (a: Attempt) => (several ? `affinity "${a.affinityName}": ` : "");
  const members = last.fits.map((fit) => ({
    name: fit.name,
    reasons: attempts.flatMap((a) =>
      memberReasons(a, fit.name).map((r) => (several ? `[${a.affinityName}] ${r}` : r)),
    ),
  }));
  const error: FitError = {
    reason: last.failure?.reason ?? "NoFeasibleCluster",
    message: attempts.map((a) => `${label(a)}${attemptMessage(a)}`).join(" "),
    members,
  };
  if (last.affinityName !== undefined) error.affinityName = last.affinityName;
  return error;
}

/** The summary, then one `member: reason; reason` line per member, for logs and the CLI. */
export function describeFitError(error: FitError): string {
  return [error.message, ...error.members.map((m) => `${m.name}: ${m.reasons.join("; ")}`)].join("\n");
}
