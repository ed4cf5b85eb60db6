#pragma once
// One failover's phases, from the times the agents measured (backend/PROTOCOL.md, get-history):
//
//   failed ──detection──▶ detected ──election──▶ elected ──tunnels──▶ tunnels up
//   └──────────────────────────────── total ─────────────────────────────────┘
//
// failed:     when the failure happened, as well as the cluster can tell (by cause, below);
// detected:   when the first survivor noticed it (the agent that declared the node gone);
// elected:    when the first agent computed the new plan;
// tunnels up: when the last new routing point reported its part of the plan applied.
//
// The times come from different agents' clocks. On one host they agree; across hosts they may
// be a few ms apart, so a later moment can carry an earlier stamp. Each time is therefore taken
// as at least the one before it: a phase is never negative, the phases add up to the total, and
// `skewMs` says how far the stamps had to be moved (0 when the clocks agreed).
//
// Pure: no clock is read; every time is an input.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dmr {

// Why a node lost its roles: a departure from the view, or a change of the node itself (it is
// still in the view). toString gives the wire name of get-history's "cause".
enum class FailoverCause : std::uint8_t {
    ConnectionLost,      // "connection-lost": its connection closed (a crashed process)
    Silent,              // "silent": its heartbeats stopped
    LeaseExpired,        // "lease-expired": its etcd lease ran out
    Left,                // "left": it said goodbye
    ExpelledCoordinator, // "expelled-coordinator": the members voted its coordination out
    Departed,            // "departed": a departure of a cause this version does not know
    Drain,               // "drain": it drained
    Adapter,             // "adapter": it lost an adapter
    Moved,               // "moved": its roles moved while it stayed (another node came first)
};
std::string_view toString(FailoverCause cause);
// A membership departure's cause ("silent"): the enum, Departed for a name this version does not
// know; the node's own causes (drain, adapter, moved) by their names too.
FailoverCause parseFailoverCause(std::string_view cause);

// What an agent knows of one failover, each time in ms since the epoch on the clock named.
struct FailoverTimes
{
    FailoverCause cause = FailoverCause::Moved;
    // How long the deciding agent had not heard from the node when it declared it gone: the
    // node's heartbeats, or the etcd lease's TTL (an upper bound).
    std::int64_t silentMs = 0;
    // The deciding agent's clock: when it declared the node gone. 0: no departure.
    std::int64_t decidedAtMs = 0;
    // The node's own clock: when it drained or lost the adapter (its membership meta says so).
    // 0: unknown (an agent that does not say).
    std::int64_t changedAtMs = 0;
    // The first agent that computed the new plan, on its clock (this agent, or a new routing
    // point that reported when it installed the view).
    std::int64_t electedAtMs = 0;
    // The last new routing point's clock: when it reported its part applied. nullopt: not yet.
    std::optional<std::int64_t> tunnelsUpAtMs;
};

struct FailoverPhases
{
    std::int64_t failedAtMs = 0;
    std::int64_t detectedAtMs = 0;
    std::int64_t electedAtMs = 0;
    std::optional<std::int64_t> tunnelsUpAtMs;

    std::int64_t detectionMs = 0;          // failed -> detected
    std::int64_t electionMs = 0;           // detected -> elected
    std::optional<std::int64_t> tunnelsMs; // elected -> tunnels up; nullopt until then
    std::optional<std::int64_t> totalMs;   // failed -> tunnels up: the whole outage
    std::int64_t skewMs = 0;               // how far later stamps were moved up to keep the order

    bool operator==(const FailoverPhases &) const = default;
};

// Whether the cause is the node leaving the view (rather than changing its own state).
bool isDeparture(FailoverCause cause);

// The failure's time, by cause:
//   silent, lease-expired: when the node was last heard (decided - silent): it failed after that;
//   connection-lost, left, expelled-coordinator: when the deciding agent saw its connection close
//     or its goodbye (the kernel closes a dead process's connections at once; a host that
//     vanishes without closing them is "silent");
//   drain, adapter: when the node made the change, on its clock (elected when unknown);
//   moved (roles moved while the node stayed): elected.
// Detection is 0 for a change of the node itself: it said so; nobody had to notice.
FailoverPhases failoverPhases(const FailoverTimes &times);

// Empty when the record holds together (no phase negative, the phases add up to the total, each
// time at least the one before it); else what does not, for a test's message.
std::string checkFailoverPhases(const FailoverPhases &phases);

} // namespace dmr
