import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { ApiServer } from "../api-server.ts";
import { tokenAuthenticator } from "../http/auth.ts";
import { MemoryStore } from "../storage/memory-store.ts";
import { loadOrCreateServingPki } from "./pki.ts";

test("kubectl talks HTTPS to the server with a generated CA and a bearer token", async () => {
  const dir = await mkdtemp(join(tmpdir(), "atoll-tls-"));
  const store = new MemoryStore();
  const { ca, serving } = await loadOrCreateServingPki(join(dir, "pki"), {
    commonName: "test",
    hosts: ["127.0.0.1"],
    now: new Date(),
  });
  const cert = new X509Certificate(serving.certPem);
  assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)));
  assert.match(cert.subjectAltName ?? "", /IP Address:127.0.0.1/);
  const again = await loadOrCreateServingPki(join(dir, "pki"), {
    commonName: "test",
    hosts: ["127.0.0.1"],
    now: new Date(),
  });
  assert.equal(again.serving.certPem, serving.certPem, "reused on the next start");

  const server = await ApiServer.start({
    store,
    tls: serving,
    authenticator: tokenAuthenticator(
      new Map([["t0ken", { name: "admin", uid: "1", groups: ["system:masters"] }]]),
    ),
  });
  try {
    assert.match(server.url, /^https:/);
    const kubeconfig = join(dir, "kubeconfig");
    const write = (token?: string) =>
      writeFile(
        kubeconfig,
        `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server.url}", certificate-authority-data: ${Buffer.from(ca.certPem).toString("base64")}}}]
users: [{name: u, user: {${token ? `token: ${token}` : ""}}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`,
      );
    // stdin is closed: kubectl prompts for credentials on a 401 when it can read them.
    const kubectl = (args: string[]) => {
      const run = promisify(execFile)("kubectl", args, { timeout: 20_000 });
      run.child.stdin?.end();
      return run;
    };
    await write("t0ken");
    const { stdout } = await kubectl([
      "--kubeconfig",
      kubeconfig,
      "--cache-dir",
      join(dir, "cache"),
      "get",
      "ns",
      "-o",
      "name",
    ]);
    assert.match(stdout, /namespace\/default/);
    await write("wrong-token");
    await assert.rejects(
      kubectl(["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache2"), "get", "ns"]),
      /You must be logged in to the server|Unauthorized/,
    );
  } finally {
    await server.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
