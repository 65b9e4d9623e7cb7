import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { buildTables, type Tables } from "./build-table.ts";
import { parseFileDescriptor } from "./file-descriptor.ts";
import { extractGoStructFields } from "./go-struct-tags.ts";
import { extractFileDescriptors } from "./kubectl-descriptors.ts";
import { rootKinds } from "./roots.ts";

/** The Kubernetes minor version the committed table is generated from. */
export const KUBERNETES_MINOR = "1.32";

/**
 * A kubectl of `KUBERNETES_MINOR` on `path` (a `:`-separated search path):
 * `kubectl.1.32` on the path or beside the resolved `kubectl` (as the Cloud SDK
 * ships them), else `kubectl` itself when it is that version; undefined if none.
 */
export function findKubectl(path: string): string | undefined {
  const dirs = path.split(delimiter).filter((dir) => dir !== "");
  const named = `kubectl.${KUBERNETES_MINOR}`;
  const plain = dirs.map((dir) => join(dir, "kubectl")).find((file) => existsSync(file));
  const candidates = [
    ...dirs.map((dir) => join(dir, named)),
    ...(plain === undefined ? [] : [join(dirname(realpathSync(plain)), named), plain]),
  ];
  return candidates.find(
    (file) => existsSync(file) && kubectlVersion(file).startsWith(`v${KUBERNETES_MINOR}.`),
  );
}

/** The `gitVersion` a kubectl binary reports, e.g. `v1.32.4`. */
export function kubectlVersion(binary: string): string {
  const output = execFileSync(binary, ["version", "--client", "-o", "json"], {
    encoding: "utf8",
    timeout: 30_000,
  });
  const parsed: { clientVersion?: { gitVersion?: string } } = JSON.parse(output);
  return parsed.clientVersion?.gitVersion ?? "unknown";
}

/** Builds the descriptor and kind tables from what a kubectl binary has compiled in. */
export function tablesFromKubectl(binary: string): { tables: Tables; untagged: string[] } {
  const bytes = readFileSync(binary);
  const files = [...extractFileDescriptors(bytes).values()].map(parseFileDescriptor);
  if (files.length === 0) throw new Error(`${binary} has no compiled Kubernetes protobuf descriptors`);
  return buildTables({ files, goFields: extractGoStructFields(bytes), roots: rootKinds });
}
