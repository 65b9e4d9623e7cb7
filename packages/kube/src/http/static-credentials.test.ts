import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { TLSSocket } from "node:tls";
import { promisify } from "node:util";
import { type CertificateAndKey, createCertificateAuthority, issueCertificate } from "@atoll/apiserver";
import { KubeConfig } from "@kubernetes/client-node";
import { HttpKubeClient } from "../http-client.ts";
import { R } from "../resources.ts";
import {
  KubeconfigError,
  pickContext,
  readKubeconfig,
  type SelectedContext,
  standaloneKubeconfig,
} from "./kubeconfig-data.ts";

const base64 = (text: string) => Buffer.from(text).toString("base64");

/** What the stand-in server saw of a request: the client certificate's CN and the credential headers. */
type Seen = { clientCn?: string; authorization?: string; impersonate?: string; servername?: string };

describe("kubeconfig contexts without client-node", () => {
  let dir: string;
  let ca: CertificateAndKey;
  let client: CertificateAndKey;
  let server: Server;
  let url: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "atoll-static-credentials-"));
    const now = new Date();
    ca = await createCertificateAuthority({ commonName: "test-ca", now });
    const serving = await issueCertificate(ca, {
      commonName: "server",
      ips: ["127.0.0.1"],
      dnsNames: ["api.example"],
      usages: ["server"],
      now,
    });
    client = await issueCertificate(ca, { commonName: "alice", usages: ["client"], now });
    server = createServer(
      {
        cert: serving.certPem,
        key: serving.keyPem,
        ca: ca.certPem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const seen: Seen = {
          clientCn: socket.authorized ? String(socket.getPeerCertificate().subject?.CN) : undefined,
          authorization: req.headers.authorization,
          impersonate: req.headers["impersonate-user"] as string | undefined,
          servername: (socket as TLSSocket & { servername?: string }).servername || undefined,
        };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ metadata: { name: "seen", annotations: seen } }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `https://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const seenThrough = async (kubeconfig: string, context?: string): Promise<Seen> => {
    const http = HttpKubeClient.fromKubeconfigText(kubeconfig, { context });
    try {
      const object = await http.get(R.configmaps, "default", "seen");
      return (object?.metadata.annotations ?? {}) as Seen;
    } finally {
      http.close();
    }
  };

  test("client certificates, CA, token, impersonation and TLS server name, inline or from files", async () => {
    const files = {
      ca: join(dir, "ca.crt"),
      cert: join(dir, "alice.crt"),
      key: join(dir, "alice.key"),
      token: join(dir, "token"),
    };
    await writeFile(files.ca, ca.certPem);
    await writeFile(files.cert, client.certPem);
    await writeFile(files.key, client.keyPem);
    await writeFile(files.token, "from-a-file");
    const kubeconfig = `apiVersion: v1
clusters:
- name: inline
  cluster: {server: "${url}/", certificate-authority-data: ${base64(ca.certPem)}}
- name: files
  cluster: {server: "${url}", certificate-authority: ${files.ca}, tls-server-name: api.example}
users:
- name: cert-inline
  user: {client-certificate-data: ${base64(client.certPem)}, client-key-data: ${base64(client.keyPem)}}
- name: cert-files
  user: {client-certificate: ${files.cert}, client-key: ${files.key}, as: bob}
- name: token-file
  user: {token-file: ${files.token}}
contexts:
- {name: inline, context: {cluster: inline, user: cert-inline}}
- {name: files, context: {cluster: files, user: cert-files}}
- {name: token-file, context: {cluster: inline, user: token-file}}
- {name: anonymous, context: {cluster: inline}}
current-context: inline
`;
    assert.deepEqual(await seenThrough(kubeconfig), { clientCn: "alice" });
    assert.deepEqual(await seenThrough(kubeconfig, "files"), {
      clientCn: "alice",
      impersonate: "bob",
      servername: "api.example",
    });
    assert.deepEqual(await seenThrough(kubeconfig, "token-file"), { authorization: "Bearer from-a-file" });
    assert.deepEqual(await seenThrough(kubeconfig, "anonymous"), {});
  });

  test("a process that reads token kubeconfigs never loads client-node; an exec plugin does", async () => {
    const kubeconfig = `apiVersion: v1
clusters: [{name: c, cluster: {server: "${url}", certificate-authority-data: ${base64(ca.certPem)}}}]
users:
- {name: token, user: {token: t0k3n}}
- name: exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ${JSON.stringify(process.execPath)}
      args: ["-e", ${JSON.stringify(`console.log(${JSON.stringify(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: "from-exec" } }))})`)}]
contexts: [{name: token, context: {cluster: c, user: token}}, {name: exec, context: {cluster: c, user: exec}}]
`;
    const script = `
      import { createRequire } from "node:module";
      import { HttpKubeClient } from ${JSON.stringify(new URL("../http-client.ts", import.meta.url).href)};
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes("@kubernetes/client-node"));
      const seen = [];
      for (const context of process.argv.slice(1)) {
        const client = HttpKubeClient.fromKubeconfigText(process.env.KUBECONFIG_TEXT, { context });
        const object = await client.get({ group: "", version: "v1", resource: "configmaps", namespaced: true, kind: "ConfigMap" }, "default", "seen");
        client.close();
        seen.push({ context, authorization: object.metadata.annotations.authorization, clientNode: loaded() });
      }
      console.log(JSON.stringify(seen));
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script, "token", "exec"],
      { env: { ...process.env, KUBECONFIG_TEXT: kubeconfig }, timeout: 30_000 },
    );
    assert.deepEqual(JSON.parse(stdout), [
      { context: "token", authorization: "Bearer t0k3n", clientNode: false },
      { context: "exec", authorization: "Bearer from-exec", clientNode: true },
    ]);
  });
});

