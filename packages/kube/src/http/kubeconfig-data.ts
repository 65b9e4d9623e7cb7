import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { isRecord } from "../object.ts";

/** Why a kubeconfig cannot give a client. */
export type KubeconfigProblem =
  | "Unreadable"
  | "NoCurrentContext"
  | "ContextNotFound"
  | "ClusterNotFound"
  | "UserNotFound"
  | "InvalidServer";

/** A kubeconfig that cannot give a client; branch on `reason`. */
export class KubeconfigError extends Error {
  readonly reason: KubeconfigProblem;
  constructor(reason: KubeconfigProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KubeconfigError";
    this.reason = reason;
  }
}

/** A kubeconfig cluster, with client-node's field names (so its `Cluster` is one). */
export type KubeconfigCluster = {
  readonly name: string;
  readonly server: string;
  readonly caData?: string;
  readonly caFile?: string;
  readonly skipTLSVerify?: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
};

/** A kubeconfig user, with client-node's field names (so its `User` is one). */
export type KubeconfigUser = {
  readonly name: string;
  readonly token?: string;
  readonly certData?: string;
  readonly certFile?: string;
  readonly keyData?: string;
  readonly keyFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly impersonateUser?: string;
  /** An exec credential plugin: only client-node runs these. */
  readonly exec?: unknown;
  /** An auth provider (oidc, azure, gcp…): only client-node runs these. */
  readonly authProvider?: unknown;
};

export type KubeconfigContextEntry = {
  readonly name: string;
  readonly cluster: string;
  readonly user?: string;
  readonly namespace?: string;
};

/** A kubeconfig's entries, as plain data. */
export type KubeconfigData = {
  readonly clusters: readonly KubeconfigCluster[];
  readonly users: readonly KubeconfigUser[];
  readonly contexts: readonly KubeconfigContextEntry[];
  readonly currentContext?: string;
};

/** One context and the cluster and user it names, all present. */
export type SelectedContext = {
  readonly context: KubeconfigContextEntry;
  readonly cluster: KubeconfigCluster;
  readonly user?: KubeconfigUser;
};

/**
 * Reads kubeconfig YAML the way client-node's `loadFromString` does (same
 * required fields, `token-file` read at once, trailing `/` dropped from
 * servers), without loading client-node. Fails with a `KubeconfigError`
 * Unreadable, `unreadable kubeconfig: …`, when the text is not a kubeconfig.
 */
export function readKubeconfig(text: string): KubeconfigData {
  try {
    const document: unknown = parse(text);
    if (!isRecord(document)) throw new Error("not a YAML mapping");
    return {
      clusters: entries(document.clusters, "clusters", cluster),
      users: entries(document.users, "users", user),
      contexts: entries(document.contexts, "contexts", contextEntry),
      currentContext: optionalString(document["current-context"]),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new KubeconfigError("Unreadable", `unreadable kubeconfig: ${message}`, { cause: error });
  }
}

/**
 * `context` (default: the current one) with its cluster and user. Throws a
 * `KubeconfigError` naming what is missing, or the server URL when it is not http(s).
 */
export function pickContext(data: KubeconfigData, context: string | undefined): SelectedContext {
  const names = data.contexts.map((c) => c.name);
  const known = names.length ? names.map((n) => `"${n}"`).join(", ") : "none";
  const name = context ?? data.currentContext;
  if (!name) {
    const message = `kubeconfig has no current-context and no context was given (contexts: ${known})`;
    throw new KubeconfigError("NoCurrentContext", message);
  }
  const selected = data.contexts.find((c) => c.name === name);
  if (!selected) {
    throw new KubeconfigError(
      "ContextNotFound",
      `context "${name}" not found in kubeconfig (contexts: ${known})`,
    );
  }
  const cluster = data.clusters.find((c) => c.name === selected.cluster);
  if (!cluster) {
    const message = `context "${name}" refers to cluster "${selected.cluster}", which the kubeconfig does not define`;
    throw new KubeconfigError("ClusterNotFound", message);
  }
  const user = selected.user ? data.users.find((u) => u.name === selected.user) : undefined;
  if (selected.user && !user) {
    const message = `context "${name}" refers to user "${selected.user}", which the kubeconfig does not define`;
    throw new KubeconfigError("UserNotFound", message);
  }
  if (!URL.canParse(cluster.server) || !/^https?:$/.test(new URL(cluster.server).protocol)) {
    const message = `cluster "${cluster.name}" has server "${cluster.server}": expected an http(s) URL`;
    throw new KubeconfigError("InvalidServer", message);
  }
  return { context: selected, cluster, user };
}

/** Whether talking to this context takes client-node: exec plugins, auth providers, proxies. */
export function needsClientNode(selected: SelectedContext): boolean {
  return Boolean(selected.user?.exec || selected.user?.authProvider || selected.cluster.proxyUrl);
}

/**
 * The selected context as a kubeconfig of its own (its cluster, user and
 * context; current-context set), in JSON, which every YAML reader accepts.
 */
export function standaloneKubeconfig(selected: SelectedContext): string {
  const { context, cluster, user } = selected;
  const document = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: cluster.name,
        cluster: {
          server: cluster.server,
          "certificate-authority-data": cluster.caData,
          "certificate-authority": cluster.caFile,
          "insecure-skip-tls-verify": cluster.skipTLSVerify || undefined,
          "tls-server-name": cluster.tlsServerName,
          "proxy-url": cluster.proxyUrl,
        },
      },
    ],
    users: user
      ? [
          {
            name: user.name,
            user: {
              token: user.token,
              "client-certificate-data": user.certData,
              "client-certificate": user.certFile,
              "client-key-data": user.keyData,
              "client-key": user.keyFile,
              username: user.username,
              password: user.password,
              as: user.impersonateUser,
              exec: user.exec,
              "auth-provider": user.authProvider,
            },
          },
        ]
      : [],
    contexts: [
      {
        name: context.name,
        context: { cluster: context.cluster, user: context.user, namespace: context.namespace },
      },
    ],
    "current-context": context.name,
  };
  return JSON.stringify(document);
}

