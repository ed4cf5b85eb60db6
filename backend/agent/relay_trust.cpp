// The relay's trust (RelayDataPlane, relay_data_plane.h, "Trust"): each peer's tunnel keys and
// replay window, derived anew when either end's epoch changes; where a peer's datagrams may come
// from; sealing what goes into a tunnel; a refused datagram counted and logged now and then.
#include "relay_data_plane.h"

#include <algorithm>

namespace dmr::agent {

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

} // namespace dmr::agent
