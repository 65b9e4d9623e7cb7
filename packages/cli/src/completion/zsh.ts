import type { CommandNode } from "./command-tree.ts";
import { type CompletionTables, completionTables, identifier, quoted } from "./completion-tables.ts";

/**
 * A zsh completion script for the program `root` describes: subcommands and
 * options with their descriptions, at every level (aliases too), the values
 * of options and arguments that name their choices, and file names for other
 * option values. Works sourced (after `compinit`) or as `_NAME` in `$fpath`.
 */
export function zshScript(root: CommandNode): string {
  const name = root.names[0];
  const fn = `_${identifier(name)}`;
  const tables = completionTables(root);
  return `#compdef ${name}
# zsh completion for ${name}, generated from its commands by \`${name} completion zsh\`.
# In this shell (after compinit):  source <(${name} completion zsh)
# For good:                        ${name} completion zsh > "\${fpath[1]}/${fn}"

${fn}() {
  local -A children subcommands options value_options option_choices argument_choices
${assignments(tables)}
  local cmd_path=${quoted(name)} word key pending='' i positional=0
  for (( i = 2; i < CURRENT; i++ )); do
    word=\${words[i]}
    if [[ -n $pending ]]; then
      pending=''
      continue
    fi
    case $word in
      -*=*) ;;
      -*) [[ " \${value_options[$cmd_path]} " == *" $word "* ]] && pending=$word ;;
      *)
        key="$cmd_path $word"
        if (( \${+children[$key]} )); then
          cmd_path=\${children[$key]}
          positional=0
        else
          (( positional++ ))
        fi
        ;;
    esac
  done
  local cur=\${words[CURRENT]} flag
  if [[ -z $pending && $cur == -*=* ]]; then
    flag=\${cur%%=*}
    compset -P '*='
  else
    flag=$pending
  fi
  if [[ -n $flag && ( -n $pending || $cur == -*=* ) ]]; then
    key="$cmd_path $flag"
    if (( \${+option_choices[$key]} )); then
      compadd -- \${=option_choices[$key]}
    else
      _files
    fi
    return
  fi
  local -a specs
  if [[ $cur == -* ]]; then
    specs=( \${(f)options[$cmd_path]} )
    _describe -t options option specs
    return
  fi
  key="$cmd_path $positional"
  (( \${+argument_choices[$key]} )) && compadd -- \${=argument_choices[$key]}
  specs=( \${(f)subcommands[$cmd_path]} )
  (( \${#specs} )) && _describe -t commands command specs
  return 0
}

if [[ \${funcstack[1]} == ${fn} ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`;
}

function assignments(tables: CompletionTables): string {
  const described = (entries: Array<[string, string]>) =>
    entries.map(([word, description]) => `${word.replaceAll(":", "\\:")}:${description}`).join("\n");
  return [
    assignment("children", [...tables.children]),
    assignment(
      "subcommands",
      [...tables.subcommands].map(([key, subs]) => [key, described(subs)]),
    ),
    assignment(
      "options",
      [...tables.options].map(([key, flags]) => [key, described(flags)]),
    ),
    assignment(
      "value_options",
      [...tables.valueOptions].map(([key, flags]) => [key, flags.join(" ")]),
    ),
    assignment(
      "option_choices",
      [...tables.optionChoices].map(([key, values]) => [key, values.join(" ")]),
    ),
    assignment(
      "argument_choices",
      [...tables.argumentChoices].map(([key, values]) => [key, values.join(" ")]),
    ),
  ].join("\n");
}

function assignment(variable: string, entries: Array<[string, string]>): string {
  const pairs = entries.map(([key, value]) => `    ${quoted(key)} ${quoted(value)}`);
  return [`  ${variable}=(`, ...pairs, "  )"].join("\n");
}
