import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StatusError } from "../api/errors.ts";
import { type HubAndMember, outputOf, startHubAndMember } from "./hub-and-member.fixture.ts";

const PODS = { group: "", version: "v1", resource: "pods", namespaced: true, kind: "Pod" };
const CONFIGMAPS = { group: "", version: "v1", resource: "configmaps", namespaced: true, kind: "ConfigMap" };

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
`;

describe("kubectl through the hub's member forwarding", () => {
  let env: HubAndMember;
  const ok = async (args: string[], options: { context?: string; input?: string } = {}) => {
    const result = await env.kubectl(args, options);
    assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  };
  const onMember = (name: string) => env.member.client("test").get(CONFIGMAPS, "default", name);
  const onHub = (name: string) => env.hub.client("test").get(CONFIGMAPS, "default", name);

  before(async () => {
    env = await startHubAndMember();
  });
  after(async () => {
    await env.stop();
  });

  test("discovery and reads go to the member: get ns, api-resources, version", async () => {
    assert.match(await ok(["get", "ns"]), /^default\s+Active/m);
    assert.match(await ok(["api-resources", "--no-headers"]), /^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
    assert.match(await ok(["version", "-o", "json"]), /"gitVersion": "v1\.32\.0\+atoll"/);
  });

  test("create writes to the member only, as the member's credentials", async () => {
    assert.match(
      await ok(["create", "configmap", "via-hub", "--from-literal=mode=fast"]),
      /configmap\/via-hub created/,
    );
    assert.deepEqual((await onMember("via-hub"))?.data, { mode: "fast" });
    assert.equal(await onHub("via-hub"), undefined);
    // The member knows only its own token, so any success shows the hub's was replaced.
    assert.match(await ok(["get", "cm", "via-hub", "-o", "jsonpath={.data.mode}"]), /^fast$/);
  });

  test("get -w streams an event for a ConfigMap created after the watch started", async () => {
    const child = env.spawnKubectl(["get", "cm", "-w", "--output-watch-events"], "k8s-1");
    try {
      const out = outputOf(child.stdout);
      await out.until(/kube-root-ca\.crt|via-hub/);
      await env.member.client("test").create(CONFIGMAPS, "default", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "later", namespace: "default" },
        data: { a: "1" },
      });
      assert.match(await out.until(/ADDED\s+later/), /ADDED\s+later\s+1/);
    } finally {
      child.kill();
    }
  });

  test("apply creates then configures, with client-side and server-side apply", async () => {
    assert.match(await ok(["apply", "-f", "-"], { input: DEPLOYMENT }), /deployment.apps\/web created/);
    const changed = DEPLOYMENT.replace("replicas: 2", "replicas: 3");
    assert.match(await ok(["apply", "-f", "-"], { input: changed }), /deployment.apps\/web configured/);
    assert.equal(await ok(["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]), "3");
    const serverSide = changed.replace("name: web", "name: web-ssa");
    assert.match(
      await ok(["apply", "--server-side", "-f", "-"], { input: serverSide }),
      /web-ssa serverside-applied/,
    );
    assert.match(await ok(["get", "deploy"]), /^web-ssa\s/m);
    assert.doesNotMatch(await ok(["get", "deploy"], { context: "hub" }), /web/);
  });

  test("explain reads the member's OpenAPI v3 through the prefix", async () => {
    assert.match(await ok(["explain", "configmap.data"]), /FIELD:\s+data/);
  });

  test("the Karmada-style proxy path, by --raw and as a kubeconfig server", async () => {
    const raw = await ok(
      [
        "get",
        "--raw",
        "/apis/cluster.atoll.io/v1alpha1/memberclusters/k8s-1/proxy/api/v1/namespaces/default/configmaps/via-hub",
      ],
      { context: "hub" },
    );
    assert.equal(JSON.parse(raw).data.mode, "fast");
    assert.match(await ok(["get", "cm", "via-hub"], { context: "karmada" }), /^via-hub\s+1\s/m);
    assert.match(
      await ok(["get", "--raw", "/clusters/k8s-1/version"], { context: "hub" }),
      /v1\.32\.0\+atoll/,
    );
  });

  // `get --raw` ignores the path of the kubeconfig's server, so raw paths name the prefix themselves.
  test("a disabled member: kubectl shows the resolver's 503 message", async () => {
    const result = await env.kubectl(["get", "--raw", "/clusters/down/api/v1/namespaces"], {
      context: "hub",
    });
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /Error from server \(ServiceUnavailable\): member down is disabled: its MemberCluster has spec\.disabled set/,
    );
    // On a cold discovery cache client-go reports a failed discovery with its generic 503 text, dropping the body.
    const cold = await env.kubectl(["get", "ns"], { context: "down" });
    assert.notEqual(cold.code, 0);
    assert.match(cold.stderr, /ServiceUnavailable/);
  });

  test("a member disabled while kubectl has its discovery cached: the 503 message, then back", async () => {
    await ok(["get", "ns"]);
    env.resolver.targets.set(
      "k8s-1",
      new StatusError(
        "ServiceUnavailable",
        "member k8s-1 is disabled: its MemberCluster has spec.disabled set",
      ),
    );
    try {
      const result = await env.kubectl(["get", "ns"]);
      assert.notEqual(result.code, 0);
      assert.match(
        result.stderr,
        /Error from server \(ServiceUnavailable\): member k8s-1 is disabled: its MemberCluster has spec\.disabled set/,
      );
    } finally {
      env.resolver.targets.set("k8s-1", env.memberTarget);
    }
    assert.match(await ok(["get", "ns"]), /^default\s+Active/m);
  });

  test("an unknown member is NotFound; an unreachable one is 503 with the connection error", async () => {
    const ghost = await env.kubectl(["get", "--raw", "/clusters/ghost/api"], { context: "hub" });
    assert.notEqual(ghost.code, 0);
    assert.match(ghost.stderr, /memberclusters\.cluster\.atoll\.io "ghost" not found/);
    const ghostGet = await env.kubectl(["get", "ns"], { context: "ghost" });
    assert.notEqual(ghostGet.code, 0);
    await env.member.pause();
    try {
      const result = await env.kubectl(["get", "--raw", "/clusters/k8s-1/api/v1/namespaces"], {
        context: "hub",
      });
      assert.notEqual(result.code, 0);
      assert.match(
        result.stderr,
        /member k8s-1 is unreachable: (connect ECONNREFUSED 127\.0\.0\.1:\d+|socket hang up)/,
      );
    } finally {
      await env.member.resume();
    }
    assert.match(await ok(["get", "cm", "via-hub"]), /via-hub/);
  });

  test("the hub's own resources still work beside forwarding", async () => {
    assert.match(await ok(["create", "configmap", "hub-only"], { context: "hub" }), /created/);
    assert.notEqual(await onHub("hub-only"), undefined);
    assert.equal(await onMember("hub-only"), undefined);
    assert.match(await ok(["get", "ns"], { context: "hub" }), /^default\s+Active/m);
    assert.doesNotMatch(await ok(["get", "cm"], { context: "hub" }), /via-hub/);
  });

  test("exec-style upgrades are refused with a Status saying so", async () => {
    await env.member.client("test").create(PODS, "default", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "shell", namespace: "default" },
      spec: { containers: [{ name: "main", image: "busybox" }] },
    });
    const result = await env.kubectl(["exec", "shell", "--", "true"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /not supported through the hub proxy/);
  });
});
