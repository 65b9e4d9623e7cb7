// The container image reference grammar of github.com/distribution/reference,
// which kube-apiserver uses to find an image's tag when defaulting its pull policy.
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const NAME = `(?:${HOST}(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const IMAGE_ID = /^[a-f0-9]{64}$/;
const NAME_MAX_LENGTH = 255;

const DEFAULT_DOMAIN = "docker.io";

export type ImageReference = { name: string; tag?: string; digest?: string };

/**
 * Parses an image reference the way Docker normalises it (`nginx` is
 * `docker.io/library/nginx`), or returns undefined when it is not a valid
 * reference: a 64-hex image ID, an upper-case repository, a bad tag or digest.
 */
export function parseImageReference(image: string): ImageReference | undefined {
  if (IMAGE_ID.test(image)) return undefined;
  const { domain, remainder } = splitDomain(image);
  const tagAt = remainder.indexOf(":");
  const repository = tagAt === -1 ? remainder : remainder.slice(0, tagAt);
  if (repository.toLowerCase() !== repository) return undefined;
  const match = REFERENCE.exec(`${domain}/${remainder}`);
  if (!match || match[1].length > NAME_MAX_LENGTH) return undefined;
  return { name: match[1], tag: match[2], digest: match[3] };
}

/** The registry and the rest: a first component counts as a registry only if it looks like a host. */
function splitDomain(image: string): { domain: string; remainder: string } {
  const slash = image.indexOf("/");
  const first = slash === -1 ? "" : image.slice(0, slash);
  const looksLikeHost =
    slash !== -1 && (/[.:]/.test(first) || first === "localhost" || first.toLowerCase() !== first);
  let domain = looksLikeHost ? first : DEFAULT_DOMAIN;
  let remainder = looksLikeHost ? image.slice(slash + 1) : image;
  if (domain === "index.docker.io") domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes("/")) remainder = `library/${remainder}`;
  return { domain, remainder };
}

/**
 * The pull policy Kubernetes gives a container that sets none: `Always` when
 * the image's tag is `latest`, written or implied (no tag and no digest);
 * `IfNotPresent` otherwise, including for references it cannot parse.
 */
export function defaultPullPolicy(image: unknown): "Always" | "IfNotPresent" {
  const reference = typeof image === "string" ? parseImageReference(image) : undefined;
  if (!reference) return "IfNotPresent";
  const tag = reference.tag ?? (reference.digest ? "" : "latest");
  return tag === "latest" ? "Always" : "IfNotPresent";
}
