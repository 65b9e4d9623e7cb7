import {
  type Cluster,
  type ComponentDefinition,
  InstanceOperationAnnotations,
  KubeBlocksLabels,
  type ReplicaStatus,
  type RestartRequest,
  type SwitchoverRequest,
  type SwitchoverResult,
} from "@atoll/api";
import { type KubeObject, R } from "@atoll/kube";
import {
  memberLeaveAction,
  parseJson,
  runAction,
  runRetriedAction,
  switchoverAction,
} from "./agent-actions.ts";
import { InstanceAnnotations, podName } from "./instance-names.ts";
import type { ReplicaReading } from "./instance-status.ts";
import { INSTANCE_KINDS, type MemberInformers } from "./member-informers.ts";
import { type MemberObject, replicaObjects, templateDigest } from "./member-objects.ts";
import { applyObject, deleteObject, ensureNamespace, messageOf } from "./member-writes.ts";
import type { Departure, ReplicaPlacement } from "./placement.ts";
import { resolveVars, type VarLookup } from "./vars.ts";

/** A member as a sync sees it: writable (with its informers), or why not. */
export type MemberAccess = { informers: MemberInformers; namespaces: Set<string> } | { closed: string };

export type SyncInput = {
  cluster: Cluster;
  placement: ReplicaPlacement;
  definition(name: string): ComponentDefinition | undefined;
  access(member: string): MemberAccess;
  /** Members that get every `mirror` pod service. */
  mirrorMembers: readonly string[];
  /** Every member that may hold objects of the instance (where leftovers are looked for). */
  allMembers: readonly string[];
  fieldManager: string;
  /** Replicas to move to another member (at most one per component at a time). */
  moves?: readonly Move[];
};

/** A replica moving from one member to another. */
export type Move = Departure & { to: string };

export type SyncOutcome = {
  /** Component name → what was seen of each replica, by ordinal. */
  readings: Record<string, ReplicaReading[]>;
  /** Components whose definition declares roles: a replica of one is available only once it has a role. */
  roleful: Set<string>;
  /** Components stopped (`componentSpecs[].stop`): no pods, PVCs and services kept. */
  stopped: Set<string>;
  /** Component names whose ComponentDefinition does not exist, with the definition's name. */
  missingDefinitions: string[];
  failures: string[];
  /** A switchover request that has just finished, to record on the Cluster. */
  switchover?: SwitchoverResult;
  /** Moves whose replica has left its engine (memberLeave ran on a peer): the placement may now change. */
  moved: Move[];
  /** Components with scaled-away replicas whose pods are still there (leaving the engine, terminating). */
  leaving: Set<string>;
};

/**
 * Writes what every replica needs into the members that may be written to,
 * rolls replicas whose template changed (one at a time), removes from the
 * members what the instance no longer has (replicas scaled away — after the
 * definition's memberLeave ran on a peer — stopped pods, dropped pod
 * services), runs a requested switchover, and reports what it saw of each
 * replica.
 */
