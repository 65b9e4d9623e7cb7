import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";

const ENTRIES = ["./fleet-entry.ts", "./sim-entry.ts"].map((entry) => new URL(entry, import.meta.url).href);

/**
 * Whether client-node, pkijs or node's bundled undici are loaded by a fresh
 * node process that imports `modules` (not as its main module).
 */
async function loadedBy(modules: string[]): Promise<Record<string, boolean>> {
  const script = `
    import { registerHooks } from "node:module";
    const urls = [];
    registerHooks({ load(url, context, next) { urls.push(url); return next(url, context); } });
    for (const module of JSON.parse(process.argv[1])) await import(module);
    console.log(JSON.stringify({
      clientNode: urls.some((url) => url.includes("/@kubernetes/client-node/")),
      pkijs: urls.some((url) => url.includes("/pkijs/")),
      undici: process.moduleLoadList.some((name) => name.includes("undici")),
    }));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--input-type=module", "-e", script, JSON.stringify(modules)],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

test("the fleet's entries load neither client-node, pkijs nor undici, and do nothing when imported", async () => {
  // Each would stay in the memory of every fleet process (~44, ~5 and ~1.5 MiB measured). Run as
  // main, fleet-entry.ts without --settings would exit 2 and sim-entry.ts would start a member.
  assert.deepEqual(await loadedBy(ENTRIES), { clientNode: false, pkijs: false, undici: false });
});
