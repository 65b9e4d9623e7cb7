/**
 * The 409 an apply gets when it would change fields another manager owns,
 * worded as kube-apiserver words it, with one cause per field.
 */
import { StatusError } from "../api/errors.ts";
import { type FieldSet, fieldPaths } from "./field-set.ts";
import { compareStrings, goQuote } from "./json-value.ts";
import type { ManagerFields } from "./managed-fields.ts";
import { formatPath } from "./path-element.ts";

/** Fields of one other manager that the apply would change. */
export type ManagerConflict = { owner: ManagerFields; fields: FieldSet };

/** `"kubectl"`, `"kube-controller-manager" using apps/v1`, `"x" with subresource "status" using v1`. */
function printManager(owner: ManagerFields): string {
  let text = goQuote(owner.manager);
  if (owner.subresource) text += ` with subresource ${goQuote(owner.subresource)}`;
  return owner.operation === "Update" ? `${text} using ${owner.apiVersion}` : text;
}

/**
 * The `Conflict` StatusError for conflicts keyed by manager identifier:
 * `Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas`,
 * or, for several, one `conflicts with …:` block per manager, managers sorted.
 */
export function applyConflictError(conflicts: ReadonlyMap<string, ManagerConflict>): StatusError {
  const ids = [...conflicts.keys()].sort(compareStrings);
  const found = ids.flatMap((id) => {
    const conflict = conflicts.get(id);
    if (!conflict) return [];
    return fieldPaths(conflict.fields).map((path) => ({ owner: conflict.owner, field: formatPath(path) }));
  });
  const causes = found.map(({ owner, field }) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(owner)}`,
    field,
  }));
  let message: string;
  if (found.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(found[0].owner)}: ${found[0].field}`;
  } else {
    const lines = ids.flatMap((id) => {
      const conflict = conflicts.get(id);
      if (!conflict) return [];
      return [
        `conflicts with ${printManager(conflict.owner)}:`,
        ...fieldPaths(conflict.fields).map((path) => `- ${formatPath(path)}`),
      ];
    });
    message = `Apply failed with ${found.length} conflicts: ${lines.join("\n")}`;
  }
  return new StatusError("Conflict", message, { details: { causes } });
}
