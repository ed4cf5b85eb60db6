#pragma once
// The relay data plane: forwards multicast in user space over the plan's tunnels, unprivileged.
//
// What the agent hands it (DataPlane::apply): routes (this node routes network N on iface I)
// and tunnels (this node is the root or the leaf). Every decision is the relay::Engine's
// (dmr/relay_engine.h: the forwarding rule, each tunnel's lifecycle with carry, linger and
// release, the dedupe window); this class batches the socket I/O and carries them out:
//  - a datagram heard on a segment (SegmentIo) goes to Engine::fromSegment, a tunnel datagram
//    that passed the trust checks below to Engine::fromTunnel; what comes back (segments to
//    emit onto, tunnels to send into, with the header and ttl) is encoded, sealed and batched;
//  - the plan's actions go to Engine::applyPlan, then Engine::rebuild, the keepalive timer to
//    Engine::tick; the keepalives, carries and releases they return are sent in their order,
//    and in os mode each segment joins what the engine takes in there (Engine::segmentTakesIn:
//    with pruning, the groups some other network wants; syncJoins), as that changes.
// The tunnel socket is one UDP socket on relay.port (127.0.0.1 in loopback mode; in os mode
// every address of both families: an IPv6 socket that takes IPv4 too, as IPv4-mapped addresses,
// or an IPv4 one where the kernel has no IPv6). The peer's tunnel port comes from its membership
// meta ("relay_port"); the address is the tunnel endpoint's (os mode: IPv4 or IPv6, as the plan
// chose) or 127.0.0.1 (loopback mode).
//
// Trust: every datagram into a tunnel is sealed (tunnel_crypto.h) under the key of that
// direction (this node -> the peer) for the two nodes' current epochs, which each publishes in
// its membership meta ("relay_epoch"); the nonce is this node's hop sequence, one counter for
// every datagram it sends in this epoch. A datagram that comes in is checked, cheapest first,
// and dropped with its reason counted (get-state's relay "drops", /metrics, dmrctl tunnels):
//   1. its shape (relay::decode): truncated, old-version, bad-version, bad-flags, ...;
//   2. its hop is a node of the cluster with a relay: unknown-peer;
//   3. it comes from that node's advertised relay address: the source port is its relay_port,
//      and the source address 127.0.0.1 (loopback mode) or one of its interface addresses in
//      its meta (os mode): wrong-source;
//   4. it is made for the epochs of both ends now (the hop's meta, this node's own): stale-epoch
//      (a datagram from before either end restarted);
//   5. its hop sequence is fresh in the hop's relay::ReplayWindow: replayed;
//   6. its tag verifies (and an encrypted payload decrypts): bad-mac;
// and only then is its hop sequence recorded in the window and the datagram counted at all
// (liveness, carries, the dedupe window). The window and keys of a peer outlive its tunnels, so
// a tunnel that closes and opens again in the same epochs takes no replay of the first one.
//
// Keepalives: every relay.keepalive_ms each end sends one into each tunnel; a tunnel is "up"
// while the peer was heard (keepalive or data) within keepalive_misses intervals, "down" after,
// "connecting" before the first. Counters per tunnel (packets, bytes, keepalives, drops), per
// channel range (ingested, emitted), drops by reason (relay::toString names).
//
// Handover (relay.h, "Handover"; the engine decides it): a root tells each leaf in-band which
// networks it carries (on every change and with every keepalive); a leaf emits tunnel traffic
// only there, and a closing leaf keeps emitting until the root's farewell or the liveness
// deadline. A peer whose meta does not say "relay_carry" predates this: a leaf under such a
// root emits onto what it routes, as before.
//
// Pruning (relay.prune; relay.h, "Pruning"): a listen::Table per segment knows who listens
// there, from what the hosts say (loopback: listen frames on the segment, SegmentIo's listen
// handler; os mode: IGMP and MLD, which the agent's reader hands to hearReport/hearLeave/
// hearQuery). Every node keeps it for all its networks; where it routes it queries too. Each
// change of a network's wanted groups goes to Engine::setListening, whose wants go into the
// tunnels. In os mode pruning needs the reader (setQuerySender): without one it floods, and
// get-state says why.
//
// Reachability probe: every relay.probe_interval_ms a relay::Probe on the probe channel on every
// working network; probes heard (on a segment, or emitted here from a tunnel) go into a
// relay::Reachability. The probe channel is always relayed.
//
// Bounded everywhere: fixed recvmmsg/sendmmsg batches, no queue (a send the kernel refuses is a
// counted drop), a bounded dedupe window and reachability table, payloads up to
// relay::kPayloadBytesMax.
//
// What it does not do: the datagrams it emits carry its own source address and a multicast TTL
// of 1 (the original source is in the tunnel header only); what it hears on a segment is not
// authenticated (it is the applications' multicast). A drained node routes
// nothing but keeps probing; a killed one (setHalted) neither hears nor sends.
//
// The class is defined in five files: relay_data_plane.cpp (start, segments, the plan, timers),
// relay_datagrams.cpp (the socket batches), relay_trust.cpp (keys and checks),
// relay_listeners.cpp (pruning's listener tables, os mode's joins), relay_reporting.cpp
// (get-state, reachability, metrics).

