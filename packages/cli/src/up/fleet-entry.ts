#!/usr/bin/env node
// The process a fleet runs in: `atoll up` replaces itself with this (same pid)
// or, with -d, starts it in the background. Loading only what the hub and the
// controllers need, with the fleet's V8 flags and compile cache, keeps it at
// ~97 MiB resident (docs/up.md); inside the CLI process the fleet measured 56 MiB more.
// Usage: fleet-entry.ts --settings JSON (FleetSettings) [--started-at EPOCH_MS].
// Imported without being the main module (`atoll up` does, to fill node's
// compile cache before it becomes this process), it does nothing.
import { flushCompileCache } from "node:module";
import type { FleetSettings } from "./fleet-settings.ts";
import { type FleetMessage, runFleet } from "./run-fleet.ts";

if (import.meta.main) await main();

async function main(): Promise<void> {
  // The members load much of the same code (the API server, the client): with the cache written
  // before they start, a first start after a code change strips those TypeScript files once, not four times.
  flushCompileCache();

  const at = process.argv.indexOf("--settings");
  if (at < 0 || !process.argv[at + 1]) {
    process.stderr.write("usage: fleet-entry.ts --settings JSON (started by `atoll up`)\n");
    process.exit(2);
  }
  const settings = JSON.parse(process.argv[at + 1]) as FleetSettings;
  const startedAtArg = process.argv.indexOf("--started-at");
  const startedAt = startedAtArg > 0 ? Number(process.argv[startedAtArg + 1]) : performance.timeOrigin;
  const launcher = process.send
    ? {
        send(message: FleetMessage): Promise<void> {
          return new Promise((resolve) => {
            // The callback runs once the message is written (or failed to be).
            if (process.connected && process.send) process.send(message, undefined, {}, () => resolve());
            else resolve();
          });
        },
        disconnect() {
          if (process.connected) process.disconnect();
        },
      }
    : undefined;
  const code = await runFleet(settings, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    startedAt,
    launcher,
  });
  // Everything the fleet started is stopped by now; nothing left should keep the process.
  process.exit(code);
}
