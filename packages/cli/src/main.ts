import { Command, CommanderError } from "commander";
import { apiserverCommand } from "./commands/apiserver.ts";
import { completionCommand } from "./commands/completion.ts";
import { controllersCommand } from "./commands/controllers.ts";
import { describeCommand } from "./commands/describe.ts";
import { explainCommand } from "./commands/explain.ts";
import { faultCommand } from "./commands/fault.ts";
import { getCommand } from "./commands/get.ts";
import { joinCommand, membersCommand, switchCommands, unjoinCommand } from "./commands/members.ts";
import { meshCommand } from "./commands/mesh.ts";
import { simCommand } from "./commands/sim.ts";
import { drainCommands, taintCommand } from "./commands/taint.ts";
import { downCommand, upCommand } from "./commands/up.ts";
import { versionCommand } from "./commands/version.ts";

export const VERSION = "0.1.0";

/** The `atoll` program: every command, as `--help` and completion show them. */
export function buildProgram(env: NodeJS.ProcessEnv): Command {
  const program = new Command("atoll")
    .description("Atoll: a multi-cluster control plane for Kubernetes")
    .version(VERSION, "-v, --version")
    .exitOverride()
    .showHelpAfterError();
  program.addCommand(apiserverCommand(env));
  program.addCommand(simCommand(env));
  program.addCommand(faultCommand());
  program.addCommand(controllersCommand(env));
  program.addCommand(joinCommand(env));
  program.addCommand(unjoinCommand(env));
  for (const command of switchCommands(env)) program.addCommand(command);
  program.addCommand(getCommand(env));
  program.addCommand(membersCommand(env));
  program.addCommand(explainCommand(env));
  program.addCommand(describeCommand(env));
  program.addCommand(taintCommand(env));
  for (const command of drainCommands(env)) program.addCommand(command);
  program.addCommand(versionCommand(VERSION, env));
  program.addCommand(meshCommand(env));
  program.addCommand(upCommand(env));
  program.addCommand(downCommand());
  program.addCommand(completionCommand());
  return program;
}

/** Parses argv and runs one command; resolves to the process exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const program = buildProgram(env);
  try {
    await program.parseAsync(argv);
    // A command that printed what it could but met a failure sets process.exitCode.
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
