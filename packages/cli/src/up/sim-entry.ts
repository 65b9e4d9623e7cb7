#!/usr/bin/env node
// `atoll sim` on its own: the same command, flags and output as `atoll sim`,
// without loading the CLI's other commands (the hub's controllers, the HTTP
// client stack), so each member process of `atoll up` stays small.
// Imported without being the main module (`atoll up` does, to fill node's
// compile cache before it starts the fleet), it does nothing.
import { flushCompileCache } from "node:module";
import { simCommand } from "../commands/sim.ts";

if (import.meta.main) {
  // Node writes its compile cache at exit; a member killed like a real cluster would otherwise start cold next time.
  flushCompileCache();
  try {
    await simCommand(process.env).parseAsync(process.argv);
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
