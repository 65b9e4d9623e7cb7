import { mkdir, realpath, stat, writeFile } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import { isAbsolute, join, sep } from "node:path";
import type { KubeClient } from "@atoll/kube/client";
import { type Clock, systemClock } from "@atoll/kube/clock";
import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { containerEnv } from "./env.ts";
import { RuntimeError } from "./errors.ts";
import { expandWith } from "./expansion.ts";
import type { DownwardContext } from "./field-ref.ts";
import { PodObjects } from "./pod-objects.ts";
import { type MaterializedVolume, materializeVolume } from "./volumes.ts";

/** A bind mount for the container: `source` on this machine appears at `mountPath` inside it. */
export type ContainerMount = { mountPath: string; source: string; readOnly: boolean };

export type PrepareOptions = {
  client: KubeClient;
  pod: Pod;
  container: Container;
  podIP: string;
  /** Default `pod.spec.nodeName`. */
  nodeName?: string;
  /** The node's address for `status.hostIP`; default `pod.status.hostIP`. */
  hostIP?: string;
  /** Volumes live in `<volumeRoot>/<podUID>/volumes/…`. */
  volumeRoot: string;
  /** Per-pod runtime files (hosts file, termination logs) live in `<dataDir>/<podUID>/…`; may equal `volumeRoot`. */
  dataDir: string;
  /** Node allocatable, for `limits.*` the container leaves unset; default this machine's cores and memory. */
  allocatable?: Record<string, string>;
  /** Default "cluster.local". */
  clusterDomain?: string;
  /** For service account token timestamps; default the system clock. */
  clock?: Clock;
};

/** Everything a runtime needs to start the container, resolved from the API. */
export type PreparedContainer = {
  /** The container's own variables, in definition order (no image or runtime defaults). */
  env: Record<string, string>;
  /** Sorted parents first; includes the managed `/etc/hosts` and the termination message file. */
  mounts: ContainerMount[];
  workingDir?: string;
  /** `command` and `args` after `$(VAR)` expansion; undefined when the container leaves them unset. */
  command?: string[];
  args?: string[];
  /** The pod's hostname: `spec.hostname` or the pod name, at most 63 characters. */
  hostname: string;
  /** Host path of the file mounted at `terminationMessagePath`, emptied on every prepare. */
  terminationMessageFile: string;
  /** Host directory for this container's runtime state (the process runtime's scratch space). */
  containerDir: string;
  /** Non-fatal problems to report as events (e.g. envFrom keys that are not variable names). */
  warnings: string[];
};

/**
 * Resolves a container's environment, volumes and mounts from the API as the
 * kubelet does before it asks the runtime to create the container. Fails with
 * a `RuntimeError` whose reason is `CreateContainerConfigError` (missing
 * env reference), `FailedMount` (volume) or `CreateContainerError` (bad
 * subPath). Safe to call again for a restart: emptyDirs are kept and
 * configMap/secret volumes are refreshed in place.
 */
