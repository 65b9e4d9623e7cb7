# Usage: bash --norc --noprofile complete.bash SCRIPT WORD...
# Sources the completion SCRIPT, then does what bash's programmable completion
# does when TAB is pressed after WORD... (the last one is being completed): sets
# COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT, calls the function that
# `complete -F` registered for the command, and prints COMPREPLY, one per line.
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
registration=$(complete -p "${COMP_WORDS[0]}") || exit 3
function=${registration#* -F }
function=${function%% *}
"$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
