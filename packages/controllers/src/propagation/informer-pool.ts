import type { KubeClient, ListOptions, ResourceId } from "@atoll/kube";
import { Informer, type InformerHandlers } from "@atoll/kube";

/**
 * One informer per resource (and selector) on one API, created on first use
 * and shared by every controller that asks — the dynamic shared informer
 * factory controllers need when the kinds they watch come from user policies.
 * Handlers registered through `informer()` see every object, including those
 * listed before they were added.
 */
export class InformerPool {
  #client: KubeClient;
  #options: ListOptions;
  #informers = new Map<string, Informer>();
  #stopped = false;

  /** `options` apply to every informer of the pool (e.g. a label selector for managed objects). */
  constructor(client: KubeClient, options: ListOptions = {}) {
    this.#client = client;
    this.#options = options;
  }

  /** The pool's informer for `resource`, started; `handlers` are added (and replayed over the cache). */
  informer(resource: ResourceId, handlers?: InformerHandlers): Informer {
    const key = `${resource.group}/${resource.version}/${resource.resource}`;
    let informer = this.#informers.get(key);
    const fresh = !informer;
    if (!informer) {
      informer = new Informer(this.#client, resource, this.#options);
      this.#informers.set(key, informer);
    }
    // addHandlers replays what the informer already holds as additions.
    if (handlers) informer.addHandlers(handlers);
    if (fresh && !this.#stopped) informer.start();
    return informer;
  }

  /** The informer for `resource` if one exists already. */
  existing(resource: ResourceId): Informer | undefined {
    return this.#informers.get(`${resource.group}/${resource.version}/${resource.resource}`);
  }

  stop(): void {
    this.#stopped = true;
    for (const informer of this.#informers.values()) informer.stop();
    this.#informers.clear();
  }
}
