#include "format.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sstream>

namespace dmrctl {

namespace {

// Display width of UTF-8 text: one column per code point (node ids and reasons are mostly
// ASCII; wide characters merely misalign).
std::size_t width(const std::string &s)
{
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

// One line of a cell: a reason with a newline must not break the table.
std::string oneLine(std::string s)
{
    std::replace_if(
        s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
    return s;
}

const Json &member(const Json &object, const char *key)
{
    static const Json kNull;
    if (!object.is_object())
        return kNull;
    auto it = object.find(key);
    return it == object.end() ? kNull : *it;
}

std::string str(const Json &object, const char *key)
{
    const Json &v = member(object, key);
    return v.is_string() ? v.get<std::string>() : std::string();
}

std::string joined(const std::vector<std::string> &items, const char *separator)
{
    std::string s;
    for (const auto &i : items)
        s += (s.empty() ? "" : separator) + i;
    return s;
}

// A tunnel from get-state: "1 eth0 10.0.1.1 -> 2 eth0 10.0.2.2 carries 10.0.2.0/24", as the
// plan's actions print it.
std::string tunnelText(const Json &t)
{
    auto end = [](const Json &e) {
        return cell(e, "node") + " " + cell(e, "iface") + " " + cell(e, "address");
    };
    return end(member(t, "root")) + " -> " + end(member(t, "leaf")) + " carries " +
           cell(t, "networks");
}

std::string endpointText(const dmr::Endpoint &e)
{
    return e.node + " " + e.iface + " " + e.address.toString();
}

// "10.0.1.0/24: 2 -> 3"
std::string arrow(const Json &from, const Json &to)
{
    return cell(from) + " -> " + (to.is_null() ? std::string("nobody") : cell(to));
}

// A tunnel's WANTS cell: "3 groups", "everything" (no word from the peer yet), "nothing",
// "unknown" (an agent before pruning).
std::string wantsSummary(const dmr::reply::RelayListeners &relay, const std::string &peer)
{
    const dmr::reply::TunnelWants *t = relay.tunnelTo(peer);
    if (t == nullptr)
        return "unknown";
    if (relay.prune == false)
        return "everything (prune off)";
    switch (t->peerWants.kind) {
    case dmr::reply::GroupList::Kind::Unknown:
        return "unknown";
    case dmr::reply::GroupList::Kind::Null:
        return "everything";
    case dmr::reply::GroupList::Kind::Listed:
        break;
    }
    const std::size_t n = t->peerWants.groups.size();
    return n == 0 ? "nothing" : std::to_string(n) + (n == 1 ? " group" : " groups");
}

} // namespace

// ---- Table -------------------------------------------------------------------------------------

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers))
{
}

void Table::add(std::vector<std::string> row)
{
    row.resize(headers_.size());
    for (auto &c : row)
        c = oneLine(std::move(c));
    rows_.push_back(std::move(row));
}

std::string Table::render() const
{
    std::vector<std::size_t> widths(headers_.size(), 0);
    auto measure = [&](const std::vector<std::string> &row) {
        for (std::size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], width(row[i]));
    };
    measure(headers_);
    for (const auto &r : rows_)
        measure(r);
    std::string out;
    auto print = [&](const std::vector<std::string> &row) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size())
                line += std::string(widths[i] - width(row[i]) + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line + "\n";
    };
    if (!std::all_of(headers_.begin(), headers_.end(), [](const auto &h) { return h.empty(); }))
        print(headers_);
    for (const auto &r : rows_)
        print(r);
    return out;
}

// ---- Cells -------------------------------------------------------------------------------------

std::string cell(const Json &value)
{
    if (value.is_null())
        return "-";
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_boolean())
        return value.get<bool>() ? "yes" : "no";
    if (value.is_array()) {
        if (value.empty())
            return "-";
        std::vector<std::string> items;
        for (const auto &v : value)
            items.push_back(cell(v));
        return joined(items, ", ");
    }
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string cell(const Json &object, const char *key)
{
    return cell(member(object, key));
}

