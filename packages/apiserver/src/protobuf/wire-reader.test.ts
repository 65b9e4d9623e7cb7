import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProtobufDecodeError } from "./decode-error.ts";
import { WireReader, WireType } from "./wire-reader.ts";
import { WireWriter } from "./wire-writer.fixture.ts";

function readerOf(build: (writer: WireWriter) => void): WireReader {
  const writer = new WireWriter();
  build(writer);
  return new WireReader(writer.finish());
}

function malformed(pattern: RegExp): (error: unknown) => boolean {
  return (error) =>
    error instanceof ProtobufDecodeError && error.reason === "Malformed" && pattern.test(error.message);
}

describe("WireReader", () => {
  it("reads keys and varints of every width", () => {
    const reader = readerOf((w) =>
      w
        .varint(1, 0)
        .varint(2, 300)
        .varint(3, 2 ** 31 - 1)
        .varint(4, 2 ** 40 + 5)
        .varint(536870911, 1),
    );
    const values: Array<[number, number]> = [];
    while (!reader.done) {
      const key = reader.key();
      assert.equal(key.wireType, WireType.Varint);
      values.push([key.field, reader.int64()]);
    }
    assert.deepEqual(values, [
      [1, 0],
      [2, 300],
      [3, 2 ** 31 - 1],
      [4, 2 ** 40 + 5],
      [536870911, 1],
    ]);
  });

  it("reads negative int32 and int64 from ten-byte two's complement varints", () => {
    const reader = readerOf((w) =>
      w
        .varint(1, -1)
        .varint(2, -2147483648)
        .varint(3, -(2 ** 40)),
    );
    reader.key();
    assert.equal(reader.int32(), -1);
    reader.key();
    assert.equal(reader.int32(), -2147483648);
    reader.key();
    assert.equal(reader.int64(), -(2 ** 40));
    assert.ok(reader.done);
  });

  it("reads unsigned and boolean views of a varint", () => {
    const reader = readerOf((w) =>
      w
        .varint(1, 4294967295)
        .varint(2, 2n ** 52n)
        .varint(3, true)
        .varint(4, 0),
    );
    reader.key();
    assert.equal(reader.uint32(), 4294967295);
    reader.key();
    assert.equal(reader.uint64(), 2 ** 52);
    reader.key();
    assert.equal(reader.bool(), true);
    reader.key();
    assert.equal(reader.bool(), false);
  });

  it("reads doubles, floats and length-delimited values", () => {
    const reader = readerOf((w) =>
      w.double(1, -1.5).float(2, 0.25).string(3, "héllo").bytes(4, Uint8Array.of(0, 255)),
    );
    assert.deepEqual(reader.key(), { field: 1, wireType: WireType.Fixed64 });
    assert.equal(reader.double(), -1.5);
    assert.deepEqual(reader.key(), { field: 2, wireType: WireType.Fixed32 });
    assert.equal(reader.float(), 0.25);
    reader.key();
    assert.equal(reader.string(), "héllo");
    reader.key();
    assert.deepEqual([...reader.bytes()], [0, 255]);
    assert.ok(reader.done);
  });

  it("skips every wire type, groups included", () => {
    const reader = readerOf((w) =>
      w
        .varint(1, -7)
        .double(2, 1)
        .string(3, "x")
        .float(4, 1)
        .key(5, WireType.StartGroup)
        .varint(1, 1)
        .key(5, WireType.EndGroup)
        .varint(6, 42),
    );
    for (let i = 0; i < 5; i++) reader.skip(reader.key());
    assert.deepEqual(reader.key(), { field: 6, wireType: WireType.Varint });
    assert.equal(reader.int32(), 42);
  });

  it("gives sub-readers absolute offsets in errors", () => {
    const reader = readerOf((w) => w.string(1, "ab").bytes(2, Uint8Array.of(0x12, 0x05, 0x08)));
    reader.key();
    reader.string();
    reader.key();
    const inner = reader.sub();
    inner.key();
    assert.throws(() => inner.bytes(), malformed(/at byte 8: truncated: needs 5 bytes, 1 left/));
  });

  it("rejects truncated and over-long varints, bad keys and bad wire types", () => {
    assert.throws(() => new WireReader(Uint8Array.of(0x80, 0x80)).int32(), malformed(/truncated varint/));
    const eleven = new Uint8Array(11).fill(0xff);
    assert.throws(() => new WireReader(eleven).int64(), malformed(/varint longer than 10 bytes/));
    assert.throws(() => new WireReader(Uint8Array.of(0x00)).key(), malformed(/invalid field number 0/));
    assert.throws(() => new WireReader(Uint8Array.of(0x0e)).key(), malformed(/invalid wire type 6/));
    assert.throws(() => new WireReader(Uint8Array.of(0x01, 0x02)).double(), malformed(/needs 8 bytes/));
    const endGroup = new WireReader(Uint8Array.of(0x0c));
    assert.throws(() => endGroup.skip(endGroup.key()), malformed(/unexpected end of group 1/));
    const openGroup = new WireReader(Uint8Array.of(0x0b, 0x08, 0x01));
    assert.throws(() => openGroup.skip(openGroup.key()), malformed(/unterminated group 1/));
  });
});
