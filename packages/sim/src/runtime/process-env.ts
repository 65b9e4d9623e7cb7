import { access, constants } from "node:fs/promises";
import { posix } from "node:path";
import { RuntimeError } from "./errors.ts";
import { hostPathOf, resolveInContainer } from "./mount-plan.ts";
import type { ContainerMount } from "./prepare.ts";

/** The PATH an image without its own ENV PATH gets (Docker's default). */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * A container process's environment: what a container runtime adds (PATH,
 * HOSTNAME) overridden by the container's own variables. Nothing from the
 * member's own environment leaks in.
 */
export function processEnv(env: Record<string, string>, hostname?: string): Record<string, string> {
  return { PATH: DEFAULT_PATH, ...(hostname ? { HOSTNAME: hostname } : {}), ...env };
}

/**
 * Finds `argv0` as the container will (through its mounts, on its PATH), so
 * a missing program fails the start with a clear error instead of exit 127.
 */
export async function checkExecutable(
  argv0: string,
  path: string,
  mounts: readonly ContainerMount[],
): Promise<void> {
  const binds = mounts.map((m) => ({ target: m.mountPath, source: m.source }));
  const candidates = argv0.includes("/")
    ? [argv0]
    : path
        .split(":")
        .filter((d) => d !== "")
        .map((d) => posix.join(d, argv0));
  for (const candidate of candidates) {
    if (!candidate.startsWith("/")) return;
    const resolved = await resolveInContainer(candidate, binds);
    if (!resolved.exists) continue;
    const ok = await access(hostPathOf(resolved.path, binds), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return;
  }
  throw new RuntimeError(
    "RunContainerError",
    `exec: ${JSON.stringify(argv0)}: executable file not found in $PATH`,
  );
}
