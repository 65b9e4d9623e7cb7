import type { CommandNode } from "./command-tree.ts";
import { type CompletionTables, completionTables, identifier, quoted } from "./completion-tables.ts";

/**
 * A bash completion script for the program `root` describes: subcommands at
 * every level (aliases too), options (`--flag value`, `--flag=value`), the
 * values of options and arguments that name their choices, and bash's
 * default (file names) for other option values. Works with bash 3.2 and later
 * and needs no bash-completion package.
 */
export function bashScript(root: CommandNode): string {
  const name = root.names[0];
  const fn = `_${identifier(name)}`;
  const tables = completionTables(root);
  return `# bash completion for ${name}, generated from its commands by \`${name} completion bash\`.
# In this shell:  source <(${name} completion bash)
# For good:       ${name} completion bash > ~/.local/share/bash-completion/completions/${name}
#                 (or add the line above to ~/.bashrc)

${lookups(fn, tables)}

${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd_path=${quoted(name)} word pending='' positional=0 i
  local REPLY
  for (( i = 1; i < COMP_CWORD; i++ )); do
    word=\${COMP_WORDS[i]}
    if [[ -n $pending ]]; then
      # \`--flag=value\` reaches here as \`--flag\`, \`=\`, \`value\`.
      [[ $word == '=' ]] || pending=''
      continue
    fi
    case $word in
      -*)
        ${fn}_value_options "$cmd_path"
        [[ " $REPLY " == *" $word "* ]] && pending=$word
        ;;
      *)
        if ${fn}_child "$cmd_path $word"; then
          cmd_path=$REPLY
          positional=0
        else
          positional=$((positional + 1))
        fi
        ;;
    esac
  done
  if [[ $cur == '=' && -n $pending ]]; then
    cur=''
  fi
  COMPREPLY=()
  if [[ -n $pending ]]; then
    # An option's value: its choices, else bash's default completion (file names).
    if ${fn}_option_choices "$cmd_path $pending"; then
      COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    ${fn}_options "$cmd_path"
    COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    return 0
  fi
  ${fn}_subcommands "$cmd_path"
  local candidates=$REPLY
  if ${fn}_argument_choices "$cmd_path $positional"; then
    candidates="$candidates $REPLY"
  fi
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
  return 0
}

complete -o default -F ${fn} ${name}
`;
}

/** One function per table: a \`case\` on its key setting REPLY, returning 1 when the key is unknown. */
function lookups(fn: string, tables: CompletionTables): string {
  return [
    lookup(`${fn}_child`, tables.children),
    lookup(
      `${fn}_subcommands`,
      mapValues(tables.subcommands, (subs) => subs.map(([sub]) => sub).join(" ")),
    ),
    lookup(
      `${fn}_options`,
      mapValues(tables.options, (options) => [...new Set(options.map(([flag]) => flag))].join(" ")),
    ),
    lookup(
      `${fn}_value_options`,
      mapValues(tables.valueOptions, (flags) => flags.join(" ")),
    ),
    lookup(
      `${fn}_option_choices`,
      mapValues(tables.optionChoices, (choices) => choices.join(" ")),
    ),
    lookup(
      `${fn}_argument_choices`,
      mapValues(tables.argumentChoices, (choices) => choices.join(" ")),
    ),
  ].join("\n\n");
}

function lookup(name: string, entries: Iterable<[string, string]>): string {
  const cases = [...entries].map(([key, value]) => `    ${quoted(key)}) REPLY=${quoted(value)} ;;`);
  return [`${name}() {`, '  case "$1" in', ...cases, "    *) REPLY=''; return 1 ;;", "  esac", "}"].join(
    "\n",
  );
}

function mapValues<T>(map: Map<string, T>, value: (entry: T) => string): Array<[string, string]> {
  return [...map].map(([key, entry]) => [key, value(entry)]);
}