std::string formatTime(std::int64_t ms, bool withMs)
{
    const auto seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    if (::localtime_r(&seconds, &tm) == nullptr)
        return std::to_string(ms);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
    std::string s = buffer;
    if (withMs) {
        char frac[8];
        std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(((ms % 1000) + 1000) % 1000));
        s += frac;
    }
    return s;
}

// ---- Results -----------------------------------------------------------------------------------

std::string formatStatus(const Json &state)
{
    Table t({"", ""});
    auto row = [&](const char *label, std::string value) { t.add({label, std::move(value)}); };
    // Several values: one line each, the label on the first.
    auto rows = [&](const char *label, const std::vector<std::string> &values) {
        if (values.empty())
            row(label, "-");
        for (std::size_t i = 0; i < values.size(); ++i)
            t.add({i == 0 ? label : "", values[i]});
    };
    row("node", cell(state, "node"));
    row("cluster", cell(state, "cluster"));
    row("role", cell(state, "role"));
    row("state", cell(state, "state"));
    row("view", cell(state, "view_id"));
    row("coordinator", cell(state, "coordinator"));
    if (state.contains("membership_backend"))
        row("membership",
            cell(state, "membership_backend") + ", " + cell(state, "membership") +
                (member(state, "degraded") == true ? " (degraded: last view and plan kept)" : ""));
    if (member(state, "waiting_for").is_string())
        row("waiting for", cell(state, "waiting_for"));
    row("system leader", cell(state, "system_leader"));
    row("leads", cell(state, "leads"));
    row("failed adapters", cell(state, "failed_adapters"));
    std::vector<std::string> routes;
    for (const auto &r : member(state, "routes"))
        routes.push_back(cell(r, "network") + " on " + cell(r, "iface"));
    rows("routes", routes);
    std::vector<std::string> tunnels;
    for (const auto &tn : member(state, "tunnels"))
        tunnels.push_back(tunnelText(tn));
    rows("open tunnels", tunnels);
    if (member(state, "handover_pending") == true)
        row("handover", "pending: closes wait for the successors");
    return t.render();
}

std::string formatCluster(const Json &cluster, const dmr::Snapshot &snapshot)
{
    const dmr::Election &e = snapshot.plan.election;
    std::ostringstream out;
    out << "cluster " << (snapshot.cluster.empty() ? "-" : snapshot.cluster) << "  view "
        << cell(cluster, "view_id") << "  coordinator " << cell(cluster, "coordinator")
        << "  system leader " << e.systemLeader.value_or("-") << "\n\n";

    std::vector<dmr::NodeId> ids;
    for (const auto &[id, node] : snapshot.nodes)
        ids.push_back(id);
    std::sort(ids.begin(), ids.end(), dmr::naturalLess);
    const Json &controls = member(cluster, "control_addresses");
    Table nodes({"NODE", "STATE", "ROLES", "INTERFACES", "CONTROL"});
    for (const auto &id : ids) {
        const dmr::Node &node = snapshot.nodes.at(id);
        auto status = snapshot.status.find(id);
        std::vector<std::string> roles;
        if (e.systemLeader == id)
            roles.push_back("SL");
        const auto led = e.groupsLedBy(id);
        if (!led.empty())
            roles.push_back("leader of " + joined(led, " "));
        std::vector<std::string> ifaces;
        for (const auto &i : node.interfaces) {
            std::string text = i.name + " " + i.address.toString();
            if (status != snapshot.status.end() && status->second.failedAdapters.count(i.name) != 0)
                text += " (failed)";
            ifaces.push_back(text);
        }
        nodes.add({id,
                   status == snapshot.status.end()
                       ? "-"
                       : std::string(dmr::toString(status->second.state)),
                   roles.empty() ? "-" : joined(roles, ", "),
                   ifaces.empty() ? "-" : joined(ifaces, ", "), cell(controls, id.c_str())});
    }
    out << nodes.render() << "\n";

    Table groups({"GROUP", "LEADER", "MEMBERS (join order)"});
    auto addGroup = [&](const std::string &name, const dmr::View &view, const std::string &leader) {
        std::vector<std::string> members;
        for (const auto &m : view.members)
            members.push_back(m.node);
        groups.add({name, leader, members.empty() ? "-" : joined(members, " ")});
    };
    for (const auto &[name, view] : snapshot.membership.networks) {
        auto leader = e.groupLeaders.find(name);
        addGroup(name, view, leader == e.groupLeaders.end() ? "-" : leader->second);
    }
    addGroup(dmr::kGlGroup, snapshot.membership.glGroup, e.systemLeader.value_or("-"));
    out << groups.render() << "\n";

    if (snapshot.plan.tunnels.empty()) {
        out << "no tunnels\n";
    } else {
        Table tunnels({"ROOT (system leader)", "LEAF", "CARRIES"});
        for (const auto &tn : snapshot.plan.tunnels)
            tunnels.add({endpointText(tn.root), endpointText(tn.leaf), joined(tn.networks, " ")});
        out << tunnels.render();
    }
    return out.str();
}