export async function syncInstance(input: SyncInput): Promise<SyncOutcome> {
  const { cluster, placement } = input;
  const name = cluster.metadata.name ?? "";
  const namespace = cluster.metadata.namespace ?? "default";
  const desired = new Map<string, MemberObject[]>();
  const add = (member: string, objects: MemberObject[]) => {
    if (member) desired.set(member, [...(desired.get(member) ?? []), ...objects]);
  };
  // Objects kept where they are but not (re)sent: a replica's existing pod while its vars cannot be resolved.
  const kept = new Map<string, Set<string>>();
  const keep = (member: string, object: MemberObject) => {
    const own = kept.get(member) ?? new Set<string>();
    kept.set(member, own);
    own.add(`${object.resource.resource}/${object.name}`);
  };
  const open = (member: string) => {
    const access = member ? input.access(member) : undefined;
    return access && !("closed" in access) ? access : undefined;
  };
  const lookup: VarLookup = {
    service: (member, ns, service) => open(member)?.informers.get(R.services, ns, service),
    nodeAddress: (member) => open(member)?.informers.nodeAddress(),
  };
  const readings: SyncOutcome["readings"] = {};
  const missingDefinitions: string[] = [];
  const roleful = new Set<string>();
  const stopped = new Set<string>();
  const restarts =
    parseJson<RestartRequest>(cluster.metadata.annotations?.[InstanceOperationAnnotations.restart]) ?? {};
  const previous = new Map<string, ReplicaStatus>(
    Object.values(cluster.status?.components ?? {}).flatMap((c) =>
      (c.replicas ?? []).map((r) => [r.podName, r] as const),
    ),
  );
  for (const component of cluster.spec.componentSpecs ?? []) {
    const definition = input.definition(component.componentDef);
    if (!definition) missingDefinitions.push(`${component.name} (${component.componentDef})`);
    if (definition?.spec.roles?.length) roleful.add(component.name);
    if (component.stop === true) stopped.add(component.name);
    const members = placement[component.name] ?? [];
    const vars = definition
      ? resolveVars({
          cluster,
          component,
          definition,
          definitionOf: (c) => input.definition(c.componentDef),
          placement,
          lookup,
        })
      : undefined;
    const template = definition ? templateDigest(definition, component, restarts[component.name]) : "";
    readings[component.name] = members.map((member, ordinal) => {
      const pod = podName(name, component.name, ordinal);
      const objects =
        definition && vars
          ? replicaObjects(
              cluster,
              component,
              definition,
              ordinal,
              { env: vars.env, hostAliases: vars.hostAliases(member) },
              template,
            )
          : undefined;
      const access = member ? input.access(member) : undefined;
      const live = open(member)?.informers.get(R.pods, namespace, pod);
      const held = vars !== undefined && vars.waiting.length > 0 && !live;
      const stop = stopped.has(component.name);
      if (objects) {
        add(member, [...objects.claims, ...(held || stop ? [] : [objects.pod]), ...objects.services]);
        if (held) keep(member, objects.pod);
        for (const mirror of new Set([member, ...input.mirrorMembers])) add(mirror, objects.mirrored);
      }
      const reading: ReplicaReading = {
        podName: pod,
        member,
        services: [],
        previous: previous.get(pod),
        stopped: stop,
      };
      if (access && "closed" in access) return { ...reading, unreachable: access.closed };
      if (!access) return reading;
      if (held) return { ...reading, waiting: `waiting for vars: ${vars?.waiting.join("; ")}` };
      const own = [...(objects?.services ?? []), ...(objects?.mirrored ?? [])];
      return {
        ...reading,
        pod: live,
        upToDate:
          live !== undefined && live.metadata.annotations?.[InstanceAnnotations.templateDigest] === template,
        services: own
          .map((s) => access.informers.get(s.resource, s.namespace, s.name))
          .filter((s): s is KubeObject => s !== undefined),
      };
    });
  }
  const failures: string[] = [];
  const fail = (error: unknown) => failures.push(messageOf(error));
  const leaving = new Set<string>();
  for (const [member, objects] of desired) {
    const access = open(member);
    if (!access) continue;
    try {
      await ensureNamespace(access.informers, access.namespaces, namespace);
    } catch (error) {
      failures.push(`failed to create namespace ${namespace} in member ${member}: ${messageOf(error)}`);
      continue;
    }
    for (const object of objects) await applyObject(access.informers, object, input.fieldManager).catch(fail);
  }
  for (const [component, replicas] of Object.entries(readings)) {
    if (stopped.has(component)) continue;
    const next = nextToRoll(replicas, roleful.has(component));
    const access = next ? open(next.member) : undefined;
    if (next?.pod && access) await deleteObject(access.informers, R.pods, next.pod).catch(fail);
  }
  // Without every definition the desired set is incomplete: removing "leftovers" then would remove live replicas.
  if (missingDefinitions.length === 0) {
    for (const member of input.allMembers) {
      const access = open(member);
      if (!access?.informers.synced) continue;
      const wanted = new Set([
        ...(desired.get(member) ?? []).map((o) => `${o.resource.resource}/${o.name}`),
        ...(kept.get(member) ?? []),
      ]);
      for (const kind of INSTANCE_KINDS) {
        for (const live of access.informers.objectsOf(kind, namespace, name)) {
          if (wanted.has(`${kind.resource}/${live.metadata.name}`)) continue;
          if (kind === R.pods) {
            const component = scaledAway(cluster, live);
            if (component) leaving.add(component);
            const left = await leaveFirst({
              cluster,
              live,
              readings,
              roleful,
              definition: input.definition,
              open,
            });
            if (left !== true) {
              if (left) failures.push(left);
              continue;
            }
          }
          await deleteObject(access.informers, kind, live).catch(fail);
        }
      }
    }
  }
  const switchover = await runSwitchover({ cluster, readings, definition: input.definition, open }).catch(
    (e) => {
      fail(e);
      return undefined;
    },
  );
  const moved: Move[] = [];
  for (const move of input.moves ?? []) {
    const left = await leaveBeforeMove({
      cluster,
      move,
      readings,
      roleful,
      definition: input.definition,
      open,
    }).catch((e) => messageOf(e));
    if (left === true) moved.push(move);
    else if (left) failures.push(left);
  }
  return {
    readings,
    roleful,
    stopped,
    missingDefinitions,
    failures,
    moved,
    leaving,
    ...(switchover ? { switchover } : {}),
  };
}

