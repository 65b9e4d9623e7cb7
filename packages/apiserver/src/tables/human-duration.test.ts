import assert from "node:assert/strict";
import { test } from "node:test";
import { humanDuration, timeSince } from "./human-duration.ts";

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

test("humanDuration follows kubectl's rounding at every boundary", () => {
  const cases: [ms: number, text: string][] = [
    [-2 * s, "<invalid>"],
    [-1999, "0s"],
    [-1 * s, "0s"],
    [-999, "0s"],
    [0, "0s"],
    [999, "0s"],
    [5 * s, "5s"],
    [119 * s, "119s"],
    [2 * m, "2m"],
    [3 * m + 2 * s, "3m2s"],
    [9 * m + 59 * s, "9m59s"],
    [10 * m + 30 * s, "10m"],
    [179 * m, "179m"],
    [3 * h, "3h"],
    [5 * h + 7 * m, "5h7m"],
    [7 * h + 59 * m, "7h59m"],
    [8 * h + 30 * m, "8h"],
    [47 * h, "47h"],
    [2 * d, "2d"],
    [3 * d + 4 * h, "3d4h"],
    [7 * d + 23 * h, "7d23h"],
    [8 * d + 5 * h, "8d"],
    [729 * d, "729d"],
    [2 * y, "2y"],
    [2 * y + 30 * d, "2y30d"],
    [7 * y + 364 * d, "7y364d"],
    [8 * y + 100 * d, "8y"],
    [30 * y, "30y"],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms}ms`);
});

test("timeSince measures to the given now and tolerates missing timestamps", () => {
  const now = new Date("2024-05-01T12:00:00Z");
  assert.equal(timeSince("2024-05-01T11:55:00Z", now), "5m");
  assert.equal(timeSince("2024-04-29T12:00:00Z", now), "2d");
  assert.equal(timeSince(undefined, now), "<unknown>");
  assert.equal(timeSince("", now), "<unknown>");
  assert.equal(timeSince("yesterday", now), "<unknown>");
  assert.equal(timeSince("2024-05-01T12:00:05Z", now), "<invalid>");
});
