import { CLUSTER_RESOURCE_BINDINGS, RESOURCE_BINDINGS, type ResourceBinding } from "@atoll/api";
import type { Controller, Informer, KubeObject, ResourceId } from "@atoll/kube";
import { objectKeyOf, splitKey } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";

/**
 * Queue keys cover both binding kinds: `rb:<namespace>/<name>` for a
 * ResourceBinding, `crb:<name>` for a ClusterResourceBinding.
 */
const KINDS = { rb: RESOURCE_BINDINGS, crb: CLUSTER_RESOURCE_BINDINGS } as const;
type Tag = keyof typeof KINDS;

/** Where one binding lives, for writes. */
export type BindingRef = { resource: ResourceId; namespace: string | undefined; name: string };

/** A binding as the cache holds it, with its key and address. Treat `binding` as immutable. */
export type CachedBinding = { key: string; ref: BindingRef; binding: ResourceBinding };

/**
 * ResourceBindings and ClusterResourceBindings as one keyed set, read from
 * the shared hub informers, so each failover controller runs one queue over
 * both kinds.
 */
export class Bindings {
  #informers: Record<Tag, Informer>;

  constructor(context: PropagationContext) {
    this.#informers = {
      rb: context.hubInformers.informer(RESOURCE_BINDINGS),
      crb: context.hubInformers.informer(CLUSTER_RESOURCE_BINDINGS),
    };
  }

  /** Enqueues `controller` on every change of either kind. */
  feed(controller: Controller): void {
    for (const tag of Object.keys(KINDS) as Tag[]) {
      controller.watches(this.#informers[tag], (o) => [keyOf(tag, o)]);
    }
  }

  get(key: string): CachedBinding | undefined {
    const colon = key.indexOf(":");
    const tag = key.slice(0, colon);
    if (tag !== "rb" && tag !== "crb") return undefined;
    const object = this.#informers[tag].get(key.slice(colon + 1));
    if (!object) return undefined;
    const { namespace, name } = splitKey(key.slice(colon + 1));
    return { key, ref: { resource: KINDS[tag], namespace, name }, binding: object as ResourceBinding };
  }

  /** Every cached binding of both kinds. */
  *all(): Generator<CachedBinding> {
    for (const tag of Object.keys(KINDS) as Tag[]) {
      for (const object of this.#informers[tag].list()) {
        const key = keyOf(tag, object);
        const { namespace, name } = object.metadata;
        yield {
          key,
          ref: { resource: KINDS[tag], namespace, name: name ?? "" },
          binding: object as ResourceBinding,
        };
      }
    }
  }
}

function keyOf(tag: Tag, object: KubeObject): string {
  return `${tag}:${objectKeyOf(object)}`;
}

/** `ResourceBinding default/web-deployment`, for error messages. */
export function describeRef(ref: BindingRef): string {
  return `${ref.resource.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}
