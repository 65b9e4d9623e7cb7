import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EvictionLimiter } from "./eviction-limiter.ts";

function fakeClock(start = 0) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe("eviction limiter", () => {
  test("one at once, then one per interval, in the order keys first asked", () => {
    const clock = fakeClock();
    const limiter = new EvictionLimiter({ perSecond: 2, clock });
    assert.deepEqual(limiter.take("a"), { granted: true });
    assert.deepEqual(limiter.take("b"), { granted: false, retryAt: new Date(500) });
    assert.deepEqual(limiter.take("c"), { granted: false, retryAt: new Date(1000) });
    // Asking again does not move a key back or forward.
    assert.deepEqual(limiter.take("b"), { granted: false, retryAt: new Date(500) });
    assert.equal(limiter.waiting, 2);
    clock.advance(500);
    assert.deepEqual(limiter.take("c"), { granted: false, retryAt: new Date(1000) });
    assert.deepEqual(limiter.take("b"), { granted: true });
    clock.advance(500);
    assert.deepEqual(limiter.take("c"), { granted: true });
    assert.equal(limiter.waiting, 0);
    assert.deepEqual(limiter.take("d"), { granted: false, retryAt: new Date(1500) });
  });

  test("a quiet spell refills only up to the burst", () => {
    const clock = fakeClock();
    const limiter = new EvictionLimiter({ perSecond: 10, burst: 3, clock });
    clock.advance(60_000);
    assert.deepEqual(
      ["a", "b", "c", "d"].map((k) => limiter.take(k).granted),
      [true, true, true, false],
    );
  });

  test("a released reservation lets the keys behind it move up", () => {
    const clock = fakeClock();
    const limiter = new EvictionLimiter({ perSecond: 1, clock });
    limiter.take("a");
    limiter.take("b");
    assert.deepEqual(limiter.take("c"), { granted: false, retryAt: new Date(2000) });
    limiter.release("b");
    assert.deepEqual(limiter.take("c"), { granted: false, retryAt: new Date(1000) });
    assert.deepEqual(limiter.take("d"), { granted: false, retryAt: new Date(2000) });
  });

  test("a rate of zero is refused", () => {
    assert.throws(() => new EvictionLimiter({ perSecond: 0, clock: fakeClock() }), RangeError);
  });
});
