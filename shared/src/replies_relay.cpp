// get-state's relay object (PROTOCOL.md, get-state), typed: its tunnels with their counters and
// wanted groups, the listener tables, the channels' counters, the limits in force and the drops.

#include "dmr/replies.h"

#include "replies_read.h"

namespace dmr::reply {

using namespace dmr::detail;
using detail::groupList;
using detail::parseWith;

const NetworkListeners *RelayState::listenersOf(const GroupName &network) const
{
    for (const auto &l : listeners)
        if (l.network == network)
            return &l;
    return nullptr;
}

const RelayTunnel *RelayState::tunnelTo(const NodeId &peer) const
{
    for (const auto &t : tunnels)
        if (t.peer == peer)
            return &t;
    return nullptr;
}

namespace {

// An object field that may be absent or null (nullopt), else read by `read`.
template<typename F>
auto optionalObject(const Json &j, const std::string &path, std::string_view key, F &&read)
    -> std::optional<decltype(read(j, path))>
{
    auto it = j.find(std::string(key));
    if (it == j.end() || it->is_null())
        return std::nullopt;
    const std::string at = member(path, key);
    expectAnyObject(*it, at);
    return read(*it, at);
}

RateLimit readRate(const Json &r, const std::string &at)
{
    return {nullableInt(r, at, "bytes_per_s").value_or(0),
            nullableInt(r, at, "datagrams_per_s").value_or(0),
            nullableInt(r, at, "burst_bytes").value_or(0),
            nullableInt(r, at, "burst_datagrams").value_or(0)};
}

// relay.limits: what is in force.
RelayLimits readLimits(const Json &j, const std::string &path)
{
    RelayLimits l;
    if (has(j, "boundaries"))
        l.boundaries = stringsField(j, path, "boundaries");
    if (auto perNetwork = j.find("network_boundaries");
        perNetwork != j.end() && !perNetwork->is_null()) {
        const std::string at = member(path, "network_boundaries");
        expectAnyObject(*perNetwork, at);
        for (const auto &[network, groups] : perNetwork->items())
            l.networkBoundaries.emplace_back(network, stringsField(*perNetwork, at, network));
    }
    l.threshold = nullableInt(j, path, "threshold");
    l.tunnel = optionalObject(j, path, "tunnel", readRate);
    l.channel = optionalObject(j, path, "channel", readRate);
    return l;
}

RelayOffload readOffload(const Json &j, const std::string &path)
{
    auto one = [&](std::string_view key) {
        return optionalObject(j, path, key, [](const Json &o, const std::string &at) {
            return OffloadState{boolOr(o, at, "on", false),
                                nullableString(o, at, "why").value_or(std::string())};
        });
    };
    return {one("tunnel_gso"), one("tunnel_gro"), one("segment_gso")};
}

NetworkListeners readListeners(const Json &n, const std::string &at)
{
    NetworkListeners out;
    out.network = stringField(n, at, "network");
    out.complete = nullableBool(n, at, "complete");
    out.querying = nullableBool(n, at, "querying");
    out.querier = nullableString(n, at, "querier");
    out.refused = nullableInt(n, at, "refused");
    if (has(n, "groups"))
        eachObject(n, at, "groups", [&](const Json &g, const std::string &gat) {
            out.groups.push_back({stringField(g, gat, "group"), nullableInt(g, gat, "age_ms"),
                                  nullableInt(g, gat, "expires_in_ms"),
                                  nullableInt(g, gat, "reporters")});
        });
    return out;
}

// Each integer field of the table, or nullopt (absent or null).
template<typename Record, std::size_t N>
void readCounters(const Json &j, const std::string &at, const CounterField<Record> (&table)[N],
                  Record &out)
{
    for (const auto &[member, name] : table)
        out.*member = nullableInt(j, at, name);
}

RelayTunnel readTunnel(const Json &t, const std::string &at)
{
    RelayTunnel out;
    out.peer = stringField(t, at, "peer");
    out.role = stringOrEmpty(t, at, "role");
    out.address = stringOrEmpty(t, at, "address");
    out.state = stringOrEmpty(t, at, "state");
    readCounters(t, at, kTunnelCounters, out);
    if (has(t, "networks"))
        out.networks = stringsField(t, at, "networks");
    out.carries = groupList(t, at, "carries");
    out.closing = nullableBool(t, at, "closing").value_or(false);
    out.peerWants = groupList(t, at, "peer_wants");
    out.wantsSent = groupList(t, at, "wants_sent");
    return out;
}

ChannelCounters readChannel(const Json &c, const std::string &at)
{
    ChannelCounters out;
    out.channel = stringField(c, at, "channel");
    readCounters(c, at, kChannelCounters, out);
    return out;
}

void readRelay(const Json &relay, const std::string &at, RelayState &r)
{
    r.relayOn = true;
    r.mode = stringOrEmpty(relay, at, "mode");
    r.port = nullableInt(relay, at, "port");
    r.halted = nullableBool(relay, at, "halted").value_or(false);
    r.epoch = nullableInt(relay, at, "epoch");
    r.authentication =
        optionalObject(relay, at, "authentication", [](const Json &a, const std::string &aat) {
            return RelayAuthentication{stringOrEmpty(a, aat, "mac"),
                                       nullableBool(a, aat, "encrypt").value_or(false)};
        });
    r.offload = optionalObject(relay, at, "offload", readOffload);
    r.carries = groupList(relay, at, "carries");
    r.prune = nullableBool(relay, at, "prune");
    if (auto listeners = relay.find("listeners");
        listeners != relay.end() && !listeners->is_null()) {
        r.listenersKnown = true;
        eachObject(relay, at, "listeners", [&](const Json &n, const std::string &nat) {
            r.listeners.push_back(readListeners(n, nat));
        });
    }
    if (has(relay, "tunnels"))
        eachObject(relay, at, "tunnels", [&](const Json &t, const std::string &tat) {
            r.tunnels.push_back(readTunnel(t, tat));
        });
    if (has(relay, "channels"))
        eachObject(relay, at, "channels", [&](const Json &c, const std::string &cat) {
            r.channels.push_back(readChannel(c, cat));
        });
    r.limits = optionalObject(relay, at, "limits", readLimits);
    if (auto drops = relay.find("drops"); drops != relay.end() && !drops->is_null()) {
        const std::string dat = member(at, "drops");
        expectAnyObject(*drops, dat);
        for (const auto &[reason, n] : drops->items())
            r.drops[reason] = intField(*drops, dat, reason);
    }
}

} // namespace

Result<RelayState> parseRelayState(std::string_view resultJson)
{
    return parseWith<RelayState>(resultJson, "get-state", [](const Json &j) {
        RelayState r;
        r.node = stringField(j, "", "node");
        if (has(j, "leads"))
            r.leads = stringsField(j, "", "leads");
        if (auto none = j.find("no_tunnels"); none != j.end() && !none->is_null())
            eachObject(j, "", "no_tunnels", [&](const Json &n, const std::string &at) {
                r.noTunnels.push_back({stringField(n, at, "root"), stringField(n, at, "leaf"),
                                       stringsField(n, at, "networks"),
                                       stringOrEmpty(n, at, "reason")});
            });
        auto relay = j.find("relay");
        if (relay != j.end() && !relay->is_null()) {
            expectAnyObject(*relay, "relay");
            readRelay(*relay, "relay", r);
        }
        return r;
    });
}

} // namespace dmr::reply
