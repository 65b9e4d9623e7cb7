#!/usr/bin/env node
import { enableCompileCache } from "node:module";

// Every `atoll` command loads the whole CLI: node's compile cache makes the second start and later ones faster.
enableCompileCache();
const { main } = await import("../src/main.ts");

process.exitCode = await main(process.argv, process.env);
