import { connect, type Socket } from "node:net";

const CHUNK = Buffer.alloc(1024 * 1024, 0x61);

/**
 * Connects to host:port, sends `ping`, and resolves with the milliseconds
 * from the connect call to the first byte of the answer; rejects when the
 * connection fails, ends without an answer, or takes longer than `timeoutMs`.
 */
export function roundTripMs(host: string, port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const socket = connect({ host, port });
    bounded(socket, timeoutMs, `${host}:${port}`, reject);
    socket.once("connect", () => socket.write("ping"));
    socket.once("data", () => {
      const elapsed = performance.now() - began;
      socket.destroy();
      resolve(elapsed);
    });
  });
}

/**
 * Streams `bytes` to a sink at host:port (1 MiB writes, waiting for drain),
 * half-closes, and resolves with the milliseconds from the connect call to
 * the sink's count, which must equal `bytes`.
 */
export function uploadMs(host: string, port: number, bytes: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const socket = connect({ host, port, allowHalfOpen: true });
    bounded(socket, timeoutMs, `${host}:${port}`, reject);
    let answer = "";
    socket.setEncoding("utf8").on("data", (text: string) => {
      answer += text;
    });
    socket.once("end", () => {
      const elapsed = performance.now() - began;
      socket.destroy();
      if (Number(answer.trim()) === bytes) resolve(elapsed);
      else reject(new Error(`${host}:${port} received ${answer.trim() || "nothing"} of ${bytes} bytes`));
    });
    socket.once("connect", async () => {
      for (let sent = 0; sent < bytes && !socket.destroyed; sent += CHUNK.length) {
        const last = Math.min(CHUNK.length, bytes - sent);
        if (!socket.write(last === CHUNK.length ? CHUNK : CHUNK.subarray(0, last)))
          await new Promise<void>((resolve) => {
            const drained = () => {
              socket.off("drain", drained).off("close", drained);
              resolve();
            };
            socket.on("drain", drained).on("close", drained);
          });
      }
      socket.end();
    });
  });
}

/** Rejects (and destroys the socket) on an error, an early close, or after `timeoutMs`. */
function bounded(socket: Socket, timeoutMs: number, what: string, reject: (error: Error) => void): void {
  const timer = setTimeout(
    () => socket.destroy(new Error(`${what}: no answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  socket.once("close", () => {
    clearTimeout(timer);
    reject(new Error(`${what}: closed before an answer`));
  });
  socket.once("error", (error) => reject(new Error(`${what}: ${error.message}`, { cause: error })));
}
