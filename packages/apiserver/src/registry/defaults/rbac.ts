import type { KubeObject } from "../../api/object.ts";
import { ensureChild, items, setIfZero } from "./json-fields.ts";

const RBAC_GROUP = "rbac.authorization.k8s.io";

/**
 * A RoleBinding or ClusterRoleBinding: `roleRef.apiGroup` and the `apiGroup`
 * of User and Group subjects are `rbac.authorization.k8s.io` unless given
 * (a ServiceAccount subject's stays the core group, `""`).
 */
export function defaultBinding(binding: KubeObject): void {
  const roleRef = ensureChild(binding, "roleRef");
  if (roleRef) setIfZero(roleRef, "apiGroup", RBAC_GROUP);
  for (const subject of items(binding, "subjects")) {
    if (subject.kind === "User" || subject.kind === "Group") setIfZero(subject, "apiGroup", RBAC_GROUP);
  }
}
