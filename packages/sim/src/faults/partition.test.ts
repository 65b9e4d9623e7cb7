import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { R } from "@atoll/kube";
import { readMeshStatus } from "../mesh/connect.ts";
import {
  createService,
  meshAll,
  startBackend,
  startTestMesh,
  type TestMesh,
  type TestMeshMember,
} from "../mesh/testing.ts";
import { ANNOTATION_GLOBAL_SERVICE } from "../mesh/well-known.ts";
import type { Service } from "../network/objects.ts";
import { type Echo, exchange, until } from "../network/testing.ts";

const IDS = [159, 160, 170];
/** Shorter than the 10 s default so the test runs in seconds; probes every 100 ms, each given 1 s on a busy machine. */
const DETECTION_MS = 2000;
const PROBE_MS = 100;
const GLOBAL = { [ANNOTATION_GLOBAL_SERVICE]: "true" };

let mesh: TestMesh;
let k1: TestMeshMember;
let k2: TestMeshMember;
let k3: TestMeshMember;
const echoes: Echo[] = [];
const held: Socket[] = [];

before(async () => {
  mesh = await startTestMesh(IDS, {
    mesh: { failureDetectionMs: DETECTION_MS, probeIntervalMs: PROBE_MS, probeTimeoutMs: 1000 },
  });
  [k1, k2, k3] = mesh.members;
  await meshAll(mesh);
});

after(async () => {
  for (const socket of held) socket.destroy();
  for (const echo of echoes) await echo.close();
  await mesh?.stop();
});

/** Service `name`, global in every member, with one pod in `owner` only. Returns each member's cluster IP. */
async function globalService(
  name: string,
  owner: TestMeshMember,
  host: number,
): Promise<Map<string, string>> {
  const { echo } = await startBackend(owner, { name: `${name}-0`, app: name, host, reply: owner.name });
  echoes.push(echo);
  const ips = new Map<string, string>();
  for (const member of mesh.members) ips.set(member.name, await createService(member, name, GLOBAL));
  return ips;
}

/** A connection kept open: `ask` sends a ping and waits for the reply; `ended` says how it ended. */
type Held = { ask(): Promise<string>; ended: Promise<"reset" | "closed">; closed(): boolean };

async function hold(host: string, port: number): Promise<Held> {
  const socket = connect({ host, port });
  held.push(socket);
  let error: NodeJS.ErrnoException | undefined;
  socket.on("error", (e: NodeJS.ErrnoException) => {
    error = e;
  });
  // Not events.once: it rejects on the socket's error, and a reset is what is awaited here.
  const ended = new Promise<"reset" | "closed">((resolve) =>
    socket.once("close", () => resolve(error?.code === "ECONNRESET" ? "reset" : "closed")),
  );
  await once(socket, "connect");
  const ask = () => {
    socket.write("ping");
    return Promise.race([
      new Promise<string>((resolve) => socket.once("data", (data) => resolve(String(data)))),
      ended,
      new Promise<string>((resolve) => setTimeout(() => resolve("timeout"), 2000).unref()),
    ]);
  };
  return { ask, ended, closed: () => socket.destroyed };
}

function refusesConnections(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
}

