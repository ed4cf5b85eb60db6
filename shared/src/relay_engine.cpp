#include "dmr/relay_engine.h"

#include <algorithm>
#include <iterator>
#include <tuple>

namespace dmr::relay {

namespace {

bool sameEnds(const Tunnel &a, const Tunnel &b)
{
    return a.root == b.root && a.leaf == b.leaf;
}

bool contains(const std::vector<bool> &flags, std::size_t i)
{
    return i < flags.size() && flags[i];
}

} // namespace

std::string_view toString(TunnelPhase p)
{
    switch (p) {
    case TunnelPhase::Open:
        return "open";
    case TunnelPhase::Closing:
        return "closing";
    case TunnelPhase::Released:
        return "released";
    case TunnelPhase::Lingering:
        return "lingering";
    }
    return "?";
}

void Effects::append(Effects &&other)
{
    for (auto &c : other.controls)
        controls.push_back(std::move(c));
    routesChanged = routesChanged || other.routesChanged;
}

Engine::Engine(Config config)
    : config_(std::move(config))
    , dedupe_(config_.dedupeOrigins, config_.dedupeFingerprints, config_.dedupeWindowMs)
{
    for (std::size_t i = 0; i < config_.channels.size(); ++i)
        channelBuckets_.emplace_back(i < config_.channelLimits.size() ? config_.channelLimits[i]
                                                                      : RateLimit{});
}

void Engine::setEpoch(std::uint64_t epoch)
{
    if (epoch != epoch_)
        sequence_ = 0;
    epoch_ = epoch;
}

void Engine::restart(std::uint64_t epoch)
{
    const std::uint64_t carrySequence = carrySequence_;
    const std::uint64_t controlSequence = controlSequence_;
    const std::uint64_t takesInGeneration = takesInGeneration_;
    std::vector<SegmentNetwork> segments = std::move(segments_);
    // (Who listens is the agent's to know, and which peers prune the view's: neither is lost.)
    std::map<GroupName, std::optional<std::set<IpAddress>>> listening = std::move(listening_);
    std::set<NodeId> prunes = std::move(prunesPeers_);
    std::map<NodeId, int, std::less<>> older = std::move(olderPeers_);
    Config config = config_;
    *this = Engine(std::move(config));
    listening_ = std::move(listening);
    prunesPeers_ = std::move(prunes);
    olderPeers_ = std::move(older);
    setSegments(std::move(segments));
    // (The peers order a root's carries by (epoch, sequence): counting on keeps them ordered.)
    carrySequence_ = carrySequence;
    controlSequence_ = controlSequence;
    takesInGeneration_ = takesInGeneration; // (counts on: rebuild() below moves it)
    setEpoch(epoch);
    rebuild();
}

void Engine::setSegments(std::vector<SegmentNetwork> segments)
{
    segments_ = std::move(segments);
    segmentBoundaries_.clear();
    for (const SegmentNetwork &s : segments_)
        segmentBoundaries_.push_back(config_.boundaries.of(s.address, s.prefixLength));
}

std::vector<std::size_t> Engine::segmentsOf(const std::set<GroupName> &networks) const
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < segments_.size(); ++i)
        if (networks.count(segments_[i].network) != 0)
            out.push_back(i);
    return out;
}

std::optional<std::size_t> Engine::channelOf(const IpAddress &group, std::uint16_t port) const
{
    if ((group == config_.probeChannel.group && port == config_.probeChannel.port) ||
        (group == config_.probeChannelV6.group && port == config_.probeChannelV6.port))
        return config_.channels.size();
    return matchChannel(config_.channels, group, port);
}

bool Engine::lingering() const
{
    return std::any_of(tunnels_.begin(), tunnels_.end(),
                       [](const auto &e) { return e.second.phase == TunnelPhase::Lingering; });
}

bool Engine::routesNetwork(const GroupName &network) const
{
    auto on = [&](const Route &r) { return r.network == network; };
    return std::any_of(routes_.begin(), routes_.end(), on) ||
           std::any_of(lingerRoutes_.begin(), lingerRoutes_.end(), on);
}

bool Engine::routesSegment(std::size_t segment) const
{
    return contains(isRouted_, segment);
}

std::vector<Tunnel> Engine::openTunnels() const
{
    std::vector<Tunnel> out;
    for (const auto &[peer, t] : tunnels_)
        out.push_back(t.plan);
    return out;
}

// ---- Plan --------------------------------------------------------------------------------------

