export * from "./child-processes.ts";
export * from "./process-usage.ts";
export * from "./session.ts";
export * from "./stats.ts";
