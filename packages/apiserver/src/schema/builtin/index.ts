/**
 * Shapes of the built-in kinds Atoll serves, as of Kubernetes 1.32. The table
 * in `definitions.generated.ts` is produced by `generate.ts`; see there for
 * how, and `overlay-*.ts` for the hand-written list semantics and corrections.
 */
import type { Shape, ShapeResolver } from "../shape.ts";
import { definitions } from "./definitions.generated.ts";
import { type BuiltinKind, builtinKinds } from "./roots.ts";

export type { BuiltinKind };
export { builtinKinds };

/**
 * Server defaults of list-map key fields: an applied `ports: [{containerPort: 80}]`
 * must match the stored item whose `protocol` was defaulted to TCP.
 */
const KEY_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  "io.k8s.api.core.v1.ContainerPort": { protocol: "TCP" },
  "io.k8s.api.core.v1.ServicePort": { protocol: "TCP" },
  "io.k8s.api.core.v1.EndpointPort": { protocol: "TCP" },
  "io.k8s.api.discovery.v1.EndpointPort": { protocol: "TCP" },
};

function withKeyDefaults(name: string, shape: Shape): Shape {
  const defaults = KEY_DEFAULTS[name];
  if (!defaults || shape.type !== "struct") return shape;
  const fields: Record<string, Shape> = { ...shape.fields };
  for (const [field, value] of Object.entries(defaults)) {
    const current = fields[field];
    if (current?.type === "scalar") fields[field] = { ...current, default: value };
  }
  return { ...shape, fields };
}

const resolved = new Map<string, Shape>();

/** Resolves OpenAPI definition names ("io.k8s.api.core.v1.PodSpec") of built-in types; throws on unknown names. */
export const builtinShapes: ShapeResolver = {
  resolve(name: string): Shape {
    const cached = resolved.get(name);
    if (cached) return cached;
    const shape = Object.hasOwn(definitions, name) ? definitions[name] : undefined;
    if (!shape) throw new Error(`unknown built-in shape ${name}`);
    const result = withKeyDefaults(name, shape);
    resolved.set(name, result);
    return result;
  },
};

/** Whether `name` is a built-in definition name. */
export function isBuiltinShapeName(name: string): boolean {
  return Object.hasOwn(definitions, name);
}

const rootByGroupKind = new Map(builtinKinds.map((kind) => [`${kind.group}/${kind.kind}`, kind.definition]));

/**
 * The definition name of a built-in kind's root shape, e.g. ("", "Pod") →
 * "io.k8s.api.core.v1.Pod", ("apps", "Deployment") → "io.k8s.api.apps.v1.Deployment".
 * Throws for a kind that is not built in.
 */
export function builtinRootShapeName(group: string, kind: string): string {
  const name = rootByGroupKind.get(`${group}/${kind}`);
  if (!name) throw new Error(`no built-in shape for kind ${kind}${group ? `.${group}` : ""}`);
  return name;
}
