/**
 * Keeps client-side apply's annotation in step when `kubectl` switches to
 * server-side apply, so a later client-side apply does not undo it.
 */
import { goJson, isObject, type JsonObject } from "./json-value.ts";

/** The annotation client-side `kubectl apply` keeps its last configuration in. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** The field manager `kubectl apply --server-side` uses by default; only it syncs the annotation. */
export const KUBECTL_FIELD_MANAGER = "kubectl";

/** Annotations (keys and values) may total at most this many bytes. */
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/**
 * When `manager` is `kubectl` and `object` carries the annotation, rewrites
 * it to the applied configuration (without the annotation), encoded as
 * kube-apiserver encodes it: sorted keys and a trailing newline. If that would
 * overflow the annotation size limit, the annotation is dropped instead.
 */
export function syncLastApplied(object: JsonObject, applied: JsonObject, manager: string): JsonObject {
  if (manager !== KUBECTL_FIELD_MANAGER) return object;
  const metadata = isObject(object.metadata) ? object.metadata : undefined;
  const annotations = isObject(metadata?.annotations) ? metadata.annotations : undefined;
  if (!metadata || !annotations || !(LAST_APPLIED_ANNOTATION in annotations)) return object;

  const next: JsonObject = {
    ...annotations,
    [LAST_APPLIED_ANNOTATION]: `${goJson(withoutAnnotation(applied))}\n`,
  };
  const size = Object.entries(next).reduce(
    (total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(String(value)),
    0,
  );
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) delete next[LAST_APPLIED_ANNOTATION];
  return { ...object, metadata: { ...metadata, annotations: next } };
}

function withoutAnnotation(applied: JsonObject): JsonObject {
  const metadata = applied.metadata;
  if (!isObject(metadata) || !isObject(metadata.annotations)) return applied;
  const { [LAST_APPLIED_ANNOTATION]: _, ...annotations } = metadata.annotations;
  return { ...applied, metadata: { ...metadata, annotations } };
}
