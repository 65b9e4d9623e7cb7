import { readFile } from "node:fs/promises";
import {
  AtollAnnotations,
  AtollNamespaces,
  KUBECONFIG_SECRET,
  MEMBER_CLUSTERS,
  type MemberCluster,
} from "@atoll/api";
import { Pool } from "undici";

/** No single request of the benchmark should take this long; one that does fails rather than hangs. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The MemberCluster collection's path on the hub. */
export const MEMBER_CLUSTERS_PATH = `/apis/${MEMBER_CLUSTERS.group}/${MEMBER_CLUSTERS.version}/${MEMBER_CLUSTERS.resource}`;
const SECRETS_PATH = `/api/v1/namespaces/${AtollNamespaces.hubSystem}/secrets`;

/** A request the hub answered outside 2xx. */
export class HubRequestError extends Error {
  readonly status: number;
  constructor(method: string, path: string, status: number, text: string) {
    super(`${method} ${path}: HTTP ${status} ${text.slice(0, 300)}`);
    this.status = status;
  }
}

/**
 * Writes what `atoll join` writes (a kubeconfig Secret in atoll-system and a
 * MemberCluster pointing at it) and unjoins, over a pool of keep-alive
 * connections to the hub; `connections` bounds requests on the wire at once.
 */
export class HubClient {
  #pool: Pool;

  constructor(url: string, connections: number) {
    this.#pool = new Pool(url, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
  }

  /** Sends a JSON request; returns the parsed reply, throwing HubRequestError outside 2xx. */
  async send(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<unknown> {
    const response = await this.#pool.request({
      method: method as "GET",
      path,
      headers: body === undefined ? {} : { "content-type": contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300)
      throw new HubRequestError(method, path, response.statusCode, text);
    return text ? JSON.parse(text) : undefined;
  }

  /** Creates atoll-system unless it exists. */
  async ensureSystemNamespace(): Promise<void> {
    const body = { apiVersion: "v1", kind: "Namespace", metadata: { name: AtollNamespaces.hubSystem } };
    try {
      await this.send("POST", "/api/v1/namespaces", body);
    } catch (error) {
      if (!(error instanceof HubRequestError && error.status === 409)) throw error;
    }
  }

  /** Stores a member's kubeconfig as `atoll join` does; returns the Secret's name. */
  async putKubeconfigSecret(member: string, kubeconfigPath: string): Promise<string> {
    const name = `member-${member}`;
    const text = await readFile(kubeconfigPath);
    await this.send("POST", SECRETS_PATH, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: AtollNamespaces.hubSystem },
      type: KUBECONFIG_SECRET.type,
      data: { [KUBECONFIG_SECRET.key]: text.toString("base64") },
    });
    return name;
  }

  /** Creates the MemberCluster `name` joining the member whose kubeconfig is in Secret `secretName`. */
  async createMemberCluster(name: string, secretName: string): Promise<void> {
    const mc: MemberCluster = {
      apiVersion: `${MEMBER_CLUSTERS.group}/${MEMBER_CLUSTERS.version}`,
      kind: MEMBER_CLUSTERS.kind,
      metadata: { name },
      spec: {
        kubeconfig: {
          secretRef: { namespace: AtollNamespaces.hubSystem, name: secretName },
          key: KUBECONFIG_SECRET.key,
        },
      },
    };
    await this.send("POST", MEMBER_CLUSTERS_PATH, mc);
  }

  /** Unjoins without draining (what the hub placed stays): the MemberCluster goes once the finalizer is released. */
  async unjoinOrphan(name: string): Promise<void> {
    const path = `${MEMBER_CLUSTERS_PATH}/${name}`;
    await this.send(
      "PATCH",
      path,
      { metadata: { annotations: { [AtollAnnotations.unjoinPolicy]: "orphan" } } },
      "application/merge-patch+json",
    );
    await this.send("DELETE", path);
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
