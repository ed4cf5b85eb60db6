#include "dmr/replies.h"

#include "json_reader.h"

namespace dmr::reply {

using namespace dmr::detail;

namespace {

bool has(const Json &j, std::string_view key)
{
    return j.find(std::string(key)) != j.end();
}

void expectObjectAt(const Json &j, const std::string &path)
{
    if (!j.is_object())
        fail(path, "expected an object, found " + typeName(j));
}

// An integer or null (absent counts as null).
std::optional<std::int64_t> nullableInt(const Json &j, const std::string &path,
                                        std::string_view key)
{
    auto it = j.find(std::string(key));
    if (it == j.end() || it->is_null())
        return std::nullopt;
    return intField(j, path, key);
}

// A string or null (absent counts as null).
std::optional<std::string> nullableString(const Json &j, const std::string &path,
                                          std::string_view key)
{
    auto it = j.find(std::string(key));
    if (it == j.end() || it->is_null())
        return std::nullopt;
    return stringField(j, path, key, true);
}

// A string that may be absent (empty then).
std::string stringOrEmpty(const Json &j, const std::string &path, std::string_view key)
{
    return optionalString(j, path, key).value_or(std::string());
}

bool boolOr(const Json &j, const std::string &path, std::string_view key, bool absent)
{
    return has(j, key) ? boolField(j, path, key) : absent;
}

std::vector<std::string> strings(const Json &j, const std::string &path, std::string_view key)
{
    std::vector<std::string> out;
    const Json &a = arrayField(j, path, key);
    const std::string at = member(path, key);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string())
            fail(element(at, i), "expected a string, found " + typeName(a[i]));
        out.push_back(a[i].get<std::string>());
    }
    return out;
}

// Calls f(element, path) for each object of an array field.
template<typename F>
void eachObject(const Json &j, const std::string &path, std::string_view key, F &&f)
{
    const Json &a = arrayField(j, path, key);
    const std::string at = member(path, key);
    for (std::size_t i = 0; i < a.size(); ++i) {
        expectObjectAt(a[i], element(at, i));
        f(a[i], element(at, i));
    }
}

double numberField(const Json &j, const std::string &path, std::string_view key)
{
    const Json &v = field(j, path, key);
    if (!v.is_number())
        fail(member(path, key), "expected a number, found " + typeName(v));
    return v.get<double>();
}

Page readPage(const Json &j, const std::string &path)
{
    Page p;
    p.instance = stringOrEmpty(j, path, "instance");
    p.rev = has(j, "rev") ? intField(j, path, "rev") : 0;
    p.more = boolOr(j, path, "more", false);
    return p;
}

template<typename T, typename F>
Result<T> parseWith(std::string_view text, std::string_view what, F &&read)
{
    auto parsed = parseJsonText(text, what);
    if (!parsed)
        return parsed.error();
    try {
        expectObjectAt(*parsed, "");
        return read(*parsed);
    } catch (const FieldError &e) {
        return Error{std::string(what) + ": " + e.message};
    } catch (const Json::exception &e) {
        return Error{std::string(what) + ": " + e.what()};
    }
}

// relay.limits: what is in force.
RelayLimits readLimits(const Json &j, const std::string &path)
{
    expectObjectAt(j, path);
    RelayLimits l;
    if (has(j, "boundaries"))
        l.boundaries = strings(j, path, "boundaries");
    if (auto perNetwork = j.find("network_boundaries");
        perNetwork != j.end() && !perNetwork->is_null()) {
        const std::string at = member(path, "network_boundaries");
        expectObjectAt(*perNetwork, at);
        for (const auto &[network, groups] : perNetwork->items())
            l.networkBoundaries.emplace_back(network, strings(*perNetwork, at, network));
    }
    l.threshold = nullableInt(j, path, "threshold");
    auto rate = [&](std::string_view key) -> std::optional<RateLimit> {
        auto it = j.find(std::string(key));
        if (it == j.end() || it->is_null())
            return std::nullopt;
        const std::string at = member(path, key);
        expectObjectAt(*it, at);
        RateLimit r;
        r.bytesPerS = nullableInt(*it, at, "bytes_per_s").value_or(0);
        r.datagramsPerS = nullableInt(*it, at, "datagrams_per_s").value_or(0);
        r.burstBytes = nullableInt(*it, at, "burst_bytes").value_or(0);
        r.burstDatagrams = nullableInt(*it, at, "burst_datagrams").value_or(0);
        return r;
    };
    l.tunnel = rate("tunnel");
    l.channel = rate("channel");
    return l;
}

