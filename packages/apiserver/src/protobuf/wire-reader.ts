import { ProtobufDecodeError } from "./decode-error.ts";

/** Protobuf wire types; groups (3, 4) are long deprecated but can still be skipped. */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

/** A field key read from the wire. */
export type FieldKey = { readonly field: number; readonly wireType: WireType };

const TWO_TO_32 = 4294967296;
const utf8 = new TextDecoder("utf-8");

/**
 * A cursor over protobuf wire-format bytes. Every read checks bounds and throws
 * a `ProtobufDecodeError` with reason `Malformed` (naming the offset) instead of
 * reading past the end. 64-bit integers are returned as numbers, exact up to 2^53.
 */
export class WireReader {
  readonly #buf: Uint8Array;
  readonly #end: number;
  #pos: number;
  // The two 32-bit halves of the last varint, kept in fields to avoid allocating.
  #lo = 0;
  #hi = 0;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  /** True once every byte has been read. */
  get done(): boolean {
    return this.#pos >= this.#end;
  }

  /** The current offset in the underlying buffer. */
  get offset(): number {
    return this.#pos;
  }

  /** Reads a field key; field numbers must be in 1..2^29-1. */
  key(): FieldKey {
    const at = this.#pos;
    this.#varint();
    const wireType = this.#lo & 7;
    const field = (this.#lo >>> 3) + (this.#hi & 0xffff) * 0x20000000;
    if (field < 1 || field > 0x1fffffff || this.#hi >>> 16 !== 0) {
      throw this.#malformed(`invalid field number ${field}`, at);
    }
    if (wireType > 5) throw this.#malformed(`invalid wire type ${wireType} for field ${field}`, at);
    return { field, wireType: wireType as WireType };
  }

  /** A varint as proto `int32`: the low 32 bits, signed. */
  int32(): number {
    this.#varint();
    return this.#lo | 0;
  }

  /** A varint as proto `uint32`. */
  uint32(): number {
    this.#varint();
    return this.#lo >>> 0;
  }

  /** A varint as proto `int64` (two's complement). */
  int64(): number {
    this.#varint();
    return (this.#hi | 0) * TWO_TO_32 + (this.#lo >>> 0);
  }

  /** A varint as proto `uint64`. */
  uint64(): number {
    this.#varint();
    return (this.#hi >>> 0) * TWO_TO_32 + (this.#lo >>> 0);
  }

  /** A varint as proto `bool`: any non-zero value is true. */
  bool(): boolean {
    this.#varint();
    return this.#lo !== 0 || this.#hi !== 0;
  }

  /** A little-endian IEEE 754 double (wire type 1). */
  double(): number {
    const at = this.#take(8);
    return new DataView(this.#buf.buffer, this.#buf.byteOffset + at, 8).getFloat64(0, true);
  }

  /** A little-endian IEEE 754 float (wire type 5). */
  float(): number {
    const at = this.#take(4);
    return new DataView(this.#buf.buffer, this.#buf.byteOffset + at, 4).getFloat32(0, true);
  }

  /** A little-endian unsigned 32-bit integer (wire type 5). */
  fixed32(): number {
    const at = this.#take(4);
    return new DataView(this.#buf.buffer, this.#buf.byteOffset + at, 4).getUint32(0, true);
  }

  /** A little-endian unsigned 64-bit integer (wire type 1). */
  fixed64(): number {
    const at = this.#take(8);
    const view = new DataView(this.#buf.buffer, this.#buf.byteOffset + at, 8);
    return view.getUint32(4, true) * TWO_TO_32 + view.getUint32(0, true);
  }

  /** A length-delimited payload, as a view into the buffer (not a copy). */
  bytes(): Uint8Array {
    const at = this.#pos;
    this.#varint();
    if (this.#hi !== 0) throw this.#malformed("length-delimited field is too long", at);
    const start = this.#take(this.#lo >>> 0);
    return this.#buf.subarray(start, this.#pos);
  }

  /** A length-delimited payload decoded as UTF-8 (invalid sequences become U+FFFD, as Go leaves them). */
  string(): string {
    return utf8.decode(this.bytes());
  }

  /** A reader over the next length-delimited payload (a sub-message or packed values). */
  sub(): WireReader {
    const payload = this.bytes();
    return new WireReader(this.#buf, this.#pos - payload.length, this.#pos);
  }

  /** Skips the value of a field whose key was just read. */
  skip(key: FieldKey): void {
    switch (key.wireType) {
      case WireType.Varint:
        this.#varint();
        return;
      case WireType.Fixed64:
        this.#take(8);
        return;
      case WireType.LengthDelimited:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.#take(4);
        return;
      case WireType.StartGroup:
        for (;;) {
          if (this.done) throw this.#malformed(`unterminated group ${key.field}`, this.#pos);
          const inner = this.key();
          if (inner.wireType === WireType.EndGroup) {
            if (inner.field !== key.field)
              throw this.#malformed(`mismatched end of group ${key.field}`, this.#pos);
            return;
          }
          this.skip(inner);
        }
      case WireType.EndGroup:
        throw this.#malformed(`unexpected end of group ${key.field}`, this.#pos);
    }
  }

  #varint(): void {
    const buf = this.#buf;
    const start = this.#pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0, shift = 0; i < 10; i++, shift += 7) {
      if (this.#pos >= this.#end) throw this.#malformed("truncated varint", start);
      const b = buf[this.#pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) {
        this.#lo = lo;
        this.#hi = hi;
        return;
      }
    }
    throw this.#malformed("varint longer than 10 bytes", start);
  }

  /** Advances past `n` bytes and returns where they start. */
  #take(n: number): number {
    const at = this.#pos;
    if (n > this.#end - at) throw this.#malformed(`truncated: needs ${n} bytes, ${this.#end - at} left`, at);
    this.#pos = at + n;
    return at;
  }

  #malformed(what: string, at: number): ProtobufDecodeError {
    return new ProtobufDecodeError("Malformed", `malformed protobuf at byte ${at}: ${what}`);
  }
}
