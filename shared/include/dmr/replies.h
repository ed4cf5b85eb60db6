#pragma once
// The agent's replies, typed (backend/PROTOCOL.md): get-state (what its readers use of it),
// get-history, get-drills and get-reachability. One schema for both sides: the agent builds its
// history and drill records with the encoders, and dmrctl, dmr-lab and the tests read with the
// parsers instead of picking fields out of JSON each their own way.
//
// The parsers take a reply's "result" object (text or parsed), ignore fields they do not know
// (the protocol may add some; PROTOCOL.md, Versioning), and on a missing or mistyped field
// return an Error naming its path and the reason: `failovers[0].detected_ms: expected an integer,
// found string`. The encoders print exactly what the agent always sent (keys in alphabetical
// order, no spaces), so that PROTOCOL.md's examples still hold byte for byte.

#include "dmr/model.h"
#include "dmr/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dmr::reply {

// Where a paged reply (get-history, get-drills, get-views) leaves off (PROTOCOL.md, Cursors).
struct Page
{
    std::string instance; // the agent process the revisions count in
    std::int64_t rev = 0; // ask with "since" this next time
    bool more = false;    // the page was cut at its limit
    bool operator==(const Page &) const = default;
};

// ---- get-state ---------------------------------------------------------------------------------

struct TunnelEnd
{
    NodeId node;
    std::string iface;
    std::string address;
    bool operator==(const TunnelEnd &) const = default;
};

struct StateTunnel
{
    TunnelEnd root;
    TunnelEnd leaf;
    std::vector<GroupName> networks;
    bool operator==(const StateTunnel &) const = default;
};

struct StateRoute
{
    NodeId node;
    std::string iface;
    GroupName network;
    bool operator==(const StateRoute &) const = default;
};

// One agent's own state: the fields every reader of get-state uses. The relay's object, the
// transport's counters and the data plane's log stay in the JSON for those that show them.
struct State
{
    NodeId node;
    std::string state;      // up, drained, killed
    std::string role;       // system-leader, group-leader, member, joining, ...
    std::string membership; // joining, member, coordinator, degraded, stopped, ...
    std::string viewId;     // "1.5"; empty before the first view
    std::optional<NodeId> coordinator;
    std::optional<NodeId> systemLeader;
    std::vector<GroupName> leads;
    std::vector<std::string> failedAdapters;
    std::vector<StateRoute> routes;
    std::vector<StateTunnel> tunnels;
    bool handoverPending = false;
    bool degraded = false;
    std::optional<std::string> waitingFor;

    // A member of a view: "member" or "coordinator" (what dmr-lab waits for).
    bool inView() const { return membership == "member" || membership == "coordinator"; }
    bool operator==(const State &) const = default;
};

Result<State> parseState(std::string_view resultJson);

// ---- get-history -------------------------------------------------------------------------------

// One failover: a node lost roles. Times in ms since the epoch, durations in ms; those that
// wait for the new routing points' word are nullopt (null) until it came.
struct Failover
{
    std::int64_t id = 0;
    NodeId node;
    std::string cause; // connection-lost, silent, lease-expired, left, drain, adapter, moved
    std::vector<std::string> roles; // "system-leader", "leader 10.0.1.0/24"
    // Role -> who took it over (nullopt: nobody could), in the order of the roles' names.
    std::vector<std::pair<std::string, std::optional<NodeId>>> successors;
    std::string viewId;
    std::int64_t silentMs = 0;
    std::int64_t failedMs = 0;
    std::int64_t detectedMs = 0;
    std::int64_t electedMs = 0;
    std::optional<std::int64_t> tunnelsUpMs;
    std::int64_t detectionMs = 0;
    std::int64_t electionMs = 0;
    std::optional<std::int64_t> tunnelsMs;
    std::optional<std::int64_t> totalMs;
    std::int64_t skewMs = 0;
    std::int64_t rev = 0;
    bool operator==(const Failover &) const = default;
};

struct History
{
    std::vector<Failover> failovers;
    Page page;
    bool operator==(const History &) const = default;
};

Result<History> parseHistory(std::string_view resultJson);
std::string encodeHistory(const History &history);

// ---- get-drills --------------------------------------------------------------------------------

struct Drill
{
    std::int64_t id = 0;
    std::string action; // kill, fail-adapter, drain, restore
    NodeId node;
    std::string iface; // empty: absent on the wire
    std::string reason;
    std::optional<std::int64_t> durationMs;
    std::string client;
    std::string role;     // empty: absent
    std::string identity; // empty: absent
    std::string via;      // empty: absent
    std::int64_t startedMs = 0;
    std::optional<std::int64_t> endedMs; // null while in force
    std::int64_t rev = 0;
    std::string forwardedTo; // a drill reply only: the agent that carried it out; empty: absent
    bool operator==(const Drill &) const = default;
};

struct Drills
{
    std::vector<Drill> drills;
    Page page;
    bool operator==(const Drills &) const = default;
};

Result<Drills> parseDrills(std::string_view resultJson);
// One record (a get-drills entry, or a drill reply's result).
Result<Drill> parseDrill(std::string_view recordJson);
std::string encodeDrills(const Drills &drills);
std::string encodeDrill(const Drill &drill);

// ---- get-reachability --------------------------------------------------------------------------

struct ReachabilityCell
{
    NodeId from;
    bool heard = false;
    std::int64_t received = 0;
    std::int64_t lost = 0;
    std::int64_t duplicates = 0;
    double loss = 0; // 0..1
    std::int64_t ageMs = 0;
    bool operator==(const ReachabilityCell &) const = default;
};

struct ReachabilityRow
{
    NodeId node;
    bool answered = false;
    bool inView = true; // a row that did not answer says whether the node is in the view
    bool probing = false;
    std::vector<ReachabilityCell> heard;
    const ReachabilityCell *cellFrom(const NodeId &sender) const;
    bool operator==(const ReachabilityRow &) const = default;
};

struct Reachability
{
    std::vector<NodeId> nodes;
    std::int64_t intervalMs = 0;
    NodeId askedBy;
    std::int64_t timeMs = 0;
    std::vector<ReachabilityRow> rows;
    bool operator==(const Reachability &) const = default;
};

Result<Reachability> parseReachability(std::string_view resultJson);

} // namespace dmr::reply