TunnelEnd readEnd(const Json &j, const std::string &path)
{
    expectObjectAt(j, path);
    return {stringField(j, path, "node"), stringField(j, path, "iface", true),
            stringField(j, path, "address", true)};
}

Drill readDrill(const Json &j, const std::string &path)
{
    Drill d;
    d.id = intField(j, path, "id");
    d.action = stringField(j, path, "action");
    d.node = stringField(j, path, "node");
    d.iface = stringOrEmpty(j, path, "iface");
    d.reason = stringField(j, path, "reason", true);
    d.durationMs = nullableInt(j, path, "duration_ms");
    d.client = stringOrEmpty(j, path, "client");
    d.role = stringOrEmpty(j, path, "role");
    d.identity = stringOrEmpty(j, path, "identity");
    d.via = stringOrEmpty(j, path, "via");
    d.startedMs = intField(j, path, "started_ms");
    d.endedMs = nullableInt(j, path, "ended_ms");
    d.rev = has(j, "rev") ? intField(j, path, "rev") : 0;
    d.forwardedTo = stringOrEmpty(j, path, "forwarded_to");
    return d;
}

Json drillJson(const Drill &d)
{
    Json j = {{"id", d.id},
              {"rev", d.rev},
              {"action", d.action},
              {"node", d.node},
              {"reason", d.reason},
              {"client", d.client},
              {"started_ms", d.startedMs},
              {"ended_ms", d.endedMs ? Json(*d.endedMs) : Json()}};
    if (!d.iface.empty())
        j["iface"] = d.iface;
    if (d.durationMs)
        j["duration_ms"] = *d.durationMs;
    if (!d.role.empty())
        j["role"] = d.role;
    if (!d.identity.empty())
        j["identity"] = d.identity;
    if (!d.via.empty())
        j["via"] = d.via;
    if (!d.forwardedTo.empty())
        j["forwarded_to"] = d.forwardedTo;
    return j;
}

Json orNull(const std::optional<std::int64_t> &v)
{
    return v ? Json(*v) : Json();
}

} // namespace

// ---- get-state ---------------------------------------------------------------------------------

Result<State> parseState(std::string_view resultJson)
{
    return parseWith<State>(resultJson, "get-state", [](const Json &j) {
        const std::string path;
        State s;
        s.node = stringField(j, path, "node");
        s.state = stringField(j, path, "state");
        s.role = stringField(j, path, "role");
        s.membership = stringField(j, path, "membership");
        s.viewId = nullableString(j, path, "view_id").value_or(std::string());
        s.coordinator = nullableString(j, path, "coordinator");
        s.systemLeader = nullableString(j, path, "system_leader");
        if (s.systemLeader && s.systemLeader->empty())
            s.systemLeader.reset();
        s.leads = strings(j, path, "leads");
        s.failedAdapters = has(j, "failed_adapters") ? strings(j, path, "failed_adapters")
                                                     : std::vector<std::string>{};
        eachObject(j, path, "routes", [&](const Json &r, const std::string &at) {
            s.routes.push_back({stringField(r, at, "node"), stringField(r, at, "iface", true),
                                stringField(r, at, "network")});
        });
        eachObject(j, path, "tunnels", [&](const Json &t, const std::string &at) {
            s.tunnels.push_back({readEnd(field(t, at, "root"), member(at, "root")),
                                 readEnd(field(t, at, "leaf"), member(at, "leaf")),
                                 strings(t, at, "networks")});
        });
        s.handoverPending = boolOr(j, path, "handover_pending", false);
        s.degraded = boolOr(j, path, "degraded", false);
        s.waitingFor = nullableString(j, path, "waiting_for");
        return s;
    });
}

// ---- get-history -------------------------------------------------------------------------------

Result<History> parseHistory(std::string_view resultJson)
{
    return parseWith<History>(resultJson, "get-history", [](const Json &j) {
        History h;
        h.page = readPage(j, "");
        eachObject(j, "", "failovers", [&](const Json &r, const std::string &at) {
            Failover f;
            f.id = intField(r, at, "id");
            f.node = stringField(r, at, "node");
            f.cause = stringField(r, at, "cause");
            f.roles = strings(r, at, "roles");
            const Json &successors = field(r, at, "successors");
            expectObjectAt(successors, member(at, "successors"));
            for (const auto &[role, node] : successors.items()) {
                if (!node.is_null() && !node.is_string())
                    fail(member(member(at, "successors"), role),
                         "expected a string or null, found " + typeName(node));
                f.successors.emplace_back(role, node.is_null()
                                                    ? std::nullopt
                                                    : std::optional<NodeId>(node.get<NodeId>()));
            }
            f.viewId = stringField(r, at, "view_id", true);
            f.silentMs = intField(r, at, "silent_ms");
            f.failedMs = intField(r, at, "failed_ms");
            f.detectedMs = intField(r, at, "detected_ms");
            f.electedMs = intField(r, at, "elected_ms");
            f.tunnelsUpMs = nullableInt(r, at, "tunnels_up_ms");
            f.detectionMs = intField(r, at, "detection_ms");
            f.electionMs = intField(r, at, "election_ms");
            f.tunnelsMs = nullableInt(r, at, "tunnels_ms");
            f.totalMs = nullableInt(r, at, "total_ms");
            f.skewMs = has(r, "skew_ms") ? intField(r, at, "skew_ms") : 0;
            f.rev = has(r, "rev") ? intField(r, at, "rev") : 0;
            h.failovers.push_back(std::move(f));
        });
        return h;
    });
}

