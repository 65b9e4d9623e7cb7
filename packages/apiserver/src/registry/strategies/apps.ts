import type { StatusCause } from "../../api/errors.ts";
import { isRecord, jsonEqual, type KubeObject } from "../../api/object.ts";
import { fromLabelSelectorObject, type LabelSelectorObject } from "../../selectors/label-selector.ts";
import type { Strategy } from "../strategy.ts";
import { validatePodSpec } from "./core.ts";

/**
 * Deployments, ReplicaSets, StatefulSets, DaemonSets and Jobs: a selector that
 * must match the pod template's labels, cannot change once set (apps/v1), and
 * a valid pod template.
 */
export function workloadStrategy(options: {
  selectorImmutable: boolean;
  selectorRequired: boolean;
  /** Jobs allow only these pod restart policies. */
  restartPolicies?: readonly string[];
}): Strategy {
  return {
    validate(object, old) {
      const spec = isRecord(object.spec) ? object.spec : {};
      const causes: StatusCause[] = [];
      const template = isRecord(spec.template) ? spec.template : undefined;
      const labels =
        template && isRecord(template.metadata)
          ? (template.metadata.labels as Record<string, string>)
          : undefined;
      if (spec.selector === undefined || spec.selector === null) {
        if (options.selectorRequired)
          causes.push({ reason: "FieldValueRequired", field: "spec.selector", message: "Required value" });
      } else if (isRecord(spec.selector)) {
        const selector = fromLabelSelectorObject(spec.selector as LabelSelectorObject);
        if (selector.empty) {
          causes.push({
            reason: "FieldValueInvalid",
            field: "spec.selector",
            message: "Invalid value: {}: empty selector is invalid for deployment",
          });
        } else if (!selector.matches(labels)) {
          causes.push({
            reason: "FieldValueInvalid",
            field: "spec.template.metadata.labels",
            message: `Invalid value: ${JSON.stringify(labels ?? {})}: \`selector\` does not match template \`labels\``,
          });
        }
      }
      if (!template)
        causes.push({ reason: "FieldValueRequired", field: "spec.template", message: "Required value" });
      else
        causes.push(
          ...validatePodSpec(isRecord(template.spec) ? template.spec : undefined, "spec.template.spec"),
        );
      const templateSpec = template && isRecord(template.spec) ? template.spec : undefined;
      const restartPolicy = typeof templateSpec?.restartPolicy === "string" ? templateSpec.restartPolicy : "";
      if (options.restartPolicies && templateSpec && !options.restartPolicies.includes(restartPolicy)) {
        causes.push({
          reason: restartPolicy ? "FieldValueNotSupported" : "FieldValueRequired",
          field: "spec.template.spec.restartPolicy",
          message: restartPolicy
            ? `Unsupported value: "${restartPolicy}": supported values: ${options.restartPolicies.map((p) => `"${p}"`).join(", ")}`
            : `Required value: valid values: ${options.restartPolicies.map((p) => `"${p}"`).join(", ")}`,
        });
      }
      if (typeof spec.replicas === "number" && spec.replicas < 0) {
        causes.push({
          reason: "FieldValueInvalid",
          field: "spec.replicas",
          message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0`,
        });
      }
      if (old && options.selectorImmutable && !jsonEqual(selectorOf(old), spec.selector)) {
        causes.push({
          reason: "FieldValueInvalid",
          field: "spec.selector",
          message: `Invalid value: ${JSON.stringify(spec.selector)}: field is immutable`,
        });
      }
      return causes;
    },
  };
}

function selectorOf(object: KubeObject): unknown {
  return isRecord(object.spec) ? object.spec.selector : undefined;
}
