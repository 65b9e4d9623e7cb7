import { type KeyValue, StorageError } from "./store.ts";

/** The errors every store raises, worded the same way whichever backend raises them. */
export const storeErrors = {
  keyExists: (key: string, current: KeyValue) =>
    new StorageError("KeyExists", `key "${key}" already exists`, { key, current }),
  keyNotFound: (key: string) => new StorageError("KeyNotFound", `key "${key}" not found`, { key }),
  conflict: (key: string, expectedModRevision: number, current: KeyValue) =>
    new StorageError(
      "Conflict",
      `key "${key}" is at revision ${current.modRevision}, not the expected ${expectedModRevision}`,
      { key, current },
    ),
  closed: () => new StorageError("Closed", "the store is closed"),
};

/**
 * The revision a read is served at: the current one when `requested` is absent or
 * not positive. Fails with FutureRevision beyond `current`, Compacted below `compacted`
 * (the compacted revision itself stays readable).
 */
export function readRevision(requested: number | undefined, current: number, compacted: number): number {
  if (requested === undefined || requested <= 0) return current;
  if (requested > current) {
    throw new StorageError("FutureRevision", `revision ${requested} is newer than the current ${current}`);
  }
  if (requested < compacted) {
    throw new StorageError(
      "Compacted",
      `revision ${requested} is compacted (compacted through ${compacted})`,
    );
  }
  return requested;
}

/** Fails with FutureRevision when asked to compact beyond the current revision. */
export function checkCompactRevision(revision: number, current: number): void {
  if (revision > current) {
    throw new StorageError(
      "FutureRevision",
      `cannot compact at ${revision}: the current revision is ${current}`,
    );
  }
}
