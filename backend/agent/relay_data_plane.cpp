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

bool sameEnds(const Tunnel &a, const Tunnel &b)
{
    return a.root == b.root && a.leaf == b.leaf;
}

std::string hostPortText(const sockaddr_in &a)
{
    return relay::ipv4Text(ntohl(a.sin_addr.s_addr)) + ":" + std::to_string(ntohs(a.sin_port));
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
    , keepaliveTimer_(io)
    , probeTimer_(io)
{
    role_.self = self_;
    channelStats_.resize(config_.channels.size() + 1);
    if (!trust_.nextEpoch)
        trust_.nextEpoch = [this](std::uint64_t previous) {
            return wallClockEpoch(clock_(), previous);
        };
    for (const auto reason : kTrustDrops)
        drops_.emplace(std::string(reason), 0);
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
    if (segmentIo_)
        segmentIo_->close();
    tunnelWatch_.reset(); // closes tunnelFd_
}

Result<std::monostate> RelayDataPlane::start(const std::vector<Interface> &working)
{
    epoch_ = trust_.nextEpoch(epoch_);
    tunnelFd_ = udp::udpSocket();
    const std::uint32_t bindAddress =
        config_.mode == RelayMode::Loopback ? INADDR_LOOPBACK : INADDR_ANY;
    const sockaddr_in at = udp::v4Addr(bindAddress, static_cast<std::uint16_t>(config_.port));
    udp::setInt(tunnelFd_, SOL_SOCKET, SO_RCVBUF, 4 << 20);
    udp::setInt(tunnelFd_, SOL_SOCKET, SO_SNDBUF, 4 << 20);
    if (tunnelFd_ < 0 ||
        ::bind(tunnelFd_, reinterpret_cast<const sockaddr *>(&at), sizeof at) != 0) {
        const std::string e = udp::sysError("relay.port " + relay::ipv4Text(bindAddress) + ":" +
                                            std::to_string(config_.port));
        if (tunnelFd_ >= 0)
            ::close(tunnelFd_);
        tunnelFd_ = -1;
        return Error{e};
    }
    port_ = udp::boundPort(tunnelFd_);
    tunnelWatch_ =
        std::make_unique<udp::Watch>(io_, tunnelFd_, [this] { return onTunnelReadable(); });
    working_ = working;
    segments_.clear();
    std::vector<SegmentSpec> specs;
    for (const auto &i : working_)
        if (i.address.address().family() == Family::V4)
            specs.push_back({i.group(), i.name, i.address.address(), false});
    if (auto r = segmentIo_->open(specs, [this](auto packets) { onSegment(packets); }); !r)
        return r.error();
    for (const auto &s : specs) {
        const auto p = Prefix::parse(s.network);
        segments_.push_back({s, p ? p->address().v4HostOrder() : 0,
                             static_cast<std::uint8_t>(p ? p->length() : 0)});
    }
    rebuild();
    armTimer(keepaliveTimer_, config_.keepaliveMs, &RelayDataPlane::keepaliveTick);
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

void RelayDataPlane::openSegments(const std::vector<Interface> &working)
{
    std::vector<SegmentSpec> specs;
    for (const auto &i : working)
        if (i.address.address().family() == Family::V4) {
            auto on = [&](const Route &r) { return r.network == i.group(); };
            const bool routed = std::any_of(routes_.begin(), routes_.end(), on) ||
                                std::any_of(lingerRoutes_.begin(), lingerRoutes_.end(), on);
            specs.push_back({i.group(), i.name, i.address.address(), routed});
        }
    std::vector<SegmentSpec> current;
    for (const auto &s : segments_)
        current.push_back(s.spec);
    // Loopback segments hear every channel anyway: only the set of networks matters there.
    auto withoutRelay = [](std::vector<SegmentSpec> v) {
        for (auto &s : v)
            s.relay = false;
        return v;
    };
    const bool reopen = config_.mode == RelayMode::Os
                            ? specs != current
                            : withoutRelay(specs) != withoutRelay(current);
    if (reopen) {
        if (auto r = segmentIo_->open(specs, [this](auto packets) { onSegment(packets); }); !r)
            drop("segment-open-failed");
    }
    segments_.clear();
    for (const auto &s : specs) {
        const auto p = Prefix::parse(s.network);
        segments_.push_back({s, p ? p->address().v4HostOrder() : 0,
                             static_cast<std::uint8_t>(p ? p->length() : 0)});
    }
}

void RelayDataPlane::setInterfaces(const std::vector<Interface> &working)
{
    if (working == working_)
        return;
    working_ = working;
    openSegments(working_);
    rebuild();
}

void RelayDataPlane::setHalted(bool halted)
{
    if (halted == halted_)
        return;
    halted_ = halted;
    if (!halted) {
        // A new incarnation: new keys with every peer (authOf derives them when next used),
        // and its hop sequences start again under them.
        epoch_ = trust_.nextEpoch(epoch_);
        hopSequence_ = 0;
        sequence_ = 0;
        probeSequence_ = 0;
        reach_.clear();
    }
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
    const std::int64_t now = clock_();
    handoverUntilMs_ = now + kHandoverWindowMs;
    const std::vector<Route> routesBefore = routes_;
    const std::vector<std::size_t> emitBefore = emitSegments_;
    std::vector<NodeId> closedRoots;
    for (const Action &a : actions) {
        switch (a.kind) {
        case Action::Kind::Route:
            if (std::find(routes_.begin(), routes_.end(), a.route) == routes_.end())
                routes_.push_back(a.route);
            break;
        case Action::Kind::Unroute:
            routes_.erase(std::remove(routes_.begin(), routes_.end(), a.route), routes_.end());
            break;
        case Action::Kind::OpenTunnel:
        case Action::Kind::UpdateTunnel: {
            const Tunnel &t = a.tunnel;
            const bool root = t.root.node == self_;
            if (!root && t.leaf.node != self_)
                break; // not this node's
            const Endpoint &peer = root ? t.leaf : t.root;
            const auto known = peers_(peer.node);
            if (!known) {
                errors.push_back("relay: no tunnel port known for node " + peer.node);
                break;
            }
            const Endpoint &own = root ? t.root : t.leaf;
            std::uint32_t address = INADDR_LOOPBACK;
            std::uint32_t from = 0;
            if (config_.mode == RelayMode::Os) {
                if (peer.address.family() != Family::V4 || own.address.family() != Family::V4) {
                    errors.push_back("relay: tunnel to " + peer.node + " at " +
                                     peer.address.toString() + ": IPv4 only");
                    break;
                }
                address = peer.address.v4HostOrder();
                // Sent from this end's address in the plan, whatever the route prefers: the
                // peer takes tunnel datagrams only from addresses this node advertises.
                from = own.address.v4HostOrder();
            }
            authOf(peer.node, true); // its epoch and addresses as the view says now
            auto [it, inserted] = tunnels_.try_emplace(peer.node);
            TunnelState &s = it->second;
            if (inserted) {
                s.openedMs = now;
                s.peer = peer.node;
            }
            if (s.root != root) { // the other way round now: start over
                s.carry.reset();
                s.carryEpoch = 0;
                s.carrySequence = 0;
            }
            s.plan = t;
            s.root = root;
            s.to = udp::v4Addr(address, known->port);
            s.from = from;
            s.peerCarries = known->carry;
            s.closing = false;
            s.released = false;
            s.lingering = false;
            if (auto early = earlyCarry_.find(peer.node); early != earlyCarry_.end()) {
                if (!root && now - early->second.atMs <= livenessDeadlineMs()) {
                    relay::Header h;
                    h.kind = relay::Kind::Carry;
                    h.epoch = early->second.epoch;
                    h.sequence = early->second.sequence;
                    onCarry(s, h, early->second.payload);
                }
                earlyCarry_.erase(early);
            }
            break;
        }
        case Action::Kind::CloseTunnel: {
            const Tunnel &t = a.tunnel;
            const NodeId &peer = t.root.node == self_ ? t.leaf.node : t.root.node;
            auto it = tunnels_.find(peer);
            if (it == tunnels_.end() || !sameEnds(it->second.plan, t) || it->second.closing)
                break;
            TunnelState &s = it->second;
            if (s.root) {
                if (!s.lingering)
                    closedRoots.push_back(peer); // a farewell, or lingering: below
            } else if (s.peerCarries && s.carry && !s.carry->empty()) {
                // What the root sent before it closes its end is still this node's to emit.
                s.closing = true;
                s.closingSinceMs = now;
            } else {
                tunnels_.erase(it);
            }
            break;
        }
        }
    }
    if (!closedRoots.empty()) {
        bool rootLeft = false;
        for (const auto &[peer, t] : tunnels_)
            rootLeft = rootLeft || (t.root && !t.lingering &&
                                    std::find(closedRoots.begin(), closedRoots.end(), peer) ==
                                        closedRoots.end());
        // The plan took this node's last tunnels: the system leader moved. It stays the hub of
        // those that speak the carry until each released it (Handover); the others, and the
        // tunnels of a root that stays one, get their farewell now: from this point of the
        // stream the leaf carries nothing more.
        const bool wasLingering = lingering();
        // (A leaf that released this node already still hears from it: the others' datagrams
        // reach it through this node until they release it too.)
        for (const NodeId &peer : closedRoots) {
            TunnelState &t = tunnels_.at(peer);
            if (!rootLeft && t.peerCarries) {
                t.lingering = true;
                continue;
            }
            if (t.peerCarries)
                sendCarry(t, {});
            tunnels_.erase(peer);
        }
        if (lingering() && !wasLingering) {
            lingerRoutes_ = routesBefore;
            lingerEmit_ = emitBefore;
            lingerUntilMs_ = now + kLingerMs;
        }
        endLingerIfReleased(); // every leaf may have moved on already
    }
    openSegments(working_);
    // Reopening joins every channel group again (milliseconds): what the tunnel brought in the
    // meantime still belongs to the old role too.
    readTunnelBacklog();
    rebuild();
    flushTunnel();
    return errors;
}

bool RelayDataPlane::lingering() const
{
    return std::any_of(tunnels_.begin(), tunnels_.end(),
                       [](const auto &e) { return e.second.lingering; });
}

void RelayDataPlane::endLingerIfReleased()
{
    bool all = lingering();
    for (const auto &[peer, t] : tunnels_)
        all = all && (!t.lingering || t.released);
    if (all)
        endLinger(); // every leaf moved on: the farewells
}

std::int64_t RelayDataPlane::livenessDeadlineMs() const
{
    return static_cast<std::int64_t>(config_.keepaliveMs) * config_.keepaliveMisses;
}

void RelayDataPlane::endLinger()
{
    for (auto it = tunnels_.begin(); it != tunnels_.end();) {
        if (it->second.lingering) {
            if (it->second.peerCarries)
                sendCarry(it->second, {});
            it = tunnels_.erase(it);
        } else {
            ++it;
        }
    }
    lingerRoutes_.clear();
    lingerEmit_.clear();
    openSegments(working_);
    rebuild();
}

bool RelayDataPlane::sendControl(TunnelState &t, relay::Kind kind, std::uint64_t sequence,
                                 std::span<const std::uint8_t> payload)
{
    relay::Header h;
    h.kind = kind;
    h.origin = self_;
    h.hop = self_;
    h.epoch = epoch_;
    h.sequence = sequence;
    if (tunnelOut_.count == udp::kBatch)
        flushTunnel();
    const std::size_t n = relay::encode(h, payload, std::span(tunnelOut_.slot(), udp::kSlotBytes));
    if (n == 0) {
        drop("encode-failed");
        return false;
    }
    if (!seal(t.peer, std::span(tunnelOut_.slot(), n), relay::headerBytes(h), false))
        return false;
    tunnelOut_.commit(tunnelFd_, t.to, n, t.from);
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

void RelayDataPlane::refuse(std::string_view reason, const sockaddr_in &from, std::string_view hop)
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
    std::string line =
        "relay: refused a tunnel datagram from " + hostPortText(from) + ": " + std::string(reason);
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

bool RelayDataPlane::fromPeer(const PeerAuth &a, const sockaddr_in &from) const
{
    if (ntohs(from.sin_port) != a.port)
        return false;
    const std::uint32_t address = ntohl(from.sin_addr.s_addr);
    if (config_.mode == RelayMode::Loopback)
        return address == INADDR_LOOPBACK;
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

std::vector<std::size_t> RelayDataPlane::segmentsOf(const std::set<GroupName> &networks) const
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < segments_.size(); ++i)
        if (networks.count(segments_[i].spec.network) != 0)
            out.push_back(i);
    return out;
}

void RelayDataPlane::rebuild()
{
    role_.routed.clear();
    role_.tunnels.clear();
    for (const auto &r : routes_)
        role_.routed.insert(r.network);
    routedSegments_ = segmentsOf(role_.routed);
    std::set<GroupName> lingerNetworks;
    for (const auto &r : lingerRoutes_)
        if (role_.routed.count(r.network) == 0)
            lingerNetworks.insert(r.network);
    lingerRouted_ = segmentsOf(lingerNetworks);
    // The leaf tunnels, oldest first; each emits what its root said it carries (or what this
    // node routes, under a root that predates carry).
    bool hasRoot = false;
    std::vector<TunnelState *> leafs;
    for (auto &[peer, t] : tunnels_) {
        if (t.root) {
            hasRoot = hasRoot || !t.lingering;
            continue;
        }
        t.emitSegments =
            segmentsOf(t.peerCarries ? t.carry ? *t.carry : std::set<GroupName>{} : role_.routed);
        if (!t.released)
            leafs.push_back(&t);
    }
    std::sort(leafs.begin(), leafs.end(), [](const TunnelState *a, const TunnelState *b) {
        return std::tie(a->openedMs, a->peer) < std::tie(b->openedMs, b->peer);
    });
    // One root at a time (Handover): a closing leaf tunnel is released once this node is a
    // root itself, or once a newer root said what this node carries.
    auto release = [&](TunnelState &t) {
        sendControl(t, relay::Kind::Release, ++keepaliveSequence_);
        t.released = true;
    };
    auto newerCarries = [&](std::size_t from) {
        for (std::size_t j = from; j < leafs.size(); ++j)
            if (!leafs[j]->closing &&
                (!leafs[j]->peerCarries || (leafs[j]->carry && !leafs[j]->carry->empty())))
                return true; // (a root that predates carry says nothing: it counts at once)
        return false;
    };
    std::vector<TunnelState *> active;
    for (std::size_t i = 0; i < leafs.size(); ++i) {
        if (leafs[i]->closing && leafs[i]->peerCarries && (hasRoot || newerCarries(i + 1)))
            release(*leafs[i]);
        else
            active.push_back(leafs[i]);
    }
    ingestLeaf_ = active.empty() ? NodeId() : active.front()->peer;
    const bool leaf = !ingestLeaf_.empty();
    std::map<NodeId, std::set<GroupName>> leaves;
    if (leaf) {
        role_.tunnels[ingestLeaf_] = false;
    } else {
        for (auto &[peer, t] : tunnels_)
            if (t.root && !t.lingering) {
                role_.tunnels[peer] = true;
                leaves[peer] = std::set<GroupName>(t.plan.networks.begin(), t.plan.networks.end());
            }
    }
    for (const NodeId &changed : book_.update(leaves)) {
        TunnelState &t = tunnels_.at(changed);
        if (t.peerCarries)
            sendCarry(t, book_.carriedBy(changed));
    }
    // What this node emits what it takes in onto: a leaf what its root said, a root what it
    // routes that no leaf carries.
    std::set<GroupName> carried;
    if (leaf) {
        const TunnelState &t = tunnels_.at(ingestLeaf_);
        carried = t.peerCarries ? t.carry.value_or(std::set<GroupName>{}) : role_.routed;
    } else {
        carried = book_.rootCarries(role_.routed);
    }
    role_.carried = carried;
    emitSegments_ = segmentsOf(carried);
    ingestPeers_.clear();
    for (const auto &[peer, isRoot] : role_.tunnels)
        ingestPeers_.push_back(peer);
    lingerPeers_.clear();
    for (const auto &[peer, t] : tunnels_)
        if (t.lingering)
            lingerPeers_.push_back(peer);
    flushTunnel();
}

void RelayDataPlane::sendCarry(TunnelState &t, const std::set<GroupName> &networks)
{
    if (sendControl(t, relay::Kind::Carry, ++carrySequence_, relay::encodeCarry(networks)))
        t.carry = networks;
}

void RelayDataPlane::onCarry(TunnelState &t, const relay::Header &h,
                             std::span<const std::uint8_t> payload)
{
    if (t.root) {
        drop("carry-from-leaf");
        return;
    }
    // The newest word counts: a new epoch (the root restarted) or a higher sequence.
    if (t.carry && h.epoch == t.carryEpoch && h.sequence <= t.carrySequence)
        return;
    auto networks = relay::decodeCarry(payload);
    if (!networks) {
        drop(relay::toString(relay::DecodeError::BadCarry));
        return;
    }
    t.carryEpoch = h.epoch;
    t.carrySequence = h.sequence;
    handoverUntilMs_ = clock_() + kHandoverWindowMs;
    const bool same = t.carry && *t.carry == *networks;
    t.carry = std::move(*networks);
    if (t.closing && t.carry->empty()) {
        const NodeId peer = t.peer;
        tunnels_.erase(peer); // the root's farewell: nothing more comes
        rebuild();
        return;
    }
    if (!same)
        rebuild();
}

std::vector<Tunnel> RelayDataPlane::openTunnels() const
{
    std::vector<Tunnel> out;
    for (const auto &[peer, t] : tunnels_)
        out.push_back(t.plan);
    return out;
}

std::vector<Route> RelayDataPlane::activeRoutes() const
{
    return routes_;
}

// ---- Datagrams ---------------------------------------------------------------------------------

std::optional<std::size_t> RelayDataPlane::channelOf(std::uint32_t group, std::uint16_t port) const
{
    if (group == config_.probeChannel.group && port == config_.probeChannel.port)
        return config_.channels.size();
    return relay::matchChannel(config_.channels, group, port);
}

void RelayDataPlane::drop(std::string_view reason, std::uint64_t n)
{
    auto it = drops_.find(reason);
    if (it == drops_.end())
        it = drops_.emplace(std::string(reason), 0).first;
    it->second += n;
}

void RelayDataPlane::setRelaySources(std::set<std::pair<std::uint32_t, std::uint16_t>> sources)
{
    segmentIo_->setRelaySources(std::move(sources));
}

void RelayDataPlane::onSegment(std::span<const SegmentPacket> packets)
{
    if (halted_)
        return;
    const std::size_t probe = config_.channels.size();
    const std::int64_t now = clock_();
    for (const auto &p : packets) {
        const auto channel = channelOf(p.group, p.port);
        if (!channel) {
            drop("not-a-channel");
            continue;
        }
        if (p.segment >= segments_.size())
            continue;
        if (*channel == probe)
            hearProbe(p.payload, segments_[p.segment].spec.network);
        if (std::find(routedSegments_.begin(), routedSegments_.end(), p.segment) ==
            routedSegments_.end()) {
            if (!lingerRouted_.empty() && !p.relayed &&
                std::find(lingerRouted_.begin(), lingerRouted_.end(), p.segment) !=
                    lingerRouted_.end())
                ingest(p.segment, p.source, p.sourcePort, p.group, p.port, p.payload, *channel, now,
                       true);
            continue; // another node routes this network
        }
        if (p.relayed) {
            // Another relay put it here. A datagram it forwards is already on its way: taking it
            // in again would loop it (two routing points of one network for a moment, during a
            // handover). Only a relay's own probe, sent on this very network, is new here.
            bool ownProbe = false;
            if (*channel == probe)
                if (const auto pr = relay::decodeProbe(p.payload))
                    ownProbe = segments_[p.segment].network == pr->network &&
                               segments_[p.segment].prefixLength == pr->prefixLength;
            if (!ownProbe) {
                drop("relay-emission");
                continue;
            }
        }
        ingest(p.segment, p.source, p.sourcePort, p.group, p.port, p.payload, *channel, now);
    }
    flushTunnel();
    segmentIo_->flush();
}

void RelayDataPlane::ingest(std::size_t segment, std::uint32_t source, std::uint16_t sourcePort,
                            std::uint32_t group, std::uint16_t port,
                            std::span<const std::uint8_t> payload, std::size_t channel,
                            std::int64_t nowMs, bool lingering)
{
    // lingering: a root stepping down still takes in what it routed, for the tunnels it lingers
    // on (until they released it, their new root may not carry it on yet: Handover).
    if (payload.size() > relay::kPayloadBytesMax) {
        drop("oversize");
        return;
    }
    const Segment &seg = segments_[segment];
    relay::Header h;
    h.kind = relay::Kind::Data;
    h.ttl = relay::kInitialTtl;
    h.originNetwork = seg.network;
    h.originPrefixLength = seg.prefixLength;
    h.source = source;
    h.sourcePort = sourcePort;
    h.group = group;
    h.port = port;
    h.epoch = epoch_;
    h.sequence = ++sequence_;
    h.origin = self_;
    h.hop = self_;
    // Two routing points of one network for a moment (a handover): whichever copy comes first,
    // taken in here or by the other one and tunnelled here, is the one that goes on. Only
    // around a plan or carry change: in a steady state no other node takes this network in, and
    // the hash is the ingress path's largest cost at 64 B (measured with dmr-bench-relay).
    if ((lingering || nowMs <= handoverUntilMs_) &&
        dedupe_.checkCrossOrigin(h, payload, nowMs) == relay::DedupeWindow::Verdict::CrossOrigin) {
        drop("cross-origin-duplicate");
        return;
    }
    ++channelStats_[channel].ingested;
    // Onto the other networks this node carries.
    for (std::size_t other : lingering ? lingerEmit_ : emitSegments_) {
        if (other == segment)
            continue;
        segmentIo_->send(other, group, port, payload);
        ++channelStats_[channel].emitted;
        if (channel == config_.channels.size())
            hearProbe(payload, segments_[other].spec.network);
    }
    const std::vector<NodeId> &into = lingering ? lingerPeers_ : ingestPeers_;
    if (into.empty())
        return;
    const bool encrypted = config_.encrypt && trust_.authenticate;
    h.flags = encrypted ? relay::kFlagEncrypted : 0;
    if (into.size() == 1) {
        // One tunnel (a leaf's, the usual case): encoded and sealed straight in the batch.
        TunnelState &t = tunnels_.at(into.front());
        if (tunnelOut_.count == udp::kBatch)
            flushTunnel();
        std::uint8_t *slot = tunnelOut_.slot();
        const std::size_t n = relay::encode(h, payload, std::span(slot, udp::kSlotBytes));
        if (n == 0) {
            drop("encode-failed");
            return;
        }
        if (!seal(t.peer, std::span(slot, n), relay::headerBytes(h), encrypted))
            return;
        tunnelOut_.commit(tunnelFd_, t.to, n, t.from);
        ++t.packetsOut;
        t.bytesOut += n;
        return;
    }
    // Encoded once; each tunnel gets a copy with its own hop fields and tag.
    const std::size_t n = relay::encode(h, payload, scratch_);
    if (n == 0) {
        drop("encode-failed");
        return;
    }
    for (const NodeId &peer : into)
        sendTunnel(tunnels_.at(peer), std::span(scratch_.data(), n), relay::headerBytes(h),
                   encrypted);
}

void RelayDataPlane::sendTunnel(TunnelState &t, std::span<const std::uint8_t> plain,
                                std::size_t headerBytes, bool encrypted)
{
    if (tunnelOut_.count == udp::kBatch)
        flushTunnel();
    std::uint8_t *slot = tunnelOut_.slot();
    std::memcpy(slot, plain.data(), plain.size());
    if (!seal(t.peer, std::span(slot, plain.size()), headerBytes, encrypted))
        return;
    tunnelOut_.commit(tunnelFd_, t.to, plain.size(), t.from);
    ++t.packetsOut;
    t.bytesOut += plain.size();
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
        const int n = tunnelIn_.receive(tunnelFd_);
        if (n <= 0)
            return true;
        const std::int64_t now = clock_(); // once per batch
        for (int i = 0; i < n; ++i) {
            const auto k = static_cast<std::size_t>(i);
            if (halted_)
                continue;
            if (tunnelIn_.truncated(k)) {
                drop("oversize");
                continue;
            }
            onTunnelDatagram(tunnelIn_.mutableBytes(k), tunnelIn_.source(k), now);
        }
        flushTunnel();
        segmentIo_->flush();
        if (static_cast<std::size_t>(n) < udp::kBatch)
            return true;
    }
    return false;
}

void RelayDataPlane::onTunnelDatagram(std::span<std::uint8_t> bytes, const sockaddr_in &from,
                                      std::int64_t now)
{
    auto decoded = relay::decode(bytes);
    if (auto *e = std::get_if<relay::DecodeError>(&decoded)) {
        refuse(relay::toString(*e), from, {});
        return;
    }
    const auto &[h, payload, tag, headerBytes] = std::get<relay::Decoded>(decoded);
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
    auto it = tunnels_.find(h.hop);
    if (it == tunnels_.end()) {
        if (h.kind == relay::Kind::Carry) {
            // A root that opened its end first: its word counts once this node opens its own.
            if (earlyCarry_.size() < kEarlyCarriesMax || earlyCarry_.count(h.hop) != 0) {
                auto &e = earlyCarry_[std::string(h.hop)];
                if (e.epoch != h.epoch || h.sequence > e.sequence)
                    e = EarlyCarry{h.epoch, h.sequence,
                                   std::vector<std::uint8_t>(payload.begin(), payload.end()), now};
            }
            return;
        }
        drop(relay::toString(relay::Drop::UnknownPeer));
        return;
    }
    TunnelState &t = it->second;
    t.lastHeardMs = now;
    if (h.kind != relay::Kind::Data && !t.up) {
        t.up = true;
        ++t.flaps;
    }
    if (h.kind == relay::Kind::Keepalive) {
        ++t.keepalivesIn;
        return;
    }
    if (h.kind == relay::Kind::Carry) {
        onCarry(t, h, payload);
        return;
    }
    if (h.kind == relay::Kind::Release) {
        if (!t.root)
            return; // only a leaf releases its root
        t.released = true;
        if (t.lingering)
            endLingerIfReleased();
        return;
    }
    if (t.root && h.origin != h.hop) {
        // A leaf sends only what it took in itself (it never forwards tunnel to tunnel): one
        // that speaks for another origin would be a cluster member forging that origin's
        // stream (its sequences are what the dedupe window keeps).
        drop("origin-not-hop");
        return;
    }
    ++t.packetsIn;
    t.bytesIn += bytes.size();
    // Where it would go: a leaf emits what its root said it carries; one it would emit nowhere
    // is dropped before the dedupe window sees it (a later copy by the root that does carry it
    // is not a duplicate here).
    const std::vector<std::size_t> &emitTo = t.lingering ? lingerEmit_
                                             : t.root    ? emitSegments_
                                                         : t.emitSegments;
    if (!t.root && emitTo.empty()) {
        drop("not-carried");
        return;
    }
    if (h.origin == self_) {
        drop(relay::toString(relay::Drop::OwnOrigin));
        return;
    }
    if (h.ttl == 0) {
        drop(relay::toString(relay::Drop::TtlExpired));
        return;
    }
    const auto channel = channelOf(h.group, h.port);
    if (!channel) {
        drop("not-a-channel");
        return;
    }
    switch (dedupe_.check(h, payload, now)) {
    case relay::DedupeWindow::Verdict::Fresh:
        break;
    case relay::DedupeWindow::Verdict::Duplicate:
        ++t.duplicatesIn;
        drop("duplicate");
        return;
    case relay::DedupeWindow::Verdict::Stale:
        ++t.duplicatesIn;
        drop("stale");
        return;
    case relay::DedupeWindow::Verdict::CrossOrigin:
        ++t.duplicatesIn;
        drop("cross-origin-duplicate");
        return;
    }
    const bool isProbe = *channel == config_.channels.size();
    for (std::size_t r : routedSegments_)
        if (segments_[r].network == h.originNetwork &&
            segments_[r].prefixLength == h.originPrefixLength)
            handoverUntilMs_ = now + kHandoverWindowMs; // another routing point of it
    for (std::size_t s : emitTo) {
        const Segment &seg = segments_[s];
        if (seg.network == h.originNetwork && seg.prefixLength == h.originPrefixLength)
            continue; // never back onto the network it came from
        segmentIo_->send(s, h.group, h.port, payload);
        ++channelStats_[*channel].emitted;
        if (isProbe)
            hearProbe(payload, seg.spec.network);
    }
    // A root fans out to its other leaves, with one hop less.
    if (!t.root || h.ttl <= 1)
        return;
    relay::Header fwd = h;
    fwd.ttl = static_cast<std::uint8_t>(h.ttl - 1);
    fwd.hop = self_;
    const bool encrypted = config_.encrypt && trust_.authenticate;
    fwd.flags = encrypted ? relay::kFlagEncrypted : 0;
    const std::size_t n = relay::encode(fwd, payload, scratch_); // (payload: decrypted)
    if (n == 0) {
        drop("encode-failed");
        return;
    }
    // A lingering root forwards between the tunnels it lingers on, an active one between its
    // open ones.
    for (auto &[peer, other] : tunnels_)
        if (other.root && other.lingering == t.lingering && peer != t.peer && peer != h.origin)
            sendTunnel(other, std::span(scratch_.data(), n), relay::headerBytes(fwd), encrypted);
}

// ---- Timers ------------------------------------------------------------------------------------

void RelayDataPlane::keepaliveTick()
{
    if (halted_)
        return;
    const std::int64_t now = clock_();
    const std::int64_t deadline = livenessDeadlineMs();
    const std::uint64_t sequence = ++keepaliveSequence_;
    // A closing tunnel whose root said no farewell ends after kLingerMs (a lingering root may
    // say it late: once every other leaf released it).
    bool expired = false;
    for (auto it = tunnels_.begin(); it != tunnels_.end();) {
        if (it->second.closing && now - it->second.closingSinceMs > kLingerMs) {
            it = tunnels_.erase(it);
            expired = true;
        } else {
            ++it;
        }
    }
    if (expired)
        rebuild();
    if (lingering() && now > lingerUntilMs_)
        endLinger(); // a leaf that never released: the liveness deadline
    for (auto &[peer, t] : tunnels_) {
        if (t.closing || t.lingering)
            continue;
        const bool up = t.lastHeardMs != 0 && now - t.lastHeardMs <= deadline;
        if (up != t.up) {
            t.up = up;
            ++t.flaps;
        }
        if (sendControl(t, relay::Kind::Keepalive, sequence))
            ++t.keepalivesOut;
        // The root repeats each leaf's carry: a lost one costs one keepalive interval.
        if (t.root && t.peerCarries)
            sendCarry(t, book_.carriedBy(peer));
    }
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
        segmentIo_->send(i, config_.probeChannel.group, config_.probeChannel.port, bytes);
        ++probesSent_;
        // The relay does not hear its own emissions: a probe on a network it routes goes into
        // the tunnels from here.
        if (std::find(routedSegments_.begin(), routedSegments_.end(), i) != routedSegments_.end())
            ingest(i, seg.spec.address.v4HostOrder(), 0, config_.probeChannel.group,
                   config_.probeChannel.port, bytes, config_.channels.size(), clock_());
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

Json RelayDataPlane::stateJson() const
{
    const std::int64_t now = clock_();
    Json tunnels = Json::array();
    for (const auto &[peer, t] : tunnels_) {
        tunnels.push_back({{"peer", peer},
                           {"role", t.root ? "root" : "leaf"},
                           {"address", hostPortText(t.to)},
                           {"networks", t.plan.networks},
                           {"carries", t.carry ? Json(*t.carry) : Json()},
                           {"closing", t.closing},
                           {"released", t.released},
                           {"lingering", t.lingering},
                           {"state", t.lastHeardMs == 0 ? "connecting"
                                     : t.up             ? "up"
                                                        : "down"},
                           {"last_heard_ms", t.lastHeardMs == 0 ? Json() : Json(t.lastHeardMs)},
                           {"age_ms", t.lastHeardMs == 0 ? Json() : Json(now - t.lastHeardMs)},
                           {"opened_ms", t.openedMs},
                           {"flaps", t.flaps},
                           {"packets_in", t.packetsIn},
                           {"bytes_in", t.bytesIn},
                           {"packets_out", t.packetsOut},
                           {"bytes_out", t.bytesOut},
                           {"keepalives_in", t.keepalivesIn},
                           {"keepalives_out", t.keepalivesOut},
                           {"duplicates_in", t.duplicatesIn}});
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
                                            : config_.probeChannel.toString() + " (probe)"},
                            {"ingested", channelStats_[i].ingested},
                            {"emitted", channelStats_[i].emitted}});
    Json segments = Json::array();
    for (const auto &s : segments_)
        segments.push_back({{"network", s.spec.network},
                            {"iface", s.spec.iface},
                            {"routed", std::find(routedSegments_.begin(), routedSegments_.end(),
                                                 &s - segments_.data()) != routedSegments_.end()}});
    const auto &io = segmentIo_->counters();
    Json drops = Json::object();
    for (const auto &[reason, n] : drops_)
        drops[reason] = n;
    drops["segment-malformed"] = io.malformed;
    drops["segment-truncated"] = io.truncated;
    drops["segment-send-failed"] = io.sendDropped;
    return Json{{"mode", std::string(toString(config_.mode))},
                {"port", port_},
                {"halted", halted_},
                {"epoch", epoch_},
                {"sequence", sequence_},
                {"hop_sequence", hopSequence_},
                {"authentication",
                 {{"mac", trust_.authenticate ? std::string(TunnelKey::algorithm()) : "off"},
                  {"encrypt", config_.encrypt && trust_.authenticate},
                  {"kdf", "HKDF-SHA256"},
                  {"replay_window", relay::ReplayWindow::kSize}}},
                {"tunnels", tunnels},
                {"carries", role_.carried ? Json(*role_.carried) : Json()},
                {"channels", channels},
                {"segments", segments},
                {"segment_received", io.received},
                {"segment_sent", io.sent},
                {"segment_own_ignored", io.ownDropped}, // own emissions heard back: not a loss
                {"segment_other_interface", io.otherInterface}, // os mode: not ours to hear
                {"probe",
                 {{"channel", config_.probeChannel.toString()},
                  {"interval_ms", config_.probeIntervalMs},
                  {"sent", probesSent_}}},
                {"drops", drops}};
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
        for (const auto &[peer, t] : tunnels_)
            out.sample(name, {{"node", node}, {"peer", peer}}, value(t));
    };
    perTunnel("dmr_relay_tunnel_up", "gauge", "1 while the tunnel's peer is heard",
              [](const TunnelState &t) { return t.up ? 1 : 0; });
    perTunnel("dmr_relay_tunnel_packets_in_total", "counter", "data datagrams in by tunnel",
              [](const TunnelState &t) { return t.packetsIn; });
    perTunnel("dmr_relay_tunnel_bytes_in_total", "counter", "data bytes in by tunnel",
              [](const TunnelState &t) { return t.bytesIn; });
    perTunnel("dmr_relay_tunnel_packets_out_total", "counter", "data datagrams out by tunnel",
              [](const TunnelState &t) { return t.packetsOut; });
    perTunnel("dmr_relay_tunnel_bytes_out_total", "counter", "data bytes out by tunnel",
              [](const TunnelState &t) { return t.bytesOut; });
    perTunnel("dmr_relay_tunnel_duplicates_total", "counter",
              "datagrams in by tunnel dropped as duplicates",
              [](const TunnelState &t) { return t.duplicatesIn; });
    perTunnel("dmr_relay_tunnel_flaps_total", "counter", "tunnel state changes",
              [](const TunnelState &t) { return t.flaps; });
    out.metric("dmr_relay_authenticated", "gauge",
               "1 when every tunnel datagram is sealed and verified with the cluster's tunnel keys",
               {{"node", node}}, trust_.authenticate ? 1 : 0);
    out.metric("dmr_relay_encrypted", "gauge",
               "1 when tunnel payloads are encrypted (relay.encrypt)", {{"node", node}},
               config_.encrypt && trust_.authenticate ? 1 : 0);
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