Effects Engine::applyPlan(const std::vector<Action> &actions,
                          const std::map<NodeId, bool> &peerCarries, std::int64_t now)
{
    Effects out;
    handoverUntilMs_ = now + config_.handoverWindowMs;
    const std::vector<Route> routesBefore = routes_;
    const std::optional<std::set<GroupName>> carriedBefore = carried_;
    std::vector<NodeId> closedRoots;
    const NodeId &self = config_.self;
    for (const Action &a : actions) {
        switch (a.kind) {
        case Action::Kind::Route:
            if (std::find(routes_.begin(), routes_.end(), a.route) == routes_.end()) {
                routes_.push_back(a.route);
                out.routesChanged = true;
            }
            break;
        case Action::Kind::Unroute: {
            const auto before = routes_.size();
            routes_.erase(std::remove(routes_.begin(), routes_.end(), a.route), routes_.end());
            out.routesChanged = out.routesChanged || routes_.size() != before;
            break;
        }
        case Action::Kind::OpenTunnel:
        case Action::Kind::UpdateTunnel: {
            const Tunnel &t = a.tunnel;
            const bool root = t.root.node == self;
            if (!root && t.leaf.node != self)
                break; // not this node's
            const NodeId &peer = root ? t.leaf.node : t.root.node;
            auto carries = peerCarries.find(peer);
            if (carries == peerCarries.end())
                break; // the data plane could not open it (it said why)
            auto [it, inserted] = tunnels_.try_emplace(peer);
            TunnelState &s = it->second;
            if (inserted) {
                s.openedMs = now;
                s.peer = peer;
                s.limit = TokenBucket(config_.tunnelLimit);
            }
            if (s.root != root) { // the other way round now: start over
                s.carry.reset();
                s.carryEpoch = 0;
                s.carrySequence = 0;
                s.peerWants.reset();
                s.wantsSaid = false;
            }
            s.peerPrunes = prunesPeers_.count(peer) != 0;
            s.plan = t;
            s.root = root;
            s.peerCarries = carries->second;
            s.phase = TunnelPhase::Open;
            s.leafReleased = false;
            if (auto early = earlyCarry_.find(peer); early != earlyCarry_.end()) {
                if (!root && now - early->second.atMs <= config_.livenessMs) {
                    Header h;
                    h.kind = Kind::Carry;
                    h.epoch = early->second.epoch;
                    h.sequence = early->second.sequence;
                    onCarry(s, h, early->second.payload, now, out);
                }
                earlyCarry_.erase(early);
            }
            break;
        }
        case Action::Kind::CloseTunnel: {
            const Tunnel &t = a.tunnel;
            const NodeId &peer = t.root.node == self ? t.leaf.node : t.root.node;
            auto it = tunnels_.find(peer);
            if (it == tunnels_.end() || !sameEnds(it->second.plan, t) ||
                it->second.phase == TunnelPhase::Closing ||
                it->second.phase == TunnelPhase::Released)
                break;
            TunnelState &s = it->second;
            if (s.root) {
                if (s.phase != TunnelPhase::Lingering)
                    closedRoots.push_back(peer); // a farewell, or lingering: below
            } else if (s.peerCarries && s.carry && !s.carry->empty()) {
                // What the root sent before it closes its end is still this node's to emit.
                s.phase = TunnelPhase::Closing;
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
            rootLeft = rootLeft || (t.root && t.phase != TunnelPhase::Lingering &&
                                    std::find(closedRoots.begin(), closedRoots.end(), peer) ==
                                        closedRoots.end());
        // The plan took this node's last tunnels: the system leader moved. It stays the hub of
        // those that speak the carry until each released it; the others, and the tunnels of a
        // root that stays one, get their farewell now: from this point of the stream the leaf
        // carries nothing more. (A leaf that released this node already still hears from it:
        // the others' datagrams reach it through this node until they release it too.)
        const bool wasLingering = lingering();
        for (const NodeId &peer : closedRoots) {
            TunnelState &t = tunnels_.at(peer);
            if (!rootLeft && t.peerCarries) {
                t.phase = TunnelPhase::Lingering;
                continue;
            }
            if (t.peerCarries)
                sendCarry(t, {}, out);
            tunnels_.erase(peer);
        }
        if (lingering() && !wasLingering) {
            lingerRoutes_ = routesBefore;
            // (By network: the segments' indices change with the working interfaces.)
            lingerCarried_ = carriedBefore.value_or(std::set<GroupName>{});
            lingerEmit_ = segmentsOf(lingerCarried_);
            lingerUntilMs_ = now + config_.lingerMs;
            out.routesChanged = true;
        }
        endLingerIfReleased(out); // every leaf may have moved on already
    }
    return out;
}

void Engine::endLingerIfReleased(Effects &out)
{
    bool all = lingering();
    for (const auto &[peer, t] : tunnels_)
        all = all && (t.phase != TunnelPhase::Lingering || t.leafReleased);
    if (all)
        endLinger(out); // every leaf moved on: the farewells
}

void Engine::endLinger(Effects &out)
{
    for (auto it = tunnels_.begin(); it != tunnels_.end();) {
        if (it->second.phase == TunnelPhase::Lingering) {
            if (it->second.peerCarries)
                sendCarry(it->second, {}, out);
            it = tunnels_.erase(it);
        } else {
            ++it;
        }
    }
    lingerRoutes_.clear();
    lingerCarried_.clear();
    lingerEmit_.clear();
    out.routesChanged = true;
    rebuildInto(out);
}

Effects Engine::rebuild()
{
    Effects out;
    rebuildInto(out);
    return out;
}

void Engine::rebuildInto(Effects &out)
{
    ++takesInGeneration_;
    routed_.clear();
    for (const auto &r : routes_)
        routed_.insert(r.network);
    routedSegments_ = segmentsOf(routed_);
    isRouted_.assign(segments_.size(), false);
    for (const std::size_t s : routedSegments_)
        isRouted_[s] = true;
    std::set<GroupName> lingerNetworks;
    for (const auto &r : lingerRoutes_)
        if (routed_.count(r.network) == 0)
            lingerNetworks.insert(r.network);
    lingerRouted_ = segmentsOf(lingerNetworks);
    lingerEmit_ = segmentsOf(lingerCarried_);
    isLingerRouted_.assign(segments_.size(), false);
    for (const std::size_t s : lingerRouted_)
        isLingerRouted_[s] = true;
    // The leaf tunnels, oldest first; each emits what its root said it carries (or what this
    // node routes, under a root that predates carry).
    bool hasRoot = false;
    std::vector<TunnelState *> leafs;
    for (auto &[peer, t] : tunnels_) {
        if (t.root) {
            hasRoot = hasRoot || t.phase != TunnelPhase::Lingering;
            continue;
        }
        std::set<GroupName> emits =
            t.peerCarries ? t.carry.value_or(std::set<GroupName>{}) : routed_;
        if (t.phase == TunnelPhase::Released)
            // This node moved on from that root: of what it still hears from it, it emits only
            // onto the networks it still routes (another node routes the others now).
            std::erase_if(emits, [&](const GroupName &g) { return routed_.count(g) == 0; });
        t.emitSegments = segmentsOf(emits);
        if (t.phase != TunnelPhase::Released)
            leafs.push_back(&t);
    }
    std::sort(leafs.begin(), leafs.end(), [](const TunnelState *a, const TunnelState *b) {
        return std::tie(a->openedMs, a->peer) < std::tie(b->openedMs, b->peer);
    });
    // One root at a time: a closing leaf tunnel is released once this node is a root itself
    // (or routes alone), or once a newer root said what this node carries.
    auto release = [&](TunnelState &t) {
        out.controls.push_back(Control{t.peer, Kind::Release, ++controlSequence_, {}});
        t.phase = TunnelPhase::Released;
    };
    auto newerCarries = [&](std::size_t from) {
        for (std::size_t j = from; j < leafs.size(); ++j)
            if (leafs[j]->phase == TunnelPhase::Open &&
                (!leafs[j]->peerCarries || (leafs[j]->carry && !leafs[j]->carry->empty())))
                return true; // (a root that predates carry says nothing: it counts at once)
        return false;
    };
    // A node that routes networks and holds no open tunnel routes them alone: the whole
    // cluster's one routing point, the root of nothing but the stream it takes in.
    const bool alone =
        !routed_.empty() && std::none_of(tunnels_.begin(), tunnels_.end(), [](const auto &e) {
            return e.second.phase == TunnelPhase::Open;
        });
    std::vector<TunnelState *> active;
    for (std::size_t i = 0; i < leafs.size(); ++i) {
        if (leafs[i]->phase == TunnelPhase::Closing && leafs[i]->peerCarries &&
            (hasRoot || alone || newerCarries(i + 1)))
            release(*leafs[i]);
        else
            active.push_back(leafs[i]);
    }
    ingestPeers_.clear();
    std::map<NodeId, std::set<GroupName>> leaves;
    if (!active.empty()) {
        ingestPeers_.push_back(active.front()->peer); // a leaf sends into one tunnel
    } else {
        for (auto &[peer, t] : tunnels_)
            if (t.root && t.phase != TunnelPhase::Lingering) {
                ingestPeers_.push_back(peer);
                leaves[peer] = std::set<GroupName>(t.plan.networks.begin(), t.plan.networks.end());
            }
    }
    for (const NodeId &changed : book_.update(leaves)) {
        TunnelState &t = tunnels_.at(changed);
        if (t.peerCarries)
            sendCarry(t, book_.carriedBy(changed), out);
    }
    // What this node emits what it takes in onto: a leaf what its root said, a root what it
    // routes that no leaf carries.
    std::set<GroupName> carried;
    if (!active.empty()) {
        const TunnelState &t = *active.front();
        carried = t.peerCarries ? t.carry.value_or(std::set<GroupName>{}) : routed_;
    } else {
        carried = book_.rootCarries(routed_);
    }
    emitSegments_ = segmentsOf(carried);
    carried_ = std::move(carried);
    lingerPeers_.clear();
    for (const auto &[peer, t] : tunnels_)
        if (t.phase == TunnelPhase::Lingering)
            lingerPeers_.push_back(peer);
    segmentWants_.assign(segments_.size(), nullptr);
    for (std::size_t i = 0; i < segments_.size(); ++i)
        if (auto it = listening_.find(segments_[i].network); it != listening_.end())
            segmentWants_[i] = &it->second;
    refreshWants(out, false);
}

// ---- Pruning -----------------------------------------------------------------------------------

Effects Engine::setPrune(bool prune)
{
    Effects out;
    if (prune == config_.prune)
        return out;
    config_.prune = prune;
    ++takesInGeneration_;
    for (auto &[peer, t] : tunnels_)
        t.wantsSaid = false; // (off: the peer floods on anyway once it hears "every group")
    if (prune) {
        refreshWants(out, true);
    } else {
        // Every group now: a peer that prunes must send everything here again.
        for (auto &[peer, t] : tunnels_)
            if (t.peerPrunes && t.phase == TunnelPhase::Open) {
                for (auto &p : encodeWantsFull(++t.wantsSequence, std::nullopt))
                    out.controls.push_back(
                        Control{peer, Kind::Wants, ++controlSequence_, std::move(p)});
                t.wantsSent.reset();
            }
    }
    return out;
}

void Engine::setPeerPrunes(const NodeId &peer, bool prunes)
{
    if (prunes)
        prunesPeers_.insert(peer);
    else
        prunesPeers_.erase(peer);
}

void Engine::setPeerVersion(const NodeId &peer, int version)
{
    setPeerPrunes(peer, version >= 4);
    // Only a format that cannot carry every datagram is looked up per datagram: version 2
    // (IPv4 only, versionCarries). Versions 3 and 4 carry the same datagrams.
    if (version < 3)
        olderPeers_.insert_or_assign(peer, version);
    else if (auto it = olderPeers_.find(peer); it != olderPeers_.end())
        olderPeers_.erase(it);
}

Effects Engine::setListening(const GroupName &network, std::optional<std::set<IpAddress>> groups)
{
    Effects out;
    auto [it, inserted] = listening_.try_emplace(network);
    if (!inserted && it->second == groups)
        return out;
    it->second = std::move(groups);
    ++takesInGeneration_;
    if (inserted)
        for (std::size_t i = 0; i < segments_.size() && i < segmentWants_.size(); ++i)
            if (segments_[i].network == network)
                segmentWants_[i] = &it->second;
    refreshWants(out, false);
    return out;
}

bool Engine::segmentWants(std::size_t segment, const IpAddress &group) const
{
    if (!config_.prune)
        return true;
    if (segment >= segmentWants_.size() || segmentWants_[segment] == nullptr)
        return true; // no word of its listeners yet: every group (a flood, never a gap)
    const auto &w = *segmentWants_[segment];
    return !w || w->count(group) != 0;
}

std::optional<std::set<IpAddress>> Engine::segmentTakesIn(std::size_t segment) const
{
    std::set<IpAddress> out;
    if (segment >= segments_.size())
        return out;
    const bool lingering = !contains(isRouted_, segment);
    if (lingering && !contains(isLingerRouted_, segment))
        return out;
    if (!config_.prune)
        return std::nullopt;
    const Family family = segments_[segment].address.family();
    // A group this segment can take in at all: its family, a channel range's, not bounded here.
    auto takeable = [&](const IpAddress &g) {
        if (g.family() != family ||
            (segment < segmentBoundaries_.size() && within(segmentBoundaries_[segment], g)))
            return false;
        return std::any_of(config_.channels.begin(), config_.channels.end(),
                           [&](const ChannelRange &r) { return r.groups.contains(g); });
    };
    // The same targets as ingest(): the networks it emits onto but this one, and the tunnels.
    for (const std::size_t other : lingering ? lingerEmit_ : emitSegments_) {
        if (other == segment || segments_[other].address.family() != family)
            continue;
        if (other >= segmentWants_.size() || segmentWants_[other] == nullptr)
            return std::nullopt; // no word of its listeners yet: every group
        const auto &w = *segmentWants_[other];
        if (!w)
            return std::nullopt; // its listeners are not known yet
        for (const IpAddress &g : *w)
            if (takeable(g) &&
                !(other < segmentBoundaries_.size() && within(segmentBoundaries_[other], g)))
                out.insert(g);
    }
    for (const NodeId &peer : lingering ? lingerPeers_ : ingestPeers_) {
        const auto t = tunnels_.find(peer);
        if (t == tunnels_.end())
            continue;
        const auto &w = t->second.peerWants.wants();
        if (!w)
            return std::nullopt; // no word from it yet, or it wants everything
        for (const IpAddress &g : *w)
            if (takeable(g))
                out.insert(g);
    }
    return out;
}

bool Engine::peerWants(const TunnelState &t, const IpAddress &group) const
{
    if (!config_.prune)
        return true;
    const auto &w = t.peerWants.wants();
    return !w || w->count(group) != 0;
}

std::optional<std::set<IpAddress>> Engine::wantsFor(const TunnelState &t) const
{
    // This node's side: the networks it takes in or emits onto (routes, carries, lingers on).
    std::set<IpAddress> out;
    bool everything = false;
    auto add = [&](std::size_t s) {
        if (s >= segmentWants_.size() || segmentWants_[s] == nullptr)
            everything = true; // no word of its listeners yet
        else if (const auto &w = *segmentWants_[s])
            out.insert(w->begin(), w->end());
        else
            everything = true; // its listeners are not known yet
    };
    for (const std::size_t s : routedSegments_)
        add(s);
    for (const std::size_t s : emitSegments_)
        add(s);
    for (const std::size_t s : lingerEmit_)
        add(s);
    for (const auto &[peer, u] : tunnels_)
        if (!u.root)
            for (const std::size_t s : u.emitSegments)
                add(s);
    // A root speaks for its other leaves too: what goes into one tunnel may be for any of them.
    if (t.root)
        for (const auto &[peer, u] : tunnels_) {
            if (&u == &t || !u.root ||
                (u.phase == TunnelPhase::Lingering) != (t.phase == TunnelPhase::Lingering))
                continue;
            const auto &w = u.peerWants.wants();
            if (!w)
                return std::nullopt; // it wants every group: so does this side
            out.insert(w->begin(), w->end());
        }
    if (everything || out.size() > kWantsGroupsMax)
        return std::nullopt;
    return out;
}

void Engine::refreshWants(Effects &out, bool full)
{
    if (!config_.prune)
        return;
    for (auto &[peer, t] : tunnels_) {
        if (!t.peerPrunes || (t.phase != TunnelPhase::Open && t.phase != TunnelPhase::Lingering))
            continue;
        std::optional<std::set<IpAddress>> tell = wantsFor(t);
        std::vector<std::vector<std::uint8_t>> pages;
        if (!t.wantsSaid || !tell || !t.wantsSent) {
            if (t.wantsSaid && tell == t.wantsSent && !full)
                continue;
            if (!t.wantsSaid || tell != t.wantsSent)
                ++t.wantsSequence;
            pages = encodeWantsFull(t.wantsSequence, tell);
        } else if (*tell != *t.wantsSent) {
            std::set<IpAddress> added, removed;
            std::set_difference(tell->begin(), tell->end(), t.wantsSent->begin(),
                                t.wantsSent->end(), std::inserter(added, added.end()));
            std::set_difference(t.wantsSent->begin(), t.wantsSent->end(), tell->begin(),
                                tell->end(), std::inserter(removed, removed.end()));
            pages = encodeWantsDelta(t.wantsSequence + 1, added, removed);
            t.wantsSequence += pages.size();
            if (full) // the refresh too: a delta lost before it costs no more than this
                for (auto &p : encodeWantsFull(t.wantsSequence, tell))
                    pages.push_back(std::move(p));
        } else if (full) {
            pages = encodeWantsFull(t.wantsSequence, tell);
        }
        for (auto &p : pages)
            out.controls.push_back(Control{peer, Kind::Wants, ++controlSequence_, std::move(p)});
        t.wantsSaid = true;
        t.wantsSent = std::move(tell);
    }
}

void Engine::sendCarry(TunnelState &t, const std::set<GroupName> &networks, Effects &out)
{
    out.controls.push_back(Control{t.peer, Kind::Carry, ++carrySequence_, encodeCarry(networks)});
    t.carry = networks;
}

void Engine::onCarry(TunnelState &t, const Header &h, std::span<const std::uint8_t> payload,
                     std::int64_t now, Effects &out)
{
    // The newest word counts: a new epoch (the root restarted) or a higher sequence.
    if (t.carry && h.epoch == t.carryEpoch && h.sequence <= t.carrySequence)
        return;
    auto networks = decodeCarry(payload);
    if (!networks)
        return; // (decode() checked its shape: not reached)
    t.carryEpoch = h.epoch;
    t.carrySequence = h.sequence;
    handoverUntilMs_ = now + config_.handoverWindowMs;
    const bool same = t.carry && *t.carry == *networks;
    t.carry = std::move(*networks);
    if (t.phase != TunnelPhase::Open && t.carry->empty()) {
        const NodeId peer = t.peer;
        tunnels_.erase(peer); // the root's farewell: nothing more comes
        rebuildInto(out);
        return;
    }
    if (!same)
        rebuildInto(out);
}

Effects Engine::tick(std::int64_t now)
{
    Effects out;
    const std::uint64_t sequence = ++controlSequence_;
    // A closing tunnel whose root said no farewell ends after lingerMs (a lingering root may say
    // it late: once every other leaf released it).
    bool expired = false;
    for (auto it = tunnels_.begin(); it != tunnels_.end();) {
        const bool closing =
            it->second.phase == TunnelPhase::Closing || it->second.phase == TunnelPhase::Released;
        if (closing && now - it->second.closingSinceMs > config_.lingerMs) {
            it = tunnels_.erase(it);
            expired = true;
        } else {
            ++it;
        }
    }
    if (expired)
        rebuildInto(out);
    if (lingering() && now > lingerUntilMs_)
        endLinger(out); // a leaf that never released: the liveness deadline
    for (auto &[peer, t] : tunnels_) {
        if (t.phase != TunnelPhase::Open)
            continue;
        const bool up = t.lastHeardMs != 0 && now - t.lastHeardMs <= config_.livenessMs;
        if (up != t.up) {
            t.up = up;
            ++t.flaps;
        }
        out.controls.push_back(Control{peer, Kind::Keepalive, sequence, {}});
        // The root repeats each leaf's carry: a lost one costs one keepalive interval.
        if (t.root && t.peerCarries)
            sendCarry(t, book_.carriedBy(peer), out);
    }
    if (++wantsTicks_ >= kWantsRefreshTicks) {
        wantsTicks_ = 0;
        refreshWants(out, true);
    }
    return out;
}

// ---- Datagrams ---------------------------------------------------------------------------------

const Channel &Engine::probeChannelOf(std::size_t segment) const
{
    return segment < segments_.size() && segments_[segment].address.family() == Family::V6
               ? config_.probeChannelV6
               : config_.probeChannel;
}

Forward Engine::fromSegment(std::size_t segment, const IpAddress &source, std::uint16_t sourcePort,
                            const IpAddress &group, std::uint16_t port,
                            std::span<const std::uint8_t> payload, bool relayed, std::int64_t now,
                            std::optional<std::uint8_t> ipTtl)
{
    const std::size_t probe = config_.channels.size();
    const auto channel = channelOf(group, port);
    if (!channel) {
        Forward f;
        f.drop = Drop::NotAChannel;
        return f;
    }
    if (segment >= segments_.size()) {
        Forward f;
        f.drop = Drop::NotRouted;
        return f;
    }
    if (segments_[segment].address.family() != group.family()) {
        Forward f;
        f.drop = Drop::OtherFamily;
        f.channel = channel;
        return f;
    }
    if (!contains(isRouted_, segment)) {
        // Another node routes this network; a root stepping down still takes in what it routed,
        // for the tunnels it lingers on (until they released it, their new root may not carry
        // it on yet).
        Forward f;
        if (!relayed && contains(isLingerRouted_, segment)) {
            f.drop = scopeDrop(segment, group, *channel, ipTtl);
            if (f.drop == Drop::None)
                f = ingest(segment, source, sourcePort, group, port, payload, *channel, now, true);
        } else {
            f.drop = Drop::NotRouted;
        }
        f.channel = channel;
        f.hearProbe = *channel == probe;
        return f;
    }
    if (relayed) {
        // Another relay put it here. A datagram it forwards is already on its way: taking it in
        // again would loop it (two routing points of one network for a moment, during a
        // handover). Only a relay's own probe, sent on this very network, is new here.
        bool ownProbe = false;
        if (*channel == probe)
            if (const auto pr = decodeProbe(payload))
                ownProbe = segments_[segment].address == pr->network &&
                           segments_[segment].prefixLength == pr->prefixLength;
        if (!ownProbe) {
            if (now <= handoverUntilMs_ && *channel != probe) {
                heard_[heardNext_] =
                    HeardEmission{segment, segmentFingerprint(group, port, payload), now, true};
                heardNext_ = (heardNext_ + 1) % heard_.size();
                heardUntilMs_ = now + config_.dedupeWindowMs;
            }
            Forward f;
            f.drop = Drop::RelayEmission;
            f.channel = channel;
            f.hearProbe = *channel == probe;
            return f;
        }
    }
    if (const Drop scoped = scopeDrop(segment, group, *channel, ipTtl); scoped != Drop::None) {
        Forward f;
        f.drop = scoped;
        f.channel = channel;
        return f;
    }
    Forward f = ingest(segment, source, sourcePort, group, port, payload, *channel, now, false);
    f.hearProbe = *channel == probe;
    return f;
}

Drop Engine::scopeDrop(std::size_t segment, const IpAddress &group, std::size_t channel,
                       std::optional<std::uint8_t> ipTtl) const
{
    if (channel == config_.channels.size())
        return Drop::None;
    if (boundedOn(segment, group, channel))
        return Drop::Boundary;
    if (belowThreshold(ipTtl, config_.threshold))
        return Drop::BelowThreshold;
    return Drop::None;
}

bool Engine::boundedOn(std::size_t segment, const IpAddress &group, std::size_t channel) const
{
    return channel != config_.channels.size() && segment < segmentBoundaries_.size() &&
           within(segmentBoundaries_[segment], group);
}

void Engine::limitTunnels(Forward &f, std::size_t bytes, std::int64_t now)
{
    // First what a tunnel's format cannot carry, then the rate limits: a tunnel is charged only
    // for what it would carry.
    const bool limited = config_.tunnelLimit.limited() && f.channel != config_.channels.size();
    if (f.tunnels.empty() || (!limited && olderPeers_.empty()))
        return;
    std::size_t k = 0;
    for (const NodeId &peer : f.tunnels) {
        if (auto o = olderPeers_.find(peer);
            o != olderPeers_.end() && !versionCarries(o->second, f.header)) {
            ++f.tunnelsUnfit;
            continue;
        }
        auto it = limited ? tunnels_.find(peer) : tunnels_.end();
        if (it != tunnels_.end() && !it->second.limit.admit(bytes, now)) {
            ++it->second.limitedPackets;
            it->second.limitedBytes += bytes;
            ++f.tunnelsLimited;
            continue;
        }
        if (k == limitScratch_.size())
            limitScratch_.push_back(peer);
        else
            limitScratch_[k] = peer;
        ++k;
    }
    f.tunnels = std::span<const NodeId>(limitScratch_.data(), k);
}

Forward Engine::ownProbe(std::size_t segment, const IpAddress &source,
                         std::span<const std::uint8_t> payload, std::int64_t now)
{
    if (!contains(isRouted_, segment)) {
        Forward f;
        f.drop = Drop::NotRouted;
        return f;
    }
    const Channel &probe = probeChannelOf(segment);
    return ingest(segment, source, 0, probe.group, probe.port, payload, config_.channels.size(),
                  now, false);
}

Forward Engine::ingest(std::size_t segment, const IpAddress &source, std::uint16_t sourcePort,
                       const IpAddress &group, std::uint16_t port,
                       std::span<const std::uint8_t> payload, std::size_t channel, std::int64_t now,
                       bool lingering)
{
    Forward f;
    f.channel = channel;
    if (payload.size() > kPayloadBytesMax) {
        f.drop = Drop::Oversize;
        return f;
    }
    // Where it goes: with pruning, only where some host listens to its group (never pruned:
    // the probe channel). Decided first, so a datagram nobody wants takes no sequence.
    const bool pruned = config_.prune && channel != config_.channels.size();
    std::size_t n = 0;
    for (const std::size_t other : lingering ? lingerEmit_ : emitSegments_) {
        if (other == segment || segments_[other].address.family() != group.family() ||
            boundedOn(other, group, channel))
            continue;
        if (pruned && !segmentWants(other, group))
            continue;
        if (n == emitScratch_.size())
            emitScratch_.push_back(other);
        else
            emitScratch_[n] = other;
        ++n;
    }
    f.segments = std::span<const std::size_t>(emitScratch_.data(), n);
    const std::vector<NodeId> &peers = lingering ? lingerPeers_ : ingestPeers_;
    if (pruned) {
        std::size_t k = 0;
        for (const NodeId &peer : peers) {
            TunnelState &t = tunnels_.at(peer);
            if (!peerWants(t, group)) {
                ++t.prunedPackets;
                continue;
            }
            if (k == ingestScratch_.size())
                ingestScratch_.push_back(peer);
            else
                ingestScratch_[k] = peer;
            ++k;
        }
        f.tunnels = std::span<const NodeId>(ingestScratch_.data(), k);
        if (n == 0 && k == 0) {
            f.drop = Drop::NotWanted;
            f.segments = {};
            return f;
        }
    } else {
        f.tunnels = std::span<const NodeId>(peers);
    }
    // Over its channel range's rate limit (what nobody wants took no tokens).
    if (channel < channelBuckets_.size() && !channelBuckets_[channel].admit(payload.size(), now)) {
        f.drop = Drop::RateLimitChannel;
        f.segments = {};
        f.tunnels = {};
        return f;
    }
    const SegmentNetwork &seg = segments_[segment];
    Header &h = f.header;
    h.kind = Kind::Data;
    h.ttl = kInitialTtl;
    h.originNetwork = seg.address;
    h.originPrefixLength = seg.prefixLength;
    h.source = group.family() == Family::V6 ? source.v4Mapped() : source;
    h.sourcePort = sourcePort;
    h.group = group;
    h.port = port;
    h.epoch = epoch_;
    h.sequence = ++sequence_;
    h.origin = config_.self;
    h.hop = config_.self;
    // Two routing points of one network for a moment (a handover): whichever copy comes first,
    // taken in here or by the other one and tunnelled here, is the one that goes on. Only around
    // a plan or carry change: in a steady state no other node takes this network in, and the
    // hash is the ingress path's largest cost at 64 B (measured with dmr-bench-relay).
    if ((lingering || now <= handoverUntilMs_) &&
        dedupe_.checkCrossOrigin(h, payload, now) == DedupeWindow::Verdict::CrossOrigin) {
        f.drop = Drop::CrossOriginDuplicate;
        f.segments = {};
        f.tunnels = {};
        return f;
    }
    f.ingested = true;
    f.ttl = kInitialTtl;
    limitTunnels(f, payload.size(), now);
    return f;
}

Forward Engine::fromTunnel(const Header &h, std::span<const std::uint8_t> payload,
                           std::size_t wireBytes, std::int64_t now)
{
    Forward f;
    auto it = tunnels_.find(h.hop);
    if (it == tunnels_.end()) {
        if (h.kind == Kind::Carry) {
            // A root that opened its end first: its word counts once this node opens its own.
            if (earlyCarry_.size() < kEarlyCarriesMax || earlyCarry_.count(h.hop) != 0) {
                auto &e = earlyCarry_[std::string(h.hop)];
                if (e.epoch != h.epoch || h.sequence > e.sequence)
                    e = EarlyCarry{h.epoch, h.sequence,
                                   std::vector<std::uint8_t>(payload.begin(), payload.end()), now};
            }
            return f;
        }
        if (h.kind == Kind::Wants)
            return f; // (a peer that opened its end first: it says it again with its refresh)
        f.drop = Drop::UnknownPeer;
        return f;
    }
    TunnelState &t = it->second;
    t.lastHeardMs = now;
    if (h.kind != Kind::Data && !t.up) {
        t.up = true;
        ++t.flaps;
    }
    switch (h.kind) {
    case Kind::Keepalive:
        ++t.keepalivesIn;
        return f;
    case Kind::Carry:
        if (t.root)
            f.drop = Drop::CarryFromLeaf;
        else
            onCarry(t, h, payload, now, f.effects);
        return f;
    case Kind::Release:
        if (t.root) { // only a leaf releases its root
            t.leafReleased = true;
            if (t.phase == TunnelPhase::Lingering)
                endLingerIfReleased(f.effects);
        }
        return f;
    case Kind::Wants:
        if (const auto m = decodeWants(payload); m && t.peerWants.apply(h.epoch, *m)) {
            ++takesInGeneration_;
            if (t.root)
                refreshWants(f.effects, false); // the other leaves hear of it
        }
        return f;
    case Kind::Data:
        break;
    }
    if (t.root && h.origin != h.hop) {
        // A leaf sends only what it took in itself (it never forwards tunnel to tunnel): one that
        // speaks for another origin would be a cluster member forging that origin's stream (its
        // sequences are what the dedupe window keeps).
        f.drop = Drop::OriginNotHop;
        return f;
    }
    ++t.packetsIn;
    t.bytesIn += wireBytes;
    // Where it would go: a leaf emits what its root said it carries; one it would emit nowhere
    // is dropped before the dedupe window sees it (a later copy by the root that does carry it
    // is not a duplicate here).
    const bool lingeringHub = t.phase == TunnelPhase::Lingering;
    const std::vector<std::size_t> &emitTo = lingeringHub ? lingerEmit_
                                             : t.root     ? emitSegments_
                                                          : t.emitSegments;
    if (!t.root && emitTo.empty()) {
        f.drop = Drop::NotCarried;
        return f;
    }
    if (h.origin == config_.self) {
        f.drop = Drop::OwnOrigin;
        return f;
    }
    if (h.ttl == 0) {
        f.drop = Drop::TtlExpired;
        return f;
    }
    f.channel = channelOf(h.group, h.port);
    if (!f.channel) {
        f.drop = Drop::NotAChannel;
        return f;
    }
    switch (dedupe_.check(h, payload, now)) {
    case DedupeWindow::Verdict::Fresh:
        break;
    case DedupeWindow::Verdict::Duplicate:
        ++t.duplicatesIn;
        f.drop = Drop::Duplicate;
        return f;
    case DedupeWindow::Verdict::Stale:
        ++t.duplicatesIn;
        f.drop = Drop::Stale;
        return f;
    case DedupeWindow::Verdict::CrossOrigin:
        ++t.duplicatesIn;
        f.drop = Drop::CrossOriginDuplicate;
        if (t.root && t.phase == TunnelPhase::Open && h.ttl > 1 &&
            takeUnfanned(DedupeWindow::fingerprint(h, payload), now)) {
            // The old root's copy came first and reached only this node's segments: the new
            // routing point's copy goes on to the other leaves (never onto a segment again).
            f.drop = Drop::None;
            f.header = h;
            fanOut(f, t, h, false); // (f.segments stays empty)
            limitTunnels(f, payload.size(), now);
        }
        return f;
    }
    f.header = h;
    f.hearProbe = false;
    const bool probe = *f.channel == config_.channels.size();
    for (const std::size_t r : routedSegments_)
        if (segments_[r].address == h.originNetwork &&
            segments_[r].prefixLength == h.originPrefixLength)
            handoverUntilMs_ = now + config_.handoverWindowMs; // another routing point of it
    std::size_t n = 0;
    const bool heardLive = now <= heardUntilMs_ && !probe;
    const std::uint64_t heardPrint = heardLive ? segmentFingerprint(h.group, h.port, payload) : 0;
    for (const std::size_t s : emitTo) {
        const SegmentNetwork &seg = segments_[s];
        if (seg.address == h.originNetwork && seg.prefixLength == h.originPrefixLength)
            continue; // never back onto the network it came from
        if (seg.address.family() != h.group.family())
            continue; // a network of the other family hears none of it
        if (boundedOn(s, h.group, *f.channel))
            continue; // scoped there (relay.boundaries)
        if (!probe && !segmentWants(s, h.group))
            continue; // nobody listens there
        if (heardLive && takeHeard(s, heardPrint, now))
            continue; // the old routing point put it there already (a handover)
        if (n == emitScratch_.size())
            emitScratch_.push_back(s);
        else
            emitScratch_[n] = s;
        ++n;
    }
    f.segments = std::span<const std::size_t>(emitScratch_.data(), n);
    // A root fans out to its other leaves, with one hop less: a lingering root between the
    // tunnels it lingers on, an active one between its open ones.
    if (!t.root || h.ttl <= 1) {
        if (!t.root && h.ttl > 1 &&
            std::any_of(tunnels_.begin(), tunnels_.end(), [](const auto &e) {
                return e.second.root && e.second.phase == TunnelPhase::Open;
            })) {
            unfanned_[unfannedNext_] = Unfanned{DedupeWindow::fingerprint(h, payload), now, true};
            unfannedNext_ = (unfannedNext_ + 1) % unfanned_.size();
        }
        if (n == 0 && config_.prune && !probe)
            f.drop = Drop::NotWanted; // (a word of the wants still on its way)
        return f;
    }
    fanOut(f, t, h, lingeringHub);
    if (n == 0 && f.tunnels.empty() && config_.prune && !probe)
        f.drop = Drop::NotWanted;
    limitTunnels(f, payload.size(), now);
    return f;
}

void Engine::fanOut(Forward &f, const TunnelState &from, const Header &h, bool lingeringHub)
{
    const bool probe = f.channel && *f.channel == config_.channels.size();
    f.ttl = static_cast<std::uint8_t>(h.ttl - 1);
    std::size_t k = 0;
    for (auto &[peer, other] : tunnels_)
        if (other.root && (other.phase == TunnelPhase::Lingering) == lingeringHub &&
            peer != from.peer && peer != h.origin) {
            if (!probe && !peerWants(other, h.group)) {
                ++other.prunedPackets;
                continue;
            }
            if (k == fanScratch_.size())
                fanScratch_.push_back(peer);
            else
                fanScratch_[k] = peer;
            ++k;
        }
    f.tunnels = std::span<const NodeId>(fanScratch_.data(), k);
}

std::uint64_t Engine::segmentFingerprint(const IpAddress &group, std::uint16_t port,
                                         std::span<const std::uint8_t> payload)
{
    Header h;
    h.group = group;
    h.port = port;
    return DedupeWindow::fingerprint(h, payload);
}

bool Engine::takeHeard(std::size_t segment, std::uint64_t fingerprint, std::int64_t now)
{
    for (auto &e : heard_)
        if (e.used && e.segment == segment && e.fingerprint == fingerprint &&
            now - e.atMs <= config_.dedupeWindowMs) {
            e.used = false;
            return true;
        }
    return false;
}

bool Engine::takeUnfanned(std::uint64_t fingerprint, std::int64_t now)
{
    for (auto &u : unfanned_)
        if (u.used && u.fingerprint == fingerprint && now - u.atMs <= config_.handoverWindowMs) {
            u.used = false;
            return true;
        }
    return false;
}

} // namespace dmr::relay
