import assert from "node:assert/strict";
import { test } from "node:test";
import type { Random } from "@atoll/kube";
import { RangeAllocator, rangeOffset } from "./range-allocator.ts";

const draws = (...values: number[]): Random => {
  let i = 0;
  return { next: () => values[i++ % values.length], uuid: () => "" };
};

test("the static band is size/step clamped to [min, max], as kube-apiserver computes it", () => {
  assert.equal(rangeOffset(16382, { min: 16, max: 256, step: 16 }), 256);
  assert.equal(rangeOffset(2768, { min: 16, max: 128, step: 32 }), 86);
  assert.equal(rangeOffset(254, { min: 16, max: 256, step: 16 }), 16);
  assert.equal(rangeOffset(10, { min: 16, max: 256, step: 16 }), 0);
});

test("random-offset allocation prefers the upper band and falls back to the lower one", () => {
  const allocator = new RangeAllocator([[100, 109]], { kind: "random-offset", offset: 4, random: draws(0) });
  const upper = Array.from({ length: 6 }, () => allocator.allocate("svc"));
  assert.deepEqual(upper, [104, 105, 106, 107, 108, 109]);
  assert.deepEqual([allocator.allocate("svc"), allocator.allocate("svc")], [100, 101]);
  assert.equal(allocator.claim(102, "other"), "claimed");
  assert.equal(allocator.allocate("svc"), 103);
  assert.equal(allocator.allocate("svc"), undefined, "full");
  assert.equal(allocator.used, 10);
});

test("claims are per owner; release only frees what the owner holds", () => {
  const allocator = new RangeAllocator([[1, 5]], { kind: "random-offset", offset: 0, random: draws(0.99) });
  assert.equal(allocator.claim(3, "a"), "claimed");
  assert.equal(allocator.claim(3, "a"), "held");
  assert.equal(allocator.claim(3, "b"), "taken");
  assert.equal(allocator.claim(9, "b"), "out-of-range");
  allocator.release(3, "b");
  assert.equal(allocator.ownerOf(3), "a");
  assert.equal(allocator.releases, 0);
  allocator.release(3, "a");
  assert.equal(allocator.ownerOf(3), undefined);
  assert.equal(allocator.releases, 1);
  assert.equal(
    allocator.allocate("c", (v) => v === 5),
    1,
    "a random start at the end wraps, skipping avoided values",
  );
});

test("lowest-first allocation walks the ranges in order, as MetalLB's pools", () => {
  const allocator = new RangeAllocator(
    [
      [10, 11],
      [20, 21],
    ],
    { kind: "lowest-first" },
  );
  assert.deepEqual(
    [allocator.allocate("a"), allocator.allocate("b"), allocator.allocate("c", (v) => v === 20)],
    [10, 11, 21],
  );
  assert.equal(allocator.contains(15), false);
  assert.equal(allocator.allocate("d"), 20);
  assert.equal(allocator.allocate("e"), undefined);
});
