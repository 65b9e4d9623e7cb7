import { R } from "@atoll/kube";
import type { Service } from "@atoll/sim/network/objects";
import { createPod, until } from "@atoll/sim/network/testing";
import type { NetworkMember } from "./fleet.ts";

/**
 * A Pod labelled `app: <app>` on a node the member's kubelet does not run
 * (so the benchmark owns its status, as the network tests do), Ready, with
 * `ip` and the named container ports the backend process listens on.
 */
export async function createServedPod(
  member: NetworkMember,
  pod: { name: string; app: string; ip: string; ports: Array<{ name: string; containerPort: number }> },
): Promise<void> {
  await createPod(
    member.api,
    { name: pod.name, labels: { app: pod.app }, ip: pod.ip, ready: true, node: "outside" },
    pod.ports,
  );
}

/**
 * A ClusterIP Service selecting `app: <name>`, each port forwarding to the
 * container port of the same name; resolves with its cluster IP once allocated.
 */
export async function createClusterIpService(
  member: NetworkMember,
  service: {
    name: string;
    ports: Array<{ name: string; port: number }>;
    annotations?: Record<string, string>;
  },
): Promise<string> {
  const client = member.api;
  await client.create(R.services, "default", {
    metadata: { name: service.name, annotations: service.annotations ?? {} },
    spec: {
      selector: { app: service.name },
      ports: service.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name })),
    },
  });
  return until(
    `${member.name}/${service.name} has a cluster IP`,
    async () => {
      const found = (await client.get(R.services, "default", service.name)) as Service | undefined;
      const ip = found?.spec?.clusterIP;
      return ip && ip !== "None" ? ip : undefined;
    },
    20_000,
  );
}
