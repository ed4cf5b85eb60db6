#!/usr/bin/env bash
# The Debian packages installed as an operator installs them, into a root that has never seen
# them (root; skipped otherwise):
#
#   host /  --(overlay, lower, read-only)-->  ROOT  (a tmpfs upper layer, in a private mount
#                                                    namespace and a new network namespace)
#
# cpack builds dmr-agent, dmr-console and dmr-lab from this build tree; `dpkg -i` installs them
# in ROOT (dependencies checked against the host's packages, maintainer scripts run: the dmr
# user, the configuration's owner). Then the agent starts the way systemd would start it where
# systemd is not PID 1: the unit's User=/Group=, every capability dropped, no new privileges,
# its ExecStartPre (the shipped, unconfigured conffile is refused naming the missing key; a
# configured one passes) and its ExecStart line; `dmrctl status` answers, and so does /metrics.
# The relay in os mode runs the same way, unprivileged, on a veth link. Removal keeps the
# conffile; purge removes it. Nothing reaches the host: the overlay's upper layer and both
# namespaces go when the test ends.
#
#   install_test.sh BUILD_DIR
set -euo pipefail

skip() {
    echo "SKIP: $*"
    exit 77
}
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

if [ "${1:-}" = --inside ]; then
    inside=1
    work="$2"
else
    inside=0
    build="${1:?usage: install_test.sh BUILD_DIR}"
fi

