import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

const BIN = new URL("../../bin/atoll.ts", import.meta.url).pathname;

let dir: string;
const started = new Set<ChildProcess>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-cli-"));
});
after(async () => {
  for (const child of started) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/** Starts `atoll apiserver` as a real process and resolves with its URL once it logs "ready". */
function startApiServer(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, "apiserver", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(child);
  child.on("exit", () => started.delete(child));
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`apiserver did not start: ${output}`)), 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(https?:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`apiserver exited with ${code}: ${output}`));
    });
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

const CM = "/api/v1/namespaces/default/configmaps";

async function post(url: string, name: string): Promise<string> {
  const response = await fetch(url + CM, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ metadata: { name }, data: { name } }),
  });
  assert.equal(response.status, 201);
  return ((await response.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  test(`SQLite storage keeps every acknowledged write across a restart after ${signal}`, async () => {
    const storage = `sqlite:${join(dir, `${signal}.db`)}`;
    const first = await startApiServer(["--storage", storage]);
    let lastRv = "0";
    for (let i = 0; i < 20; i++) lastRv = await post(first.url, `cm-${i}`);
    await stop(first.child, signal);

    const second = await startApiServer(["--storage", storage]);
    try {
      const list = (await (await fetch(second.url + CM)).json()) as {
        items: Array<{ metadata: { name: string } }>;
      };
      assert.equal(list.items.length, 20);
      const next = await post(second.url, "after-restart");
      assert.ok(Number(next) > Number(lastRv), `resourceVersion ${next} must exceed ${lastRv}`);
    } finally {
      await stop(second.child, "SIGTERM");
    }
  });
}

test("a token file makes requests without a valid bearer token fail with 401", async () => {
  const tokens = join(dir, "tokens.csv");
  await writeFile(tokens, 'tok-1,admin,1,"system:masters"\n');
  const server = await startApiServer(["--token-file", tokens]);
  try {
    assert.equal((await fetch(server.url + CM)).status, 401);
    assert.equal((await fetch(server.url + CM, { headers: { authorization: "Bearer tok-1" } })).status, 200);
  } finally {
    await stop(server.child, "SIGTERM");
  }
});

test("with --tls-dir and a token file, kubectl works over HTTPS with the token", async () => {
  const tokens = join(dir, "tls-tokens.csv");
  await writeFile(tokens, 'tok-2,admin,1,"system:masters"\n');
  const pki = join(dir, "pki");
  const server = await startApiServer(["--token-file", tokens, "--tls-dir", pki]);
  try {
    assert.match(server.url, /^https:/);
    const kubectl = (token: string) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const child = execFile(
          "kubectl",
          [
            "--server",
            server.url,
            "--certificate-authority",
            join(pki, "ca.crt"),
            "--token",
            token,
            "--cache-dir",
            join(dir, `c-${token}`),
            "get",
            "ns",
            "-o",
            "name",
          ],
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, out: String(stdout) + String(stderr) }),
        );
        child.stdin?.end();
      });
    const good = await kubectl("tok-2");
    assert.equal(good.code, 0, good.out);
    assert.match(good.out, /namespace\/default/);
    assert.notEqual((await kubectl("wrong")).code, 0);
  } finally {
    await stop(server.child, "SIGTERM");
  }
});

test("bad flags give a clear error and a non-zero exit", async () => {
  const child = spawn(process.execPath, [BIN, "apiserver", "--storage", "floppy"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.notEqual(code, 0);
  assert.match(stderr, /unknown store "floppy"/);
});

test("--with-controllers runs the hub controllers in the same process: CRDs installed, a policy binds a Deployment", async () => {
  const server = await startApiServer(["--with-controllers"]);
  const send = (method: string, path: string, body?: unknown) =>
    fetch(server.url + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 150; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`${what} within 15 s`);
  };
  try {
    await until("the controllers install their CRDs", async () => {
      const response = await send("GET", "/apis/policy.atoll.io/v1alpha1/propagationpolicies");
      return response.status === 200;
    });
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "web", image: "nginx" }] },
        },
      },
    };
    assert.equal(
      (await send("POST", "/apis/apps/v1/namespaces/default/deployments", deployment)).status,
      201,
    );
    const policy = {
      apiVersion: "policy.atoll.io/v1alpha1",
      kind: "PropagationPolicy",
      metadata: { name: "web" },
      spec: {
        resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web" }],
        placement: {},
      },
    };
    const created = await send(
      "POST",
      "/apis/policy.atoll.io/v1alpha1/namespaces/default/propagationpolicies",
      policy,
    );
    assert.equal(created.status, 201);
    await until("a ResourceBinding for the Deployment", async () => {
      const list = (await (
        await send("GET", "/apis/work.atoll.io/v1alpha1/namespaces/default/resourcebindings")
      ).json()) as {
        items?: Array<{ spec?: { resource?: { name?: string } } }>;
      };
      return (list.items ?? []).some((b) => b.spec?.resource?.name === "web");
    });
  } finally {
    await stop(server.child, "SIGTERM");
  }
  assert.equal(server.child.exitCode, 0);
});
