import type { MemberClient } from "./member-client.ts";

/** What the watch saw of one pod, as `performance.now()` times in this process. */
export type PodRecord = {
  name: string;
  app: string;
  seenAt: number;
  scheduledAt?: number;
  readyAt?: number;
  deletedAt?: number;
};

type PodShape = {
  metadata?: { name?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string };
  status?: { conditions?: { type?: string; status?: string }[] };
};

type Waiter = { predicate: () => boolean; resolve: (at: number) => void };

const MAX_RESTARTS = 20;

/**
 * Watches the pods of one namespace (list, then watch from the list's
 * resourceVersion, resumed from the last one seen if the server ends it) and
 * stamps when each pod was first seen, bound to a node, Ready, and deleted.
 */
export class PodWatch {
  #client: MemberClient;
  #namespace: string;
  #pods = new Map<string, PodRecord>();
  #gone: PodRecord[] = [];
  #waiters = new Set<Waiter>();
  #abort = new AbortController();
  #resourceVersion = "";
  #restarts = 0;
  #failure: unknown;

  private constructor(client: MemberClient, namespace: string) {
    this.#client = client;
    this.#namespace = namespace;
  }

  static async start(client: MemberClient, namespace: string): Promise<PodWatch> {
    const watch = new PodWatch(client, namespace);
    const list = (await client.send("GET", `/api/v1/namespaces/${namespace}/pods`)) as {
      items: PodShape[];
      metadata: { resourceVersion: string };
    };
    for (const pod of list.items) watch.#apply("ADDED", pod);
    watch.#resourceVersion = list.metadata.resourceVersion;
    void watch.#run();
    return watch;
  }

  /** Pods that exist now (Ready or not), optionally only those labelled `app`. */
  count(app?: string): number {
    let n = 0;
    for (const pod of this.#pods.values()) if (app === undefined || pod.app === app) n++;
    return n;
  }

  readyCount(app?: string): number {
    let n = 0;
    for (const pod of this.#pods.values())
      if (pod.readyAt !== undefined && (app === undefined || pod.app === app)) n++;
    return n;
  }

  /** Every pod labelled `app` seen so far, live and deleted. */
  records(app: string): PodRecord[] {
    return [...this.#pods.values(), ...this.#gone].filter((pod) => pod.app === app);
  }

  /** Forgets deleted pods (between runs). */
  clearGone(): void {
    this.#gone = [];
  }

  /** Resolves with the time `predicate` first held after an event (or now, if it holds already). */
  waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<number> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (predicate()) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  stop(): void {
    this.#abort.abort();
  }

  async #run(): Promise<void> {
    while (!this.#abort.signal.aborted && this.#restarts <= MAX_RESTARTS) {
      const path =
        `/api/v1/namespaces/${this.#namespace}/pods?watch=1&allowWatchBookmarks=true` +
        `&timeoutSeconds=600&resourceVersion=${encodeURIComponent(this.#resourceVersion)}`;
      try {
        await this.#client.stream(path, (line) => this.#onLine(line), this.#abort.signal);
      } catch (error) {
        if (!this.#abort.signal.aborted) this.#failure = error;
        return;
      }
      this.#restarts++;
    }
  }

  #onLine(line: string): void {
    const event = JSON.parse(line) as { type: string; object: PodShape & { code?: number } };
    if (event.type === "ERROR") {
      this.#failure = new Error(`pod watch failed: ${line.slice(0, 300)}`);
      this.stop();
      return;
    }
    const version = event.object.metadata?.resourceVersion;
    if (version) this.#resourceVersion = version;
    if (event.type !== "BOOKMARK") this.#apply(event.type, event.object);
    const now = performance.now();
    for (const waiter of this.#waiters) {
      if (!waiter.predicate()) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(now);
    }
  }

  #apply(type: string, pod: PodShape): void {
    const uid = pod.metadata?.uid ?? "";
    const now = performance.now();
    let record = this.#pods.get(uid);
    if (!record) {
      if (type === "DELETED") return;
      record = { name: pod.metadata?.name ?? "", app: pod.metadata?.labels?.app ?? "", seenAt: now };
      this.#pods.set(uid, record);
    }
    if (record.scheduledAt === undefined && pod.spec?.nodeName) record.scheduledAt = now;
    const ready = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    if (ready && record.readyAt === undefined) record.readyAt = now;
    if (type === "DELETED") {
      record.deletedAt = now;
      this.#pods.delete(uid);
      this.#gone.push(record);
    }
  }
}
