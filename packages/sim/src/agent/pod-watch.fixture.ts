import { performance } from "node:perf_hooks";
import { KubeBlocksLabels } from "@atoll/api";
import { KubeConfig, type V1Pod, Watch } from "@kubernetes/client-node";

/** A label change seen by the watch: when (performance.now()) and the new value (undefined: removed). */
export type RoleChange = { at: number; role: string | undefined };

/**
 * Watches one pod through @kubernetes/client-node with the member's
 * kubeconfig and records when its role label changes, as a hub would see it.
 */
export class PodWatch {
  readonly changes: RoleChange[] = [];
  /** resourceVersions of every version of the pod seen, in order. */
  readonly versions: string[] = [];
  latest: V1Pod | undefined;
  #abort: AbortController | undefined;

  /** Starts watching now, or from `resourceVersion` (replaying what happened since). */
  static async start(
    kubeconfigPath: string,
    pod: { namespace: string; name: string; resourceVersion?: string },
  ): Promise<PodWatch> {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const watch = new PodWatch();
    watch.#abort = await new Watch(kc).watch(
      `/api/v1/namespaces/${pod.namespace}/pods`,
      { fieldSelector: `metadata.name=${pod.name}`, resourceVersion: pod.resourceVersion },
      (_phase, pod: V1Pod) => watch.#seen(pod),
      () => {},
    );
    return watch;
  }

  /** The role label now, as last seen. */
  get role(): string | undefined {
    return this.latest?.metadata?.labels?.[KubeBlocksLabels.role];
  }

  /** Waits for a change to `role` recorded at index `from` or later; returns it. */
  async waitForRole(role: string | undefined, from: number, timeoutMs: number): Promise<RoleChange> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.changes.slice(from).find((c) => c.role === role);
      if (found) return found;
      if (performance.now() > deadline)
        throw new Error(
          `role ${role ?? "(none)"} not seen in ${timeoutMs} ms; changes: ${JSON.stringify(this.changes.slice(from))}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.#abort?.abort();
  }

  #seen(pod: V1Pod): void {
    const role = pod.metadata?.labels?.[KubeBlocksLabels.role];
    // The first version seen counts as a change: it may already be the one waited for.
    if (this.latest === undefined || this.role !== role) this.changes.push({ at: performance.now(), role });
    this.versions.push(pod.metadata?.resourceVersion ?? "");
    this.latest = pod;
  }
}
