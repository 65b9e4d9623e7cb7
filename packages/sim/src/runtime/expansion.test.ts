import assert from "node:assert/strict";
import { test } from "node:test";
import { expandWith } from "./expansion.ts";
import { milliValue, parseQuantity, wholeValue } from "./quantity.ts";

test("$(VAR) expansion follows Kubernetes' rules", () => {
  const vars = new Map([
    ["HOST", "10.0.0.1"],
    ["PORT", "80"],
    ["EMPTY", ""],
  ]);
  const cases: Array<[string, string]> = [
    ["$(HOST):$(PORT)", "10.0.0.1:80"],
    ["$(MISSING)-x", "$(MISSING)-x"],
    ["$$(HOST)", "$(HOST)"],
    ["$$$(HOST)", "$10.0.0.1"],
    ["a$$b", "a$b"],
    ["$HOST", "$HOST"],
    ["cost: 5$", "cost: 5$"],
    ["$(HOST", "$(HOST"],
    ["[$(EMPTY)]", "[]"],
    ["$()", "$()"],
    ["$(PORT)$(PORT)", "8080"],
    ["no refs", "no refs"],
  ];
  for (const [input, want] of cases) assert.equal(expandWith(input, vars), want, input);
});

test("quantities parse with decimal and binary suffixes and round up like Quantity", () => {
  assert.equal(parseQuantity("500m"), 0.5);
  assert.equal(parseQuantity("2Gi"), 2 * 1024 ** 3);
  assert.equal(parseQuantity("1e3"), 1000);
  assert.equal(parseQuantity("128M"), 128e6);
  assert.equal(milliValue("0.1"), 100);
  assert.equal(milliValue("1.0001"), 1001);
  assert.equal(wholeValue("1.5"), 2);
  assert.throws(() => parseQuantity("12 apples"), /invalid quantity/);
});
