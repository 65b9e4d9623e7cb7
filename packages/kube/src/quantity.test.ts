import assert from "node:assert/strict";
import { test } from "node:test";
import { milliValue, parseQuantity } from "./quantity.ts";

test("quantities in every notation", () => {
  assert.equal(parseQuantity("100m"), 0.1);
  assert.equal(parseQuantity("2"), 2);
  assert.equal(parseQuantity("1Gi"), 2 ** 30);
  assert.equal(parseQuantity("100M"), 1e8);
  assert.equal(parseQuantity("1.5Ki"), 1536);
  assert.equal(parseQuantity("2e3"), 2000);
  assert.equal(parseQuantity(3), 3);
  assert.equal(milliValue("250m"), 250);
  assert.equal(milliValue("1"), 1000);
  assert.throws(() => parseQuantity("12 apples"), /quantities must match/);
});