std::string encodeHistory(const History &history)
{
    Json list = Json::array();
    for (const Failover &f : history.failovers) {
        Json successors = Json::object();
        for (const auto &[role, node] : f.successors)
            successors[role] = node ? Json(*node) : Json();
        list.push_back({{"id", f.id},
                        {"node", f.node},
                        {"cause", f.cause},
                        {"roles", f.roles},
                        {"successors", successors},
                        {"view_id", f.viewId},
                        {"silent_ms", f.silentMs},
                        {"failed_ms", f.failedMs},
                        {"detected_ms", f.detectedMs},
                        {"elected_ms", f.electedMs},
                        {"tunnels_up_ms", orNull(f.tunnelsUpMs)},
                        {"detection_ms", f.detectionMs},
                        {"election_ms", f.electionMs},
                        {"tunnels_ms", orNull(f.tunnelsMs)},
                        {"total_ms", orNull(f.totalMs)},
                        {"skew_ms", f.skewMs},
                        {"rev", f.rev}});
    }
    return Json{{"failovers", list},
                {"instance", history.page.instance},
                {"rev", history.page.rev},
                {"more", history.page.more}}
        .dump();
}

// ---- get-drills --------------------------------------------------------------------------------

Result<Drills> parseDrills(std::string_view resultJson)
{
    return parseWith<Drills>(resultJson, "get-drills", [](const Json &j) {
        Drills d;
        d.page = readPage(j, "");
        eachObject(j, "", "drills", [&](const Json &r, const std::string &at) {
            d.drills.push_back(readDrill(r, at));
        });
        return d;
    });
}

Result<Drill> parseDrill(std::string_view recordJson)
{
    return parseWith<Drill>(recordJson, "drill", [](const Json &j) { return readDrill(j, ""); });
}

std::string encodeDrill(const Drill &drill)
{
    return drillJson(drill).dump();
}

std::string encodeDrills(const Drills &drills)
{
    Json list = Json::array();
    for (const Drill &d : drills.drills)
        list.push_back(drillJson(d));
    return Json{{"drills", list},
                {"instance", drills.page.instance},
                {"rev", drills.page.rev},
                {"more", drills.page.more}}
        .dump();
}

// ---- get-reachability --------------------------------------------------------------------------

const ReachabilityCell *ReachabilityRow::cellFrom(const NodeId &sender) const
{
    for (const auto &c : heard)
        if (c.from == sender)
            return &c;
    return nullptr;
}

const NetworkListeners *RelayListeners::listenersOf(const GroupName &network) const
{
    for (const auto &l : listeners)
        if (l.network == network)
            return &l;
    return nullptr;
}

const TunnelWants *RelayListeners::tunnelTo(const NodeId &peer) const
{
    for (const auto &t : tunnels)
        if (t.peer == peer)
            return &t;
    return nullptr;
}

namespace {

GroupList groupList(const Json &j, const std::string &path, std::string_view key)
{
    GroupList g;
    auto it = j.find(std::string(key));
    if (it == j.end())
        return g;
    if (it->is_null()) {
        g.kind = GroupList::Kind::Null;
        return g;
    }
    g.kind = GroupList::Kind::Listed;
    g.groups = strings(j, path, key);
    return g;
}

std::optional<bool> nullableBool(const Json &j, const std::string &path, std::string_view key)
{
    auto it = j.find(std::string(key));
    if (it == j.end() || it->is_null())
        return std::nullopt;
    return boolField(j, path, key);
}

} // namespace

