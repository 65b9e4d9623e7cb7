import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApiServer,
  type ApiServerOptions,
  loadOrCreateServingPki,
  openStore,
  tokenAuthenticator,
} from "@atoll/apiserver";
import { StatusError } from "../errors.ts";

/** The bearer token the test server accepts. */
export const TEST_TOKEN = "http-client-test-token";

export type TestApiServer = {
  server: ApiServer;
  /** A kubeconfig with context "test" (CA data and token) and context "wrong-token". */
  kubeconfig: string;
  stop(): Promise<void>;
};

/**
 * A real Atoll API server over HTTPS with token authentication, for tests of
 * the HTTP client. Not part of the package's API.
 */
export async function startTestApiServer(
  options: Pick<ApiServerOptions, "watchHistory" | "watchTimeoutSeconds" | "bookmarkIntervalMs"> = {},
): Promise<TestApiServer> {
  const dir = await mkdtemp(join(tmpdir(), "atoll-http-client-"));
  const pki = await loadOrCreateServingPki(dir, {
    commonName: "atoll-test",
    hosts: ["127.0.0.1"],
    now: new Date(),
  });
  const store = await openStore("memory");
  const user = { name: "admin", uid: "admin", groups: ["system:masters", "system:authenticated"] };
  const server = await ApiServer.start({
    ...options,
    store,
    tls: pki.serving,
    authenticator: tokenAuthenticator(new Map([[TEST_TOKEN, user]])),
  });
  const caData = Buffer.from(pki.ca.certPem).toString("base64");
  const kubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: test",
    "  cluster:",
    `    server: ${server.url}`,
    `    certificate-authority-data: ${caData}`,
    "users:",
    "- name: admin",
    `  user: {token: ${TEST_TOKEN}}`,
    "- name: intruder",
    "  user: {token: not-the-token}",
    "contexts:",
    "- name: test",
    "  context: {cluster: test, user: admin, namespace: default}",
    "- name: wrong-token",
    "  context: {cluster: test, user: intruder}",
    "current-context: test",
    "",
  ].join("\n");
  return {
    server,
    kubeconfig,
    async stop() {
      await server.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts that `promise` rejects with a StatusError of `reason`, and returns it. */
export async function rejectsWith(promise: Promise<unknown>, reason: string): Promise<StatusError> {
  const error = await promise.then(
    () => assert.fail(`expected ${reason}, got success`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof StatusError, `expected a StatusError, got ${String(error)}`);
  assert.equal(error.reason, reason, error.message);
  return error;
}
