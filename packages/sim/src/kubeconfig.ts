import { writeFile } from "node:fs/promises";
import { stringify } from "yaml";

/** One context of a kubeconfig: a cluster reached at `server` with a bearer token. */
export type KubeconfigContext = {
  name: string;
  server: string;
  token: string;
  caPem?: string;
  namespace?: string;
};

/** A kubeconfig document with one context per entry (the first is current). */
export function kubeconfigDocument(
  contexts: readonly KubeconfigContext[],
  current = contexts[0]?.name,
): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: contexts.map((c) => ({
      name: c.name,
      cluster: {
        server: c.server,
        ...(c.caPem ? { "certificate-authority-data": Buffer.from(c.caPem).toString("base64") } : {}),
      },
    })),
    users: contexts.map((c) => ({ name: `${c.name}-admin`, user: { token: c.token } })),
    contexts: contexts.map((c) => ({
      name: c.name,
      context: {
        cluster: c.name,
        user: `${c.name}-admin`,
        ...(c.namespace ? { namespace: c.namespace } : {}),
      },
    })),
    "current-context": current,
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, context: KubeconfigContext): Promise<void> {
  await writeFile(path, kubeconfigDocument([context]), { mode: 0o600 });
}
