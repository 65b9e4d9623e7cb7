/** What a request addresses, parsed from its path as kube-apiserver's RequestInfoFactory does. */
export type RequestInfo =
  | { kind: "nonResource"; path: string }
  | {
      kind: "resource";
      /** "" for the core group. */
      group: string;
      version: string;
      namespace: string | undefined;
      resource: string;
      name: string | undefined;
      subresource: string | undefined;
      /** True for the legacy `/watch/` path form. */
      watchPath: boolean;
    }
  /** `/api/v1`, `/apis/apps/v1`: a group version's resource list. */
  | { kind: "groupVersion"; group: string; version: string }
  /** `/apis/apps`: one group. */
  | { kind: "group"; group: string };

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

export function parseRequestPath(pathname: string): RequestInfo {
  const parts = pathname.split("/").filter((p) => p !== "");
  let rest: string[];
  let group: string;
  if (parts[0] === "api") {
    if (parts.length < 2) return { kind: "nonResource", path: pathname };
    group = "";
    rest = parts.slice(1);
  } else if (parts[0] === "apis") {
    if (parts.length < 2) return { kind: "nonResource", path: pathname };
    if (parts.length === 2) return { kind: "group", group: parts[1] };
    group = parts[1];
    rest = parts.slice(2);
  } else {
    return { kind: "nonResource", path: pathname };
  }
  const version = rest[0];
  let segments = rest.slice(1);
  if (segments.length === 0) return { kind: "groupVersion", group, version };
  let watchPath = false;
  if (segments[0] === "watch") {
    watchPath = true;
    segments = segments.slice(1);
  }
  let namespace: string | undefined;
  if (segments[0] === "namespaces" && segments.length >= 2) {
    namespace = segments[1];
    if (segments.length > 2 && !NAMESPACE_SUBRESOURCES.has(segments[2])) {
      segments = segments.slice(2);
    } else {
      // The namespace object itself (or its status/finalize subresource).
      return {
        kind: "resource",
        group,
        version,
        namespace: undefined,
        resource: "namespaces",
        name: segments[1],
        subresource: segments[2],
        watchPath,
      };
    }
  }
  return {
    kind: "resource",
    group,
    version,
    namespace,
    resource: segments[0],
    name: segments[1],
    subresource: segments[2],
    watchPath,
  };
}