export async function prepareContainer(options: PrepareOptions): Promise<PreparedContainer> {
  const { pod, container } = options;
  const uid = pod.metadata?.uid;
  if (uid === undefined || uid === "" || uid.includes("/")) {
    throw new RuntimeError("CreateContainerError", `pod ${pod.metadata?.name} has no usable metadata.uid`);
  }
  const objects = new PodObjects(options.client, pod.metadata?.namespace ?? "default");
  const downward: DownwardContext = {
    pod,
    podIP: options.podIP,
    hostIP: options.hostIP,
    nodeName: options.nodeName,
    allocatable: options.allocatable ?? { cpu: String(availableParallelism()), memory: String(totalmem()) },
  };
  const { env, invalidKeys } = await containerEnv(container, objects, downward);
  const warnings = invalidKeys.map(
    (key) => `skipped envFrom key ${JSON.stringify(key)}: not a valid variable name`,
  );

  const now = (options.clock ?? systemClock).now();
  const volumes = new Map<string, MaterializedVolume>();
  const mounts: ContainerMount[] = [];
  for (const mount of container.volumeMounts ?? []) {
    let volume = volumes.get(mount.name);
    if (volume === undefined) {
      const spec = pod.spec?.volumes?.find((v) => v.name === mount.name);
      if (spec === undefined)
        throw new RuntimeError("CreateContainerError", `volume "${mount.name}" not found in the pod`);
      volume = await materializeVolume(spec, {
        client: options.client,
        volumeRoot: options.volumeRoot,
        objects,
        downward,
        now,
      });
      volumes.set(mount.name, volume);
    }
    const subPath =
      mount.subPathExpr !== undefined ? expandWith(mount.subPathExpr, env) : (mount.subPath ?? "");
    const source = subPath === "" ? volume.path : await subPathSource(volume.path, subPath, mount.name);
    mounts.push({ mountPath: mount.mountPath, source, readOnly: mount.readOnly === true || volume.readOnly });
  }

  const podDir = join(options.dataDir, uid);
  const containerDir = join(podDir, "containers", container.name);
  await mkdir(containerDir, { recursive: true });
  const names = podNames(pod, options.clusterDomain ?? "cluster.local");
  if (!mounts.some((m) => m.mountPath === "/etc/hosts")) {
    const hostsFile = join(podDir, "etc-hosts");
    await writeFile(hostsFile, hostsFileContent(pod, options.podIP, names));
    mounts.push({ mountPath: "/etc/hosts", source: hostsFile, readOnly: false });
  }
  const terminationMessageFile = join(containerDir, "termination-log");
  await writeFile(terminationMessageFile, "", { mode: 0o666 });
  const terminationPath = container.terminationMessagePath ?? "/dev/termination-log";
  if (!mounts.some((m) => m.mountPath === terminationPath)) {
    mounts.push({ mountPath: terminationPath, source: terminationMessageFile, readOnly: false });
  }
  mounts.sort((a, b) => depth(a.mountPath) - depth(b.mountPath));

  return {
    env: Object.fromEntries(env),
    mounts,
    workingDir: container.workingDir,
    command: container.command?.map((part) => expandWith(part, env)),
    args: container.args?.map((part) => expandWith(part, env)),
    hostname: names.hostname,
    terminationMessageFile,
    containerDir,
    warnings,
  };
}

async function subPathSource(volumePath: string, subPath: string, volumeName: string): Promise<string> {
  const fail = (why: string): never => {
    throw new RuntimeError(
      "CreateContainerError",
      `volume "${volumeName}" subPath ${JSON.stringify(subPath)}: ${why}`,
    );
  };
  if (isAbsolute(subPath) || subPath.split("/").includes("..")) fail("must be a relative path without '..'");
  const source = join(volumePath, subPath);
  if ((await stat(source).catch(() => undefined)) === undefined)
    await mkdir(source, { recursive: true, mode: 0o755 });
  const [real, root] = await Promise.all([realpath(source), realpath(volumePath)]);
  if (real !== root && !real.startsWith(root + sep)) fail("resolves outside the volume");
  return real;
}

type PodNames = { hostname: string; fqdn?: string };

/** The kubelet's hostname rules: `spec.hostname` or the pod name (≤ 63 chars), and a domain when `subdomain` is set. */
function podNames(pod: Pod, clusterDomain: string): PodNames {
  const raw = pod.spec?.hostname || pod.metadata?.name || "localhost";
  const hostname = raw.length > 63 ? raw.slice(0, 63).replace(/[-.]+$/, "") : raw;
  const subdomain = pod.spec?.subdomain;
  if (!subdomain) return { hostname };
  return {
    hostname,
    fqdn: `${hostname}.${subdomain}.${pod.metadata?.namespace ?? "default"}.svc.${clusterDomain}`,
  };
}

/** The kubelet-managed /etc/hosts: loopback entries, the pod's own name(s) at its IP, then hostAliases. */
function hostsFileContent(pod: Pod, podIP: string, names: PodNames): string {
  const lines = [
    "# Kubernetes-managed hosts file.",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "fe00::0\tip6-mcastprefix",
    "fe00::1\tip6-allnodes",
    "fe00::2\tip6-allrouters",
    names.fqdn !== undefined ? `${podIP}\t${names.fqdn}\t${names.hostname}` : `${podIP}\t${names.hostname}`,
  ];
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length > 0) {
    lines.push("", "# Entries added by HostAliases.");
    for (const alias of aliases) lines.push(`${alias.ip}\t${(alias.hostnames ?? []).join("\t")}`);
  }
  return `${lines.join("\n")}\n`;
}

function depth(path: string): number {
  return path.split("/").filter((part) => part !== "").length;
}
