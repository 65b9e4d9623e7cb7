import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatGoDuration } from "./well-known.ts";

describe("formatGoDuration", () => {
  it("prints what Go's time.Duration.String prints", () => {
    const cases: Array<[bigint, string]> = [
      [0n, "0s"],
      [1n, "1ns"],
      [1_500n, "1.5µs"],
      [1_000_000n, "1ms"],
      [2_250_000n, "2.25ms"],
      [1_500_000_000n, "1.5s"],
      [60_000_000_000n, "1m0s"],
      [3_600_000_000_000n, "1h0m0s"],
      [3_661_001_000_000n, "1h1m1.001s"],
      [-90_000_000_000n, "-1m30s"],
      [9_223_372_036_854_775_807n, "2562047h47m16.854775807s"],
    ];
    for (const [nanoseconds, expected] of cases)
      assert.equal(formatGoDuration(nanoseconds), expected, `${nanoseconds}ns`);
  });
});
