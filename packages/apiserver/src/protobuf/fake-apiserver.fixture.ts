import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeKubernetesProtobuf, isKubernetesProtobuf } from "./index.ts";

/** A request body the fake server received. */
export type RecordedBody = { method: string; path: string; contentType: string; body: Buffer };

type Resource = readonly [plural: string, kind: string, namespaced: boolean, verbs?: readonly string[]];

const CRUD = ["create", "delete", "get", "list", "patch", "update", "watch"];

/** Just enough discovery for kubectl's create, run, expose and delete commands. */
const RESOURCES: Readonly<Record<string, readonly Resource[]>> = {
  v1: [
    ["configmaps", "ConfigMap", true],
    ["namespaces", "Namespace", false],
    ["nodes", "Node", false],
    ["pods", "Pod", true],
    ["pods/eviction", "Eviction", true, ["create"]],
    ["resourcequotas", "ResourceQuota", true],
    ["secrets", "Secret", true],
    ["serviceaccounts", "ServiceAccount", true],
    ["serviceaccounts/token", "TokenRequest", true, ["create"]],
    ["services", "Service", true],
  ],
  "apps/v1": [
    ["deployments", "Deployment", true],
    ["replicasets", "ReplicaSet", true],
  ],
  "batch/v1": [
    ["cronjobs", "CronJob", true],
    ["jobs", "Job", true],
  ],
  "rbac.authorization.k8s.io/v1": [
    ["clusterrolebindings", "ClusterRoleBinding", false],
    ["clusterroles", "ClusterRole", false],
    ["rolebindings", "RoleBinding", true],
    ["roles", "Role", true],
  ],
  "policy/v1": [["poddisruptionbudgets", "PodDisruptionBudget", true]],
  "scheduling.k8s.io/v1": [["priorityclasses", "PriorityClass", false]],
  "networking.k8s.io/v1": [["ingresses", "Ingress", true]],
};

/**
 * A stand-in for kube-apiserver that serves discovery, records every request
 * body, decodes protobuf bodies with `decodeKubernetesProtobuf` and answers
 * with the decoded object as JSON (what kubectl prints for `--dry-run=server`).
 * A body it cannot decode gets a 415 Status naming the error.
 */
export class FakeApiServer {
  readonly bodies: RecordedBody[] = [];
  readonly #server: Server;
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
    this.#server = createServer((request, response) => this.#handle(request, response));
  }

  /** Starts on a free loopback port, with a kubeconfig for it in a new temporary directory. */
  static async start(): Promise<FakeApiServer> {
    const fake = new FakeApiServer(await mkdtemp(join(tmpdir(), "atoll-protobuf-")));
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    const { port } = fake.#server.address() as AddressInfo;
    await writeFile(join(fake.#dir, "kubeconfig"), kubeconfig(`http://127.0.0.1:${port}`));
    return fake;
  }

  /** Runs kubectl against this server with a throwaway kubeconfig and cache. */
  kubectl(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const all = [
      "--kubeconfig",
      join(this.#dir, "kubeconfig"),
      "--cache-dir",
      join(this.#dir, "cache"),
      ...args,
    ];
    return new Promise((resolve) => {
      execFile("kubectl", all, { timeout: 60_000, cwd: this.#dir }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Stops the server and removes its temporary directory. */
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await rm(this.#dir, { recursive: true, force: true });
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = new URL(request.url ?? "/", "http://localhost").pathname;
      const method = request.method ?? "GET";
      const body = Buffer.concat(chunks);
      const contentType = request.headers["content-type"] ?? "";
      if (body.length > 0) this.bodies.push({ method, path, contentType, body });
      const [code, answer] = method === "GET" ? discovery(path) : decodeBody(contentType, body);
      response.writeHead(code, { "content-type": "application/json" });
      response.end(JSON.stringify(answer));
    });
  }
}

/** Answers kubectl's discovery requests. */
function discovery(path: string): [number, object] {
  if (path === "/version") return [200, { major: "1", minor: "32", gitVersion: "v1.32.4" }];
  if (path === "/api") return [200, { kind: "APIVersions", versions: ["v1"] }];
  if (path === "/apis") return [200, groupList()];
  const groupVersion = path === "/api/v1" ? "v1" : path.replace(/^\/apis\//, "");
  const resources = RESOURCES[groupVersion];
  if (resources === undefined) return [404, status(404, `no ${path}`)];
  return [200, resourceList(groupVersion, resources)];
}

/** Answers a write with the object decoded from its protobuf body, as a dry run would. */
function decodeBody(contentType: string, body: Buffer): [number, object] {
  if (!isKubernetesProtobuf(contentType)) return [415, status(415, `not protobuf: ${contentType}`)];
  try {
    const { object, kind } = decodeKubernetesProtobuf(body);
    if (kind === "TokenRequest")
      object.status = { token: "fake-token", expirationTimestamp: "2030-01-01T00:00:00Z" };
    return [kind === "DeleteOptions" ? 200 : 201, object];
  } catch (error) {
    return [415, status(415, error instanceof Error ? error.message : String(error))];
  }
}

function groupList(): object {
  const groups = Object.keys(RESOURCES)
    .filter((groupVersion) => groupVersion !== "v1")
    .map((groupVersion) => {
      const [name, version] = groupVersion.split("/");
      const versionEntry = { groupVersion, version };
      return { name, versions: [versionEntry], preferredVersion: versionEntry };
    });
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

function resourceList(groupVersion: string, resources: readonly Resource[]): object {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion,
    resources: resources.map(([name, kind, namespaced, verbs]) => ({
      name,
      singularName: name.includes("/") ? "" : kind.toLowerCase(),
      namespaced,
      kind,
      verbs: verbs ?? CRUD,
    })),
  };
}

function status(code: number, message: string): object {
  const reason = code === 404 ? "NotFound" : "UnsupportedMediaType";
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

function kubeconfig(server: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: fake",
    "  cluster:",
    `    server: ${server}`,
    "users:",
    "- name: fake",
    "  user: {}",
    "contexts:",
    "- name: fake",
    "  context: {cluster: fake, user: fake, namespace: default}",
    "current-context: fake",
    "",
  ].join("\n");
}
