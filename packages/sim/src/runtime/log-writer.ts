import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import type { Clock } from "@atoll/kube/clock";

/** Longest line written in one entry; longer lines are split into partial (`P`) entries, as CRI runtimes do. */
export const MAX_LOG_LINE = 16 * 1024;

/**
 * Appends a container's output to its log file in the kubelet's CRI log
 * format, one entry per line:
 * `2026-01-01T00:00:00.123000000Z stdout F <line>` — `F` marks a complete
 * line, `P` a piece of a longer one (or a last line without its newline).
 * Timestamps come from the clock, with nanosecond digits (always 9).
 */
export class CriLogWriter {
  #file: WriteStream;
  #clock: Clock;

  private constructor(file: WriteStream, clock: Clock) {
    this.#file = file;
    this.#clock = clock;
  }

  /** Opens (creating parents) `path` for appending. */
  static async open(path: string, clock: Clock): Promise<CriLogWriter> {
    await mkdir(dirname(path), { recursive: true });
    const file = createWriteStream(path, { flags: "a" });
    await new Promise<void>((resolve, reject) => {
      file.once("open", () => resolve());
      file.once("error", reject);
    });
    return new CriLogWriter(file, clock);
  }

  /** Copies `stream` into the log as `name` until it ends; resolves then. */
  attach(stream: Readable, name: "stdout" | "stderr"): Promise<void> {
    let buffered = Buffer.alloc(0);
    return new Promise<void>((resolve) => {
      stream.on("data", (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        let newline = buffered.indexOf(10);
        while (newline >= 0 || buffered.length >= MAX_LOG_LINE) {
          if (newline >= 0 && newline < MAX_LOG_LINE) {
            this.#entry(name, "F", buffered.subarray(0, newline));
            buffered = buffered.subarray(newline + 1);
          } else {
            this.#entry(name, "P", buffered.subarray(0, MAX_LOG_LINE));
            buffered = buffered.subarray(MAX_LOG_LINE);
          }
          newline = buffered.indexOf(10);
        }
      });
      const finish = () => {
        if (buffered.length > 0) this.#entry(name, "P", buffered);
        buffered = Buffer.alloc(0);
        resolve();
      };
      stream.once("end", finish);
      stream.once("close", finish);
      stream.once("error", finish);
    });
  }

  /** Writes one entry of the writer's own (e.g. a runtime notice). */
  line(name: "stdout" | "stderr", text: string): void {
    for (const part of text.split("\n")) this.#entry(name, "F", Buffer.from(part));
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#file.end(resolve));
  }

  #entry(name: string, tag: "F" | "P", content: Buffer): void {
    this.#file.write(
      Buffer.concat([Buffer.from(`${criTimestamp(this.#clock.now())} ${name} ${tag} `), content, NEWLINE]),
    );
  }
}

const NEWLINE = Buffer.from("\n");

/** RFC 3339 with 9 fractional digits, as the kubelet prints log timestamps. */
export function criTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000000Z`;
}
