import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer } from "./harness.ts";
import { httpClient, readWatch } from "./http-client.ts";

let env: TestServer;
let request: ReturnType<typeof httpClient>;
const DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";
const CM = "/api/v1/namespaces/default/configmaps";

type Meta = {
  name: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: unknown[];
};
const meta = (body: Record<string, unknown>) => body.metadata as Meta;

function deployment(name: string, replicas = 1) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "c", image: "busybox" }] },
      },
    },
  };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

before(async () => {
  env = await startTestServer({ bookmarkIntervalMs: 200 });
  request = httpClient(env.url);
});
after(async () => {
  await env.stop();
});

describe("object metadata", () => {
  test("uid, creationTimestamp, generateName, and a global increasing resourceVersion", async () => {
    const a = await request(CM, { method: "POST", body: { metadata: { generateName: "gen-" } } });
    const b = await request(CM, { method: "POST", body: { metadata: { generateName: "gen-" } } });
    assert.equal(a.status, 201);
    assert.match(meta(a.body).name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.notEqual(meta(a.body).name, meta(b.body).name);
    assert.match(meta(a.body).uid, /^[0-9a-f-]{36}$/);
    assert.match(
      String((a.body.metadata as Record<string, unknown>).creationTimestamp),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    assert.ok(Number(meta(b.body).resourceVersion) > Number(meta(a.body).resourceVersion));
  });

  test("generation bumps on spec changes only", async () => {
    const created = await request(DEPLOYMENTS, { method: "POST", body: deployment("gen") });
    assert.equal(meta(created.body).generation, 1);
    const labelled = await request(`${DEPLOYMENTS}/gen`, {
      method: "PATCH",
      raw: JSON.stringify({ metadata: { labels: { x: "y" } } }),
      contentType: "application/merge-patch+json",
    });
    assert.equal(meta(labelled.body).generation, 1);
    const scaled = await request(`${DEPLOYMENTS}/gen`, {
      method: "PATCH",
      raw: JSON.stringify({ spec: { replicas: 3 } }),
      contentType: "application/merge-patch+json",
    });
    assert.equal(meta(scaled.body).generation, 2);
  });

  test("the status subresource and the main resource ignore each other's part", async () => {
    await request(DEPLOYMENTS, { method: "POST", body: deployment("st") });
    const mainWrite = await request(`${DEPLOYMENTS}/st`, {
      method: "PATCH",
      raw: JSON.stringify({ status: { replicas: 9 } }),
      contentType: "application/merge-patch+json",
    });
    assert.equal((mainWrite.body.status as { replicas?: number } | undefined)?.replicas, undefined);
    const statusWrite = await request(`${DEPLOYMENTS}/st/status`, {
      method: "PATCH",
      raw: JSON.stringify({ spec: { replicas: 7 }, status: { replicas: 4 } }),
      contentType: "application/merge-patch+json",
    });
    assert.equal(statusWrite.status, 200, statusWrite.text);
    assert.equal((statusWrite.body.status as { replicas: number }).replicas, 4);
    assert.equal((statusWrite.body.spec as { replicas: number }).replicas, 1);
    assert.equal(meta(statusWrite.body).generation, 1);
  });

  test("a Job gets a generated selector and template labels from its uid", async () => {
    const response = await request("/apis/batch/v1/namespaces/default/jobs", {
      method: "POST",
      body: {
        metadata: { name: "once" },
        spec: {
          template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } },
        },
      },
    });
    assert.equal(response.status, 201, response.text);
    const uid = meta(response.body).uid;
    const spec = response.body.spec as {
      selector: unknown;
      template: { metadata: { labels: Record<string, string> } };
    };
    assert.deepEqual(spec.selector, { matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
    assert.equal(spec.template.metadata.labels["batch.kubernetes.io/job-name"], "once");
    assert.equal(spec.template.metadata.labels["controller-uid"], uid);
  });

  test("a Secret's stringData is stored base64-encoded in data", async () => {
    const created = await request("/api/v1/namespaces/default/secrets", {
      method: "POST",
      body: {
        metadata: { name: "creds" },
        type: "kubernetes.kubeconfig",
        stringData: { kubeconfig: "apiVersion: v1" },
        data: { a: "Yg==" },
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.data, {
      a: "Yg==",
      kubeconfig: Buffer.from("apiVersion: v1").toString("base64"),
    });
    assert.equal(created.body.stringData, undefined);
  });

  test("dryRun=All validates and answers but writes nothing", async () => {
    const before = (await request(CM)).body.metadata as { resourceVersion: string };
    const dry = await request(`${CM}?dryRun=All`, { method: "POST", body: { metadata: { name: "dry" } } });
    assert.equal(dry.status, 201);
    assert.equal(meta(dry.body).name, "dry");
    assert.equal((await request(`${CM}/dry`)).status, 404);
    const afterList = (await request(CM)).body.metadata as { resourceVersion: string };
    assert.equal(afterList.resourceVersion, before.resourceVersion);
  });

  test("an update that changes nothing does not bump the resourceVersion", async () => {
    const created = await request(CM, {
      method: "POST",
      body: { metadata: { name: "same" }, data: { a: "1" } },
    });
    const again = await request(`${CM}/same`, { method: "PUT", body: created.body });
    assert.equal(meta(again.body).resourceVersion, meta(created.body).resourceVersion);
  });
});

describe("lists", () => {
  test("limit and continue page through a consistent snapshot", async () => {
    await request("/api/v1/namespaces", { method: "POST", body: { metadata: { name: "paging" } } });
    const path = "/api/v1/namespaces/paging/configmaps";
    for (let i = 0; i < 5; i++)
      await request(path, { method: "POST", body: { metadata: { name: `p${i}` } } });
    const first = await request(`${path}?limit=2`);
    const listMeta = first.body.metadata as {
      continue: string;
      remainingItemCount: number;
      resourceVersion: string;
    };
    assert.equal((first.body.items as unknown[]).length, 2);
    assert.equal(listMeta.remainingItemCount, 3);
    await request(path, { method: "POST", body: { metadata: { name: "p9-late" } } });
    await request(`${path}/p4`, { method: "DELETE" });
    const names: string[] = [];
    let token: string | undefined = listMeta.continue;
    while (token) {
      const page = await request(`${path}?limit=2&continue=${encodeURIComponent(token)}`);
      assert.equal(
        (page.body.metadata as { resourceVersion: string }).resourceVersion,
        listMeta.resourceVersion,
      );
      names.push(...(page.body.items as Array<{ metadata: Meta }>).map((i) => i.metadata.name));
      token = (page.body.metadata as { continue?: string }).continue;
    }
    assert.deepEqual(names, ["p2", "p3", "p4"]);
  });

  test("deletecollection removes what the selector matches", async () => {
    await request(CM, { method: "POST", body: { metadata: { name: "dc1", labels: { sweep: "yes" } } } });
    await request(CM, { method: "POST", body: { metadata: { name: "dc2", labels: { sweep: "yes" } } } });
    await request(CM, { method: "POST", body: { metadata: { name: "dc3", labels: { sweep: "no" } } } });
    const response = await request(`${CM}?labelSelector=sweep%3Dyes`, { method: "DELETE" });
    assert.equal(response.status, 200);
    const left = await request(`${CM}?labelSelector=sweep`);
    assert.deepEqual(
      (left.body.items as Array<{ metadata: Meta }>).map((i) => i.metadata.name),
      ["dc3"],
    );
  });

  test("tables for kubectl get, with custom columns for pods", async () => {
    const table = await request(DEPLOYMENTS, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    assert.equal(table.body.kind, "Table");
    const columns = (table.body.columnDefinitions as Array<{ name: string }>).map((c) => c.name);
    assert.deepEqual(columns.slice(0, 5), ["Name", "Ready", "Up-to-date", "Available", "Age"]);
  });
});

describe("deletion", () => {
  test("finalizers hold an object with a deletionTimestamp until removed", async () => {
    await request(CM, {
      method: "POST",
      body: { metadata: { name: "held", finalizers: ["example.com/hold"] } },
    });
    const deleting = await request(`${CM}/held`, { method: "DELETE" });
    assert.equal(deleting.status, 202);
    assert.ok(meta(deleting.body).deletionTimestamp);
    assert.equal((await request(`${CM}/held`)).status, 200);
    const released = await request(`${CM}/held`, {
      method: "PATCH",
      raw: JSON.stringify({ metadata: { finalizers: null } }),
      contentType: "application/merge-patch+json",
    });
    assert.equal(released.status, 200);
    assert.equal((await request(`${CM}/held`)).status, 404);
  });

  test("garbage collection: background, foreground and orphan", async () => {
    const owner = async (name: string) => {
      const created = await request(CM, { method: "POST", body: { metadata: { name } } });
      const ref = {
        apiVersion: "v1",
        kind: "ConfigMap",
        name,
        uid: meta(created.body).uid,
        blockOwnerDeletion: true,
      };
      await request(CM, {
        method: "POST",
        body: { metadata: { name: `${name}-child`, ownerReferences: [ref] } },
      });
    };
    await owner("bg");
    await owner("fg");
    await owner("or");
    await request(`${CM}/bg`, { method: "DELETE", body: { propagationPolicy: "Background" } });
    await until("background dependent deleted", async () => (await request(`${CM}/bg-child`)).status === 404);

    const fg = await request(`${CM}/fg`, { method: "DELETE", body: { propagationPolicy: "Foreground" } });
    assert.deepEqual(meta(fg.body).finalizers, ["foregroundDeletion"]);
    await until(
      "foreground owner gone after its dependent",
      async () => (await request(`${CM}/fg`)).status === 404,
    );
    assert.equal((await request(`${CM}/fg-child`)).status, 404);

    await request(`${CM}/or`, { method: "DELETE", body: { propagationPolicy: "Orphan" } });
    await until("orphaning owner gone", async () => (await request(`${CM}/or`)).status === 404);
    const orphan = await request(`${CM}/or-child`);
    assert.equal(orphan.status, 200);
    assert.equal(meta(orphan.body).ownerReferences, undefined);
  });

  test("deleting a namespace removes its contents, then the namespace", async () => {
    await request("/api/v1/namespaces", { method: "POST", body: { metadata: { name: "doomed" } } });
    await request("/api/v1/namespaces/doomed/configmaps", {
      method: "POST",
      body: { metadata: { name: "x" } },
    });
    await request("/apis/apps/v1/namespaces/doomed/deployments", { method: "POST", body: deployment("d") });
    const deleting = await request("/api/v1/namespaces/doomed", { method: "DELETE" });
    assert.equal((deleting.body.status as { phase: string }).phase, "Terminating");
    await until("namespace gone", async () => (await request("/api/v1/namespaces/doomed")).status === 404);
    assert.equal((await request("/api/v1/namespaces/doomed/configmaps/x")).status, 404);
    assert.equal((await request("/apis/apps/v1/namespaces/doomed/deployments/d")).status, 404);
  });
});

describe("namespaces and CRD versions", () => {
  test("a terminating namespace refuses new content with 403 Forbidden", async () => {
    await request("/api/v1/namespaces", { method: "POST", body: { metadata: { name: "closing" } } });
    await request("/api/v1/namespaces/closing/configmaps", {
      method: "POST",
      body: { metadata: { name: "held", finalizers: ["example.com/hold"] } },
    });
    await request("/api/v1/namespaces/closing", { method: "DELETE" });
    const refused = await request("/api/v1/namespaces/closing/configmaps", {
      method: "POST",
      body: { metadata: { name: "late" } },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.reason, "Forbidden");
    assert.match(String(refused.body.message), /because it is being terminated/);
    await request("/api/v1/namespaces/closing/configmaps/held", {
      method: "PATCH",
      raw: JSON.stringify({ metadata: { finalizers: null } }),
      contentType: "application/merge-patch+json",
    });
    await until("namespace gone", async () => (await request("/api/v1/namespaces/closing")).status === 404);
  });

  test("a CRD with two served versions serves the same objects under both (conversion None)", async () => {
    const schema = {
      openAPIV3Schema: {
        type: "object",
        properties: { spec: { type: "object", properties: { n: { type: "integer" } } } },
      },
    };
    const crd = await request("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      method: "POST",
      body: {
        metadata: { name: "gadgets.example.com" },
        spec: {
          group: "example.com",
          scope: "Namespaced",
          names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
          versions: [
            { name: "v1beta1", served: true, storage: false, schema },
            { name: "v1", served: true, storage: true, schema },
          ],
        },
      },
    });
    assert.equal(crd.status, 201, crd.text);
    await until("established", async () => (await request("/apis/example.com/v1")).status === 200);
    const group = await request("/apis/example.com");
    assert.deepEqual(group.body.preferredVersion, { groupVersion: "example.com/v1", version: "v1" });
    const created = await request("/apis/example.com/v1beta1/namespaces/default/gadgets", {
      method: "POST",
      body: { apiVersion: "example.com/v1beta1", kind: "Gadget", metadata: { name: "g" }, spec: { n: 1 } },
    });
    assert.equal(created.status, 201, created.text);
    const asV1 = await request("/apis/example.com/v1/namespaces/default/gadgets/g");
    assert.equal(asV1.body.apiVersion, "example.com/v1");
    assert.deepEqual(asV1.body.spec, { n: 1 });
    const crdStatus = (
      await request("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com")
    ).body.status as { storedVersions: string[] };
    assert.deepEqual(crdStatus.storedVersions, ["v1"]);
  });
});

describe("watch", () => {
  test("from a resourceVersion, with bookmarks, ending at timeoutSeconds", async () => {
    const start = meta(
      (await request(CM, { method: "POST", body: { metadata: { name: "w0" } } })).body,
    ).resourceVersion;
    await request(CM, { method: "POST", body: { metadata: { name: "w1" } } });
    const events = await readWatch(
      `${env.url}${CM}?watch=true&resourceVersion=${start}&allowWatchBookmarks=true&timeoutSeconds=1`,
      {
        count: 100,
        timeoutMs: 5000,
        onOpen: async () => {
          await request(`${CM}/w1`, { method: "DELETE" });
        },
      },
    );
    const types = events.map((e) => `${e.type}:${(e.object.metadata as Meta).name ?? ""}`);
    assert.deepEqual(types.slice(0, 2), ["ADDED:w1", "DELETED:w1"]);
    assert.ok(
      types.some((t) => t.startsWith("BOOKMARK")),
      "a bookmark arrives",
    );
  });

  test("without a resourceVersion it starts with the current state", async () => {
    const events = await readWatch(`${env.url}/api/v1/namespaces?watch=true`, { count: 4, timeoutMs: 3000 });
    assert.ok(events.every((e) => e.type === "ADDED"));
    assert.ok(events.some((e) => (e.object.metadata as Meta).name === "default"));
  });

  test("sendInitialEvents ends its initial state with an annotated bookmark", async () => {
    const url = `${env.url}/api/v1/namespaces?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`;
    const events = await readWatch(url, { count: 50, timeoutMs: 1500 });
    const end = events.findIndex(
      (e) =>
        e.type === "BOOKMARK" &&
        (e.object.metadata as { annotations?: Record<string, string> }).annotations?.[
          "k8s.io/initial-events-end"
        ] === "true",
    );
    assert.ok(end > 0);
    assert.ok(events.slice(0, end).every((e) => e.type === "ADDED"));
  });

  test("selectors apply to watches: objects leaving the selection are DELETED", async () => {
    await request(CM, { method: "POST", body: { metadata: { name: "sel", labels: { watch: "me" } } } });
    const events = await readWatch(`${env.url}${CM}?watch=true&labelSelector=watch%3Dme`, {
      count: 2,
      timeoutMs: 3000,
      onOpen: async () => {
        await request(`${CM}/sel`, {
          method: "PATCH",
          raw: JSON.stringify({ metadata: { labels: { watch: "no" } } }),
          contentType: "application/merge-patch+json",
        });
      },
    });
    assert.deepEqual(
      events.map((e) => e.type),
      ["ADDED", "DELETED"],
    );
  });
});
