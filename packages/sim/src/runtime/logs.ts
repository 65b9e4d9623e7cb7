import { open, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type Clock, systemClock } from "@atoll/kube/clock";

/** `kubectl logs` options, as `PodLogOptions` names them. */
export type LogOptions = {
  /** Only the last N lines of the file (CRI entries; a long line split into pieces counts each piece). */
  tailLines?: number;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
  /** Only entries from the last N seconds (by `clock`). */
  sinceSeconds?: number;
  /** Only entries at or after this time (the later of the two `since`s wins). */
  sinceTime?: Date;
  /** Prefix each entry with its RFC 3339 timestamp (9 fractional digits) and a space. */
  timestamps?: boolean;
  /** Default the system clock. */
  clock?: Clock;
};

export type FollowOptions = LogOptions & {
  /**
   * Following ends, after the last bytes are read, once this settles (pass the
   * container's `exited`); without it, only `signal` ends the stream.
   */
  until?: Promise<unknown>;
  /** Following ends at once when aborted (the client went away). */
  signal?: AbortSignal;
  /** How often to look for new output (default 100 ms). */
  pollIntervalMs?: number;
};

/** `<podLogDir>/<container>/<restartCount>.log`, the kubelet's layout. */
export function containerLogPath(podLogDir: string, container: string, restartCount: number): string {
  return join(podLogDir, container, `${restartCount}.log`);
}

/**
 * The log file `kubectl logs` reads: the current instance's, or with
 * `previous` the one before it. Fails when there is no previous instance.
 */
export async function logFileFor(options: {
  podLogDir: string;
  container: string;
  restartCount: number;
  previous?: boolean;
}): Promise<string> {
  const { podLogDir, container, restartCount } = options;
  if (options.previous !== true) return containerLogPath(podLogDir, container, restartCount);
  const path = containerLogPath(podLogDir, container, restartCount - 1);
  if (restartCount < 1 || (await stat(path).catch(() => undefined)) === undefined) {
    throw new Error(`previous terminated container "${container}" not found`);
  }
  return path;
}

/** Removes a container's logs older than the previous instance's, as the kubelet keeps only the last dead one. */
export async function pruneContainerLogs(
  podLogDir: string,
  container: string,
  restartCount: number,
): Promise<void> {
  const dir = join(podLogDir, container);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const index = /^(\d+)\.log$/.exec(name)?.[1];
    if (index !== undefined && Number(index) < restartCount - 1) await rm(join(dir, name), { force: true });
  }
}

/** A whole log read with `kubectl logs` semantics: stdout and stderr interleaved as written. */
export async function readContainerLog(path: string, options: LogOptions = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of followContainerLog(path, { ...options, until: Promise.resolve() }))
    chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * A log as a stream (`kubectl logs -f`): what the file holds (after
 * `tailLines`), then what is appended, until `until` settles or `signal`
 * aborts. Entries are CRI log lines (see `CriLogWriter`); a partial (`P`)
 * entry is printed without a newline so pieces join up again.
 */
export function followContainerLog(path: string, options: FollowOptions = {}): Readable {
  return Readable.from(follow(path, options), { objectMode: false });
}

async function* follow(path: string, options: FollowOptions): AsyncGenerator<Buffer> {
  const now = (options.clock ?? systemClock).now().getTime();
  const since = Math.max(
    options.sinceSeconds !== undefined ? now - options.sinceSeconds * 1000 : Number.NEGATIVE_INFINITY,
    options.sinceTime?.getTime() ?? Number.NEGATIVE_INFINITY,
  );
  let remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
  let finished = false;
  void options.until?.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  const file = await open(path, "r");
  try {
    let position = options.tailLines !== undefined ? await tailStart(file, options.tailLines) : 0;
    let pending = Buffer.alloc(0);
    for (;;) {
      const wasFinished = finished;
      const { bytesRead, buffer } = await file.read({ buffer: Buffer.alloc(64 * 1024), position });
      if (bytesRead > 0) {
        position += bytesRead;
        pending = Buffer.concat([pending, buffer.subarray(0, bytesRead)]);
        let newline = pending.indexOf(10);
        while (newline >= 0 && remaining > 0) {
          const out = format(pending.subarray(0, newline), since, options.timestamps === true);
          pending = pending.subarray(newline + 1);
          if (out !== undefined) {
            const cut = out.subarray(0, Math.min(out.length, remaining));
            remaining -= cut.length;
            yield cut;
          }
          newline = pending.indexOf(10);
        }
        if (remaining <= 0) return;
        continue;
      }
      if (options.signal?.aborted === true) return;
      if (wasFinished) return;
      await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 100));
    }
  } finally {
    await file.close();
  }
}

/** One CRI line as `kubectl logs` prints it, or undefined when it is before `since` or not a CRI line. */
function format(line: Buffer, since: number, timestamps: boolean): Buffer | undefined {
  const first = line.indexOf(32);
  const second = line.indexOf(32, first + 1);
  const third = line.indexOf(32, second + 1);
  if (first < 0 || second < 0 || third < 0) return undefined;
  const timestamp = line.subarray(0, first).toString();
  const time = Date.parse(timestamp);
  if (Number.isNaN(time) || time < since) return undefined;
  const partial =
    line
      .subarray(second + 1, third)
      .toString()
      .split(":")[0] === "P";
  const content = line.subarray(third + 1);
  const parts = [
    timestamps ? Buffer.from(`${timestamp} `) : undefined,
    content,
    partial ? undefined : NEWLINE,
  ];
  return Buffer.concat(parts.filter((p): p is Buffer => p !== undefined));
}

const NEWLINE = Buffer.from("\n");

/** The offset of the start of the last `lines` lines of the file. */
async function tailStart(file: Awaited<ReturnType<typeof open>>, lines: number): Promise<number> {
  const { size } = await file.stat();
  if (lines <= 0) return size;
  const block = 64 * 1024;
  let end = size;
  let seen = 0;
  while (end > 0) {
    const start = Math.max(0, end - block);
    const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(end - start), position: start });
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buffer[i] !== 10 || start + i === size - 1) continue;
      if (++seen === lines) return start + i + 1;
    }
    end = start;
  }
  return 0;
}
