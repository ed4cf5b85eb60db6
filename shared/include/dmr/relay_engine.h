#pragma once
// The relay's decisions, sans I/O: one relay::Engine per node holds its part of the plan (routes
// and tunnels), each tunnel's lifecycle (a named state machine: carry, linger, release) and the
// dedupe window, and decides what happens to every datagram. The agent's data plane
// (backend/agent/relay_data_plane.h) owns the sockets, the keys and the clock: it feeds the
// engine the plan's actions, the datagrams it heard (after its trust checks), the time, and
// carries out what the engine returns, in order. The property test (tests/core/tst_relay_sim.cpp)
// wires engines in memory and drives them through drains, kills and adapter failures.
//
// The forwarding rule (relay.h, "Forwarding" and "Handover", says why):
//  - from a segment this node routes, an application's datagram (not another relay's emission,
//    but a relay's own probe on its network): into the one tunnel a leaf sends to (its oldest
//    unreleased root) or every tunnel a root holds, and onto every other network it carries;
//    around a plan or carry change (handoverWindowMs) the DedupeWindow's cross-origin check
//    first: another routing point may have taken the same datagram in;
//  - from a tunnel: never this node's own, never at ttl 0, only a channel; a leaf emits only
//    onto what its root said it carries (nothing: dropped before the dedupe window sees it);
//    the dedupe window; onto every network it carries but the origin's; at a root (ttl > 1)
//    into every other tunnel it roots in the same phase (open, or lingering), never back to the
//    tunnel it came by or the origin. A new root that took a datagram from its old root (as a
//    leaf it released) emits it only onto its segments; the new routing point's copy of it,
//    when it comes, still goes to its other leaves (the old root does not reach them);
//  - a leaf tunnel this node released emits only onto networks this node still routes.
//
// A tunnel's lifecycle (TunnelPhase), at the leaf end:
//   Open --plan closes it, the root said what it carries--> Closing   (else: gone at once)
//   Closing --a newer root said what this node carries, or it roots tunnels itself, or it
//           routes networks with no open tunnel (the cluster's one routing point)--> Released
//           (the release goes into the tunnel: the last thing this node sends there)
//   Closing | Released --the root's farewell (an empty carry), or lingerMs--> gone
// and at the root end:
//   Open --the leaf's release--> Open (released noted)
//   Open --plan closes it, other tunnels stay rooted here, or the leaf predates carry--> gone
//        (a farewell first, to a leaf that speaks carry)
//   Open --plan closes this node's last rooted tunnels--> Lingering: it stays their hub, takes
//        in the networks it routed and emits onto those it carried, until every lingering leaf
//        released it or lingerMs passed; then the farewells, and gone
// and at either end, the plan opening it again --> Open (a carry word from before forgotten
// when the direction flips).

#include "dmr/diff.h"
#include "dmr/relay.h"
#include "dmr/relay_limits.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dmr::relay {

enum class TunnelPhase : std::uint8_t {
    Open,      // in this node's plan
    Closing,   // leaf: the plan closed it; emits what the root sent before it closed its end
    Released,  // leaf: closing, and this node sent its release (nothing more of it goes in)
    Lingering, // root: the plan took this node's last tunnels; their hub until released
};
std::string_view toString(TunnelPhase phase); // "open", "closing", "released", "lingering"

