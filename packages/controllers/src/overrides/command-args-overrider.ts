import type { KubeObject } from "@atoll/kube";
import { OverrideError, OverrideFailure } from "./override-error.ts";
import type { CommandArgsOverrider } from "./types.ts";
import { workloadContainers } from "./workload-containers.ts";

/** The container field a commandOverrider or argsOverrider edits. */
export type CommandArgsField = "command" | "args";

/**
 * Applies one commandOverrider/argsOverrider to `object` in place, on the
 * container or initContainer of a built-in workload named `containerName`:
 * `add` appends the values (creating the list when absent), `remove` drops
 * every element equal to one of the values. No matching container, or a kind
 * that is not a workload, leaves the object alone, as in Karmada. Throws
 * OverrideError for an operator other than add/remove or a field that is not a list.
 */
export function applyCommandArgsOverrider(
  object: KubeObject,
  overrider: CommandArgsOverrider,
  field: CommandArgsField,
): void {
  const { operator, containerName } = overrider;
  if (operator !== "add" && operator !== "remove") {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `${field} operator ${JSON.stringify(operator)} is not one of add, remove`,
    );
  }
  const values = overrider.value ?? [];
  for (const { container, pointer } of workloadContainers(object)) {
    if (container.name !== containerName) continue;
    const current = container[field];
    if (current !== undefined && !Array.isArray(current)) {
      throw new OverrideError(OverrideFailure.InvalidOverrider, `${pointer}/${field} is not a list`);
    }
    if (operator === "add") {
      container[field] = [...(current ?? []), ...values];
    } else if (current !== undefined) {
      const removed = new Set<unknown>(values);
      container[field] = current.filter((item: unknown) => !removed.has(item));
    }
  }
}
