import { allCommands, type CommandNode } from "./command-tree.ts";

/**
 * The lookup tables both shells' scripts are generated from, keyed by the
 * command path joined with spaces (`"atoll mesh connect"`).
 */
export type CompletionTables = {
  /** `"PATH WORD"` → the path of the subcommand WORD names there (aliases included). */
  children: Map<string, string>;
  /** PATH → its subcommands, as [name, description]. */
  subcommands: Map<string, Array<[string, string]>>;
  /** PATH → every flag of its options, as [flag, description]. */
  options: Map<string, Array<[string, string]>>;
  /** PATH → the flags whose next word is their value. */
  valueOptions: Map<string, string[]>;
  /** `"PATH FLAG"` → the values the option accepts. */
  optionChoices: Map<string, string[]>;
  /** `"PATH N"` → the values positional argument N (from 0) accepts; a variadic last one also covers N+1… up to 9. */
  argumentChoices: Map<string, string[]>;
};

const VARIADIC_POSITIONS = 10;

export function completionTables(root: CommandNode): CompletionTables {
  const tables: CompletionTables = {
    children: new Map(),
    subcommands: new Map(),
    options: new Map(),
    valueOptions: new Map(),
    optionChoices: new Map(),
    argumentChoices: new Map(),
  };
  for (const command of allCommands(root)) {
    const path = command.path.join(" ");
    for (const sub of command.subcommands)
      for (const name of sub.names) tables.children.set(`${path} ${name}`, sub.path.join(" "));
    tables.subcommands.set(
      path,
      command.subcommands.map((sub) => [sub.names[0], oneLine(sub.description)]),
    );
    tables.options.set(
      path,
      command.options.flatMap((option) =>
        option.flags.map((flag): [string, string] => [flag, oneLine(option.description)]),
      ),
    );
    tables.valueOptions.set(
      path,
      command.options.filter((option) => option.takesValue).flatMap((option) => option.flags),
    );
    for (const option of command.options)
      if (option.choices)
        for (const flag of option.flags) tables.optionChoices.set(`${path} ${flag}`, option.choices);
    const help = command.subcommands.find(isHelpCommand);
    if (help) {
      const siblings = command.subcommands.filter((sub) => sub !== help).map((sub) => sub.names[0]);
      tables.argumentChoices.set(`${help.path.join(" ")} 0`, siblings);
    }
    command.arguments.forEach((argument, i) => {
      if (!argument.choices) return;
      const last = argument.variadic ? VARIADIC_POSITIONS : i + 1;
      for (let n = i; n < last; n++) tables.argumentChoices.set(`${path} ${n}`, argument.choices);
    });
  }
  return tables;
}

/** commander's implicit `help [command]`: its argument is one of its siblings. */
function isHelpCommand(command: CommandNode): boolean {
  return (
    command.names[0] === "help" &&
    command.arguments[0]?.name === "command" &&
    command.subcommands.length === 0
  );
}

/** A single-quoted shell word (bash and zsh): `'` becomes `'\''`. */
export function quoted(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A shell function name for the program: letters, digits and underscores. */
export function identifier(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}