// One tunnel's state at this end.
struct TunnelState
{
    Tunnel plan;
    NodeId peer;
    bool root = false; // this node is the tunnel's root (the system leader's end)
    TunnelPhase phase = TunnelPhase::Open;
    // Root: the leaf released this node (it moved to a newer root); what ends a linger.
    bool leafReleased = false;
    bool peerCarries = false; // the peer speaks the carry handover (meta "relay_carry")
    std::int64_t openedMs = 0;
    std::int64_t closingSinceMs = 0;
    std::int64_t lastHeardMs = 0; // 0: never (liveness: "connecting")
    bool up = false;
    std::uint64_t flaps = 0;
    // Leaf: the networks the root last said this node carries (nullopt: no word yet), by
    // (epoch, sequence); root: what it last told the leaf.
    std::optional<std::set<GroupName>> carry;
    std::uint64_t carryEpoch = 0;
    std::uint64_t carrySequence = 0;
    std::vector<std::size_t> emitSegments; // leaf: where this tunnel's data goes
    std::uint64_t packetsIn = 0, bytesIn = 0, keepalivesIn = 0;
    std::uint64_t duplicatesIn = 0; // dedupe drops of what came by this tunnel
    // Into it: Config::tunnelLimit, and what it kept out (payload bytes).
    TokenBucket limit;
    std::uint64_t limitedPackets = 0, limitedBytes = 0;
    // Pruning (tunnel version 4): what the peer's side wants (nullopt: every group), and what
    // this end told it (wantsSaid: anything yet).
    bool peerPrunes = false;
    WantsReceiver peerWants;
    bool wantsSaid = false;
    std::optional<std::set<IpAddress>> wantsSent;
    std::uint64_t wantsSequence = 0;
    std::uint64_t prunedPackets = 0; // not sent into it: its peer does not want the group
};

// A network this node has a segment on, in the data plane's segment order (the indices the
// engine's decisions name).
struct SegmentNetwork
{
    GroupName network;
    IpAddress address; // the network's (its family is the segment's)
    std::uint8_t prefixLength = 0;
};

// A keepalive, carry or release to send into a tunnel, in the order given.
struct Control
{
    NodeId peer;
    Kind kind = Kind::Keepalive;
    std::uint64_t sequence = 0;
    std::vector<std::uint8_t> payload; // carry: encodeCarry
};

// What the engine asks of the data plane besides forwarding, in this order.
struct Effects
{
    std::vector<Control> controls;
    // The networks this node routes (routesNetwork) changed: its segments' joins follow.
    bool routesChanged = false;
    void append(Effects &&other);
};

// What to do with one datagram. The spans stay valid until the engine's next call.
struct Forward
{
    Drop drop = Drop::None;                // counted(drop): the data plane counts it
    std::optional<std::size_t> channel;    // the channel range's index; channels.size(): probe
    bool hearProbe = false;                // a probe heard on its segment: reachability
    bool ingested = false;                 // taken in here (the channel's "ingested")
    std::span<const std::size_t> segments; // emit onto these segments
    std::span<const NodeId> tunnels;       // and send into these tunnels, with `header`
    Header header;                         // ingest: the new datagram; tunnel: as received
    std::uint8_t ttl = 0;                  // the ttl to send with
    Effects effects;                       // from a carry or release
    std::size_t tunnelsLimited = 0;        // tunnels it was kept out of by their rate limit
    // Tunnels whose format cannot carry it (an IPv6 datagram, a peer that speaks tunnel
    // version 2 only): kept out before the rate limits are charged; counted as needs-tunnel-v3.
    std::size_t tunnelsUnfit = 0;
};

class Engine
{
public:
    struct Config
    {
        NodeId self;
        std::vector<ChannelRange> channels;
        Channel probeChannel;           // IPv4 networks' (relay.probe_channel)
        Channel probeChannelV6;         // IPv6 networks' (relay.probe_channel_v6)
        std::int64_t livenessMs = 1000; // a tunnel not heard for this long is down
        // How long a stepping-down root lingers, and a closing leaf tunnel waits for its
        // farewell, at most: longer than the agent's make-before-break timeout (2 s, the most
        // the nodes' closes can lie apart) plus a liveness deadline. Only a leaf that died makes
        // it wait that long.
        std::int64_t lingerMs = 5000;
        // After a plan or carry change, and after a tunnel brought a datagram of a network this
        // node routes (another node takes it in too), local ingests go through the dedupe
        // window's cross-origin check: this node's networks may have a second routing point for
        // a moment. The overlap ends at the next plan change (the closes); this covers what is
        // still in flight then.
        std::int64_t handoverWindowMs = 1000;
        std::size_t dedupeOrigins = 256;
        std::size_t dedupeFingerprints = 4096;
        std::int64_t dedupeWindowMs = 500;
        // Boundaries and limits (relay_limits.h). The probe channel is exempt from all of them:
        // it is the relays' own, and measures the path rather than using it.
        Boundaries boundaries;
        std::uint8_t threshold = 1; // the least IP TTL taken in from a segment (1: any)
        RateLimit tunnelLimit;      // each tunnel's, into it (payload bytes)
        // By channel range, at ingest (payload bytes); a range past its end is unlimited.
        std::vector<RateLimit> channelLimits;
        // Forward only what some network listens to (relay.h, "Pruning"); false floods.
        bool prune = false;
    };
    explicit Engine(Config config);

