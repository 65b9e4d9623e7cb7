import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiServer, openStore, type Store } from "@atoll/apiserver";
import { isRecord, type KubeClient, type KubeObject, R, StatusError } from "@atoll/kube";
import { policyCrds } from "./policy-crds.ts";

export type KubectlResult = { code: number; stdout: string; stderr: string };

/** A real Atoll API server with every propagation CRD installed and Established. */
export type TestHub = {
  client: KubeClient;
  kubectl(args: string[]): Promise<KubectlResult>;
  stop(): Promise<void>;
};

export async function startTestHub(): Promise<TestHub> {
  const store: Store = await openStore("memory");
  const server = await ApiServer.start({ store });
  const dir = await mkdtemp(join(tmpdir(), "atoll-api-"));
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "hub", cluster: { server: server.url } }],
      users: [{ name: "test", user: {} }],
      contexts: [{ name: "hub", context: { cluster: "hub", user: "test", namespace: "default" } }],
      "current-context": "hub",
    }),
  );
  const client = server.client("test");
  for (const crd of policyCrds()) await client.create(R.customresourcedefinitions, undefined, crd);
  await Promise.all(policyCrds().map((crd) => waitEstablished(client, crd.metadata.name ?? "")));
  return {
    client,
    kubectl: (args) => kubectl(["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args]),
    async stop() {
      await server.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitEstablished(client: KubeClient, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const crd = await client.get(R.customresourcedefinitions, undefined, name);
    const conditions =
      isRecord(crd?.status) && Array.isArray(crd.status.conditions) ? crd.status.conditions : [];
    if (conditions.some((c) => isRecord(c) && c.type === "Established" && c.status === "True")) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} did not become Established`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function kubectl(args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile("kubectl", args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end();
  });
}

/** Asserts the write fails as 422 Invalid with a cause on each of `fields` (e.g. `spec.conflictResolution`). */
export async function assertInvalid(write: Promise<KubeObject>, fields: string[]): Promise<void> {
  await assert.rejects(write, (error: unknown) => {
    assert.ok(error instanceof StatusError, `expected a StatusError, got ${String(error)}`);
    assert.equal(error.code, 422, error.message);
    assert.equal(error.reason, "Invalid");
    const causes = (error.details?.causes ?? []).map((c) => c.field);
    for (const field of fields)
      assert.ok(causes.includes(field), `no cause on ${field} in ${causes.join(", ")}`);
    return true;
  });
}
