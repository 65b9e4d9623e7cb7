import type { Command } from "commander";

/** An option as completion offers it. */
export type OptionNode = {
  /** Every spelling, e.g. `-n` and `--namespace`. */
  flags: string[];
  description: string;
  /** The next word is its value (`--namespace <ns>`). */
  takesValue: boolean;
  /** The values it accepts, when it names them (`.choices()`). */
  choices?: string[];
};

/** A positional argument; only its choices can be completed. */
export type ArgumentNode = { name: string; variadic: boolean; choices?: string[] };

/** A command, its options, its arguments and its subcommands, as `--help` shows them. */
export type CommandNode = {
  /** Names from the program down, e.g. `["atoll", "mesh", "connect"]`. */
  path: string[];
  /** Its name and aliases. */
  names: string[];
  description: string;
  options: OptionNode[];
  arguments: ArgumentNode[];
  subcommands: CommandNode[];
};

/**
 * The completion model of a commander program, read through commander's own
 * help (visible commands and options, so the implicit `help` command and
 * `-h, --help` are there and hidden ones are not): completion offers what
 * `--help` documents, and a new command or option needs no other change.
 */
export function commandTree(program: Command): CommandNode {
  return node(program, []);
}

function node(command: Command, parentPath: string[]): CommandNode {
  const help = command.createHelp();
  const path = [...parentPath, command.name()];
  return {
    path,
    names: [command.name(), ...command.aliases()],
    description: command.description(),
    options: [...help.visibleOptions(command), ...help.visibleGlobalOptions(command)].map((option) => ({
      flags: [option.short, option.long].filter((flag): flag is string => flag !== undefined),
      description: option.description,
      takesValue: option.required || option.optional,
      choices: option.argChoices,
    })),
    arguments: command.registeredArguments.map((argument) => ({
      name: argument.name(),
      variadic: argument.variadic,
      choices: argument.argChoices,
    })),
    subcommands: help.visibleCommands(command).map((sub) => node(sub, path)),
  };
}

/** Every command of the tree, the program first. */
export function allCommands(root: CommandNode): CommandNode[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}
