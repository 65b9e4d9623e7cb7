import { accessSync, constants } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, delimiter, isAbsolute, join } from "node:path";
import { parse as parseYaml } from "yaml";

/**
 * One allowlisted image: containers whose image matches run `executable` as a
 * real process; every other image is simulated by the caller.
 */
export type ImageRule = {
  /**
   * Without `*` or `?`: a substring of the image's repository path (registry,
   * tag and digest removed), so `etcd` matches `quay.io/coreos/etcd:v3.5.9`.
   * With them: a glob over the whole reference as written (`*` spans `/`).
   */
  match: string;
  /** Absolute path of the program that plays the image's entrypoint. */
  executable: string;
  /** The image's CMD: arguments used when the container sets neither `command` nor `args`. */
  defaultArgs?: string[];
  /**
   * Names under which the image's binary may appear as `command[0]`
   * (`etcd`, `/usr/local/bin/etcd`); default: the executable's basename.
   */
  aliases?: string[];
};

/**
 * Which images a member runs for real. Written by the member's operator (a
 * JSON or YAML file), never by API users: it names programs on this machine.
 */
export type RuntimeConfig = { images: ImageRule[] };

/** An image resolved to a local program. */
export type ResolvedImage = {
  executable: string;
  defaultArgs: string[];
  aliases: string[];
};

/** Finds a program by name, as `which` does; undefined when absent. */
export type Which = (bin: string) => string | undefined;

/** A `Which` over a PATH-style list of directories (the entry point passes `process.env.PATH`). */
export function searchPath(pathList: string): Which {
  const dirs = pathList.split(delimiter).filter((d) => d !== "");
  return (bin) => {
    if (bin.includes("/")) return isExecutable(bin) ? bin : undefined;
    for (const dir of dirs) {
      const candidate = join(dir, bin);
      if (isExecutable(candidate)) return candidate;
    }
    return undefined;
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The built-in allowlist: images whose name contains `etcd` run the system's `etcd`, if installed. */
export function defaultRuntimeConfig(which: Which): RuntimeConfig {
  const images: ImageRule[] = [];
  const etcd = which("etcd");
  if (etcd !== undefined) images.push({ match: "etcd", executable: etcd });
  return { images };
}

/** The first rule matching `image`, resolved; undefined means "simulate this container". */
export function resolveImage(config: RuntimeConfig, image: string): ResolvedImage | undefined {
  const rule = config.images.find((r) => imageMatches(r.match, image));
  if (rule === undefined) return undefined;
  return {
    executable: rule.executable,
    defaultArgs: rule.defaultArgs ?? [],
    aliases: rule.aliases ?? [basename(rule.executable)],
  };
}

/**
 * The process argv for a container, by the image-entrypoint rules of
 * Kubernetes (the image's ENTRYPOINT is `executable`, its CMD `defaultArgs`):
 * `command` replaces the entrypoint and drops the CMD; `args` alone replace the
 * CMD. A `command[0]` naming the image's own binary (one of `aliases`, by path
 * or basename) runs `executable`; any other `command[0]` is run as given.
 * `command` and `args` must already be `$(VAR)`-expanded.
 */
export function containerArgv(image: ResolvedImage, command?: string[], args?: string[]): string[] {
  if (command !== undefined && command.length > 0) {
    const [first, ...rest] = command;
    const own = image.aliases.includes(first) || image.aliases.includes(basename(first));
    return [own ? image.executable : first, ...rest, ...(args ?? [])];
  }
  return [image.executable, ...(args !== undefined && args.length > 0 ? args : image.defaultArgs)];
}

/** Whether `pattern` (see `ImageRule.match`) selects `image`. */
export function imageMatches(pattern: string, image: string): boolean {
  if (/[*?]/.test(pattern)) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    return new RegExp(`^${source}$`).test(image);
  }
  return repositoryPath(image).includes(pattern);
}

/** `registry.io:5000/team/etcd:v3@sha256:…` → `team/etcd`. */
export function repositoryPath(image: string): string {
  let rest = image.split("@")[0];
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.indexOf(":", lastSlash + 1);
  if (colon >= 0) rest = rest.slice(0, colon);
  const parts = rest.split("/");
  if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) {
    parts.shift();
  }
  return parts.join("/");
}

/** Parses and validates a runtime config document (JSON or YAML); `source` names it in errors. */
export function parseRuntimeConfig(text: string, source: string): RuntimeConfig {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new Error(`runtime config ${source}: not valid JSON or YAML`, { cause: error });
  }
  const fail = (message: string): never => {
    throw new Error(`runtime config ${source}: ${message}`);
  };
  if (!isObject(data) || !Array.isArray(data.images)) return fail("expected an object with an `images` list");
  const images = data.images.map((entry: unknown, i: number): ImageRule => {
    const at = `images[${i}]`;
    if (!isObject(entry)) return fail(`${at} must be an object`);
    const { match, executable, defaultArgs, aliases } = entry;
    if (typeof match !== "string" || match === "") return fail(`${at}.match must be a non-empty string`);
    if (typeof executable !== "string" || !isAbsolute(executable)) {
      return fail(`${at}.executable must be an absolute path`);
    }
    if (defaultArgs !== undefined && !isStringList(defaultArgs))
      return fail(`${at}.defaultArgs must be strings`);
    if (aliases !== undefined && !isStringList(aliases)) return fail(`${at}.aliases must be strings`);
    return { match, executable, defaultArgs, aliases };
  });
  return { images };
}

/** Reads a runtime config file (`.json`, `.yaml` or `.yml`). */
export async function loadRuntimeConfig(path: string): Promise<RuntimeConfig> {
  return parseRuntimeConfig(await readFile(path, "utf8"), path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}
