import { StatusError } from "../api/errors.ts";

/** How a response body is rendered. */
export type ResponseFormat =
  | { as: "json" }
  | { as: "table" }
  | { as: "partial-metadata" }
  | { as: "discovery-v2" };

type MediaRange = { type: string; params: Record<string, string> };

function parseMediaRanges(header: string): MediaRange[] {
  return header
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const [type, ...rawParams] = part.split(";").map((p) => p.trim());
      const params: Record<string, string> = {};
      for (const raw of rawParams) {
        const eq = raw.indexOf("=");
        if (eq > 0)
          params[raw.slice(0, eq).trim().toLowerCase()] = raw
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, "");
      }
      return { type: type.toLowerCase(), params };
    });
}

/**
 * Picks the first acceptable rendering from an Accept header, as kube-apiserver
 * does: plain JSON, meta.k8s.io Tables and PartialObjectMetadata, aggregated
 * discovery. Protobuf and other types are skipped; if nothing is left, 406.
 */
export function negotiate(accept: string | undefined, options: { discovery?: boolean } = {}): ResponseFormat {
  if (!accept) return { as: "json" };
  for (const range of parseMediaRanges(accept)) {
    const { type, params } = range;
    const json = type === "application/json" || type === "*/*" || type === "application/*";
    if (!json) continue;
    if (params.as === undefined) return { as: "json" };
    if (
      params.as === "Table" &&
      params.g === "meta.k8s.io" &&
      (params.v === "v1" || params.v === "v1beta1")
    ) {
      return { as: "table" };
    }
    if (
      (params.as === "PartialObjectMetadata" || params.as === "PartialObjectMetadataList") &&
      params.g === "meta.k8s.io" &&
      (params.v === "v1" || params.v === "v1beta1")
    ) {
      return { as: "partial-metadata" };
    }
    if (
      options.discovery &&
      params.as === "APIGroupDiscoveryList" &&
      params.g === "apidiscovery.k8s.io" &&
      params.v === "v2"
    ) {
      return { as: "discovery-v2" };
    }
  }
  throw new StatusError(
    "NotAcceptable",
    `only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io`,
  );
}

/** The media type of a request body, without parameters. */
export function contentTypeOf(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}
