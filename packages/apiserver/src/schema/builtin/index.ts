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

/** Resolves OpenAPI definition names ("io.k8s.api.core.v1.PodSpec") of built-in types; throws on unknown names. */
export const builtinShapes: ShapeResolver = {
  resolve(name: string): Shape {
    const shape = Object.hasOwn(definitions, name) ? definitions[name] : undefined;
    if (!shape) throw new Error(`unknown built-in shape ${name}`);
    return shape;
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
