#pragma once
// The agent's replies and events, typed (backend/PROTOCOL.md): hello, get-state (with its relay),
// get-cluster, subscribe, get-history, get-drills, get-views, get-reachability and the events.
// One schema for both sides: the agent writes get-cluster, get-history, get-drills, get-views and
// the subscribe reply with the encoders, and dmrctl, dmr-lab, the console's records and the tests
// read every reply with the parsers instead of picking fields out of JSON each their own way.
//
// The parsers take a reply's "result" object as JSON text (an event: its whole line), ignore
// fields they do not know (the protocol may add some; PROTOCOL.md, Versioning), and on a missing
// or mistyped field return an Error naming the reply, the field's path and the reason:
// `get-history: failovers[0].detected_ms: expected an integer, found string`. Fields an older
// agent leaves out are read as the type says (nullopt, Unknown, or a stated default). The
// encoders print exactly what the agent always sent (keys in alphabetical order, no spaces), so
// that PROTOCOL.md's examples still hold byte for byte.

#include "dmr/agent_message.h"
#include "dmr/model.h"
#include "dmr/plan.h"
#include "dmr/protocol.h"
#include "dmr/result.h"
#include "dmr/snapshot.h"
#include "dmr/view_log.h"

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
    std::string instance; // the agent process the revisions count in; empty: no cursors
    std::int64_t rev = 0; // ask with "since" this next time
    bool more = false;    // the page was cut at its limit
    bool operator==(const Page &) const = default;
};

// ---- Messages ----------------------------------------------------------------------------------

// One line from an agent as a client first reads it (PROTOCOL.md, Messages): a reply, an error
// or an event. A reply's result is kept as JSON text for its typed parser below; an event line is
// read whole by parseEvent.
struct Message
{
    enum class Type : std::uint8_t { Reply, Error, Event };
    Type type = Type::Reply;
    protocol::RequestId id;                // monostate: none, or null
    std::string code;                      // Error: "bad-field"; empty when absent
    std::string message;                   // Error: the agent's words; empty when absent
    std::vector<int> versions;             // Error "unsupported-protocol": the agent speaks these
    std::optional<std::string> resultJson; // Reply: its "result" object; nullopt: none
    bool operator==(const Message &) const = default;
};

// An Error for a line that is not JSON, not an object, of no known type or with an id that is
// neither an integer, a string nor null.
Result<Message> parseMessage(std::string_view line);

// ---- hello -------------------------------------------------------------------------------------

// Who answers: the hello reply (its encoder is protocol::encodeHelloReply).
struct Hello
{
    NodeId agent;
    std::string version; // "0.1.0"; empty when absent
    int protocol = 0;    // the session's version
    std::string role;    // the agent's in the cluster: member, group-leader, system-leader, ...
    bool isOperator = false;
    std::string clientRole; // viewer or operator; empty when absent
    std::string identity;   // token, a certificate's subject, anonymous; empty when absent
    bool operator==(const Hello &) const = default;
};

Result<Hello> parseHello(std::string_view resultJson);

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

// One action the node's data plane carried out (get-state's data_plane_log).
struct DataPlaneEntry
{
    std::int64_t timeMs = 0;
    std::string kind; // route, open-tunnel, update-tunnel, close-tunnel, unroute
    std::string text; // "route 2 eth0 10.0.1.0/24"
    bool operator==(const DataPlaneEntry &) const = default;
};

// One agent's own state: the fields every reader of get-state uses. The relay's object is
// RelayState's; the interfaces and the transport's counters stay in the JSON for those that
// print it whole (--json).
struct State
{
    NodeId node;
    std::optional<std::string> cluster; // its cluster.name
    std::string state;                  // up, drained, killed
    std::string role;                   // system-leader, group-leader, member, joining, ...
    std::string membership;             // joining, member, coordinator, degraded, stopped, ...
    std::optional<std::string> membershipBackend; // embedded, etcd
    std::string viewId;                           // "1.5"; empty before the first view
    std::optional<NodeId> coordinator;
    std::optional<NodeId> systemLeader;
    std::vector<GroupName> leads;
    std::vector<std::string> failedAdapters;
    std::vector<StateRoute> routes;
    std::vector<StateTunnel> tunnels;
    bool handoverPending = false;
    bool degraded = false;
    std::optional<std::string> waitingFor;
    std::vector<DataPlaneEntry> dataPlaneLog; // its last actions, oldest first

