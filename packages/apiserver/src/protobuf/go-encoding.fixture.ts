import type { WireWriter } from "./wire-writer.fixture.ts";

/**
 * Test helpers that write messages the way client-go's gogo-generated
 * marshalers do: value (non-pointer) fields always, empty or not. Field
 * numbers are written out by hand from Kubernetes' generated.proto.
 */

/** `metav1.ObjectMeta` as a Go client writes it for a new object. */
export function objectMeta(
  w: WireWriter,
  meta: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  },
): void {
  w.string(1, meta.name)
    .string(2, "")
    .string(3, meta.namespace ?? "")
    .string(4, "")
    .string(5, "")
    .string(6, "")
    .varint(7, 0)
    .message(8, () => {});
  for (const [key, value] of Object.entries(meta.labels ?? {})) w.entry(11, key, value);
  for (const [key, value] of Object.entries(meta.annotations ?? {})) w.entry(12, key, value);
}

/** `core.v1.Container` with its value fields, as in `kubectl run`. */
export function container(
  w: WireWriter,
  spec: { name: string; image: string; extra?: (w: WireWriter) => void; resources?: (w: WireWriter) => void },
): void {
  w.string(1, spec.name).string(2, spec.image).string(5, "");
  spec.extra?.(w);
  w.message(8, (r) => spec.resources?.(r))
    .string(13, "")
    .string(14, "")
    .varint(16, false)
    .varint(17, false)
    .varint(18, false)
    .string(20, "");
}

/** `core.v1.ContainerPort` for a container port. */
export function containerPort(w: WireWriter, port: number): void {
  w.string(1, "").varint(2, 0).varint(3, port).string(4, "").string(5, "");
}

/** The value fields of `core.v1.PodSpec` after its containers. */
export function podSpecTail(w: WireWriter, spec: { restartPolicy: string; dnsPolicy: string }): void {
  w.string(3, spec.restartPolicy).string(6, spec.dnsPolicy).string(8, "").string(9, "").string(10, "");
  w.varint(11, false)
    .varint(12, false)
    .varint(13, false)
    .string(16, "")
    .string(17, "")
    .string(19, "")
    .string(24, "");
}

/** An empty `core.v1.PodStatus`, value fields and all. */
export function emptyPodStatus(w: WireWriter): void {
  for (const field of [1, 3, 4, 5, 6, 9, 11, 14]) w.string(field, "");
}

/** A `resource.Quantity`. */
export function quantity(w: WireWriter, value: string): void {
  w.string(1, value);
}

/** A map<string, Quantity> entry. */
export function quantityEntry(w: WireWriter, field: number, key: string, value: string): void {
  w.message(field, (e) => e.string(1, key).message(2, (q) => quantity(q, value)));
}
