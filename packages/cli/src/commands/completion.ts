import { Argument, Command } from "commander";
import { bashScript } from "../completion/bash.ts";
import { commandTree } from "../completion/command-tree.ts";
import { zshScript } from "../completion/zsh.ts";

const SHELLS = ["bash", "zsh"] as const;

/**
 * `atoll completion bash|zsh`: prints a completion script generated from the
 * program this command belongs to (its commands, subcommands and options as
 * `--help` shows them), so it never lags behind the CLI.
 */
export function completionCommand(): Command {
  const command: Command = new Command("completion")
    .description("Print a shell completion script (bash or zsh) for atoll's commands and options")
    .addArgument(new Argument("<shell>", "bash or zsh").choices(SHELLS))
    .addHelpText(
      "after",
      `
Examples:
  source <(atoll completion bash)                 # bash, this shell
  atoll completion bash > ~/.local/share/bash-completion/completions/atoll
  source <(atoll completion zsh)                  # zsh, this shell (after compinit)
  atoll completion zsh > "\${fpath[1]}/_atoll"     # zsh, for good`,
    )
    .action((shell: (typeof SHELLS)[number]) => {
      const tree = commandTree(command.parent ?? command);
      process.stdout.write(shell === "bash" ? bashScript(tree) : zshScript(tree));
    });
  return command;
}