#include "asio.h"
#include "config.h"
#include "data_plane.h"
#include "listen_io.h"
#include "segment_io.h"
#include "tunnel_crypto.h"
#include "udp_batch.h"

#include "dmr/listeners.h"
#include "dmr/prometheus.h"
#include "dmr/relay.h"
#include "dmr/relay_engine.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>

namespace dmr::agent {

class RelayDataPlane final : public DataPlane
{
public:
    struct Peer
    {
        std::uint16_t port = 0;           // its tunnel port (meta "relay_port")
        bool carry = false;               // it speaks the carry handover (meta "relay_carry")
        std::uint64_t epoch = 0;          // its relay epoch (meta "relay_epoch"); 0: not known
        std::vector<IpAddress> addresses; // its interface addresses, both families
        // The tunnel formats it speaks (meta "relay_versions", relay::tunnelVersionsOf); the
        // tunnel speaks the newest common one, and there is none with none in common.
        std::vector<int> versions = {relay::kTunnelVersion};
    };
    using PeerLookup = std::function<std::optional<Peer>(const NodeId &)>;
    using Clock = std::function<std::int64_t()>; // milliseconds, wall-clock anchored

    struct Trust
    {
        std::string clusterKey; // the key every tunnel key is derived from (cluster.key)
        // false: no MAC is made or checked (every other check stays). Not a configuration key:
        // only dmr-bench-relay's comparison sets it, and the data plane says so on stderr.
        bool authenticate = true;
        // A new epoch, greater than `previous`, for each start and revival; empty: the wall
        // clock's milliseconds since 2020 and 10 random bits (wallClockEpoch).
        std::function<std::uint64_t(std::uint64_t previous)> nextEpoch;
    };

    RelayDataPlane(asio::io_context &io, NodeId self, AgentConfig::RelaySection config,
                   std::unique_ptr<SegmentIo> segments, PeerLookup peers, Clock clock, Trust trust);
    ~RelayDataPlane() override;

    // Distinct for every incarnation (the key and nonce depend on it), ordered by start time,
    // and below 2^53 so that JSON readers keep it exact.
    static std::uint64_t wallClockEpoch(std::int64_t nowMs, std::uint64_t previous);

    // Binds the tunnel port, opens the segments of the working interfaces, starts the timers.
    // Errors name the key or the interface.
    Result<std::monostate> start(const std::vector<Interface> &working);
    // The interfaces that work now (after an adapter failure or recovery).
    void setInterfaces(const std::vector<Interface> &working);
    // A kill drill: nothing heard, nothing sent, as if the process had crashed. Reviving starts
    // a new epoch and forgets what was heard.
    void setHalted(bool halted);

    std::vector<std::string> apply(const std::vector<Action> &actions) override;
    std::vector<Tunnel> openTunnels() const override;
    std::vector<Route> activeRoutes() const override;

    // get-state's "relay" object, and this node's row of the reachability matrix.
    nlohmann::json stateJson() const;
    nlohmann::json reachabilityRow() const;
    // The relay's metric families, each sample labelled node="NODE".
    void writeMetrics(prometheus::Writer &out, const std::string &node) const;

    std::uint16_t tunnelPort() const { return port_; }
    // This incarnation's epoch, which the agent publishes in its meta ("relay_epoch").
    std::uint64_t epoch() const { return epoch_; }
    // The cluster's view changed: each peer's relay port, epoch and addresses are read again
    // (through the PeerLookup), and keys derived anew where an epoch changed.
    void peersChanged();
    // Where refused tunnel datagrams are told (rate-limited: one line per reason per 10 s, with
    // the first source and how many more); none: only counted.
    void setLog(std::function<void(const std::string &)> log) { log_ = std::move(log); }
    // OS mode: where the other relays send onto segments from (SegmentIo::setRelaySources).
    void setRelaySources(std::set<std::pair<IpAddress, std::uint16_t>> sources);

