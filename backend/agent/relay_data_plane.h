#pragma once
// The relay data plane: forwards multicast in user space over the plan's tunnels, unprivileged.
//
// What the agent hands it (DataPlane::apply): routes (this node routes network N on iface I)
// and tunnels (this node is the root or the leaf). From those it keeps a relay::Role and does
// what relay::decide says with every datagram:
//  - heard on a routed network's segment (SegmentIo), on a configured channel or the probe
//    channel: into every tunnel it holds, and onto its other routed networks;
//  - from a tunnel (one UDP socket on relay.port; 127.0.0.1 in loopback mode, every address in
//    os mode): onto its routed networks but the origin's, and at a root into the other tunnels;
//    relay::DedupeWindow first.
// The peer's tunnel port comes from its membership meta ("relay_port"); the address is the
// tunnel endpoint's (os mode) or 127.0.0.1 (loopback mode).
//
// Keepalives: every relay.keepalive_ms each end sends one into each tunnel; a tunnel is "up"
// while the peer was heard (keepalive or data) within keepalive_misses intervals, "down" after,
// "connecting" before the first. Counters per tunnel (packets, bytes, keepalives, drops), per
// channel range (ingested, emitted), drops by reason (relay::toString names).
//
// Reachability probe: every relay.probe_interval_ms a relay::Probe on the probe channel on every
// working network; probes heard (on a segment, or emitted here from a tunnel) go into a
// relay::Reachability. The probe channel is always relayed.
//
// Bounded everywhere: fixed recvmmsg/sendmmsg batches, no queue (a send the kernel refuses is a
// counted drop), a bounded dedupe window and reachability table, payloads up to
// relay::kPayloadBytesMax.
//
// What it does not do: tunnel datagrams are not authenticated (only accepted from the node ids
// of open tunnels); the datagrams it emits carry its own source address and a multicast TTL of
// 1 (the original source is in the tunnel header only); IPv4 only. A drained node routes
// nothing but keeps probing; a killed one (setHalted) neither hears nor sends.

#include "asio.h"
#include "config.h"
#include "data_plane.h"
#include "segment_io.h"
#include "udp_batch.h"

#include "dmr/relay.h"

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
    using PeerPort = std::function<std::optional<std::uint16_t>(const NodeId &)>;
    using Clock = std::function<std::int64_t()>; // milliseconds, wall-clock anchored

    RelayDataPlane(asio::io_context &io, NodeId self, AgentConfig::RelaySection config,
                   std::unique_ptr<SegmentIo> segments, PeerPort peerPort, Clock clock);
    ~RelayDataPlane() override;

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
    void writeMetrics(std::ostream &out, const std::string &nodeLabel) const;

    std::uint16_t tunnelPort() const { return port_; }
    // OS mode: where the other relays send onto segments from (SegmentIo::setRelaySources).
    void setRelaySources(std::set<std::pair<std::uint32_t, std::uint16_t>> sources);

private:
    struct TunnelState
    {
        Tunnel plan;
        NodeId peer;
        bool root = false;
        sockaddr_in to{};
        std::int64_t openedMs = 0;
        std::int64_t lastHeardMs = 0; // 0: never
        bool up = false;
        std::uint64_t flaps = 0;
        std::uint64_t packetsIn = 0, bytesIn = 0, packetsOut = 0, bytesOut = 0;
        std::uint64_t keepalivesIn = 0, keepalivesOut = 0;
        std::uint64_t duplicatesIn = 0; // dedupe drops of what came by this tunnel
        std::uint64_t sendDropped = 0;
    };
    struct ChannelStats
    {
        std::uint64_t ingested = 0; // heard on a routed segment and tunnelled
        std::uint64_t emitted = 0;  // put onto a segment
    };
    struct Segment
    {
        SegmentSpec spec;
        std::uint32_t network = 0; // host order
        std::uint8_t prefixLength = 0;
    };

    void onSegment(std::span<const SegmentPacket> packets);
    void ingest(std::size_t segment, std::uint32_t source, std::uint16_t sourcePort,
                std::uint32_t group, std::uint16_t port, std::span<const std::uint8_t> payload,
                std::size_t channel);
    bool onTunnelReadable(); // true when the socket is drained
    // Everything the tunnel socket holds now, under the current role (before a plan change).
    void readTunnelBacklog();
    void onTunnelDatagram(std::span<const std::uint8_t> bytes, std::int64_t nowMs);
    void sendTunnel(TunnelState &t, std::span<const std::uint8_t> datagram);
    void flushTunnel();
    void keepaliveTick();
    void probeTick();
    void hearProbe(std::span<const std::uint8_t> payload, const GroupName &heardOn);
    void rebuild();
    void openSegments(const std::vector<Interface> &working);
    std::optional<std::size_t> channelOf(std::uint32_t group, std::uint16_t port) const;
    void drop(std::string_view reason, std::uint64_t n = 1);
    void armTimer(asio::steady_timer &timer, int periodMs, void (RelayDataPlane::*tick)());

    asio::io_context &io_;
    NodeId self_;
    AgentConfig::RelaySection config_;
    std::unique_ptr<SegmentIo> segmentIo_;
    PeerPort peerPort_;
    Clock clock_;
    bool halted_ = false;
    std::uint32_t epoch_ = 0;
    std::uint64_t sequence_ = 0;
    std::uint64_t probeSequence_ = 0;
    std::uint64_t probesSent_ = 0;
    std::uint64_t keepaliveSequence_ = 0;

    int tunnelFd_ = -1;
    std::uint16_t port_ = 0;
    std::unique_ptr<udp::Watch> tunnelWatch_;
    udp::RecvBatch tunnelIn_;
    udp::SendBatch tunnelOut_;
    std::vector<std::uint8_t> scratch_ = std::vector<std::uint8_t>(udp::kSlotBytes);

    std::vector<Interface> working_;
    std::vector<Segment> segments_;
    std::vector<Route> routes_;
    std::map<NodeId, TunnelState, std::less<>> tunnels_;
    relay::Role role_;
    std::vector<std::size_t> routedSegments_;

    relay::DedupeWindow dedupe_;
    relay::Reachability reach_;
    std::vector<ChannelStats> channelStats_; // one per range, then the probe channel
    std::map<std::string, std::uint64_t, std::less<>> drops_;

    asio::steady_timer keepaliveTimer_;
    asio::steady_timer probeTimer_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
