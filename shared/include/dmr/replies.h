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
#include <map>
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

// ---- get-state's relay: who listens, what each tunnel carries -----------------------------------

// A list of groups that may be absent (an agent before listening, issue 18, does not send the
// field), null (the field's own meaning: see where it is used) or a list.
struct GroupList
{
    enum class Kind : std::uint8_t { Unknown, Null, Listed };
    Kind kind = Kind::Unknown;
    std::vector<std::string> groups; // Listed only, as the agent sorted them
    bool operator==(const GroupList &) const = default;
};

// One group a network's listeners want (relay.listeners[].groups[]). What an older agent leaves
// out is nullopt.
struct ListenerGroup
{
    std::string group;
    std::optional<std::int64_t> ageMs;       // since the first report
    std::optional<std::int64_t> expiresInMs; // until the membership times out without a report
    std::optional<std::int64_t> reporters;
    bool operator==(const ListenerGroup &) const = default;
};

// One segment of the node: the listener table it keeps (it snoops where it does not route).
struct NetworkListeners
{
    GroupName network;
    std::optional<bool> querying;        // this node is the network's querier
    std::optional<std::string> querier;  // the elected querier's address; nullopt: none heard
    std::optional<std::int64_t> refused; // reports refused (over the table's bound)
    std::vector<ListenerGroup> groups;
    bool operator==(const NetworkListeners &) const = default;
};

// One tunnel end's wanted groups (relay.tunnels[]).
struct TunnelWants
{
    NodeId peer;
    std::string role;  // root or leaf; empty when absent
    std::string state; // connecting, up, down; empty when absent
    std::vector<GroupName> networks;
    // What goes into the tunnel towards the peer: Null is "no word from the peer yet: every
    // group goes in"; Unknown an agent that predates pruning.
    GroupList peerWants;
    // What this end told the peer: Null is "the peer does not speak wants".
    GroupList wantsSent;
    std::optional<std::int64_t> prunedPackets; // datagrams not sent in: the peer does not want them
    // Kept out of it by its rate limit (payload bytes); nullopt: an agent before rate limits.
    std::optional<std::int64_t> limitedPackets;
    std::optional<std::int64_t> limitedBytes;
    bool operator==(const TunnelWants &) const = default;
};

// One channel range's counters (relay.channels[]), the probe channel last. What an older agent
// leaves out is nullopt.
struct ChannelCounters
{
    std::string channel; // "239.1.0.0/16:5000-5100", "... (probe)"
    std::optional<std::int64_t> ingested;
    std::optional<std::int64_t> emitted;
    std::optional<std::int64_t> limitedPackets; // over the range's rate limit
    std::optional<std::int64_t> limitedBytes;
    std::optional<std::int64_t> boundaryPackets;       // its group is bounded where it was heard
    std::optional<std::int64_t> belowThresholdPackets; // heard with a TTL below the threshold
    bool operator==(const ChannelCounters &) const = default;
};

// A token bucket in force (relay.limits.tunnel / .channel); 0: that dimension is not limited.
struct RateLimit
{
    std::int64_t bytesPerS = 0;
    std::int64_t datagramsPerS = 0;
    std::int64_t burstBytes = 0;
    std::int64_t burstDatagrams = 0;
    bool operator==(const RateLimit &) const = default;
};

// The boundaries, threshold and rate limits in force (relay.limits).
struct RelayLimits
{
    std::vector<std::string> boundaries; // global scoped prefixes
    // Network -> its own scoped prefixes, by network.
    std::vector<std::pair<std::string, std::vector<std::string>>> networkBoundaries;
    std::optional<std::int64_t> threshold;
    std::optional<RateLimit> tunnel; // nullopt: unlimited
    std::optional<RateLimit> channel;
    bool operator==(const RelayLimits &) const = default;
};

// The listeners and wanted groups in one agent's get-state.
struct RelayListeners
{
    NodeId node;
    std::vector<GroupName> leads; // the networks this node routes
    bool relayOn = false;         // "relay" is an object (null: relay.enabled = false)
    std::optional<bool> prune;    // nullopt: an agent that predates pruning
    bool listenersKnown = false;  // "listeners" present (an older agent has none)
    std::vector<NetworkListeners> listeners;
    std::vector<TunnelWants> tunnels;
    std::vector<ChannelCounters> channels;
    std::optional<RelayLimits> limits; // nullopt: an agent before limits
    // The relay's drops by reason ("boundary", "rate-limit-tunnel", ...), as it counts them.
    std::map<std::string, std::int64_t, std::less<>> drops;

    const NetworkListeners *listenersOf(const GroupName &network) const;
    const TunnelWants *tunnelTo(const NodeId &peer) const;
    bool operator==(const RelayListeners &) const = default;
};

// Reads a get-state result's node, leads and relay. Fields an older agent leaves out are
// Unknown/nullopt; a field of the wrong type is an Error naming its path.
Result<RelayListeners> parseRelayListeners(std::string_view stateResultJson);

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
