import type { KubeClient, ResourceId, Runnable } from "@atoll/kube";
import { Informer, type InformerOptions } from "@atoll/kube";

/** One shared informer per resource, started together (as client-go's SharedInformerFactory). */
export class InformerFactory implements Runnable {
  #client: KubeClient;
  #informers = new Map<string, Informer>();
  #started = false;

  constructor(client: KubeClient) {
    this.#client = client;
  }

  /** The shared informer of a resource (created on first use; `options` apply only then). */
  for(resource: ResourceId, options: InformerOptions = {}): Informer {
    const key = `${resource.group}/${resource.version}/${resource.resource}`;
    let informer = this.#informers.get(key);
    if (!informer) {
      informer = new Informer(this.#client, resource, options);
      this.#informers.set(key, informer);
      if (this.#started) informer.start();
    }
    return informer;
  }

  async start(): Promise<void> {
    this.#started = true;
    for (const informer of this.#informers.values()) informer.start();
    await Promise.all([...this.#informers.values()].map((i) => i.synced()));
  }

  stop(): void {
    for (const informer of this.#informers.values()) informer.stop();
  }
}
