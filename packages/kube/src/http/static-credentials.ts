import { readFileSync } from "node:fs";
import type { OutgoingHttpHeaders } from "node:http";
import type * as https from "node:https";
import type { KubeconfigCluster, SelectedContext } from "./kubeconfig-data.ts";
import type { ContextCredentials } from "./transport.ts";

/**
 * A kubeconfig context whose credentials are plain data — bearer token,
 * client certificate, basic auth, CA, impersonation — applied to requests as
 * client-node's `KubeConfig.applyToHTTPSOptions` applies them, without
 * loading client-node (~40 MiB resident per process). Certificate and key
 * files are read on every request, as client-node reads them, so rotated
 * files are picked up. Contexts with exec plugins, auth providers or proxies
 * need client-node instead (see `needsClientNode`).
 */
export class StaticCredentials implements ContextCredentials {
  #selected: SelectedContext;

  constructor(selected: SelectedContext) {
    this.#selected = selected;
  }

  getCurrentCluster(): KubeconfigCluster {
    return this.#selected.cluster;
  }

  async applyToHTTPSOptions(options: https.RequestOptions): Promise<void> {
    const { cluster, user } = this.#selected;
    if (cluster.skipTLSVerify) options.rejectUnauthorized = false;
    if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
    const ca = fileOrData(cluster.caFile, cluster.caData);
    if (ca) options.ca = ca;
    if (!user) return;
    const cert = fileOrData(user.certFile, user.certData);
    if (cert) options.cert = cert;
    const key = fileOrData(user.keyFile, user.keyData);
    if (key) options.key = key;
    const headers: OutgoingHttpHeaders = isHeaderRecord(options.headers) ? { ...options.headers } : {};
    if (user.impersonateUser) headers["Impersonate-User"] = user.impersonateUser;
    if (user.token) headers.Authorization = `Bearer ${user.token}`;
    options.headers = headers;
    if (user.username) options.auth = `${user.username}:${user.password ?? ""}`;
  }
}

function isHeaderRecord(headers: https.RequestOptions["headers"]): headers is OutgoingHttpHeaders {
  return typeof headers === "object" && headers !== null && !Array.isArray(headers);
}

function fileOrData(file: string | undefined, base64: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  return base64 ? Buffer.from(base64, "base64") : undefined;
}
