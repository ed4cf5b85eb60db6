#!/usr/bin/env bash
# The manual pages and completions the build made (build/doc) against the programs themselves:
#   - every option that `PROGRAM --help` (and `PROGRAM COMMAND --help`) lists is in the manual
#     page, and every command; the check itself fails on a page with one option taken out;
#   - man formats every page without a warning;
#   - the bash completions complete commands, options and their values in a real bash;
#   - the zsh completions do the same in a real interactive zsh (zpty), when zsh is installed.
#
#   manuals_test.sh BUILD_DIR
set -euo pipefail

build="${1:?usage: manuals_test.sh BUILD_DIR}"
doc="$build/doc"
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

declare -A program=(
    [dmr-agent]="$build/backend/dmr-agent"
    [dmrctl]="$build/backend/dmrctl"
    [dmr-lab]="$build/backend/dmr-lab"
    [dmr-mcast]="$build/backend/dmr-mcast"
    [dmr-segment]="$build/backend/dmr-segment"
    [dmr-console]="$build/console/dmr-console"
)
declare -A section=([dmr-agent]=8)

# The options a --help text lists: "-c", "--config", "-?", one per line.
options_of() {
    grep -oE '(^|[[:space:],[])(--?[A-Za-z?][A-Za-z0-9._-]*)' | grep -oE -- '--?[A-Za-z?][A-Za-z0-9._-]*' |
        grep -vE '^-[0-9]' | sort -u
}
# The commands a CLI11 --help lists under "Subcommands:".
commands_of() {
    awk '/^Subcommands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }'
}
# A man page's text as a reader sees it, options intact (\- is a minus, \e a backslash).
man_text() {
    sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$1"
}
# Every word of `words` is in the page `text`, as a whole option (not a prefix of a longer one).
check_listed() {
    local name="$1" what="$2" text="$3" words="$4" w
    for w in $words; do
        if ! grep -qE -- "(^|[^A-Za-z0-9._-])$(printf '%s' "$w" | sed 's/[.?]/\\&/g')([^A-Za-z0-9._-]|$)" <<<"$text"; then
            echo "$name: the manual page lacks $what $w"
            return 1
        fi
    done
}

check_program() {
    local name="$1" page="$2" exe="${program[$1]}" help text commands cmd
    text="$(man_text "$page")"
    help="$(QT_QPA_PLATFORM=offscreen "$exe" --help 2>&1)"
    check_listed "$name" option "$text" "$(options_of <<<"$help")" || return 1
    commands="$(commands_of <<<"$help")"
    check_listed "$name" command "$text" "$commands" || return 1
    for cmd in $commands; do
        check_listed "$name $cmd" option "$text" \
            "$("$exe" "$cmd" --help 2>&1 | options_of)" || return 1
    done
}

echo "--- every option of --help is in the manual page"
for name in "${!program[@]}"; do
    page="$doc/man${section[$name]:-1}/$name.${section[$name]:-1}"
    [ -f "$page" ] || { fail "$page was not built"; continue; }
    check_program "$name" "$page" || fail "$name: manual page and --help differ"
    # man's own check of the roff: no warning.
    warnings="$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
        "$page" 2>&1 >/dev/null || true)"
    [ -z "$warnings" ] || fail "$name: man warns: $warnings"
done

echo "--- the check fails on a page with an option taken out"
cut_page="$(mktemp)"
trap 'rm -f "$cut_page"' EXIT
grep -v -- 'probe_channel' "$doc/man8/dmr-agent.8" >"$cut_page"
if check_program dmr-agent "$cut_page" >/dev/null; then
    fail "the check passed a manual page without --relay.probe_channel"
fi

echo "--- bash completion"
bash_complete() { # PROGRAM WORDS...: what bash offers for the last word
    local name="$1"
    shift
    bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
        fn=$(complete -p "$1" | sed -E "s/.*-F ([^ ]+) .*/\1/")
        "$fn"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$doc/bash/$name" "$name" "$@"
}
expect_bash() { # EXPECTED PROGRAM WORDS...
    local want="$1" got
    shift
    got="$(bash_complete "$@" | sort | tr '\n' ' ')"
    [ "$got" = "$want " ] || fail "bash: '$*' completes to '$got', want '$want'"
}
expect_bash "drill drills" dmrctl dr
expect_bash "drill drills" dmrctl --connect 10.0.0.1:7500 dr
expect_bash "drain fail-adapter kill restore" dmrctl drill ""
expect_bash "dot" dmrctl snapshot --format d
expect_bash "smcroute" dmrctl plan fig5.json --format sm
expect_bash "--reason" dmrctl drill kill 2 --rea
expect_bash "--membership.backend" dmr-agent --membership.backe
expect_bash "--check-config" dmr-agent --check
expect_bash "all leaders none" dmr-lab fig5.json --table ""
expect_bash "--lang" dmr-console --lan
expect_bash "de en ja" dmr-console --lang ""

echo "--- zsh completion"
if ! command -v zsh >/dev/null; then
    echo "zsh is not installed: its completions are not tried"
else
    for f in "$doc"/zsh/_*; do
        zsh -n "$f" || fail "zsh: $f does not parse"
    done
    # An interactive zsh on a pseudo-terminal, with compinit over build/doc/zsh: type the words,
    # press Tab, read what it shows.
    zsh_complete() {
        zsh -f -c '
            zmodload zsh/zpty
            zpty z "zsh -f -i"
            zpty -w z "PROMPT=\">\"; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
            zpty -n -w z "$2"$'"'"'\t'"'"'
            local out="" chunk end=$((SECONDS + 10))
            while (( SECONDS < end )); do
                zpty -r -t z chunk && out+=$chunk || sleep 0.2
                [[ $out == *"$3"* ]] && break
            done
            zpty -d z
            print -r -- "${out//$'"'"'\e'"'"'\[[0-9;?]#[a-zA-Z]/}"' _ "$doc/zsh" "$1" "$2"
    }
    expect_zsh() { # TYPED EXPECTED
        local got
        got="$(zsh_complete "$1" "$2")"
        [[ "$got" == *"$2"* ]] || fail "zsh: '$1<Tab>' does not show '$2': $got"
    }
    expect_zsh "dmrctl snapshot --format d" "dmrctl snapshot --format dot"
    expect_zsh "dmrctl --json reach" "dmrctl --json reachability"
    expect_zsh "dmrctl drill kill 2 --rea" "--reason"
    expect_zsh "dmr-agent --membership.back" "dmr-agent --membership.backend"
    expect_zsh "dmr-lab fig5.json --tab" "dmr-lab fig5.json --table"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "PASS"
