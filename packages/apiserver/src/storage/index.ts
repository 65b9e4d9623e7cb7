import { EtcdStore } from "./etcd-store.ts";
import { MemoryStore } from "./memory-store.ts";
import { SqliteStore } from "./sqlite-store.ts";
import type { Store } from "./store.ts";

export { EtcdStore, type EtcdStoreOptions } from "./etcd-store.ts";
export { type LocalEtcd, type LocalEtcdOptions, startLocalEtcd } from "./etcd-store-server.ts";
export { MemoryStore } from "./memory-store.ts";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.ts";
export * from "./store.ts";

/**
 * Opens the store a spec names: "memory" for a fresh `MemoryStore`,
 * "sqlite:PATH" for a `SqliteStore` at PATH (created if missing), or
 * "etcd:http://HOST:PORT[,…][?prefix=/atoll]" for an `EtcdStore` (the etcd must
 * be reachable). Any other spec fails with an error that lists the accepted forms.
 */
export async function openStore(spec: string): Promise<Store> {
  if (spec === "memory") return new MemoryStore();
  if (spec.startsWith("sqlite:") && spec.length > "sqlite:".length) {
    return SqliteStore.open(spec.slice("sqlite:".length));
  }
  if (spec.startsWith("etcd:") && spec.length > "etcd:".length) {
    return EtcdStore.open(spec.slice("etcd:".length));
  }
  throw new Error(
    `unknown store "${spec}": expected "memory", "sqlite:PATH" or "etcd:http://HOST:PORT[,…][?prefix=P]"`,
  );
}
