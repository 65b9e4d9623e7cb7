import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { FakeApiServer } from "./fake-apiserver.fixture.ts";
import { container, containerPort, emptyPodStatus, objectMeta, podSpecTail } from "./go-encoding.fixture.ts";
import { decodeKubernetesProtobuf } from "./index.ts";
import { kubernetesBody, WireWriter } from "./wire-writer.fixture.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";

function hasKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore", timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** kubectl commands that send protobuf; `command` goes after `--`. */
const CREATES: ReadonlyArray<{ args: readonly string[]; command?: readonly string[] }> = [
  { args: ["create", "deployment", "web", "--image=nginx", "--replicas=3", "--port=80"] },
  { args: ["create", "deployment", "idle", "--image=nginx", "--replicas=0"] },
  { args: ["create", "configmap", "settings", "--from-literal=mode=fast", "--from-literal=empty="] },
  {
    args: [
      "create",
      "secret",
      "generic",
      "creds",
      "--from-literal=user=admin",
      "--from-literal=pass=s3cr3t!",
    ],
  },
  {
    args: [
      "create",
      "secret",
      "docker-registry",
      "pull",
      "--docker-server=r.io",
      "--docker-username=u",
      "--docker-password=p",
    ],
  },
  { args: ["create", "namespace", "team-a"] },
  { args: ["create", "service", "clusterip", "api", "--tcp=80:8080", "--tcp=443"] },
  { args: ["create", "service", "nodeport", "edge", "--tcp=80:http", "--node-port=30080"] },
  { args: ["create", "job", "once", "--image=busybox"], command: ["echo", "hi"] },
  {
    args: ["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--restart=OnFailure"],
    command: ["date"],
  },
  {
    args: ["create", "role", "reader", "--verb=get,list,watch", "--resource=pods,deployments.apps,pods/log"],
  },
  {
    args: [
      "create",
      "rolebinding",
      "read",
      "--role=reader",
      "--user=alice",
      "--serviceaccount=default:robot",
    ],
  },
  {
    args: [
      "create",
      "clusterrole",
      "node-reader",
      "--verb=get",
      "--resource=nodes",
      "--non-resource-url=/healthz",
    ],
  },
  { args: ["create", "clusterrole", "aggregate", "--aggregation-rule=rbac.example.com/aggregate=true"] },
  { args: ["create", "clusterrolebinding", "ops", "--clusterrole=node-reader", "--group=devs"] },
  { args: ["create", "serviceaccount", "robot"] },
  { args: ["create", "quota", "small", "--hard=cpu=1,memory=1Gi,pods=10", "--scopes=BestEffort"] },
  {
    args: [
      "create",
      "priorityclass",
      "high",
      "--value=1000",
      "--description=important",
      "--preemption-policy=Never",
    ],
  },
  { args: ["create", "poddisruptionbudget", "web", "--selector=app=web", "--min-available=50%"] },
  { args: ["create", "poddisruptionbudget", "db", "--selector=app=db", "--max-unavailable=1"] },
  { args: ["create", "ingress", "site", "--rule=foo.com/bar*=svc:8080,tls=cert", "--class=nginx"] },
];

/**
 * What kubectl prints, less what Go's JSON encoder adds and the decoder does
 * not: zero status counters that lack `omitempty` (a PodDisruptionBudget's
 * `currentHealthy: 0`), which on the wire look unset, and `null` for an empty
 * list that lacks `omitempty` (a ClusterRole's `rules: null`), as empty lists
 * are left out. Null times stay: the decoder keeps them.
 */
function asDecoded(object: Record<string, unknown>): Record<string, unknown> {
  const withoutNullLists = JSON.parse(JSON.stringify(object), (key, value) =>
    value === null && !/(Time|Timestamp)$/.test(key) ? undefined : value,
  );
  const status = withoutNullLists.status;
  if (status === null || typeof status !== "object") return withoutNullLists;
  const kept = Object.entries(status).filter(([, value]) => value !== 0 && value !== "" && value !== false);
  return { ...withoutNullLists, status: Object.fromEntries(kept) };
}