    // ---- Inputs that change the role ----
    // This incarnation's epoch (a new one after a restart or a revived kill drill: the origin
    // sequence starts again).
    void setEpoch(std::uint64_t epoch);
    // A new incarnation after a crash (a kill drill's revival): what the old one held is gone,
    // as in a process that starts again: no routes, no tunnels, no linger, no dedupe history.
    void restart(std::uint64_t epoch);
    // The segments of the working interfaces, in the data plane's order; then rebuild().
    void setSegments(std::vector<SegmentNetwork> segments);
    // This node's actions of a plan change (opens and closes; the data plane has dropped those
    // it cannot carry out), with whether each opened tunnel's peer speaks carry.
    Effects applyPlan(const std::vector<Action> &actions, const std::map<NodeId, bool> &peerCarries,
                      std::int64_t nowMs);
    // Pruning on or off (Config::prune): off floods; on, each pruning peer hears the wants.
    Effects setPrune(bool prune);
    // Whether a peer speaks the wants of tunnel version 4 (before applyPlan opens its tunnel).
    void setPeerPrunes(const NodeId &peer, bool prunes);
    // The tunnel format a peer speaks (relay::tunnelVersionWith, before applyPlan opens its
    // tunnel): what that format cannot carry is kept out of its tunnel (Forward::tunnelsUnfit),
    // and a version-4 peer prunes (setPeerPrunes). A peer never set speaks this build's.
    void setPeerVersion(const NodeId &peer, int version);
    // The groups some host on a network listens to now (listen::Table::wanted); nullopt: every
    // group (its listeners are not known yet), as for a network never set: what this node does
    // not know it floods (a routing point that restarted says "every group" for the networks it
    // routes until its tables are complete, never "none"). Returns the wants to tell the peers.
    Effects setListening(const GroupName &network, std::optional<std::set<IpAddress>> groups);
    // What goes where, with pruning: whether a segment's network wants a group, and whether
    // this node takes a group in at all (some peer or network wants it).
    bool segmentWants(std::size_t segment, const IpAddress &group) const;
    const std::map<GroupName, std::optional<std::set<IpAddress>>> &listening() const
    {
        return listening_;
    }
    // The groups this node takes in from a segment, which os mode joins there (so a routing
    // point's joins are bounded by what is wanted, not by the channel ranges): with pruning, those
    // of its family within a channel range and not bounded on it that another network it emits
    // onto, or the peer of a tunnel it sends into, wants: exactly the groups fromSegment would
    // not drop as not-wanted. nullopt: every group of the ranges (no pruning, or such a network
    // or peer whose wants are not known yet). None where it does not route (nor lingers).
    std::optional<std::set<IpAddress>> segmentTakesIn(std::size_t segment) const;
    // Counts every change of what segmentTakesIn may answer (routes, tunnels, carries, wants,
    // pruning): the data plane asks again only when it moved.
    std::uint64_t takesInGeneration() const { return takesInGeneration_; }
    // Derives who sends where from the tunnels' phases and carries: after applyPlan (the data
    // plane reads the tunnels' backlog in between, under the old role) and after setSegments.
    Effects rebuild();
    // Every keepalive interval: liveness, keepalives, the root's repeated carries, and the
    // closing and lingering tunnels whose time is up.
    Effects tick(std::int64_t nowMs);

