import { createHash } from "node:crypto";

/** Kubernetes names are at most 253 characters; label values and some names 63. */
const MAX_NAME = 253;

/**
 * The (Cluster)ResourceBinding of a template: `<name>-<kind>` lower-cased, as
 * Karmada names them, so `kubectl get rb` reads naturally next to the template.
 */
export function bindingName(templateName: string, kind: string): string {
  return shorten(`${templateName}-${kind.toLowerCase()}`);
}

/**
 * The Work of a binding in one member's execution namespace. Bindings of
 * different namespaces share an execution namespace, so the name carries a
 * hash of the binding's namespace and name to stay unique.
 */
export function workName(binding: { namespace?: string; name: string }): string {
  const hash = createHash("sha256")
    .update(`${binding.namespace ?? ""}/${binding.name}`)
    .digest("hex")
    .slice(0, 10);
  return shorten(`${binding.name}-${hash}`);
}

function shorten(name: string): string {
  if (name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 10);
  return `${name.slice(0, MAX_NAME - 11)}-${hash}`;
}