    // Who listens on a segment (its index in the working interfaces' order): what its hosts
    // said. A reporter names the host (IGMPv3, MLDv2, listen frames); none: IGMPv2, MLDv1.
    void hearReport(std::size_t segment, const IpAddress &group,
                    std::optional<listen::Reporter> reporter);
    void hearLeave(std::size_t segment, const IpAddress &group,
                   std::optional<listen::Reporter> reporter);
    // Another querier's query (group: a group-specific one).
    void hearQuery(std::size_t segment, const IpAddress &from, std::optional<IpAddress> group);
    // OS mode: where this node's queries go (the IGMP/MLD reader); pruning is on from then
    // (with relay.prune).
    using QuerySender = std::function<void(std::size_t segment, const listen::Query &)>;
    void setQuerySender(QuerySender send);
    // OS mode: how many of the relay's own sockets joined the group on the segment (0 or 1):
    // the relay joins, on a network it routes, what it takes in there (Engine::segmentTakesIn),
    // and its probe group everywhere; the kernel's tables hold them among this host's listeners.
    int ownJoins(std::size_t segment, const IpAddress &group) const
    {
        return segmentIo_->joined(segment, group);
    }
    // OS mode: the IGMP/MLD reader's side, for the listener tables and get-state: the address
    // this node's queries on a segment come from (for MLD the interface's link-local address,
    // which the querier election must compare; nullopt: the segment's own address), and the
    // reader's counters for a segment (nullopt: none). Empty functions: no reader.
    struct ReaderInfo
    {
        std::function<std::optional<IpAddress>(std::size_t segment)> querierAddress;
        std::function<std::optional<ListenCounters>(std::size_t segment)> counters;
    };
    void setReaderInfo(ReaderInfo info);
    // Whether this node prunes; when not, why.
    bool pruning() const { return engine_.config().prune; }
    std::string pruneOffReason() const;
    const listen::Table &listeners() const { return listeners_; }

private:
    // How this node reaches a tunnel's peer, and what it sent there: kept while the engine
    // holds the tunnel.
    struct Wire
    {
        udp::SockAddr to;
        IpAddress from;                      // os mode: the source address (this end's in the plan)
        int version = relay::kTunnelVersion; // the tunnel format both ends speak
        std::uint64_t packetsOut = 0, bytesOut = 0, keepalivesOut = 0;
    };
    // What this node knows of one peer's tunnel end, kept while the peer is in the cluster and
    // beyond (so a tunnel that reopens in the same epochs has the same window): at most
    // kAuthPeersMax, the least recently used evicted.
    struct PeerAuth
    {
        std::uint16_t port = 0;
        std::uint64_t epoch = 0;          // the peer's, from its meta
        std::vector<IpAddress> addresses; // os mode: where its datagrams may come from
        std::uint64_t keyedEpoch = 0;     // the peer's epoch the keys are for
        std::uint64_t keyedOwnEpoch = 0;  // this node's
        std::unique_ptr<TunnelKey> tx;    // this node -> the peer
        std::unique_ptr<TunnelKey> rx;    // the peer -> this node
        relay::ReplayWindow window;       // the peer's hop sequences, for rx
        std::uint64_t lastUse = 0;
    };
    static constexpr std::size_t kAuthPeersMax = 4096;
    struct ChannelStats
    {
        std::uint64_t ingested = 0; // heard on a routed segment and tunnelled
        std::uint64_t emitted = 0;  // put onto a segment
        // Not taken in: over the range's rate limit (relay.rate_limit_channel_*).
        std::uint64_t limitedPackets = 0, limitedBytes = 0;
        // Not taken in: its group is bounded on the network it was heard on (relay.boundaries,
        // relay.network_boundaries), or it came with a TTL below relay.threshold.
        std::uint64_t boundaryPackets = 0, belowThresholdPackets = 0;
    };
    struct Segment
    {
        SegmentSpec spec;
        IpAddress network;
        std::uint8_t prefixLength = 0;
    };

