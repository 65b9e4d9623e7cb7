import { join, resolve } from "node:path";

/** Where everything of one fleet lives under its data dir (default `.atoll`). */
export type DataDirLayout = {
  root: string;
  /** hub (current) and k8s-1…k8s-N. */
  kubeconfig: string;
  /** The fleet's shape (members, first id, storage): a restart must match it. */
  fleetFile: string;
  /** The pid of the running `atoll up`; removed when it stops. */
  pidFile: string;
  /** A background fleet's progress and errors (`atoll up -d`). */
  upLog: string;
  hubDir: string;
  hubDb: string;
  hubToken: string;
  hubPki: string;
  hubLog: string;
  membersDir: string;
  /** An `atoll sim` data dir: kubeconfig, admin.json, token, pki/, state.db, volumes/… */
  memberDir: (name: string) => string;
  memberLog: (name: string) => string;
};

export function dataDirLayout(dataDir: string): DataDirLayout {
  const root = resolve(dataDir);
  const hubDir = join(root, "hub");
  const membersDir = join(root, "members");
  return {
    root,
    kubeconfig: join(root, "kubeconfig"),
    fleetFile: join(root, "fleet.json"),
    pidFile: join(root, "up.pid"),
    upLog: join(root, "up.log"),
    hubDir,
    hubDb: join(hubDir, "hub.db"),
    hubToken: join(hubDir, "token"),
    hubPki: join(hubDir, "pki"),
    hubLog: join(hubDir, "hub.log"),
    membersDir,
    memberDir: (name) => join(membersDir, name),
    memberLog: (name) => join(membersDir, `${name}.log`),
  };
}

/** Member names of a fleet: k8s-1…k8s-N, as the KubeBlocks guide's contexts. */
export function memberNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `k8s-${i + 1}`);
}
