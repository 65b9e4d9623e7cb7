import { chmod, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { R } from "@atoll/kube";
import type { KubeClient } from "@atoll/kube/client";
import type { Volume } from "kubernetes-types/core/v1.js";
import { writePayload } from "./atomic-writer.ts";
import { RuntimeError } from "./errors.ts";
import { type PayloadContext, volumePayload } from "./volume-payloads.ts";

/** A volume as it exists on this machine. */
export type MaterializedVolume = { path: string; readOnly: boolean };

const pluginDirs: Record<string, string> = {
  configMap: "kubernetes.io~configmap",
  secret: "kubernetes.io~secret",
  downwardAPI: "kubernetes.io~downward-api",
  projected: "kubernetes.io~projected",
  emptyDir: "kubernetes.io~empty-dir",
};

/** `<volumeRoot>/<podUID>`: everything the runtime keeps for one pod's volumes. */
export function podVolumeDir(volumeRoot: string, podUID: string): string {
  return join(volumeRoot, podUID);
}

/**
 * Makes one pod volume exist on this machine and says where:
 * configMap/secret/downwardAPI/projected are (re)written under
 * `<volumeRoot>/<podUID>/volumes/` and always read-only; emptyDir is a 0777
 * directory there that survives container restarts (remove it with
 * `removePodVolumes` when the pod goes); persistentVolumeClaim and generic
 * ephemeral volumes resolve to the bound PersistentVolume's `hostPath.path`
 * or `local.path`; hostPath is used in place, with its `type` checked (an
 * unset type creates a missing directory, as containerd does).
 */
export async function materializeVolume(
  volume: Volume,
  context: PayloadContext & { client: KubeClient; volumeRoot: string },
): Promise<MaterializedVolume> {
  const pod = context.downward.pod;
  const uid = pod.metadata?.uid ?? "";
  const plugin = Object.keys(pluginDirs).find(
    (key) => key in volume && volume[key as keyof Volume] !== undefined,
  );
  const fail = (message: string, cause?: unknown): never => {
    throw new RuntimeError("FailedMount", `volume "${volume.name}": ${message}`, { cause });
  };
  if (plugin !== undefined) {
    const path = join(podVolumeDir(context.volumeRoot, uid), "volumes", pluginDirs[plugin], volume.name);
    if (plugin === "emptyDir") {
      await mkdir(path, { recursive: true });
      await chmod(path, 0o777);
      return { path, readOnly: false };
    }
    const payload = await volumePayload(volume, context);
    if (payload === undefined) return fail("no source");
    await writePayload(path, payload).catch((error: unknown) => fail((error as Error).message, error));
    return { path, readOnly: true };
  }
  if (volume.hostPath !== undefined) {
    await checkHostPath(volume.hostPath.path, volume.hostPath.type ?? "").catch((e: unknown) =>
      fail((e as Error).message, e),
    );
    return { path: volume.hostPath.path, readOnly: false };
  }
  const claim =
    volume.persistentVolumeClaim?.claimName ??
    (volume.ephemeral !== undefined ? `${pod.metadata?.name}-${volume.name}` : undefined);
  if (claim !== undefined) {
    const path = await boundVolumePath(context.client, pod.metadata?.namespace ?? "default", claim).catch(
      (e: unknown) => fail((e as Error).message, e),
    );
    return { path, readOnly: volume.persistentVolumeClaim?.readOnly === true };
  }
  return fail(
    "type not supported by simulated members (use configMap, secret, downwardAPI, projected, emptyDir, hostPath, persistentVolumeClaim or ephemeral)",
  );
}

/** The local path behind a bound claim: its PersistentVolume's hostPath or local path. */
async function boundVolumePath(client: KubeClient, namespace: string, claimName: string): Promise<string> {
  const pvc = await client.get(R.persistentvolumeclaims, namespace, claimName);
  if (pvc === undefined) throw new Error(`persistentvolumeclaim "${claimName}" not found`);
  const spec = (pvc.spec ?? {}) as { volumeName?: string };
  const phase = (pvc.status as { phase?: string } | undefined)?.phase;
  if (!spec.volumeName || phase !== "Bound")
    throw new Error(`persistentvolumeclaim "${claimName}" is not bound`);
  const pv = await client.get(R.persistentvolumes, undefined, spec.volumeName);
  if (pv === undefined)
    throw new Error(`persistentvolume "${spec.volumeName}" (bound to "${claimName}") not found`);
  const pvSpec = (pv.spec ?? {}) as { hostPath?: { path: string; type?: string }; local?: { path: string } };
  if (pvSpec.hostPath !== undefined) {
    await checkHostPath(pvSpec.hostPath.path, pvSpec.hostPath.type ?? "");
    return pvSpec.hostPath.path;
  }
  if (pvSpec.local !== undefined) {
    await checkHostPath(pvSpec.local.path, "Directory");
    return pvSpec.local.path;
  }
  throw new Error(`persistentvolume "${spec.volumeName}" has neither hostPath nor local path`);
}

/** Enforces a hostPath `type`, creating what `DirectoryOrCreate`/`FileOrCreate` (and an unset type) ask for. */
export async function checkHostPath(path: string, type: string): Promise<void> {
  if (!isAbsolute(path)) throw new Error(`hostPath ${JSON.stringify(path)} is not absolute`);
  const stats = await stat(path).catch(() => undefined);
  const want = (ok: boolean | undefined, what: string) => {
    if (ok !== true) throw new Error(`hostPath type check failed: ${path} is not a ${what}`);
  };
  switch (type) {
    case "":
      if (stats === undefined) await mkdir(path, { recursive: true, mode: 0o755 });
      return;
    case "DirectoryOrCreate":
      if (stats === undefined) await mkdir(path, { recursive: true, mode: 0o755 });
      else want(stats.isDirectory(), "directory");
      return;
    case "FileOrCreate":
      if (stats === undefined) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, "", { mode: 0o644 });
      } else want(stats.isFile(), "file");
      return;
    case "Directory":
      return want(stats?.isDirectory(), "directory");
    case "File":
      return want(stats?.isFile(), "file");
    case "Socket":
      return want(stats?.isSocket(), "socket");
    case "CharDevice":
      return want(stats?.isCharacterDevice(), "character device");
    case "BlockDevice":
      return want(stats?.isBlockDevice(), "block device");
    default:
      throw new Error(`unknown hostPath type ${JSON.stringify(type)}`);
  }
}

/** Removes everything kept for a pod (its emptyDirs included), once the pod is gone. */
export async function removePodVolumes(volumeRoot: string, podUID: string): Promise<void> {
  if (podUID === "" || podUID.includes("/")) throw new Error(`invalid pod uid ${JSON.stringify(podUID)}`);
  await rm(podVolumeDir(volumeRoot, podUID), { recursive: true, force: true });
}
