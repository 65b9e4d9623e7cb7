import { isRecord } from "../api/object.ts";
import { concrete, type Shape, type ShapeResolver } from "../schema/shape.ts";

const ALWAYS_KNOWN = new Set(["apiVersion", "kind"]);

/**
 * Removes fields the shape does not declare (as decoding into Kubernetes' Go
 * types, or CRD pruning, does) and returns their paths (`spec.foo`,
 * `spec.containers[0].bar`) for field validation to report.
 */
export function pruneUnknownFields(
  object: Record<string, unknown>,
  shape: Shape,
  resolver: ShapeResolver,
): string[] {
  const unknown: string[] = [];
  walk(object, shape, resolver, "", unknown, true);
  return unknown;
}

function walk(
  value: unknown,
  shape: Shape,
  resolver: ShapeResolver,
  path: string,
  out: string[],
  root: boolean,
): void {
  let resolved: Exclude<Shape, { type: "ref" }>;
  try {
    resolved = concrete(shape, resolver);
  } catch {
    return; // An unknown shape is treated as open.
  }
  if (resolved.type === "struct") {
    if (!isRecord(value)) return;
    for (const key of Object.keys(value)) {
      const field = resolved.fields[key];
      const childPath = path ? `${path}.${key}` : key;
      if (field) walk(value[key], field, resolver, childPath, out, false);
      else if (!resolved.open && !(root && ALWAYS_KNOWN.has(key))) {
        delete value[key];
        out.push(childPath);
      }
    }
  } else if (resolved.type === "map") {
    if (!isRecord(value)) return;
    for (const key of Object.keys(value))
      walk(value[key], resolved.values, resolver, `${path}.${key}`, out, false);
  } else if (resolved.type === "list") {
    if (!Array.isArray(value)) return;
    value.forEach((item, i) => {
      walk(item, resolved.items, resolver, `${path}[${i}]`, out, false);
    });
  }
}
