export * from "./client.ts";
export * from "./clock.ts";
export * from "./controller.ts";
export * from "./errors.ts";
export * from "./http-client.ts";
export * from "./informer.ts";
export * from "./object.ts";
export * from "./quantity.ts";
