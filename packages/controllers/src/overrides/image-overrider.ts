import type { KubeObject } from "@atoll/kube";
import {
  formatImageReference,
  type ImageReference,
  isDigest,
  isTag,
  parseImageReference,
} from "./image-reference.ts";
import { getAt, replaceAt } from "./json-pointer.ts";
import { OverrideError, OverrideFailure } from "./override-error.ts";
import type { ImageOverrider } from "./types.ts";
import { workloadContainers } from "./workload-containers.ts";

/**
 * Applies one imageOverrider to `object` in place. Without a predicate it
 * rewrites the image of every container and initContainer of a built-in
 * workload (other kinds are left alone); with `predicate.path` it rewrites the
 * one string there, which must exist. Throws OverrideError on a bad
 * component/operator/value, a missing predicate path, an image that does not
 * parse, or a result that is not a valid reference.
 */
export function applyImageOverrider(object: KubeObject, overrider: ImageOverrider): void {
  validate(overrider);
  if (overrider.predicate) {
    const path = overrider.predicate.path;
    const image = getAt(object, path);
    if (typeof image !== "string") {
      throw new OverrideError(
        OverrideFailure.PathNotFound,
        image === undefined
          ? `predicate path ${path} does not exist`
          : `predicate path ${path} is not a string`,
      );
    }
    replaceAt(object, path, overrideImage(image, overrider));
    return;
  }
  for (const { container, pointer } of workloadContainers(object)) {
    if (container.image === undefined) continue;
    if (typeof container.image !== "string") {
      throw new OverrideError(OverrideFailure.InvalidImage, `${pointer}/image is not a string`);
    }
    container.image = overrideImage(container.image, overrider);
  }
}

/**
 * The image after one overrider, as Karmada's image override: add appends the
 * value to the component's text, replace sets it, remove clears it. For Tag,
 * the component is the tag (or the digest when there is no tag), and a value
 * shaped like a digest sets the digest and drops the tag, and vice versa.
 */
export function overrideImage(image: string, overrider: ImageOverrider): string {
  const reference = parseImageReference(image);
  if (!reference)
    throw new OverrideError(
      OverrideFailure.InvalidImage,
      `${JSON.stringify(image)} is not a valid image reference`,
    );
  const value = overrider.value ?? "";
  const next: ImageReference = { ...reference };
  switch (overrider.component) {
    case "Registry":
      if (overrider.operator === "remove") delete next.registry;
      else next.registry = overrider.operator === "add" ? (reference.registry ?? "") + value : value;
      break;
    case "Repository":
      if (overrider.operator === "remove") {
        throw new OverrideError(
          OverrideFailure.InvalidOverrider,
          "removing the Repository component would leave no image name",
        );
      }
      next.repository = overrider.operator === "add" ? reference.repository + value : value;
      break;
    case "Tag":
      if (overrider.operator === "remove") {
        if (next.tag) delete next.tag;
        else delete next.digest;
      } else {
        setTagOrDigest(
          next,
          overrider.operator === "add" ? (reference.tag ?? reference.digest ?? "") + value : value,
        );
      }
      break;
  }
  const result = formatImageReference(next);
  if (!parseImageReference(result)) {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `${overrider.operator} ${overrider.component} ${JSON.stringify(value)} turns ${JSON.stringify(image)} into ${JSON.stringify(result)}, not a valid image reference`,
    );
  }
  return result;
}

function setTagOrDigest(reference: ImageReference, value: string): void {
  if (isTag(value)) {
    reference.tag = value;
    delete reference.digest;
  } else if (isDigest(value)) {
    reference.digest = value;
    delete reference.tag;
  } else {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `${JSON.stringify(value)} is neither a tag nor a digest`,
    );
  }
}

function validate(overrider: ImageOverrider): void {
  const { component, operator, value } = overrider;
  if (component !== "Registry" && component !== "Repository" && component !== "Tag") {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `image component ${JSON.stringify(component)} is not one of Registry, Repository, Tag`,
    );
  }
  if (operator !== "add" && operator !== "remove" && operator !== "replace") {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `image operator ${JSON.stringify(operator)} is not one of add, remove, replace`,
    );
  }
  if (operator !== "remove" && !value) {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `image operator ${operator} needs a non-empty value`,
    );
  }
  if (overrider.predicate && !overrider.predicate.path.startsWith("/")) {
    throw new OverrideError(
      OverrideFailure.InvalidOverrider,
      `predicate path ${JSON.stringify(overrider.predicate.path)} must start with /`,
    );
  }
}
