import type { ResourceType } from "../resources/resource-type.ts";
import { compileFieldSelector, fieldsOf, parseLabelSelector, selectableFields } from "../selectors/index.ts";
import type { CachedObject } from "../watch/cacher.ts";
import type { Query } from "./query.ts";
import type { SelectorCompiler } from "./server-context.ts";

/** Label and field selectors of a list or watch request as one predicate over cached objects. */
export const selectorCompiler: SelectorCompiler = {
  compile(type: ResourceType, query: Query) {
    const labelText = query.string("labelSelector") ?? "";
    const fieldText = query.string("fieldSelector") ?? "";
    const labels = labelText ? parseLabelSelector(labelText) : undefined;
    const resource = { group: type.group, plural: type.plural, namespaced: type.namespaced };
    const supported = selectableFields(resource);
    const fields = fieldText
      ? compileFieldSelector(fieldText, (field) => supported.includes(field))
      : undefined;
    const activeLabels = labels && !labels.empty ? labels : undefined;
    const activeFields = fields && !fields.empty ? fields : undefined;
    if (!activeLabels && !activeFields) return { filter: () => true, filtered: false };
    return {
      filtered: true,
      filter: (cached: CachedObject) =>
        (!activeLabels || activeLabels.matches(cached.object.metadata.labels)) &&
        (!activeFields || activeFields.matches(fieldsOf(resource, cached.object))),
    };
  },
};
