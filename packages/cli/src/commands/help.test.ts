import assert from "node:assert/strict";
import { test } from "node:test";
import type { Command } from "commander";
import { buildProgram } from "../main.ts";

/** Every command a user can run (those without subcommands), by its full name. */
function leaves(command: Command, path: string[] = []): Array<{ name: string; command: Command }> {
  const here = [...path, command.name()];
  if (command.commands.length === 0) return [{ name: here.join(" "), command }];
  return command.commands.flatMap((sub) => leaves(sub, here));
}

test("every command's --help has a description and at least one example", () => {
  const found = leaves(buildProgram({}));
  assert.ok(found.length >= 24, `commands found: ${found.map((f) => f.name).join(", ")}`);
  for (const { name, command } of found) {
    let text = "";
    command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    command.outputHelp();
    assert.ok(command.description().length > 0, `${name} has a description`);
    assert.match(text, /Examples?:\n {2}\S/, `${name} --help shows an example:\n${text}`);
  }
});
