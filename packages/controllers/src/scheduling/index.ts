import type { PropagationContext } from "../propagation/context.ts";
import {
  GracefulEvictionController,
  type GracefulEvictionControllerOptions,
} from "./graceful-eviction-controller.ts";
import { SchedulingController, type SchedulingControllerOptions } from "./scheduling-controller.ts";
import { TaintManager, type TaintManagerOptions } from "./taint-manager.ts";

export { EvictionLimiter, type EvictionLimiterOptions } from "./eviction-limiter.ts";
export { type FleetHealth, fleetHealth } from "./fleet-disruption.ts";
export {
  assessEvictionTasks,
  replacementsReady,
  type TaskAssessment,
  type TaskEnd,
} from "./graceful-eviction.ts";
export { schedulingView } from "./member-changes.ts";
export { scheduleInputOf } from "./schedule-input.ts";
export { TAINT_EVICTION } from "./taint-eviction.ts";
export type { TaintManagerState } from "./taint-manager.ts";
export {
  GracefulEvictionController,
  type GracefulEvictionControllerOptions,
  SchedulingController,
  type SchedulingControllerOptions,
  TaintManager,
  type TaintManagerOptions,
};

export type SchedulingOptions = {
  scheduler?: SchedulingControllerOptions;
  taintManager?: TaintManagerOptions;
  gracefulEviction?: GracefulEvictionControllerOptions;
};

/**
 * The scheduling stage as plain runnables, for a manager to start and stop:
 * the scheduler, the taint manager and the graceful eviction controller.
 * Each is watching as soon as it is built; stop() ends its queue and timers.
 */
export function schedulingRunnables(
  context: PropagationContext,
  options: SchedulingOptions = {},
): [SchedulingController, TaintManager, GracefulEvictionController] {
  return [
    new SchedulingController(context, options.scheduler),
    new TaintManager(context, options.taintManager),
    new GracefulEvictionController(context, options.gracefulEviction),
  ];
}