    void onSegment(std::span<const SegmentPacket> packets);
    // Carries out a decision about a datagram: the emissions, the tunnel sends, the effects.
    void execute(const relay::Forward &f, std::span<const std::uint8_t> payload);
    // Sends the engine's keepalives, carries and releases, and follows a change of the
    // networks routed here with the segments' joins.
    void execute(const relay::Effects &e);
    // A keepalive, carry or release into the tunnel's batch; false (counted) if it does not encode.
    bool sendControl(const relay::Control &c);
    std::vector<relay::SegmentNetwork> segmentNetworks() const;
    bool onTunnelReadable(); // true when the socket is drained
    // Everything the tunnel socket holds now, under the current role (before a plan change).
    void readTunnelBacklog();
    void onTunnelDatagram(std::span<std::uint8_t> bytes, const udp::SockAddr &from,
                          std::int64_t nowMs);
    // The peer's keys and window, made or brought up to date from the PeerLookup (refresh: read
    // it even when known). nullptr: not a node of the cluster with a relay.
    PeerAuth *authOf(std::string_view peer, bool refresh);
    void rekey(const NodeId &peer, PeerAuth &a);
    bool fromPeer(const PeerAuth &a, const udp::SockAddr &from) const;
    // A tunnel datagram refused by a trust or shape check: counted, and logged now and then.
    void refuse(std::string_view reason, const udp::SockAddr &from, std::string_view hop);
    // The tunnel socket's address for a peer's (an IPv4 one IPv4-mapped on an IPv6 socket).
    udp::SockAddr tunnelAddress(const IpAddress &address, std::uint16_t port) const;
    IpAddress tunnelSource(const IpAddress &own) const;
    // Sets the hop fields of an encoded datagram for the peer and seals it; false (counted)
    // when it cannot.
    bool seal(const NodeId &peer, std::span<std::uint8_t> datagram, std::size_t headerBytes,
              bool encrypted);
    // A copy of an encoded (unsealed) datagram into the peer's tunnel batch, sealed for it.
    void sendTunnel(const NodeId &peer, std::span<const std::uint8_t> plain,
                    std::size_t headerBytes, bool encrypted);
    // Encodes a datagram for one tunnel's format into the next batch slot and seals it; the
    // bytes, or 0 (counted) when it cannot.
    std::size_t encodeInto(const relay::Header &h, std::span<const std::uint8_t> payload,
                           const NodeId &peer, int version, bool encrypted);
    void flushTunnel();
    nlohmann::json offloadJson() const;
    nlohmann::json limitsJson() const; // the boundaries and limits in force
    void keepaliveTick();
    void probeTick();
    void hearProbe(std::span<const std::uint8_t> payload, const GroupName &heardOn);
    void openSegments(const std::vector<Interface> &working);
    void drop(std::string_view reason, std::uint64_t n = 1);
    void armTimer(asio::steady_timer &timer, int periodMs, void (RelayDataPlane::*tick)());
    // The listener tables follow the segments and what this node routes; their effects: the
    // queries sent, the engine told what each network wants.
    void syncListeners();
    // OS mode: the segments' joins follow what the engine takes in (when it changed, or the
    // segments were reopened); over the cap, said once in the log.
    void syncJoins();
    // The address the table compares heard queriers with on a segment.
    IpAddress querierAddressOf(std::size_t segment) const;
    void executeListen(listen::Effects e);
    void listenTick();
    void onListenFrame(std::size_t segment, const relay::ListenFrame &f,
                       const listen::Reporter &from);

    asio::io_context &io_;
    NodeId self_;
    AgentConfig::RelaySection config_;
    std::unique_ptr<SegmentIo> segmentIo_;
    PeerLookup peers_;
    Clock clock_;
    Trust trust_;
    bool halted_ = false;
    std::uint64_t epoch_ = 0;
    std::uint64_t hopSequence_ = 0; // every datagram sent into a tunnel in this epoch
    std::map<NodeId, PeerAuth, std::less<>> auth_;
    std::uint64_t authUses_ = 0;
    std::uint64_t probeSequence_ = 0;
    std::uint64_t probesSent_ = 0;

    int tunnelFd_ = -1;
    bool tunnelV6_ = false; // os mode: the tunnel socket is IPv6 (and takes IPv4, mapped)
    std::uint16_t port_ = 0;
    std::unique_ptr<udp::Watch> tunnelWatch_;
    // The tunnel socket's batches. Receive offload (UDP_GRO) needs slots of a whole run: kBatch
    // of kGroBytesMax (4 MiB, allocated once) when it is on, of one datagram when it is off.
    std::unique_ptr<udp::RecvBatch> tunnelIn_ = std::make_unique<udp::RecvBatch>();
    udp::SendBatch tunnelOut_;
    udp::Offload tunnelGro_;
    std::uint64_t groRuns_ = 0;      // buffers that held a run of datagrams
    std::uint64_t groDatagrams_ = 0; // the datagrams in them
    std::vector<std::uint8_t> scratch_ = std::vector<std::uint8_t>(udp::kSlotBytes);

    std::vector<Interface> working_;
    std::vector<Segment> segments_;
    relay::Engine engine_;
    std::map<NodeId, Wire, std::less<>> wires_;
    relay::Reachability reach_;
    std::vector<ChannelStats> channelStats_; // one per range, then the probe channel
    std::map<std::string, std::uint64_t, std::less<>> drops_;
    struct RefusalLog
    {
        std::int64_t loggedMs = 0;
        std::uint64_t held = 0;
    };
    static constexpr std::int64_t kRefusalLogIntervalMs = 10'000;
    std::map<std::string_view, RefusalLog> refusals_; // by reason (static strings)
    std::function<void(const std::string &)> log_;

    listen::Table listeners_;
    QuerySender querySender_;
    ReaderInfo readerInfo_;
    std::uint64_t joinsGeneration_ = 0;
    bool joinsStale_ = true; // the segments were (re)opened: joins to set whatever the generation
    SegmentIo::Joins joinsSet_;
    bool overCapLogged_ = false;

    asio::steady_timer keepaliveTimer_;
    asio::steady_timer probeTimer_;
    asio::steady_timer listenTimer_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
