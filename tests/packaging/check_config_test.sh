#!/usr/bin/env bash
# dmr-agent --check-config, as ExecStartPre and configuration management use it: a valid file
# gives exit 0 and a one-line summary without starting anything; an
# invalid one exit 2 and one line naming the key (a value) or the line and column (TOML syntax);
# a missing file exit 2 naming it; flags apply over the file; a secret never appears.
#
#   check_config_test.sh DMR_AGENT
set -euo pipefail

agent="${1:?usage: check_config_test.sh DMR_AGENT}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
# check FILE EXPECTED_STATUS EXPECTED_TEXT [FLAGS...]
check() {
    local file="$1" want="$2" text="$3" out rc
    shift 3
    set +e
    out="$("$agent" --check-config "$file" "$@" 2>&1)"
    rc=$?
    set -e
    echo "$out"
    [ "$rc" -eq "$want" ] || fail "$file: exit $rc, want $want"
    grep -qF -- "$text" <<<"$out" || fail "$file: output lacks: $text"
    if grep -q 'a-secret-of-16-bytes' <<<"$out"; then fail "$file: the key was echoed"; fi
}

cat >"$work/valid.toml" <<'TOML'
[node]
id = "7"
[cluster]
name = "plant"
key = "a-secret-of-16-bytes-or-more"
[membership]
listen = "127.0.0.1:1"
[control]
listen = "127.0.0.1:2"
TOML
# It returns at once: an agent that started would serve until stopped (ctest's timeout).
check "$work/valid.toml" 0 "valid (node 7, cluster plant, membership embedded on 127.0.0.1:1, control 127.0.0.1:2, relay off)"
check "$work/valid.toml" 0 "relay loopback" --relay.enabled true --relay.mode loopback
check "$work/valid.toml" 2 "--membership.heartbeat_ms: 5 is out of range 10-10000" --membership.heartbeat_ms 5

sed 's/^id = "7"$/id = "7"\nhearbeat = 3/' "$work/valid.toml" >"$work/unknown.toml"
check "$work/unknown.toml" 2 "node.hearbeat: unknown key"

printf '[node]\nid = "7"\n[cluster]\nkey = "a-secret-of-16-bytes-or-more"\nname = \n' >"$work/syntax.toml"
check "$work/syntax.toml" 2 "syntax.toml:5:"

printf '[node]\n[cluster]\nkey = "a-secret-of-16-bytes-or-more"\n' >"$work/noid.toml"
check "$work/noid.toml" 2 "node.id: missing"

check "$work/absent.toml" 2 "absent.toml: cannot open"

set +e
out="$("$agent" --check-config "$work/valid.toml" --config "$work/valid.toml" 2>&1)"
rc=$?
set -e
[ "$rc" -ne 0 ] && grep -q "excludes" <<<"$out" || fail "--check-config with --config: exit $rc: $out"

[ "$failures" -eq 0 ] || exit 1
echo PASS
