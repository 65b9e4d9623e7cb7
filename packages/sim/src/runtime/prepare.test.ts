import assert from "node:assert/strict";
import { mkdtemp, readFile, readlink, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ApiServer, openStore } from "@atoll/apiserver";
import { R } from "@atoll/kube";
import type { KubeClient } from "@atoll/kube/client";
import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { RuntimeError } from "./errors.ts";
import { prepareContainer } from "./prepare.ts";
import { removePodVolumes } from "./volumes.ts";

let server: ApiServer;
let client: KubeClient;
let root: string;

before(async () => {
  server = await ApiServer.start({ store: await openStore("memory") });
  client = server.client("kubelet");
  root = await mkdtemp(join(tmpdir(), "atoll-prepare-"));
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  await client.create(R.configmaps, "default", {
    metadata: { name: "app" },
    data: { "config.txt": "hello\n", MODE: "fast", "bad=key": "x" },
    binaryData: { "blob.bin": b64("\x00\x01") },
  });
  await client.create(R.secrets, "default", {
    metadata: { name: "creds" },
    data: { password: b64("s3cret") },
  });
});

after(async () => {
  await server.stop();
  await rm(root, { recursive: true, force: true });
});

const fixedClock = { now: () => new Date("2026-01-01T00:00:00Z") };

function pod(
  container: Container,
  volumes: Pod["spec"] extends infer S ? (S extends { volumes?: infer V } ? V : never) : never = [],
): Pod {
  return {
    metadata: { name: "web-0", namespace: "default", uid: "uid-1", labels: { app: "web", tier: "db" } },
    spec: {
      nodeName: "node-a",
      serviceAccountName: "runner",
      hostname: "web-0",
      subdomain: "web",
      containers: [container],
      volumes,
    },
  };
}

function prepare(p: Pod) {
  return prepareContainer({
    client,
    pod: p,
    container: p.spec!.containers[0],
    podIP: "127.1.1.5",
    hostIP: "127.1.0.10",
    volumeRoot: join(root, "pods"),
    dataDir: join(root, "pods"),
    allocatable: { cpu: "8", memory: "16Gi" },
    clock: fixedClock,
  });
}

