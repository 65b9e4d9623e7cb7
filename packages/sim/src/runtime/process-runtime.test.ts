import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, type TestContext, test } from "node:test";
import { childPids, cleanupOrphans, processStartTicks, writeRecord } from "./container-state.ts";
import { RuntimeError } from "./errors.ts";
import { execInContainer } from "./exec.ts";
import { type ContainerProcess, type StartOptions, startContainer } from "./process-runtime.ts";
import { resolveImage, searchPath } from "./runtime-config.ts";
import { detectSandbox, type Sandbox } from "./sandbox.ts";

const config = { images: [{ match: "busybox", executable: "/bin/sh", aliases: ["sh"] }] };
const busybox = resolveImage(config, "busybox:1.36")!;
let dir: string;
let sandbox: Sandbox;
let seq = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-process-"));
  sandbox = await detectSandbox({
    which: searchPath(process.env.PATH ?? ""),
    scratchDir: dir,
    warn: () => {},
  });
});
after(() => rm(dir, { recursive: true, force: true }));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const alive = async (pid: number) => (await processStartTicks(pid)) !== undefined && !(await isZombie(pid));
const isZombie = async (pid: number) =>
  / Z /.test(await readFile(`/proc/${pid}/stat`, "utf8").catch(() => " Z "));

function options(script: string, extra: Partial<StartOptions> = {}): StartOptions {
  const id = `c${++seq}`;
  return {
    sandbox,
    id,
    stateDir: join(dir, "state"),
    image: busybox,
    command: ["sh", "-c", script],
    env: {},
    mounts: [],
    runDir: join(dir, "run", id),
    logFile: join(dir, "logs", id, "0.log"),
    ...extra,
  };
}

async function start(t: TestContext, opts: StartOptions): Promise<ContainerProcess> {
  const container = await startContainer(opts);
  t.after(() => container.stop(0));
  return container;
}

const logText = (opts: StartOptions) => readFile(opts.logFile, "utf8").catch(() => "");

test("a container sees its volume at the mountPath while the host path is elsewhere", async (t) => {
  if (sandbox.kind !== "namespaces") return t.skip(`no namespace sandbox: ${sandbox.reason}`);
  const volume = join(dir, "config-volume");
  await mkdir(volume, { recursive: true });
  await writeFile(join(volume, "config.txt"), "listen=127.78.1.10\n");
  const opts = options(
    'cat /etc/app/config.txt; echo "$GREETING from $(hostname)"; echo oops >&2; sleep 30',
    {
      env: { GREETING: "hi" },
      hostname: "web-0",
      mounts: [{ mountPath: "/etc/app", source: volume, readOnly: true }],
    },
  );
  const container = await start(t, opts);
  await until(async () => (await logText(opts)).includes("oops"));
  const lines = (await logText(opts)).trim().split("\n");
  assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F listen=127\.78\.1\.10$/);
  assert.match(lines.join("\n"), / stdout F hi from web-0$/m);
  assert.match(lines.join("\n"), / stderr F oops$/m);
  await assert.rejects(stat("/etc/app/config.txt"), /ENOENT/, "the host has no /etc/app");
  const cat = await execInContainer({
    sandbox,
    pid: container.pid,
    command: ["cat", "/etc/app/config.txt"],
    env: {},
    timeoutMs: 5000,
  });
  assert.deepEqual(cat, { exitCode: 0, output: "listen=127.78.1.10\n", timedOut: false });
  const write = await execInContainer({
    sandbox,
    pid: container.pid,
    command: ["sh", "-c", "echo x > /etc/app/new"],
    env: {},
    timeoutMs: 5000,
  });
  assert.notEqual(write.exitCode, 0, "a readOnly mount refuses writes");
  const exit = await container.stop(5000);
  assert.equal(exit.exitCode, 143, "128 + SIGTERM, as a container runtime reports it");
  assert.equal(await alive(container.pid), false);
});

test("stop sends SIGTERM, and SIGKILL once the grace period is over", async (t) => {
  const polite = options("trap 'echo bye; exit 3' TERM; while true; do sleep 0.05; done");
  const first = await start(t, polite);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(await first.stop(5000), { exitCode: 3, signal: null });
  assert.match(await logText(polite), / stdout F bye$/m);

  const stubbornOptions = options("trap '' TERM; sleep 0.2 & while true; do sleep 0.05; done");
  const stubborn = await start(t, stubbornOptions);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const began = Date.now();
  assert.equal((await stubborn.stop(300)).exitCode, 137);
  assert.ok(Date.now() - began >= 290, "waited for the grace period");
  assert.equal(await logText(stubbornOptions), "", "the runtime adds nothing to the container's log");
});

