import type { KubeObject } from "@atoll/kube";
import {
  anyValue,
  customResourceDefinition,
  entry,
  list,
  object,
  oneOf,
  type Schema,
  string,
  stringMap,
} from "./crd-schema.ts";
import { CLUSTER_OVERRIDE_POLICIES, OVERRIDE_POLICIES } from "./override-policy.ts";
import { clusterAffinity, resourceSelectors } from "./placement-schema.ts";

const operator = (description: string): Schema => oneOf(["add", "remove", "replace"], description);

const valueUnlessRemove = {
  rule: "self.operator == 'remove' || has(self.value)",
  message: "value is required unless operator is remove",
};

const imageOverrider = list(
  "Changes a part of container images, read as [registry/]repository[:tag|@digest].",
  entry(
    {
      predicate: object(
        "Only the image at path. Without it: every container and init container image of Pods, and of " +
          "the pod template of workloads.",
        { path: string("A JSON pointer to an image string, e.g. /spec/template/spec/containers/0/image.") },
        { required: ["path"] },
      ),
      component: oneOf(["Registry", "Repository", "Tag"], "The part of the image to change."),
      operator: operator("add, remove or replace the component."),
      value: string("The new component; required unless operator is remove."),
    },
    { required: ["component", "operator"], "x-kubernetes-validations": [valueUnlessRemove] },
  ),
);

const commandArgs = (what: string): Schema =>
  list(
    `Changes a container's ${what}.`,
    entry(
      {
        containerName: string("The container (or init container) to change."),
        operator: oneOf(
          ["add", "remove"],
          `add appends value to the ${what}; remove deletes items equal to one in value.`,
        ),
        value: list("The items to append or delete.", { type: "string" }),
      },
      { required: ["containerName", "operator"] },
    ),
  );

const metadataMap = (what: string): Schema =>
  list(
    `Changes metadata.${what}.`,
    entry(
      {
        operator: operator(`add or replace these ${what}, or remove these keys.`),
        value: stringMap(`The ${what}; for remove only the keys count.`),
      },
      { required: ["operator"] },
    ),
  );

const plaintext = list(
  "JSON-patch operations on the object, applied last.",
  entry(
    {
      path: string("A JSON pointer, e.g. /spec/replicas or /metadata/labels/tier.", { minLength: 1 }),
      operator: operator("The JSON-patch operation."),
      value: anyValue("The value to add or replace with; ignored for remove."),
    },
    { required: ["path", "operator"], "x-kubernetes-validations": [valueUnlessRemove] },
  ),
);

const overrideSpec = object("Which resource templates to change, in which members, and how.", {
  resourceSelectors: resourceSelectors(
    "The resource templates the rules apply to; absent means every template in the policy's scope.",
  ),
  overrideRules: list(
    "Rules applied in order, each to the members in its targetCluster.",
    entry(
      {
        targetCluster: clusterAffinity("The members the rule applies to; absent means every member."),
        overriders: object(
          "The changes, applied in this order whatever their order here: image, command, args, labels, " +
            "annotations, plaintext.",
          {
            imageOverrider,
            commandOverrider: commandArgs("command"),
            argsOverrider: commandArgs("args"),
            labelsOverrider: metadataMap("labels"),
            annotationsOverrider: metadataMap("annotations"),
            plaintext,
          },
        ),
      },
      { required: ["overriders"] },
    ),
  ),
});

/** The CRD of OverridePolicy (namespaced, short name op): per-member changes to templates of its namespace. */
export function overridePolicyCrd(): KubeObject {
  return customResourceDefinition(OVERRIDE_POLICIES, {
    shortNames: ["op"],
    description: "Changes resource templates of its namespace per member cluster as they are propagated.",
    spec: overrideSpec,
  });
}

/** The CRD of ClusterOverridePolicy (cluster-scoped, short name cop); applied before namespaced OverridePolicies. */
export function clusterOverridePolicyCrd(): KubeObject {
  return customResourceDefinition(CLUSTER_OVERRIDE_POLICIES, {
    shortNames: ["cop"],
    description:
      "Changes resource templates in any namespace, and cluster-scoped ones, per member cluster as they are " +
      "propagated. Applied before the OverridePolicies of the template's namespace.",
    spec: overrideSpec,
  });
}
