export * from "./process-usage.ts";
export * from "./stats.ts";