std::string formatHistory(const dmr::reply::History &history)
{
    if (history.failovers.empty())
        return "no failovers recorded\n";
    auto orDash = [](const std::optional<std::int64_t> &v) {
        return v ? std::to_string(*v) : std::string("-");
    };
    // The phases of the outage (PROTOCOL.md, get-history): they add up to the total.
    Table t({"ID", "NODE", "CAUSE", "ROLES", "SUCCESSORS", "DETECTION_MS", "ELECTION_MS",
             "TUNNELS_MS", "TOTAL_MS"});
    for (const auto &r : history.failovers) {
        std::vector<std::string> successors;
        for (const auto &[role, node] : r.successors)
            successors.push_back(role + " -> " + node.value_or("nobody"));
        t.add({std::to_string(r.id), r.node, r.cause, r.roles.empty() ? "-" : joined(r.roles, ", "),
               successors.empty() ? "-" : joined(successors, ", "), std::to_string(r.detectionMs),
               std::to_string(r.electionMs), orDash(r.tunnelsMs), orDash(r.totalMs)});
    }
    return t.render();
}

std::string formatDrills(const dmr::reply::Drills &drills)
{
    if (drills.drills.empty())
        return "no drills\n";
    Table t({"ID", "ACTION", "NODE", "IFACE", "REASON", "DURATION_MS", "CLIENT", "ROLE", "IDENTITY",
             "VIA", "STARTED", "ENDED"});
    auto orDash = [](const std::string &s) { return s.empty() ? std::string("-") : s; };
    for (const auto &d : drills.drills)
        t.add({std::to_string(d.id), d.action, d.node, orDash(d.iface), d.reason,
               d.durationMs ? std::to_string(*d.durationMs) : "-", orDash(d.client), orDash(d.role),
               orDash(d.identity), orDash(d.via), formatTime(d.startedMs, false),
               d.endedMs ? formatTime(*d.endedMs, false) : "in force"});
    return t.render();
}

std::string formatDrillReply(const Json &record, const std::string &agent)
{
    std::string s = "drill " + cell(record, "id") + ": " + cell(record, "action") + " node " +
                    cell(record, "node");
    if (!str(record, "iface").empty())
        s += " " + str(record, "iface");
    const std::string forwarded = str(record, "forwarded_to");
    s += forwarded.empty() ? ", started by agent " + agent
                           : ", forwarded by agent " + agent + " to node " + forwarded;
    const Json &duration = member(record, "duration_ms");
    if (!duration.is_null())
        s += "; restored after " + cell(duration) + " ms";
    return s + " (" + cell(record, "reason") + ")\n";
}

