# Bash completion for bcp-id, bcp-mention, bcp-notice and bcp-replay. Installed once per tool
# under /usr/share/bash-completion/completions/ (bash-completion loads it by command name).
# The subcommands and options are read from the tool's own --help, so they never drift from
# the tool; values of options that name files complete as file names.

_bcpkit_help_section() {
    # $1: the help text, $2: the section title ("Options:" or "Subcommands:")
    awk -v want="$2" '
        /^[A-Z][A-Za-z ]*:$/ { inside = ($0 == want); next }
        inside && /^  [^ ]/ { print }
    ' <<<"$1"
}

_bcpkit() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
    fi
    local tool=${words[0]} help sub="" i
    help=$("$tool" --help 2>/dev/null) || return
    local subs
    subs=$(_bcpkit_help_section "$help" "Subcommands:" | awk '{ print $1 }')
    for ((i = 1; i < cword; i++)); do
        if grep -qx -- "${words[i]}" <<<"$subs"; then sub=${words[i]}; break; fi
    done
    if [[ -z $sub && $cur != -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
        return
    fi
    [[ -n $sub ]] && help=$("$tool" "$sub" --help 2>/dev/null)
    local opts
    opts=$(_bcpkit_help_section "$help" "Options:" | awk '{ print $1 }' | tr ',' '\n' | grep '^-')
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        return
    fi
    # Anything else (an option's value, a FILE argument): file names.
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -o filenames -F _bcpkit bcp-id bcp-mention bcp-notice bcp-replay
