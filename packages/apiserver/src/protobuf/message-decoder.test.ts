import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProtobufDecodeError, type ProtobufDecodeReason } from "./decode-error.ts";
import type { DescriptorTable } from "./descriptors.ts";
import { type DecodeTables, decodeObject } from "./message-decoder.ts";
import { kubernetesBody, WireWriter } from "./wire-writer.fixture.ts";

const messages: DescriptorTable = {
  "test.v1.Sample": {
    1: { json: "name", type: "string", value: true },
    2: { json: "count", type: "int32" },
    3: { json: "size", type: "int64", value: true },
    4: { json: "ratio", type: "double" },
    5: { json: "scale", type: "float" },
    6: { json: "big", type: "uint64" },
    7: { json: "small", type: "uint32" },
    8: { json: "enabled", type: "bool", value: true },
    9: { json: "optional", type: "bool" },
    10: { json: "blob", type: "bytes" },
    11: { json: "ids", type: "int32", repeated: true },
    12: { json: "tags", type: "string", repeated: true },
    13: { json: "labels", type: "string", map: true },
    14: { json: "children", type: "test.v1.Child", map: true },
    15: { json: "child", type: "test.v1.Child", value: true },
    16: { json: "common", type: "test.v1.Child", value: true, inline: true },
    17: { json: "broken", type: "test.v1.Missing" },
    18: { json: "items", type: "test.v1.Child", repeated: true },
  },
  "test.v1.Child": {
    1: { json: "id", type: "string", value: true },
    2: { json: "amount", type: "quantity" },
    3: { json: "port", type: "int-or-string", value: true },
    4: { json: "at", type: "time", value: true },
    5: { json: "renewed", type: "micro-time" },
    6: { json: "timeout", type: "duration" },
    7: { json: "fields", type: "fields-v1" },
    8: { json: "extension", type: "raw-extension", value: true },
  },
};
const tables: DecodeTables = { messages, kinds: { "test.example.com/v1/Sample": "test.v1.Sample" } };

function decode(build: (writer: WireWriter) => void): Record<string, unknown> {
  const writer = new WireWriter();
  build(writer);
  const { object } = decodeObject(kubernetesBody("test.example.com/v1", "Sample", writer.finish()), tables);
  const { apiVersion, kind, ...fields } = object;
  assert.deepEqual([apiVersion, kind], ["test.example.com/v1", "Sample"]);
  return fields;
}

function rejects(reason: ProtobufDecodeReason, pattern: RegExp): (error: unknown) => boolean {
  return (error) =>
    error instanceof ProtobufDecodeError && error.reason === reason && pattern.test(error.message);
}

