// The relay's datagrams (RelayDataPlane, relay_data_plane.h): what a segment heard goes to
// relay::Engine::fromSegment, what the tunnel socket received (in recvmmsg batches, GRO runs split)
// through the trust checks to Engine::fromTunnel; the decision that comes back is carried out:
// emitted onto segments, encoded once per tunnel format, sealed per tunnel and queued in the
// tunnel's sendmmsg batch. Where a datagram goes is the engine's decision alone, down to the
// tunnels whose format cannot carry it (Forward::tunnelsUnfit, counted here as needs-tunnel-v3);
// this file adds only that a halted relay hears nothing.
#include "relay_data_plane.h"

#include <algorithm>
#include <cstring>

namespace dmr::agent {

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
    if (f.tunnelsUnfit != 0)
        drop("needs-tunnel-v3", f.tunnelsUnfit);
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

} // namespace dmr::agent
