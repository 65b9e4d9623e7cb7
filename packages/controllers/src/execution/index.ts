export { ExecutionController, type ExecutionControllerOptions } from "./execution-controller.ts";
export { resourceHealth } from "./health.ts";
export { containsManifest } from "./manifest-subset.ts";
export { type NotDispatchedReason, NotDispatchedReasons } from "./member-gate.ts";
export { AvailableReasons } from "./work-status.ts";
