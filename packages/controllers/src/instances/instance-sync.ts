import type { Cluster, ComponentDefinition, ReplicaStatus } from "@atoll/api";
import { type KubeObject, R } from "@atoll/kube";
import { podName } from "./instance-names.ts";
import type { ReplicaReading } from "./instance-status.ts";
import { INSTANCE_KINDS, type MemberInformers } from "./member-informers.ts";
import { type MemberObject, replicaObjects } from "./member-objects.ts";
import { applyObject, deleteObject, ensureNamespace, messageOf } from "./member-writes.ts";
import type { ReplicaPlacement } from "./placement.ts";
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
};

export type SyncOutcome = {
  /** Component name → what was seen of each replica, by ordinal. */
  readings: Record<string, ReplicaReading[]>;
  /** Components whose definition declares roles: a replica of one is available only once it has a role. */
  roleful: Set<string>;
  /** Component names whose ComponentDefinition does not exist, with the definition's name. */
  missingDefinitions: string[];
  failures: string[];
};

/**
 * Writes what every replica needs into the members that may be written to,
 * removes from them what the instance no longer has (replicas scaled away,
 * pod services dropped), and reports what it saw of each replica.
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
  const lookup: VarLookup = {
    service(member, ns, service) {
      const access = input.access(member);
      return "closed" in access ? undefined : access.informers.get(R.services, ns, service);
    },
    nodeAddress(member) {
      const access = input.access(member);
      return "closed" in access ? undefined : access.informers.nodeAddress();
    },
  };
  const readings: SyncOutcome["readings"] = {};
  const missingDefinitions: string[] = [];
  const roleful = new Set<string>();
  const previous = new Map<string, ReplicaStatus>(
    Object.values(cluster.status?.components ?? {}).flatMap((c) =>
      (c.replicas ?? []).map((r) => [r.podName, r] as const),
    ),
  );
  for (const component of cluster.spec.componentSpecs ?? []) {
    const definition = input.definition(component.componentDef);
    if (!definition) missingDefinitions.push(`${component.name} (${component.componentDef})`);
    if (definition?.spec.roles?.length) roleful.add(component.name);
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
    readings[component.name] = members.map((member, ordinal) => {
      const pod = podName(name, component.name, ordinal);
      const objects =
        definition && vars
          ? replicaObjects(cluster, component, definition, ordinal, {
              env: vars.env,
              hostAliases: vars.hostAliases(member),
            })
          : undefined;
      const access = member ? input.access(member) : undefined;
      const open = access && !("closed" in access) ? access : undefined;
      const exists = open && objects ? open.informers.get(R.pods, namespace, pod) !== undefined : false;
      const held = vars !== undefined && vars.waiting.length > 0 && !exists;
      if (objects) {
        add(member, [...objects.claims, ...(held ? [] : [objects.pod]), ...objects.services]);
        if (held) keep(member, objects.pod);
        for (const mirror of new Set([member, ...input.mirrorMembers])) add(mirror, objects.mirrored);
      }
      const reading: ReplicaReading = { podName: pod, member, services: [], previous: previous.get(pod) };
      if (access && "closed" in access) return { ...reading, unreachable: access.closed };
      if (!access) return reading;
      if (held) return { ...reading, waiting: `waiting for vars: ${vars?.waiting.join("; ")}` };
      const own = [...(objects?.services ?? []), ...(objects?.mirrored ?? [])];
      return {
        ...reading,
        pod: access.informers.get(objects?.pod.resource ?? INSTANCE_KINDS[0], namespace, pod),
        services: own
          .map((s) => access.informers.get(s.resource, s.namespace, s.name))
          .filter((s): s is KubeObject => s !== undefined),
      };
    });
  }
  const failures: string[] = [];
  for (const [member, objects] of desired) {
    const access = input.access(member);
    if ("closed" in access) continue;
    try {
      await ensureNamespace(access.informers, access.namespaces, namespace);
    } catch (error) {
      failures.push(`failed to create namespace ${namespace} in member ${member}: ${messageOf(error)}`);
      continue;
    }
    for (const object of objects) {
      await applyObject(access.informers, object, input.fieldManager).catch((e) =>
        failures.push(messageOf(e)),
      );
    }
  }
  // Without every definition the desired set is incomplete: removing "leftovers" then would remove live replicas.
  if (missingDefinitions.length === 0) {
    for (const member of input.allMembers) {
      const access = input.access(member);
      if ("closed" in access || !access.informers.synced) continue;
      const wanted = new Set([
        ...(desired.get(member) ?? []).map((o) => `${o.resource.resource}/${o.name}`),
        ...(kept.get(member) ?? []),
      ]);
      for (const kind of INSTANCE_KINDS) {
        for (const live of access.informers.objectsOf(kind, namespace, name)) {
          if (wanted.has(`${kind.resource}/${live.metadata.name}`)) continue;
          await deleteObject(access.informers, kind, live).catch((e) => failures.push(messageOf(e)));
        }
      }
    }
  }
  return { readings, roleful, missingDefinitions, failures };
}
