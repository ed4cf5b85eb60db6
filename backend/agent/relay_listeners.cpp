// The relay's listeners (RelayDataPlane, relay_data_plane.h, "Pruning"): one listen::Table per
// segment fed by what the hosts say (loopback listen frames, or os mode's IGMP/MLD reader), the
// queries where this node routes, each network's wanted groups handed to the engine; and in os
// mode the segments' multicast joins, which follow what the engine takes in there.
#include "relay_data_plane.h"

#include <algorithm>

namespace dmr::agent {

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

} // namespace dmr::agent
