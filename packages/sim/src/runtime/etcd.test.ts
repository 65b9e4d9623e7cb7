import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { ApiServer, openStore } from "@atoll/apiserver";
import type { Pod } from "kubernetes-types/core/v1.js";
import { readContainerLog } from "./logs.ts";
import { prepareContainer } from "./prepare.ts";
import { runProbe } from "./probes.ts";
import { startContainer } from "./process-runtime.ts";
import { defaultRuntimeConfig, resolveImage, searchPath } from "./runtime-config.ts";
import { detectSandbox } from "./sandbox.ts";

const run = promisify(execFile);
const podIP = "127.78.1.10";
const hasEtcd = await access("/usr/bin/etcd").then(
  () => true,
  () => false,
);

test("a pod's etcd container is a real etcd on its pod IP, its data in the pod's volume", {
  skip: !hasEtcd && "/usr/bin/etcd is missing",
}, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "atoll-etcd-"));
  const server = await ApiServer.start({ store: await openStore("memory") });
  t.after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const which = searchPath(process.env.PATH ?? "");
  const sandbox = await detectSandbox({ which, scratchDir: dir, warn: () => {} });
  if (sandbox.kind !== "namespaces") return t.skip(`no namespace sandbox: ${sandbox.reason}`);
  const image = resolveImage(defaultRuntimeConfig(which), "quay.io/coreos/etcd:v3.4.23");
  assert.ok(image, "the default config runs etcd images for real");

  const pod: Pod = {
    metadata: { name: "etcd-0", namespace: "default", uid: "etcd-uid" },
    spec: {
      containers: [
        {
          name: "etcd",
          image: "quay.io/coreos/etcd:v3.4.23",
          command: ["etcd"],
          args: [
            "--name=$(POD_NAME)",
            "--data-dir=/var/run/etcd/data",
            "--listen-client-urls=http://$(POD_IP):2379",
            "--advertise-client-urls=http://$(POD_IP):2379",
            "--listen-peer-urls=http://$(POD_IP):2380",
            "--initial-advertise-peer-urls=http://$(POD_IP):2380",
            "--initial-cluster=$(POD_NAME)=http://$(POD_IP):2380",
          ],
          env: [
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          ],
          ports: [{ name: "client", containerPort: 2379 }],
          volumeMounts: [{ name: "data", mountPath: "/var/run/etcd" }],
        },
      ],
      volumes: [{ name: "data", emptyDir: {} }],
    },
  };
  const container = pod.spec!.containers[0];
  const prepared = await prepareContainer({
    client: server.client("kubelet"),
    pod,
    container,
    podIP,
    volumeRoot: join(dir, "pods"),
    dataDir: join(dir, "pods"),
  });
  const logFile = join(dir, "logs", "etcd", "0.log");
  const etcd = await startContainer({
    sandbox,
    id: "etcd-uid_etcd_0",
    stateDir: join(dir, "state"),
    image,
    command: prepared.command,
    args: prepared.args,
    env: prepared.env,
    mounts: prepared.mounts,
    hostname: prepared.hostname,
    runDir: prepared.containerDir,
    logFile,
  });
  t.after(() => etcd.stop(0));
  assert.equal(etcd.argv[0], "/usr/bin/etcd");

  const deadline = Date.now() + 20_000;
  for (;;) {
    const probe = await runProbe({ httpGet: { path: "/health", port: "client" } }, { podIP, container });
    if (probe.result === "success") break;
    if (Date.now() > deadline)
      assert.fail(`etcd never became healthy: ${(await readContainerLog(logFile)).toString().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const etcdctl = (...args: string[]) =>
    run("etcdctl", ["--endpoints", `${podIP}:2379`, ...args], {
      env: { ...process.env, ETCDCTL_API: "3" },
      timeout: 10_000,
    });
  await etcdctl("put", "atoll", "cross-cluster");
  assert.equal((await etcdctl("get", "atoll", "--print-value-only")).stdout.trim(), "cross-cluster");

  const source = prepared.mounts.find((m) => m.mountPath === "/var/run/etcd")!.source;
  assert.ok((await readdir(join(source, "data"))).includes("member"), "etcd wrote into the pod's volume");
  await assert.rejects(stat("/var/run/etcd/data"), /ENOENT/, "not at the mountPath on the host");

  // etcd cleans up on SIGTERM and then re-raises it: 128 + 15, well within the grace period.
  assert.equal((await etcd.stop(10_000)).exitCode, 143);
});
