import {
  apiVersionOf,
  type Informer,
  type KubeClient,
  type KubeObject,
  type OwnerReference,
  type ResourceId,
  StatusError,
} from "@atoll/kube";

export { apiVersionOf };

/** The ownerReference a controller puts on what it creates: `controller: true, blockOwnerDeletion: true`. */
export function controllerRefTo(owner: KubeObject, resource: ResourceId): OwnerReference {
  return {
    apiVersion: apiVersionOf(resource),
    kind: resource.kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The object's controlling ownerReference, if any. */
export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** `[namespace/name]` of the object's controller when it is of `kind`, else `[]`: maps child events to owner keys. */
export function controllerKeyOf(object: KubeObject, kind: string): string[] {
  const ref = controllerOf(object);
  if (!ref || ref.kind !== kind) return [];
  const namespace = object.metadata.namespace;
  return [namespace ? `${namespace}/${ref.name}` : ref.name];
}

function isNotFound(error: unknown): boolean {
  return error instanceof StatusError && error.reason === "NotFound";
}

const CONTROLLER_INDEX = "atoll.io/controller-uid";
const ORPHAN_INDEX = "atoll.io/orphans-by-namespace";

/**
 * What may be `owner`'s children in `informer`: the objects it controls and
 * the orphans of its namespace (adoption candidates), read from two indexes
 * instead of scanning the namespace — a namespace with a thousand
 * Deployments would otherwise cost a thousand ReplicaSets per sync.
 */
export function childCandidates(informer: Informer, owner: KubeObject): KubeObject[] {
  informer.addIndexer(CONTROLLER_INDEX, (o) => {
    const ref = controllerOf(o);
    return ref ? [ref.uid] : [];
  });
  informer.addIndexer(ORPHAN_INDEX, (o) =>
    !controllerOf(o) && o.metadata.namespace ? [o.metadata.namespace] : [],
  );
  return [
    ...informer.byIndex(CONTROLLER_INDEX, owner.metadata.uid ?? ""),
    ...informer.byIndex(ORPHAN_INDEX, owner.metadata.namespace ?? ""),
  ];
}

/** What `claimChildren` reconciles ownership over. */
export type ClaimOptions = {
  client: KubeClient;
  /** The children's resource (pods, replicasets). */
  resource: ResourceId;
  owner: KubeObject;
  ownerResource: ResourceId;
  /** Everything in the owner's namespace that might be a child. */
  candidates: KubeObject[];
  /** Whether a child belongs under this owner (its selector, and for StatefulSets its name). */
  matches(child: KubeObject): boolean;
  fieldManager: string;
  /** Added to a child's finalizers when it is adopted (the Job tracking finalizer). */
  adoptFinalizer?: string;
};

/**
 * The children an owner controls, after reconciling ownership as Kubernetes'
 * `ControllerRefManager.Claim*` does: orphans that match are adopted (unless
 * the owner or the orphan is being deleted, and only after a fresh read
 * confirms the owner still exists), controlled children that no longer match
 * are released, and children of other controllers are left alone. Writes
 * carry the child's resourceVersion, so a stale view fails with Conflict.
 */
export async function claimChildren(options: ClaimOptions): Promise<KubeObject[]> {
  const { client, resource, owner, candidates, matches, fieldManager } = options;
  const uid = owner.metadata.uid;
  const namespace = owner.metadata.namespace;
  const ownerDeleting = owner.metadata.deletionTimestamp !== undefined;
  let canAdopt: boolean | undefined;
  const claimed: KubeObject[] = [];
  for (const child of candidates) {
    const ref = controllerOf(child);
    const name = child.metadata.name ?? "";
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches(child)) {
        claimed.push(child);
      } else if (!ownerDeleting && !child.metadata.deletionTimestamp) {
        const owners = (child.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        const patch = {
          metadata: { ownerReferences: owners, resourceVersion: child.metadata.resourceVersion },
        };
        try {
          await client.patch(resource, namespace, name, "merge", patch, { fieldManager });
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      continue;
    }
    if (ownerDeleting || child.metadata.deletionTimestamp || !matches(child)) continue;
    canAdopt ??= await ownerStillLive(options);
    if (!canAdopt) continue;
    const owners = [...(child.metadata.ownerReferences ?? []), controllerRefTo(owner, options.ownerResource)];
    const metadata: Record<string, unknown> = {
      ownerReferences: owners,
      resourceVersion: child.metadata.resourceVersion,
    };
    const finalizers = child.metadata.finalizers ?? [];
    if (options.adoptFinalizer && !finalizers.includes(options.adoptFinalizer)) {
      metadata.finalizers = [...finalizers, options.adoptFinalizer];
    }
    try {
      claimed.push(await client.patch(resource, namespace, name, "merge", { metadata }, { fieldManager }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return claimed;
}

/** A quorum read before adopting: the cached owner may already be gone or replaced. */
async function ownerStillLive(options: ClaimOptions): Promise<boolean> {
  const { owner } = options;
  const fresh = await options.client.get(
    options.ownerResource,
    owner.metadata.namespace,
    owner.metadata.name ?? "",
  );
  return (
    fresh !== undefined && fresh.metadata.uid === owner.metadata.uid && !fresh.metadata.deletionTimestamp
  );
}
