import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttp2Server, type Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Container } from "kubernetes-types/core/v1.js";
import { execInContainer } from "./exec.ts";
import { healthResponseFrame } from "./grpc-probe.ts";
import { runProbe } from "./probes.ts";
import { startContainer } from "./process-runtime.ts";
import { searchPath } from "./runtime-config.ts";
import { detectSandbox, type Sandbox } from "./sandbox.ts";

const podIP = "127.78.2.1";
const container: Container = { name: "app", ports: [{ name: "http", containerPort: 0 }] };

function listen(server: Server | Http2Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, podIP, () => resolve((server.address() as AddressInfo).port)),
  );
}

function close(server: { close(cb: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

test("tcpSocket succeeds when something listens on the pod IP, fails otherwise", async () => {
  const server = createTcpServer((socket) => socket.end());
  const port = await listen(server);
  assert.equal((await runProbe({ tcpSocket: { port } }, { podIP, container })).result, "success");
  await close(server);
  const refused = await runProbe({ tcpSocket: { port } }, { podIP, container });
  assert.deepEqual(refused, {
    result: "failure",
    message: `dial tcp ${podIP}:${port}: connect: connection refused`,
  });
});

test("httpGet succeeds on 200–399 and fails on 500, with named ports, headers and redirects", async () => {
  const seen: Array<{ path?: string; host?: string; agent?: string; custom?: string | string[] }> = [];
  const server = createHttpServer((req, res) => {
    seen.push({
      path: req.url,
      host: req.headers.host,
      agent: req.headers["user-agent"],
      custom: req.headers["x-probe"],
    });
    if (req.url === "/healthz") res.writeHead(200).end("ok");
    else if (req.url === "/moved") res.writeHead(302, { location: "/broken" }).end();
    else if (req.url === "/slow") setTimeout(() => res.writeHead(200).end(), 2000).unref();
    else res.writeHead(500).end("boom");
  });
  const port = await listen(server);
  const named: Container = { name: "app", ports: [{ name: "http", containerPort: port }] };
  try {
    const ok = await runProbe(
      {
        httpGet: {
          path: "/healthz",
          port: "http",
          httpHeaders: [
            { name: "X-Probe", value: "yes" },
            { name: "Host", value: "web.local" },
          ],
        },
      },
      { podIP, container: named },
    );
    assert.deepEqual(ok, { result: "success", message: "ok" });
    assert.deepEqual(seen[0], {
      path: "/healthz",
      host: "web.local",
      agent: "kube-probe/1.32",
      custom: "yes",
    });
    const broken = await runProbe({ httpGet: { path: "/broken", port } }, { podIP, container });
    assert.deepEqual(broken, { result: "failure", message: "HTTP probe failed with statuscode: 500" });
    const redirected = await runProbe({ httpGet: { path: "/moved", port } }, { podIP, container });
    assert.equal(redirected.result, "failure", "a same-host redirect is followed to the 500");
    const slow = await runProbe(
      { httpGet: { path: "/slow", port }, timeoutSeconds: 1 },
      { podIP, container, timeoutMs: 200 },
    );
    assert.equal(slow.result, "failure");
    assert.match(slow.message, /context deadline exceeded/);
    const unknownPort = await runProbe(
      { httpGet: { path: "/", port: "metrics" } },
      { podIP, container: named },
    );
    assert.match(unknownPort.message, /couldn't find port "metrics"/);
  } finally {
    server.closeAllConnections();
    await close(server);
  }
});

test("grpc succeeds when the health service answers SERVING", async () => {
  let status = 1;
  const server = createHttp2Server();
  server.on("stream", (stream) => {
    stream.on("data", () => {});
    stream.on("end", () => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(healthResponseFrame(status));
    });
  });
  const port = await listen(server);
  try {
    assert.equal((await runProbe({ grpc: { port } }, { podIP, container })).result, "success");
    status = 2;
    assert.deepEqual(await runProbe({ grpc: { port, service: "db" } }, { podIP, container }), {
      result: "failure",
      message: 'service unhealthy (responded with "NOT_SERVING")',
    });
  } finally {
    await close(server);
  }
});

let dir: string;
let sandbox: Sandbox;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-probes-"));
  sandbox = await detectSandbox({
    which: searchPath(process.env.PATH ?? ""),
    scratchDir: dir,
    warn: () => {},
  });
});
after(() => rm(dir, { recursive: true, force: true }));

test("exec runs the command inside the container: exit 0 succeeds, 1 fails", async (t) => {
  if (sandbox.kind !== "namespaces") return t.skip(`no namespace sandbox: ${sandbox.reason}`);
  const volume = join(dir, "flags");
  await mkdir(volume, { recursive: true });
  const env = { FLAG: "/etc/flags/ready" };
  const app = await startContainer({
    sandbox,
    id: "exec-probe",
    stateDir: join(dir, "state"),
    image: { executable: "/bin/sh", defaultArgs: ["-c", "sleep 30"], aliases: ["sh"] },
    env,
    mounts: [{ mountPath: "/etc/flags", source: volume, readOnly: true }],
    runDir: join(dir, "run"),
    logFile: join(dir, "0.log"),
  });
  t.after(() => app.stop(0));
  const probed: Container = { name: "app", env: [{ name: "FLAG", value: env.FLAG }] };
  const context = {
    podIP,
    container: probed,
    // Generous, so a loaded machine does not turn a slow exec into a timeout failure.
    timeoutMs: 10_000,
    exec: (command: string[], timeoutMs: number) =>
      execInContainer({ sandbox, pid: app.pid, command, env, timeoutMs }),
  };
  const probe = { exec: { command: ["test", "-f", "$(FLAG)"] } };
  assert.equal((await runProbe(probe, context)).result, "failure");
  await writeFile(join(volume, "ready"), "");
  assert.deepEqual(await runProbe(probe, context), { result: "success", message: "" });
  const exitOnly = await runProbe({ exec: { command: ["false"] } }, { ...context, exec: async () => 1 });
  assert.deepEqual(exitOnly, { result: "failure", message: 'command "false" exited with 1' });
});
