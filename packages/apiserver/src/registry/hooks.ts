import type { StatusCause } from "../api/errors.ts";
import type { KubeObject } from "../api/object.ts";
import type { ResourceType } from "../resources/resource-type.ts";
import type { ShapeResolver } from "../schema/shape.ts";
import type { Strategy } from "./strategy.ts";

/** Per-type behaviour the generic registry consults: the kind's strategy and schema-driven steps. */
export type TypeHooks = {
  strategy: Strategy;
  /** Fills schema defaults (CRD `default:` values, built-in defaulting). */
  applyDefaults?(object: KubeObject): void;
  /** Schema validation (CRD OpenAPI schema and CEL rules). */
  validateSchema?(object: KubeObject, old: KubeObject | undefined): StatusCause[];
};

export interface TypeHooksProvider {
  hooksFor(type: ResourceType): TypeHooks;
  /** Resolves shape refs of every served type. */
  readonly shapes: ShapeResolver;
}

/**
 * Maintains `metadata.managedFields` on writes. Implemented by the apply
 * package; the registry calls it on every create, update and patch.
 */
export interface FieldManager {
  /** A non-apply write by `manager`: returns `next` with managedFields updated. */
  update(options: {
    type: ResourceType;
    previous: KubeObject | undefined;
    next: KubeObject;
    manager: string;
    subresource?: string;
    now: Date;
  }): KubeObject;
  /** A server-side apply by `manager`: the merged object with managedFields, or a Conflict StatusError. */
  apply(options: {
    type: ResourceType;
    live: KubeObject | undefined;
    applied: KubeObject;
    manager: string;
    force: boolean;
    subresource?: string;
    now: Date;
  }): KubeObject;
}
