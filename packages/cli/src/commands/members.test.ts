import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ApiServer, openStore, type Store } from "@atoll/apiserver";
import {
  type HubControllers,
  httpConnector,
  memberForwardingResolver,
  startHubControllers,
} from "@atoll/controllers";
import { HttpKubeClient } from "@atoll/kube/http-client";
import { kubeconfigDocument, MemberHost } from "@atoll/sim";
import { ATOLL_BIN, run as runProcess } from "../testing/run.ts";

const IDS = [131, 132];
const haveEtcd = existsSync("/usr/bin/etcd");

let dir: string;
let store: Store;
let hub: ApiServer;
let hubKubeconfig: string;
let hosts: MemberHost[];
let controllers: HubControllers;

const run = (command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 30_000) =>
  runProcess(command, args, { env: { KUBECONFIG: hubKubeconfig, ...env }, timeoutMs });
const atoll = (...args: string[]) => run(process.execPath, [ATOLL_BIN, ...args]);
const kubectl = (...args: string[]) => run("kubectl", ["--cache-dir", join(dir, "cache"), ...args]);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-members-cli-"));
  store = await openStore("memory");
  let server: ApiServer | undefined;
  hub = await ApiServer.start({
    store,
    forwarding: memberForwardingResolver(() => (server as ApiServer).client("forwarding")),
  });
  server = hub;
  hubKubeconfig = join(dir, "hub.kubeconfig");
  await writeFile(hubKubeconfig, kubeconfigDocument([{ name: "hub", server: hub.url, token: "unused" }]));
  hosts = [];
  for (const id of IDS) {
    const host = new MemberHost({
      name: `k8s-${id}`,
      id,
      dataDir: join(dir, `k8s-${id}`),
      storage: "memory",
    });
    await host.start();
    hosts.push(host);
  }
  controllers = await startHubControllers({
    hub: HttpKubeClient.fromKubeconfigText(
      kubeconfigDocument([{ name: "hub", server: hub.url, token: "unused" }]),
    ),
    connect: httpConnector,
  });
});

