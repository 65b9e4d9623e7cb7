import type { EtcdKv } from "./etcd-store-client.ts";
import type { KeyValue } from "./store.ts";

/**
 * Turns store keys into etcd keys under one prefix and back, and etcd's JSON
 * kvs (base64 bytes, int64 strings) into frozen `KeyValue`s.
 */
export class EtcdCodec {
  readonly #prefix: Buffer;

  constructor(prefix: string) {
    this.#prefix = Buffer.from(prefix, "utf8");
  }

  /** The etcd key (base64) of a store key. */
  key(key: string): string {
    return Buffer.concat([this.#prefix, Buffer.from(key, "utf8")]).toString("base64");
  }

  /**
   * The etcd range (base64 `key`, `range_end`) of every store key that starts
   * with `prefix` and is at or after `from` (default: `prefix`).
   */
  range(prefix: string, from = prefix): { key: string; range_end: string } {
    const start = Buffer.concat([this.#prefix, Buffer.from(from, "utf8")]);
    const end = prefixEnd(Buffer.concat([this.#prefix, Buffer.from(prefix, "utf8")]));
    // etcd has no empty key: "\0" is the smallest one.
    return { key: (start.length > 0 ? start : ZERO).toString("base64"), range_end: end.toString("base64") };
  }

  /** The store key of an etcd key (base64). */
  storeKey(etcdKey: string): string {
    return Buffer.from(etcdKey, "base64").subarray(this.#prefix.length).toString("utf8");
  }

  /** A live kv as the store returns it. */
  kv(kv: EtcdKv): KeyValue {
    return Object.freeze({
      key: this.storeKey(kv.key),
      value: Buffer.from(kv.value ?? "", "base64").toString("utf8"),
      createRevision: revisionOf(kv.create_revision),
      modRevision: revisionOf(kv.mod_revision),
    });
  }
}

const ZERO = Buffer.from([0]);

/** An int64 from etcd's JSON (a string, absent when 0). */
export function revisionOf(value: string | undefined): number {
  return value === undefined ? 0 : Number(value);
}

/**
 * The first byte string after every key that starts with `prefix`, as etcd
 * range ends go: the last byte below 0xff incremented, the rest dropped; "\0"
 * (every key) when there is none.
 */
export function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] += 1;
      return end;
    }
  }
  return ZERO;
}
