/**
 * Container image references, as distribution/reference's grammar:
 * `[registry[:port]/]repository[:tag][@digest]`. No normalisation: `nginx`
 * keeps an empty registry and `docker.io/library/nginx` keeps both parts, so
 * an unchanged reference formats back to the same text.
 */
export type ImageReference = {
  /** Host with optional port (`registry.example.com:5000`, `[::1]:5000`, `localhost`); absent for Docker Hub short names. */
  registry?: string;
  /** Slash-separated path after the registry (`team/app`, `library/nginx`, `nginx`). */
  repository: string;
  tag?: string;
  /** `algorithm:hex`, e.g. `sha256:…`. A tag and a digest may both be present. */
  digest?: string;
};

const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
const registryPattern = `${host}(?::[0-9]+)?`;
const tagPattern = "[\\w][\\w.-]{0,127}";
const digestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

const referenceRegexp = new RegExp(
  `^((?:${registryPattern}/)?${pathComponent}(?:/${pathComponent})*)(?::(${tagPattern}))?(?:@(${digestPattern}))?$`,
);
const anchoredTag = new RegExp(`^${tagPattern}$`);
const anchoredDigest = new RegExp(`^${digestPattern}$`);

/** Hex lengths of the digest algorithms distribution knows; other algorithms only need the grammar. */
const digestLengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

const maxNameLength = 255;

/** Parses a reference, or returns undefined when it is not one. */
export function parseImageReference(image: string): ImageReference | undefined {
  const match = referenceRegexp.exec(image);
  if (!match) return undefined;
  const [, name, tag, digest] = match;
  if (name.length > maxNameLength) return undefined;
  if (digest !== undefined && !isDigest(digest)) return undefined;
  const reference: ImageReference = { ...splitRegistry(name) };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return reference;
}

/** The text form: registry and repository joined by "/", then ":tag", then "@digest". */
export function formatImageReference(reference: ImageReference): string {
  let text = reference.registry ? `${reference.registry}/${reference.repository}` : reference.repository;
  if (reference.tag) text += `:${reference.tag}`;
  if (reference.digest) text += `@${reference.digest}`;
  return text;
}

/** Whether `value` is a valid tag (`1.25`, `v1.0.0-rc.1`, `latest`). */
export function isTag(value: string): boolean {
  return anchoredTag.test(value);
}

/** Whether `value` is a valid digest, with the right length for sha256/sha384/sha512. */
export function isDigest(value: string): boolean {
  if (!anchoredDigest.test(value)) return false;
  const separator = value.indexOf(":");
  const expected = digestLengths[value.slice(0, separator)];
  return expected === undefined || value.length - separator - 1 === expected;
}

/**
 * The first path element is a registry when it looks like a host: it has a dot
 * or a port, is `localhost`, or has upper-case letters (which no repository
 * path may have). Otherwise the whole name is a Docker Hub repository.
 */
function splitRegistry(name: string): { registry?: string; repository: string } {
  const slash = name.indexOf("/");
  if (slash === -1) return { repository: name };
  const first = name.slice(0, slash);
  const looksLikeHost = /[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase();
  return looksLikeHost ? { registry: first, repository: name.slice(slash + 1) } : { repository: name };
}
