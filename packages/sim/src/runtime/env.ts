import type { Container } from "kubernetes-types/core/v1.js";
import { RuntimeError } from "./errors.ts";
import { expandWith } from "./expansion.ts";
import { containerResourceValue, type DownwardContext, podFieldValue } from "./field-ref.ts";
import type { PodObjects } from "./pod-objects.ts";

/** A container's environment, in definition order, and the envFrom keys skipped as invalid names. */
export type ContainerEnv = { env: Map<string, string>; invalidKeys: string[] };

/**
 * Resolves a container's environment as the kubelet does: `envFrom` first
 * (ConfigMap/Secret `data` keys, with `prefix`; keys that are not valid
 * variable names are skipped and reported), then `env` in order, each
 * `value` `$(VAR)`-expanded against the variables defined so far, `valueFrom`
 * taken literally (fieldRef, resourceFieldRef, configMapKeyRef,
 * secretKeyRef). A missing object or key is an error unless `optional`, in
 * which case the variable is left out. Service link variables are not made.
 */
export async function containerEnv(
  container: Container,
  objects: PodObjects,
  downward: DownwardContext,
): Promise<ContainerEnv> {
  const env = new Map<string, string>();
  const invalidKeys: string[] = [];
  const ns = objects.namespace;
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? "";
    const ref = source.configMapRef ?? source.secretRef;
    if (ref === undefined) continue;
    const kind = source.configMapRef !== undefined ? "configmap" : "secret";
    const name = ref.name ?? "";
    const data = kind === "configmap" ? await objects.configMap(name) : await objects.secret(name);
    if (data === undefined) {
      if (ref.optional === true) continue;
      throw configError(`${kind} "${name}" not found`);
    }
    for (const [key, value] of data.strings) {
      const variable = prefix + key;
      if (!isEnvVarName(variable)) invalidKeys.push(variable);
      else env.set(variable, value);
    }
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (from === undefined || (variable.value !== undefined && variable.value !== "")) {
      env.set(variable.name, expandWith(variable.value ?? "", env));
      continue;
    }
    if (from.fieldRef !== undefined) {
      env.set(
        variable.name,
        guarded(() => podFieldValue(from.fieldRef?.fieldPath ?? "", downward)),
      );
    } else if (from.resourceFieldRef !== undefined) {
      const selector = from.resourceFieldRef;
      env.set(
        variable.name,
        guarded(() => containerResourceValue(selector, container, downward.allocatable)),
      );
    } else if (from.configMapKeyRef !== undefined || from.secretKeyRef !== undefined) {
      const ref = from.configMapKeyRef ?? from.secretKeyRef;
      const isConfigMap = from.configMapKeyRef !== undefined;
      const name = ref?.name ?? "";
      const data = isConfigMap ? await objects.configMap(name) : await objects.secret(name);
      const optional = ref?.optional === true;
      if (data === undefined) {
        if (optional) continue;
        throw configError(`${isConfigMap ? "configmap" : "secret"} "${name}" not found`);
      }
      const value = data.strings.get(ref?.key ?? "");
      if (value === undefined) {
        if (optional) continue;
        throw configError(
          `couldn't find key ${ref?.key} in ${isConfigMap ? "ConfigMap" : "Secret"} ${ns}/${name}`,
        );
      }
      env.set(variable.name, value);
    }
  }
  return { env, invalidKeys };
}

/**
 * Kubernetes' relaxed environment variable name rule (the 1.32 default):
 * printable ASCII other than `=`.
 */
export function isEnvVarName(name: string): boolean {
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(name);
}

function guarded(compute: () => string): string {
  try {
    return compute();
  } catch (error) {
    throw configError(error instanceof Error ? error.message : String(error), error);
  }
}

function configError(message: string, cause?: unknown): RuntimeError {
  return new RuntimeError("CreateContainerConfigError", message, { cause });
}
