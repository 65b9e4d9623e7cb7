import { lstat, readlink, stat } from "node:fs/promises";
import { posix } from "node:path";
import { RuntimeError } from "./errors.ts";
import type { ContainerMount } from "./prepare.ts";
import type { SandboxTools } from "./sandbox.ts";

/** A host path shown at a container path. */
type Bind = { target: string; source: string };

/** Where a container path lives on the host, given the binds made so far (longest target wins). */
export function hostPathOf(path: string, binds: readonly Bind[]): string {
  let best: Bind | undefined;
  for (const bind of binds) {
    if (path === bind.target || path.startsWith(bind.target === "/" ? "/" : `${bind.target}/`)) {
      if (best === undefined || bind.target.length > best.target.length) best = bind;
    }
  }
  return best === undefined ? path : posix.join(best.source, path.slice(best.target.length));
}

/**
 * A container path with its symlinks resolved as the container would resolve
 * them (the root is the host's `/` seen through `binds`), so the sandbox never
 * follows a link such as `/var/run -> /run` out of its new root. The part
 * that does not exist yet is kept as written.
 */
export async function resolveInContainer(
  path: string,
  binds: readonly Bind[],
): Promise<{ path: string; exists: boolean }> {
  const pending = path.split("/").filter((p) => p !== "" && p !== ".");
  let resolved = "/";
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "..") {
      resolved = posix.dirname(resolved);
      continue;
    }
    const candidate = posix.join(resolved, part);
    const host = hostPathOf(candidate, binds);
    const stats = await lstat(host).catch(() => undefined);
    if (stats === undefined)
      return { path: posix.normalize(posix.join(candidate, ...pending)), exists: false };
    if (stats.isSymbolicLink()) {
      if (++hops > 40) throw new RuntimeError("CreateContainerError", `too many symlinks resolving ${path}`);
      const target = await readlink(host);
      if (target.startsWith("/")) resolved = "/";
      pending.unshift(...target.split("/").filter((p) => p !== "" && p !== "."));
      continue;
    }
    resolved = candidate;
  }
  return { path: resolved, exists: true };
}

/** Mount points listed in a mountinfo text (`/proc/self/mountinfo`), unescaped and de-duplicated. */
export function parseMountInfo(text: string): string[] {
  const points = new Set<string>();
  for (const line of text.split("\n")) {
    const field = line.split(" ")[4];
    if (field !== undefined)
      points.add(
        field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
      );
  }
  return [...points];
}

export type ScriptOptions = {
  tools: SandboxTools;
  /** A host directory, private to this container, on which the sandbox mounts its scratch tmpfs. */
  stageDir: string;
  /** Sorted parents first, as `prepareContainer` returns them. */
  mounts: readonly ContainerMount[];
  workingDir?: string;
  hostname?: string;
  /** The host's mount points (`parseMountInfo`). */
  hostMounts: readonly string[];
};

/**
 * The shell script that, as PID 1 of a new PID and mount namespace, builds
 * the container's root and runs the program in it (`unshare --root`, the
 * script's arguments as argv), then waits for it and exits with its status
 * (128+n for a signal, as container runtimes report). When the script exits
 * the kernel kills whatever else is left in the namespace.
 *
 * The root is an overlay of the host's `/` (upper layer on a private tmpfs);
 * the host's other mounts are bind-mounted back into it (`/proc` is a fresh
 * one for the namespace), and a host mount that must gain a missing
 * mountpoint (e.g. `/dev` for `/dev/termination-log`) is overlaid too, so
 * nothing is ever created on the host. Setup errors go to fd 3; once the root
 * is built fd 3 gets `READY_MARKER`, a space, the program's host pid and a
 * newline. (The `unshare` parent keeps fd 3 open, so readers must not wait
 * for its end.)
 */
