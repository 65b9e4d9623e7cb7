import type { SimMember } from "../member.ts";
import type { Backend } from "../network/endpoint-source.ts";

/**
 * A network partition of one member, as far as a shared loopback lets it be
 * made: the member keeps running but nothing crosses between it and the
 * others through Atoll.
 *
 * - its API server stops answering (as `api-down`), so the hub marks it
 *   Unknown and its mesh peers' probes fail;
 * - its mesh stops its peer links: no peer endpoint is used, and its own
 *   proxy forwards only to addresses of its own 127.<id>.0.0/16;
 * - its node ports and load-balancer IPs refuse every connection;
 * - established connections its proxy relays across the cut are reset;
 * - the peers withdraw its endpoints once their probes have failed for the
 *   mesh's detection period (10 s by default) and then reset the
 *   connections they still relay to its pods.
 *
 * Not cut: a process that dials another member's pod IP (or node port, or
 * load-balancer IP) itself, without a proxy in between. Every member shares
 * one loopback interface, and cutting that needs a network namespace per pod.
 */
export async function partition(member: SimMember): Promise<void> {
  await member.server.pause();
  member.mesh.setIsolated(true);
  member.proxy.isolate(ownedBy(member.id));
}

/**
 * Undoes {@link partition}. The API server starts answering again unless
 * `keepApiDown` (an `api-down` fault still holds); the peers find it at their
 * next probe, re-verify and re-list it before using its endpoints again.
 */
export async function heal(member: SimMember, options: { keepApiDown: boolean }): Promise<void> {
  member.proxy.isolate(undefined);
  member.mesh.setIsolated(false);
  if (!options.keepApiDown) await member.server.resume();
}

/** Whether a backend is in member `id`'s own 127.<id>.0.0/16. */
function ownedBy(id: number): (backend: Backend) => boolean {
  const prefix = `127.${id}.`;
  return (backend) => backend.ip.startsWith(prefix);
}
