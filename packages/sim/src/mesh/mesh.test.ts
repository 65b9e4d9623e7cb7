import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Echo, exchange, setPodStatus, until } from "../network/testing.ts";
import { readMeshStatus } from "./connect.ts";
import {
  createService,
  meshAll,
  startBackend,
  startTestMesh,
  type TestMesh,
  type TestMeshMember,
} from "./testing.ts";
import {
  ANNOTATION_GLOBAL_SERVICE,
  ANNOTATION_SERVICE_AFFINITY,
  ANNOTATION_SHARED_SERVICE,
} from "./well-known.ts";

const IDS = [184, 185, 186];
/** Shorter than the 10 s default so the failure test runs in seconds; probes every 100 ms. */
const DETECTION_MS = 1500;
const PROBE_MS = 100;
const GLOBAL = { [ANNOTATION_GLOBAL_SERVICE]: "true" };

let mesh: TestMesh;
let k1: TestMeshMember;
let k2: TestMeshMember;
let k3: TestMeshMember;
const echoes: Echo[] = [];

before(async () => {
  mesh = await startTestMesh(IDS, { mesh: { failureDetectionMs: DETECTION_MS, probeIntervalMs: PROBE_MS } });
  [k1, k2, k3] = mesh.members;
  await meshAll(mesh);
});

after(async () => {
  for (const echo of echoes) await echo.close();
  await mesh?.stop();
});

/** One Service `name` in each member (annotations per member), backed by one pod answering with the member's name. */
async function serviceInEveryMember(
  name: string,
  host: number,
  annotations: (member: TestMeshMember) => Record<string, string>,
): Promise<Map<string, string>> {
  const clusterIPs = new Map<string, string>();
  for (const member of mesh.members) {
    const { echo } = await startBackend(member, { name: `${name}-0`, app: name, host, reply: member.name });
    echoes.push(echo);
    clusterIPs.set(member.name, await createService(member, name, annotations(member)));
  }
  return clusterIPs;
}

