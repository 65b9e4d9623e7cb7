import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Which } from "./runtime-config.ts";

/** Programs the namespace sandbox runs, by absolute path (a container's PATH never decides them). */
export type SandboxTools = {
  setpriv: string;
  unshare: string;
  mount: string;
  mkdir: string;
  touch: string;
  hostname: string;
  sh: string;
  /** For exec probes and `kubectl exec`; without it they run on the host. */
  nsenter?: string;
};

/**
 * How containers are isolated on this machine.
 *
 * - `namespaces`: each container gets private mount, UTS and PID namespaces:
 *   its root is a throwaway overlay of the host's `/` (its writable layer,
 *   gone on restart) with the container's volumes bind-mounted at their
 *   mountPaths, its hostname is set, and its whole process tree dies with the
 *   runtime's process (`setpriv --pdeathsig KILL`, then the PID namespace
 *   going away). Needs root (or CAP_SYS_ADMIN), util-linux `unshare` with
 *   `--root`, `setpriv`, and overlayfs. The network is the host's.
 * - `plain`: the fallback when any of that is missing. The process runs
 *   directly on the host: **volumes are not visible at their mountPaths**,
 *   the hostname is the host's, and only `setpriv` (if present) ties its life
 *   to the runtime (its children are left for `cleanupOrphans`). `reason`
 *   says what was missing; it is also warned about.
 */
export type Sandbox =
  | { kind: "namespaces"; tools: SandboxTools }
  | { kind: "plain"; reason: string; setpriv?: string };

/** The namespaces a container gets: mount, UTS and PID (its init is killed with the runtime's child). */
export const UNSHARE_FLAGS = ["-m", "-u", "-p", "--fork", "--kill-child=KILL", "--propagation", "private"];

export type DetectOptions = {
  which: Which;
  /** A writable directory for a throwaway probe mount. */
  scratchDir: string;
  /** Told, loudly, when the runtime falls back to `plain`. */
  warn: (message: string) => void;
};

/**
 * Finds the sandbox tools and proves they work by mounting a tmpfs and an
 * overlay in a throwaway namespace; falls back to `plain` (with a warning)
 * otherwise. Call once per runtime and pass the result to `startContainer`.
 */
export async function detectSandbox(options: DetectOptions): Promise<Sandbox> {
  const names = ["setpriv", "unshare", "mount", "mkdir", "touch", "hostname", "sh"] as const;
  const found = Object.fromEntries(names.map((name) => [name, options.which(name)]));
  const missing = names.filter((name) => found[name] === undefined);
  const plain = (reason: string): Sandbox => {
    options.warn(
      `container sandbox unavailable (${reason}): real containers run as plain host processes; ` +
        "their volumes are NOT visible at their mountPaths and they share the host's hostname",
    );
    return { kind: "plain", reason, setpriv: found.setpriv };
  };
  if (missing.length > 0) return plain(`missing ${missing.join(", ")}`);
  const tools: SandboxTools = {
    setpriv: found.setpriv!,
    unshare: found.unshare!,
    mount: found.mount!,
    mkdir: found.mkdir!,
    touch: found.touch!,
    hostname: found.hostname!,
    sh: found.sh!,
    nsenter: options.which("nsenter"),
  };
  const dir = await mkdtemp(join(options.scratchDir, "sandbox-probe-"));
  try {
    const script = [
      "set -e",
      `${tools.mount} -t tmpfs atoll-probe "$1"`,
      `${tools.mkdir} "$1/l" "$1/u" "$1/w" "$1/m"`,
      `${tools.mount} -t overlay atoll-probe -o "lowerdir=$1/l,upperdir=$1/u,workdir=$1/w" "$1/m"`,
      `${tools.mount} -t proc atoll-probe "$1/m"`,
      `exec ${tools.unshare} --root=/ --wd=/ -- ${tools.sh} -c true`,
    ].join("\n");
    const args = ["--pdeathsig", "KILL", "--", tools.unshare, ...UNSHARE_FLAGS, "--"];
    const result = await run(tools.setpriv, [...args, tools.sh, "-c", script, "probe", dir]);
    if (result.code !== 0)
      return plain(`namespace probe failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (tools.nsenter === undefined) {
    options.warn("nsenter not found: exec probes and execs run on the host, outside their containers");
  }
  return { kind: "namespaces", tools };
}

function run(command: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stderr: error.message });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
