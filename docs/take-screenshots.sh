#!/usr/bin/env bash
# Takes the console's screenshots in docs/ under a virtual X server (xvfb-run, which ./dmr
# installs), from real clusters on this machine:
#
#   console-light.png     Fig. 5 after a failed adapter, a drain and a kill (each restored):
#                         the topology, the failover history
#   console-dark.png      the same in the dark palette, the timeline
#   console-ja.png        the same in Japanese, the events
#   console-timeline.png  the timeline with the kill's plan before and after in the topology
#   console-limits.png    Fig. 5 with rate limits that drop: the Limits panel, the tunnel's label
#   console-fig1.png      Fig. 1 (fig1.json): 128 agents, fitted
#
#   docs/take-screenshots.sh            (after ./dmr build; DMR_BUILD_DIR as for ./dmr)
#   docs/take-screenshots.sh --no-fig1  (the 128-agent lab takes a few minutes on 2 cores)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DMR_BUILD_DIR:-$here/build}"
out="$here/docs"
fig1=1
[ "${1:-}" = "--no-fig1" ] && fig1=0

console="$build/console/dmr-console"
lab="$build/backend/dmr-lab"
dmrctl="$build/backend/dmrctl"
segment="$build/backend/dmr-segment"
for b in "$console" "$lab" "$dmrctl" "$segment"; do
    [ -x "$b" ] || { echo "take-screenshots: $b is missing: run ./dmr build first" >&2; exit 1; }
done

# A clean console: no saved window layout, no recent agents.
config="$(mktemp -d)"
logs="$(mktemp -d)"
export XDG_CONFIG_HOME="$config"
lab_pid=""
apps=() # dmr-segment senders and receivers
cleanup() {
    for p in "${apps[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -n "$lab_pid" ] && kill "$lab_pid" 2>/dev/null && wait "$lab_pid" 2>/dev/null
    rm -rf "$config" "$logs"
}
trap cleanup EXIT

# A base port whose ranges (membership +0, control +1000, relay +2000, for up to 128 agents) are
# free now; below the kernel's ephemeral ports, clear of the tests' ranges (20000-30800).
free_base() {
    local base off i busy
    for base in 10000 12500 15000 17700; do
        busy=0
        for off in 0 1000 2000; do
            for i in 0 1 2 3 4 5 127; do
                ss -Hltun "( sport = :$((base + off + i)) )" | grep -q . && busy=1
            done
        done
        [ "$busy" = 0 ] && { echo "$base"; return; }
    done
    echo "take-screenshots: no free port range" >&2
    exit 1
}

# Starts dmr-lab on a topology and waits until every agent joined; more arguments go to dmr-lab.
start_lab() {
    local topology="$1" base="$2" nodes="$3"
    shift 3
    "$lab" "$topology" --base-port "$base" --table none --log-dir "$logs" "$@" > "$logs/lab.out" 2>&1 &
    lab_pid=$!
    for _ in $(seq 1 600); do
        grep -q "all $nodes agents joined" "$logs/lab.out" && return 0
        kill -0 "$lab_pid" 2>/dev/null || { cat "$logs/lab.out" >&2; exit 1; }
        sleep 0.5
    done
    echo "take-screenshots: the lab did not come up" >&2
    exit 1
}

stop_lab() {
    kill "$lab_pid" && wait "$lab_pid" 2>/dev/null || true
    lab_pid=""
}

# The agents' control ports, the second one of the join order first: the drills go through it
# (so it keeps a copy of each), and the first one is killed and restored (an agent keeps no
# record of the failover that took it out).
endpoints() {
    local base="$1" nodes="$2" list="" i
    list="127.0.0.1:$((base + 1001))"
    for ((i = 0; i < nodes; i++)); do
        [ "$i" = 1 ] || list+=",127.0.0.1:$((base + 1000 + i))"
    done
    echo "$list"
}

shot() {
    xvfb-run -a -s "-screen 0 1920x1200x24" "$console" "$@"
}

# ---- Fig. 5 with a history ----
base="$(free_base)"
start_lab "$here/resources/topologies/fig5.json" "$base" 6
ctl=("$dmrctl" --connect "127.0.0.1:$((base + 1001))" --token dmr-lab-operator-token)
"${ctl[@]}" drill fail-adapter 4 eth1 --reason "cable pull" --duration-ms 3000
sleep 5
"${ctl[@]}" drill drain 6 --reason "kernel upgrade" --duration-ms 3000
sleep 5
"${ctl[@]}" drill kill 2 --reason "failover drill" --duration-ms 4000
sleep 8
connect="$(endpoints "$base" 6)"
fig5=(--connect "$connect" --topology "$here/resources/topologies/fig5.json" --size 1600x960)
shot "${fig5[@]}" --panel failovers --select 1 --screenshot "$out/console-light.png"
shot "${fig5[@]}" --dark --panel timeline --select 4 --screenshot "$out/console-dark.png"
shot "${fig5[@]}" --lang ja --panel events --select 6 --screenshot "$out/console-ja.png"
shot "${fig5[@]}" --panel timeline --last-failover --screenshot "$out/console-timeline.png"
stop_lab

# ---- Fig. 5 with rate limits that drop ----
# Every tunnel limited to 20,000 B/s and every channel range to 80 datagrams/s; network A bounds
# 239.1.9.0/24. A listener on B; from A, 1,000-byte datagrams at about 200/s to its group (the
# channel limit drops most, the tunnel to 6 most of the rest; the tunnel to 4 carries nothing,
# C listens to nothing) and 10/s to the bounded group.
base="$(free_base)"
start_lab "$here/resources/topologies/fig5.json" "$base" 6 \
    --agent-arg=--relay.rate_limit_tunnel_bytes_per_s --agent-arg=20000 \
    --agent-arg=--relay.rate_limit_channel_datagrams_per_s --agent-arg=80 \
    --agent-arg=--relay.network_boundaries --agent-arg=10.0.1.0/24=239.1.9.0/24
"$segment" recv --cluster fig5 --network 10.0.2.0/24 --channel 239.1.2.3:5000 --count 100000000 \
    --timeout-ms 600000 > /dev/null 2>&1 &
apps+=($!)
sleep 3
"$segment" send --cluster fig5 --network 10.0.1.0/24 --channel 239.1.2.3:5000 --count 100000 \
    --interval-ms 5 --text "$(head -c 1000 /dev/zero | tr '\0' x)" > /dev/null 2>&1 &
apps+=($!)
"$segment" send --cluster fig5 --network 10.0.1.0/24 --channel 239.1.9.9:5000 --count 100000 \
    --interval-ms 100 --text bounded > /dev/null 2>&1 &
apps+=($!)
sleep 12 # the listener tables complete (a query's response time), the drops grow
shot --connect "$(endpoints "$base" 6)" --topology "$here/resources/topologies/fig5.json" \
    --size 1600x960 --panel limits --select 2 --screenshot "$out/console-limits.png"
for p in "${apps[@]}"; do kill "$p" 2>/dev/null || true; done
apps=()
stop_lab

# ---- Fig. 1: 128 agents ----
if [ "$fig1" = 1 ]; then
    base="$(free_base)"
    start_lab "$here/resources/topologies/fig1.json" "$base" 128
    shot --connect "$(endpoints "$base" 128)" --topology "$here/resources/topologies/fig1.json" \
        --size 1920x1080 --panel reachability --screenshot "$out/console-fig1.png"
    stop_lab
fi
echo "take-screenshots: done; look at them before committing"
