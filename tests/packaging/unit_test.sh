#!/usr/bin/env bash
# The systemd unit as systemd itself rates it: `systemd-analyze security --offline` (systemd 252
# and later) must find the hardened unit's exposure at most 1.1 (the README prints it), and at
# most 1.6 with the os-mode drop-in, and with the relay-prune drop-in (CAP_NET_RAW, AF_PACKET);
# the keys the hardening rests on must be there. Skipped when
# this systemd-analyze cannot analyse a unit file offline.
#
#   unit_test.sh SOURCE_DIR
set -euo pipefail

src="${1:?usage: unit_test.sh SOURCE_DIR}"
unit="$src/resources/systemd/dmr-agent.service"
dropin="$src/resources/systemd/os-mode.conf"
prune="$src/resources/systemd/relay-prune.conf"
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
systemd-analyze security --help 2>/dev/null | grep -q -- '--offline' ||
    { echo "SKIP: systemd-analyze security has no --offline (systemd 252 or later)"; exit 77; }

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

for key in User=dmr Group=dmr CapabilityBoundingSet= AmbientCapabilities= NoNewPrivileges=yes \
    ProtectSystem=strict ProtectHome=yes PrivateTmp=yes SystemCallFilter=@system-service \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK' \
    'ExecStartPre=/usr/bin/dmr-agent --check-config /etc/dmr/agent.toml'; do
    grep -qxF -- "$key" "$unit" || fail "the unit lacks $key"
done

rate() { # UNIT_FILE THRESHOLD(tenths)
    local out
    out="$(systemd-analyze security --offline=true --threshold="$2" "$1" 2>&1)" || {
        echo "$out" | grep -E '✗|Overall' >&2
        return 1
    }
    echo "$out" | grep 'Overall exposure'
}
rate "$unit" 11 || fail "the unit's exposure is above 1.1"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/dmr-agent.service.d"
cp "$unit" "$work/"
cp "$dropin" "$work/dmr-agent.service.d/"
rate "$work/dmr-agent.service" 16 || fail "with os-mode.conf the exposure is above 1.6"
grep -q '✗ CapabilityBoundingSet=~CAP_NET_ADMIN' <(systemd-analyze security --offline=true "$work/dmr-agent.service" 2>&1) ||
    fail "the os-mode drop-in was not read"

rm "$work/dmr-agent.service.d/"*
cp "$prune" "$work/dmr-agent.service.d/"
rate "$work/dmr-agent.service" 16 || fail "with relay-prune.conf the exposure is above 1.6"
analysis="$(systemd-analyze security --offline=true "$work/dmr-agent.service" 2>&1)"
grep -q '✗ RestrictAddressFamilies=~AF_PACKET' <<<"$analysis" ||
    fail "the relay-prune drop-in does not allow AF_PACKET (the IGMP/MLD reader's socket)"
grep -q '✗ CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)' <<<"$analysis" ||
    fail "the relay-prune drop-in does not grant CAP_NET_RAW"
grep -q 'CAP_NET_ADMIN' <<<"$(grep -v '^#' "$prune")" &&
    fail "the relay-prune drop-in grants CAP_NET_ADMIN (the relay does not program the kernel)"

[ "$failures" -eq 0 ] || exit 1
echo PASS