# ---- On the host: the packages, then the same script in new namespaces. ----------------------
if [ "$inside" = 0 ]; then
    [ "$(id -u)" -eq 0 ] || skip "needs root: a private mount namespace with an overlay of /"
    for tool in unshare chroot dpkg setpriv cpack ip; do
        command -v "$tool" >/dev/null || skip "no $tool on this machine"
    done
    grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
        skip "the kernel has no overlay file system"
    work="$(mktemp -d /tmp/dmr-install-test-XXXXXX)"
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/debs"
    if ! (cd "$build" && cpack -G DEB -B "$work/debs" >"$work/cpack.log" 2>&1); then
        cat "$work/cpack.log" >&2
        fail "cpack could not build the packages"
    fi
    ls "$work/debs"/*.deb
    # A PID namespace too: whatever the test leaves running dies with it.
    unshare --mount --net --pid --fork --propagation private -- bash "$0" --inside "$work"
    echo "PASS"
    exit 0
fi

# ---- In the namespaces: a root made of the host's files, every change in memory. --------------
# (This bash is PID 1 of its PID namespace: when it ends, every process of the test ends.)
mkdir -p "$work/ovl"
mount -t tmpfs -o size=512m tmpfs "$work/ovl"
mkdir -p "$work/ovl/upper" "$work/ovl/work" "$work/ovl/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/ovl/upper,workdir=$work/ovl/work" \
    "$work/ovl/root"
root="$work/ovl/root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
mkdir -p "$root/tmp/debs"
cp "$work/debs"/*.deb "$root/tmp/debs/"
ip link set lo up

chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    /bin/bash -euo pipefail -s <<'IN_ROOT'
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }
# Waits up to $1 seconds for a command to succeed.
wait_for() {
    local seconds="$1"
    shift
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

step "a clean root: nothing of DMR installed"
! dpkg -s dmr-agent >/dev/null 2>&1 || fail "dmr-agent is installed on the host already"
[ ! -e /usr/bin/dmr-agent ] || fail "/usr/bin/dmr-agent exists before the install"
! getent passwd dmr >/dev/null || fail "a dmr user exists before the install"

step "dpkg -i (dependencies checked against what is installed; maintainer scripts run)"
dpkg -i /tmp/debs/*.deb
for p in dmr-agent dmr-console dmr-lab; do
    [ "$(dpkg-query -W -f='${Status}' "$p")" = "install ok installed" ] || fail "$p not installed"
done
getent passwd dmr >/dev/null || fail "postinst made no dmr user"
[ "$(getent passwd dmr | cut -d: -f7)" = /usr/sbin/nologin ] || fail "the dmr user has a shell"
[ "$(stat -c %U:%G:%a /etc/dmr/agent.toml)" = root:dmr:640 ] ||
    fail "/etc/dmr/agent.toml is $(stat -c %U:%G:%a /etc/dmr/agent.toml), want root:dmr:640"
dpkg-query -W -f='${Conffiles}\n' dmr-agent | grep -q '/etc/dmr/agent.toml' ||
    fail "/etc/dmr/agent.toml is not a conffile"
for f in /lib/systemd/system/dmr-agent.service /usr/share/dmr-agent/systemd/os-mode.conf \
    /usr/share/dmr-agent/systemd/relay-prune.conf \
    /usr/share/man/man8/dmr-agent.8.gz /usr/share/man/man1/dmrctl.1.gz \
    /usr/share/man/man1/dmr-lab.1.gz /usr/share/man/man1/dmr-console.1.gz \
    /usr/share/bash-completion/completions/dmrctl /usr/share/zsh/vendor-completions/_dmrctl \
    /usr/share/applications/dmr-console.desktop \
    /usr/share/icons/hicolor/scalable/apps/dmr-console.svg \
    /usr/share/dmr-agent/monitoring/dmr-alerts.yml \
    /usr/share/dmr-agent/monitoring/dmr-dashboard.json /usr/share/dmr/topologies/fig5.json \
    /usr/bin/dmr-lab /usr/bin/dmr-mcast /usr/bin/dmr-segment /usr/bin/dmr-console; do
    [ -e "$f" ] || fail "$f is missing"
done
man -w dmr-agent >/dev/null || fail "man does not find dmr-agent(8)"
dmr-lab --version | grep -q '^dmr-lab ' || fail "dmr-lab does not run"
QT_QPA_PLATFORM=offscreen dmr-console --version | grep -q 'dmr-console' ||
    fail "dmr-console does not run (a library or plugin missing?)"

# The unit's lines, as systemd would read them.
unit=/lib/systemd/system/dmr-agent.service
line() { sed -n "s/^$1=//p" "$unit" | tail -1; }
user="$(line User)"
group="$(line Group)"
pre="$(line ExecStartPre)"
start="$(line ExecStart)"
[ "$user" = dmr ] && [ "$group" = dmr ] || fail "the unit runs as $user:$group, want dmr:dmr"
[ -z "$(line AmbientCapabilities)" ] && [ -z "$(line CapabilityBoundingSet)" ] ||
    fail "the unit grants capabilities"
# What systemd does before ExecStart: the user, the group, no capability at all (the unit's
# empty CapabilityBoundingSet=), NoNewPrivileges=yes.
unit_privileges=(setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs
    --inh-caps=-all --ambient-caps=-all --bounding-set=-all --)
as_unit() { "${unit_privileges[@]}" "$@"; }

step "the shipped configuration is refused until node.id and cluster.key are set"
set +e
out="$(as_unit $pre 2>&1)"
rc=$?
set -e
echo "$out"
[ "$rc" -eq 2 ] || fail "ExecStartPre on the shipped conffile: exit $rc, want 2"
echo "$out" | grep -q 'node.id: missing' || fail "the refusal does not name node.id"

step "a bad value is refused naming the key"
cp /etc/dmr/agent.toml /tmp/agent.toml.orig
cat >/etc/dmr/agent.toml <<'EOF'
[node]
id = "1"
[cluster]
key = "install-test-cluster-key-0001"
[membership]
heartbeat_ms = 5
EOF
set +e
out="$(as_unit $pre 2>&1)"
rc=$?
set -e
echo "$out"
[ "$rc" -eq 2 ] && echo "$out" | grep -q 'membership.heartbeat_ms: 5 is out of range' ||
    fail "a heartbeat of 5 ms was not refused by key"

step "configured: ExecStartPre passes, ExecStart runs the agent as dmr with no capabilities"
cat >/etc/dmr/agent.toml <<'EOF'
[node]
id = "1"
interfaces = [ { name = "eth0", address = "10.99.1.1/24" } ]
[cluster]
name = "install-test"
key = "install-test-cluster-key-0001"
[membership]
listen = "127.0.0.1:7400"
[control]
listen = "127.0.0.1:7500"
[metrics]
listen = "127.0.0.1:9400"
EOF
as_unit $pre | tee /tmp/pre.out
grep -q 'valid (node 1, cluster install-test' /tmp/pre.out || fail "ExecStartPre did not say valid"
"${unit_privileges[@]}" $start 2>/tmp/agent.log &
agent=$!
wait_for 30 sh -c 'dmrctl --connect 127.0.0.1:7500 status | grep -Eq "^role +system-leader"' || {
    cat /tmp/agent.log
    fail "dmrctl status did not show the lone agent as system leader within 30 s"
}
dmrctl --connect 127.0.0.1:7500 status | tee /tmp/status.out
grep -Eq '^state +up' /tmp/status.out || fail "the agent is not up"
pid="$(pgrep -x dmr-agent)"
[ "$(stat -c %U /proc/"$pid")" = dmr ] || fail "the agent does not run as dmr"
grep -q '^CapEff:[[:space:]]*0*$' /proc/"$pid"/status || fail "the agent has capabilities"
grep -q '^NoNewPrivs:[[:space:]]*1' /proc/"$pid"/status || fail "the agent may gain privileges"
exec 3<>/dev/tcp/127.0.0.1/9400
printf 'GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n' >&3
grep -q '^dmr_up{node="1"} 1' <&3 || fail "/metrics does not say dmr_up 1"
exec 3<&-
kill -TERM "$agent"
wait "$agent" || fail "the agent did not exit 0 on SIGTERM"

step "the relay in os mode, unprivileged, on the OS's interfaces (a veth link)"
ip link add dmr0 type veth peer name dmr1
ip link set dmr1 up
ip link set dmr0 up
ip addr add 10.99.2.1/24 dev dmr0
cat >/etc/dmr/agent.toml <<'EOF'
[node]
id = "1"
[cluster]
name = "install-test"
key = "install-test-cluster-key-0001"
[membership]
listen = "10.99.2.1:7400"
[relay]
enabled = true
mode = "os"
channels = ["239.1.0.0/28:5000-5001"]
EOF
as_unit $pre
"${unit_privileges[@]}" $start 2>/tmp/agent-os.log &
agent=$!
wait_for 30 sh -c 'dmrctl --connect 127.0.0.1:7500 status | grep -Eq "^role +system-leader"' || {
    cat /tmp/agent-os.log
    fail "the os-mode agent did not come up"
}
# It routes its network on dmr0 and its probes go out there (sent from the interface's address).
relay_sends() {
    dmrctl --connect 127.0.0.1:7500 --json tunnels >/tmp/tunnels.json &&
        grep -q '"mode": *"os"' /tmp/tunnels.json && grep -q '"iface": *"dmr0"' /tmp/tunnels.json &&
        grep -q '"routed": *true' /tmp/tunnels.json &&
        grep -Eq '"segment_sent": *[1-9]' /tmp/tunnels.json
}
wait_for 30 relay_sends || { cat /tmp/tunnels.json /tmp/agent-os.log; fail "no os-mode relay"; }
# The relay forwards unprivileged; only pruning needs the IGMP/MLD reader (a packet socket,
# CAP_NET_RAW), which this unit does not grant: the agent says so, and floods.
grep -q 'IGMP/MLD reader: .*this node does not prune' /tmp/agent-os.log ||
    fail "the unprivileged os-mode agent did not say that it cannot prune"
if grep -Ei 'relay:.*(not permitted|denied)' /tmp/agent-os.log | grep -v 'IGMP/MLD reader: '; then
    fail "the os-mode relay needed a privilege"
fi
kill -TERM "$agent"
wait "$agent" || fail "the os-mode agent did not exit 0 on SIGTERM"

step "with the relay-prune drop-in's capabilities, the same os-mode agent prunes"
dropin=/usr/share/dmr-agent/systemd/relay-prune.conf
caps="$(sed -n 's/^AmbientCapabilities=//p' "$dropin" | tr 'A-Z ' 'a-z,' | sed 's/cap_//g')"
[ "$caps" = net_raw ] || fail "relay-prune.conf grants '$caps', want net_raw only"
prune_privileges=(setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs
    --inh-caps=-all,+"$caps" --ambient-caps=-all,+"$caps" --bounding-set=-all,+"$caps" --)
"${prune_privileges[@]}" $start 2>/tmp/agent-prune.log &
agent=$!
pruning() {
    dmrctl --connect 127.0.0.1:7500 --json tunnels >/tmp/tunnels.json &&
        grep -Eq '"prune": *true' /tmp/tunnels.json
}
wait_for 30 pruning || { cat /tmp/tunnels.json /tmp/agent-prune.log; fail "it does not prune"; }
! grep -q 'this node does not prune' /tmp/agent-prune.log ||
    fail "with relay-prune.conf's capabilities the agent still cannot prune"
kill -TERM "$agent"
wait "$agent" || fail "the pruning os-mode agent did not exit 0 on SIGTERM"
cp /tmp/agent.toml.orig /etc/dmr/agent.toml

step "remove keeps the configuration, purge removes it"
dpkg -r dmr-lab dmr-console dmr-agent
[ ! -e /usr/bin/dmr-agent ] || fail "dmr-agent left after remove"
[ -e /etc/dmr/agent.toml ] || fail "remove took the conffile"
dpkg -P dmr-agent
[ ! -e /etc/dmr ] || fail "purge left /etc/dmr"
echo "--- installed, started through the unit's lines, removed and purged"
IN_ROOT
