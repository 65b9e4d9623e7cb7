import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PrinterColumn, ResourceType } from "../resources/resource-type.ts";
import { printerFor, toTable } from "./index.ts";

const now = new Date("2024-05-01T12:00:00Z");

function resource(group: string, plural: string, printerColumns?: PrinterColumn[]): ResourceType {
  return {
    group,
    version: "v1",
    kind: "Thing",
    listKind: "ThingList",
    plural,
    singular: plural.slice(0, -1),
    shortNames: [],
    categories: [],
    namespaced: true,
    verbs: [],
    subresources: {},
    shape: { type: "struct", fields: {}, open: true },
    ...(printerColumns ? { printerColumns } : {}),
  };
}

const configMap = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name: "settings",
    namespace: "shop",
    uid: "u-1",
    resourceVersion: "42",
    creationTimestamp: "2024-05-01T11:59:00Z",
  },
  data: { mode: "fast" },
};

describe("toTable", () => {
  test("a list: Table envelope, list metadata, and PartialObjectMetadata rows by default", () => {
    const table = toTable(resource("", "configmaps"), [configMap], {
      now,
      listMeta: { resourceVersion: "77", continue: "", remainingItemCount: 0 },
    });
    assert.deepEqual(table, {
      kind: "Table",
      apiVersion: "meta.k8s.io/v1",
      metadata: { resourceVersion: "77", remainingItemCount: 0 },
      columnDefinitions: table.columnDefinitions,
      rows: [
        {
          cells: ["settings", 1, "60s"],
          object: {
            kind: "PartialObjectMetadata",
            apiVersion: "meta.k8s.io/v1",
            metadata: configMap.metadata,
          },
        },
      ],
    });
    assert.deepEqual(
      table.columnDefinitions.map(({ name, type, format, priority }) => ({ name, type, format, priority })),
      [
        { name: "Name", type: "string", format: "name", priority: 0 },
        { name: "Data", type: "string", format: "", priority: 0 },
        { name: "Age", type: "string", format: "", priority: 0 },
      ],
    );
    for (const column of table.columnDefinitions) assert.equal(typeof column.description, "string");
  });

  test("includeObject None and Object", () => {
    const none = toTable(resource("", "configmaps"), [configMap], { now, includeObject: "None" });
    assert.equal("object" in none.rows[0], false);
    const full = toTable(resource("", "configmaps"), [configMap], { now, includeObject: "Object" });
    assert.equal(full.rows[0].object, configMap);
  });

  test("a single object's table carries its resourceVersion; continue tokens pass through", () => {
    assert.deepEqual(toTable(resource("", "configmaps"), [configMap], { now }).metadata, {
      resourceVersion: "42",
    });
    assert.deepEqual(toTable(resource("", "configmaps"), [], { now }).metadata, {});
    const page = toTable(resource("", "configmaps"), [], {
      now,
      listMeta: { resourceVersion: "9", continue: "abc", remainingItemCount: 12 },
    });
    assert.deepEqual(page.metadata, { resourceVersion: "9", continue: "abc", remainingItemCount: 12 });
  });

  test("row conditions are kept", () => {
    const pod = { metadata: { name: "done" }, status: { phase: "Succeeded" } };
    const table = toTable(resource("", "pods"), [pod], { now, includeObject: "None" });
    assert.equal(table.rows[0].conditions?.[0].reason, "Succeeded");
  });

  test("kinds without a printer get Name and Created At", () => {
    const role = { metadata: { name: "reader", creationTimestamp: "2024-04-30T08:15:00.000Z" } };
    for (const [group, plural] of [
      ["rbac.authorization.k8s.io", "roles"],
      ["rbac.authorization.k8s.io", "clusterroles"],
      ["apiextensions.k8s.io", "customresourcedefinitions"],
    ]) {
      const table = toTable(resource(group, plural), [role, { metadata: { name: "new" } }], {
        now,
        includeObject: "None",
      });
      assert.deepEqual(
        table.columnDefinitions.map((c) => [c.name, c.type, c.format]),
        [
          ["Name", "string", "name"],
          ["Created At", "date", ""],
        ],
      );
      assert.deepEqual(
        table.rows.map((r) => r.cells),
        [
          ["reader", "2024-04-30T08:15:00Z"],
          ["new", "0001-01-01T00:00:00Z"],
        ],
      );
    }
  });

  test("dispatch is by group and plural", () => {
    assert.equal(printerFor(resource("apps", "deployments")).columns[1].name, "Ready");
    assert.equal(printerFor(resource("apps", "replicasets")).columns[1].name, "Desired");
    assert.equal(printerFor(resource("example.com", "deployments")).columns[1].name, "Created At");
  });
});