/**
 * Before a replica moves to another member, where it starts with no data:
 * the engine forgets the old copy, so the new one can join as a new member.
 */
function leaveBeforeMove(options: EngineContext & { move: Move }): Promise<true | string | undefined> {
  const { cluster, move } = options;
  return leaveEngine({
    ...options,
    component: move.component,
    leaving: podName(cluster.metadata.name ?? "", move.component, move.ordinal),
    stays: (_, ordinal) => ordinal !== move.ordinal,
    id: `move-${cluster.metadata.uid}-${move.component}-${move.ordinal}-${move.from}-${move.to}`,
  });
}

/** What running an engine action needs: the Cluster, what was seen of its replicas, and the members. */
type EngineContext = {
  cluster: Cluster;
  readings: SyncOutcome["readings"];
  roleful: Set<string>;
  definition(name: string): ComponentDefinition | undefined;
  open: Open;
};

/**
 * Runs the definition's memberLeave for `leaving` on an available replica
 * that `stays` (retried until the engine agrees). True when the replica may
 * go (or the definition has no memberLeave); undefined while the action
 * runs; a message when it cannot run yet or failed and will be retried.
 */
async function leaveEngine(
  options: EngineContext & {
    component: string;
    leaving: string;
    stays: (replica: ReplicaReading, ordinal: number) => boolean;
    id: string;
  },
): Promise<true | string | undefined> {
  const component = options.cluster.spec.componentSpecs?.find((c) => c.name === options.component);
  const definition = component ? options.definition(component.componentDef) : undefined;
  const action = definition ? memberLeaveAction(definition) : undefined;
  if (!action) return true;
  const stays = (options.readings[options.component] ?? []).find(
    (r, ordinal) => options.stays(r, ordinal) && available(r, options.roleful.has(options.component)),
  );
  const access = stays ? options.open(stays.member) : undefined;
  if (!stays?.pod || !access)
    return `memberLeave of ${options.leaving} waits for a replica that stays to be available`;
  const { succeeded, lastFailure } = await runRetriedAction(access.informers, stays.pod, {
    id: options.id,
    ...action,
    env: { KB_LEAVE_MEMBER_POD_NAME: options.leaving },
  });
  if (succeeded) return true;
  if (!lastFailure) return undefined;
  return `memberLeave of ${options.leaving} failed on ${stays.podName} (exit ${lastFailure.exitCode}), retrying: ${lastFailure.output.slice(-300)}`;
}

type Open = (member: string) => { informers: MemberInformers; namespaces: Set<string> } | undefined;

const available = (r: ReplicaReading, needsRole: boolean) =>
  r.pod !== undefined &&
  !r.pod.metadata.deletionTimestamp &&
  isReady(r.pod) &&
  (!needsRole || r.pod.metadata.labels?.[KubeBlocksLabels.role] !== undefined);

/**
 * The replica to re-create next in a roll: none while any replica of the
 * component is unavailable (a roll never takes down two at once); else an
 * out-of-date follower, and the leader (a writable role) last.
 */
