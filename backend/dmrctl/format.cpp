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

std::string joined(const std::vector<std::string> &items, const char *separator)
{
    std::string s;
    for (const auto &i : items)
        s += (s.empty() ? "" : separator) + i;
    return s;
}

// Cells: absent (nullopt), null or empty "-".
std::string orDash(const std::string &s)
{
    return s.empty() ? std::string("-") : s;
}

std::string orDash(const std::optional<std::string> &s)
{
    return s ? *s : std::string("-");
}

std::string orDash(const std::optional<std::int64_t> &v)
{
    return v ? std::to_string(*v) : std::string("-");
}

// A list as one cell: its items joined with ", ", "-" when empty.
std::string listCell(const std::vector<std::string> &items)
{
    return items.empty() ? std::string("-") : joined(items, ", ");
}

// A tunnel from get-state: "1 eth0 10.0.1.1 -> 2 eth0 10.0.2.2 carries 10.0.2.0/24", as the
// plan's actions print it.
std::string tunnelText(const dmr::reply::StateTunnel &t)
{
    auto end = [](const dmr::reply::TunnelEnd &e) {
        return e.node + " " + e.iface + " " + e.address;
    };
    return end(t.root) + " -> " + end(t.leaf) + " carries " + listCell(t.networks);
}

std::string endpointText(const dmr::Endpoint &e)
{
    return e.node + " " + e.iface + " " + e.address.toString();
}

// A tunnel's WANTS cell: "3 groups", "everything" (no word from the peer yet), "nothing",
// "unknown" (an agent before pruning).
std::string wantsSummary(const dmr::reply::RelayState &relay, const std::string &peer)
{
    const dmr::reply::RelayTunnel *t = relay.tunnelTo(peer);
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

std::string formatStatus(const dmr::reply::State &state)
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
    row("node", state.node);
    row("cluster", orDash(state.cluster));
    row("role", state.role);
    row("state", state.state);
    row("view", orDash(state.viewId));
    row("coordinator", orDash(state.coordinator));
    if (state.membershipBackend)
        row("membership", *state.membershipBackend + ", " + state.membership +
                              (state.degraded ? " (degraded: last view and plan kept)" : ""));
    if (state.waitingFor)
        row("waiting for", *state.waitingFor);
    row("system leader", orDash(state.systemLeader));
    row("leads", listCell(state.leads));
    row("failed adapters", listCell(state.failedAdapters));
    std::vector<std::string> routes;
    for (const auto &r : state.routes)
        routes.push_back(r.network + " on " + r.iface);
    rows("routes", routes);
    std::vector<std::string> tunnels;
    for (const auto &tn : state.tunnels)
        tunnels.push_back(tunnelText(tn));
    rows("open tunnels", tunnels);
    if (state.handoverPending)
        row("handover", "pending: closes wait for the successors");
    return t.render();
}

std::string formatCluster(const dmr::reply::Cluster &cluster)
{
    const dmr::Snapshot &snapshot = cluster.snapshot;
    const dmr::Election &e = snapshot.plan.election;
    std::ostringstream out;
    out << "cluster " << orDash(snapshot.cluster) << "  view " << cluster.viewId << "  coordinator "
        << orDash(cluster.coordinator) << "  system leader " << e.systemLeader.value_or("-")
        << "\n\n";

    std::vector<dmr::NodeId> ids;
    for (const auto &[id, node] : snapshot.nodes)
        ids.push_back(id);
    std::sort(ids.begin(), ids.end(), dmr::naturalLess);
    auto control = [&](const dmr::NodeId &id) {
        auto it = cluster.controlAddresses.find(id);
        return it == cluster.controlAddresses.end() ? std::string("-") : it->second;
    };
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
                   ifaces.empty() ? "-" : joined(ifaces, ", "), control(id)});
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

