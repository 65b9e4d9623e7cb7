import { type ChildProcess, type StdioOptions, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";

export type SpawnNodeOptions = {
  script: string;
  args: string[];
  cwd: string;
  stdio: StdioOptions;
  /** Node flags placed before the script (`--expose-gc`, `--import …`). */
  nodeArgs?: string[];
  serialization?: "json" | "advanced";
};

/**
 * Starts Node child processes and stops exactly those, by pid. When
 * `setpriv --pdeathsig` is available each child is started through it, so the
 * kernel kills the child if the benchmark dies without cleaning up.
 * ATOLL_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") adds
 * Node flags to every child, to profile what a benchmark drives.
 */
export class ChildProcesses {
  #children = new Set<ChildProcess>();
  #pdeathsig: boolean;

  constructor() {
    this.#pdeathsig = setprivSupportsPdeathsig();
  }

  get diesWithParent(): boolean {
    return this.#pdeathsig;
  }

  spawnNode(options: SpawnNodeOptions): ChildProcess {
    const fromEnv = (process.env.ATOLL_BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
    const node = [process.execPath, ...fromEnv, ...(options.nodeArgs ?? []), options.script, ...options.args];
    // setpriv execs node in place, so the pid we hold is the child's own.
    const [command, ...args] = this.#pdeathsig ? ["setpriv", "--pdeathsig", "KILL", ...node] : node;
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: options.stdio,
      serialization: options.serialization,
    });
    this.#children.add(child);
    child.once("exit", () => this.#children.delete(child));
    return child;
  }

  /** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
  async stop(child: ChildProcess, graceMs = 5000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = once(child, "exit");
    signal(child.pid, "SIGTERM");
    const timer = setTimeout(() => signal(child.pid ?? 0, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(graceMs?: number): Promise<void> {
    await Promise.all([...this.#children].map((child) => this.stop(child, graceMs)));
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function setprivSupportsPdeathsig(): boolean {
  const help = spawnSync("setpriv", ["--help"], { encoding: "utf8" });
  return help.status === 0 && help.stdout.includes("--pdeathsig");
}