    // ---- Datagrams ----
    // Heard on a segment (its index), from an application or a relay (relayed).
    // A group of the other family than the segment's network is dropped (other-family): it
    // would be emitted only onto networks of its own family. An IPv4 source of an IPv6 group
    // (loopback mode) is carried as its IPv4-mapped address. ipTtl: the IP TTL or hop limit it
    // was heard with, for the threshold (nullopt: not known, not checked).
    Forward fromSegment(std::size_t segment, const IpAddress &source, std::uint16_t sourcePort,
                        const IpAddress &group, std::uint16_t port,
                        std::span<const std::uint8_t> payload, bool relayed, std::int64_t nowMs,
                        std::optional<std::uint8_t> ipTtl = std::nullopt);
    // This node's own probe, sent on a segment (on its family's probe channel): taken in as if
    // heard there when it routes it.
    Forward ownProbe(std::size_t segment, const IpAddress &source,
                     std::span<const std::uint8_t> payload, std::int64_t nowMs);
    // The probe channel of a segment's family.
    const Channel &probeChannelOf(std::size_t segment) const;
    // A tunnel datagram that passed the trust checks (shape, hop, source, epochs, replay, MAC),
    // with its payload in clear; wireBytes counts it.
    Forward fromTunnel(const Header &h, std::span<const std::uint8_t> payload,
                       std::size_t wireBytes, std::int64_t nowMs);

    // ---- What it holds ----
    const std::map<NodeId, TunnelState, std::less<>> &tunnels() const { return tunnels_; }
    const std::vector<Route> &routes() const { return routes_; }
    std::vector<Tunnel> openTunnels() const;
    // The network is routed here (or still taken in while lingering): its segment joins the
    // channel groups.
    bool routesNetwork(const GroupName &network) const;
    bool routesSegment(std::size_t segment) const;
    // What this node emits its own ingests onto (nullopt before the first rebuild).
    const std::optional<std::set<GroupName>> &carried() const { return carried_; }
    std::uint64_t sequence() const { return sequence_; }
    bool lingering() const;
    std::optional<std::size_t> channelOf(const IpAddress &group, std::uint16_t port) const;
    const Config &config() const { return config_; }

private:
    Forward ingest(std::size_t segment, const IpAddress &source, std::uint16_t sourcePort,
                   const IpAddress &group, std::uint16_t port,
                   std::span<const std::uint8_t> payload, std::size_t channel, std::int64_t nowMs,
                   bool lingering);
    void onCarry(TunnelState &t, const Header &h, std::span<const std::uint8_t> payload,
                 std::int64_t nowMs, Effects &out);
    void sendCarry(TunnelState &t, const std::set<GroupName> &networks, Effects &out);
    void endLinger(Effects &out);
    void endLingerIfReleased(Effects &out);
    void rebuildInto(Effects &out);
    std::vector<std::size_t> segmentsOf(const std::set<GroupName> &networks) const;
    // Boundaries and limits: why a datagram heard on a routed segment is not taken in (None:
    // it is); a bounded group is not emitted onto a segment either; the tunnels a datagram
    // goes into, less those over their rate limit.
    Drop scopeDrop(std::size_t segment, const IpAddress &group, std::size_t channel,
                   std::optional<std::uint8_t> ipTtl) const;
    bool boundedOn(std::size_t segment, const IpAddress &group, std::size_t channel) const;
    void limitTunnels(Forward &f, std::size_t bytes, std::int64_t nowMs);
    bool peerWants(const TunnelState &t, const IpAddress &group) const;
    // Tells each pruning peer what this node's side wants now (full: the whole set, the
    // periodic refresh).
    void refreshWants(Effects &out, bool full);
    std::optional<std::set<IpAddress>> wantsFor(const TunnelState &t) const;

