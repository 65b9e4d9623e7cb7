# Usage: zsh -f complete.zsh SCRIPT WORD...
# Sources the completion SCRIPT and calls _NAME for the command line WORD...
# (the last one is being completed), with compadd, _describe and _files
# standing in for zsh's: each prints what it was given, one per line (zsh
# itself would then keep those matching the typed prefix; files print "(files)").
compdef() { :; }
compset() { :; }
compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }
_describe() { local -a given; given=( ${(P)4} ); print -rl -- "${given[@]%%:*}"; }
_files() { print -r -- '(files)'; }
source "$1"
shift
words=("$@")
CURRENT=$#words
"_${words[1]}"