test("env resolves values, references and $(VAR) expansion as the kubelet does", async () => {
  const container: Container = {
    name: "app",
    image: "busybox",
    envFrom: [
      { configMapRef: { name: "app" }, prefix: "CM_" },
      { secretRef: { name: "absent", optional: true } },
    ],
    env: [
      { name: "PORT", value: "2379" },
      { name: "URL", value: "http://$(POD_IP):$(PORT)/$(UNDEFINED)" },
      { name: "ESCAPED", value: "$$(PORT)" },
      { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "LATE", value: "$(POD_IP)" },
      { name: "NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "UID", valueFrom: { fieldRef: { fieldPath: "metadata.uid" } } },
      { name: "TIER", valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
      { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
      { name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
      { name: "SA", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
      { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
      { name: "MEM_MI", valueFrom: { resourceFieldRef: { resource: "requests.memory", divisor: "1Mi" } } },
      { name: "NODE_CPU", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Gi" } } },
      { name: "MODE", valueFrom: { configMapKeyRef: { name: "app", key: "MODE" } } },
      { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
      { name: "MAYBE", valueFrom: { secretKeyRef: { name: "creds", key: "nope", optional: true } } },
      { name: "EMPTY", value: "" },
    ],
    resources: { limits: { cpu: "500m" }, requests: { memory: "100Mi" } },
    command: ["sh", "-c"],
    args: ["echo $(URL) $$(PORT) $(NOPE)"],
  };
  const prepared = await prepare(pod(container));
  assert.deepEqual(prepared.env, {
    CM_MODE: "fast",
    "CM_config.txt": "hello\n",
    PORT: "2379",
    URL: "http://$(POD_IP):2379/$(UNDEFINED)",
    ESCAPED: "$(PORT)",
    POD_IP: "127.1.1.5",
    LATE: "127.1.1.5",
    NAME: "web-0",
    NS: "default",
    UID: "uid-1",
    TIER: "db",
    NODE: "node-a",
    HOST_IP: "127.1.0.10",
    SA: "runner",
    CPU: "1",
    MEM_MI: "100",
    NODE_CPU: "16",
    MODE: "fast",
    PASSWORD: "s3cret",
    EMPTY: "",
  });
  assert.deepEqual(prepared.warnings, ['skipped envFrom key "CM_bad=key": not a valid variable name']);
  assert.deepEqual(prepared.command, ["sh", "-c"]);
  assert.deepEqual(prepared.args, ["echo http://$(POD_IP):2379/$(UNDEFINED) $(PORT) $(NOPE)"]);
  assert.equal(prepared.hostname, "web-0");
  const hosts = await readFile(join(root, "pods", "uid-1", "etc-hosts"), "utf8");
  assert.match(hosts, /^127\.1\.1\.5\tweb-0\.web\.default\.svc\.cluster\.local\tweb-0$/m);
});

test("a missing reference fails with CreateContainerConfigError unless optional", async () => {
  const missingKey: Container = {
    name: "app",
    env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "app", key: "absent" } } }],
  };
  await assert.rejects(prepare(pod(missingKey)), (e: unknown) => {
    return (
      e instanceof RuntimeError &&
      e.reason === "CreateContainerConfigError" &&
      /couldn't find key absent/.test(e.message)
    );
  });
  const missingSecret: Container = { name: "app", envFrom: [{ secretRef: { name: "absent" } }] };
  await assert.rejects(prepare(pod(missingSecret)), /secret "absent" not found/);
});

test("configMap, secret, downwardAPI and projected volumes are files with their modes, read-only", async () => {
  const container: Container = {
    name: "app",
    volumeMounts: [
      { name: "config", mountPath: "/etc/app" },
      { name: "secret", mountPath: "/etc/secret" },
      { name: "info", mountPath: "/etc/podinfo" },
      { name: "all", mountPath: "/var/run/all" },
      { name: "config", mountPath: "/etc/one.txt", subPath: "config.txt" },
    ],
  };
  const prepared = await prepare(
    pod(container, [
      {
        name: "config",
        configMap: {
          name: "app",
          items: [
            { key: "config.txt", path: "config.txt" },
            { key: "MODE", path: "sub/mode", mode: 0o600 },
          ],
        },
      },
      { name: "secret", secret: { secretName: "creds", defaultMode: 0o400 } },
      {
        name: "info",
        downwardAPI: {
          items: [
            { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
            { path: "name", fieldRef: { fieldPath: "metadata.name" } },
          ],
        },
      },
      {
        name: "all",
        projected: {
          defaultMode: 0o440,
          sources: [
            { configMap: { name: "app", items: [{ key: "blob.bin", path: "blob.bin" }] } },
            { secret: { name: "absent", optional: true } },
            { serviceAccountToken: { path: "token", expirationSeconds: 600 } },
          ],
        },
      },
    ]),
  );
  const source = (mountPath: string) => prepared.mounts.find((m) => m.mountPath === mountPath)!;
  const config = source("/etc/app");
  assert.equal(config.readOnly, true);
  assert.equal(await readFile(join(config.source, "config.txt"), "utf8"), "hello\n");
  assert.equal((await stat(join(config.source, "config.txt"))).mode & 0o777, 0o644);
  assert.equal((await stat(join(config.source, "sub/mode"))).mode & 0o777, 0o600);
  assert.equal(await readlink(join(config.source, "config.txt")), "..data/config.txt");
  const secret = source("/etc/secret").source;
  assert.equal(await readFile(join(secret, "password"), "utf8"), "s3cret");
  assert.equal((await stat(join(secret, "password"))).mode & 0o777, 0o400);
  const info = source("/etc/podinfo").source;
  assert.equal(await readFile(join(info, "labels"), "utf8"), 'app="web"\ntier="db"');
  assert.equal(await readFile(join(info, "name"), "utf8"), "web-0");
  const all = source("/var/run/all").source;
  assert.deepEqual(await readFile(join(all, "blob.bin")), Buffer.from([0, 1]));
  assert.equal((await stat(join(all, "blob.bin"))).mode & 0o777, 0o440);
  const [, claims] = (await readFile(join(all, "token"), "utf8")).split(".");
  const token = JSON.parse(Buffer.from(claims, "base64url").toString());
  assert.equal(token.sub, "system:serviceaccount:default:runner");
  assert.equal(token.exp - token.iat, 600);
  assert.equal(await readFile(source("/etc/one.txt").source, "utf8"), "hello\n", "subPath picks one file");
  assert.deepEqual(
    prepared.mounts.map((m) => m.mountPath),
    [
      "/etc/app",
      "/etc/secret",
      "/etc/podinfo",
      "/etc/one.txt",
      "/etc/hosts",
      "/dev/termination-log",
      "/var/run/all",
    ],
    "parents before children, the managed files last among equals",
  );
});

test("emptyDir survives a re-prepare, PVCs resolve to the bound volume's path, unbound ones fail", async () => {
  const hostData = join(root, "pv-data");
  await client.create(R.persistentvolumes, undefined, {
    metadata: { name: "pv-1" },
    spec: {
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      hostPath: { path: hostData, type: "DirectoryOrCreate" },
    },
  });
  const bound = await client.create(R.persistentvolumeclaims, "default", {
    metadata: { name: "data" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeName: "pv-1" },
  });
  await client.update(
    R.persistentvolumeclaims,
    "default",
    { ...bound, status: { phase: "Bound" } },
    { subresource: "status" },
  );
  await client.create(R.persistentvolumeclaims, "default", {
    metadata: { name: "pending" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  });
  const container: Container = {
    name: "app",
    env: [{ name: "SUB", value: "shard-1" }],
    volumeMounts: [
      { name: "scratch", mountPath: "/scratch" },
      { name: "data", mountPath: "/var/lib/data", subPathExpr: "$(SUB)" },
    ],
  };
  const volumes = [
    { name: "scratch", emptyDir: {} },
    { name: "data", persistentVolumeClaim: { claimName: "data" } },
  ];
  const first = await prepare(pod(container, volumes));
  const scratch = first.mounts.find((m) => m.mountPath === "/scratch")!.source;
  assert.equal((await stat(scratch)).mode & 0o777, 0o777);
  await writeFile(join(scratch, "kept"), "yes");
  assert.equal(first.mounts.find((m) => m.mountPath === "/var/lib/data")!.source, join(hostData, "shard-1"));
  await prepare(pod(container, volumes));
  assert.equal(await readFile(join(scratch, "kept"), "utf8"), "yes");
  await removePodVolumes(join(root, "pods"), "uid-1");
  await assert.rejects(stat(scratch), /ENOENT/);

  const unbound = [
    { name: "scratch", emptyDir: {} },
    { name: "data", persistentVolumeClaim: { claimName: "pending" } },
  ];
  await assert.rejects(prepare(pod(container, unbound)), (e: unknown) => {
    return (
      e instanceof RuntimeError && e.reason === "FailedMount" && /"pending" is not bound/.test(e.message)
    );
  });
  const escaping: Container = {
    name: "app",
    volumeMounts: [{ name: "scratch", mountPath: "/x", subPath: "../up" }],
  };
  await assert.rejects(prepare(pod(escaping, [{ name: "scratch", emptyDir: {} }])), /without '\.\.'/);
});
