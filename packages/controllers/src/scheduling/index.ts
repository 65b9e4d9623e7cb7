export { SchedulingController, type SchedulingControllerOptions } from "./scheduling-controller.ts";
