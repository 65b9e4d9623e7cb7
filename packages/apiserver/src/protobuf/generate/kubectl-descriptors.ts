import { inflateRawSync, constants as zlib } from "node:zlib";

const GZIP_MAGIC = [0x1f, 0x8b, 0x08] as const;
/** Large enough for the biggest Kubernetes descriptor (core/v1 is ~75 KB uncompressed). */
const MAX_COMPRESSED = 1 << 20;
const PREFIX = "k8s.io/";
const SUFFIX = "/generated.proto";

/**
 * Finds the `FileDescriptorProto`s that gogo-protobuf compiles into every
 * Kubernetes Go binary (one gzipped blob per `generated.proto`, registered with
 * `proto.RegisterFile`), keyed by file name such as
 * `k8s.io/api/core/v1/generated.proto`. These are Kubernetes' own
 * `generated.proto` files in compiled form, with gogo's `nullable` options kept.
 */
export function extractFileDescriptors(binary: Uint8Array): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  const bytes = Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength);
  for (let at = bytes.indexOf(GZIP_MAGIC[0]); at >= 0; at = bytes.indexOf(GZIP_MAGIC[0], at + 1)) {
    if (bytes[at + 1] !== GZIP_MAGIC[1] || bytes[at + 2] !== GZIP_MAGIC[2]) continue;
    const data = tryGunzip(bytes.subarray(at, at + MAX_COMPRESSED));
    const name = descriptorName(data);
    if (data !== undefined && name !== undefined && !found.has(name)) found.set(name, data);
  }
  return found;
}

/**
 * Inflates one gzip member. Go writes a bare 10-byte header (no name, no
 * extra fields); inflating the raw deflate stream stops at its end, where
 * `gunzip` would run on into a neighbouring member and concatenate the two.
 */
function tryGunzip(compressed: Uint8Array): Uint8Array | undefined {
  const GZIP_HEADER = 10;
  if (compressed[3] !== 0) return undefined;
  try {
    // SYNC_FLUSH tolerates a window that ends before the stream does.
    return inflateRawSync(compressed.subarray(GZIP_HEADER), { finishFlush: zlib.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
}

/** The `name` (field 1) of a FileDescriptorProto, if `data` looks like a Kubernetes one. */
function descriptorName(data: Uint8Array | undefined): string | undefined {
  if (data === undefined || data.length < 2 || data[0] !== 0x0a) return undefined;
  const length = data[1];
  if (length >= 0x80 || length + 2 > data.length) return undefined;
  const name = Buffer.from(data.subarray(2, 2 + length)).toString("latin1");
  return name.startsWith(PREFIX) && name.endsWith(SUFFIX) ? name : undefined;
}
