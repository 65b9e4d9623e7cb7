import assert from "node:assert/strict";
import { test } from "node:test";
import { applyTaintChanges, parseTaintArgument } from "./taint.ts";

test("taint arguments read as kubectl taint reads them", () => {
  assert.deepEqual(parseTaintArgument("dedicated=db:NoSchedule"), {
    remove: false,
    taint: { key: "dedicated", value: "db", effect: "NoSchedule" },
  });
  assert.deepEqual(parseTaintArgument("example.com/maint:NoExecute"), {
    remove: false,
    taint: { key: "example.com/maint", effect: "NoExecute" },
  });
  assert.deepEqual(parseTaintArgument("dedicated:NoSchedule-"), {
    remove: true,
    key: "dedicated",
    effect: "NoSchedule",
  });
  assert.deepEqual(parseTaintArgument("dedicated-"), { remove: true, key: "dedicated" });
  assert.throws(() => parseTaintArgument("dedicated=db"), /needs an effect/);
  assert.throws(() => parseTaintArgument("dedicated:Sometimes"), /invalid taint effect/);
  assert.throws(() => parseTaintArgument("bad key:NoSchedule"), /invalid taint key/);
});

test("adding replaces the same key and effect; removing an absent taint is an error", () => {
  const current = [
    { key: "dedicated", value: "db", effect: "NoSchedule" as const },
    { key: "dedicated", effect: "NoExecute" as const },
  ];
  assert.deepEqual(applyTaintChanges(current, [parseTaintArgument("dedicated=web:NoSchedule")]), [
    { key: "dedicated", effect: "NoExecute" },
    { key: "dedicated", value: "web", effect: "NoSchedule" },
  ]);
  assert.deepEqual(applyTaintChanges(current, [parseTaintArgument("dedicated-")]), []);
  assert.throws(() => applyTaintChanges(current, [parseTaintArgument("other-")]), /not found/);
});
