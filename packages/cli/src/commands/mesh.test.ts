import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ApiServer, openStore, type Store } from "@atoll/apiserver";
import { type KubeClient, R } from "@atoll/kube";
import { kubeconfigDocument, MemberHost, type SimMember } from "@atoll/sim";
import { createService, startBackend } from "@atoll/sim/mesh/testing";
import { type Echo, exchange, until } from "@atoll/sim/network/testing";
import { runAtoll } from "../testing/run.ts";

/** k8s-1…k8s-3; the twin reuses k8s-2's id (on another port) and k8s-1's name. */
const IDS = [188, 189, 190];

let dir: string;
let hubStore: Store;
let hub: ApiServer;
let hosts: MemberHost[];
let fleetKubeconfig: string;
let twinKubeconfig: string;
let goneKubeconfig: string;
const echoes: Echo[] = [];

const atoll = (...args: string[]) =>
  runAtoll(args, { env: { KUBECONFIG: fleetKubeconfig }, timeoutMs: 20_000 });

const sim = (i: number): SimMember => {
  const member = hosts[i].member;
  if (!member) throw new Error(`member ${i} is down`);
  return member;
};
const api = (i: number): KubeClient => sim(i).server.client("mesh-cli-test");
const contextOf = (member: SimMember, name = member.name) => ({
  name,
  server: member.url,
  token: member.token,
  caPem: member.caPem,
});

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-mesh-cli-"));
  hubStore = await openStore("memory");
  hub = await ApiServer.start({ store: hubStore });
  hosts = [];
  const options = (name: string, id: number, port = 6443) =>
    new MemberHost({
      name,
      id,
      port,
      dataDir: join(dir, `${name}-${port}`),
      storage: "memory",
      runtime: "simulate-all",
      nodes: 1,
    });
  for (const [i, id] of IDS.entries()) hosts.push(options(`k8s-${i + 1}`, id));
  hosts.push(options("k8s-1", IDS[1], 6444));
  for (const host of hosts) await host.start();
  fleetKubeconfig = join(dir, "fleet.kubeconfig");
  await writeFile(
    fleetKubeconfig,
    kubeconfigDocument(
      [{ name: "hub", server: hub.url, token: "unused" }, ...[0, 1, 2].map((i) => contextOf(sim(i)))],
      "hub",
    ),
  );
  twinKubeconfig = join(dir, "twin.kubeconfig");
  await writeFile(twinKubeconfig, kubeconfigDocument([contextOf(sim(3), "twin")]));
  goneKubeconfig = join(dir, "gone.kubeconfig");
  await writeFile(
    goneKubeconfig,
    kubeconfigDocument([{ ...contextOf(sim(2), "gone"), server: `https://127.${IDS[2]}.0.1:6450` }]),
  );
});

after(async () => {
  for (const echo of echoes) await echo.close();
  for (const host of hosts ?? []) await host.stop();
  await hub?.stop();
  await hubStore?.close();
  await rm(dir, { recursive: true, force: true });
});

test("mesh connect checks Cilium's requirements first: duplicate names, duplicate ids, overlapping ranges, unreachable or foreign members", async () => {
  const sameName = await atoll("mesh", "connect", "k8s-1", "twin", "--kubeconfig-b", twinKubeconfig);
  assert.equal(sameName.code, 1);
  assert.equal(
    sameName.stderr,
    "error: cannot mesh k8s-1, twin:\n  - DuplicateName: k8s-1 and k8s-1 (context twin) are named k8s-1 (ids 188 and 189): member names must be unique in a mesh\n",
  );

  const sameId = await atoll("mesh", "connect", "k8s-2", "twin", "--kubeconfig-b", twinKubeconfig);
  assert.equal(sameId.code, 1);
  assert.equal(
    sameId.stderr,
    [
      "error: cannot mesh k8s-2, twin:",
      "  - DuplicateClusterId: k8s-2 and k8s-1 (context twin) both have cluster id 189: cluster ids must be unique in a mesh",
      "  - OverlappingPodRange: pod ranges of k8s-2 and k8s-1 (context twin) overlap (127.189.1.0-127.189.127.255 and 127.189.1.0-127.189.127.255)",
      "  - OverlappingServiceRange: service ranges of k8s-2 and k8s-1 (context twin) overlap (127.189.128.0-127.189.191.255 and 127.189.128.0-127.189.191.255)",
      "",
    ].join("\n"),
  );
  for (const i of [0, 1, 3]) {
    assert.equal(
      await api(i).get(R.secrets, "kube-system", "atoll-clustermesh"),
      undefined,
      "nothing written",
    );
  }

  const gone = await atoll("mesh", "connect", "k8s-1", "gone", "--kubeconfig-b", goneKubeconfig);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /^error: cannot reach gone: /);
  const foreign = await atoll("mesh", "connect", "k8s-1", "hub");
  assert.equal(
    foreign.stderr,
    "error: hub publishes no kube-system/atoll-cluster-info: only Atoll's simulated members can be meshed\n",
  );
  const missing = await atoll("mesh", "connect", "k8s-1", "k8s-9");
  assert.match(missing.stderr, /cannot use k8s-9 from .*fleet\.kubeconfig: context "k8s-9" not found/);
});