std::string formatDrillReply(const dmr::reply::Drill &record, const std::string &agent)
{
    std::string s =
        "drill " + std::to_string(record.id) + ": " + record.action + " node " + record.node;
    if (!record.iface.empty())
        s += " " + record.iface;
    s += record.forwardedTo.empty()
             ? ", started by agent " + agent
             : ", forwarded by agent " + agent + " to node " + record.forwardedTo;
    if (record.durationMs)
        s += "; restored after " + std::to_string(*record.durationMs) + " ms";
    return s + " (" + record.reason + ")\n";
}

std::string formatEvent(const dmr::reply::Event &event)
{
    using dmr::protocol::EventKind;
    std::string summary = event.dataJson; // a kind this dmrctl does not know: its data
    if (event.kind)
        switch (*event.kind) {
        case EventKind::ViewChanged: {
            std::vector<std::string> members;
            for (const auto &m : event.members)
                members.push_back(m.node);
            summary = event.group + ": " +
                      (members.empty() ? std::string("empty")
                                       : "leader " + orDash(event.leader) + ", members " +
                                             joined(members, " "));
            break;
        }
        case EventKind::PlanChanged: {
            std::vector<std::string> actions;
            for (const auto &a : event.actions)
                actions.push_back(a.text);
            summary = std::to_string(actions.size()) +
                      (actions.size() == 1 ? " action" : " actions") +
                      (actions.empty() ? "" : ": " + joined(actions, "; "));
            break;
        }
        case EventKind::Failover:
            summary = event.group + ": " + orDash(event.from) + " -> " +
                      event.to.value_or("nobody") + " (" + orDash(event.reason) + ")";
            break;
        case EventKind::Drill:
            summary = event.action + " node " + event.node;
            if (!event.iface.empty())
                summary += " " + event.iface;
            summary += " by " + orDash(event.client);
            if (!event.role.empty())
                summary += " (" + event.role + ", " + event.identity + ")";
            summary += ": " + orDash(event.reason);
            if (event.durationMs)
                summary += " (for " + std::to_string(*event.durationMs) + " ms)";
            break;
        }
    std::string line = formatTime(event.timeMs);
    std::string k = event.kindName.empty() ? "?" : event.kindName;
    if (k.size() < 12)
        k.resize(12, ' ');
    return oneLine(line + "  " + k + "  " + summary) + "\n";
}

// ---- Relay -------------------------------------------------------------------------------------

