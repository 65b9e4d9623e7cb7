import { fromLabelSelectorObject } from "../selectors/label-selector.ts";
import type { Container, LabelSelectorObject } from "./kube-types.ts";

/** `labels.FormatLabels`: `a=b,c=d` with keys sorted, or "<none>". */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const text = Object.keys(labels ?? {})
    .sort()
    .map((key) => `${key}=${labels?.[key]}`)
    .join(",");
  return text === "" ? "<none>" : text;
}

/** A selector's canonical text, `fallback` when it is invalid; "" for a nil or empty selector. */
export function selectorText(selector: LabelSelectorObject | undefined, fallback: string): string {
  try {
    return fromLabelSelectorObject(selector).toString();
  } catch {
    return fallback;
  }
}

/** `metav1.FormatLabelSelector`: the selector's text, "<none>" when it selects all or nothing, "<error>" if invalid. */
export function formatLabelSelector(selector: LabelSelectorObject | undefined): string {
  const text = selectorText(selector, "<error>");
  return text === "" ? "<none>" : text;
}

/** Container names and images, each comma-joined, as the wide Containers and Images columns show them. */
export function containerCells(
  containers: readonly Container[] | undefined,
): [names: string, images: string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? "").join(","), list.map((c) => c.image ?? "").join(",")];
}

/** At most `max` items, then "+ N more...", or `empty` when there are none. */
export function listWithMore(items: readonly string[], max: number, empty: string): string {
  if (items.length === 0) return empty;
  const shown = items.slice(0, max).join(",");
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}

/** A count that the API leaves out when zero. */
export function count(value: number | undefined): number {
  return typeof value === "number" ? Math.trunc(value) : 0;
}
