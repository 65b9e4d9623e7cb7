import { MemoryStore } from "./memory-store.ts";
import { SqliteStore } from "./sqlite-store.ts";
import type { Store } from "./store.ts";

export { MemoryStore } from "./memory-store.ts";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.ts";
export * from "./store.ts";

/**
 * Opens the store a spec names: "memory" for a fresh `MemoryStore`, or
 * "sqlite:PATH" for a `SqliteStore` at PATH (created if missing). Any other
 * spec fails with an error that lists the accepted forms.
 */
export async function openStore(spec: string): Promise<Store> {
  if (spec === "memory") return new MemoryStore();
  if (spec.startsWith("sqlite:") && spec.length > "sqlite:".length) {
    return SqliteStore.open(spec.slice("sqlite:".length));
  }
  throw new Error(`unknown store "${spec}": expected "memory" or "sqlite:PATH"`);
}