std::string formatEvent(const Json &event)
{
    const std::string kind = str(event, "event");
    const Json &data = member(event, "data");
    std::string summary;
    if (kind == "view-changed") {
        std::vector<std::string> members;
        for (const auto &m : member(data, "members"))
            members.push_back(cell(m, "node"));
        summary = cell(data, "group") + ": " +
                  (members.empty()
                       ? std::string("empty")
                       : "leader " + cell(data, "leader") + ", members " + joined(members, " "));
    } else if (kind == "plan-changed") {
        std::vector<std::string> actions;
        for (const auto &a : member(data, "actions"))
            actions.push_back(cell(a, "text"));
        summary = std::to_string(actions.size()) + (actions.size() == 1 ? " action" : " actions") +
                  (actions.empty() ? "" : ": " + joined(actions, "; "));
    } else if (kind == "failover") {
        summary = cell(data, "group") + ": " + arrow(member(data, "from"), member(data, "to")) +
                  " (" + cell(data, "reason") + ")";
    } else if (kind == "drill") {
        summary = cell(data, "action") + " node " + cell(data, "node");
        if (!str(data, "iface").empty())
            summary += " " + str(data, "iface");
        summary += " by " + cell(data, "client");
        if (!str(data, "role").empty())
            summary += " (" + str(data, "role") + ", " + str(data, "identity") + ")";
        summary += ": " + cell(data, "reason");
        if (!member(data, "duration_ms").is_null())
            summary += " (for " + cell(data, "duration_ms") + " ms)";
    } else {
        summary = data.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    const Json &time = member(event, "time_ms");
    std::string line = time.is_number_integer() ? formatTime(time.get<std::int64_t>()) : "-";
    std::string k = kind.empty() ? "?" : kind;
    if (k.size() < 12)
        k.resize(12, ' ');
    return oneLine(line + "  " + k + "  " + summary) + "\n";
}

// ---- Relay -------------------------------------------------------------------------------------

std::string formatTunnels(const Json &state)
{
    const Json &relay = member(state, "relay");
    if (!relay.is_object())
        return "the relay is off on node " + cell(state, "node") + " (relay.enabled = false)\n";
    std::ostringstream out;
    out << "relay of node " << cell(state, "node") << ": mode " << cell(relay, "mode")
        << ", tunnel port " << cell(relay, "port")
        << (relay.value("halted", false) ? ", halted (killed by a drill)" : "") << "\n";
    // Every tunnel datagram's MAC (relay.h's wire format): how, and this incarnation's epoch.
    const Json &auth = member(relay, "authentication");
    if (auth.is_object())
        out << "tunnels authenticated: " << cell(auth, "mac")
            << (auth.value("encrypt", false) ? ", payloads encrypted" : ", payloads in the clear")
            << ", epoch " << cell(relay, "epoch") << "\n";
    // UDP offload (GSO on sends, GRO on the tunnel socket): on, or off and why.
    const Json &offload = member(relay, "offload");
    if (offload.is_object()) {
        auto onOff = [&](const char *key) {
            const Json &o = member(offload, key);
            if (!o.is_object())
                return std::string("?");
            return o.value("on", false) ? std::string("on")
                                        : "off (" + o.value("why", std::string()) + ")";
        };
        out << "udp offload: tunnel sends (GSO) " << onOff("tunnel_gso")
            << ", tunnel receive (GRO) " << onOff("tunnel_gro") << ", segment sends (GSO) "
            << onOff("segment_gso") << "\n";
    }
    // What this node emits tunnel traffic onto now (the carry handover): null under a root that
    // predates it, when it emits what it routes.
    const Json &carries = member(relay, "carries");
    out << "emits onto: "
        << (carries.is_array() ? (carries.empty() ? std::string("nothing") : cell(carries))
                               : std::string("what it routes (no word from a root)"))
        << "\n";
    const Json &tunnels = member(relay, "tunnels");
    if (!tunnels.is_array() || tunnels.empty()) {
        out << "no tunnels\n";
    } else {
        // WANTS: what the peer's side wants, so what goes into the tunnel (pruning).
        auto wanted = dmr::reply::parseRelayListeners(state.dump());
        Table t({"PEER", "ROLE", "ADDRESS", "STATE", "LAST_HEARD_MS", "PKTS_IN", "BYTES_IN",
                 "PKTS_OUT", "BYTES_OUT", "KEEPALIVES_IN/OUT", "DUPLICATES", "LIMITED", "NETWORKS",
                 "CARRIES", "WANTS", "PRUNED"});
        for (const auto &tn : tunnels) {
            // NETWORKS: what the plan's tunnel lists; CARRIES: what the leaf emits by the
            // root's word now (they differ for a moment while a network moves).
            const Json &c = member(tn, "carries");
            std::string carried = c.is_array() ? (c.empty() ? "-" : cell(c)) : "?";
            if (tn.value("closing", false))
                carried += " (closing)";
            t.add({cell(tn, "peer"), cell(tn, "role"), cell(tn, "address"), cell(tn, "state"),
                   cell(tn, "age_ms"), cell(tn, "packets_in"), cell(tn, "bytes_in"),
                   cell(tn, "packets_out"), cell(tn, "bytes_out"),
                   cell(tn, "keepalives_in") + "/" + cell(tn, "keepalives_out"),
                   cell(tn, "duplicates_in"), cell(tn, "limited_packets"),
                   cell(member(tn, "networks")), carried,
                   wanted ? wantsSummary(*wanted, str(tn, "peer")) : "?",
                   cell(tn, "pruned_packets")});
        }
        out << t.render();
    }
    // Tunnels of the plan that cannot be (the two ends share no address family).
    const Json &none = member(state, "no_tunnels");
    if (none.is_array())
        for (const auto &n : none) {
            const std::string peer =
                cell(n, "root") == cell(state, "node") ? cell(n, "leaf") : cell(n, "root");
            out << "no tunnel with node " << peer << " (it would carry "
                << cell(member(n, "networks")) << "): " << cell(n, "reason") << "\n";
        }
    const Json &channels = member(relay, "channels");
    if (channels.is_array() && !channels.empty()) {
        // LIMITED: over the range's rate limit; BOUNDARY, BELOW_THRESHOLD: not taken in where
        // it was heard (a bounded group, a TTL below relay.threshold).
        Table c({"CHANNEL", "INGESTED", "EMITTED", "LIMITED", "LIMITED_BYTES", "BOUNDARY",
                 "BELOW_THRESHOLD"});
        for (const auto &ch : channels)
            c.add({cell(ch, "channel"), cell(ch, "ingested"), cell(ch, "emitted"),
                   cell(ch, "limited_packets"), cell(ch, "limited_bytes"),
                   cell(ch, "boundary_packets"), cell(ch, "below_threshold_packets")});
        out << "\n" << c.render();
    }
    // The boundaries and rate limits in force (LIMITED: what a rate limit kept out).
    const Json &limits = member(relay, "limits");
    if (limits.is_object()) {
        auto rate = [&](const char *key) {
            const Json &l = member(limits, key);
            if (!l.is_object())
                return std::string("unlimited");
            std::string text;
            if (l.value("bytes_per_s", 0) != 0)
                text = cell(l, "bytes_per_s") + " B/s (burst " + cell(l, "burst_bytes") + ")";
            if (l.value("datagrams_per_s", 0) != 0)
                text += (text.empty() ? "" : ", ") + cell(l, "datagrams_per_s") +
                        " datagrams/s (burst " + cell(l, "burst_datagrams") + ")";
            return text;
        };
        const Json &b = member(limits, "boundaries");
        out << "\nlimits: per tunnel " << rate("tunnel") << "; per channel " << rate("channel")
            << "; threshold " << cell(limits, "threshold") << "; boundaries "
            << (b.is_array() && !b.empty() ? cell(b) : std::string("none")) << "\n";
    }
    const Json &drops = member(relay, "drops");
    std::string dropText;
    if (drops.is_object())
        for (const auto &[reason, n] : drops.items())
            if (n.is_number_unsigned() && n.get<std::uint64_t>() != 0)
                dropText += (dropText.empty() ? "" : ", ") + reason + " " + cell(n);
    out << "\ndrops: " << (dropText.empty() ? "none" : dropText) << "\n";
    return out.str();
}

std::string formatReachability(const dmr::reply::Reachability &r)
{
    std::ostringstream out;
    out << "who hears whom (row: the listener; column: the sender), asked by node "
        << (r.askedBy.empty() ? "-" : r.askedBy) << ", probes every " << r.intervalMs << " ms\n";
    std::vector<std::string> headers{"HEARS \\ FROM"};
    for (const auto &n : r.nodes)
        headers.push_back(n);
    Table m(headers);
    int cells = 0;
    int good = 0;
    std::vector<std::string> notes;
    for (const auto &row : r.rows) {
        const std::string &listener = row.node;
        std::vector<std::string> line{listener};
        for (const auto &from : r.nodes) {
            if (from == listener) {
                line.push_back("\\");
                continue;
            }
            if (!row.answered) {
                line.push_back("?");
                continue;
            }
            ++cells;
            const dmr::reply::ReachabilityCell *found = row.cellFrom(from);
            if (found == nullptr) {
                line.push_back(".");
                notes.push_back(listener + " has never heard " + from);
                continue;
            }
            if (found->heard && found->loss == 0.0) {
                ++good;
                line.push_back("ok");
            } else if (found->heard) {
                line.push_back(std::to_string(static_cast<int>(found->loss * 100 + 0.5)) + "%");
                notes.push_back(listener + " hears " + from + " with " + line.back() +
                                " recent loss (" + std::to_string(found->lost) + " lost of " +
                                std::to_string(found->received + found->lost) + ")");
            } else {
                line.push_back("-");
                notes.push_back(listener + " has not heard " + from + " for " +
                                std::to_string(found->ageMs) + " ms");
            }
        }
        if (!row.answered)
            notes.push_back(listener + " did not answer" +
                            (row.inView ? "" : " (not in the view)"));
        m.add(line);
    }
    out << m.render();
    out << good << "/" << cells
        << " cells fine (ok: heard, no recent loss; N%: recent loss; -: not heard lately; .: never "
           "heard; ?: no answer)\n";
    for (const auto &n : notes)
        out << "  " << n << "\n";
    return out.str();
}

} // namespace dmrctl