function entries<T>(
  value: unknown,
  list: string,
  read: (entry: Record<string, unknown>, at: string) => T,
): T[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry: unknown, i) => read(isRecord(entry) ? entry : {}, `${list}[${i}]`));
}

function cluster(entry: Record<string, unknown>, at: string): KubeconfigCluster {
  const name = required(entry.name, `${at}.name`);
  if (!isRecord(entry.cluster)) throw new Error(`${at}.cluster is missing`);
  const fields = entry.cluster;
  return {
    name,
    server: required(fields.server, `${at}.cluster.server`).replace(/\/$/, ""),
    caData: optionalString(fields["certificate-authority-data"]),
    caFile: optionalString(fields["certificate-authority"]),
    skipTLSVerify: fields["insecure-skip-tls-verify"] === true,
    tlsServerName: optionalString(fields["tls-server-name"]),
    proxyUrl: optionalString(fields["proxy-url"]),
  };
}

function user(entry: Record<string, unknown>, at: string): KubeconfigUser {
  const name = required(entry.name, `${at}.name`);
  const fields = isRecord(entry.user) ? entry.user : {};
  const tokenFile = optionalString(fields["token-file"]);
  return {
    name,
    token: optionalString(fields.token) ?? (tokenFile ? readFileSync(tokenFile, "utf8") : undefined),
    certData: optionalString(fields["client-certificate-data"]),
    certFile: optionalString(fields["client-certificate"]),
    keyData: optionalString(fields["client-key-data"]),
    keyFile: optionalString(fields["client-key"]),
    username: optionalString(fields.username),
    password: optionalString(fields.password),
    impersonateUser: optionalString(fields.as),
    exec: fields.exec ?? undefined,
    authProvider: fields["auth-provider"] ?? undefined,
  };
}

function contextEntry(entry: Record<string, unknown>, at: string): KubeconfigContextEntry {
  const name = required(entry.name, `${at}.name`);
  if (!isRecord(entry.context)) throw new Error(`${at}.context is missing`);
  return {
    name,
    cluster: required(entry.context.cluster, `${at}.context.cluster`),
    user: optionalString(entry.context.user),
    namespace: optionalString(entry.context.namespace),
  };
}

function required(value: unknown, at: string): string {
  const text = optionalString(value);
  if (!text) throw new Error(`${at} is missing`);
  return text;
}

/** YAML may read a token or name as a number; a kubeconfig means the text. */
function optionalString(value: unknown): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}
