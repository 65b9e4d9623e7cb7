import type { TableColumnDefinition } from "./table.ts";

/** ObjectMeta's description of `name`, which kube-apiserver uses for every Name column. */
export const NAME_DESCRIPTION =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

/** ObjectMeta's description of `creationTimestamp`, which kube-apiserver uses for every Age column. */
export const CREATION_TIMESTAMP_DESCRIPTION =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/** A column definition; `priority` 1 marks a `-o wide` column. */
export function column(
  name: string,
  type: string,
  description: string,
  options: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  return { name, type, format: options.format ?? "", description, priority: options.priority ?? 0 };
}

/** A `-o wide` string column. */
export function wide(name: string, description: string): TableColumnDefinition {
  return column(name, "string", description, { priority: 1 });
}

export const NAME = column("Name", "string", NAME_DESCRIPTION, { format: "name" });
export const AGE = column("Age", "string", CREATION_TIMESTAMP_DESCRIPTION);
export const CONTAINERS = wide("Containers", "Names of each container in the template.");
export const IMAGES = wide("Images", "Images referenced by each container in the template.");
export const SELECTOR = wide("Selector", "A label query over the objects this controller manages.");