// ---- Listeners ---------------------------------------------------------------------------------

namespace dmrctl {

std::string formatDuration(std::int64_t ms)
{
    if (ms < 0)
        return "-";
    if (ms < 60'000) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(ms) / 1000.0);
        return buffer;
    }
    const std::int64_t s = ms / 1000;
    if (s < 3600)
        return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
    return std::to_string(s / 3600) + " h " + std::to_string((s % 3600) / 60) + " min";
}

std::vector<dmr::NodeId> listenerSources(const dmr::Snapshot &snapshot,
                                         const dmr::GroupName &network)
{
    std::vector<dmr::NodeId> out;
    auto add = [&](const dmr::NodeId &id) {
        if (std::find(out.begin(), out.end(), id) == out.end())
            out.push_back(id);
    };
    for (const auto &r : snapshot.plan.routes)
        if (r.network == network)
            add(r.node);
    if (auto it = snapshot.membership.networks.find(network);
        it != snapshot.membership.networks.end())
        for (const auto &m : it->second.members)
            add(m.node);
    return out;
}

std::string formatListeners(const dmr::Snapshot &snapshot,
                            const std::map<dmr::NodeId, ListenerAnswer> &answers)
{
    using dmr::reply::GroupList;
    using dmr::reply::RelayListeners;
    std::ostringstream out;
    out << "listeners of cluster " << (snapshot.cluster.empty() ? "-" : snapshot.cluster)
        << ", each network as its routing point sees it\n";
    auto answered = [&](const dmr::NodeId &id) -> const RelayListeners * {
        auto it = answers.find(id);
        return it == answers.end() || !it->second.state ? nullptr : &*it->second.state;
    };
    auto orUnknown = [](const std::optional<std::int64_t> &v, bool duration) {
        if (!v)
            return std::string("unknown");
        return duration ? formatDuration(*v) : std::to_string(*v);
    };

    Table t(
        {"NETWORK", "ROUTED BY", "SEEN BY", "QUERIER", "GROUP", "AGE", "EXPIRES IN", "REPORTERS"});
    for (const auto &[network, view] : snapshot.membership.networks) {
        const std::vector<dmr::NodeId> sources = listenerSources(snapshot, network);
        std::string router = "-";
        for (const auto &r : snapshot.plan.routes)
            if (r.network == network)
                router = r.node;
        const RelayListeners *state = nullptr;
        dmr::NodeId seenBy;
        for (const auto &id : sources)
            if ((state = answered(id)) != nullptr) {
                seenBy = id;
                break;
            }
        if (state == nullptr) {
            t.add({network, router, "-", "-", "unknown (no node of it answered)"});
            continue;
        }
        const std::string by = seenBy == router || router == "-" ? seenBy : seenBy + " (snooping)";
        const dmr::reply::NetworkListeners *nl =
            state->listenersKnown ? state->listenersOf(network) : nullptr;
        if (!state->relayOn || nl == nullptr) {
            const std::string why = !state->relayOn ? "unknown (relay off at node " + seenBy + ")"
                                    : !state->listenersKnown
                                        ? "unknown (agent " + seenBy + " does not report listeners)"
                                        : "unknown (node " + seenBy + " keeps no table for it)";
            t.add({network, router, by, "unknown", why});
            continue;
        }
        std::string querier = nl->querier.value_or(nl->querying.has_value() ? "none" : "unknown");
        if (nl->querying == true)
            querier = "node " + seenBy + (nl->querier ? " (" + *nl->querier + ")" : "");
        if (nl->groups.empty()) {
            t.add({network, router, by, querier, "none"});
            continue;
        }
        bool first = true;
        for (const auto &g : nl->groups) {
            t.add({first ? network : "", first ? router : "", first ? by : "", first ? querier : "",
                   g.group, orUnknown(g.ageMs, true), orUnknown(g.expiresInMs, true),
                   orUnknown(g.reporters, false)});
            first = false;
        }
    }
    out << t.render();

    // What goes into each tunnel, by the word of its sending end (every end is a routing point).
    Table tt({"FROM", "TO", "CARRIES", "PRUNED_PACKETS"});
    std::vector<dmr::NodeId> ids;
    for (const auto &[id, a] : answers)
        ids.push_back(id);
    std::sort(ids.begin(), ids.end(), dmr::naturalLess);
    for (const auto &id : ids) {
        const RelayListeners *state = answered(id);
        if (state == nullptr || !state->relayOn)
            continue;
        for (const auto &tn : state->tunnels) {
            std::string carries;
            if (state->prune == false) {
                carries = "everything (relay.prune = false at node " + id + ")";
            } else {
                switch (tn.peerWants.kind) {
                case GroupList::Kind::Unknown:
                    carries = "unknown (agent " + id + " does not report wanted groups)";
                    break;
                case GroupList::Kind::Null:
                    carries = "everything (no word from node " + tn.peer + " yet)";
                    break;
                case GroupList::Kind::Listed: {
                    const std::size_t n = tn.peerWants.groups.size();
                    carries = n == 0 ? std::string("nothing")
                                     : joined(tn.peerWants.groups, ", ") + " (" +
                                           std::to_string(n) + (n == 1 ? " group)" : " groups)");
                    break;
                }
                }
            }
            tt.add({id, tn.peer, carries, orUnknown(tn.prunedPackets, false)});
        }
    }
    out << "\n";
    if (tt.empty())
        out << "no tunnels\n";
    else
        out << tt.render();

    for (const auto &id : ids) {
        const auto &a = answers.at(id);
        if (!a.state)
            out << "node " << id << ": " << a.why << "\n";
        else if (a.state->relayOn && a.state->prune == false)
            out << "node " << id << " floods: relay.prune = false\n";
    }
    return out.str();
}

} // namespace dmrctl
