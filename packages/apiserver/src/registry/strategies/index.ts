import type { ResourceType } from "../../resources/resource-type.ts";
import type { Strategy } from "../strategy.ts";
import { workloadStrategy } from "./apps.ts";
import { jobStrategy } from "./batch.ts";
import { namespaceStrategy, nodeStrategy, podStrategy, secretStrategy, serviceStrategy } from "./core.ts";

const STRICT_WORKLOAD = workloadStrategy({ selectorImmutable: true, selectorRequired: true });

const BUILTIN: Record<string, Strategy> = {
  "/namespaces": namespaceStrategy,
  "/pods": podStrategy,
  "/services": serviceStrategy,
  "/nodes": nodeStrategy,
  "/secrets": secretStrategy,
  "apps/deployments": STRICT_WORKLOAD,
  "apps/replicasets": STRICT_WORKLOAD,
  "apps/statefulsets": STRICT_WORKLOAD,
  "apps/daemonsets": STRICT_WORKLOAD,
  "batch/jobs": jobStrategy,
};

const DEFAULT: Strategy = {};

/** The strategy of a built-in resource (the default for anything else). */
export function builtinStrategy(type: Pick<ResourceType, "group" | "plural">): Strategy {
  return BUILTIN[`${type.group}/${type.plural}`] ?? DEFAULT;
}