std::string formatTunnels(const dmr::reply::RelayState &state)
{
    using dmr::reply::GroupList;
    if (!state.relayOn)
        return "the relay is off on node " + state.node + " (relay.enabled = false)\n";
    std::ostringstream out;
    out << "relay of node " << state.node << ": mode " << orDash(state.mode) << ", tunnel port "
        << orDash(state.port) << (state.halted ? ", halted (killed by a drill)" : "") << "\n";
    // Every tunnel datagram's MAC (relay.h's wire format): how, and this incarnation's epoch.
    if (state.authentication)
        out << "tunnels authenticated: " << orDash(state.authentication->mac)
            << (state.authentication->encrypt ? ", payloads encrypted" : ", payloads in the clear")
            << ", epoch " << orDash(state.epoch) << "\n";
    // UDP offload (GSO on sends, GRO on the tunnel socket): on, or off and why.
    if (state.offload) {
        auto onOff = [](const std::optional<dmr::reply::OffloadState> &o) {
            if (!o)
                return std::string("?");
            return o->on ? std::string("on") : "off (" + o->why + ")";
        };
        out << "udp offload: tunnel sends (GSO) " << onOff(state.offload->tunnelGso)
            << ", tunnel receive (GRO) " << onOff(state.offload->tunnelGro)
            << ", segment sends (GSO) " << onOff(state.offload->segmentGso) << "\n";
    }
    // What this node emits tunnel traffic onto now (the carry handover): null under a root that
    // predates it, when it emits what it routes.
    out << "emits onto: "
        << (state.carries.kind == GroupList::Kind::Listed
                ? (state.carries.groups.empty() ? std::string("nothing")
                                                : joined(state.carries.groups, ", "))
                : std::string("what it routes (no word from a root)"))
        << "\n";
    if (state.tunnels.empty()) {
        out << "no tunnels\n";
    } else {
        // WANTS: what the peer's side wants, so what goes into the tunnel (pruning).
        Table t({"PEER", "ROLE", "ADDRESS", "STATE", "LAST_HEARD_MS", "PKTS_IN", "BYTES_IN",
                 "PKTS_OUT", "BYTES_OUT", "KEEPALIVES_IN/OUT", "DUPLICATES", "LIMITED", "NETWORKS",
                 "CARRIES", "WANTS", "PRUNED"});
        for (const auto &tn : state.tunnels) {
            // NETWORKS: what the plan's tunnel lists; CARRIES: what the leaf emits by the
            // root's word now (they differ for a moment while a network moves).
            std::string carried = tn.carries.kind == GroupList::Kind::Listed
                                      ? listCell(tn.carries.groups)
                                      : std::string("?");
            if (tn.closing)
                carried += " (closing)";
            t.add({tn.peer, orDash(tn.role), orDash(tn.address), orDash(tn.state), orDash(tn.ageMs),
                   orDash(tn.packetsIn), orDash(tn.bytesIn), orDash(tn.packetsOut),
                   orDash(tn.bytesOut), orDash(tn.keepalivesIn) + "/" + orDash(tn.keepalivesOut),
                   orDash(tn.duplicatesIn), orDash(tn.limitedPackets), listCell(tn.networks),
                   carried, wantsSummary(state, tn.peer), orDash(tn.prunedPackets)});
        }
        out << t.render();
    }
    // Tunnels of the plan that cannot be (the two ends share no address family).
    for (const auto &n : state.noTunnels) {
        const std::string &peer = n.root == state.node ? n.leaf : n.root;
        out << "no tunnel with node " << peer << " (it would carry " << listCell(n.networks)
            << "): " << orDash(n.reason) << "\n";
    }
    if (!state.channels.empty()) {
        // LIMITED: over the range's rate limit; BOUNDARY, BELOW_THRESHOLD: not taken in where
        // it was heard (a bounded group, a TTL below relay.threshold).
        Table c({"CHANNEL", "INGESTED", "EMITTED", "LIMITED", "LIMITED_BYTES", "BOUNDARY",
                 "BELOW_THRESHOLD"});
        for (const auto &ch : state.channels)
            c.add({ch.channel, orDash(ch.ingested), orDash(ch.emitted), orDash(ch.limitedPackets),
                   orDash(ch.limitedBytes), orDash(ch.boundaryPackets),
                   orDash(ch.belowThresholdPackets)});
        out << "\n" << c.render();
    }
    // The boundaries and rate limits in force (LIMITED: what a rate limit kept out).
    if (state.limits) {
        auto rate = [](const std::optional<dmr::reply::RateLimit> &l) {
            if (!l)
                return std::string("unlimited");
            std::string text;
            if (l->bytesPerS != 0)
                text = std::to_string(l->bytesPerS) + " B/s (burst " +
                       std::to_string(l->burstBytes) + ")";
            if (l->datagramsPerS != 0)
                text += (text.empty() ? "" : ", ") + std::to_string(l->datagramsPerS) +
                        " datagrams/s (burst " + std::to_string(l->burstDatagrams) + ")";
            return text;
        };
        const auto &b = state.limits->boundaries;
        out << "\nlimits: per tunnel " << rate(state.limits->tunnel) << "; per channel "
            << rate(state.limits->channel) << "; threshold " << orDash(state.limits->threshold)
            << "; boundaries " << (b.empty() ? std::string("none") : joined(b, ", ")) << "\n";
    }
    std::string dropText;
    for (const auto &[reason, n] : state.drops)
        if (n > 0)
            dropText += (dropText.empty() ? "" : ", ") + reason + " " + std::to_string(n);
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
    using dmr::reply::RelayState;
    std::ostringstream out;
    out << "listeners of cluster " << (snapshot.cluster.empty() ? "-" : snapshot.cluster)
        << ", each network as its routing point sees it\n";
    auto answered = [&](const dmr::NodeId &id) -> const RelayState * {
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
        const RelayState *state = nullptr;
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
        const RelayState *state = answered(id);
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