test("leftover children die with the container's main process", async (t) => {
  const container = await start(t, options("sleep 30 & sleep 0.3; exit 0"));
  await until(async () => (await childPids(container.pid)).length === 2);
  const [background] = await childPids(container.pid);
  t.after(() => {
    try {
      process.kill(background, "SIGKILL");
    } catch {}
  });
  assert.deepEqual(await container.exited, { exitCode: 0, signal: null });
  await until(async () => !(await alive(background)));
});

test("a missing executable fails the start with RunContainerError", async () => {
  await assert.rejects(startContainer(options("", { command: ["/no/such/program"] })), (e: unknown) => {
    return (
      e instanceof RuntimeError &&
      e.reason === "RunContainerError" &&
      /executable file not found/.test(e.message)
    );
  });
});

test("exec reports exit codes and timeouts", async (t) => {
  const container = await start(t, options("sleep 30", { env: { WHO: "container" } }));
  const run = (command: string[], timeoutMs = 5000) =>
    execInContainer({ sandbox, pid: container.pid, command, env: { WHO: "container" }, timeoutMs });
  assert.deepEqual(await run(["sh", "-c", 'echo "$WHO"']), {
    exitCode: 0,
    output: "container\n",
    timedOut: false,
  });
  assert.equal((await run(["sh", "-c", "exit 1"])).exitCode, 1);
  const slow = await run(["sleep", "5"], 200);
  assert.equal(slow.timedOut, true);
  assert.equal(slow.exitCode, null);
});

function member(opts: StartOptions): Promise<{ member: ReturnType<typeof spawn>; pid: number }> {
  const fixture = join(import.meta.dirname, "process-runtime.fixture.ts");
  const child = spawn(process.execPath, [fixture, JSON.stringify(opts)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("member did not start its container")), 10_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve({ member: child, pid: (JSON.parse(out) as { pid: number }).pid });
      }
    });
  });
}

test("a container's processes die with its member, even when the member is SIGKILLed", async (t) => {
  if (sandbox.kind === "plain" && sandbox.setpriv === undefined) return t.skip("no setpriv");
  const started = await member(options("sleep 30 & sleep 30"));
  let tree = [started.pid];
  t.after(() => {
    started.member.kill("SIGKILL");
    for (const pid of tree) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  });
  await until(async () => (await childPids(started.pid)).length === 2);
  tree = [started.pid, ...(await childPids(started.pid))];
  for (const pid of tree) assert.equal(await alive(pid), true);
  started.member.kill("SIGKILL");
  for (const pid of sandbox.kind === "namespaces" ? tree : [started.pid])
    await until(async () => !(await alive(pid)));
});

test("cleanupOrphans kills what a crashed member left behind, and only that", async (t) => {
  const stateDir = join(dir, "orphans");
  // Without setpriv nothing ties the container to its member: the case cleanupOrphans exists for.
  const unguarded: Sandbox = { kind: "plain", reason: "test" };
  const started = await member(options("sleep 30 & sleep 30", { sandbox: unguarded, stateDir }));
  const innocent = spawn("sleep", ["30"], { stdio: "ignore" });
  t.after(() => {
    for (const pid of [started.pid, innocent.pid!]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  });
  const ticks = (await processStartTicks(innocent.pid!))!;
  await writeRecord(stateDir, { id: "stale", pid: innocent.pid!, startTicks: ticks - 1, argv: ["sleep"] });
  started.member.kill("SIGKILL");
  await new Promise((resolve) => started.member.once("exit", resolve));
  assert.equal(await alive(started.pid), true, "the orphan survived its member");

  const killed = await cleanupOrphans(stateDir);
  assert.ok(killed.includes(started.pid));
  assert.equal(killed.length, 3, "the orphan shell and its two sleeps");
  for (const pid of killed) await until(async () => !(await alive(pid)));
  assert.equal(await alive(innocent.pid!), true, "a reused pid with another start time is spared");
  assert.deepEqual(await cleanupOrphans(stateDir), [], "records are forgotten");
});

test("without namespace tools the runtime warns loudly and runs plain host processes", async (t) => {
  const warnings: string[] = [];
  const host = searchPath(process.env.PATH ?? "");
  const plain = await detectSandbox({
    which: (bin) => (bin === "unshare" ? undefined : host(bin)),
    scratchDir: dir,
    warn: (message) => warnings.push(message),
  });
  assert.equal(plain.kind, "plain");
  assert.match(warnings.join("\n"), /missing unshare.*NOT visible at their mountPaths/);
  const opts = options('echo "$X in $(pwd)"', { sandbox: plain, env: { X: "plain" }, workingDir: dir });
  const container = await start(t, opts);
  assert.deepEqual(await container.exited, { exitCode: 0, signal: null });
  assert.match(await logText(opts), new RegExp(` stdout F plain in ${dir}$`, "m"));
});
