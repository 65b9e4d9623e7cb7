import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, type TestContext, test } from "node:test";
import {
  containerLogPath,
  followContainerLog,
  logFileFor,
  pruneContainerLogs,
  readContainerLog,
} from "./logs.ts";
import { type ContainerProcess, startContainer } from "./process-runtime.ts";
import { searchPath } from "./runtime-config.ts";
import { detectSandbox, type Sandbox } from "./sandbox.ts";

let dir: string;
let sandbox: Sandbox;
let seq = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-logs-"));
  sandbox = await detectSandbox({
    which: searchPath(process.env.PATH ?? ""),
    scratchDir: dir,
    warn: () => {},
  });
});
after(() => rm(dir, { recursive: true, force: true }));

async function run(
  t: TestContext,
  script: string,
  logFile?: string,
): Promise<{ app: ContainerProcess; log: string }> {
  const id = `l${++seq}`;
  const log = logFile ?? containerLogPath(join(dir, "pods", id), "app", 0);
  const app = await startContainer({
    sandbox,
    id,
    stateDir: join(dir, "state"),
    image: { executable: "/bin/sh", defaultArgs: [], aliases: ["sh"] },
    command: ["sh", "-c", script],
    env: {},
    mounts: [],
    runDir: join(dir, "run", id),
    logFile: log,
  });
  t.after(() => app.stop(0));
  return { app, log };
}

const text = async (stream: AsyncIterable<Buffer>) => {
  let out = "";
  for await (const chunk of stream) out += chunk.toString();
  return out;
};

test("logs read back as kubectl prints them: tail, limit, since and timestamps", async (t) => {
  const { app, log } = await run(
    t,
    "for i in 1 2 3 4; do echo line $i; done; echo oops >&2; printf 'no newline'",
  );
  await app.exited;
  assert.equal((await readContainerLog(log)).toString(), "line 1\nline 2\nline 3\nline 4\noops\nno newline");
  assert.equal((await readContainerLog(log, { tailLines: 2 })).toString(), "oops\nno newline");
  assert.equal((await readContainerLog(log, { tailLines: 0 })).toString(), "");
  assert.equal((await readContainerLog(log, { limitBytes: 10 })).toString(), "line 1\nlin");
  const stamped = (await readContainerLog(log, { timestamps: true, tailLines: 1 })).toString();
  assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z no newline$/);
  const later = { now: () => new Date(Date.now() + 3600_000) };
  assert.equal((await readContainerLog(log, { sinceSeconds: 60, clock: later })).toString(), "");
  assert.equal((await readContainerLog(log, { sinceSeconds: 60 })).toString().split("\n").length, 6);
});

test("long lines are stored in pieces and read back whole", async (t) => {
  const { app, log } = await run(t, "head -c 40000 /dev/zero | tr '\\0' x; echo; echo end");
  await app.exited;
  const raw = await readFile(log, "utf8");
  assert.equal(raw.split("\n").filter((l) => / stdout P /.test(l)).length, 2, "16 KiB pieces");
  assert.equal((await readContainerLog(log)).toString(), `${"x".repeat(40000)}\nend\n`);
});

test("follow streams output as it is written and ends when the container exits", async (t) => {
  const { app, log } = await run(t, "echo first; sleep 0.6; echo second; sleep 0.2");
  const seen: Array<{ at: number; chunk: string }> = [];
  const began = Date.now();
  for await (const chunk of followContainerLog(log, { until: app.exited, pollIntervalMs: 20 })) {
    seen.push({ at: Date.now() - began, chunk: chunk.toString() });
  }
  assert.deepEqual(
    seen.map((s) => s.chunk),
    ["first\n", "second\n"],
  );
  assert.ok(seen[0].at < 500, `the first line came before the second was written (${seen[0].at} ms)`);
  assert.ok(Date.now() - began >= 700, "the stream lasted until the container exited");
});

test("follow stops when the caller aborts", async (t) => {
  const { log } = await run(t, "echo hello; sleep 30");
  const abort = new AbortController();
  const stream = followContainerLog(log, { signal: abort.signal, pollIntervalMs: 20, tailLines: 5 });
  const began = Date.now();
  setTimeout(() => abort.abort(), 300);
  assert.equal(await text(stream), "hello\n");
  assert.ok(Date.now() - began >= 290, "followed until the abort");
});

test("previous reads the last instance's log; older ones are pruned", async (t) => {
  const podLogDir = join(dir, "restarts");
  for (const [restart, word] of ["zero", "one", "two"].entries()) {
    const { app } = await run(t, `echo ${word}`, containerLogPath(podLogDir, "app", restart));
    await app.exited;
  }
  const previous = await logFileFor({ podLogDir, container: "app", restartCount: 2, previous: true });
  assert.equal((await readContainerLog(previous)).toString(), "one\n");
  await pruneContainerLogs(podLogDir, "app", 2);
  await assert.rejects(stat(containerLogPath(podLogDir, "app", 0)), /ENOENT/);
  await assert.rejects(
    logFileFor({ podLogDir, container: "app", restartCount: 0, previous: true }),
    /previous terminated container "app" not found/,
  );
});
