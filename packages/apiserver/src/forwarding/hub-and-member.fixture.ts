import { type ChildProcessByStdio, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { ClientRequest, IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { notFound, StatusError } from "../api/errors.ts";
import { ApiServer } from "../api-server.ts";
import { tokenAuthenticator } from "../http/auth.ts";
import { openStore } from "../storage/index.ts";
import type { Store } from "../storage/store.ts";
import { loadOrCreateServingPki } from "../tls/pki.ts";
import { CLUSTERS_PATH_PREFIX, MEMBER_CLUSTERS_PATH_PREFIX } from "./forward-path.ts";
import type { ForwardingResolver, ForwardTarget } from "./forwarding-resolver.ts";

export const HUB_TOKEN = "hub-token";
export const MEMBER_TOKEN = "member-token";

/** A resolver over a map the test changes; unknown names are NotFound as a missing MemberCluster would be. */
export class MapResolver implements ForwardingResolver {
  readonly targets = new Map<string, ForwardTarget | StatusError>();
  calls = 0;

  async resolve(name: string): Promise<ForwardTarget> {
    this.calls++;
    const target = this.targets.get(name);
    if (target instanceof StatusError) throw target;
    if (!target) throw notFound({ group: "cluster.atoll.io", resource: "memberclusters", name });
    return target;
  }
}

export type KubectlResult = { code: number; stdout: string; stderr: string };

/** A member API server, a hub forwarding to it, and a kubeconfig with one context per way in. */
export type HubAndMember = {
  dir: string;
  member: ApiServer;
  hub: ApiServer;
  resolver: MapResolver;
  hubCaPem: string;
  memberTarget: ForwardTarget;
  /** Contexts: hub, k8s-1 (`/clusters/k8s-1`), karmada (`…/memberclusters/k8s-1/proxy`), down, ghost. */
  kubectl(
    args: string[],
    options?: { context?: string; input?: string; timeoutMs?: number },
  ): Promise<KubectlResult>;
  /** A long-running kubectl (`get -w`); kill it when done. */
  spawnKubectl(args: string[], context: string): ChildProcessByStdio<null, Readable, Readable>;
  stop(): Promise<void>;
};

/** Starts both servers over TLS with bearer tokens; the hub's resolver maps k8s-1, down and nothing else. */
export async function startHubAndMember(): Promise<HubAndMember> {
  const dir = await mkdtemp(join(tmpdir(), "atoll-forwarding-"));
  const now = new Date();
  const memberPki = await loadOrCreateServingPki(join(dir, "member-pki"), {
    commonName: "k8s-1",
    hosts: ["127.0.0.1"],
    now,
  });
  const hubPki = await loadOrCreateServingPki(join(dir, "hub-pki"), {
    commonName: "hub",
    hosts: ["127.0.0.1"],
    now,
  });
  const stores: Store[] = [await openStore("memory"), await openStore("memory")];
  const member = await ApiServer.start({
    store: stores[0],
    tls: memberPki.serving,
    authenticator: tokenAuthenticator(
      new Map([[MEMBER_TOKEN, { name: "atoll-hub", uid: "1", groups: ["system:masters"] }]]),
    ),
  });
  const resolver = new MapResolver();
  const memberTarget: ForwardTarget = {
    server: member.url,
    caPem: memberPki.ca.certPem,
    token: MEMBER_TOKEN,
  };
  resolver.targets.set("k8s-1", memberTarget);
  resolver.targets.set(
    "down",
    new StatusError("ServiceUnavailable", "member down is disabled: its MemberCluster has spec.disabled set"),
  );
  const hub = await ApiServer.start({
    store: stores[1],
    tls: hubPki.serving,
    authenticator: tokenAuthenticator(
      new Map([[HUB_TOKEN, { name: "alice", uid: "2", groups: ["system:masters"] }]]),
    ),
    forwarding: resolver,
  });
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(kubeconfig, kubeconfigText(hub.url, hubPki.ca.certPem));
  const base = (context: string) => [
    "--kubeconfig",
    kubeconfig,
    "--cache-dir",
    join(dir, "cache"),
    "--context",
    context,
  ];
  return {
    dir,
    member,
    hub,
    resolver,
    hubCaPem: hubPki.ca.certPem,
    memberTarget,
    kubectl: (args, options = {}) => runKubectl([...base(options.context ?? "k8s-1"), ...args], options),
    spawnKubectl: (args, context) =>
      spawn("kubectl", [...base(context), ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }),
    async stop() {
      await hub.stop();
      await member.stop();
      for (const store of stores) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function kubeconfigText(hubUrl: string, caPem: string): string {
  const ca = Buffer.from(caPem).toString("base64");
  const servers: Record<string, string> = {
    hub: hubUrl,
    "k8s-1": `${hubUrl}${CLUSTERS_PATH_PREFIX}k8s-1`,
    karmada: `${hubUrl}${MEMBER_CLUSTERS_PATH_PREFIX}k8s-1/proxy`,
    down: `${hubUrl}${CLUSTERS_PATH_PREFIX}down`,
    ghost: `${hubUrl}${CLUSTERS_PATH_PREFIX}ghost`,
  };
  const lines = ["apiVersion: v1", "kind: Config", "clusters:"];
  for (const [name, server] of Object.entries(servers)) {
    lines.push(
      `- name: ${name}`,
      "  cluster:",
      `    server: ${server}`,
      `    certificate-authority-data: ${ca}`,
    );
  }
  lines.push("users:", "- name: alice", `  user: {token: ${HUB_TOKEN}}`, "contexts:");
  for (const name of Object.keys(servers)) {
    lines.push(`- name: ${name}`, `  context: {cluster: ${name}, user: alice, namespace: default}`);
  }
  lines.push("current-context: hub", "");
  return lines.join("\n");
}

function runKubectl(args: string[], options: { input?: string; timeoutMs?: number }): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      "kubectl",
      args,
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end(options.input);
  });
}

/** Everything `stream` has written so far, and a wait for a pattern in it. */
export function outputOf(stream: Readable): {
  readonly text: string;
  until(pattern: RegExp, timeoutMs?: number): Promise<string>;
} {
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return {
    get text() {
      return text;
    },
    async until(pattern, timeoutMs = 10_000) {
      await eventually(
        () => `output matches ${pattern} (output so far: ${JSON.stringify(text)})`,
        () => pattern.test(text),
        timeoutMs,
      );
      return text;
    },
  };
}

/** Polls `condition` every 20 ms until it holds; rejects after `timeoutMs` naming `what`. */
export async function eventually(
  what: string | (() => string),
  condition: () => boolean,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting until ${typeof what === "string" ? what : what()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export type HubResponse = { status: number; headers: IncomingHttpHeaders; body: string };

/** Starts a request to the hub over TLS as alice (or with `headers.authorization` as given); call `end()` on it. */
export function hubRequest(
  env: Pick<HubAndMember, "hub" | "hubCaPem">,
  path: string,
  options: { method?: string; headers?: OutgoingHttpHeaders } = {},
): ClientRequest {
  const url = new URL(env.hub.url);
  return httpsRequest({
    hostname: url.hostname,
    port: url.port,
    path,
    method: options.method ?? "GET",
    ca: env.hubCaPem,
    agent: false,
    headers: { authorization: `Bearer ${HUB_TOKEN}`, ...options.headers },
  });
}

/** One whole exchange with the hub. */
export function hubFetch(
  env: Pick<HubAndMember, "hub" | "hubCaPem">,
  path: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: string } = {},
): Promise<HubResponse> {
  return new Promise((resolve, reject) => {
    const req = hubRequest(env, path, options);
    req.once("error", reject);
    req.once("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.once("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.once("error", reject);
    });
    req.end(options.body);
  });
}
