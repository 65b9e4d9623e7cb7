import {
  type AgentActionRequest,
  type AgentActionResult,
  AgentAnnotations,
  type ComponentDefinition,
  type LifecycleAction,
} from "@atoll/api";
import { type KubeObject, R } from "@atoll/kube";
import type { MemberInformers } from "./member-informers.ts";

/**
 * Runs a lifecycle action in a replica through the member's agent: the
 * request is written on the pod, the agent answers on the pod, and the
 * answer's arrival re-queues the instance. Returns the result once the agent
 * has answered this request's id; undefined while it has not (the request is
 * written once).
 */
export async function runAction(
  member: MemberInformers,
  pod: KubeObject,
  request: AgentActionRequest,
): Promise<AgentActionResult | undefined> {
  const annotations = pod.metadata.annotations ?? {};
  const result = parseJson<AgentActionResult>(annotations[AgentAnnotations.actionResult]);
  if (result?.id === request.id) return result;
  const pending = parseJson<AgentActionRequest>(annotations[AgentAnnotations.actionRequest]);
  if (pending?.id === request.id) return undefined;
  await member.client.patch(R.pods, pod.metadata.namespace, pod.metadata.name ?? "", "merge", {
    metadata: { annotations: { [AgentAnnotations.actionRequest]: JSON.stringify(request) } },
  });
  return undefined;
}

/** A definition's action as an agent command: KubeBlocks 0.9 wraps most in `customHandler`, switchover's not. */
export function actionCommand(
  action: LifecycleAction | undefined,
): Pick<AgentActionRequest, "command" | "container" | "timeoutSeconds"> | undefined {
  const command = action?.exec?.command;
  if (!action || !Array.isArray(command) || command.length === 0) return undefined;
  return {
    command: [...command, ...(action.exec?.args ?? [])],
    ...(action.container ? { container: action.container } : {}),
    ...(action.timeoutSeconds ? { timeoutSeconds: action.timeoutSeconds } : {}),
  };
}

/** The definition's memberLeave action, if it has one. */
export function memberLeaveAction(definition: ComponentDefinition): ReturnType<typeof actionCommand> {
  return actionCommand(definition.spec.lifecycleActions?.memberLeave?.customHandler);
}

/** The definition's switchover action for a request with or without a candidate. */
export function switchoverAction(
  definition: ComponentDefinition,
  withCandidate: boolean,
): ReturnType<typeof actionCommand> {
  const switchover = definition.spec.lifecycleActions?.switchover;
  return actionCommand(
    withCandidate
      ? (switchover?.withCandidate ?? switchover?.withoutCandidate)
      : switchover?.withoutCandidate,
  );
}

export function parseJson<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
