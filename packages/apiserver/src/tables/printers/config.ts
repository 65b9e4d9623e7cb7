import { AGE, column, NAME } from "../columns.ts";
import { timeSince } from "../human-duration.ts";
import type { ObjectMeta } from "../kube-types.ts";
import type { Printer } from "../table.ts";

type ConfigMap = {
  metadata?: ObjectMeta;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
};
type Secret = { metadata?: ObjectMeta; type?: string; data?: Record<string, string> };
type ServiceAccount = { metadata?: ObjectMeta; secrets?: object[] };

const size = (map: object | undefined): number => Object.keys(map ?? {}).length;

/** ConfigMaps: Name, Data (number of keys, binary included), Age. */
export const configMapPrinter: Printer = {
  columns: [NAME, column("Data", "string", "The number of keys in data and binaryData."), AGE],
  print(obj, { now }) {
    const cm = obj as ConfigMap;
    return {
      cells: [
        cm.metadata?.name ?? "",
        size(cm.data) + size(cm.binaryData),
        timeSince(cm.metadata?.creationTimestamp, now),
      ],
    };
  },
};

/** Secrets: Name, Type, Data (number of keys), Age. */
export const secretPrinter: Printer = {
  columns: [
    NAME,
    column("Type", "string", "Used to facilitate programmatic handling of secret data."),
    column("Data", "string", "The number of keys in data."),
    AGE,
  ],
  print(obj, { now }) {
    const secret = obj as Secret;
    return {
      cells: [
        secret.metadata?.name ?? "",
        // The API defaults the type to Opaque.
        secret.type ?? "Opaque",
        size(secret.data),
        timeSince(secret.metadata?.creationTimestamp, now),
      ],
    };
  },
};

/** ServiceAccounts: Name, Secrets (count), Age. */
export const serviceAccountPrinter: Printer = {
  columns: [NAME, column("Secrets", "string", "The number of secrets this service account may use."), AGE],
  print(obj, { now }) {
    const sa = obj as ServiceAccount;
    return {
      cells: [
        sa.metadata?.name ?? "",
        (sa.secrets ?? []).length,
        timeSince(sa.metadata?.creationTimestamp, now),
      ],
    };
  },
};
