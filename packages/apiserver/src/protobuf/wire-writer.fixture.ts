/**
 * A protobuf encoder for tests, written independently of `WireReader` so the
 * two check each other. Fields are appended in call order.
 */
export class WireWriter {
  readonly #chunks: number[] = [];

  /** A varint field (int32, int64, uint*, bool); negative numbers take ten bytes, as in Go. */
  varint(field: number, value: number | bigint | boolean): this {
    this.#key(field, 0);
    this.#varint(typeof value === "boolean" ? (value ? 1n : 0n) : BigInt(value));
    return this;
  }

  /** A length-delimited field holding UTF-8 text. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A length-delimited field holding raw bytes. */
  bytes(field: number, value: Uint8Array): this {
    this.#key(field, 2);
    this.#varint(BigInt(value.length));
    this.#chunks.push(...value);
    return this;
  }

  /** A length-delimited field holding a nested message. */
  message(field: number, build: (writer: WireWriter) => void): this {
    const inner = new WireWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** A map entry {key=1, value=2} with a string value. */
  entry(field: number, key: string, value: string): this {
    return this.message(field, (entry) => entry.string(1, key).string(2, value));
  }

  /** A double (wire type 1). */
  double(field: number, value: number): this {
    this.#key(field, 1);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.#chunks.push(...bytes);
    return this;
  }

  /** A float (wire type 5). */
  float(field: number, value: number): this {
    this.#key(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.#chunks.push(...bytes);
    return this;
  }

  /** Packed varints in one length-delimited field. */
  packed(field: number, values: ReadonlyArray<number>): this {
    const inner = new WireWriter();
    for (const value of values) inner.#varint(BigInt(value));
    return this.bytes(field, inner.finish());
  }

  /** An arbitrary key, for malformed input. */
  key(field: number, wireType: number): this {
    this.#key(field, wireType);
    return this;
  }

  /** Raw bytes appended as they are. */
  raw(bytes: ArrayLike<number>): this {
    this.#chunks.push(...Array.from(bytes));
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#chunks);
  }

  #key(field: number, wireType: number): void {
    this.#varint(BigInt(field) * 8n + BigInt(wireType));
  }

  #varint(value: bigint): void {
    let rest = BigInt.asUintN(64, value);
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      this.#chunks.push(rest === 0n ? low : low | 0x80);
    } while (rest !== 0n);
  }
}

/** A whole Kubernetes protobuf body: `k8s\0` and a runtime.Unknown around `raw`. */
export function kubernetesBody(
  apiVersion: string,
  kind: string,
  raw: Uint8Array,
  extra: { contentEncoding?: string; contentType?: string } = {},
): Buffer {
  const unknown = new WireWriter()
    .message(1, (typeMeta) => typeMeta.string(1, apiVersion).string(2, kind))
    .bytes(2, raw)
    .string(3, extra.contentEncoding ?? "")
    .string(4, extra.contentType ?? "");
  return Buffer.concat([Buffer.from("k8s\0", "latin1"), unknown.finish()]);
}
