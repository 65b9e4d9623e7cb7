import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { TLSSocket } from "node:tls";
import type { ForwardTarget } from "./forwarding-resolver.ts";

/**
 * Request headers a member needs to answer as it would answer the caller.
 * Credentials (Authorization, Impersonate-*, cookies) and hop-by-hop headers
 * never cross; the target's own token is added instead.
 */
const FORWARDED_REQUEST_HEADERS = [
  "accept",
  "accept-encoding",
  "content-type",
  "content-encoding",
  "content-length",
  "user-agent",
  "if-none-match",
  // kubectl's own headers, kept so a member's audit log can tell commands apart.
  "kubectl-command",
  "kubectl-session",
] as const;

/** RFC 9110 §7.6.1: meaningful for one connection only. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** The headers to send the member for `req`, with the target's credentials. */
export function upstreamRequestHeaders(req: IncomingMessage, target: ForwardTarget): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name of FORWARDED_REQUEST_HEADERS as readonly string[]) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  // Node frames an upstream body as chunked only when told to for methods such as DELETE.
  if (req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === "chunked") {
    headers["transfer-encoding"] = "chunked";
  }
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  const client = req.socket.remoteAddress ?? "";
  const previous = req.headers["x-forwarded-for"];
  headers["x-forwarded-for"] = previous ? `${previous}, ${client}` : client;
  headers["x-forwarded-proto"] = req.socket instanceof TLSSocket ? "https" : "http";
  if (req.headers.host) headers["x-forwarded-host"] = req.headers.host;
  return headers;
}

/**
 * The member's response headers as the caller should see them: hop-by-hop
 * headers dropped, repeated headers (Warning) kept apart, and a `Location`
 * on the member (OpenAPI's hash redirects) rewritten to stay behind `prefix`.
 */
export function downstreamResponseHeaders(
  upstream: IncomingMessage,
  options: { prefix: string; server: string },
): OutgoingHttpHeaders {
  const connectionScoped = new Set(
    String(upstream.headers.connection ?? "")
      .split(",")
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ""),
  );
  const grouped = new Map<string, string[]>();
  const raw = upstream.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(name) || connectionScoped.has(name)) continue;
    const values = grouped.get(name) ?? [];
    values.push(raw[i + 1]);
    grouped.set(name, values);
  }
  const headers: OutgoingHttpHeaders = {};
  for (const [name, values] of grouped) headers[name] = values.length === 1 ? values[0] : values;
  const location = grouped.get("location")?.[0];
  if (location !== undefined) headers.location = rewriteLocation(location, options);
  return headers;
}

/** Maps a member-side redirect target onto the hub's forwarding prefix; other locations pass unchanged. */
export function rewriteLocation(location: string, options: { prefix: string; server: string }): string {
  const server = new URL(options.server);
  const base = server.pathname.replace(/\/+$/, "");
  let memberPath: string;
  if (location.startsWith("/") && !location.startsWith("//")) {
    memberPath = location;
  } else {
    let absolute: URL;
    try {
      absolute = new URL(location);
    } catch {
      return location;
    }
    if (absolute.origin !== server.origin) return location;
    memberPath = `${absolute.pathname}${absolute.search}${absolute.hash}`;
  }
  if (
    base &&
    (memberPath === base || memberPath.startsWith(`${base}/`) || memberPath.startsWith(`${base}?`))
  ) {
    memberPath = memberPath.slice(base.length) || "/";
  }
  return `${options.prefix}${memberPath}`;
}
