import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { connectMembers, readMeshMember, readMeshStatus } from "@atoll/sim/mesh/index";
import { createService, startBackend, startTestMesh, type TestMesh } from "@atoll/sim/mesh/testing";
import { ANNOTATION_GLOBAL_SERVICE } from "@atoll/sim/mesh/well-known";
import { type Echo, exchange, until } from "@atoll/sim/network/testing";
import { runAtoll } from "../testing/run.ts";

/**
 * Members 159 and 160 on API port 6543 and Service port 8181, so that this file
 * and the sim's partition test (same ids, port 6443, Service ports 8080) can run at once.
 */
const IDS = [159, 160];
const API_PORT = 6543;
const SERVICE_PORT = 8181;
const DETECTION_MS = 2000;

let mesh: TestMesh;
const echoes: Echo[] = [];

before(async () => {
  mesh = await startTestMesh(IDS, {
    port: API_PORT,
    mesh: { failureDetectionMs: DETECTION_MS, probeIntervalMs: 100, probeTimeoutMs: 1000 },
  });
  await connectMembers(await Promise.all(mesh.members.map((m) => readMeshMember(m.target))));
  await until("both members see each other Connected", async () => {
    for (const member of mesh.members) {
      const status = await readMeshStatus(member.target);
      if (status?.peers[0]?.state !== "Connected") return false;
    }
    return true;
  });
});

after(async () => {
  for (const echo of echoes) await echo.close();
  await mesh?.stop();
});

const fault = async (...args: string[]) => {
  const run = await runAtoll(["fault", ...args], { timeoutMs: 20_000 });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

test("atoll fault partition cuts a member off a global Service, status shows it, heal brings it back", async () => {
  const [k1, k2] = mesh.members;
  const memberDir = join(mesh.dir, k2.name);
  const { echo } = await startBackend(k2, { name: "db-0", app: "db", host: 30, reply: k2.name });
  echoes.push(echo);
  const annotations = { [ANNOTATION_GLOBAL_SERVICE]: "true" };
  await createService(k2, "db", annotations, SERVICE_PORT);
  const ip = await createService(k1, "db", annotations, SERVICE_PORT);
  await until("k8s-1's db reaches k8s-2", async () => (await exchange(ip, SERVICE_PORT)) === "k8s-2:ping");

  const cut = await fault("partition", "--member-dir", memberDir);
  assert.equal(cut.partitioned, true);
  assert.equal((await fault("status", "--member-dir", memberDir)).partitioned, true);
  await until(
    "k8s-1 drops k8s-2's pod",
    async () => (await exchange(ip, SERVICE_PORT)) === "reset",
    DETECTION_MS + 5000,
  );

  const healed = await fault("heal", "--member-dir", memberDir);
  assert.deepEqual(healed, { apiDown: false, memberDown: false, notReadyNodes: [], partitioned: false });
  await until(
    "k8s-1's db reaches k8s-2 again",
    async () => (await exchange(ip, SERVICE_PORT)) === "k8s-2:ping",
    DETECTION_MS + 5000,
  );
});

test("atoll fault --help says what a partition does not cut", async () => {
  const run = await runAtoll(["fault", "--help"]);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /partition/);
  assert.match(run.stdout, /NOT cut: a process that dials another member's\s+pod IP/);
});
