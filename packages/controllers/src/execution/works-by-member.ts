import { memberOfExecutionNamespace } from "@atoll/api";
import { type KubeObject, objectKeyOf } from "@atoll/kube";

/** The keys of the Works of each member, so a member's change re-queues only its own Works. */
export class WorksByMember {
  #keys = new Map<string, Set<string>>();

  add(work: KubeObject): void {
    const member = memberOfExecutionNamespace(work.metadata.namespace ?? "");
    if (!member) return;
    let keys = this.#keys.get(member);
    if (!keys) {
      keys = new Set();
      this.#keys.set(member, keys);
    }
    keys.add(objectKeyOf(work));
  }

  remove(work: KubeObject): void {
    const member = memberOfExecutionNamespace(work.metadata.namespace ?? "");
    const keys = member ? this.#keys.get(member) : undefined;
    keys?.delete(objectKeyOf(work));
    if (member && keys?.size === 0) this.#keys.delete(member);
  }

  keys(member: string): string[] {
    return [...(this.#keys.get(member) ?? [])];
  }
}