export function nextToRoll(
  replicas: readonly ReplicaReading[],
  needsRole: boolean,
): ReplicaReading | undefined {
  if (replicas.some((r) => r.unreachable !== undefined || !available(r, needsRole))) return undefined;
  const outdated = replicas.filter((r) => r.upToDate === false);
  const isLeader = (r: ReplicaReading) => r.pod?.metadata.labels?.[KubeBlocksLabels.role] === "leader";
  return outdated.find((r) => !isLeader(r)) ?? outdated[0];
}

/**
 * Before a scaled-away replica's pod goes, the engine forgets it (a
 * stopped or rolled replica comes back as the same member: it just goes).
 */
function leaveFirst(options: EngineContext & { live: KubeObject }): Promise<true | string | undefined> {
  const { cluster, live } = options;
  const component = scaledAway(cluster, live);
  if (!component) return Promise.resolve(true);
  return leaveEngine({
    ...options,
    component,
    leaving: live.metadata.name ?? "",
    stays: () => true,
    id: `leave-${live.metadata.uid}`,
  });
}

/** Runs the switchover the Cluster asks for, on the component's leader; its result once the agent answered. */
async function runSwitchover(options: {
  cluster: Cluster;
  readings: SyncOutcome["readings"];
  definition(name: string): ComponentDefinition | undefined;
  open: Open;
}): Promise<SwitchoverResult | undefined> {
  const annotations = options.cluster.metadata.annotations ?? {};
  const request = parseJson<SwitchoverRequest>(annotations[InstanceOperationAnnotations.switchover]);
  const done = parseJson<SwitchoverResult>(annotations[InstanceOperationAnnotations.switchoverResult]);
  if (!request?.id || done?.id === request.id) return undefined;
  const finish = (succeeded: boolean, message: string, ranOn?: string): SwitchoverResult => ({
    id: request.id,
    succeeded,
    ...(ranOn ? { ranOn } : {}),
    message,
    finishedAt: new Date().toISOString(),
  });
  const component = options.cluster.spec.componentSpecs?.find((c) => c.name === request.component);
  const definition = component ? options.definition(component.componentDef) : undefined;
  if (!component || !definition) return finish(false, `component ${request.component} not found`);
  const candidate = request.candidate && request.candidate !== "*" ? request.candidate : undefined;
  const replicas = options.readings[component.name] ?? [];
  if (candidate && !replicas.some((r) => r.podName === candidate)) {
    return finish(false, `${candidate} is not a replica of component ${component.name}`);
  }
  const action = switchoverAction(definition, candidate !== undefined);
  if (!action)
    return finish(false, `ComponentDefinition ${definition.metadata.name} has no switchover action`);
  const leader = replicas.find((r) => r.pod?.metadata.labels?.[KubeBlocksLabels.role] === "leader");
  if (candidate && leader?.podName === candidate)
    return finish(true, `${candidate} is the leader already`, candidate);
  const access = leader ? options.open(leader.member) : undefined;
  if (!leader?.pod || !access) return undefined; // no leader to hand over from yet: wait for one
  const result = await runAction(access.informers, leader.pod, {
    id: `switchover-${request.id}`,
    ...action,
    env: {
      KB_SWITCHOVER_CANDIDATE_NAME: candidate ?? "",
      KB_SWITCHOVER_CURRENT_NAME: leader.podName,
    },
  });
  if (!result) return undefined;
  return finish(
    result.exitCode === 0,
    result.output.trim().slice(-500) || `exit ${result.exitCode}`,
    leader.podName,
  );
}

/** The component a pod belongs to when it is a replica the component was scaled down past (not stopped). */
function scaledAway(cluster: Cluster, pod: KubeObject): string | undefined {
  const name = pod.metadata.labels?.[KubeBlocksLabels.componentName] ?? "";
  const component = cluster.spec.componentSpecs?.find((c) => c.name === name);
  const ordinal = Number((pod.metadata.name ?? "").split("-").pop());
  if (!component || component.stop === true || !(ordinal >= (component.replicas ?? 1))) return undefined;
  return component.name;
}

function isReady(pod: KubeObject): boolean {
  const status = pod.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined;
  return status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}
