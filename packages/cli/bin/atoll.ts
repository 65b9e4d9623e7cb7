#!/usr/bin/env node
import { enableCompileCache } from "node:module";

// Every `atoll` command loads the whole CLI: node's compile cache makes the second start and later ones faster.
enableCompileCache();
const { main } = await import("../src/main.ts");

// Output piped into `head` and closed early is not an error: stop quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv, process.env);
