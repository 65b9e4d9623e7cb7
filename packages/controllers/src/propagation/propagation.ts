import type { Runnable } from "@atoll/kube";
import { BindingController, type BindingControllerOptions } from "../binding/index.ts";
import { DetectorController, type DetectorOptions } from "../detector/index.ts";
import { ExecutionController, type ExecutionControllerOptions } from "../execution/index.ts";
import { type SchedulingOptions, schedulingRunnables } from "../scheduling/index.ts";
import type { PropagationContext } from "./context.ts";

/** Settings of each propagation stage; every field is optional. */
export type PropagationOptions = {
  detector?: DetectorOptions;
  scheduling?: SchedulingOptions;
  binding?: BindingControllerOptions;
  execution?: ExecutionControllerOptions;
};

/**
 * Every propagation stage over one shared context, in pipeline order:
 * detector (templates + policies → bindings), scheduling (bindings → members,
 * failover), binding (bindings → Works, status back), execution (Works →
 * members). Each watches as soon as it is built.
 */
export function propagationRunnables(
  context: PropagationContext,
  options: PropagationOptions = {},
): Runnable[] {
  return [
    new DetectorController(context, options.detector),
    ...schedulingRunnables(context, options.scheduling),
    new BindingController(context, options.binding),
    new ExecutionController(context, options.execution),
  ];
}