Result<RelayListeners> parseRelayListeners(std::string_view resultJson)
{
    return parseWith<RelayListeners>(resultJson, "get-state", [](const Json &j) {
        RelayListeners r;
        r.node = stringField(j, "", "node");
        if (has(j, "leads"))
            r.leads = strings(j, "", "leads");
        auto relayIt = j.find("relay");
        if (relayIt == j.end() || relayIt->is_null())
            return r;
        const Json &relay = *relayIt;
        expectObjectAt(relay, "relay");
        r.relayOn = true;
        r.prune = nullableBool(relay, "relay", "prune");
        auto listeners = relay.find("listeners");
        if (listeners != relay.end() && !listeners->is_null()) {
            r.listenersKnown = true;
            eachObject(relay, "relay", "listeners", [&](const Json &n, const std::string &at) {
                NetworkListeners out;
                out.network = stringField(n, at, "network");
                out.querying = nullableBool(n, at, "querying");
                out.querier = nullableString(n, at, "querier");
                out.refused = nullableInt(n, at, "refused");
                if (has(n, "groups"))
                    eachObject(n, at, "groups", [&](const Json &g, const std::string &gat) {
                        out.groups.push_back({stringField(g, gat, "group"),
                                              nullableInt(g, gat, "age_ms"),
                                              nullableInt(g, gat, "expires_in_ms"),
                                              nullableInt(g, gat, "reporters")});
                    });
                r.listeners.push_back(std::move(out));
            });
        }
        if (has(relay, "tunnels"))
            eachObject(relay, "relay", "tunnels", [&](const Json &t, const std::string &at) {
                TunnelWants out;
                out.peer = stringField(t, at, "peer");
                out.role = stringOrEmpty(t, at, "role");
                out.state = stringOrEmpty(t, at, "state");
                if (has(t, "networks"))
                    out.networks = strings(t, at, "networks");
                out.peerWants = groupList(t, at, "peer_wants");
                out.wantsSent = groupList(t, at, "wants_sent");
                out.prunedPackets = nullableInt(t, at, "pruned_packets");
                out.limitedPackets = nullableInt(t, at, "limited_packets");
                out.limitedBytes = nullableInt(t, at, "limited_bytes");
                r.tunnels.push_back(std::move(out));
            });
        if (has(relay, "channels"))
            eachObject(relay, "relay", "channels", [&](const Json &c, const std::string &at) {
                ChannelCounters out;
                out.channel = stringField(c, at, "channel");
                out.ingested = nullableInt(c, at, "ingested");
                out.emitted = nullableInt(c, at, "emitted");
                out.limitedPackets = nullableInt(c, at, "limited_packets");
                out.limitedBytes = nullableInt(c, at, "limited_bytes");
                out.boundaryPackets = nullableInt(c, at, "boundary_packets");
                out.belowThresholdPackets = nullableInt(c, at, "below_threshold_packets");
                r.channels.push_back(std::move(out));
            });
        if (auto limits = relay.find("limits"); limits != relay.end() && !limits->is_null())
            r.limits = readLimits(*limits, "relay.limits");
        if (auto drops = relay.find("drops"); drops != relay.end() && !drops->is_null()) {
            expectObjectAt(*drops, "relay.drops");
            for (const auto &[reason, n] : drops->items())
                r.drops[reason] = intField(*drops, "relay.drops", reason);
        }
        return r;
    });
}

Result<Reachability> parseReachability(std::string_view resultJson)
{
    return parseWith<Reachability>(resultJson, "get-reachability", [](const Json &j) {
        Reachability r;
        r.nodes = strings(j, "", "nodes");
        r.intervalMs = has(j, "interval_ms") ? intField(j, "", "interval_ms") : 0;
        r.askedBy = stringOrEmpty(j, "", "asked_by");
        r.timeMs = has(j, "time_ms") ? intField(j, "", "time_ms") : 0;
        eachObject(j, "", "rows", [&](const Json &row, const std::string &at) {
            ReachabilityRow out;
            out.node = stringField(row, at, "node");
            out.answered = boolField(row, at, "answered");
            out.inView = boolOr(row, at, "in_view", true);
            out.probing = boolOr(row, at, "probing", false);
            eachObject(row, at, "heard", [&](const Json &c, const std::string &cat) {
                ReachabilityCell cell;
                cell.from = stringField(c, cat, "from");
                cell.heard = boolField(c, cat, "heard");
                cell.received = has(c, "received") ? intField(c, cat, "received") : 0;
                cell.lost = has(c, "lost") ? intField(c, cat, "lost") : 0;
                cell.duplicates = has(c, "duplicates") ? intField(c, cat, "duplicates") : 0;
                cell.loss = numberField(c, cat, "loss");
                cell.ageMs = has(c, "age_ms") ? intField(c, cat, "age_ms") : 0;
                out.heard.push_back(std::move(cell));
            });
            r.rows.push_back(std::move(out));
        });
        return r;
    });
}

} // namespace dmr::reply