export async function sandboxScript(options: ScriptOptions): Promise<{ script: string; workingDir: string }> {
  const { tools, stageDir } = options;
  const root = `${stageDir}/root`;
  const overlays = new Set<string>(["/"]);
  const binds: Bind[] = [];
  const steps: string[] = [];
  const mountOf = (path: string) =>
    options.hostMounts.filter((m) => isUnder(path, m)).reduce((a, b) => (b.length > a.length ? b : a), "/");
  const ensure = (path: string, exists: boolean) => {
    if (!exists && binds.every((b) => !isUnder(path, b.target))) overlays.add(mountOf(path));
  };
  for (const mount of options.mounts) {
    const source = await stat(mount.source).catch(() => undefined);
    if (source === undefined)
      throw new RuntimeError("RunContainerError", `mount source ${mount.source} does not exist`);
    const target = await resolveInContainer(mount.mountPath, binds);
    const targetStats = target.exists
      ? await stat(hostPathOf(target.path, binds)).catch(() => undefined)
      : undefined;
    if (targetStats !== undefined && targetStats.isDirectory() !== source.isDirectory()) {
      throw new RuntimeError(
        "CreateContainerError",
        `cannot mount ${mount.source} at ${mount.mountPath}: one is a directory, the other is not`,
      );
    }
    ensure(target.path, target.exists);
    const at = q(root + target.path);
    if (!target.exists && source.isDirectory()) steps.push(`${tools.mkdir} -p ${at}`);
    if (!target.exists && !source.isDirectory())
      steps.push(`${tools.mkdir} -p ${q(root + posix.dirname(target.path))}`, `${tools.touch} ${at}`);
    steps.push(`${tools.mount} --rbind ${q(mount.source)} ${at}`);
    if (mount.readOnly) steps.push(`${tools.mount} -o remount,bind,ro ${at}`);
    binds.push({ target: target.path, source: mount.source });
  }
  const wd = await resolveInContainer(options.workingDir ?? "/", binds);
  ensure(wd.path, wd.exists);
  if (!wd.exists) steps.push(`${tools.mkdir} -p ${q(root + wd.path)}`);

  const layers: string[] = [];
  const children = (parent: string) =>
    options.hostMounts.filter(
      (m) => m !== parent && isUnder(m, parent) && mountOf(posix.dirname(m)) === parent,
    );
  const holdsOverlay = (point: string): boolean =>
    [...overlays].some((o) => o !== point && isUnder(o, point));
  const place = (point: string) => {
    const at = root + (point === "/" ? "" : point);
    if (overlays.has(point)) {
      const layer = `${stageDir}/layer${layers.length}`;
      for (const path of [point, layer]) {
        if (/[,:\\\s]/.test(path))
          throw new RuntimeError("RunContainerError", `cannot overlay ${path}: unsupported characters`);
      }
      layers.push(`${tools.mkdir} -p ${q(`${layer}/upper`)} ${q(`${layer}/work`)}`);
      layers.push(
        `${tools.mount} -t overlay atoll-layer -o ${q(`lowerdir=${point},upperdir=${layer}/upper,workdir=${layer}/work`)} ${q(at)}`,
      );
      for (const child of children(point)) place(child);
    } else if (point === "/proc") {
      layers.push(`${tools.mount} -t proc atoll-proc ${q(at)}`);
    } else {
      layers.push(
        `${tools.mount} --rbind ${q(point)} ${q(at)} || echo ${q(`warning: could not mirror mount ${point}`)} >&2`,
      );
      fixOverlays(point);
    }
  };
  const fixOverlays = (point: string) => {
    for (const child of children(point)) {
      if (overlays.has(child)) place(child);
      else if (holdsOverlay(child)) fixOverlays(child);
    }
  };
  layers.push(`${tools.mkdir} -p ${q(root)}`);
  place("/");

  const script = [
    "exec 4>&2 2>&3",
    "set -e",
    `${tools.mount} -t tmpfs -o mode=0755 atoll-stage ${q(stageDir)}`,
    ...layers,
    ...steps,
    ...(options.hostname ? [`${tools.hostname} ${q(options.hostname)}`] : []),
    "exec 2>&4 4>&-",
    "(",
    "  read -r pid rest < /proc/self/stat",
    `  printf '%s %s\\n' ${q(READY_MARKER)} "$pid" >&3`,
    "  exec 3>&-",
    `  exec ${tools.unshare} --root=${q(root)} --wd=${q(wd.path)} -- "$@"`,
    ") &",
    // The waiting shell must not print "Killed"/"Terminated" into the container's log.
    "exec 3>&- 2>/dev/null",
    'wait "$!"',
  ].join("\n");
  return { script, workingDir: wd.path };
}

/** What the sandbox script writes on fd 3 when the container's root is ready. */
export const READY_MARKER = "\natoll-sandbox-ready";

function isUnder(path: string, parent: string): boolean {
  return parent === "/" || path === parent || path.startsWith(`${parent}/`);
}

/** Single-quotes a word for sh. */
export function q(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}