describe("custom resources", () => {
  const widget = {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: {
      name: "w1",
      namespace: "shop",
      creationTimestamp: "2024-05-01T09:00:00Z",
      labels: { app: "shop" },
    },
    spec: { replicas: 3, ratio: 0.25, big: 1234567.5, paused: false, endpoints: { a: 1, "<b>": [2] } },
    status: {
      phase: "Ready",
      observedAt: "2024-05-01T11:30:00Z",
      conditions: [
        { type: "Synced", status: "True" },
        { type: "Ready", status: "False" },
      ],
    },
  };

  test("no printer columns: Name and Age", () => {
    const table = toTable(resource("example.com", "widgets", []), [widget], { now, includeObject: "None" });
    assert.deepEqual(
      table.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ["Name", "string", "name", 0],
        ["Age", "date", "", 0],
      ],
    );
    assert.deepEqual(table.rows[0].cells, ["w1", "3h"]);
  });

  test("printer columns are evaluated and typed", () => {
    const columns: PrinterColumn[] = [
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      { name: "Replicas", type: "integer", jsonPath: ".spec.replicas", description: "Desired replicas" },
      { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: "App", type: "string", jsonPath: ".metadata.labels.app", priority: 1 },
      { name: "Ratio", type: "number", jsonPath: ".spec.ratio" },
      { name: "Paused", type: "boolean", jsonPath: ".spec.paused" },
      { name: "Observed", type: "date", jsonPath: ".status.observedAt" },
      { name: "Missing", type: "string", jsonPath: ".status.nothing" },
      { name: "Wrong", type: "integer", jsonPath: ".status.phase" },
      { name: "Replicas Text", type: "string", jsonPath: ".spec.replicas" },
      { name: "Big", type: "string", jsonPath: ".spec.big" },
      { name: "Endpoints", type: "string", jsonPath: ".spec.endpoints" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ];
    const table = toTable(resource("example.com", "widgets", columns), [widget], {
      now,
      includeObject: "None",
    });
    assert.deepEqual(table.columnDefinitions[1], {
      name: "Phase",
      type: "string",
      format: "",
      description: "Custom resource definition column (in JSONPath format): .status.phase",
      priority: 0,
    });
    assert.equal(table.columnDefinitions[2].description, "Desired replicas");
    assert.equal(table.columnDefinitions[4].priority, 1);
    assert.deepEqual(table.rows[0].cells, [
      "w1",
      "Ready",
      3,
      "False",
      "shop",
      0.25,
      false,
      "30m",
      null,
      null,
      "3",
      "1.2345675e+06",
      '{"\\u003cb\\u003e":[2],"a":1}',
      "3h",
    ]);
  });

  test("a column whose path cannot be parsed stays empty", () => {
    const table = toTable(
      resource("example.com", "widgets", [{ name: "Bad", type: "string", jsonPath: "status" }]),
      [widget],
      {
        now,
        includeObject: "None",
      },
    );
    assert.deepEqual(table.rows[0].cells, ["w1", null]);
  });

  test("invalid and empty dates", () => {
    const columns: PrinterColumn[] = [{ name: "When", type: "date", jsonPath: ".status.when" }];
    const at = (when: unknown) =>
      toTable(resource("example.com", "widgets", columns), [{ metadata: { name: "x" }, status: { when } }], {
        now,
      }).rows[0].cells[1];
    assert.equal(at("tomorrow"), "<invalid>");
    assert.equal(at(""), "<unknown>");
    assert.equal(at(5), null);
    assert.equal(at("2024-05-01T11:00:00+01:00"), "120m");
  });
});
