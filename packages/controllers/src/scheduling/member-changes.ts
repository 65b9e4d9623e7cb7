import { type MemberCluster, MemberConditions } from "@atoll/api";
import { type Informer, jsonEqual, type KubeObject } from "@atoll/kube";

/**
 * The parts of a MemberCluster a placement decision reads: labels, the
 * spec fields filters and spreads look at, readiness, served APIs and
 * deletion. Resource summaries and probe times are left out on purpose: they
 * change with every pod and probe, and re-checking every binding on each of
 * those would cost O(bindings) per status write for no new decision (room
 * is read when a binding is scheduled, not watched).
 */
export function schedulingView(mc: MemberCluster): unknown {
  const ready = mc.status?.conditions?.find((c) => c.type === MemberConditions.Ready);
  return {
    labels: mc.metadata.labels ?? {},
    deleting: mc.metadata.deletionTimestamp !== undefined,
    taints: mc.spec.taints ?? [],
    disabled: mc.spec.disabled ?? false,
    unschedulable: mc.spec.unschedulable ?? false,
    region: mc.spec.region,
    zone: mc.spec.zone,
    provider: mc.spec.provider,
    ready: ready?.status,
    apiEnablements: mc.status?.apiEnablements ?? [],
  };
}

/** Whether an update of a MemberCluster can change where bindings go. */
export function mattersToScheduling(next: KubeObject, old: KubeObject): boolean {
  return !jsonEqual(schedulingView(next as MemberCluster), schedulingView(old as MemberCluster));
}

/**
 * Calls `onChange` once per event-loop turn in which members were added,
 * removed, or changed in a way that matters to scheduling, however many such
 * events arrived: a burst of member updates costs one pass over the bindings.
 */
export class MemberChanges {
  #pending: NodeJS.Immediate | undefined;
  #stopped = false;
  #onChange: () => void;

  constructor(members: Informer, onChange: () => void) {
    this.#onChange = onChange;
    members.addHandlers({
      onAdd: () => this.#trigger(),
      onUpdate: (next, old) => {
        if (mattersToScheduling(next, old)) this.#trigger();
      },
      onDelete: () => this.#trigger(),
    });
  }

  stop(): void {
    this.#stopped = true;
    if (this.#pending) clearImmediate(this.#pending);
    this.#pending = undefined;
  }

  #trigger(): void {
    if (this.#stopped || this.#pending) return;
    this.#pending = setImmediate(() => {
      this.#pending = undefined;
      if (!this.#stopped) this.#onChange();
    });
  }
}
