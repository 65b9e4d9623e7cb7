/** Where an `EtcdStore` keeps its keys. */
export type EtcdStoreSpec = {
  /** Base URLs of etcd's client endpoints (`http://host:port`). */
  endpoints: string[];
  /** Prepended to every key; the store sees and returns keys without it. */
  prefix: string;
};

/** The key prefix when a spec names none, so the store's keys stay apart from a Kubernetes cluster's `/registry`. */
export const DEFAULT_ETCD_PREFIX = "/atoll";

/**
 * Parses the part of a store spec after `etcd:` —
 * `http://127.0.0.1:2379[,http://…][?prefix=/atoll]` — or throws an Error saying
 * what is wrong. Only plain http endpoints are accepted (etcd's TLS and auth are
 * not supported yet); `?prefix=` (may be empty) defaults to DEFAULT_ETCD_PREFIX.
 */
export function parseEtcdSpec(text: string): EtcdStoreSpec {
  const query = text.indexOf("?");
  const list = query >= 0 ? text.slice(0, query) : text;
  const params = new URLSearchParams(query >= 0 ? text.slice(query + 1) : "");
  for (const name of params.keys()) {
    if (name !== "prefix")
      throw new Error(`etcd store "${text}": unknown option "${name}" (expected prefix)`);
  }
  const endpoints = list.split(",").map((item) => endpointOf(item.trim(), text));
  return { endpoints, prefix: params.get("prefix") ?? DEFAULT_ETCD_PREFIX };
}

function endpointOf(item: string, spec: string): string {
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    throw new Error(`etcd store "${spec}": "${item}" is not a URL (expected http://host:port)`);
  }
  if (url.protocol !== "http:") {
    throw new Error(
      `etcd store "${spec}": ${url.protocol} endpoints are not supported (expected http://host:port)`,
    );
  }
  if (url.pathname !== "/" || url.search !== "" || url.username !== "") {
    throw new Error(`etcd store "${spec}": "${item}" must be just http://host:port`);
  }
  return url.origin;
}
