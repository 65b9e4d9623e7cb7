import assert from "node:assert/strict";
import { test } from "node:test";
import type { Shape } from "../schema/shape.ts";
import { compareObjects } from "./compare.ts";
import { fieldPaths, fieldSetOfPaths } from "./field-set.ts";
import { fieldSetOf } from "./field-set-of.ts";
import { deploymentShape, resolver } from "./fixtures.ts";
import { mergeApplied } from "./merge.ts";
import { removeFields } from "./remove.ts";

const keyed: Shape = {
  type: "struct",
  fields: {
    items: {
      type: "list",
      listType: "map",
      keys: ["name"],
      items: {
        type: "struct",
        fields: { name: { type: "scalar", scalar: "string" }, v: { type: "scalar", scalar: "integer" } },
      },
    },
  },
};

const names = (value: { items?: unknown }): unknown =>
  Array.isArray(value.items) ? value.items.map((item) => (item as { name: string }).name) : value.items;

test("merged lists keep the configuration's order and live items where they were", () => {
  const live = { items: [{ name: "a" }, { name: "b" }, { name: "c" }] };
  assert.deepEqual(names(mergeApplied(live, { items: [{ name: "c" }, { name: "a" }] }, keyed, resolver)), [
    "b",
    "c",
    "a",
  ]);
  assert.deepEqual(
    names(
      mergeApplied(
        { items: [{ name: "a" }, { name: "b" }] },
        { items: [{ name: "c" }, { name: "a" }] },
        keyed,
        resolver,
      ),
    ),
    ["c", "a", "b"],
  );
  const merged = mergeApplied(
    { items: [{ name: "a", v: 1 }] },
    { items: [{ name: "a", v: 2 }] },
    keyed,
    resolver,
  );
  assert.deepEqual(merged, { items: [{ name: "a", v: 2 }] });
});

test("a declared field set to null is claimed but left unset", () => {
  const config = { spec: { replicas: null } };
  assert.deepEqual(mergeApplied({ spec: { replicas: 3, paused: true } }, config, deploymentShape, resolver), {
    spec: { paused: true },
  });
  assert.deepEqual(fieldPaths(fieldSetOf(config, deploymentShape, resolver)), [["f:spec", "f:replicas"]]);
});

test("a comparison reports added, modified and removed paths, containers included", () => {
  const before = { metadata: { labels: { a: "1", b: "2" } }, spec: { replicas: 1 } };
  const after = {
    metadata: { labels: { a: "1", c: "3" } },
    spec: { replicas: 2, strategy: { type: "Recreate" } },
  };
  const { added, modified, removed } = compareObjects(before, after, deploymentShape, resolver);
  assert.deepEqual(fieldPaths(added), [
    ["f:metadata", "f:labels", "f:c"],
    ["f:spec", "f:strategy"],
    ["f:spec", "f:strategy", "f:type"],
  ]);
  assert.deepEqual(fieldPaths(modified), [["f:spec", "f:replicas"]]);
  assert.deepEqual(fieldPaths(removed), [["f:metadata", "f:labels", "f:b"]]);
});

test("removing paths takes subtrees and drops what they empty", () => {
  const object = {
    metadata: { name: "x", labels: { a: "1" } },
    spec: { template: { spec: { containers: [{ name: "a", image: "i" }, { name: "b" }] } } },
  };
  const removed = removeFields(
    object,
    fieldSetOfPaths([
      ["f:metadata", "f:labels", "f:a"],
      ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"a"}'],
    ]),
    deploymentShape,
    resolver,
  );
  assert.deepEqual(removed, {
    metadata: { name: "x" },
    spec: { template: { spec: { containers: [{ name: "b" }] } } },
  });
});
