// The relay data plane's life (relay_data_plane.h says what it is, and where its other parts
// are): construction, start, the segments of the working interfaces, a kill drill, the plan's
// actions handed to the engine and the effects it returns, the keepalive and probe timers.
#include "relay_data_plane.h"

#include <algorithm>
#include <iostream>
#include <random>

#include <unistd.h>

namespace dmr::agent {

namespace {

// The drop reasons of the trust checks (relay_data_plane.h), present from the start in
// get-state and /metrics so that a dashboard sees them at 0.
constexpr std::string_view kTrustDrops[] = {"truncated",   "old-version", "wrong-source",
                                            "stale-epoch", "replayed",    "bad-mac"};
// And those of the boundaries and limits.
constexpr relay::Drop kLimitDrops[] = {relay::Drop::Boundary, relay::Drop::BelowThreshold,
                                       relay::Drop::RateLimitChannel, relay::Drop::RateLimitTunnel};

relay::Engine::Config engineConfig(const NodeId &self, const AgentConfig::RelaySection &c)
{
    relay::Engine::Config e;
    e.self = self;
    e.channels = c.channels;
    e.probeChannel = c.probeChannel;
    e.probeChannelV6 = c.probeChannelV6;
    e.livenessMs = static_cast<std::int64_t>(c.keepaliveMs) * c.keepaliveMisses;
    e.boundaries = relay::Boundaries(c.boundaries, c.networkBoundaries);
    e.threshold = static_cast<std::uint8_t>(c.threshold);
    e.tunnelLimit = c.effectiveTunnelLimit();
    e.channelLimits.assign(c.channels.size(), c.effectiveChannelLimit());
    // os mode prunes once the IGMP/MLD reader is there (setQuerySender).
    e.prune = c.prune && c.mode == RelayMode::Loopback;
    return e;
}

listen::Config listenConfig(const AgentConfig::RelaySection &c)
{
    listen::Config l;
    l.robustness = c.robustness;
    l.queryIntervalMs = c.queryIntervalMs;
    l.queryResponseMs = c.queryResponseMs;
    l.lastMemberQueryIntervalMs = c.lastMemberQueryMs;
    l.lastMemberQueryCount = c.robustness;
    return l;
}

} // namespace

std::uint64_t RelayDataPlane::wallClockEpoch(std::int64_t nowMs, std::uint64_t previous)
{
    constexpr std::int64_t k2020Ms = 1577836800000; // 2020-01-01T00:00:00Z
    constexpr std::uint64_t kBelow2To53 = (std::uint64_t{1} << 53) - 1;
    // Two incarnations never share an epoch: a restart takes longer than a millisecond, and the
    // random bits cover a clock that was set back onto an earlier start.
    static std::mt19937_64 random{std::random_device{}()};
    const auto ms = static_cast<std::uint64_t>(std::max<std::int64_t>(0, nowMs - k2020Ms));
    return std::max(((ms << 10) | (random() & 0x3ff)) & kBelow2To53, previous + 1);
}

RelayDataPlane::RelayDataPlane(asio::io_context &io, NodeId self, AgentConfig::RelaySection config,
                               std::unique_ptr<SegmentIo> segments, PeerLookup peers, Clock clock,
                               Trust trust)
    : io_(io)
    , self_(std::move(self))
    , config_(std::move(config))
    , segmentIo_(std::move(segments))
    , peers_(std::move(peers))
    , clock_(std::move(clock))
    , trust_(std::move(trust))
    , engine_(engineConfig(self_, config_))
    , listeners_(listenConfig(config_))
    , keepaliveTimer_(io)
    , probeTimer_(io)
    , listenTimer_(io)
{
    channelStats_.resize(config_.channels.size() + 1);
    if (!trust_.nextEpoch)
        trust_.nextEpoch = [this](std::uint64_t previous) {
            return wallClockEpoch(clock_(), previous);
        };
    for (const auto reason : kTrustDrops)
        drops_.emplace(std::string(reason), 0);
    for (const auto reason : kLimitDrops)
        drops_.emplace(std::string(relay::toString(reason)), 0);
    if (!trust_.authenticate)
        std::cerr << "dmr relay " << self_
                  << ": WARNING: tunnel authentication is OFF: any host that can send to the "
                     "tunnel port can inject multicast into every network. This is for "
                     "dmr-bench-relay's comparison only.\n";
}

RelayDataPlane::~RelayDataPlane()
{
    *alive_ = false;
    keepaliveTimer_.cancel();
    probeTimer_.cancel();
    listenTimer_.cancel();
    if (segmentIo_)
        segmentIo_->close();
    tunnelWatch_.reset(); // closes tunnelFd_
}

Result<std::monostate> RelayDataPlane::start(const std::vector<Interface> &working)
{
    epoch_ = trust_.nextEpoch(epoch_);
    engine_.setEpoch(epoch_);
    // os mode: one socket for both families where the kernel has IPv6 (IPv4 peers as
    // IPv4-mapped addresses), else an IPv4 one; loopback mode: 127.0.0.1.
    const auto port = static_cast<std::uint16_t>(config_.port);
    udp::SockAddr at(udp::v4Addr(INADDR_LOOPBACK, port));
    tunnelV6_ = false;
    if (config_.mode == RelayMode::Os) {
        tunnelFd_ = udp::udpSocket(AF_INET6);
        tunnelV6_ = tunnelFd_ >= 0;
        if (tunnelV6_) {
            udp::setInt(tunnelFd_, IPPROTO_IPV6, IPV6_V6ONLY, 0);
            at = udp::SockAddr(IpAddress::v6({}), port);
        } else {
            tunnelFd_ = udp::udpSocket();
            at = udp::SockAddr(udp::v4Addr(INADDR_ANY, port));
        }
    } else {
        tunnelFd_ = udp::udpSocket();
    }
    udp::setInt(tunnelFd_, SOL_SOCKET, SO_RCVBUF, 4 << 20);
    udp::setInt(tunnelFd_, SOL_SOCKET, SO_SNDBUF, 4 << 20);
    if (tunnelFd_ < 0 || ::bind(tunnelFd_, &at.sa, at.size()) != 0) {
        const std::string e = udp::sysError("relay.port " + udp::hostPortText(at));
        if (tunnelFd_ >= 0)
            ::close(tunnelFd_);
        tunnelFd_ = -1;
        return Error{e};
    }
    port_ = udp::boundPort(tunnelFd_);
    // Offload (udp_batch.h): what the kernel takes, unless relay.udp_offload turns it off.
    const udp::Offload off{false, "relay.udp_offload = false"};
    tunnelOut_.gso = config_.udpOffload ? udp::kernelGso() : off;
    tunnelGro_ = config_.udpOffload ? udp::kernelGro() : off;
    if (tunnelGro_.on &&
        ::setsockopt(tunnelFd_, SOL_UDP, UDP_GRO, &tunnelGro_.on, sizeof(int)) != 0)
        tunnelGro_ = {false, udp::sysError("UDP_GRO on the tunnel socket")};
    const std::size_t slot = tunnelGro_.on ? udp::kGroBytesMax : udp::kSlotBytes;
    if (tunnelIn_->slotBytes != slot)
        tunnelIn_ = std::make_unique<udp::RecvBatch>(slot);
    segmentIo_->allowOffload(config_.udpOffload);
    tunnelWatch_ =
        std::make_unique<udp::Watch>(io_, tunnelFd_, [this] { return onTunnelReadable(); });
    working_ = working;
    segments_.clear();
    std::vector<SegmentSpec> specs;
    for (const auto &i : working_)
        specs.push_back({i.group(), i.name, i.address.address(), false});
    segmentIo_->setListenHandler(
        [this](std::size_t segment, const relay::ListenFrame &f, const listen::Reporter &from) {
            onListenFrame(segment, f, from);
        });
    if (auto r = segmentIo_->open(specs, [this](auto packets) { onSegment(packets); }); !r)
        return r.error();
    joinsStale_ = true;
    for (const auto &s : specs) {
        const auto p = Prefix::parse(s.network);
        segments_.push_back(
            {s, p ? p->address() : IpAddress(), static_cast<std::uint8_t>(p ? p->length() : 0)});
    }
    engine_.setSegments(segmentNetworks());
    execute(engine_.rebuild());
    syncListeners();
    armTimer(keepaliveTimer_, config_.keepaliveMs, &RelayDataPlane::keepaliveTick);
    armTimer(listenTimer_, std::max(50, config_.lastMemberQueryMs / 2),
             &RelayDataPlane::listenTick);
    if (config_.probeIntervalMs > 0)
        armTimer(probeTimer_, config_.probeIntervalMs, &RelayDataPlane::probeTick);
    return std::monostate{};
}

void RelayDataPlane::armTimer(asio::steady_timer &timer, int periodMs,
                              void (RelayDataPlane::*tick)())
{
    timer.expires_after(std::chrono::milliseconds(periodMs));
    auto alive = alive_;
    timer.async_wait([this, alive, &timer, periodMs, tick](const error_code &ec) {
        if (ec || !*alive)
            return;
        (this->*tick)();
        armTimer(timer, periodMs, tick);
    });
}

std::vector<relay::SegmentNetwork> RelayDataPlane::segmentNetworks() const
{
    std::vector<relay::SegmentNetwork> out;
    for (const auto &s : segments_)
        out.push_back({s.spec.network, s.network, s.prefixLength});
    return out;
}

void RelayDataPlane::openSegments(const std::vector<Interface> &working)
{
    std::vector<SegmentSpec> specs;
    for (const auto &i : working)
        specs.push_back({i.group(), i.name, i.address.address(), engine_.routesNetwork(i.group())});
    std::vector<SegmentSpec> current;
    for (const auto &s : segments_)
        current.push_back(s.spec);
    // Loopback segments hear every channel anyway: only the set of networks matters there.
    auto withoutRelay = [](std::vector<SegmentSpec> v) {
        for (auto &s : v)
            s.relay = false;
        return v;
    };
    // Nor in os mode: what is routed changes only the joins (syncJoins), not the sockets.
    if (withoutRelay(specs) != withoutRelay(current)) {
        if (auto r = segmentIo_->open(specs, [this](auto packets) { onSegment(packets); }); !r) {
            drop("segment-open-failed");
            if (log_)
                log_("relay: segments: " + r.error().message);
        }
        joinsStale_ = true;
    }
    segments_.clear();
    for (const auto &s : specs) {
        const auto p = Prefix::parse(s.network);
        segments_.push_back(
            {s, p ? p->address() : IpAddress(), static_cast<std::uint8_t>(p ? p->length() : 0)});
    }
}

void RelayDataPlane::setInterfaces(const std::vector<Interface> &working)
{
    if (working == working_)
        return;
    working_ = working;
    openSegments(working_);
    engine_.setSegments(segmentNetworks());
    execute(engine_.rebuild());
    syncListeners();
    flushTunnel();
}

void RelayDataPlane::setRelaySources(std::set<std::pair<IpAddress, std::uint16_t>> sources)
{
    segmentIo_->setRelaySources(std::move(sources));
}

void RelayDataPlane::drop(std::string_view reason, std::uint64_t n)
{
    auto it = drops_.find(reason);
    if (it == drops_.end())
        it = drops_.emplace(std::string(reason), 0).first;
    it->second += n;
}

void RelayDataPlane::setHalted(bool halted)
{
    if (halted == halted_)
        return;
    halted_ = halted;
    if (!halted) {
        // A new incarnation: new keys with every peer (authOf derives them when next used),
        // its hop and origin sequences start again under them, and nothing of what the old
        // one held (tunnels closing or lingering since the kill) outlives it.
        epoch_ = trust_.nextEpoch(epoch_);
        engine_.restart(epoch_);
        wires_.clear();
        openSegments(working_);
        hopSequence_ = 0;
        probeSequence_ = 0;
        reach_.clear();
    }
    // A killed node queries nowhere; revived, where it routes again. (Its listener tables
    // stay, as the engine's: what the hosts said is not the crash's to lose in a drill.)
    syncListeners();
    syncJoins();
}

// ---- Plan --------------------------------------------------------------------------------------

std::vector<std::string> RelayDataPlane::apply(const std::vector<Action> &actions)
{
    std::vector<std::string> errors;
    // A plan change takes effect at one point of the stream: what the tunnel delivered before
    // it, still queued while the agent worked out the new plan, goes out under the old role.
    // Otherwise a new routing point of a network emits that backlog there after the old one
    // already did (measured: 5 duplicates on B when its leader was drained).
    readTunnelBacklog();
    // Where each tunnel this change opens reaches its peer; the engine opens only those.
    std::map<NodeId, bool> peerCarries;
    for (const Action &a : actions) {
        if (a.kind != Action::Kind::OpenTunnel && a.kind != Action::Kind::UpdateTunnel)
            continue;
        const Tunnel &t = a.tunnel;
        const bool root = t.root.node == self_;
        if (!root && t.leaf.node != self_)
            continue; // not this node's
        const Endpoint &peer = root ? t.leaf : t.root;
        const auto known = peers_(peer.node);
        if (!known) {
            errors.push_back("relay: no tunnel port known for node " + peer.node);
            continue;
        }
        const auto version = relay::tunnelVersionWith(known->versions);
        if (!version) {
            // Another release, too far apart: nothing it sends opens here, nothing sent to it
            // would open there. Say so, and which side to upgrade.
            auto list = [](const std::vector<int> &v) {
                std::string out;
                for (int x : v)
                    out += (out.empty() ? "" : ",") + std::to_string(x);
                return out.empty() ? std::string("none") : out;
            };
            const auto ours = relay::tunnelVersions();
            const bool older = known->versions.empty() || known->versions.back() < ours.front();
            errors.push_back("relay: no tunnel with node " + peer.node +
                             ": it speaks tunnel "
                             "version " +
                             list(known->versions) + ", this node " + list(ours) + "; upgrade " +
                             (older ? "node " + peer.node : "this node"));
            drop("no-common-version");
            continue;
        }
        const Endpoint &own = root ? t.root : t.leaf;
        IpAddress address = IpAddress::v4(INADDR_LOOPBACK);
        IpAddress from;
        if (config_.mode == RelayMode::Os) {
            if (peer.address.family() != own.address.family()) {
                errors.push_back("relay: tunnel to " + peer.node + " at " +
                                 peer.address.toString() + " from " + own.address.toString() +
                                 ": the two ends are of different address families");
                continue;
            }
            if (peer.address.family() == Family::V6 && !tunnelV6_) {
                errors.push_back("relay: tunnel to " + peer.node + " at " +
                                 peer.address.toString() +
                                 ": this host has no IPv6 (the tunnel socket is IPv4 only)");
                continue;
            }
            address = peer.address;
            // Sent from this end's address in the plan, whatever the route prefers: the peer
            // takes tunnel datagrams only from addresses this node advertises.
            from = tunnelSource(own.address);
        }
        authOf(peer.node, true); // its epoch and addresses as the view says now
        const bool fresh = engine_.tunnels().count(peer.node) == 0;
        Wire &w = wires_[peer.node];
        if (fresh)
            w = Wire{};
        w.to = tunnelAddress(address, known->port);
        w.from = from;
        w.version = *version;
        peerCarries[peer.node] = known->carry;
        engine_.setPeerVersion(peer.node, *version);
    }
    execute(engine_.applyPlan(actions, peerCarries, clock_()));
    openSegments(working_);
    // The joins that follow (milliseconds; a reopen when the interfaces changed): what the
    // tunnel brought in the meantime still belongs to the old role too.
    readTunnelBacklog();
    execute(engine_.rebuild());
    syncListeners(); // the networks routed here query
    flushTunnel();
    return errors;
}

void RelayDataPlane::execute(const relay::Effects &e)
{
    for (const auto &c : e.controls)
        sendControl(c);
    if (e.routesChanged)
        openSegments(working_);
    // Forget how to reach the peers of the tunnels the engine let go (after their farewells).
    const auto &held = engine_.tunnels();
    for (auto it = wires_.begin(); it != wires_.end();)
        it = held.count(it->first) == 0 ? wires_.erase(it) : std::next(it);
    syncJoins();
}

std::vector<Tunnel> RelayDataPlane::openTunnels() const
{
    return engine_.openTunnels();
}

std::vector<Route> RelayDataPlane::activeRoutes() const
{
    return engine_.routes();
}

// ---- Timers ------------------------------------------------------------------------------------

void RelayDataPlane::keepaliveTick()
{
    if (halted_)
        return;
    execute(engine_.tick(clock_()));
    flushTunnel();
}

void RelayDataPlane::probeTick()
{
    if (halted_)
        return;
    ++probeSequence_;
    for (std::size_t i = 0; i < segments_.size(); ++i) {
        const Segment &seg = segments_[i];
        const auto bytes =
            relay::encodeProbe(relay::Probe{self_, seg.network, seg.prefixLength,
                                            static_cast<std::uint32_t>(epoch_), probeSequence_});
        const relay::Channel &probe = engine_.probeChannelOf(i);
        segmentIo_->send(i, probe.group, probe.port, bytes);
        ++probesSent_;
        // The relay does not hear its own emissions: a probe on a network it routes goes into
        // the tunnels from here.
        execute(engine_.ownProbe(i, seg.spec.address, bytes, clock_()), bytes);
    }
    flushTunnel();
    segmentIo_->flush();
}

void RelayDataPlane::hearProbe(std::span<const std::uint8_t> payload, const GroupName &heardOn)
{
    auto p = relay::decodeProbe(payload);
    if (!p) {
        drop("bad-probe");
        return;
    }
    if (p->node == self_)
        return;
    reach_.heard(*p, heardOn, clock_());
}

} // namespace dmr::agent
