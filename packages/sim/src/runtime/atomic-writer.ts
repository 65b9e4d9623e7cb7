import { randomBytes } from "node:crypto";
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { dirname, join, posix } from "node:path";

/** One file of a volume payload: content and permission bits (e.g. 0o644). */
export type PayloadFile = { content: Buffer; mode: number };

const DATA_LINK = "..data";

/**
 * Replaces the files of a configMap/secret/downwardAPI/projected volume at
 * once, as the kubelet's AtomicWriter does: the payload is written to a fresh
 * hidden `..v…` directory, the `..data` symlink is swapped to it with one
 * rename, and each top-level name is a symlink through `..data`, so a
 * process reading the volume never sees half an update. An unchanged payload
 * is not rewritten. Returns whether anything changed.
 */
export async function writePayload(dir: string, files: ReadonlyMap<string, PayloadFile>): Promise<boolean> {
  for (const path of files.keys()) validatePayloadPath(path);
  await mkdir(dir, { recursive: true });
  const current = await readlink(join(dir, DATA_LINK)).catch(() => undefined);
  if (current !== undefined && (await samePayload(join(dir, current), files))) return false;
  const version = await mkdtemp(join(dir, "..v"));
  for (const [path, file] of files) {
    const target = join(version, path);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, file.content);
    await chmod(target, file.mode);
  }
  const tmpLink = join(dir, `..data_tmp_${randomBytes(4).toString("hex")}`);
  await symlink(posix.basename(version), tmpLink);
  await rename(tmpLink, join(dir, DATA_LINK));
  const visible = new Set([...files.keys()].map((path) => path.split("/")[0]));
  for (const name of visible) {
    const link = join(dir, name);
    const existing = await readlink(link).catch(() => undefined);
    if (existing !== posix.join(DATA_LINK, name)) {
      await rm(link, { recursive: true, force: true });
      await symlink(posix.join(DATA_LINK, name), link);
    }
  }
  for (const entry of await readdir(dir)) {
    if (!entry.startsWith("..") && !visible.has(entry)) await rm(join(dir, entry), { force: true });
  }
  if (current !== undefined) await rm(join(dir, current), { recursive: true, force: true });
  return true;
}

/** Payload paths are relative, without `..` elements, and may not start with `..`. */
export function validatePayloadPath(path: string): void {
  const parts = path.split("/");
  if (
    path === "" ||
    path.startsWith("/") ||
    path.startsWith("..") ||
    parts.includes("..") ||
    parts.includes("")
  ) {
    throw new Error(`invalid volume file path ${JSON.stringify(path)}`);
  }
}

async function samePayload(dir: string, files: ReadonlyMap<string, PayloadFile>): Promise<boolean> {
  const existing = await listFiles(dir).catch(() => undefined);
  if (existing === undefined || existing.length !== files.size) return false;
  for (const path of existing) {
    const want = files.get(path);
    if (want === undefined) return false;
    const stats = await lstat(join(dir, path));
    if ((stats.mode & 0o7777) !== want.mode) return false;
    if (!(await readFile(join(dir, path))).equals(want.content)) return false;
  }
  return true;
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), path)));
    else out.push(path);
  }
  return out;
}
