import type {
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  ServiceAccountTokenProjection,
  Volume,
} from "kubernetes-types/core/v1.js";
import type { PayloadFile } from "./atomic-writer.ts";
import { RuntimeError } from "./errors.ts";
import { containerResourceValue, type DownwardContext, podFieldValue } from "./field-ref.ts";
import type { KeyedData, PodObjects } from "./pod-objects.ts";

/** The mode of volume files when neither the item nor the volume sets one (0644). */
export const DEFAULT_FILE_MODE = 0o644;

/** What a projected-style volume's payload is computed from. */
export type PayloadContext = {
  objects: PodObjects;
  downward: DownwardContext;
  /** When a service account token is issued (its `iat`). */
  now: Date;
};

type Payload = Map<string, PayloadFile>;

/**
 * The files of a configMap, secret, downwardAPI or projected volume, as the
 * kubelet computes them: every key (or only `items`, at their `path`), with
 * the item's `mode`, else the volume's `defaultMode`, else 0644. A missing
 * object gives an empty volume when `optional`, else fails; so does a missing
 * item key. Returns undefined for other volume types.
 */
export async function volumePayload(volume: Volume, context: PayloadContext): Promise<Payload | undefined> {
  const payload: Payload = new Map();
  if (volume.configMap !== undefined) {
    const source = volume.configMap;
    const mode = source.defaultMode ?? DEFAULT_FILE_MODE;
    await addKeyed(payload, "configmap", source, mode, context.objects);
  } else if (volume.secret !== undefined) {
    const source = volume.secret;
    const mode = source.defaultMode ?? DEFAULT_FILE_MODE;
    await addKeyed(payload, "secret", { ...source, name: source.secretName }, mode, context.objects);
  } else if (volume.downwardAPI !== undefined) {
    const mode = volume.downwardAPI.defaultMode ?? DEFAULT_FILE_MODE;
    addDownward(payload, volume.downwardAPI.items ?? [], mode, context.downward);
  } else if (volume.projected !== undefined) {
    const mode = volume.projected.defaultMode ?? DEFAULT_FILE_MODE;
    for (const source of volume.projected.sources ?? []) {
      if (source.configMap !== undefined)
        await addKeyed(payload, "configmap", source.configMap, mode, context.objects);
      if (source.secret !== undefined)
        await addKeyed(payload, "secret", source.secret, mode, context.objects);
      if (source.downwardAPI !== undefined)
        addDownward(payload, source.downwardAPI.items ?? [], mode, context.downward);
      if (source.serviceAccountToken !== undefined) {
        const token = serviceAccountToken(context.downward.pod, source.serviceAccountToken, context.now);
        payload.set(source.serviceAccountToken.path, { content: Buffer.from(token), mode });
      }
    }
  } else {
    return undefined;
  }
  return payload;
}

type KeyedSource = { name?: string; items?: KeyToPath[]; optional?: boolean };

async function addKeyed(
  payload: Payload,
  kind: "configmap" | "secret",
  source: KeyedSource,
  defaultMode: number,
  objects: PodObjects,
): Promise<void> {
  const name = source.name ?? "";
  const data: KeyedData | undefined =
    kind === "configmap" ? await objects.configMap(name) : await objects.secret(name);
  if (data === undefined) {
    if (source.optional === true) return;
    throw new RuntimeError("FailedMount", `${kind} "${name}" not found`);
  }
  if (source.items === undefined || source.items.length === 0) {
    for (const [key, content] of data.bytes) payload.set(key, { content, mode: defaultMode });
    return;
  }
  for (const item of source.items) {
    const content = data.bytes.get(item.key);
    if (content === undefined) {
      if (source.optional === true) continue;
      throw new RuntimeError(
        "FailedMount",
        `${kind} ${objects.namespace}/${name} references non-existent key: ${item.key}`,
      );
    }
    payload.set(item.path, { content, mode: item.mode ?? defaultMode });
  }
}

function addDownward(
  payload: Payload,
  items: DownwardAPIVolumeFile[],
  defaultMode: number,
  downward: DownwardContext,
): void {
  for (const item of items) {
    let value: string;
    try {
      if (item.fieldRef !== undefined) {
        value = podFieldValue(item.fieldRef.fieldPath, downward);
      } else if (item.resourceFieldRef !== undefined) {
        const wanted = item.resourceFieldRef.containerName;
        const container = [
          ...(downward.pod.spec?.containers ?? []),
          ...(downward.pod.spec?.initContainers ?? []),
        ].find((c) => c.name === wanted);
        if (container === undefined)
          throw new Error(`container ${JSON.stringify(wanted)} not found in the pod`);
        value = containerResourceValue(item.resourceFieldRef, container, downward.allocatable);
      } else {
        continue;
      }
    } catch (error) {
      throw new RuntimeError("FailedMount", `downward API file ${item.path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    payload.set(item.path, { content: Buffer.from(value), mode: item.mode ?? defaultMode });
  }
}

/**
 * A stand-in for a bound service account token: JWT-shaped with the claims a
 * real one carries, but unsigned (`alg: none`); simulated members have no
 * token issuer, so nothing verifies it.
 */
export function serviceAccountToken(pod: Pod, projection: ServiceAccountTokenProjection, now: Date): string {
  const iat = Math.floor(now.getTime() / 1000);
  const namespace = pod.metadata?.namespace ?? "default";
  const account = pod.spec?.serviceAccountName ?? "default";
  const claims = {
    aud: [projection.audience ?? "https://kubernetes.default.svc.cluster.local"],
    iat,
    nbf: iat,
    exp: iat + (projection.expirationSeconds ?? 3600),
    iss: "https://kubernetes.default.svc.cluster.local",
    sub: `system:serviceaccount:${namespace}:${account}`,
    "kubernetes.io": {
      namespace,
      pod: { name: pod.metadata?.name, uid: pod.metadata?.uid },
      serviceaccount: { name: account },
    },
  };
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}
