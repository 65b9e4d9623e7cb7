import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** The fleet kubeconfig a command talks to: `--kubeconfig`, then `$KUBECONFIG`, then `.atoll/kubeconfig`. */
export function hubKubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return resolve(flag);
  const fromEnv = env.KUBECONFIG?.split(":").find((p) => p !== "");
  if (fromEnv) return resolve(fromEnv);
  const local = resolve(".atoll/kubeconfig");
  if (existsSync(local)) return local;
  throw new Error(
    "no kubeconfig: pass --kubeconfig, set KUBECONFIG, or start a fleet with `atoll up` (.atoll/kubeconfig)",
  );
}
