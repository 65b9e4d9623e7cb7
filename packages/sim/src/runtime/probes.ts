import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { Container, HTTPGetAction, Probe } from "kubernetes-types/core/v1.js";
import type { ExecResult } from "./exec.ts";
import { expand } from "./expansion.ts";
import { grpcHealthCheck } from "./grpc-probe.ts";

// Not `import … from "node:http"`: its ESM form also loads node's bundled undici (fetch, WebSocket), used or not (nodejs/node#59686).
const { request: httpRequest } = process.getBuiltinModule("node:http");

/** What one probe attempt concluded, with the kubelet's kind of message. */
export type ProbeOutcome = { result: "success" | "failure"; message: string };

export type ProbeContext = {
  /** Default host of httpGet/tcpSocket/grpc probes. */
  podIP: string;
  /** For named ports and the `$(VAR)` values of exec commands. */
  container: Container;
  /** Runs an exec probe's command in the container (e.g. `execInContainer`); an exit code, or the full result. */
  exec?: (command: string[], timeoutMs: number) => Promise<number | ExecResult>;
  /** Default `probe.timeoutSeconds` (default 1 s). */
  timeoutMs?: number;
};

/** The kubelet's probe defaults (API defaulting fills them in on real clusters). */
export const PROBE_DEFAULTS = {
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
  initialDelaySeconds: 0,
} as const;

/** Kubernetes minor version reported in the probe User-Agent (`kube-probe/1.32`). */
const USER_AGENT = "kube-probe/1.32";
const MAX_BODY = 10 * 1024;

/**
 * Runs one probe attempt as the kubelet does: httpGet (host default pod IP,
 * HTTP or HTTPS without certificate checks, named or numbered port, custom
 * headers incl. Host, same-host redirects followed, 200–399 succeeds),
 * tcpSocket (a connection opens), exec (exit code 0; command `$(VAR)`s
 * expanded from the container's literal env values) and grpc (the standard
 * health service answers SERVING). A timeout is a failure.
 */
export async function runProbe(probe: Probe, context: ProbeContext): Promise<ProbeOutcome> {
  const timeoutMs = context.timeoutMs ?? (probe.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds) * 1000;
  try {
    if (probe.httpGet !== undefined) return await httpProbe(probe.httpGet, context, timeoutMs);
    if (probe.tcpSocket !== undefined) {
      const host = probe.tcpSocket.host || context.podIP;
      return await tcpProbe(host, resolvePort(probe.tcpSocket.port, context.container), timeoutMs);
    }
    if (probe.grpc !== undefined) {
      return await grpcHealthCheck({
        host: context.podIP,
        port: probe.grpc.port,
        service: probe.grpc.service,
        timeoutMs,
      });
    }
    if (probe.exec !== undefined) return await execProbe(probe.exec.command ?? [], context, timeoutMs);
  } catch (error) {
    return failure(error instanceof Error ? error.message : String(error));
  }
  return failure("probe has no handler");
}

/** A container port by number, numeric string, or name (`ports[].name`). */
export function resolvePort(port: number | string, container: Container): number {
  if (typeof port === "number") return port;
  const named = container.ports?.find((p) => p.name === port);
  if (named !== undefined) return named.containerPort;
  if (/^\d+$/.test(port)) return Number(port);
  throw new Error(`couldn't find port ${JSON.stringify(port)} in container ${container.name}`);
}

async function httpProbe(
  action: HTTPGetAction,
  context: ProbeContext,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const scheme = (action.scheme ?? "HTTP").toLowerCase();
  const host = action.host || context.podIP;
  const port = resolvePort(action.port, context.container);
  const headers: Record<string, string> = { "User-Agent": USER_AGENT, Accept: "*/*" };
  for (const header of action.httpHeaders ?? []) {
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === header.name.toLowerCase());
    if (existing !== undefined) delete headers[existing];
    if (header.value !== "" || header.name.toLowerCase() !== "accept") headers[header.name] = header.value;
  }
  const hostPart = host.includes(":") ? `[${host}]` : host;
  let url = new URL(`${scheme}://${hostPart}:${port}`);
  url = new URL(action.path ?? "/", url);
  const deadline = Date.now() + timeoutMs;
  for (let redirects = 0; ; redirects++) {
    const response = await get(url, headers, Math.max(1, deadline - Date.now()));
    const status = response.status;
    const location = response.location;
    if (status >= 300 && status < 400 && location !== undefined && redirects < 10) {
      const next = new URL(location, url);
      if (next.hostname !== url.hostname) return success(`Probe terminated redirects, response: ${status}`);
      url = next;
      continue;
    }
    if (status >= 200 && status < 400) return success(response.body);
    return failure(`HTTP probe failed with statuscode: ${status}`);
  }
}

function get(
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      url,
      { method: "GET", headers, rejectUnauthorized: false, agent: false },
      (res: IncomingMessage) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          if (body.length < MAX_BODY) body += chunk.toString();
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            body: body.slice(0, MAX_BODY),
          });
        });
        res.on("error", reject);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(
        new Error(`Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`),
      );
    }, timeoutMs);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error.message.startsWith("Get ") ? error : new Error(`Get "${url}": ${error.message}`));
    });
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(failure(`dial tcp ${host}:${port}: i/o timeout`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(success(""));
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = error.code === "ECONNREFUSED" ? "connect: connection refused" : error.message;
      resolve(failure(`dial tcp ${host}:${port}: ${why}`));
    });
  });
}

async function execProbe(command: string[], context: ProbeContext, timeoutMs: number): Promise<ProbeOutcome> {
  if (context.exec === undefined) return failure("exec probes are not supported for this container");
  const literal = new Map<string, string>();
  for (const variable of context.container.env ?? []) {
    if (variable.valueFrom === undefined) literal.set(variable.name, variable.value ?? "");
  }
  const expanded = command.map((part) => expand(part, (name) => literal.get(name)));
  const outcome = await context.exec(expanded, timeoutMs);
  const result: ExecResult =
    typeof outcome === "number" ? { exitCode: outcome, output: "", timedOut: false } : outcome;
  if (result.timedOut) return failure(`command ${JSON.stringify(expanded.join(" "))} timed out`);
  if (result.exitCode === 0) return success(result.output);
  return failure(
    result.output.trim() || `command ${JSON.stringify(expanded.join(" "))} exited with ${result.exitCode}`,
  );
}

function success(message: string): ProbeOutcome {
  return { result: "success", message };
}

function failure(message: string): ProbeOutcome {
  return { result: "failure", message };
}
