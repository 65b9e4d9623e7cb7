import { loadOrCreateMemberPki } from "@atoll/sim/member-pki";
import { dataDirLayout, memberNames } from "./data-dir.ts";
import type { FleetSettings } from "./fleet-settings.ts";
import { loadOrCreateHubPki } from "./hub.ts";

/**
 * Creates the hub's and every member's certificates that do not exist yet,
 * in the process that launches the fleet (before it becomes, or starts, the
 * fleet process). Creating a certificate loads pkijs, which stays in a
 * process's memory once loaded (~5 MiB measured): done here, the fleet
 * process and the members only read their certificates and never load it.
 */
export async function prepareFleetPki(settings: FleetSettings, now: Date): Promise<void> {
  const layout = dataDirLayout(settings.dataDir);
  await Promise.all([
    loadOrCreateHubPki(layout, now),
    ...memberNames(settings.members).map((name, i) =>
      loadOrCreateMemberPki(layout.memberDir(name), { name, id: settings.firstId + i, now }),
    ),
  ]);
}