test("mesh connect --all meshes every member of the kubeconfig, traffic crosses, status shows it, disconnect undoes a pair", async () => {
  const before = await atoll("mesh", "status");
  assert.equal(before.code, 0, before.stderr);
  assert.match(
    before.stdout,
    /^MEMBER\s+ID\s+GLOBAL-SERVICES\s+PEER\s+STATE\s+AGE\s+SERVICES\s+ENDPOINTS\s+MESSAGE$/m,
  );
  assert.match(before.stdout, /^k8s-3\s+190\s+0\s+-\s+-\s+-\s+-\s+-\s+not meshed$/m);
  assert.doesNotMatch(before.stdout, /^hub/m, "contexts that are not members are left out");

  const pair = await atoll("mesh", "connect", "k8s-1", "k8s-2");
  assert.equal(pair.code, 0, pair.stderr);
  assert.equal(pair.stdout, "connected k8s-1 (id 188) and k8s-2 (id 189)\n");
  const all = await atoll("mesh", "connect", "--all", "--wait", "--timeout", "15s");
  assert.equal(all.code, 0, all.stderr);
  assert.equal(
    all.stdout,
    "skipped hub: not a simulated member (no kube-system/atoll-cluster-info)\n" +
      "meshed k8s-1, k8s-2, k8s-3: 3 connection(s), all Connected\n",
  );

  const members = [0, 1].map((i) => ({ name: `k8s-${i + 1}`, id: IDS[i], api: api(i) }));
  for (const member of members) {
    const { echo } = await startBackend(member, { name: "web-0", app: "web", host: 10, reply: member.name });
    echoes.push(echo);
  }
  const ip = await createService(members[0], "web", { "service.cilium.io/global": "true" });
  await createService(members[1], "web", { "service.cilium.io/global": "true" });
  await until(
    "k8s-1's global web reaches k8s-2's pod",
    async () => (await exchange(ip, 8080)) === "k8s-2:ping",
  );

  const status = await until(
    "k8s-1 reports k8s-2's endpoint",
    async () => {
      const run = await atoll("mesh", "status", "k8s-1");
      return /^k8s-1\s+188\s+1\s+k8s-2\s+Connected\s+\d+s\s+1\s+1$/m.test(run.stdout)
        ? run.stdout
        : undefined;
    },
    15_000,
  );
  assert.match(status, /^k8s-1\s+188\s+1\s+k8s-3\s+Connected\s+\d+s\s+0\s+0$/m);

  const clash = await atoll("mesh", "connect", "k8s-3", "twin", "--kubeconfig-b", twinKubeconfig);
  assert.equal(clash.code, 1, "the twin clashes with k8s-3's peers, not with k8s-3");
  assert.match(
    clash.stderr,
    /DuplicateName: k8s-1 \(context twin\) and k8s-1 \(a peer of k8s-3\) are named k8s-1 \(ids 189 and 188\)/,
  );
  assert.match(
    clash.stderr,
    /DuplicateClusterId: k8s-1 \(context twin\) and k8s-2 \(a peer of k8s-3\) both have cluster id 189/,
  );

  const cut = await atoll("mesh", "disconnect", "k8s-1", "k8s-2");
  assert.equal(cut.code, 0, cut.stderr);
  assert.equal(cut.stdout, "disconnected k8s-1 and k8s-2\n");
  await until(
    "k8s-1 only uses its own pod",
    async () => (await exchange(ip, 8080)) === "k8s-1:ping" && (await exchange(ip, 8080)) === "k8s-1:ping",
  );
  const json = await until("k8s-1's status no longer lists k8s-2", async () => {
    const run = await atoll("mesh", "status", "k8s-1", "k8s-2", "-o", "json");
    const views = JSON.parse(run.stdout) as Array<{
      member: string;
      peers: Array<{ name: string; state: string }>;
    }>;
    return views[0].peers.length === 1 ? views : undefined;
  });
  assert.deepEqual(
    json.map((v) => [v.member, v.peers.map((p) => `${p.name}:${p.state}`)]),
    [
      ["k8s-1", ["k8s-3:Connected"]],
      ["k8s-2", ["k8s-3:Connected"]],
    ],
  );
});
