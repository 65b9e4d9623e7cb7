import { relative } from "node:path";
import { seconds } from "./progress.ts";

/** What the ready block tells: where the fleet is and how to reach it. */
export type ReadyInfo = {
  kubeconfig: string;
  hubUrl: string;
  members: string[];
  dataDir: string;
  elapsedMs: number;
  /** Started with -d: say how to stop it. */
  background: boolean;
};

/** The example instance the ready block suggests: a 3-replica etcd across the members (README walkthrough). */
const EXAMPLE = new URL("../../../../examples/etcd.yaml", import.meta.url).pathname;

/** The first line of the ready block: tests and scripts may wait for it. */
export const READY_HEADLINE = "Fleet ready";

/**
 * The block printed once every member is Ready: where the kubeconfig is,
 * and three commands to try. Paths are shown relative to `cwd` when inside it.
 */
export function readyBlock(info: ReadyInfo, options: { cwd: string; colour: boolean }): string {
  const bold = (text: string) => (options.colour ? `\x1b[1m${text}\x1b[0m` : text);
  const shown = (path: string) => {
    const rel = relative(options.cwd, path);
    return rel !== "" && !rel.startsWith("..") ? rel : path;
  };
  const defaultDir = shown(info.dataDir) === ".atoll";
  const dirFlag = defaultDir ? "" : ` --data-dir ${shown(info.dataDir)}`;
  const stop = info.background ? `Stop it with: npx atoll down${dirFlag}` : "Ctrl-C stops the fleet.";
  return [
    "",
    bold(
      `${READY_HEADLINE} in ${seconds(info.elapsedMs)}: hub ${info.hubUrl}, members ${info.members.join(", ")}`,
    ),
    "",
    `  export KUBECONFIG=${info.kubeconfig}`,
    `  # contexts: hub (current), ${info.members.join(", ")}`,
    "",
    "Try:",
    "  kubectl get memberclusters",
    `  kubectl apply -f ${shown(EXAMPLE)}      # an etcd with a replica in each member`,
    "  npx atoll get pods --all-clusters",
    "",
    stop,
    "",
  ].join("\n");
}
