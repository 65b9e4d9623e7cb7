/** Helpers for execution tests: Works written straight to the hub, as the binding controller would. */
import { executionNamespace, WORKS, type Work, type WorkSpec } from "@atoll/api";
import type { KubeClient, KubeObject } from "@atoll/kube";
import { R } from "@atoll/kube";
import type { PropagationContext } from "../propagation/context.ts";
import type { TestFleet } from "../testing/fleet.fixture.ts";

const WORK_API_VERSION = `${WORKS.group}/${WORKS.version}`;

/** Creates the hub execution namespaces atoll-es-<member> of every member. */
export async function createExecutionNamespaces(fleet: TestFleet): Promise<void> {
  for (const member of fleet.members) {
    await fleet.hub.create(R.namespaces, undefined, { metadata: { name: executionNamespace(member.name) } });
  }
}

/** A Work for `member` named `name`. */
export function workFor(
  member: string,
  name: string,
  manifests: KubeObject[],
  spec: Omit<WorkSpec, "workload"> = {},
): Work {
  return {
    apiVersion: WORK_API_VERSION,
    kind: "Work",
    metadata: { name, namespace: executionNamespace(member) },
    spec: { workload: { manifests }, ...spec },
  };
}

export async function createWork(fleet: TestFleet, work: Work): Promise<Work> {
  return (await fleet.hub.create(WORKS, work.metadata.namespace, work)) as Work;
}

export async function getWork(fleet: TestFleet, member: string, name: string): Promise<Work | undefined> {
  return (await fleet.hub.get(WORKS, executionNamespace(member), name)) as Work | undefined;
}

export function deployment(namespace: string, name: string, replicas = 2): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

export function configMap(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data };
}

export function service(namespace: string, name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 80 }] },
  };
}

type WriteCounts = {
  hub: number;
  /** Every hub write: method, namespace, name and subresource. */
  hubLog: Array<{ method: string; namespace?: string; name?: string; subresource?: string }>;
  members: Map<string, number>;
};

/**
 * The fleet's propagation context with every write counted: hub writes, and
 * writes to each member through its runtime's connection (so tests can show
 * that a steady state costs none).
 */
export function countingContext(fleet: TestFleet): { context: PropagationContext; writes: WriteCounts } {
  const writes: WriteCounts = { hub: 0, hubLog: [], members: new Map() };
  const wrapped = new WeakMap<object, { connection: { client: KubeClient } }>();
  const members = fleet.context.members;
  const context: PropagationContext = {
    ...fleet.context,
    hub: counting(fleet.hub, (method, args) => {
      writes.hub++;
      const [, namespace, name, , , options] = args as [
        unknown,
        string | undefined,
        unknown,
        unknown,
        unknown,
        { subresource?: string } | undefined,
      ];
      writes.hubLog.push({
        method,
        namespace,
        name: typeof name === "string" ? name : undefined,
        subresource: method === "patch" ? options?.subresource : undefined,
      });
    }),
    members: {
      runtime(name) {
        const runtime = members.runtime(name);
        if (!runtime) return undefined;
        let entry = wrapped.get(runtime.connection);
        if (!entry) {
          const client = counting(runtime.connection.client, () =>
            writes.members.set(name, (writes.members.get(name) ?? 0) + 1),
          );
          entry = { connection: { ...runtime.connection, client } };
          wrapped.set(runtime.connection, entry);
        }
        return entry as unknown as ReturnType<typeof members.runtime>;
      },
    },
  };
  return { context, writes };
}

const WRITES = new Set(["create", "update", "patch", "delete"]);

function counting(client: KubeClient, onWrite: (method: string, args: unknown[]) => void): KubeClient {
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (WRITES.has(String(property))) onWrite(String(property), args);
        return value.apply(target, args);
      };
    },
  });
}
