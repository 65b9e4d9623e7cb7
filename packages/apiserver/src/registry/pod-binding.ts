import { badRequest, conflict } from "../api/errors.ts";
import { isRecord, type KubeObject, rfc3339 } from "../api/object.ts";
import type { ResourceType } from "../resources/resource-type.ts";
import { mutateObject } from "./mutate.ts";
import type { Registry } from "./registry.ts";

/**
 * POST pods/{name}/binding: assigns an unscheduled pod to a node (what a
 * scheduler does), setting spec.nodeName and the PodScheduled condition.
 * A pod already bound is a Conflict.
 */
export async function bindPod(
  registry: Registry,
  pods: ResourceType,
  namespace: string | undefined,
  name: string,
  binding: unknown,
): Promise<KubeObject> {
  const target = isRecord(binding) && isRecord(binding.target) ? binding.target : undefined;
  const nodeName = typeof target?.name === "string" ? target.name : "";
  if (!nodeName) throw badRequest("Binding.target.name is required");
  const ref = { group: "", resource: "pods/binding", name };
  registry.get(pods, namespace, name);
  const result = await mutateObject(
    registry,
    { type: pods, namespace, name },
    (pod) => {
      const spec = isRecord(pod.spec) ? pod.spec : {};
      if (spec.nodeName) {
        throw conflict(ref, `pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
      }
      if (pod.metadata.deletionTimestamp)
        throw conflict(ref, `pod ${name} is being deleted, cannot be assigned to a host`);
      pod.spec = { ...spec, nodeName };
      const status = isRecord(pod.status) ? pod.status : {};
      const conditions = Array.isArray(status.conditions)
        ? status.conditions.filter((c) => isRecord(c) && c.type !== "PodScheduled")
        : [];
      conditions.push({
        type: "PodScheduled",
        status: "True",
        lastProbeTime: null,
        lastTransitionTime: rfc3339(registry.clock.now()),
      });
      pod.status = { ...status, conditions };
      return true;
    },
    { fieldManager: "atoll-scheduler", subresource: "binding" },
  );
  if (!result) throw conflict(ref, `pod ${name} could not be bound`);
  return result.object;
}