after(async () => {
  await controllers?.stop();
  for (const host of hosts ?? []) await host.stop();
  await hub?.stop();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

test("atoll join checks the member first, then joins it Ready; bad input joins nothing", async () => {
  for (const id of IDS) {
    const joined = await atoll(
      "join",
      `k8s-${id}`,
      "--kubeconfig",
      join(dir, `k8s-${id}`, "kubeconfig"),
      "--region",
      "eu",
    );
    assert.equal(joined.code, 0, joined.stderr);
    assert.match(joined.stdout, new RegExp(`member k8s-${id} joined and Ready in \\d+ ms`));
  }
  const duplicate = await atoll("join", "again", "--kubeconfig", join(dir, `k8s-${IDS[0]}`, "kubeconfig"));
  assert.notEqual(duplicate.code, 0);
  assert.match(duplicate.stderr, /DuplicateMember/);
  const missing = await atoll(
    "join",
    "nope",
    "--kubeconfig",
    join(dir, `k8s-${IDS[0]}`, "kubeconfig"),
    "--context",
    "absent",
  );
  assert.match(missing.stderr, /context "absent" not found/);
  const table = await atoll("members");
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAME\s+READY\s+VERSION\s+NODES\s+PODS\s+CPU\s+TAINTS\s+DISABLED\s+AGE$/m);
  assert.match(
    table.stdout,
    new RegExp(`^k8s-${IDS[0]}\\s+True\\s+v1\\.32\\.0\\+atoll\\s+3/3\\s+\\d+/330`, "m"),
  );
  const list = await kubectl("get", "memberclusters", "-o", "name");
  assert.deepEqual(
    list.stdout.trim().split("\n").sort(),
    IDS.map((id) => `membercluster.cluster.atoll.io/k8s-${id}`),
  );
});

test("kubectl through the hub's forwarding: get, watch and logs -f", {
  skip: !haveEtcd && "etcd is not installed",
}, async () => {
  const server = `${hub.url}/clusters/k8s-${IDS[0]}`;
  const manifest = join(dir, "etcd.yaml");
  await writeFile(
    manifest,
    `apiVersion: v1
kind: Pod
metadata: {name: etcd}
spec:
  containers:
  - name: etcd
    image: etcd:3.4
    env: [{name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]
    command: [etcd, --data-dir=/var/run/etcd, --listen-client-urls=http://$(POD_IP):2379,
      --advertise-client-urls=http://$(POD_IP):2379, --listen-peer-urls=http://$(POD_IP):2380]
`,
  );
  const watching = spawn(
    "kubectl",
    ["--cache-dir", join(dir, "cache"), "--server", server, "get", "pods", "-w", "--request-timeout=20s"],
    {
      env: { ...process.env, KUBECONFIG: hubKubeconfig },
    },
  );
  let watched = "";
  watching.stdout.on("data", (chunk: Buffer) => {
    watched += chunk.toString();
  });
  try {
    assert.equal((await kubectl("--server", server, "apply", "-f", manifest)).code, 0);
    assert.equal(
      (await kubectl("--server", server, "wait", "--for=condition=Ready", "pod/etcd", "--timeout=30s")).code,
      0,
    );
    const deadline = Date.now() + 10_000;
    while (!/etcd\s+1\/1\s+Running/.test(watched) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(watched, /etcd\s+1\/1\s+Running/, "the watch through the hub saw the pod become Running");
  } finally {
    watching.kill("SIGTERM");
  }
  const logs = await run("timeout", [
    "3",
    "kubectl",
    "--cache-dir",
    join(dir, "cache"),
    "--server",
    server,
    "logs",
    "-f",
    "etcd",
  ]);
  assert.match(logs.stdout, /etcd Version/);

  const across = await atoll("get", "pods", "--all-clusters", "-A");
  assert.equal(across.code, 0, across.stderr);
  assert.match(
    across.stdout,
    new RegExp(`CLUSTER\\s+NAMESPACE\\s+NAME[\\s\\S]*k8s-${IDS[0]}\\s+default\\s+etcd\\s+1/1\\s+Running`),
  );
});

test("cordon, disable and unjoin from the CLI", async () => {
  const name = `k8s-${IDS[1]}`;
  assert.equal((await atoll("cordon", name)).code, 0);
  assert.equal((await atoll("disable", name)).code, 0);
  const forwarded = await kubectl("get", "--raw", `/clusters/${name}/api`);
  assert.notEqual(forwarded.code, 0);
  assert.match(forwarded.stderr, /is disabled/);
  assert.equal((await atoll("enable", name)).code, 0);
  const drained = await atoll("drain", name);
  assert.equal(drained.code, 0, drained.stderr);
  const spec = async () =>
    JSON.parse((await kubectl("get", "membercluster", name, "-o", "json")).stdout).spec;
  const afterDrain = await spec();
  assert.equal(afterDrain.unschedulable, true);
  assert.ok(
    afterDrain.taints.some(
      (t: { key: string; effect: string }) => t.key === "cluster.atoll.io/drain" && t.effect === "NoExecute",
    ),
  );
  assert.equal((await atoll("undrain", name)).code, 0);
  const afterUndrain = await spec();
  assert.equal(afterUndrain.unschedulable, false);
  assert.ok(!(afterUndrain.taints ?? []).some((t: { key: string }) => t.key === "cluster.atoll.io/drain"));
  const missing = await atoll("drain", "no-such-member");
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /member no-such-member not found/);
  const unjoined = await atoll("unjoin", name);
  assert.equal(unjoined.code, 0, unjoined.stderr);
  assert.match(unjoined.stdout, /unjoined \(drain\)/);
  assert.notEqual((await kubectl("get", "membercluster", name)).code, 0);
});
