import type { ChildProcess } from "node:child_process";
import type { ChildProcesses } from "@atoll/bench-kit";

/** A request to the backend process: listen on `host` (a pod IP) on a free port. */
export type BackendRequest =
  | { id: number; host: string; kind: "echo"; reply: string }
  | { id: number; host: string; kind: "sink" };

/** The port listened on, or why not; id 0 announces that the process is ready. */
export type BackendReply = { id: number; port: number } | { id: number; error: string };

type Pending = { resolve(port: number): void; reject(error: Error): void };

const SCRIPT = new URL("./backend-process.ts", import.meta.url).pathname;
const REPLY_TIMEOUT_MS = 10_000;

/** The pods' TCP servers, in a child process of their own (`backend-process.ts`). */
export class BackendProcess {
  readonly child: ChildProcess;
  #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on("message", (message: BackendReply) => {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if ("error" in message) pending?.reject(new Error(`backend failed to listen: ${message.error}`));
      else pending?.resolve(message.port);
    });
    child.once("exit", (code, signal) => {
      for (const pending of this.#pending.values())
        pending.reject(new Error(`the backend process exited (${String(signal ?? code)})`));
      this.#pending.clear();
    });
  }

  static async start(children: ChildProcesses, cwd: string): Promise<BackendProcess> {
    const child = children.spawnNode({
      nodeArgs: [],
      script: SCRIPT,
      args: [],
      cwd,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const backend = new BackendProcess(child);
    await backend.#reply(0);
    return backend;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** An echo server on `host` answering each message with `<reply>:<message>`; resolves with its port. */
  echo(host: string, reply: string): Promise<number> {
    const id = this.#nextId++;
    return this.#ask({ id, host, kind: "echo", reply });
  }

  /** A server on `host` that counts bytes to end-of-stream, then answers with the count; resolves with its port. */
  sink(host: string): Promise<number> {
    const id = this.#nextId++;
    return this.#ask({ id, host, kind: "sink" });
  }

  #ask(request: BackendRequest): Promise<number> {
    const reply = this.#reply(request.id);
    this.child.send(request);
    return reply;
  }

  #reply(id: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`the backend process did not answer within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      const settle =
        <T>(then: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          then(value);
        };
      this.#pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
    });
  }
}