/** Which members answer `count` connections to ip:8080, in order. */
async function answers(ip: string, count: number): Promise<string[]> {
  const replies: string[] = [];
  for (let i = 0; i < count; i++) replies.push((await exchange(ip, 8080)).replace(/:ping$/, ""));
  return replies;
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

test("a global Service in three meshed members takes k8s-1's connections to pods in all three, round-robin", async () => {
  const ips = await serviceInEveryMember("web", 10, () => GLOBAL);
  const ip = ips.get("k8s-1") ?? "";
  await until("k8s-1's web reaches all three members", async () => sorted(await answers(ip, 3)).length === 3);
  const replies = await answers(ip, 6);
  for (const name of ["k8s-1", "k8s-2", "k8s-3"]) {
    assert.equal(
      replies.filter((r) => r === name).length,
      2,
      `round-robin gives ${name} two of six: ${replies}`,
    );
  }
  await until("k8s-3's web reaches all three members", async () => {
    return sorted(await answers(ips.get("k8s-3") ?? "", 3)).length === 3;
  });
  const status = await until("k8s-1 reports one endpoint from each peer", async () => {
    const found = await readMeshStatus(k1.target);
    return found?.peers.every((p) => p.services === 1 && p.endpoints === 1) ? found : undefined;
  });
  assert.equal(status.globalServices, 1);
  assert.deepEqual(
    status.peers.map((p) => [p.name, p.state]),
    [
      ["k8s-2", "Connected"],
      ["k8s-3", "Connected"],
    ],
  );
});

test("affinity local keeps traffic local, fails over to the peers when the local pod goes unready, and comes back", async (t) => {
  const ips = await serviceInEveryMember("db", 11, (member) => ({
    ...GLOBAL,
    [ANNOTATION_SERVICE_AFFINITY]: member === k2 ? "remote" : "local",
  }));
  const ip = ips.get("k8s-1") ?? "";
  await until("db in k8s-1 answers locally", async () => (await answers(ip, 1))[0] === "k8s-1");
  assert.deepEqual(sorted(await answers(ip, 6)), ["k8s-1"], "only the local pod while it is ready");
  await until("k8s-2 (affinity remote) uses the peers only", async () => {
    const replies = await answers(ips.get("k8s-2") ?? "", 4);
    return sorted(replies).join() === "k8s-1,k8s-3";
  });

  const unready = Date.now();
  await setPodStatus(k1.api, "default", "db-0", `127.${k1.id}.1.11`, false);
  await until("k8s-1's db fails over to k8s-2 and k8s-3", async () => {
    return sorted(await answers(ip, 4)).join() === "k8s-2,k8s-3";
  });
  t.diagnostic(`fail-over to remote endpoints ${Date.now() - unready} ms after the local pod went unready`);
  assert.deepEqual(sorted(await answers(ip, 6)), ["k8s-2", "k8s-3"]);

  await setPodStatus(k1.api, "default", "db-0", `127.${k1.id}.1.11`, true);
  await until("k8s-1's db is local again", async () => sorted(await answers(ip, 4)).join() === "k8s-1");
});

test('shared "false" keeps a member\'s endpoints to itself; a Service must be global on both sides to span them', async () => {
  const cache = await serviceInEveryMember("cache", 12, (member) =>
    member === k2 ? { ...GLOBAL, [ANNOTATION_SHARED_SERVICE]: "false" } : GLOBAL,
  );
  await until("k8s-1's cache reaches k8s-1 and k8s-3", async () => {
    return sorted(await answers(cache.get("k8s-1") ?? "", 4)).join() === "k8s-1,k8s-3";
  });
  assert.ok(!(await answers(cache.get("k8s-1") ?? "", 6)).includes("k8s-2"), "k8s-2 does not share");
  await until("k8s-2, not sharing, still uses the others", async () => {
    return sorted(await answers(cache.get("k8s-2") ?? "", 3)).length === 3;
  });

  const api = await serviceInEveryMember("api", 13, (member) => (member === k1 ? {} : GLOBAL));
  await until("k8s-2's api reaches k8s-2 and k8s-3, not k8s-1's plain Service", async () => {
    return sorted(await answers(api.get("k8s-2") ?? "", 4)).join() === "k8s-2,k8s-3";
  });
  assert.deepEqual(
    sorted(await answers(api.get("k8s-1") ?? "", 4)),
    ["k8s-1"],
    "not global in k8s-1: local only",
  );
});

test("a peer whose API goes down has its endpoints withdrawn after the detection period, and they return with it", async (t) => {
  const ips = await serviceInEveryMember("edge", 14, () => GLOBAL);
  const ip = ips.get("k8s-1") ?? "";
  await until("edge reaches all three", async () => sorted(await answers(ip, 3)).length === 3);

  const down = Date.now();
  await k3.host.setApiDown(true);
  // k8s-3's pods keep running, so until withdrawal every third connection still reaches it.
  let lastSeen = down;
  let streakStart = 0;
  let streak = 0;
  await until(
    "k8s-3's endpoints withdrawn from k8s-1",
    async () => {
      const at = Date.now();
      const [reply] = await answers(ip, 1);
      if (reply === "k8s-3") {
        lastSeen = at;
        streak = 0;
      } else if (streak++ === 0) streakStart = at;
      return streak >= 6;
    },
    DETECTION_MS + 5000,
  );
  const withdrawnMs = streakStart - down;
  t.diagnostic(
    `k8s-3's endpoints withdrawn ${withdrawnMs} ms after its API went down (last reached at ${lastSeen - down} ms; detection period ${DETECTION_MS} ms, probes every ${PROBE_MS} ms)`,
  );
  // The period counts from the last successful probe, which a busy machine may have run a little early.
  assert.ok(lastSeen - down >= DETECTION_MS / 2, `kept while merely silent (${lastSeen - down} ms)`);
  assert.ok(withdrawnMs <= DETECTION_MS + 1000, `withdrawn within the detection period (${withdrawnMs} ms)`);
  const peer = await until("k8s-1 reports k8s-3 Unreachable", async () => {
    const status = await readMeshStatus(k1.target);
    return status?.peers.find((p) => p.name === "k8s-3" && p.state === "Unreachable");
  });
  assert.equal(peer.endpoints, 0);
  assert.ok(sorted(await answers(ip, 6)).join() === "k8s-1,k8s-2");

  const up = Date.now();
  await k3.host.setApiDown(false);
  await until("k8s-3's endpoints are back in k8s-1", async () => (await answers(ip, 3)).includes("k8s-3"));
  t.diagnostic(`k8s-3's endpoints back ${Date.now() - up} ms after its API came back`);
});
