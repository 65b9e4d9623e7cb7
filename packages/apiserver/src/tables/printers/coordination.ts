import { AGE, column, NAME } from "../columns.ts";
import { timeSince } from "../human-duration.ts";
import type { ObjectMeta } from "../kube-types.ts";
import type { Printer } from "../table.ts";

type Lease = { metadata?: ObjectMeta; spec?: { holderIdentity?: string } };

/** Leases: Name, Holder, Age. */
export const leasePrinter: Printer = {
  columns: [NAME, column("Holder", "string", "The identity of the current holder of the lease."), AGE],
  print(obj, { now }) {
    const lease = obj as Lease;
    return {
      cells: [
        lease.metadata?.name ?? "",
        lease.spec?.holderIdentity ?? "",
        timeSince(lease.metadata?.creationTimestamp, now),
      ],
    };
  },
};
