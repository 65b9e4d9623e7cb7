import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { MEMBER_CLUSTERS, RESOURCE_BINDINGS } from "@atoll/api";
import { startFleet, type TestFleet, until } from "@atoll/controllers/testing/fleet.fixture";
import { runAtoll } from "../testing/run.ts";

let fleet: TestFleet;

const atoll = (args: string[]) => runAtoll(args, { env: { KUBECONFIG: fleet.hubKubeconfig } });

before(async () => {
  fleet = await startFleet({ ids: [191, 192, 193], propagation: true });
  await fleet.hub.patch(MEMBER_CLUSTERS, undefined, "k8s-2", "merge", {
    spec: { taints: [{ key: "maintenance", effect: "NoSchedule" }] },
  });
  const file = join(fleet.dir, "web.yaml");
  await writeFile(
    file,
    `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 5
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: policy.atoll.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: shop}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
  placement:
    replicaScheduling: {replicaSchedulingType: Divided}
`,
  );
  const applied = await fleet.kubectl(["apply", "-f", file]);
  assert.equal(applied.code, 0, applied.stderr);
  await until("web scheduled", async () => {
    const rb = await fleet.hub.get(RESOURCE_BINDINGS, "shop", "web-deployment");
    return ((rb?.spec as { clusters?: unknown[] } | undefined)?.clusters ?? []).length === 2;
  });
});

after(async () => {
  await fleet?.stop();
});

test("atoll explain placement shows, per member, where the replicas went and why the others were rejected", async () => {
  const run = await atoll(["explain", "placement", "shop/web"]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  assert.ok(lines.includes("Binding:   shop/web-deployment"), run.stdout);
  assert.ok(lines.includes("Template:  apps/v1 Deployment shop/web, 5 replicas"), run.stdout);
  assert.ok(lines.includes("Strategy:  StaticWeight"), run.stdout);
  assert.ok(lines.includes("Result:    k8s-1: 3, k8s-3: 2"), run.stdout);
  assert.ok(lines.includes("Placed:    k8s-1: 3, k8s-3: 2"), run.stdout);
  const row = (member: string) => lines.find((l) => l.startsWith(`${member} `)) ?? "";
  assert.match(row("k8s-1"), /^k8s-1\s+selected\s+3\s/);
  assert.match(row("k8s-2"), /^k8s-2\s+rejected\s+-\s+-\s+-\s+.*maintenance/);
  assert.match(row("k8s-3"), /^k8s-3\s+selected\s+2\s/);

  const json = await atoll(["explain", "placement", "shop/web-deployment", "-o", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as {
    binding: { name: string };
    members: Array<{ verdict: string }>;
  };
  assert.equal(parsed.binding.name, "web-deployment");
  assert.deepEqual(
    parsed.members.map((m) => m.verdict),
    ["selected", "rejected", "selected"],
  );
});

test("atoll explain placement names what is missing", async () => {
  const run = await atoll(["explain", "placement", "shop/nothing"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no binding nothing in namespace shop, and no propagated template of that name/);
  const bad = await atoll(["explain", "placement", "shop/web", "-o", "yaml"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown output format "yaml"/);
});

test("atoll get --all-clusters lists what the reachable members have and names the one that is down", async () => {
  await until("web's pods running in k8s-1 and k8s-3", async () => {
    const run = await atoll(["get", "pods", "-n", "shop", "--all-clusters"]);
    const running = run.stdout.split("\n").filter((l) => /\sRunning\s/.test(l));
    return running.length === 5 && run.code === 0;
  });
  await fleet.member("k8s-3").host.setApiDown(true);
  try {
    const run = await until("k8s-3 reported unreachable", async () => {
      const r = await atoll(["get", "pods", "-n", "shop", "--all-clusters"]);
      return r.code === 1 ? r : undefined;
    });
    assert.match(run.stderr, /^k8s-3: /m);
    const clusters = run.stdout
      .split("\n")
      .slice(1)
      .filter((l) => l !== "")
      .map((l) => l.split(/\s+/)[0]);
    assert.deepEqual([...new Set(clusters)], ["k8s-1"], run.stdout);
    assert.equal(clusters.length, 3);
  } finally {
    await fleet.member("k8s-3").host.setApiDown(false);
  }
});

test("atoll get -o json|yaml: a List of the members' objects, each annotated with its member; one object as itself", async () => {
  const json = await until("k8s-3 back in the list", async () => {
    const r = await atoll(["get", "pods", "-n", "shop", "--all-clusters", "-o", "json"]);
    return r.code === 0 ? r : undefined;
  });
  const list = JSON.parse(json.stdout);
  assert.equal(list.kind, "List");
  const members = list.items.map(
    (p: { metadata: { annotations: Record<string, string> } }) =>
      p.metadata.annotations["cluster.atoll.io/name"],
  );
  assert.deepEqual([...new Set(members)].sort(), ["k8s-1", "k8s-3"]);
  const first = list.items.find(
    (p: { metadata: { annotations: Record<string, string> } }) =>
      p.metadata.annotations["cluster.atoll.io/name"] === "k8s-1",
  );
  const one = await atoll([
    "get",
    "pods",
    first.metadata.name,
    "-n",
    "shop",
    "--clusters",
    "k8s-1",
    "-o",
    "yaml",
  ]);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /^kind: Pod$/m);
  assert.match(one.stdout, new RegExp(`^  name: ${first.metadata.name}$`, "m"));
  const bad = await atoll(["get", "pods", "-o", "table"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown output format "table": use one of wide, json, yaml/);
});

test("atoll taint adds and removes a member's taints; atoll version names the hub's version", async () => {
  const added = await atoll(["taint", "k8s-1", "team=a:NoSchedule"]);
  assert.equal(added.code, 0, added.stderr);
  const taintsOf = async () => {
    const member = await fleet.hub.get(MEMBER_CLUSTERS, undefined, "k8s-1");
    const spec = (member?.spec ?? {}) as { taints?: Array<{ key: string; value?: string; effect: string }> };
    return spec.taints ?? [];
  };
  assert.deepEqual(
    (await taintsOf()).map((t) => `${t.key}=${t.value}:${t.effect}`),
    ["team=a:NoSchedule"],
  );
  const bad = await atoll(["taint", "k8s-1", "team=a"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /needs an effect/);
  const removed = await atoll(["taint", "k8s-1", "team-"]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(await taintsOf(), []);
  const version = await atoll(["version"]);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^Client Version: atoll v\d+\.\d+\.\d+ \(node v24\./m);
  assert.match(version.stdout, /^Hub Version: v1\.32\.0\+atoll /m);
});
