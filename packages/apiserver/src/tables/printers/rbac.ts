import { AGE, column, NAME, wide } from "../columns.ts";
import { timeSince } from "../human-duration.ts";
import type { ObjectMeta } from "../kube-types.ts";
import type { Printer } from "../table.ts";

type Binding = {
  metadata?: ObjectMeta;
  roleRef?: { kind?: string; name?: string };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
};

/** Users, groups and service accounts (`namespace/name`), each comma-space joined. */
function subjects(binding: Binding): [users: string, groups: string, serviceAccounts: string] {
  const of = (kind: string, show: (s: { name?: string; namespace?: string }) => string) =>
    (binding.subjects ?? [])
      .filter((s) => s.kind === kind)
      .map(show)
      .join(", ");
  return [
    of("User", (s) => s.name ?? ""),
    of("Group", (s) => s.name ?? ""),
    of("ServiceAccount", (s) => `${s.namespace ?? ""}/${s.name ?? ""}`),
  ];
}

function bindingPrinter(noun: string): Printer {
  return {
    columns: [
      NAME,
      column(
        "Role",
        "string",
        "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.",
      ),
      AGE,
      wide("Users", `Users in the ${noun}`),
      wide("Groups", `Groups in the ${noun}`),
      wide("ServiceAccounts", `ServiceAccounts in the ${noun}`),
    ],
    print(obj, { now }) {
      const binding = obj as Binding;
      return {
        cells: [
          binding.metadata?.name ?? "",
          `${binding.roleRef?.kind ?? ""}/${binding.roleRef?.name ?? ""}`,
          timeSince(binding.metadata?.creationTimestamp, now),
          ...subjects(binding),
        ],
      };
    },
  };
}

/** RoleBindings: Name, Role ("ClusterRole/view"), Age; wide Users, Groups, ServiceAccounts. Roles have no printer. */
export const roleBindingPrinter: Printer = bindingPrinter("roleBinding");

/** ClusterRoleBindings: as RoleBindings. */
export const clusterRoleBindingPrinter: Printer = bindingPrinter("clusterRoleBinding");
