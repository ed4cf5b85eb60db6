#!/usr/bin/env bash
# dmr-agent --check-config, as ExecStartPre and configuration management use it: a valid file
# gives exit 0 and a one-line summary without starting anything; an
# invalid one exit 2 and one line naming the key (a value) or the line and column (TOML syntax);
# a missing file exit 2 naming it; flags apply over the file; a secret never appears.
# Then the configurations the project ships and prints: resources/agent.example.toml, which
# must also name every key of the agent's option table (a new key is documented there), the
# packaged /etc/dmr/agent.toml once node.id and the key are set, and the README's multi-host
# agent.toml (the block after <!-- guide-agent-toml -->) with its files made here.
#
#   check_config_test.sh DMR_AGENT SOURCE_DIR
set -euo pipefail

agent="${1:?usage: check_config_test.sh DMR_AGENT SOURCE_DIR}"
src="${2:?usage: check_config_test.sh DMR_AGENT SOURCE_DIR}"
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

# The example: valid as it stands, and every key of the option table appears in it, set or
# commented out ("key =" or "# key =" in its section).
check "$src/resources/agent.example.toml" 0 "valid (node 2, cluster fig5"
keys="$("$agent" --dmr-doc=json | python3 -c '
import json, sys
for o in json.load(sys.stdin)["options"]:
    for n in o["names"]:
        if n.startswith("--") and "." in n:
            print(n[2:])')"
[ -n "$keys" ] || fail "--dmr-doc=json listed no configuration keys"
while read -r key; do
    section="${key%%.*}" name="${key#*.}"
    python3 - "$src/resources/agent.example.toml" "$section" "$name" <<'PY' ||
import re, sys
path, section, name = sys.argv[1:]
current = None
for line in open(path):
    m = re.match(r"^\[(\w+)\]", line)
    if m:
        current = m.group(1)
    elif current == section and re.match(r"^(# *)?" + re.escape(name) + r" *=", line):
        sys.exit(0)
sys.exit(1)
PY
        fail "resources/agent.example.toml does not mention $key (set or as a comment)"
done <<<"$keys"

# The packaged /etc/dmr/agent.toml: refused as shipped (node.id first), valid once completed.
check "$src/packaging/agent.toml" 2 "node.id: missing"
check "$src/packaging/agent.toml" 0 "valid (node 9" --node.id 9 --cluster.key a-secret-of-16-bytes-or-more

# The README's multi-host agent.toml, with its files made here (secrets 0400, a certificate
# that names the control address).
awk '/<!-- guide-agent-toml -->/ {on = 1; next} on && /^```toml/ {inside = 1; next}
     inside && /^```/ {exit} inside {print}' "$src/README.md" >"$work/guide.toml"
[ -s "$work/guide.toml" ] || fail "README.md has no toml block after <!-- guide-agent-toml -->"
head -c 32 /dev/urandom | base64 >"$work/cluster.key"
head -c 32 /dev/urandom | base64 >"$work/viewer.token"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=ca" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=dmr-agent-h1" -addext subjectAltName=IP:10.0.1.2 \
    -keyout "$work/control.key" -out "$work/control.pem" 2>/dev/null
chmod 0400 "$work/cluster.key" "$work/viewer.token" "$work/control.key"
sed "s|/etc/dmr/|$work/|g" "$work/guide.toml" >"$work/guide-here.toml"
check "$work/guide-here.toml" 0 "valid (node h1, cluster plant, membership etcd"
# The guide's secrets must be the agent's alone: the same file readable by its group is refused.
chmod 0440 "$work/control.key"
check "$work/guide-here.toml" 2 "control.key"
chmod 0400 "$work/control.key"

[ "$failures" -eq 0 ] || exit 1
echo PASS
