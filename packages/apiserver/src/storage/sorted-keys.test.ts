import assert from "node:assert/strict";
import { test } from "node:test";
import { SortedKeys } from "./sorted-keys.ts";

/** A small seeded generator, so a failure replays identically. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test("SortedKeys agrees with a sorted array through random inserts, removals and scans", () => {
  const random = seededRandom(42);
  const keys = new SortedKeys({ chunkSize: 4 });
  const reference = new Set<string>();
  const sorted = (): string[] => [...reference].sort();
  for (let step = 0; step < 3000; step++) {
    const key = `/k/${Math.floor(random() * 300)}`;
    if (random() < 0.6) {
      assert.equal(keys.insert(key), !reference.has(key), `insert ${key}`);
      reference.add(key);
    } else {
      assert.equal(keys.remove(key), reference.delete(key), `remove ${key}`);
    }
    if (step % 100 === 0) {
      const start = `/k/${Math.floor(random() * 300)}`;
      const exclusive = random() < 0.5;
      const expected = sorted().filter((k) => (exclusive ? k > start : k >= start));
      assert.deepEqual(
        [...keys.from(start, { exclusive })],
        expected,
        `from ${start} exclusive=${exclusive}`,
      );
    }
  }
  assert.equal(keys.size, reference.size);
  assert.deepEqual([...keys.from("")], sorted());
  keys.clear();
  assert.deepEqual([...keys.from("")], []);
});
