import { mkdir, readFile, writeFile } from "node:fs/promises";
import { MAX_MEMBER_ID } from "@atoll/sim/network/address-plan";
import type { DataDirLayout } from "./data-dir.ts";
import { UpError } from "./up-error.ts";

export const STORAGE_KINDS = ["sqlite", "memory", "etcd"] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

/** What one `atoll up` starts. */
export type FleetSettings = {
  /** Absolute. */
  dataDir: string;
  members: number;
  /** Member i (1-based) gets id firstId+i-1 and owns 127.<id>.0.0/16. */
  firstId: number;
  /** Hub port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Of the hub; with etcd, the members keep sqlite. */
  storage: StorageKind;
  mesh: boolean;
  /** How long members may take to become Ready. */
  readyTimeoutMs: number;
};

/** The part of the settings a data dir's members are bound to (their addresses live in their state). */
export type FleetShape = Pick<FleetSettings, "members" | "firstId" | "storage">;

/** Settings as given on the command line; `explicit` names those the user typed. */
export type RequestedSettings = FleetSettings & {
  explicit: ReadonlySet<keyof FleetShape>;
};

/**
 * The settings to start with: a data dir that already holds a fleet supplies
 * its shape for options not given, and refuses a different one (its members'
 * nodes, pods and services carry addresses of their ids).
 */
export async function resolveSettings(
  requested: RequestedSettings,
  layout: DataDirLayout,
): Promise<FleetSettings> {
  const saved = await readShape(layout.fleetFile);
  const shape: FleetShape = {
    members: requested.members,
    firstId: requested.firstId,
    storage: requested.storage,
  };
  if (saved) {
    for (const key of ["members", "firstId", "storage"] as const) {
      if (!requested.explicit.has(key)) Object.assign(shape, { [key]: saved[key] });
      else if (saved[key] !== shape[key]) {
        throw new UpError(
          "Invalid",
          `${layout.root} holds a fleet with ${describe(saved)}; --${flag(key)} ${shape[key]} does not match. ` +
            `Drop --${flag(key)} to bring that fleet back, or pass a new --data-dir`,
        );
      }
    }
  }
  const lastId = shape.firstId + shape.members - 1;
  if (lastId > MAX_MEMBER_ID) {
    throw new UpError(
      "Invalid",
      `members ${shape.members} from id ${shape.firstId} would need id ${lastId}; ids go up to ${MAX_MEMBER_ID}: ` +
        "lower --first-id or --members",
    );
  }
  const { explicit: _explicit, ...given } = requested;
  return { ...given, ...shape };
}

/** Records the fleet's shape so a later `atoll up` on this data dir brings the same members back. */
export async function saveShape(layout: DataDirLayout, settings: FleetSettings): Promise<void> {
  const shape: FleetShape = {
    members: settings.members,
    firstId: settings.firstId,
    storage: settings.storage,
  };
  await mkdir(layout.root, { recursive: true });
  await writeFile(layout.fleetFile, `${JSON.stringify(shape, null, 2)}\n`);
}

async function readShape(path: string): Promise<FleetShape | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const shape = JSON.parse(text) as Partial<FleetShape>;
    if (
      typeof shape.members === "number" &&
      typeof shape.firstId === "number" &&
      STORAGE_KINDS.includes(shape.storage as StorageKind)
    )
      return { members: shape.members, firstId: shape.firstId, storage: shape.storage as StorageKind };
  } catch {
    // Reported below.
  }
  throw new UpError("Invalid", `${path} is not a fleet description: fix or remove it`);
}

function describe(shape: FleetShape): string {
  const last = shape.firstId + shape.members - 1;
  return `${shape.members} members (ids ${shape.firstId}–${last}, ${shape.storage} storage)`;
}

function flag(key: keyof FleetShape): string {
  return key === "firstId" ? "first-id" : key;
}
