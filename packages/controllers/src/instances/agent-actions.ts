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

/** Where a retried action stands: its result once an attempt succeeded; the last failure while it is retried. */
export type RetriedAction = { succeeded?: AgentActionResult; lastFailure?: AgentActionResult };

/**
 * Runs an action until an attempt exits 0: a failed attempt (an engine that
 * refuses for now — etcd will not remove a member until the cluster has
 * been healthy for a few seconds) is run again as `<id>~<n>` once
 * `retryAfterMs` has passed since it finished.
 */
export async function runRetriedAction(
  member: MemberInformers,
  pod: KubeObject,
  request: AgentActionRequest,
  options: { retryAfterMs?: number; now?: number } = {},
): Promise<RetriedAction> {
  const annotations = pod.metadata.annotations ?? {};
  const ids = [
    parseJson<AgentActionRequest>(annotations[AgentAnnotations.actionRequest])?.id,
    parseJson<AgentActionResult>(annotations[AgentAnnotations.actionResult])?.id,
  ];
  const attempt = Math.max(1, ...ids.map((id) => attemptOf(id, request.id)));
  const id = attempt === 1 ? request.id : `${request.id}~${attempt}`;
  const result = await runAction(member, pod, { ...request, id });
  if (!result) return {};
  if (result.exitCode === 0) return { succeeded: result };
  const finished = Date.parse(result.finishedAt);
  const now = options.now ?? Date.now();
  if (Number.isFinite(finished) && now - finished >= (options.retryAfterMs ?? 2000)) {
    await runAction(member, pod, { ...request, id: `${request.id}~${attempt + 1}` });
  }
  return { lastFailure: result };
}

/** Which attempt of `base` an action id is (1 for `base` itself, n for `base~n`), 0 when it is another action's. */
function attemptOf(id: string | undefined, base: string): number {
  if (id === base) return 1;
  if (!id?.startsWith(`${base}~`)) return 0;
  const n = Number(id.slice(base.length + 1));
  return Number.isInteger(n) && n > 1 ? n : 0;
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