describe("decodeObject", () => {
  it("decodes scalars, keeping pointer zeros and dropping value zeros", () => {
    const fields = decode((w) =>
      w
        .string(1, "")
        .varint(2, 0)
        .varint(3, 0)
        .double(4, 0.5)
        .float(5, 1.25)
        .varint(6, 2n ** 40n)
        .varint(7, 4000000000)
        .varint(8, false)
        .varint(9, false)
        .bytes(10, Uint8Array.of(0, 1, 254, 255)),
    );
    assert.deepEqual(fields, {
      count: 0,
      ratio: 0.5,
      scale: 1.25,
      big: 2 ** 40,
      small: 4000000000,
      optional: false,
      blob: "AAH+/w==",
    });
  });

  it("keeps the last of a repeated singular field, and non-zero value fields", () => {
    assert.deepEqual(
      decode((w) => w.string(1, "first").string(1, "second").varint(3, -3).varint(8, true)),
      { name: "second", size: -3, enabled: true },
    );
  });

  it("reads repeated scalars packed or not, and leaves empty lists out", () => {
    assert.deepEqual(
      decode((w) => w.varint(11, 1).packed(11, [2, 3]).varint(11, -4).string(12, "a").string(12, "")),
      { ids: [1, 2, 3, -4], tags: ["a", ""] },
    );
    assert.deepEqual(
      decode((w) => w.packed(11, [])),
      {},
    );
  });

  it("reads maps, giving a missing value its zero", () => {
    const fields = decode((w) =>
      w
        .entry(13, "app", "web")
        .message(13, (e) => e.string(1, "empty"))
        .message(14, (e) => e.string(1, "a").message(2, (c) => c.string(1, "x")))
        .message(14, (e) => e.string(1, "b")),
    );
    assert.deepEqual(fields, {
      labels: { app: "web", empty: "" },
      children: { a: { id: "x" }, b: {} },
    });
  });

  it("keeps messages on the wire even when empty and merges inline ones into the parent", () => {
    const fields = decode((w) => w.message(15, () => {}).message(16, (c) => c.string(1, "inlined")));
    assert.deepEqual(fields, { child: {}, id: "inlined" });
  });

  it("decodes the apimachinery well-known types", () => {
    const fields = decode((w) =>
      w.message(15, (c) =>
        c
          .message(2, (q) => q.string(1, "1500m"))
          .message(3, (i) => i.varint(1, 1).string(3, "http"))
          .message(4, (t) => t.varint(1, 1700000000).varint(2, 999))
          .message(5, (t) => t.varint(1, 1700000000).varint(2, 123456789))
          .message(6, (d) => d.varint(1, 90_500_000_000n))
          .message(7, (f) => f.string(1, '{"f:metadata":{"f:name":{}}}'))
          .message(8, (r) => r.string(1, '{"kind":"Thing","n":1}')),
      ),
    );
    assert.deepEqual(fields.child, {
      amount: "1500m",
      port: "http",
      at: "2023-11-14T22:13:20Z",
      renewed: "2023-11-14T22:13:20.123456Z",
      timeout: "1m30.5s",
      fields: { "f:metadata": { "f:name": {} } },
      extension: { kind: "Thing", n: 1 },
    });
  });

  it("decodes empty and zero well-known values as Go marshals them", () => {
    const fields = decode((w) =>
      w
        .message(18, (c) =>
          c
            .message(2, () => {})
            .message(3, (i) => i.varint(2, 8080))
            .message(4, (t) => t.varint(1, 0)),
        )
        .message(18, (c) =>
          c
            .message(4, (t) => t.varint(1, -62135596800))
            .message(5, () => {})
            .message(6, () => {})
            .message(8, () => {}),
        ),
    );
    assert.deepEqual(fields.items, [
      { amount: "0", port: 8080, at: "1970-01-01T00:00:00Z" },
      { at: null, renewed: null, timeout: "0s", extension: null },
    ]);
  });

  it("decodes a RawExtension holding a nested protobuf object", () => {
    const nested = kubernetesBody(
      "test.example.com/v1",
      "Sample",
      new WireWriter().string(1, "inner").finish(),
    );
    const fields = decode((w) => w.message(15, (c) => c.message(8, (r) => r.bytes(1, nested))));
    assert.deepEqual(fields.child, {
      extension: { apiVersion: "test.example.com/v1", kind: "Sample", name: "inner" },
    });
  });

  it("skips unknown fields of every wire type", () => {
    const fields = decode((w) =>
      w.varint(99, 5).string(100, "x").double(101, 1).float(102, 1).string(1, "kept"),
    );
    assert.deepEqual(fields, { name: "kept" });
  });

  it("names the message and JSON path it could not decode", () => {
    assert.throws(
      () => decode((w) => w.message(18, () => {}).message(18, (c) => c.varint(1, 5))),
      (error) =>
        rejects("Malformed", /wire type 0 where the field's type needs 2 \(at items\[1\]\.id\)/)(error),
    );
    assert.throws(
      () => decode((w) => w.message(17, () => {})),
      rejects("UnknownMessage", /no descriptor for message test\.v1\.Missing at broken/),
    );
    assert.throws(
      () => decode((w) => w.message(15, (c) => c.message(8, (r) => r.string(1, "{nope")))),
      rejects("Malformed", /RawExtension does not hold JSON \(at child\.extension\)/),
    );
    assert.throws(
      () => decode((w) => w.raw([0x0a, 0x05, 0x61])),
      rejects("Malformed", /truncated.*\(at name\)/),
    );
  });

  it("rejects bodies it cannot take", () => {
    const raw = new WireWriter().string(1, "x").finish();
    assert.throws(() => decodeObject(Buffer.from('{"kind":"Pod"}'), tables), rejects("Malformed", /k8s\\0/));
    assert.throws(
      () => decodeObject(kubernetesBody("v1", "Pod", raw), tables),
      rejects("UnknownKind", /v1, Kind=Pod/),
    );
    assert.throws(
      () => decodeObject(kubernetesBody("", "", raw), tables),
      rejects("Malformed", /no apiVersion or kind/),
    );
    assert.throws(
      () =>
        decodeObject(
          kubernetesBody("test.example.com/v1", "Sample", raw, { contentEncoding: "gzip" }),
          tables,
        ),
      rejects("Unsupported", /content encoding gzip/),
    );
    assert.throws(
      () =>
        decodeObject(
          kubernetesBody("test.example.com/v1", "Sample", raw, { contentType: "application/json" }),
          tables,
        ),
      rejects("Unsupported", /content type application\/json/),
    );
    const truncated = kubernetesBody("test.example.com/v1", "Sample", raw).subarray(0, 20);
    assert.throws(() => decodeObject(truncated, tables), rejects("Malformed", /truncated/));
  });
});
