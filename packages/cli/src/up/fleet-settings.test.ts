import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { dataDirLayout } from "./data-dir.ts";
import { type FleetSettings, type RequestedSettings, resolveSettings, saveShape } from "./fleet-settings.ts";
import { UpError } from "./up-error.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-fleet-settings-"));
});
after(() => rm(dir, { recursive: true, force: true }));

function requested(dataDir: string, overrides: Partial<RequestedSettings> = {}): RequestedSettings {
  return {
    dataDir,
    members: 3,
    firstId: 1,
    port: 6443,
    storage: "sqlite",
    mesh: true,
    readyTimeoutMs: 60_000,
    explicit: new Set(),
    ...overrides,
  };
}

function saved(dataDir: string, shape: Partial<FleetSettings>): FleetSettings {
  return {
    dataDir,
    members: 3,
    firstId: 1,
    port: 0,
    storage: "sqlite",
    mesh: true,
    readyTimeoutMs: 1000,
    ...shape,
  };
}

const reasonOf = (error: unknown) => (error instanceof UpError ? error.reason : "not an UpError");

test("a new data dir takes the options as given", async () => {
  const layout = dataDirLayout(join(dir, "new"));
  const settings = await resolveSettings(requested(layout.root, { members: 5, firstId: 20 }), layout);
  assert.deepEqual(
    { members: settings.members, firstId: settings.firstId, storage: settings.storage },
    { members: 5, firstId: 20, storage: "sqlite" },
  );
  assert.equal("explicit" in settings, false);
});

test("a data dir's fleet supplies its shape for options left out, and refuses another", async () => {
  const layout = dataDirLayout(join(dir, "existing"));
  await saveShape(layout, {
    ...requested(layout.root, { firstId: 194, storage: "memory" }),
    storage: "memory",
  });
  const again = await resolveSettings(requested(layout.root), layout);
  assert.deepEqual([again.members, again.firstId, again.storage], [3, 194, "memory"]);
  await assert.rejects(
    resolveSettings(requested(layout.root, { firstId: 10, explicit: new Set(["firstId"]) }), layout),
    (error) =>
      reasonOf(error) === "Invalid" &&
      /holds a fleet with 3 members \(ids 194–196, memory storage\); --first-id 10 does not match/.test(
        String(error),
      ),
  );
  const same = await resolveSettings(
    requested(layout.root, { firstId: 194, explicit: new Set(["firstId"]) }),
    layout,
  );
  assert.equal(same.firstId, 194);
});

test("ids past 200 and an unreadable fleet.json are invalid settings", async () => {
  const layout = dataDirLayout(join(dir, "invalid"));
  await assert.rejects(
    resolveSettings(requested(layout.root, { firstId: 199, members: 3 }), layout),
    (error) => reasonOf(error) === "Invalid" && /would need id 201/.test(String(error)),
  );
  await saveShape(layout, saved(layout.root, {}));
  await writeFile(layout.fleetFile, "{");
  await assert.rejects(
    resolveSettings(requested(layout.root), layout),
    (error) => reasonOf(error) === "Invalid",
  );
});
