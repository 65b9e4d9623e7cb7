/** KubeSphere-style prefix: `/clusters/{name}/api/v1/pods`. */
export const CLUSTERS_PATH_PREFIX = "/clusters/";

/** Karmada-style prefix: `/apis/cluster.atoll.io/v1alpha1/memberclusters/{name}/proxy/api/v1/pods`. */
export const MEMBER_CLUSTERS_PATH_PREFIX = "/apis/cluster.atoll.io/v1alpha1/memberclusters/";

const PROXY_SUBRESOURCE = "proxy";

/** A request path addressed to a member: the member's name and the path to send it. */
export type ForwardPath = {
  cluster: string;
  /** The hub path up to and excluding `path`, e.g. `/clusters/k8s-1`. */
  prefix: string;
  /** The member path, always starting with `/` (`/` when nothing follows the prefix). */
  path: string;
};

/**
 * Recognises the two forwarding shapes in an already-normalised pathname
 * (`URL.pathname`, so `..` segments cannot climb out of the prefix).
 * Anything else, including a `memberclusters/{name}` path without the
 * `proxy` subresource, is not a forwarding path.
 */
export function parseForwardPath(pathname: string): ForwardPath | undefined {
  if (pathname.startsWith(CLUSTERS_PATH_PREFIX)) {
    return split(pathname, CLUSTERS_PATH_PREFIX.length, "");
  }
  if (pathname.startsWith(MEMBER_CLUSTERS_PATH_PREFIX)) {
    return split(pathname, MEMBER_CLUSTERS_PATH_PREFIX.length, PROXY_SUBRESOURCE);
  }
  return undefined;
}

function split(pathname: string, nameStart: number, subresource: string): ForwardPath | undefined {
  const nameEnd = endOfSegment(pathname, nameStart);
  const cluster = decodeSegment(pathname.slice(nameStart, nameEnd));
  if (!cluster) return undefined;
  let prefixEnd = nameEnd;
  if (subresource) {
    const subEnd = endOfSegment(pathname, nameEnd + 1);
    if (pathname.slice(nameEnd + 1, subEnd) !== subresource) return undefined;
    prefixEnd = subEnd;
  }
  return { cluster, prefix: pathname.slice(0, prefixEnd), path: pathname.slice(prefixEnd) || "/" };
}

function endOfSegment(pathname: string, from: number): number {
  const slash = pathname.indexOf("/", from);
  return slash < 0 ? pathname.length : slash;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment) || undefined;
  } catch {
    return undefined;
  }
}
