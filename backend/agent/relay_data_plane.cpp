#include "relay_data_plane.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

#include <unistd.h>

namespace dmr::agent {

using Json = nlohmann::json;

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

// ---- Listeners ---------------------------------------------------------------------------------

void RelayDataPlane::syncListeners()
{
    const std::int64_t now = clock_();
    std::vector<std::pair<GroupName, IpAddress>> networks;
    for (std::size_t i = 0; i < segments_.size(); ++i)
        networks.emplace_back(segments_[i].spec.network, querierAddressOf(i));
    listen::Effects e = listeners_.setNetworks(networks, now);
    for (const auto &s : segments_)
        e.append(listeners_.setQuerying(s.spec.network,
                                        engine_.routesNetwork(s.spec.network) && !halted_, now));
    executeListen(std::move(e));
}

void RelayDataPlane::executeListen(listen::Effects e)
{
    for (const auto &q : e.queries) {
        for (std::size_t i = 0; i < segments_.size(); ++i) {
            if (segments_[i].spec.network != q.network)
                continue;
            if (config_.mode == RelayMode::Loopback) {
                relay::ListenFrame f;
                f.op = relay::ListenOp::Query;
                f.group = q.group;
                f.family = segments_[i].network.family();
                f.maxResponseMs =
                    static_cast<std::uint32_t>(std::max<std::int64_t>(0, q.maxResponseMs));
                segmentIo_->sendListen(i, f);
            } else if (querySender_) {
                querySender_(i, q);
            }
            break;
        }
    }
    segmentIo_->flush();
    if (!e.changed)
        return;
    const std::int64_t now = clock_();
    for (const auto &[network, state] : listeners_.networks())
        execute(engine_.setListening(
            network, listeners_.complete(network, now)
                         ? std::optional<std::set<IpAddress>>(listeners_.wanted(network))
                         : std::nullopt));
    flushTunnel();
}

void RelayDataPlane::listenTick()
{
    if (halted_)
        return;
    // An interface's link-local address comes a moment after it is up (duplicate address
    // detection): the election compares with it from then on. (Asked only while an IPv6
    // network's own address is not one: the reader reads the interfaces for it.)
    const auto linkLocal = [](const IpAddress &a) {
        return a.family() == Family::V6 && a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80;
    };
    for (std::size_t i = 0; i < segments_.size() && readerInfo_.querierAddress; ++i) {
        const auto n = listeners_.networks().find(segments_[i].spec.network);
        if (n != listeners_.networks().end() && n->second.ownAddress.family() == Family::V6 &&
            !linkLocal(n->second.ownAddress) && n->second.ownAddress != querierAddressOf(i)) {
            syncListeners();
            break;
        }
    }
    executeListen(listeners_.tick(clock_()));
}

IpAddress RelayDataPlane::querierAddressOf(std::size_t segment) const
{
    if (segment >= segments_.size())
        return {};
    if (readerInfo_.querierAddress)
        if (auto a = readerInfo_.querierAddress(segment))
            return *a;
    return segments_[segment].spec.address;
}

void RelayDataPlane::setReaderInfo(ReaderInfo info)
{
    readerInfo_ = std::move(info);
    syncListeners();
}

void RelayDataPlane::onListenFrame(std::size_t segment, const relay::ListenFrame &f,
                                   const listen::Reporter &from)
{
    switch (f.op) {
    case relay::ListenOp::Report:
        hearReport(segment, *f.group, from);
        break;
    case relay::ListenOp::Leave:
        hearLeave(segment, *f.group, from);
        break;
    case relay::ListenOp::Query: {
        // Every loopback querier is 127.0.0.1: no election there (each routing point queries
        // its own networks; two do for a moment of a handover). A group-specific query still
        // lowers the group's timer, as it does where a switch snoops.
        const IpAddress never =
            f.family == Family::V4
                ? IpAddress::v4(0xffffffffu)
                : IpAddress::v6({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 0xff, 0xff});
        hearQuery(segment, never, f.group);
        break;
    }
    }
}

void RelayDataPlane::hearReport(std::size_t segment, const IpAddress &group,
                                std::optional<listen::Reporter> reporter)
{
    if (halted_ || segment >= segments_.size())
        return;
    executeListen(listeners_.report(segments_[segment].spec.network, group, reporter, clock_()));
}

void RelayDataPlane::hearLeave(std::size_t segment, const IpAddress &group,
                               std::optional<listen::Reporter> reporter)
{
    if (halted_ || segment >= segments_.size())
        return;
    executeListen(listeners_.leave(segments_[segment].spec.network, group, reporter, clock_()));
}

void RelayDataPlane::hearQuery(std::size_t segment, const IpAddress &from,
                               std::optional<IpAddress> group)
{
    if (halted_ || segment >= segments_.size())
        return;
    executeListen(listeners_.heardQuery(segments_[segment].spec.network, from, group, clock_()));
}

void RelayDataPlane::setQuerySender(QuerySender send)
{
    querySender_ = std::move(send);
    execute(engine_.setPrune(
        config_.prune && (config_.mode == RelayMode::Loopback || static_cast<bool>(querySender_))));
    syncListeners();
    flushTunnel();
}

std::string RelayDataPlane::pruneOffReason() const
{
    if (pruning())
        return {};
    if (!config_.prune)
        return "relay.prune = false";
    return "os mode without an IGMP/MLD reader: nothing tells this node who listens";
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
        engine_.setPeerPrunes(peer.node, *version >= 4);
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

void RelayDataPlane::syncJoins()
{
    if (config_.mode != RelayMode::Os)
        return;
    const std::uint64_t generation = engine_.takesInGeneration();
    if (!joinsStale_ && generation == joinsGeneration_)
        return;
    joinsGeneration_ = generation;
    SegmentIo::Joins joins;
    for (std::size_t i = 0; i < segments_.size(); ++i)
        joins.push_back(engine_.segmentTakesIn(i));
    if (!joinsStale_ && joins == joinsSet_)
        return;
    joinsStale_ = false;
    joinsSet_ = joins;
    const SegmentJoins before = segmentIo_->joins();
    segmentIo_->setJoins(joins);
    const SegmentJoins after = segmentIo_->joins();
    if (!log_)
        return;
    // Once: a new tunnel wants every group until its peer's first word, so a range over the
    // cap passes it at every plan change; get-state and /metrics count each time.
    if (after.overCapTotal != before.overCapTotal && !overCapLogged_) {
        overCapLogged_ = true;
        log_("relay: " + std::to_string(after.beyondCap) +
             " multicast groups this node takes in are beyond the " + std::to_string(kOsJoinsMax) +
             " joins per family of os mode: not joined, so not taken in. With relay.prune the "
             "joins are the groups other networks listen to, but every group of relay.channels "
             "while a network's listeners or a new tunnel's wants are not known yet, and always "
             "without it: narrow the ranges to 1024 groups per family to lose none then. Said "
             "once; get-state's relay joins (beyond_cap, over_cap_total) and "
             "dmr_relay_os_joins_beyond_cap count it from here on");
    }
    if (after.failed != before.failed)
        log_(after.lastError);
}

bool RelayDataPlane::sendControl(const relay::Control &c)
{
    auto w = wires_.find(c.peer);
    if (w == wires_.end())
        return false;
    relay::Header h;
    h.kind = c.kind;
    h.origin = self_;
    h.hop = self_;
    h.epoch = epoch_;
    h.sequence = c.sequence;
    const int version = w->second.version;
    std::vector<std::uint8_t> older; // a carry in the format of a version-2 peer
    std::span<const std::uint8_t> payload = c.payload;
    if (c.kind == relay::Kind::Carry && version == 2) {
        const auto networks = relay::decodeCarry(c.payload);
        older = relay::encodeCarry(networks.value_or(std::set<GroupName>{}), 2);
        payload = older;
    }
    const std::size_t n = encodeInto(h, payload, c.peer, version, false);
    if (n == 0)
        return false;
    tunnelOut_.commit(tunnelFd_, w->second.to, n, w->second.from);
    if (c.kind == relay::Kind::Keepalive)
        ++w->second.keepalivesOut;
    return true;
}

// ---- Trust -------------------------------------------------------------------------------------

void RelayDataPlane::peersChanged()
{
    for (auto &[peer, a] : auth_)
        authOf(peer, true);
}

RelayDataPlane::PeerAuth *RelayDataPlane::authOf(std::string_view peer, bool refresh)
{
    auto it = auth_.find(peer);
    if (it == auth_.end() || refresh) {
        const auto known = peers_(NodeId(peer));
        if (!known)
            return nullptr; // (a known one's window stays: it may come back in the same epoch)
        if (it == auth_.end()) {
            if (auth_.size() >= kAuthPeersMax)
                auth_.erase(
                    std::min_element(auth_.begin(), auth_.end(), [](const auto &x, const auto &y) {
                        return x.second.lastUse < y.second.lastUse;
                    }));
            it = auth_.try_emplace(NodeId(peer)).first;
        }
        it->second.port = known->port;
        it->second.epoch = known->epoch;
        it->second.addresses = known->addresses;
    }
    PeerAuth &a = it->second;
    a.lastUse = ++authUses_;
    if (a.keyedEpoch != a.epoch || a.keyedOwnEpoch != epoch_)
        rekey(it->first, a);
    return &a;
}

void RelayDataPlane::rekey(const NodeId &peer, PeerAuth &a)
{
    // New incarnations on either side: a new pair of keys and an empty window. Only a change
    // of the meta's epoch or this node's brings this here, never a datagram.
    a.keyedEpoch = a.epoch;
    a.keyedOwnEpoch = epoch_;
    a.window.reset();
    a.tx.reset();
    a.rx.reset();
    if (!trust_.authenticate)
        return;
    auto tx = TunnelKey::derive(trust_.clusterKey, self_, peer, epoch_, a.epoch);
    auto rx = TunnelKey::derive(trust_.clusterKey, peer, self_, a.epoch, epoch_);
    if (!tx || !rx) {
        drop("key-failed"); // what is sent to it is dropped (seal-failed), and what comes
        return;             // from it (bad-mac)
    }
    a.tx = std::move(tx).value();
    a.rx = std::move(rx).value();
}

udp::SockAddr RelayDataPlane::tunnelAddress(const IpAddress &address, std::uint16_t port) const
{
    return udp::SockAddr(tunnelV6_ ? address.v4Mapped() : address, port);
}

IpAddress RelayDataPlane::tunnelSource(const IpAddress &own) const
{
    return tunnelV6_ ? own.v4Mapped() : own;
}

void RelayDataPlane::refuse(std::string_view reason, const udp::SockAddr &from,
                            std::string_view hop)
{
    drop(reason);
    // One line per reason per interval, naming the first source of it; no string is built for
    // the ones held back (a flood costs a counter).
    RefusalLog &r = refusals_[reason];
    const std::int64_t now = clock_();
    if (!log_ || (r.loggedMs != 0 && now - r.loggedMs < kRefusalLogIntervalMs)) {
        ++r.held;
        return;
    }
    std::string line = "relay: refused a tunnel datagram from " + udp::hostPortText(from) + ": " +
                       std::string(reason);
    if (!hop.empty())
        line += " (it names node " + std::string(hop) + " as its sender)";
    if (reason == "old-version")
        line += ": a relay of an older version (without the tunnel MAC); upgrade that agent";
    else if (reason == "wrong-source")
        line += ": not from the address and port that node advertises";
    else if (reason == "stale-epoch")
        line += ": made for an earlier incarnation of one end (a replay, or a view behind)";
    else if (reason == "bad-mac")
        line += ": its tag does not verify (forged, altered, or another cluster key)";
    if (r.held > 0)
        line += " (and " + std::to_string(r.held) + " more refused so since the last line)";
    r = RefusalLog{now, 0};
    log_(line);
}

bool RelayDataPlane::fromPeer(const PeerAuth &a, const udp::SockAddr &from) const
{
    if (from.port() != a.port)
        return false;
    const IpAddress address = from.address().unmapped();
    if (config_.mode == RelayMode::Loopback)
        return address == IpAddress::v4(INADDR_LOOPBACK);
    return std::find(a.addresses.begin(), a.addresses.end(), address) != a.addresses.end();
}

bool RelayDataPlane::seal(const NodeId &peer, std::span<std::uint8_t> datagram,
                          std::size_t headerBytes, bool encrypted)
{
    PeerAuth *a = authOf(peer, false);
    if (a == nullptr) {
        drop("seal-failed");
        return false;
    }
    const std::uint64_t sequence = ++hopSequence_;
    relay::setHopFields(datagram, epoch_, a->epoch, sequence);
    if (!trust_.authenticate)
        return true;
    if (!a->tx ||
        !a->tx->seal(datagram, headerBytes, encrypted, relay::tunnelNonce(epoch_, sequence))) {
        drop("seal-failed");
        return false;
    }
    return true;
}

std::vector<Tunnel> RelayDataPlane::openTunnels() const
{
    return engine_.openTunnels();
}

std::vector<Route> RelayDataPlane::activeRoutes() const
{
    return engine_.routes();
}

// ---- Datagrams ---------------------------------------------------------------------------------

void RelayDataPlane::drop(std::string_view reason, std::uint64_t n)
{
    auto it = drops_.find(reason);
    if (it == drops_.end())
        it = drops_.emplace(std::string(reason), 0).first;
    it->second += n;
}

void RelayDataPlane::setRelaySources(std::set<std::pair<IpAddress, std::uint16_t>> sources)
{
    segmentIo_->setRelaySources(std::move(sources));
}

void RelayDataPlane::onSegment(std::span<const SegmentPacket> packets)
{
    if (halted_)
        return;
    const std::int64_t now = clock_();
    for (const auto &p : packets) {
        const relay::Forward f = engine_.fromSegment(p.segment, p.source, p.sourcePort, p.group,
                                                     p.port, p.payload, p.relayed, now, p.ipTtl);
        if (f.hearProbe)
            hearProbe(p.payload, segments_[p.segment].spec.network);
        execute(f, p.payload);
    }
    flushTunnel();
    segmentIo_->flush();
}

void RelayDataPlane::execute(const relay::Forward &f, std::span<const std::uint8_t> payload)
{
    if (relay::counted(f.drop))
        drop(relay::toString(f.drop));
    if (!f.effects.controls.empty() || f.effects.routesChanged)
        execute(f.effects);
    if (f.drop == relay::Drop::RateLimitChannel && f.channel) {
        ++channelStats_[*f.channel].limitedPackets;
        channelStats_[*f.channel].limitedBytes += payload.size();
    }
    if (f.drop == relay::Drop::Boundary && f.channel)
        ++channelStats_[*f.channel].boundaryPackets;
    if (f.drop == relay::Drop::BelowThreshold && f.channel)
        ++channelStats_[*f.channel].belowThresholdPackets;
    if (f.tunnelsLimited != 0)
        drop(relay::toString(relay::Drop::RateLimitTunnel), f.tunnelsLimited);
    if (f.drop != relay::Drop::None)
        return;
    const std::size_t channel = f.channel.value_or(0);
    const bool isProbe = channel == config_.channels.size();
    if (f.ingested)
        ++channelStats_[channel].ingested;
    for (const std::size_t s : f.segments) {
        segmentIo_->send(s, f.header.group, f.header.port, payload);
        ++channelStats_[channel].emitted;
        if (isProbe)
            hearProbe(payload, segments_[s].spec.network);
    }
    if (f.tunnels.empty())
        return;
    relay::Header h = f.header;
    h.ttl = f.ttl;
    h.hop = self_;
    const bool encrypted = config_.encrypt && trust_.authenticate;
    h.flags = encrypted ? relay::kFlagEncrypted : 0;
    if (f.tunnels.size() == 1) {
        // One tunnel (a leaf's, the usual case): encoded and sealed straight in the batch.
        auto w = wires_.find(f.tunnels.front());
        if (w == wires_.end())
            return;
        const std::size_t n = encodeInto(h, payload, w->first, w->second.version, encrypted);
        if (n == 0)
            return;
        tunnelOut_.commit(tunnelFd_, w->second.to, n, w->second.from);
        ++w->second.packetsOut;
        w->second.bytesOut += n;
        return;
    }
    // Encoded once per tunnel format; each tunnel gets a copy with its own hop fields and tag.
    std::size_t n = 0;
    int encodedAs = 0;
    for (const NodeId &peer : f.tunnels) {
        auto w = wires_.find(peer);
        if (w == wires_.end())
            continue;
        const int version = w->second.version;
        if (!relay::versionCarries(version, h)) {
            drop("needs-tunnel-v3"); // an IPv6 datagram, and a peer of the release before
            continue;
        }
        if (encodedAs != version) {
            n = relay::encode(h, payload, scratch_, version); // (payload: in clear)
            encodedAs = version;
            if (n == 0) {
                drop("encode-failed");
                return;
            }
        }
        sendTunnel(peer, std::span(scratch_.data(), n), relay::headerBytes(h, version), encrypted);
    }
}

std::size_t RelayDataPlane::encodeInto(const relay::Header &h,
                                       std::span<const std::uint8_t> payload, const NodeId &peer,
                                       int version, bool encrypted)
{
    if (!relay::versionCarries(version, h)) {
        drop("needs-tunnel-v3");
        return 0;
    }
    if (tunnelOut_.count == udp::kBatch)
        flushTunnel();
    std::uint8_t *slot = tunnelOut_.slot();
    const std::size_t n = relay::encode(h, payload, std::span(slot, udp::kSlotBytes), version);
    if (n == 0) {
        drop("encode-failed");
        return 0;
    }
    if (!seal(peer, std::span(slot, n), relay::headerBytes(h, version), encrypted))
        return 0;
    return n;
}

void RelayDataPlane::sendTunnel(const NodeId &peer, std::span<const std::uint8_t> plain,
                                std::size_t headerBytes, bool encrypted)
{
    auto w = wires_.find(peer);
    if (w == wires_.end())
        return;
    if (tunnelOut_.count == udp::kBatch)
        flushTunnel();
    std::uint8_t *slot = tunnelOut_.slot();
    std::memcpy(slot, plain.data(), plain.size());
    if (!seal(peer, std::span(slot, plain.size()), headerBytes, encrypted))
        return;
    tunnelOut_.commit(tunnelFd_, w->second.to, plain.size(), w->second.from);
    ++w->second.packetsOut;
    w->second.bytesOut += plain.size();
}

void RelayDataPlane::flushTunnel()
{
    if (tunnelOut_.count == 0)
        return;
    auto [sent, dropped] = tunnelOut_.flush();
    if (dropped != 0)
        drop("tunnel-send-failed", dropped);
}

void RelayDataPlane::readTunnelBacklog()
{
    if (tunnelFd_ >= 0)
        while (!onTunnelReadable()) {
        }
}

bool RelayDataPlane::onTunnelReadable()
{
    for (int round = 0; round < 16; ++round) {
        udp::RecvBatch &in = *tunnelIn_;
        const int n = in.receive(tunnelFd_);
        if (n <= 0)
            return true;
        const std::int64_t now = clock_(); // once per batch
        for (int i = 0; i < n; ++i) {
            const auto k = static_cast<std::size_t>(i);
            if (halted_)
                continue;
            if (in.truncated(k)) {
                drop("oversize");
                continue;
            }
            const std::span<std::uint8_t> bytes = in.mutableBytes(k);
            const std::size_t size = in.segmentSize(k);
            if (size == 0) {
                onTunnelDatagram(bytes, in.source(k), now);
                continue;
            }
            // A run the kernel kept whole (UDP_GRO): the sender's datagrams, each `size` but
            // the last. Each is checked on its own, as if it had come alone.
            ++groRuns_;
            for (std::size_t at = 0; at < bytes.size(); at += size) {
                ++groDatagrams_;
                onTunnelDatagram(bytes.subspan(at, std::min(size, bytes.size() - at)), in.source(k),
                                 now);
            }
        }
        flushTunnel();
        segmentIo_->flush();
        syncJoins(); // a peer's wants may have changed what this node takes in
        if (static_cast<std::size_t>(n) < udp::kBatch)
            return true;
    }
    return false;
}

void RelayDataPlane::onTunnelDatagram(std::span<std::uint8_t> bytes, const udp::SockAddr &from,
                                      std::int64_t now)
{
    auto decoded = relay::decode(bytes);
    if (auto *e = std::get_if<relay::DecodeError>(&decoded)) {
        refuse(relay::toString(*e), from, {});
        return;
    }
    const auto &[h, payload, tag, headerBytes, version] = std::get<relay::Decoded>(decoded);
    // The trust checks, cheapest first (relay_data_plane.h): nothing of a datagram that fails
    // one counts anywhere but in its drop reason.
    PeerAuth *a = authOf(h.hop, false);
    if (a == nullptr) {
        refuse(relay::toString(relay::Drop::UnknownPeer), from, h.hop);
        return;
    }
    if (!fromPeer(*a, from)) {
        refuse("wrong-source", from, h.hop);
        return;
    }
    if (h.receiverEpoch != epoch_ || h.hopEpoch != a->epoch) {
        refuse("stale-epoch", from, h.hop);
        return;
    }
    if (a->window.check(h.hopSequence) != relay::ReplayWindow::Verdict::Fresh) {
        refuse("replayed", from, h.hop);
        return;
    }
    if (trust_.authenticate &&
        (!a->rx || !a->rx->open(bytes, headerBytes, (h.flags & relay::kFlagEncrypted) != 0,
                                relay::tunnelNonce(h.hopEpoch, h.hopSequence)))) {
        refuse("bad-mac", from, h.hop);
        return;
    }
    a->window.accept(h.hopSequence);
    if (h.kind == relay::Kind::Carry && version == 2) {
        // A peer of the release before: its carry in the engine's (current) format.
        const auto networks = relay::decodeCarry(payload, 2);
        const auto current = relay::encodeCarry(networks.value_or(std::set<GroupName>{}));
        execute(engine_.fromTunnel(h, current, bytes.size(), now), current);
        return;
    }
    execute(engine_.fromTunnel(h, payload, bytes.size(), now), payload);
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

// ---- Reporting ---------------------------------------------------------------------------------

namespace {

// A wants set as JSON: the sorted groups, or null for every group.
Json groupsJson(const std::optional<std::set<IpAddress>> &groups)
{
    if (!groups)
        return Json();
    Json out = Json::array();
    for (const auto &g : *groups)
        out.push_back(g.toString());
    return out;
}

} // namespace

Json RelayDataPlane::stateJson() const
{
    const std::int64_t now = clock_();
    Json tunnels = Json::array();
    for (const auto &[peer, t] : engine_.tunnels()) {
        const auto wire = wires_.find(peer);
        const Wire none;
        const Wire &w = wire == wires_.end() ? none : wire->second;
        const bool closing =
            t.phase == relay::TunnelPhase::Closing || t.phase == relay::TunnelPhase::Released;
        tunnels.push_back(
            {{"peer", peer},
             {"role", t.root ? "root" : "leaf"},
             {"address", udp::hostPortText(w.to)},
             {"version", w.version},
             {"networks", t.plan.networks},
             {"carries", t.carry ? Json(*t.carry) : Json()},
             {"phase", std::string(relay::toString(t.phase))},
             {"closing", closing},
             {"released", t.phase == relay::TunnelPhase::Released || t.leafReleased},
             {"lingering", t.phase == relay::TunnelPhase::Lingering},
             {"state", t.lastHeardMs == 0 ? "connecting"
                       : t.up             ? "up"
                                          : "down"},
             {"last_heard_ms", t.lastHeardMs == 0 ? Json() : Json(t.lastHeardMs)},
             {"age_ms", t.lastHeardMs == 0 ? Json() : Json(now - t.lastHeardMs)},
             {"opened_ms", t.openedMs},
             {"flaps", t.flaps},
             {"packets_in", t.packetsIn},
             {"bytes_in", t.bytesIn},
             {"packets_out", w.packetsOut},
             {"bytes_out", w.bytesOut},
             {"keepalives_in", t.keepalivesIn},
             {"keepalives_out", w.keepalivesOut},
             {"duplicates_in", t.duplicatesIn},
             {"peer_wants", groupsJson(t.peerWants.wants())},
             {"wants_sent", t.peerPrunes && t.wantsSaid ? groupsJson(t.wantsSent) : Json()},
             {"pruned_packets", t.prunedPackets},
             {"limited_packets", t.limitedPackets},
             {"limited_bytes", t.limitedBytes}});
        // What this node holds for the peer's end: the epoch its datagrams must say, and the
        // highest hop sequence of it accepted (the top of its replay window).
        if (auto a = auth_.find(peer); a != auth_.end()) {
            tunnels.back()["peer_epoch"] = a->second.epoch;
            tunnels.back()["replay_highest"] = a->second.window.highest();
        }
    }
    Json channels = Json::array();
    for (std::size_t i = 0; i < channelStats_.size(); ++i)
        channels.push_back({{"channel", i < config_.channels.size()
                                            ? config_.channels[i].toString()
                                            : config_.probeChannel.toString() + " " +
                                                  config_.probeChannelV6.toString() + " (probe)"},
                            {"ingested", channelStats_[i].ingested},
                            {"emitted", channelStats_[i].emitted},
                            {"limited_packets", channelStats_[i].limitedPackets},
                            {"limited_bytes", channelStats_[i].limitedBytes},
                            {"boundary_packets", channelStats_[i].boundaryPackets},
                            {"below_threshold_packets", channelStats_[i].belowThresholdPackets}});
    Json segments = Json::array();
    for (std::size_t i = 0; i < segments_.size(); ++i) {
        const auto &s = segments_[i];
        segments.push_back({{"network", s.spec.network},
                            {"iface", s.spec.iface},
                            {"routed", engine_.routesSegment(i)}});
        if (config_.mode == RelayMode::Os) {
            // The groups joined there (the probe group included), and what it takes in: the
            // groups, or null for every group of relay.channels.
            segments.back()["joined"] = segmentIo_->joinedOn(i);
            const auto takes = engine_.segmentTakesIn(i);
            segments.back()["takes_in"] = takes ? Json(takes->size()) : Json();
        }
    }
    const auto &io = segmentIo_->counters();
    Json drops = Json::object();
    for (const auto &[reason, n] : drops_)
        drops[reason] = n;
    Json listeners = Json::array();
    for (const auto &[network, n] : listeners_.networks()) {
        Json groups = Json::array();
        for (const auto &[group, g] : n.groups)
            groups.push_back({{"group", group.toString()},
                              {"age_ms", now - g.sinceMs},
                              {"expires_in_ms", std::max<std::int64_t>(0, g.expiresMs - now)},
                              {"reporters", g.reporters.size()}});
        Json reader; // os mode: the IGMP/MLD reader's counters on this network's segment
        for (std::size_t i = 0; i < segments_.size(); ++i)
            if (segments_[i].spec.network == network && readerInfo_.counters)
                if (auto c = readerInfo_.counters(i)) {
                    reader =
                        Json{{"received", c->received},
                             {"messages", c->messages},
                             {"malformed", c->malformed},
                             {"truncated", c->truncated},
                             {"queries_sent", c->queriesSent},
                             {"send_failed", c->sendFailed},
                             {"last_error", c->lastError.empty() ? Json() : Json(c->lastError)}};
                    break;
                }
        listeners.push_back({{"network", network},
                             {"complete", listeners_.complete(network, now)},
                             {"querying", n.querying},
                             {"querier", n.querier ? Json(n.querier->toString()) : Json()},
                             {"own_address", n.ownAddress.toString()},
                             {"refused", n.refused},
                             {"reader", reader},
                             {"groups", groups}});
    }
    Json joins; // os mode: the relay's own multicast joins
    if (config_.mode == RelayMode::Os) {
        const SegmentJoins j = segmentIo_->joins();
        joins = Json{{"ipv4", j.joinedV4},
                     {"ipv6", j.joinedV6},
                     {"max_per_family", kOsJoinsMax},
                     {"beyond_cap", j.beyondCap},
                     {"over_cap_total", j.overCapTotal},
                     {"failed", j.failed},
                     {"last_error", j.lastError.empty() ? Json() : Json(j.lastError)}};
    }
    drops["segment-malformed"] = io.malformed;
    drops["segment-truncated"] = io.truncated;
    drops["segment-send-failed"] = io.sendDropped;
    return Json{{"mode", std::string(toString(config_.mode))},
                {"port", port_},
                {"halted", halted_},
                {"epoch", epoch_},
                {"sequence", engine_.sequence()},
                {"hop_sequence", hopSequence_},
                {"authentication",
                 {{"mac", trust_.authenticate ? std::string(TunnelKey::algorithm()) : "off"},
                  {"encrypt", config_.encrypt && trust_.authenticate},
                  {"kdf", "HKDF-SHA256"},
                  {"replay_window", relay::ReplayWindow::kSize}}},
                {"offload", offloadJson()},
                {"tunnels", tunnels},
                {"prune", pruning()},
                {"prune_off_reason", pruning() ? Json() : Json(pruneOffReason())},
                {"listeners", listeners},
                {"joins", joins},
                {"carries", engine_.carried() ? Json(*engine_.carried()) : Json()},
                {"channels", channels},
                {"segments", segments},
                {"segment_received", io.received},
                {"segment_sent", io.sent},
                {"segment_own_ignored", io.ownDropped}, // own emissions heard back: not a loss
                {"segment_other_interface", io.otherInterface}, // os mode: not ours to hear
                {"probe",
                 {{"channel", config_.probeChannel.toString()},
                  {"channel_v6", config_.probeChannelV6.toString()},
                  {"interval_ms", config_.probeIntervalMs},
                  {"sent", probesSent_}}},
                {"limits", limitsJson()},
                {"drops", drops}};
}

Json RelayDataPlane::limitsJson() const
{
    auto limit = [](const relay::RateLimit &r) {
        return r.limited() ? Json{{"bytes_per_s", r.bytesPerS},
                                  {"datagrams_per_s", r.datagramsPerS},
                                  {"burst_bytes", r.burstBytes},
                                  {"burst_datagrams", r.burstDatagrams}}
                           : Json();
    };
    Json boundaries = Json::array();
    for (const Prefix &p : config_.boundaries)
        boundaries.push_back(p.toString());
    Json perNetwork = Json::object();
    for (const auto &[network, groups] : config_.networkBoundaries) {
        Json list = Json::array();
        for (const Prefix &p : groups)
            list.push_back(p.toString());
        perNetwork[network.toString()] = list;
    }
    return Json{{"boundaries", boundaries},
                {"network_boundaries", perNetwork},
                {"threshold", config_.threshold},
                {"tunnel", limit(config_.effectiveTunnelLimit())},
                {"channel", limit(config_.effectiveChannelLimit())}};
}

Json RelayDataPlane::offloadJson() const
{
    auto state = [](const udp::Offload &o) {
        return o.on ? Json{{"on", true}} : Json{{"on", false}, {"why", o.why}};
    };
    const auto &io = segmentIo_->counters();
    return Json{{"tunnel_gso", state(tunnelOut_.gso)},
                {"tunnel_gro", state(tunnelGro_)},
                {"segment_gso", state(segmentIo_->offload())},
                {"tunnel_gso_sends", tunnelOut_.gsoSends},
                {"tunnel_gso_datagrams", tunnelOut_.gsoDatagrams},
                {"tunnel_gso_retries", tunnelOut_.gsoRetries},
                {"tunnel_gro_runs", groRuns_},
                {"tunnel_gro_datagrams", groDatagrams_},
                {"segment_gso_sends", io.gsoSends},
                {"segment_gso_datagrams", io.gsoDatagrams},
                {"segment_gso_retries", io.gsoRetries}};
}

Json RelayDataPlane::reachabilityRow() const
{
    const std::int64_t now = clock_();
    const std::int64_t interval = config_.probeIntervalMs > 0 ? config_.probeIntervalMs : 1000;
    Json heard = Json::array();
    for (const auto &c : reach_.row(now, interval))
        heard.push_back({{"from", c.from},
                         {"heard", c.heard},
                         {"received", c.received},
                         {"lost", c.lost},
                         {"duplicates", c.duplicates},
                         {"loss", std::round(c.recentLoss * 1000) / 1000},
                         {"age_ms", now - c.lastSeenMs}});
    return Json{{"node", self_},
                {"answered", true},
                {"probing", config_.probeIntervalMs > 0 && !halted_},
                {"interval_ms", config_.probeIntervalMs},
                {"time_ms", now},
                {"heard", heard}};
}

void RelayDataPlane::writeMetrics(prometheus::Writer &out, const std::string &node) const
{
    auto perTunnel = [&](const char *name, const char *type, const char *help, auto value) {
        out.family(name, type, help);
        for (const auto &[peer, t] : engine_.tunnels())
            out.sample(name, {{"node", node}, {"peer", peer}}, value(t));
    };
    auto perWire = [&](const char *name, const char *type, const char *help, auto value) {
        out.family(name, type, help);
        for (const auto &[peer, t] : engine_.tunnels()) {
            const auto w = wires_.find(peer);
            out.sample(name, {{"node", node}, {"peer", peer}},
                       w == wires_.end() ? 0 : value(w->second));
        }
    };
    perTunnel("dmr_relay_tunnel_up", "gauge", "1 while the tunnel's peer is heard",
              [](const relay::TunnelState &t) { return t.up ? 1 : 0; });
    perTunnel("dmr_relay_tunnel_packets_in_total", "counter", "data datagrams in by tunnel",
              [](const relay::TunnelState &t) { return t.packetsIn; });
    perTunnel("dmr_relay_tunnel_bytes_in_total", "counter", "data bytes in by tunnel",
              [](const relay::TunnelState &t) { return t.bytesIn; });
    perWire("dmr_relay_tunnel_packets_out_total", "counter", "data datagrams out by tunnel",
            [](const Wire &w) { return w.packetsOut; });
    perWire("dmr_relay_tunnel_bytes_out_total", "counter", "data bytes out by tunnel",
            [](const Wire &w) { return w.bytesOut; });
    perTunnel("dmr_relay_tunnel_duplicates_total", "counter",
              "datagrams in by tunnel dropped as duplicates",
              [](const relay::TunnelState &t) { return t.duplicatesIn; });
    perTunnel("dmr_relay_tunnel_flaps_total", "counter", "tunnel state changes",
              [](const relay::TunnelState &t) { return t.flaps; });
    perTunnel("dmr_relay_tunnel_pruned_total", "counter",
              "datagrams not sent into the tunnel: its peer's side does not listen to the group",
              [](const relay::TunnelState &t) { return t.prunedPackets; });
    out.metric("dmr_relay_pruning", "gauge",
               "1 when the relay forwards only what some network listens to (relay.prune)",
               {{"node", node}}, pruning() ? 1 : 0);
    out.family("dmr_relay_listener_groups", "gauge",
               "groups some host listens to, by network this node is on");
    for (const auto &[network, n] : listeners_.networks())
        out.sample("dmr_relay_listener_groups", {{"node", node}, {"network", network}},
                   n.groups.size());
    // Os mode: the IGMP/MLD reader, by network (its segment's counters).
    struct ReaderSample
    {
        GroupName network;
        ListenCounters c;
    };
    std::vector<ReaderSample> readers;
    if (readerInfo_.counters)
        for (std::size_t i = 0; i < segments_.size(); ++i)
            if (auto c = readerInfo_.counters(i))
                readers.push_back({segments_[i].spec.network, std::move(*c)});
    auto perReader = [&](const char *name, const char *help, auto value) {
        out.family(name, "counter", help);
        for (const auto &r : readers)
            out.sample(name, {{"node", node}, {"network", r.network}}, value(r.c));
    };
    perReader("dmr_relay_listen_packets_total", "IGMP/MLD packets the reader read, by network",
              [](const ListenCounters &c) { return c.received; });
    perReader("dmr_relay_listen_messages_total",
              "IGMP/MLD messages (reports, leaves, queries) handed to the listener table",
              [](const ListenCounters &c) { return c.messages; });
    perReader("dmr_relay_listen_malformed_total",
              "IGMP/MLD packets refused (length, checksum, TTL or hop limit, source, field)",
              [](const ListenCounters &c) { return c.malformed; });
    perReader("dmr_relay_listen_truncated_total",
              "IGMP/MLD packets larger than the reader's buffer",
              [](const ListenCounters &c) { return c.truncated; });
    perReader("dmr_relay_listen_queries_sent_total", "IGMP/MLD queries this node sent",
              [](const ListenCounters &c) { return c.queriesSent; });
    perReader("dmr_relay_listen_send_failed_total", "IGMP/MLD queries that could not be sent",
              [](const ListenCounters &c) { return c.sendFailed; });
    if (config_.mode == RelayMode::Os) {
        const SegmentJoins j = segmentIo_->joins();
        out.family("dmr_relay_os_joins", "gauge",
                   "multicast groups the relay joined (probe and channel groups), by family");
        out.sample("dmr_relay_os_joins", {{"node", node}, {"family", "ipv4"}}, j.joinedV4);
        out.sample("dmr_relay_os_joins", {{"node", node}, {"family", "ipv6"}}, j.joinedV6);
        out.metric("dmr_relay_os_joins_beyond_cap", "gauge",
                   "wanted groups not joined: beyond the joins per family of os mode",
                   {{"node", node}}, j.beyondCap);
        out.metric("dmr_relay_os_joins_over_cap_total", "counter",
                   "times the wanted groups went beyond the joins per family of os mode",
                   {{"node", node}}, j.overCapTotal);
        out.metric("dmr_relay_os_join_failures_total", "counter",
                   "joins and leaves the kernel refused", {{"node", node}}, j.failed);
    }
    out.metric("dmr_relay_authenticated", "gauge",
               "1 when every tunnel datagram is sealed and verified with the cluster's tunnel keys",
               {{"node", node}}, trust_.authenticate ? 1 : 0);
    out.metric("dmr_relay_encrypted", "gauge",
               "1 when tunnel payloads are encrypted (relay.encrypt)", {{"node", node}},
               config_.encrypt && trust_.authenticate ? 1 : 0);
    const auto &segmentIo = segmentIo_->counters();
    out.family("dmr_relay_offload", "gauge",
               "1 when the UDP offload is in use: GSO on tunnel or segment sends, GRO on the "
               "tunnel socket (off: relay.udp_offload = false, or the kernel lacks it)");
    out.sample("dmr_relay_offload", {{"node", node}, {"kind", "tunnel_gso"}},
               tunnelOut_.gso.on ? 1 : 0);
    out.sample("dmr_relay_offload", {{"node", node}, {"kind", "tunnel_gro"}},
               tunnelGro_.on ? 1 : 0);
    out.sample("dmr_relay_offload", {{"node", node}, {"kind", "segment_gso"}},
               segmentIo_->offload().on ? 1 : 0);
    out.family("dmr_relay_offload_datagrams_total", "counter",
               "datagrams sent or received in runs (GSO, GRO) rather than one by one");
    out.sample("dmr_relay_offload_datagrams_total", {{"node", node}, {"kind", "tunnel_gso"}},
               tunnelOut_.gsoDatagrams);
    out.sample("dmr_relay_offload_datagrams_total", {{"node", node}, {"kind", "tunnel_gro"}},
               groDatagrams_);
    out.sample("dmr_relay_offload_datagrams_total", {{"node", node}, {"kind", "segment_gso"}},
               segmentIo.gsoDatagrams);
    out.family("dmr_relay_drops_total", "counter", "datagrams the relay dropped, by reason");
    for (const auto &[reason, count] : drops_)
        out.sample("dmr_relay_drops_total", {{"node", node}, {"reason", reason}}, count);
    const auto &io = segmentIo_->counters();
    out.sample("dmr_relay_drops_total", {{"node", node}, {"reason", "segment-send-failed"}},
               io.sendDropped);
    auto channelName = [&](std::size_t i) {
        return i < config_.channels.size() ? config_.channels[i].toString() : std::string("probe");
    };
    out.family("dmr_relay_channel_ingested_total", "counter",
               "datagrams heard on a routed network and tunnelled, by channel range");
    for (std::size_t i = 0; i < channelStats_.size(); ++i)
        out.sample("dmr_relay_channel_ingested_total",
                   {{"node", node}, {"channel", channelName(i)}}, channelStats_[i].ingested);
    out.family("dmr_relay_channel_emitted_total", "counter",
               "datagrams put onto a network, by channel range");
    for (std::size_t i = 0; i < channelStats_.size(); ++i)
        out.sample("dmr_relay_channel_emitted_total", {{"node", node}, {"channel", channelName(i)}},
                   channelStats_[i].emitted);
    out.family("dmr_relay_limited_packets_total", "counter",
               "datagrams kept out by a rate limit: into a tunnel (peer) or taken in on a channel "
               "range (channel)");
    for (const auto &[peer, t] : engine_.tunnels())
        out.sample("dmr_relay_limited_packets_total", {{"node", node}, {"peer", peer}},
                   t.limitedPackets);
    for (std::size_t i = 0; i < config_.channels.size(); ++i)
        out.sample("dmr_relay_limited_packets_total", {{"node", node}, {"channel", channelName(i)}},
                   channelStats_[i].limitedPackets);
    out.family("dmr_relay_limited_bytes_total", "counter",
               "payload bytes kept out by a rate limit: into a tunnel (peer) or taken in on a "
               "channel range (channel)");
    for (const auto &[peer, t] : engine_.tunnels())
        out.sample("dmr_relay_limited_bytes_total", {{"node", node}, {"peer", peer}},
                   t.limitedBytes);
    for (std::size_t i = 0; i < config_.channels.size(); ++i)
        out.sample("dmr_relay_limited_bytes_total", {{"node", node}, {"channel", channelName(i)}},
                   channelStats_[i].limitedBytes);
    const std::int64_t now = clock_();
    const std::int64_t interval = config_.probeIntervalMs > 0 ? config_.probeIntervalMs : 1000;
    const auto row = reach_.row(now, interval);
    out.family("dmr_reachability_heard", "gauge",
               "1 while this node hears the other node's probes");
    for (const auto &c : row)
        out.sample("dmr_reachability_heard", {{"node", node}, {"from", c.from}}, c.heard ? 1 : 0);
    out.family("dmr_reachability_loss", "gauge", "recent probe loss from the other node (0-1)");
    for (const auto &c : row)
        out.sample("dmr_reachability_loss", {{"node", node}, {"from", c.from}}, c.recentLoss);
}

} // namespace dmr::agent
