import assert from "node:assert/strict";
import { test } from "node:test";
import { concrete, type Shape, type ShapeResolver } from "./shape.ts";

test("concrete follows references to the named shape", () => {
  const named: Record<string, Shape> = {
    a: { type: "ref", name: "b" },
    b: { type: "scalar", scalar: "string" },
  };
  const resolver: ShapeResolver = { resolve: (name) => named[name] ?? assert.fail(`unknown ${name}`) };
  assert.deepEqual(concrete({ type: "ref", name: "a" }, resolver), { type: "scalar", scalar: "string" });
});

test("concrete refuses a reference cycle", () => {
  const resolver: ShapeResolver = { resolve: () => ({ type: "ref", name: "self" }) };
  assert.throws(() => concrete({ type: "ref", name: "self" }, resolver), /cycle/);
});