describe("readKubeconfig", () => {
  const text = `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: {server: "https://127.0.0.1:6443/", certificate-authority-data: Q0E=, insecure-skip-tls-verify: true, tls-server-name: api, proxy-url: "http://proxy:3128"}
users:
- name: u
  user: {token: 12345, client-certificate-data: Q0VSVA==, client-key-data: S0VZ, username: ann, password: pw, as: bob}
- name: exec
  user: {exec: {command: kubelogin, apiVersion: client.authentication.k8s.io/v1}}
contexts:
- {name: ctx, context: {cluster: a, user: u, namespace: ns}}
- {name: bare, context: {cluster: a}}
current-context: ctx
`;

  test("reads what client-node reads", () => {
    const kc = new KubeConfig();
    kc.loadFromString(text);
    const data = readKubeconfig(text);
    assert.equal(data.currentContext, kc.getCurrentContext());
    assert.deepEqual(data.clusters.map(withoutUndefined), kc.getClusters().map(withoutUndefined));
    const users = kc.getUsers().map((u) => withoutUndefined({ ...u, token: u.token && String(u.token) }));
    assert.deepEqual(data.users.map(withoutUndefined), users);
    assert.deepEqual(data.contexts.map(withoutUndefined), kc.getContexts().map(withoutUndefined));
  });

  test("refuses what client-node refuses, as Unreadable", () => {
    const problem = (broken: string) => {
      try {
        readKubeconfig(broken);
      } catch (error) {
        assert.ok(error instanceof KubeconfigError);
        assert.equal(error.reason, "Unreadable");
        return error.message;
      }
      assert.fail("expected a KubeconfigError");
    };
    assert.match(problem("clusters: [unclosed"), /^unreadable kubeconfig: /);
    assert.equal(problem(""), "unreadable kubeconfig: not a YAML mapping");
    assert.equal(
      problem("clusters: [{name: a, cluster: {}}]"),
      "unreadable kubeconfig: clusters[0].cluster.server is missing",
    );
    assert.equal(problem("users: [{user: {}}]"), "unreadable kubeconfig: users[0].name is missing");
    assert.equal(
      problem("contexts: [{name: c, context: {user: u}}]"),
      "unreadable kubeconfig: contexts[0].context.cluster is missing",
    );
  });

  test("a standalone context reads back the same, through client-node too", () => {
    const selected = pickContext(readKubeconfig(text), "ctx");
    const standalone = standaloneKubeconfig(selected);
    const again = pickContext(readKubeconfig(standalone), undefined);
    assert.deepEqual(plain(again), plain(selected));
    const kc = new KubeConfig();
    kc.loadFromString(standalone);
    assert.equal(kc.getCurrentContext(), "ctx");
    assert.deepEqual(withoutUndefined(kc.getCurrentUser() ?? {}), withoutUndefined(selected.user ?? {}));
    const bare = pickContext(
      readKubeconfig(standaloneKubeconfig(pickContext(readKubeconfig(text), "bare"))),
      undefined,
    );
    assert.equal(bare.user, undefined);
    assert.equal(bare.cluster.server, "https://127.0.0.1:6443");
  });
});

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null && v !== false),
  ) as Partial<T>;
}

function plain(selected: SelectedContext): object {
  return JSON.parse(JSON.stringify(selected));
}