    // A member of a view: "member" or "coordinator" (what dmr-lab waits for).
    bool inView() const { return membership == "member" || membership == "coordinator"; }
    bool operator==(const State &) const = default;
};

Result<State> parseState(std::string_view resultJson);

// ---- get-state's relay: its tunnels, who listens, what each tunnel carries ----------------------

// A list of groups or networks that may be absent (an agent that predates the field does not send
// it), null (the field's own meaning: see where it is used) or a list.
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
    std::optional<bool> complete;        // false until a general query's response time passed
    std::optional<bool> querying;        // this node is the network's querier
    std::optional<std::string> querier;  // the elected querier's address; nullopt: none heard
    std::optional<std::int64_t> refused; // reports refused (over the table's bound)
    std::vector<ListenerGroup> groups;
    bool operator==(const NetworkListeners &) const = default;
};

// One tunnel end (relay.tunnels[]): its state, its counters and its wanted groups. Counters an
// older agent leaves out, and times before the peer was first heard (null), are nullopt.
struct RelayTunnel
{
    NodeId peer;
    std::string role;                  // root or leaf; empty when absent
    std::string address;               // where it sends, "10.0.2.6:7600"; empty when absent
    std::string state;                 // connecting, up, down; empty when absent
    std::optional<std::int64_t> ageMs; // since it was last heard
    std::optional<std::int64_t> packetsIn;
    std::optional<std::int64_t> bytesIn;
    std::optional<std::int64_t> packetsOut;
    std::optional<std::int64_t> bytesOut;
    std::optional<std::int64_t> keepalivesIn;
    std::optional<std::int64_t> keepalivesOut;
    std::optional<std::int64_t> duplicatesIn;
    std::vector<GroupName> networks; // what the plan's tunnel lists
    // What the leaf emits by the root's word: Null before the first word.
    GroupList carries;
    bool closing = false; // a leaf's end the plan closed, still emitting what came before
    // What goes into the tunnel towards the peer: Null is "no word from the peer yet: every
    // group goes in"; Unknown an agent that predates pruning.
    GroupList peerWants;
    // What this end told the peer: Null is "the peer does not speak wants".
    GroupList wantsSent;
    std::optional<std::int64_t> prunedPackets; // datagrams not sent in: the peer does not want them
    // Kept out of it by its rate limit (payload bytes); nullopt: an agent before rate limits.
    std::optional<std::int64_t> limitedPackets;
    std::optional<std::int64_t> limitedBytes;
    bool operator==(const RelayTunnel &) const = default;
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

// An integer field of a relay record and its name on the wire: the readers fill them from these
// tables, and a test of a real agent checks that its reply has every one.
template<typename Record>
struct CounterField
{
    std::optional<std::int64_t> Record::*member;
    std::string_view name;
};

inline constexpr CounterField<RelayTunnel> kTunnelCounters[] = {
    {&RelayTunnel::ageMs, "age_ms"},
    {&RelayTunnel::packetsIn, "packets_in"},
    {&RelayTunnel::bytesIn, "bytes_in"},
    {&RelayTunnel::packetsOut, "packets_out"},
    {&RelayTunnel::bytesOut, "bytes_out"},
    {&RelayTunnel::keepalivesIn, "keepalives_in"},
    {&RelayTunnel::keepalivesOut, "keepalives_out"},
    {&RelayTunnel::duplicatesIn, "duplicates_in"},
    {&RelayTunnel::prunedPackets, "pruned_packets"},
    {&RelayTunnel::limitedPackets, "limited_packets"},
    {&RelayTunnel::limitedBytes, "limited_bytes"},
};

inline constexpr CounterField<ChannelCounters> kChannelCounters[] = {
    {&ChannelCounters::ingested, "ingested"},
    {&ChannelCounters::emitted, "emitted"},
    {&ChannelCounters::limitedPackets, "limited_packets"},
    {&ChannelCounters::limitedBytes, "limited_bytes"},
    {&ChannelCounters::boundaryPackets, "boundary_packets"},
    {&ChannelCounters::belowThresholdPackets, "below_threshold_packets"},
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

// How the tunnel datagrams are sealed (relay.authentication).
struct RelayAuthentication
{
    std::string mac; // "AES-256-GCM", or "off"
    bool encrypt = false;
    bool operator==(const RelayAuthentication &) const = default;
};

// One kind of UDP offload (relay.offload.tunnel_gso, ...): on, or off and why.
struct OffloadState
{
    bool on = false;
    std::string why; // when off
    bool operator==(const OffloadState &) const = default;
};

struct RelayOffload
{
    std::optional<OffloadState> tunnelGso; // nullopt: absent or not an object
    std::optional<OffloadState> tunnelGro;
    std::optional<OffloadState> segmentGso;
    bool operator==(const RelayOffload &) const = default;
};

// One agent's get-state as the relay's readers use it: its node, leads and tunnels that cannot
// be, and the relay object (PROTOCOL.md, get-state).
struct RelayState
{
    NodeId node;
    std::vector<GroupName> leads;      // the networks this node routes
    std::vector<NoTunnel> noTunnels;   // the plan's tunnels of this node that cannot be
    bool relayOn = false;              // "relay" is an object (null: relay.enabled = false)
    std::string mode;                  // os or loopback
    std::optional<std::int64_t> port;  // its tunnel UDP port
    bool halted = false;               // a kill drill
    std::optional<std::int64_t> epoch; // this incarnation of its relay
    std::optional<RelayAuthentication> authentication;
    std::optional<RelayOffload> offload;
    // The networks it emits tunnel traffic onto: Null under a root that predates the carry.
    GroupList carries;
    std::optional<bool> prune;   // nullopt: an agent that predates pruning
    bool listenersKnown = false; // "listeners" present (an older agent has none)
    std::vector<NetworkListeners> listeners;
    std::vector<RelayTunnel> tunnels;
    std::vector<ChannelCounters> channels;
    std::optional<RelayLimits> limits; // nullopt: an agent before limits
    // The relay's drops by reason ("boundary", "rate-limit-tunnel", ...), as it counts them.
    std::map<std::string, std::int64_t, std::less<>> drops;

    const NetworkListeners *listenersOf(const GroupName &network) const;
    const RelayTunnel *tunnelTo(const NodeId &peer) const;
    bool operator==(const RelayState &) const = default;
};

// Reads a get-state result's node, leads, no_tunnels and relay. Fields an older agent leaves out
// are Unknown/nullopt; a field of the wrong type is an Error naming its path.
Result<RelayState> parseRelayState(std::string_view stateResultJson);

// ---- get-cluster -------------------------------------------------------------------------------

// One agent of the view, in join order.
struct ClusterAgent
{
    NodeId id;
    std::int64_t seq = 0;
    std::string membership; // its membership endpoint
    std::string control;    // its control endpoint, "127.0.0.1:25400"; empty when unknown
    bool operator==(const ClusterAgent &) const = default;
};

struct Cluster
{
    std::string viewId;                // "1.5"
    std::optional<NodeId> coordinator; // nullopt: none (etcd), or the agent has no view
    std::vector<ClusterAgent> agents;
    // Every node whose control address this agent knows (in the view or not), by id.
    std::map<NodeId, std::string> controlAddresses;
    Snapshot snapshot;
    bool operator==(const Cluster &) const = default;
};

Result<Cluster> parseCluster(std::string_view resultJson);
std::string encodeCluster(const Cluster &cluster);

// ---- subscribe ---------------------------------------------------------------------------------

// The subscribe reply; an agent that replays adds where its stream is (PROTOCOL.md, subscribe).
struct Subscribe
{
    bool events = true;        // following the stream
    std::string instance;      // empty: an agent without replay (the rest is then left out)
    std::int64_t seq = 0;      // the number of the last event published so far
    std::int64_t replayed = 0; // events that follow the reply
    bool missed = false;       // events the client had not seen were dropped
    bool operator==(const Subscribe &) const = default;
};

Result<Subscribe> parseSubscribe(std::string_view resultJson);
// {"events":true} alone when instance is empty.
std::string encodeSubscribe(const Subscribe &subscribe);

// ---- get-history -------------------------------------------------------------------------------

// One failover: a node lost roles. Times in ms since the epoch, durations in ms; those that
// wait for the new routing points' word are nullopt (null) until it came. An agent from before
// the phases leaves some out: failed_ms reads as detected_ms, the others as 0.
struct Failover
{
    std::int64_t id = 0;
    NodeId node;
    std::string cause; // connection-lost, silent, lease-expired, left, drain, adapter, moved
    std::vector<std::string> roles; // "system-leader", "leader 10.0.1.0/24"
    // Role -> who took it over (nullopt: nobody could), in the order of the roles' names.
    std::vector<std::pair<std::string, std::optional<NodeId>>> successors;
    std::string viewId; // empty when absent
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

// The reply's view of an agent's drill record.
Drill drillOf(const protocol::DrillRecord &record);

Result<Drills> parseDrills(std::string_view resultJson);
// One record (a get-drills entry, or a drill reply's result).
Result<Drill> parseDrill(std::string_view recordJson);
std::string encodeDrills(const Drills &drills);
std::string encodeDrill(const Drill &drill);

// ---- get-views ---------------------------------------------------------------------------------

// The oldest view kept, whole: where a client starts its log over.
struct ViewsBase
{
    std::int64_t rev = 0;
    std::string viewId;
    Snapshot snapshot;
    bool operator==(const ViewsBase &) const = default;
};

struct Views
{
    Page page;
    std::optional<ViewsBase> base; // nullopt (null): the client holds the log from the base on
    std::vector<ViewDelta> views;  // what changed in each later view, in order
    bool operator==(const Views &) const = default;
};

Result<Views> parseViews(std::string_view resultJson);
std::string encodeViews(const Views &views);

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

// ---- Events ------------------------------------------------------------------------------------

// One plan action of a plan-changed event.
struct EventAction
{
    std::string kind; // route, open-tunnel, update-tunnel, close-tunnel, unroute; empty: absent
    std::string text; // "route 2 eth0 10.0.1.0/24"
    bool operator==(const EventAction &) const = default;
};

// One event line (PROTOCOL.md, Events; the encoders are protocol::encodeViewChanged and the
// others). The typed fields are those of its kind, the others stay empty; `dataJson` keeps the
// data object as the agent sent it, for kinds and fields a reader does not know.
struct Event
{
    std::optional<protocol::EventKind> kind; // nullopt: a kind this build does not know
    std::string kindName;                    // the wire name: "view-changed"
    std::int64_t timeMs = 0;
    std::int64_t seq = 0; // its number in the agent's stream; 0 from one that does not number
    std::string viewId;   // view-changed, plan-changed, failover; empty when absent

    GroupName group;                   // view-changed, failover ("GL_group": the system leader)
    std::optional<NodeId> leader;      // view-changed: nullopt when the group is empty
    std::vector<Member> members;       // view-changed, in join order
    std::vector<EventAction> actions;  // plan-changed, opens before closes
    std::optional<NodeId> from;        // failover
    std::optional<NodeId> to;          // failover: nullopt when nobody took over
    std::optional<std::string> reason; // failover (the cause), drill; nullopt when absent
    std::string action;                // drill
    NodeId node;                       // drill
    std::string iface;                 // drill; empty when absent
    std::optional<std::int64_t> durationMs; // drill
    std::optional<std::string> client;      // drill
    std::string role;                       // drill; empty when absent
    std::string identity;                   // drill; empty when absent
    std::string dataJson;                   // the whole data object, in the agent's order
    bool operator==(const Event &) const = default;
};

// A whole event line: {"type":"event","event":KIND,"time_ms":T,"seq":N,"data":{...}}.
Result<Event> parseEvent(std::string_view line);

} // namespace dmr::reply
