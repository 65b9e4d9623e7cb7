import { AGE, column, NAME } from "../columns.ts";
import { count } from "../format.ts";
import { timeSince } from "../human-duration.ts";
import type { ObjectMeta } from "../kube-types.ts";
import type { Printer } from "../table.ts";

type PodDisruptionBudget = {
  metadata?: ObjectMeta;
  spec?: { minAvailable?: number | string; maxUnavailable?: number | string };
  status?: { disruptionsAllowed?: number };
};
type PriorityClass = {
  metadata?: ObjectMeta;
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
};

const intOrString = (value: number | string | undefined): string =>
  value === undefined ? "N/A" : String(value);

/** PodDisruptionBudgets: Name, Min Available, Max Unavailable, Allowed Disruptions, Age. */
export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME,
    column("Min Available", "string", "The minimum number of pods that must be available."),
    column("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
    column("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
    AGE,
  ],
  print(obj, { now }) {
    const pdb = obj as PodDisruptionBudget;
    return {
      cells: [
        pdb.metadata?.name ?? "",
        intOrString(pdb.spec?.minAvailable),
        intOrString(pdb.spec?.maxUnavailable),
        count(pdb.status?.disruptionsAllowed),
        timeSince(pdb.metadata?.creationTimestamp, now),
      ],
    };
  },
};

/** PriorityClasses: Name, Value, Global-Default, Age, PreemptionPolicy. */
export const priorityClassPrinter: Printer = {
  columns: [
    NAME,
    column("Value", "integer", "The priority of pods that name this class."),
    column("Global-Default", "boolean", "Whether this class is the default for pods that name none."),
    AGE,
    column("PreemptionPolicy", "string", "Whether pods of this class may preempt lower-priority pods."),
  ],
  print(obj, { now }) {
    const pc = obj as PriorityClass;
    return {
      cells: [
        pc.metadata?.name ?? "",
        count(pc.value),
        pc.globalDefault === true,
        timeSince(pc.metadata?.creationTimestamp, now),
        // The API defaults the policy to PreemptLowerPriority.
        pc.preemptionPolicy ?? "PreemptLowerPriority",
      ],
    };
  },
};
