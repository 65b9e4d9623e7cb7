import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { divideByWeight, divideWithCaps, type WeightEntry } from "./divide.ts";

const entries = (weights: Record<string, number>, extra: Record<string, Partial<WeightEntry>> = {}) =>
  Object.entries(weights).map(([name, weight]) => ({ name, weight, ...extra[name] }));

describe("divideByWeight", () => {
  const cases: Array<{ name: string; total: number; list: WeightEntry[]; want: Record<string, number> }> = [
    { name: "even", total: 9, list: entries({ a: 1, b: 1, c: 1 }), want: { a: 3, b: 3, c: 3 } },
    {
      name: "10 over 1:1:1: the first by name gets 4",
      total: 10,
      list: entries({ a: 1, b: 1, c: 1 }),
      want: { a: 4, b: 3, c: 3 },
    },
    { name: "11 over 1:1:1", total: 11, list: entries({ a: 1, b: 1, c: 1 }), want: { a: 4, b: 4, c: 3 } },
    { name: "9 over 1:2 (Karmada's table)", total: 9, list: entries({ a: 1, b: 2 }), want: { a: 3, b: 6 } },
    { name: "9 over 1:3 (Karmada's table)", total: 9, list: entries({ a: 1, b: 3 }), want: { a: 2, b: 7 } },
    {
      name: "largest remainder, not largest weight",
      total: 10,
      list: entries({ a: 5, b: 3, c: 2 }),
      // exact 5, 3, 2
      want: { a: 5, b: 3, c: 2 },
    },
    {
      name: "7 over 3:3:1: remainders .33/.33/.0",
      total: 7,
      list: entries({ a: 3, b: 3, c: 1 }),
      // exact 3, 3, 1
      want: { a: 3, b: 3, c: 1 },
    },
    {
      name: "5 over 2:2:3: remainders .43/.43/.14, the tie broken by name",
      total: 5,
      list: entries({ a: 2, b: 2, c: 3 }),
      // exact 1.43, 1.43, 2.14 → 1, 1, 2 and one leftover: a (remainder tie with b, same weight, name)
      want: { a: 2, b: 1, c: 2 },
    },
    {
      name: "equal remainders: the larger weight first",
      total: 2,
      list: entries({ a: 1, b: 3 }),
      // exact .5, 1.5 → 0, 1; leftover: remainders equal, b weighs more
      want: { a: 0, b: 2 },
    },
    {
      name: "equal remainders and weights: more previous replicas first",
      total: 10,
      list: entries({ a: 1, b: 1, c: 1 }, { c: { previous: 4 } }),
      want: { a: 3, b: 3, c: 4 },
    },
    { name: "weight 0 gets nothing", total: 5, list: entries({ a: 0, b: 1 }), want: { a: 0, b: 5 } },
    { name: "nothing to divide", total: 0, list: entries({ a: 1 }), want: { a: 0 } },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(Object.fromEntries(divideByWeight(c.total, c.list)), c.want));
  }
});

describe("divideWithCaps", () => {
  test("a capped entry is pinned and the rest re-divided by weight", () => {
    const list = entries({ a: 1, b: 1, c: 1 }, { a: { cap: 2 } });
    assert.deepEqual(Object.fromEntries(divideWithCaps(12, list) ?? []), { a: 2, b: 5, c: 5 });
  });
  test("a full entry (cap 0) gets nothing", () => {
    const list = entries({ a: 1, b: 1, c: 1 }, { c: { cap: 0 } });
    assert.deepEqual(Object.fromEntries(divideWithCaps(9, list) ?? []), { a: 5, b: 4, c: 0 });
  });
  test("caps that cascade", () => {
    const list = entries({ a: 4, b: 2, c: 1 }, { a: { cap: 3 }, b: { cap: 3 } });
    assert.deepEqual(Object.fromEntries(divideWithCaps(14, list) ?? []), { a: 3, b: 3, c: 8 });
  });
  test("not enough room: undefined", () => {
    assert.equal(divideWithCaps(10, entries({ a: 1, b: 1 }, { a: { cap: 3 }, b: { cap: 4 } })), undefined);
  });
});
