import { connect, constants } from "node:http2";

const statusNames = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

/**
 * One call of the standard gRPC health service (`grpc.health.v1.Health/Check`
 * over plaintext HTTP/2), as the kubelet's grpc probe makes it: success when
 * the answer is SERVING.
 */
export function grpcHealthCheck(options: {
  host: string;
  port: number;
  service?: string;
  timeoutMs: number;
}): Promise<{ result: "success" | "failure"; message: string }> {
  const { host, port, timeoutMs } = options;
  const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return new Promise((resolve) => {
    let settled = false;
    const session = connect(`http://${authority}`);
    const finish = (result: "success" | "failure", message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve({ result, message });
    };
    const timer = setTimeout(
      () => finish("failure", `timeout: health rpc did not complete within ${timeoutMs / 1000}s`),
      timeoutMs,
    );
    session.on("error", (error) =>
      finish("failure", `failed to connect service "${authority}": ${error.message}`),
    );
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: "POST",
      [constants.HTTP2_HEADER_PATH]: "/grpc.health.v1.Health/Check",
      [constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
      te: "trailers",
      "user-agent": "kube-probe/1.32",
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    let grpcMessage = "";
    const readStatus = (headers: Record<string, unknown>) => {
      if (headers["grpc-status"] !== undefined) grpcStatus = String(headers["grpc-status"]);
      if (headers["grpc-message"] !== undefined)
        grpcMessage = decodeURIComponent(String(headers["grpc-message"]));
    };
    stream.on("response", readStatus);
    stream.on("trailers", readStatus);
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", (error) => finish("failure", `health rpc failed: ${error.message}`));
    stream.on("end", () => {
      if (grpcStatus !== undefined && grpcStatus !== "0") {
        return finish(
          "failure",
          `health rpc probe failed: rpc error: code = ${grpcStatus} desc = ${grpcMessage}`,
        );
      }
      const status = healthStatus(Buffer.concat(chunks));
      if (status === 1) finish("success", "");
      else finish("failure", `service unhealthy (responded with "${statusNames[status] ?? status}")`);
    });
    stream.end(frame(options.service ?? ""));
  });
}

/** A length-prefixed gRPC message holding `HealthCheckRequest { string service = 1; }`. */
function frame(service: string): Buffer {
  const name = Buffer.from(service);
  const message =
    name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a]), varint(name.length), name]);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** `HealthCheckResponse.status` (field 1, varint) from a framed response; 0 (UNKNOWN) when absent. */
function healthStatus(framed: Buffer): number {
  const message = framed.subarray(5, 5 + (framed.length >= 5 ? framed.readUInt32BE(1) : 0));
  for (let i = 0; i < message.length; ) {
    const tag = message[i++];
    if (tag === 0x08) return message[i];
    if ((tag & 7) === 2) i += 1 + message[i];
    else i += 1;
  }
  return 0;
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

/** Encodes a `HealthCheckResponse` frame: for tests and simulated gRPC servers. */
export function healthResponseFrame(status: number): Buffer {
  const message = Buffer.from([0x08, status]);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}
