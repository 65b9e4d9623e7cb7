import type { ResourceType } from "./resource-type.ts";

/** A group with its served versions, the first being the preferred one. */
export type ServedGroup = { name: string; versions: string[] };

/**
 * The live set of served resources: the built-ins plus those defined by
 * established CRDs. Discovery and OpenAPI read it; the CRD controller changes it.
 */
export class ResourceCatalog {
  #byPath = new Map<string, ResourceType>();
  /** Resource sets contributed by an owner (a CRD name, or "builtin"). */
  #owners = new Map<string, ResourceType[]>();
  #listeners = new Set<() => void>();
  #generation = 0;

  /** Replaces everything `owner` contributed with `types` (empty removes them). */
  set(owner: string, types: ResourceType[]): void {
    for (const old of this.#owners.get(owner) ?? [])
      this.#byPath.delete(pathKey(old.group, old.version, old.plural));
    if (types.length === 0) this.#owners.delete(owner);
    else this.#owners.set(owner, types);
    for (const type of types) this.#byPath.set(pathKey(type.group, type.version, type.plural), type);
    this.#generation++;
    for (const listener of this.#listeners) listener();
  }

  /** Increments on every change, for caches of derived documents. */
  get generation(): number {
    return this.#generation;
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.#byPath.get(pathKey(group, version, plural));
  }

  /** The resource of `group` with this kind, in `version` if given (else the preferred version). */
  findKind(group: string, kind: string, version?: string): ResourceType | undefined {
    const candidates = this.all().filter((t) => t.group === group && t.kind === kind);
    if (version) return candidates.find((t) => t.version === version);
    const preferred = this.groups().find((g) => g.name === group)?.versions[0];
    return candidates.find((t) => t.version === preferred) ?? candidates[0];
  }

  all(): ResourceType[] {
    return [...this.#byPath.values()];
  }

  /** Resources of one group version, in registration order. */
  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }

  /** Served groups (core "" first), each with versions ordered by Kubernetes version priority. */
  groups(): ServedGroup[] {
    const versions = new Map<string, Set<string>>();
    for (const type of this.#byPath.values()) {
      const set = versions.get(type.group) ?? new Set<string>();
      versions.set(type.group, set);
      set.add(type.version);
    }
    return [...versions.entries()].map(([name, set]) => ({
      name,
      versions: [...set].sort(compareKubeVersions),
    }));
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function pathKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes version priority: GA > beta > alpha, higher numbers first, then
 * non-conforming names alphabetically.
 */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = KUBE_VERSION.exec(v);
    if (!m) return undefined;
    const stability = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (ra && rb) {
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
    return 0;
  }
  if (ra) return -1;
  if (rb) return 1;
  return a.localeCompare(b);
}
