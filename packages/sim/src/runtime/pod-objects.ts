import { R } from "@atoll/kube";
import type { KubeClient } from "@atoll/kube/client";

/** A ConfigMap's or Secret's content as the kubelet sees it. */
export type KeyedData = {
  /** String values (ConfigMap `data`, Secret `data` decoded as UTF-8). */
  strings: ReadonlyMap<string, string>;
  /** Every key as bytes (ConfigMap `data` and `binaryData`, Secret `data`). */
  bytes: ReadonlyMap<string, Buffer>;
};

/**
 * Reads the ConfigMaps and Secrets of one pod's namespace, each at most once,
 * so all references made while preparing one container see one version.
 */
export class PodObjects {
  #client: KubeClient;
  #namespace: string;
  #cache = new Map<string, Promise<KeyedData | undefined>>();

  constructor(client: KubeClient, namespace: string) {
    this.#client = client;
    this.#namespace = namespace;
  }

  get namespace(): string {
    return this.#namespace;
  }

  /** The ConfigMap's content, or undefined when it does not exist. */
  configMap(name: string): Promise<KeyedData | undefined> {
    return this.#read("configmap", name);
  }

  /** The Secret's content, base64-decoded, or undefined when it does not exist. */
  secret(name: string): Promise<KeyedData | undefined> {
    return this.#read("secret", name);
  }

  #read(kind: "configmap" | "secret", name: string): Promise<KeyedData | undefined> {
    const key = `${kind}/${name}`;
    let pending = this.#cache.get(key);
    if (pending === undefined) {
      pending = this.#fetch(kind, name);
      this.#cache.set(key, pending);
    }
    return pending;
  }

  async #fetch(kind: "configmap" | "secret", name: string): Promise<KeyedData | undefined> {
    const resource = kind === "configmap" ? R.configmaps : R.secrets;
    const object = await this.#client.get(resource, this.#namespace, name);
    if (object === undefined) return undefined;
    const strings = new Map<string, string>();
    const bytes = new Map<string, Buffer>();
    const data = stringRecord(object.data);
    if (kind === "configmap") {
      for (const [key, value] of Object.entries(data)) {
        strings.set(key, value);
        bytes.set(key, Buffer.from(value, "utf8"));
      }
      for (const [key, value] of Object.entries(stringRecord(object.binaryData))) {
        bytes.set(key, Buffer.from(value, "base64"));
      }
    } else {
      for (const [key, value] of Object.entries(data)) {
        const decoded = Buffer.from(value, "base64");
        strings.set(key, decoded.toString("utf8"));
        bytes.set(key, decoded);
      }
    }
    return { strings, bytes };
  }
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === "string") out[key] = item;
  return out;
}