test("a partitioned member is cut off through the proxies both ways, its crossing connections reset, and heal brings it back", async (t) => {
  // db: a pod in k8s-2 only, reached from k8s-1 and k8s-3; web: a pod in k8s-1 only, reached from k8s-2;
  // ctl: a pod in k8s-3, reached from k8s-1 — a path the partition of k8s-2 must not touch.
  const db = await globalService("db", k2, 20);
  const web = await globalService("web", k1, 21);
  const ctl = await globalService("ctl", k3, 22);
  const dbAt = (m: TestMeshMember) => db.get(m.name) ?? "";
  const webAt = (m: TestMeshMember) => web.get(m.name) ?? "";
  const ctlAt = (m: TestMeshMember) => ctl.get(m.name) ?? "";
  // edge: a NodePort Service in k8s-2 on k8s-2's own pod.
  const { echo } = await startBackend(k2, { name: "edge-0", app: "edge", host: 23, reply: "k8s-2" });
  echoes.push(echo);
  await k2.api.create(R.services, "default", {
    metadata: { name: "edge" },
    spec: {
      type: "NodePort",
      selector: { app: "edge" },
      ports: [{ name: "tcp", port: 8080, targetPort: "echo" }],
    },
  });
  const nodePort = await until("edge has a node port", async () => {
    const found = (await k2.api.get(R.services, "default", "edge")) as Service | undefined;
    return found?.spec?.ports?.[0]?.nodePort;
  });
  const nodeIp = `127.${k2.id}.0.10`;

  await until("every path answers", async () => {
    const replies = await Promise.all([
      exchange(dbAt(k1), 8080),
      exchange(dbAt(k3), 8080),
      exchange(webAt(k2), 8080),
      exchange(ctlAt(k1), 8080),
      exchange(nodeIp, nodePort),
    ]);
    return replies.join() === "k8s-2:ping,k8s-2:ping,k8s-1:ping,k8s-3:ping,k8s-2:ping";
  });
  const k1ToK2 = await hold(dbAt(k1), 8080);
  const k2ToK1 = await hold(webAt(k2), 8080);
  const k1ToK3 = await hold(ctlAt(k1), 8080);
  const intoK2 = await hold(nodeIp, nodePort);
  for (const connection of [k1ToK2, k2ToK1, k1ToK3, intoK2]) assert.match(await connection.ask(), /:ping$/);

  const cut = Date.now();
  await k2.host.setPartitioned(true);
  assert.equal(k2.host.state.partitioned, true);
  const apiUrl = new URL(k2.host.member?.url ?? "");
  assert.ok(
    await refusesConnections(apiUrl.hostname, Number(apiUrl.port)),
    "k8s-2's API refuses connections",
  );

  // k8s-2's own proxy cuts at once: its connection out to k8s-1 and the one in through its node port.
  assert.equal(await k2ToK1.ended, "reset", "k8s-2 → k8s-1 reset");
  assert.equal(await intoK2.ended, "reset", "node port into k8s-2 reset");
  t.diagnostic(`k8s-2's own crossing connections reset ${Date.now() - cut} ms after the partition`);
  assert.equal(await exchange(webAt(k2), 8080), "reset", "k8s-2's web has no backend left");
  assert.doesNotMatch(await exchange(nodeIp, nodePort), /:ping$/, "k8s-2's node port refuses");

  // The others learn it through the mesh: after the detection period they drop k8s-2 and reset what crosses.
  const how = await Promise.race([
    k1ToK2.ended,
    new Promise<string>((resolve) => setTimeout(() => resolve("still open"), DETECTION_MS + 5000).unref()),
  ]);
  const resetMs = Date.now() - cut;
  assert.equal(how, "reset", "k8s-1 → k8s-2 reset");
  t.diagnostic(`k8s-1 → k8s-2 reset ${resetMs} ms after the partition (detection period ${DETECTION_MS} ms)`);
  assert.ok(resetMs >= DETECTION_MS / 2, `kept for the grace period (${resetMs} ms)`);
  assert.equal(await exchange(dbAt(k1), 8080), "reset", "k8s-1's db refuses new connections");
  await until("k8s-3 drops k8s-2 too", async () => (await exchange(dbAt(k3), 8080)) === "reset");
  assert.equal(await k1ToK3.ask(), "k8s-3:ping", "k8s-1 → k8s-3 untouched");
  assert.equal(await exchange(ctlAt(k1), 8080), "k8s-3:ping");
  const seen = await readMeshStatus(k1.target);
  assert.equal(seen?.peers.find((p) => p.name === "k8s-2")?.state, "Unreachable");

  const healed = Date.now();
  await k2.host.setPartitioned(false);
  assert.equal(k2.host.state.partitioned, false);
  await until(
    "k8s-2's web reaches k8s-1 again",
    async () => (await exchange(webAt(k2), 8080)) === "k8s-1:ping",
  );
  await until(
    "k8s-1's db reaches k8s-2 again",
    async () => (await exchange(dbAt(k1), 8080)) === "k8s-2:ping",
    DETECTION_MS + 5000,
  );
  t.diagnostic(`k8s-1 → k8s-2 answers again ${Date.now() - healed} ms after heal`);
  await until("k8s-3's db too", async () => (await exchange(dbAt(k3), 8080)) === "k8s-2:ping");
  assert.equal(await exchange(nodeIp, nodePort), "k8s-2:ping");
  const again = await hold(dbAt(k1), 8080);
  assert.equal(await again.ask(), "k8s-2:ping");
});

test("heal keeps an api-down fault; api-up during a partition keeps the API cut", async () => {
  const url = new URL(k3.host.member?.url ?? "");
  const refused = () => refusesConnections(url.hostname, Number(url.port));
  await k3.host.setApiDown(true);
  await k3.host.setPartitioned(true);
  await k3.host.setApiDown(false);
  assert.ok(await refused(), "still partitioned");
  await k3.host.setApiDown(true);
  await k3.host.setPartitioned(false);
  assert.ok(await refused(), "still api-down");
  await k3.host.setApiDown(false);
  assert.equal(await refused(), false);
  assert.deepEqual(k3.host.state, {
    apiDown: false,
    memberDown: false,
    notReadyNodes: [],
    partitioned: false,
  });
});