describe("decoding what kubectl sends", { skip: hasKubectl() ? false : "kubectl is not on PATH" }, () => {
  let server: FakeApiServer;
  before(async () => {
    server = await FakeApiServer.start();
  });
  after(async () => {
    await server.stop();
  });

  async function send(args: readonly string[]): Promise<{ stdout: string; body: Buffer }> {
    const seen = server.bodies.length;
    const result = await server.kubectl(args);
    assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
    const bodies = server.bodies.slice(seen);
    assert.equal(bodies.length, 1, "one request body");
    assert.equal(bodies[0].contentType, PROTOBUF);
    return { stdout: result.stdout, body: bodies[0].body };
  }

  for (const { args, command = [] } of CREATES) {
    const tail = command.length > 0 ? ["--", ...command] : [];
    it(`kubectl ${[...args, ...tail].join(" ")} decodes to its --dry-run=client object`, async () => {
      const client = await server.kubectl([...args, "--dry-run=client", "-o", "json", ...tail]);
      assert.equal(client.code, 0, client.stderr);
      const expected = JSON.parse(client.stdout);

      const sent = await send([...args, "--dry-run=server", "-o", "json", ...tail]);
      const decoded = decodeKubernetesProtobuf(sent.body);

      assert.equal(decoded.apiVersion, expected.apiVersion);
      assert.equal(decoded.kind, expected.kind);
      assert.deepEqual(decoded.object, asDecoded(expected));
      // The fake server answered with the decoded object; kubectl read it back unchanged.
      assert.deepEqual(JSON.parse(sent.stdout), expected);
    });
  }

  it("keeps an explicit zero of a pointer field (replicas: 0)", async () => {
    const sent = await send([
      "create",
      "deployment",
      "zero",
      "--image=nginx",
      "--replicas=0",
      "--dry-run=server",
    ]);
    const spec = decodeKubernetesProtobuf(sent.body).object.spec as Record<string, unknown>;
    assert.equal(spec.replicas, 0);
  });

  it("decodes kubectl create token's TokenRequest", async () => {
    const sent = await send([
      "create",
      "token",
      "robot",
      "--audience=vault",
      "--duration=1h",
      "--bound-object-kind=Pod",
      "--bound-object-name=p",
      "--bound-object-uid=7f9a",
    ]);
    assert.equal(sent.stdout.trim(), "fake-token");
    assert.deepEqual(decodeKubernetesProtobuf(sent.body).object, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      metadata: { creationTimestamp: null },
      spec: {
        audiences: ["vault"],
        expirationSeconds: 3600,
        boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "p", uid: "7f9a" },
      },
      status: { expirationTimestamp: null },
    });
  });

  it("decodes kubectl auth can-i's SelfSubjectAccessReview", async () => {
    const seen = server.bodies.length;
    await server.kubectl([
      "auth",
      "can-i",
      "create",
      "deployments.apps",
      "--subresource=scale",
      "-n",
      "prod",
    ]);
    const [request] = server.bodies.slice(seen);
    assert.equal(request.contentType, PROTOBUF);
    assert.deepEqual(decodeKubernetesProtobuf(request.body).object, {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: {
          namespace: "prod",
          verb: "create",
          group: "apps",
          resource: "deployments",
          subresource: "scale",
        },
      },
      status: {},
    });
  });

  it("decodes kubectl auth whoami's SelfSubjectReview", async () => {
    const sent = await send(["auth", "whoami", "-o", "json"]);
    assert.deepEqual(decodeKubernetesProtobuf(sent.body).object, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "SelfSubjectReview",
      metadata: { creationTimestamp: null },
      status: { userInfo: {} },
    });
  });

  it("decodes a Pod as client-go encodes kubectl run's", async () => {
    const args = [
      "run",
      "p",
      "--image=nginx",
      "--labels=app=p,tier=web",
      "--env=A=1",
      "--env=B=2",
      "--port=80",
    ];
    const client = await server.kubectl([...args, "--dry-run=client", "-o", "json"]);
    assert.equal(client.code, 0, client.stderr);
    // kubectl 1.32 sends this Pod as JSON; encode it as a typed client would.
    const pod = new WireWriter()
      .message(1, (m) => objectMeta(m, { name: "p", labels: { app: "p", tier: "web" } }))
      .message(2, (spec) => {
        spec.message(2, (c) =>
          container(c, {
            name: "p",
            image: "nginx",
            extra: (x) =>
              x
                .message(6, (port) => containerPort(port, 80))
                .message(7, (env) => env.string(1, "A").string(2, "1"))
                .message(7, (env) => env.string(1, "B").string(2, "2")),
          }),
        );
        podSpecTail(spec, { restartPolicy: "Always", dnsPolicy: "ClusterFirst" });
      })
      .message(3, emptyPodStatus);
    const decoded = decodeKubernetesProtobuf(kubernetesBody("v1", "Pod", pod.finish()));
    assert.deepEqual(decoded.object, JSON.parse(client.stdout));
  });
});
