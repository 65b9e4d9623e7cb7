import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { eventually, startTestMember, type TestMember } from "./harness.ts";

const ID = 102;
const haveEtcd = existsSync("/usr/bin/etcd") && existsSync("/usr/bin/etcdctl");
const peerIp = (i: number) => `127.${ID}.130.${10 + i}`;
const CLIENT_IP = `127.${ID}.130.20`;

/**
 * Three etcd replicas as a StatefulSet. Without cluster DNS, each replica
 * reaches its peers through a per-pod Service at a fixed cluster IP, named in
 * /etc/hosts by hostAliases — the same shape as KubeBlocks' pod services.
 */
function manifests(): string {
  const perPod = [0, 1, 2]
    .map(
      (i) => `apiVersion: v1
kind: Service
metadata: {name: etcd-${i}}
spec:
  clusterIP: ${peerIp(i)}
  selector: {statefulset.kubernetes.io/pod-name: etcd-${i}}
  ports: [{name: client, port: 2379}, {name: peer, port: 2380}]`,
    )
    .join("\n---\n");
  return `${perPod}
---
apiVersion: v1
kind: Service
metadata: {name: etcd-client}
spec:
  clusterIP: ${CLIENT_IP}
  selector: {app: etcd}
  ports: [{name: client, port: 2379}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: etcd}
spec:
  serviceName: etcd
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: etcd}}
  template:
    metadata: {labels: {app: etcd}}
    spec:
      hostAliases:
${[0, 1, 2].map((i) => `      - {ip: "${peerIp(i)}", hostnames: [etcd-${i}.etcd]}`).join("\n")}
      containers:
      - name: etcd
        image: quay.io/coreos/etcd:v3.4.23
        env:
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        command: [etcd]
        args:
        - --name=$(POD_NAME)
        - --data-dir=/var/run/etcd/data
        - --listen-peer-urls=http://$(POD_IP):2380
        - --listen-client-urls=http://$(POD_IP):2379
        - --advertise-client-urls=http://$(POD_NAME).etcd:2379
        - --initial-advertise-peer-urls=http://$(POD_NAME).etcd:2380
        - --initial-cluster=etcd-0=http://etcd-0.etcd:2380,etcd-1=http://etcd-1.etcd:2380,etcd-2=http://etcd-2.etcd:2380
        - --initial-cluster-state=new
        - --initial-cluster-token=atoll-test
        readinessProbe:
          tcpSocket: {port: 2379}
          periodSeconds: 1
        volumeMounts: [{name: data, mountPath: /var/run/etcd}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;
}

const etcdctl = (...args: string[]) =>
  promisify(execFile)("etcdctl", [`--endpoints=${CLIENT_IP}:2379`, "--command-timeout=3s", ...args], {
    env: { ...process.env, ETCDCTL_API: "3" },
    timeout: 10_000,
  });

let m: TestMember;
before(async () => {
  if (haveEtcd) m = await startTestMember(ID);
});
after(async () => {
  await m?.stop();
});

test("three etcd pods form a working cluster reached through a Service", {
  skip: !haveEtcd && "etcd is not installed",
}, async () => {
  await m.ok(["apply", "-f", "-"], manifests());
  await m.ok(["rollout", "status", "statefulset/etcd", "--timeout=60s"]);
  await eventually(
    "etcd answers through the client Service",
    async () => (await etcdctl("put", "greeting", "hello")).stdout.includes("OK"),
    30_000,
  );
  assert.equal((await etcdctl("get", "greeting", "--print-value-only")).stdout.trim(), "hello");
  const members = (await etcdctl("member", "list")).stdout.trim().split("\n");
  assert.equal(members.length, 3);
  assert.match(await m.ok(["logs", "etcd-0", "--tail=50"]), /etcd|raft|serve/i);
});

test("killing one etcd process restarts its container with the data kept", {
  skip: !haveEtcd && "etcd is not installed",
}, async () => {
  m.host.killContainer("default", "etcd-1", "etcd");
  const restarted = await eventually(
    "etcd-1 restarted and ready",
    async () => {
      const pod = JSON.parse(await m.ok(["get", "pod", "etcd-1", "-o", "json"]));
      const status = pod.status.containerStatuses?.[0];
      return status?.restartCount === 1 && status.ready ? status : undefined;
    },
    30_000,
  );
  assert.equal(restarted.lastState.terminated.exitCode, 137);
  await eventually(
    "cluster healthy again",
    async () => (await etcdctl("put", "after", "kill")).stdout.includes("OK"),
    20_000,
  );
  assert.equal((await etcdctl("get", "greeting", "--print-value-only")).stdout.trim(), "hello");
  const endpoint = await promisify(execFile)(
    "etcdctl",
    [`--endpoints=${peerIp(1)}:2379`, "get", "greeting", "--print-value-only"],
    {
      env: { ...process.env, ETCDCTL_API: "3" },
      timeout: 10_000,
    },
  );
  assert.equal(endpoint.stdout.trim(), "hello");
});
