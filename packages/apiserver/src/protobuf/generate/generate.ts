/**
 * Development-time generator of `../descriptors.generated.ts`. Reads the
 * `generated.proto` descriptors (field numbers and types) and the Go struct
 * tags (JSON names, inlining) that a kubectl 1.32 binary has compiled in, and
 * keeps the messages reachable from the kinds in `roots.ts`. No proto text is
 * copied; only names, numbers and types.
 *
 *   npx node packages/apiserver/src/protobuf/generate/generate.ts [KUBECTL]          # rewrite the table
 *   npx node packages/apiserver/src/protobuf/generate/generate.ts [KUBECTL] --check  # fail if it is stale
 *
 * KUBECTL defaults to `kubectl.1.32` found on PATH or beside `kubectl`. The
 * output is already formatted as Biome would format it.
 */

import { writeFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { findKubectl, KUBERNETES_MINOR, kubectlVersion, tablesFromKubectl } from "./from-kubectl.ts";
import { renderTables } from "./render.ts";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const binary = args.find((arg) => !arg.startsWith("--")) ?? findKubectl(process.env.PATH ?? "");
  if (binary === undefined) throw new Error(`no kubectl ${KUBERNETES_MINOR} found; pass its path`);
  const version = kubectlVersion(binary);
  if (!version.startsWith(`v${KUBERNETES_MINOR}.`))
    throw new Error(`${binary} is ${version}, not ${KUBERNETES_MINOR}`);
  const { tables, untagged } = tablesFromKubectl(binary);
  for (const field of untagged)
    console.warn(`no Go tag found for ${field}; using its proto name as JSON name`);
  const target = fileURLToPath(new URL("../descriptors.generated.ts", import.meta.url));
  if (check) {
    const committed = await import("../descriptors.generated.ts");
    const same = isDeepStrictEqual({ kinds: committed.kinds, messages: committed.messages }, tables);
    if (!same) throw new Error(`${basename(target)} is stale; regenerate it from ${binary}`);
    console.log(`${basename(target)} matches kubectl ${version}`);
    return;
  }
  writeFileSync(target, renderTables(tables, `kubectl ${version}`));
  console.log(
    `wrote ${Object.keys(tables.messages).length} messages and ${Object.keys(tables.kinds).length} kinds`,
  );
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
