import { CREATION_TIMESTAMP_DESCRIPTION, column, NAME } from "./columns.ts";
import { parseTimestamp } from "./human-duration.ts";
import type { KubeObject } from "./kube-types.ts";
import type { Printer } from "./table.ts";

/** Go's zero time, which is what an object without a creation timestamp reports. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** RFC 3339 in UTC to the second, as Go's `time.RFC3339` layout writes it. */
function rfc3339(timestamp: string | undefined): string {
  const ms = parseTimestamp(timestamp);
  if (ms === undefined) return ZERO_TIME;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * kube-apiserver's default table for kinds without a printer (Roles,
 * ClusterRoles, CustomResourceDefinitions, ...): Name and Created At.
 */
export const defaultPrinter: Printer = {
  columns: [NAME, column("Created At", "date", CREATION_TIMESTAMP_DESCRIPTION)],
  print(obj) {
    const meta = (obj as KubeObject).metadata;
    return { cells: [meta?.name ?? "", rfc3339(meta?.creationTimestamp)] };
  },
};
