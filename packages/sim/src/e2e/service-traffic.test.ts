import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { eventually, startTestMember, type TestMember } from "./harness.ts";

const ID = 103;
const ECHO = fileURLToPath(new URL("./fixtures/echo-server.mjs", import.meta.url));

/** Sends one line over TCP and resolves with the reply line. */
function exchange(host: string, port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply from ${host}:${port}`));
    }, 3000);
    let data = "";
    socket.on("connect", () => socket.write(`${line}\n`));
    socket.on("data", (chunk) => {
      data += chunk.toString();
      if (data.includes("\n")) {
        clearTimeout(timer);
        socket.end();
        resolve(data.trim());
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      if (!data) reject(new Error(`connection to ${host}:${port} closed without a reply`));
    });
  });
}

let m: TestMember;
before(async () => {
  m = await startTestMember(ID, {
    runtime: { images: [{ match: "atoll-test/echo", executable: process.execPath, defaultArgs: [ECHO] }] },
  });
  await m.ok(
    ["apply", "-f", "-"],
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers:
      - name: echo
        image: atoll-test/echo:1
        ports: [{name: tcp, containerPort: 8080}]
        env:
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        readinessProbe:
          httpGet: {port: 8081, path: /}
          periodSeconds: 1
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  type: LoadBalancer
  selector: {app: echo}
  ports: [{port: 80, targetPort: tcp}]
`,
  );
  await m.ok(["rollout", "status", "deployment/echo", "--timeout=30s"]);
});
after(async () => {
  await m.stop();
});

type ServiceView = {
  spec: { clusterIP: string; ports: Array<{ nodePort: number }> };
  status: { loadBalancer: { ingress?: Array<{ ip: string }> } };
};

test("cluster IP, node port and load-balancer address all carry TCP to the pods, round robin", async () => {
  const service = await eventually("the LB address", async () => {
    const s = JSON.parse(await m.ok(["get", "svc", "echo", "-o", "json"])) as ServiceView;
    return s.status.loadBalancer.ingress?.[0]?.ip ? s : undefined;
  });
  const nodeIp = `127.${ID}.0.10`;
  const targets: Array<[string, number]> = [
    [service.spec.clusterIP, 80],
    [nodeIp, service.spec.ports[0].nodePort],
    [service.status.loadBalancer.ingress?.[0]?.ip ?? "", 80],
  ];
  for (const [host, port] of targets) {
    const replies = new Set<string>();
    for (let i = 0; i < 6; i++) replies.add((await exchange(host, port, "hi")).split(":")[0]);
    assert.equal(replies.size, 2, `both pods answer through ${host}:${port}`);
  }
});

test("endpoints follow a pod going unready, and traffic only reaches ready pods", async () => {
  const pods = JSON.parse(await m.ok(["get", "pods", "-l", "app=echo", "-o", "json"])).items as Array<{
    metadata: { name: string };
    status: { podIP: string };
  }>;
  const [sick, healthy] = pods;
  await exchange(sick.status.podIP, 8080, "unready");
  await eventually(
    "the endpoints drop the unready pod",
    async () => {
      const endpoints = JSON.parse(await m.ok(["get", "endpoints", "echo", "-o", "json"]));
      const ready = endpoints.subsets?.[0]?.addresses ?? [];
      return ready.length === 1 && ready[0].ip === healthy.status.podIP;
    },
    15_000,
  );
  const service = JSON.parse(await m.ok(["get", "svc", "echo", "-o", "json"])) as ServiceView;
  for (let i = 0; i < 5; i++) {
    assert.equal((await exchange(service.spec.clusterIP, 80, "ping")).split(":")[0], healthy.metadata.name);
  }
  assert.match(await m.ok(["logs", `deploy/echo`, "--tail=5"]), /echo listening on 127\.103\./);
});
