import type { Condition, MemberCluster, MemberClusterStatus } from "@atoll/api";
import { jsonEqual } from "@atoll/kube";
import type { MemberConnection } from "./connection.ts";
import type { MemberRuntime } from "./member-runtime.ts";

const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
/** Probe timings are refreshed in status at most this often when nothing else changes. */
const PROBE_REFRESH_MS = 30_000;

/** A condition with its transition time kept when the status did not change. */
export function condition(
  previous: Condition | undefined,
  next: Omit<Condition, "lastTransitionTime">,
  now: Date,
): Condition {
  const time =
    previous && previous.status === next.status
      ? previous.lastTransitionTime
      : now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return { ...next, lastTransitionTime: time };
}

type Discovery = { version: string; apiEnablements: NonNullable<MemberClusterStatus["apiEnablements"]> };

/** The member's Kubernetes version and served APIs (aggregated discovery, in two requests). */
export async function discoverApis(connection: MemberConnection): Promise<Discovery> {
  const version = JSON.parse((await connection.get("/version")).body) as { gitVersion?: string };
  const apiEnablements: Discovery["apiEnablements"] = [];
  for (const path of ["/api", "/apis"]) {
    const answer = await connection.get(path, { accept: AGGREGATED });
    const doc = JSON.parse(answer.body) as {
      kind?: string;
      items?: Array<{
        metadata?: { name?: string };
        versions: Array<{
          version: string;
          resources: Array<{ resource: string; responseKind?: { kind: string } }>;
        }>;
      }>;
    };
    if (doc.kind !== "APIGroupDiscoveryList") continue;
    for (const group of doc.items ?? []) {
      for (const v of group.versions) {
        const groupVersion = group.metadata?.name ? `${group.metadata.name}/${v.version}` : v.version;
        apiEnablements.push({
          groupVersion,
          resources: v.resources.map((r) => ({ name: r.resource, kind: r.responseKind?.kind ?? "" })),
        });
      }
    }
  }
  return { version: version.gitVersion ?? "", apiEnablements };
}

/** The status to write, or undefined when nothing worth a write changed. */
export function statusPatch(
  mc: MemberCluster,
  conditions: Condition[],
  entry: { runtime: MemberRuntime; apis?: unknown; version?: string } | undefined,
  now: Date,
): MemberClusterStatus | undefined {
  const current = mc.status ?? {};
  const next: MemberClusterStatus = { conditions };
  if (entry) {
    const { runtime } = entry;
    next.apiEndpoint = runtime.connection.server;
    if (entry.version) next.kubernetesVersion = entry.version;
    if (entry.apis) next.apiEnablements = entry.apis as MemberClusterStatus["apiEnablements"];
    if (runtime.nodes.hasSynced) next.nodeSummary = runtime.nodeSummary();
    if (runtime.nodes.hasSynced && runtime.pods.hasSynced) next.resourceSummary = runtime.resourceSummary();
  }
  const { probe: _probe, ...currentRest } = current;
  const merged = { ...currentRest, ...next };
  const changed = !jsonEqual(merged, currentRest);
  const lastProbe = current.probe?.lastProbeTime ? Date.parse(current.probe.lastProbeTime) : 0;
  const probeDue = entry !== undefined && now.getTime() - lastProbe >= PROBE_REFRESH_MS;
  if (!changed && !probeDue) return undefined;
  if (entry) {
    const health = entry.runtime.health;
    const iso = (ms: number | undefined) =>
      ms === undefined ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    next.probe = {
      latencyMs: health.latencyMs,
      lastProbeTime: iso(health.lastProbe),
      lastSuccessTime: iso(health.lastSuccess),
    };
  }
  return next;
}
