import { AtollFinalizers, type MemberCluster, MemberConditions } from "@atoll/api";
import { Pool } from "undici";
import { MEMBER_CLUSTERS_PATH } from "./hub-client.ts";

/** What a waiter checks: the MemberCluster as last seen, or undefined once it is gone. */
export type MemberPredicate = (mc: MemberCluster | undefined) => boolean;

type Waiter = {
  name: string;
  predicate: MemberPredicate;
  resolve: (at: number) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
};

type WatchEvent = { type: string; object: MemberCluster & { code?: number } };

/**
 * The hub's MemberClusters as one list-then-watch sees them, with the moment
 * (performance.now()) each change arrived; relists on 410 or a closed stream.
 */
export class MemberClusterWatch {
  #pool: Pool;
  #objects = new Map<string, MemberCluster>();
  #waiters = new Set<Waiter>();
  #resourceVersion = "";
  #events = 0;
  #closed = false;
  #abort = new AbortController();
  readonly errors: string[] = [];

  private constructor(url: string) {
    this.#pool = new Pool(url, { connections: 2, bodyTimeout: 0, headersTimeout: 10_000 });
  }

  /** Lists the MemberClusters, then keeps watching them until `close`. */
  static async open(url: string): Promise<MemberClusterWatch> {
    const watch = new MemberClusterWatch(url);
    await watch.#list();
    void watch.#run();
    return watch;
  }

  /** Watch events received so far (every write to a MemberCluster, status included). */
  get events(): number {
    return this.#events;
  }

  get(name: string): MemberCluster | undefined {
    return this.#objects.get(name);
  }

  /**
   * Resolves with the time the change that made `predicate` true arrived (now,
   * if it already holds); rejects after `timeoutMs` with what was last seen.
   */
  until(name: string, predicate: MemberPredicate, timeoutMs: number, what: string): Promise<number> {
    if (predicate(this.#objects.get(name))) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        name,
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          const conditions = JSON.stringify(this.#objects.get(name)?.status?.conditions ?? []);
          reject(new Error(`${name}: not ${what} after ${timeoutMs} ms; conditions ${conditions}`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error("watch closed"));
    }
    this.#waiters.clear();
    await this.#pool.destroy().catch(() => undefined);
  }

  async #list(): Promise<void> {
    const response = await this.#pool.request({ method: "GET", path: MEMBER_CLUSTERS_PATH });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      throw new Error(`list memberclusters: HTTP ${response.statusCode} ${text}`);
    const list = JSON.parse(text) as { metadata: { resourceVersion: string }; items: MemberCluster[] };
    const at = performance.now();
    const names = new Set(list.items.map((mc) => mc.metadata.name ?? ""));
    for (const name of this.#objects.keys()) if (!names.has(name)) this.#apply(name, undefined, at);
    for (const mc of list.items) this.#apply(mc.metadata.name ?? "", mc, at);
    this.#resourceVersion = list.metadata.resourceVersion;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      try {
        const gone = await this.#watchOnce();
        if (gone) await this.#list();
      } catch (error) {
        if (this.#closed) return;
        if (this.errors.length < 10) this.errors.push(error instanceof Error ? error.message : String(error));
        await new Promise((resolve) => setTimeout(resolve, 200));
        await this.#list().catch(() => undefined);
      }
    }
  }

  /** One watch request, read to its end; true when the server said the resourceVersion is gone (410). */
  async #watchOnce(): Promise<boolean> {
    const path = `${MEMBER_CLUSTERS_PATH}?watch=1&allowWatchBookmarks=true&resourceVersion=${this.#resourceVersion}`;
    const response = await this.#pool.request({ method: "GET", path, signal: this.#abort.signal });
    if (response.statusCode === 410) {
      await response.body.text();
      return true;
    }
    if (response.statusCode !== 200)
      throw new Error(`watch memberclusters: HTTP ${response.statusCode} ${await response.body.text()}`);
    let buffered = "";
    for await (const chunk of response.body) {
      buffered += (chunk as Buffer).toString("utf8");
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
        if (!line) continue;
        const event = JSON.parse(line) as WatchEvent;
        if (event.type === "ERROR") return event.object.code === 410;
        this.#resourceVersion = event.object.metadata.resourceVersion ?? this.#resourceVersion;
        if (event.type === "BOOKMARK") continue;
        this.#events++;
        const name = event.object.metadata.name ?? "";
        this.#apply(name, event.type === "DELETED" ? undefined : event.object, performance.now());
      }
    }
    return false;
  }

  #apply(name: string, mc: MemberCluster | undefined, at: number): void {
    if (mc) this.#objects.set(name, mc);
    else this.#objects.delete(name);
    for (const waiter of this.#waiters) {
      if (waiter.name !== name || !waiter.predicate(mc)) continue;
      clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve(at);
    }
  }
}

/** The status of condition `type`, if the MemberCluster has it. */
export function conditionStatus(mc: MemberCluster | undefined, type: string): string | undefined {
  return mc?.status?.conditions?.find((c) => c.type === type)?.status;
}

/** Joined and Ready: what `atoll join` waits for. */
export const joinedAndReady: MemberPredicate = (mc) =>
  conditionStatus(mc, MemberConditions.Joined) === "True" &&
  conditionStatus(mc, MemberConditions.Ready) === "True";

/** Whether the MemberCluster carries a taint with this key and effect. */
export function hasTaint(mc: MemberCluster | undefined, key: string, effect: string): boolean {
  return (mc?.spec.taints ?? []).some((t) => t.key === key && t.effect === effect);
}

/** The member-cluster controller has taken the MemberCluster on (its first reconcile added the finalizer). */
export const withFinalizer: MemberPredicate = (mc) =>
  (mc?.metadata.finalizers ?? []).includes(AtollFinalizers.memberCleanup);