    Config config_;
    std::uint64_t epoch_ = 0;
    std::uint64_t sequence_ = 0; // origin sequence, per epoch
    std::vector<SegmentNetwork> segments_;
    std::vector<Route> routes_;
    std::map<NodeId, TunnelState, std::less<>> tunnels_;
    std::set<GroupName> routed_;
    std::vector<std::size_t> routedSegments_; // taken in from
    std::vector<bool> isRouted_;              // by segment
    std::optional<std::set<GroupName>> carried_;
    std::vector<std::size_t> emitSegments_; // what this node carries (the root's, a leaf's own)
    std::int64_t handoverUntilMs_ = 0;
    CarryBook book_;                  // as a root
    std::vector<NodeId> ingestPeers_; // where what it takes in goes
    std::vector<NodeId> lingerPeers_; // the tunnels it lingers on
    // A root stepping down: what it routed and emitted onto, kept while it lingers.
    std::vector<Route> lingerRoutes_;
    std::vector<std::size_t> lingerRouted_;
    std::vector<bool> isLingerRouted_;
    std::set<GroupName> lingerCarried_;
    std::vector<std::size_t> lingerEmit_;
    std::int64_t lingerUntilMs_ = 0;
    std::uint64_t carrySequence_ = 0;
    std::uint64_t controlSequence_ = 0; // keepalives and releases
    // Carries from roots this node holds no tunnel with yet (it applies the plan after them).
    struct EarlyCarry
    {
        std::uint64_t epoch = 0;
        std::uint64_t sequence = 0;
        std::vector<std::uint8_t> payload;
        std::int64_t atMs = 0;
    };
    static constexpr std::size_t kEarlyCarriesMax = 64;
    std::map<NodeId, EarlyCarry, std::less<>> earlyCarry_;
    DedupeWindow dedupe_;
    std::set<NodeId> prunesPeers_;
    std::map<NodeId, int, std::less<>> olderPeers_; // peers whose format cannot carry IPv6
    std::map<GroupName, std::optional<std::set<IpAddress>>> listening_;
    // By segment: nullptr no word yet (every group), else its listening_ entry.
    std::vector<const std::optional<std::set<IpAddress>> *> segmentWants_;
    int wantsTicks_ = 0;
    std::vector<NodeId> ingestScratch_;    // an ingest's tunnels, pruned
    std::vector<std::size_t> emitScratch_; // a decision's segments (no allocation per datagram)
    std::vector<NodeId> fanScratch_;       // a root's fan-out
    // Datagrams this node took from an old root while it roots open tunnels itself: emitted
    // onto its segments, not fanned out. The same datagram taken in by the new routing point
    // of its network (a cross-origin copy, by fingerprint) still goes to the other leaves.
    struct Unfanned
    {
        std::uint64_t fingerprint = 0;
        std::int64_t atMs = 0;
        bool used = false;
    };
    std::array<Unfanned, 64> unfanned_{};
    std::size_t unfannedNext_ = 0;
    bool takeUnfanned(std::uint64_t fingerprint, std::int64_t now);
    // Relay emissions heard on a network this node routes, in a handover: the old routing point
    // of a network (one that routed several alone, emitting between them itself) put the
    // datagram there already, so the tunnel's copy of it is not emitted there again. Matched by
    // group, port and payload (an emission heard on a segment carries no origin), each heard
    // copy cancelling one tunnel copy, within the dedupe window.
    struct HeardEmission
    {
        std::size_t segment = 0;
        std::uint64_t fingerprint = 0;
        std::int64_t atMs = 0;
        bool used = false;
    };
    std::array<HeardEmission, 64> heard_{};
    std::size_t heardNext_ = 0;
    std::int64_t heardUntilMs_ = -1; // none is live after this
    static std::uint64_t segmentFingerprint(const IpAddress &group, std::uint16_t port,
                                            std::span<const std::uint8_t> payload);
    bool takeHeard(std::size_t segment, std::uint64_t fingerprint, std::int64_t now);
    void fanOut(Forward &f, const TunnelState &from, const Header &h, bool lingeringHub);
    std::vector<NodeId> limitScratch_;                   // the tunnels within their rate limit
    std::vector<std::vector<Prefix>> segmentBoundaries_; // by segment
    std::vector<TokenBucket> channelBuckets_;            // by channel range
    std::uint64_t takesInGeneration_ = 0;
};

} // namespace dmr::relay
