// What the relay reports (RelayDataPlane, relay_data_plane.h): get-state's "relay" object (its
// tunnels, channels, segments, listeners, joins, offload, limits and drops), this node's row of
// the reachability matrix, and the relay's Prometheus metric families.
#include "relay_data_plane.h"

#include <algorithm>
#include <cmath>

namespace dmr::agent {

using Json = nlohmann::json;

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
