import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ApiServer, openStore } from "@atoll/apiserver";
import { R } from "@atoll/kube";
import type { KubeObject } from "@atoll/kube/object";
import { RealProcessLauncher } from "./process-launcher.ts";
import { searchPath } from "./runtime-config.ts";

const text = async (stream: AsyncIterable<unknown>) => {
  let out = "";
  for await (const chunk of stream) out += String(chunk);
  return out;
};

test("the launcher runs allowlisted containers for the kubelet: volumes, probes, logs, kill, cleanup", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "atoll-launcher-"));
  const server = await ApiServer.start({ store: await openStore("memory") });
  t.after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const client = server.client("kubelet");
  await client.create(R.configmaps, "default", {
    metadata: { name: "web" },
    data: { "index.html": "hello" },
  });
  const warnings: string[] = [];
  const launcher = await RealProcessLauncher.create({
    client,
    config: { images: [{ match: "busybox", executable: "/bin/sh", aliases: ["sh"] }] },
    dataDir: dir,
    which: searchPath(process.env.PATH ?? ""),
    warn: (message) => warnings.push(message),
  });
  assert.equal(launcher.handles("docker.io/library/busybox:1.36"), true);
  assert.equal(launcher.handles("nginx:1.27"), false);

  const container = {
    name: "web",
    image: "busybox:1.36",
    command: ["sh", "-c", 'cat /srv/index.html; echo " from $(POD_NAME)"; exec sleep 30'],
    env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
    volumeMounts: [{ name: "content", mountPath: "/srv" }],
  };
  const pod: KubeObject = {
    metadata: { name: "web-0", namespace: "default", uid: "web-uid" },
    spec: { containers: [container], volumes: [{ name: "content", configMap: { name: "web" } }] },
    status: { containerStatuses: [{ name: "web", restartCount: 0 }] },
  };
  const handle = await launcher.start({
    pod,
    container,
    podIP: "127.78.3.1",
    nodeName: "node-a",
    restartCount: 0,
  });
  t.after(() => handle.stop(0));

  const follow = new AbortController();
  const logs = await launcher.open(
    pod,
    "web",
    { follow: true, previous: false, timestamps: false },
    follow.signal,
  );
  const readiness = { exec: { command: ["test", "-s", "/srv/index.html"] } };
  const probed = await launcher.probe({ pod, container, probe: readiness, podIP: "127.78.3.1", handle });
  assert.deepEqual(probed, { success: true, message: "" });

  const killedAt = Date.now();
  setTimeout(() => handle.kill(), 300);
  assert.equal(await text(logs), "hello from web-0\n", "follow ends when the container dies");
  assert.ok(Date.now() - killedAt >= 250);
  assert.deepEqual(await handle.exited, { exitCode: 137, signal: null });

  const none = await launcher
    .open(pod, "web", { follow: false, previous: true, timestamps: false }, follow.signal)
    .catch((e: unknown) => e);
  assert.match(String(none), /previous terminated container "web" not found/);

  await launcher.cleanup(pod);
  await assert.rejects(stat(join(dir, "pods", "web-uid", "volumes")), /ENOENT/);
  await assert.rejects(stat(join(dir, "logs", "default_web-0_web-uid")), /ENOENT/);
});
