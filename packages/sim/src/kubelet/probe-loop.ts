import type { ProbeOutcome } from "./container-runner.ts";

export type ProbeSpec = {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
};

/**
 * Runs a probe on Kubernetes' schedule (initial delay, period, success and
 * failure thresholds) and reports each change of the result.
 */
export function startProbeLoop(
  spec: ProbeSpec,
  run: (timeoutMs: number) => Promise<ProbeOutcome>,
  onChange: (healthy: boolean, message: string) => void,
  initial: boolean,
): { stop(): void } {
  const period = (spec.periodSeconds ?? 10) * 1000;
  const timeout = (spec.timeoutSeconds ?? 1) * 1000;
  const successThreshold = spec.successThreshold ?? 1;
  const failureThreshold = spec.failureThreshold ?? 3;
  let healthy = initial;
  let successes = 0;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    let outcome: ProbeOutcome;
    try {
      outcome = await run(timeout);
    } catch (error) {
      outcome = { success: false, message: error instanceof Error ? error.message : String(error) };
    }
    if (stopped) return;
    if (outcome.success) {
      failures = 0;
      successes++;
      if (!healthy && successes >= successThreshold) {
        healthy = true;
        onChange(true, outcome.message);
      }
    } else {
      successes = 0;
      failures++;
      if (healthy && failures >= failureThreshold) {
        healthy = false;
        onChange(false, outcome.message);
      } else if (!healthy && failures === 1) {
        onChange(false, outcome.message);
      }
    }
    timer = setTimeout(tick, period);
    timer.unref();
  };
  timer = setTimeout(tick, (spec.initialDelaySeconds ?? 0) * 1000);
  timer.unref();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
