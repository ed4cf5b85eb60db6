// Every reply of the control port and the metrics text, written from the controller's state:
// the one place that knows their fields (backend/PROTOCOL.md is their reference).

#include "agent.h"

#include "dmr/prometheus.h"
#include "dmr/replies.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace dmr::agent {

using Json = nlohmann::json;

namespace {

Json tunnelJson(const Tunnel &t)
{
    auto end = [](const Endpoint &e) {
        return Json{{"node", e.node}, {"iface", e.iface}, {"address", e.address.toString()}};
    };
    return {{"root", end(t.root)}, {"leaf", end(t.leaf)}, {"networks", t.networks}};
}

Json routeJson(const Route &r)
{
    return {{"node", r.node}, {"iface", r.iface}, {"network", r.network}};
}

} // namespace

std::string Agent::roleName() const
{
    if (node_->killed())
        return "killed";
    if (waitingForInterface_)
        return "waiting-for-interface";
    if (!membership_ || !membership_->joined())
        return "joining";
    const Election &e = node_->plan().election;
    if (e.systemLeader == config_.node.id)
        return "system-leader";
    if (e.leads(config_.node.id))
        return "group-leader";
    return "member";
}

Json Agent::coordinatorJson() const
{
    // etcd's backend has no coordinator: etcd itself orders the keys.
    const gms::ClusterView &view = node_->view();
    if (config_.membership.backend == MembershipBackend::Etcd || !view.coordinator())
        return Json();
    return Json(view.coordinator()->id);
}

std::string Agent::stateJson() const
{
    Json ifaces = Json::array();
    for (const auto &i : node_->interfaces())
        ifaces.push_back({{"name", i.name},
                          {"address", i.address.toString()},
                          {"network", i.group()},
                          {"failed", node_->failedAdapters().count(i.name) != 0}});
    Json tunnels = Json::array();
    for (const auto &t : dataPlane_->openTunnels())
        tunnels.push_back(tunnelJson(t));
    Json routes = Json::array();
    for (const auto &r : dataPlane_->activeRoutes())
        routes.push_back(routeJson(r));
    const Election &e = node_->plan().election;
    // The plan's tunnels of this node that cannot be: the two ends share no address family.
    Json noTunnels = Json::array();
    for (const auto &t : node_->plan().noTunnels)
        if (t.root == config_.node.id || t.leaf == config_.node.id)
            noTunnels.push_back({{"root", t.root},
                                 {"leaf", t.leaf},
                                 {"networks", t.networks},
                                 {"reason", t.reason}});
    return Json{
        {"node", config_.node.id},
        {"cluster", config_.cluster.name},
        {"state", node_->killed()    ? "killed"
                  : node_->drained() ? "drained"
                                     : "up"},
        {"role", roleName()},
        {"membership", waitingForInterface_ ? std::string("waiting-for-interface")
                       : membership_        ? membership_->stateName()
                                            : std::string("stopped")},
        {"waiting_for", waitingForInterface_ ? Json(waitingFor_) : Json()},
        {"membership_backend", std::string(toString(config_.membership.backend))},
        {"degraded", degraded_},
        {"view_id", node_->view().id.toString()},
        {"coordinator", coordinatorJson()},
        {"leads", e.groupsLedBy(config_.node.id)},
        {"system_leader", e.systemLeader ? Json(*e.systemLeader) : Json()},
        {"failed_adapters", node_->failedAdapters()},
        {"down_adapters", node_->downAdapters()},
        {"interfaces", ifaces},
        {"routes", routes},
        {"tunnels", tunnels},
        {"no_tunnels", noTunnels},
        {"handover_pending", node_->handoverPending()},
        {"data_plane_log",
         [&] {
             // The last actions this node's data plane carried out, oldest first.
             Json log = Json::array();
             const auto &entries = dataPlane_->log();
             const std::size_t from = entries.size() > 64 ? entries.size() - 64 : 0;
             for (std::size_t i = from; i < entries.size(); ++i)
                 log.push_back({{"time_ms", entries[i].timeMs},
                                {"kind", toString(entries[i].action.kind)},
                                {"text", entries[i].action.toString()}});
             return log;
         }()},
        {"frames_rejected", transport_ ? transport_->framesRejected() : 0},
        {"frames_dropped", transport_ ? transport_->framesDropped() : 0},
        {"cluster_transport", transportJson()},
        {"views_installed", node_->viewsInstalled()},
        {"rejoins", node_->rejoins()},
        {"relay", relay_ ? relay_->stateJson() : Json()},
        {"etcd_requests", etcdCounters_->requests},
        {"crash_links",
         [&]() -> Json {
             const auto links = membership_ ? membership_->crashLinks() : std::nullopt;
             if (!links)
                 return nullptr;
             return {{"watched", links->watched}, {"up", links->up}, {"revoked", links->revoked}};
         }()},
        {"version", version_}}
        .dump();
}

Snapshot Agent::snapshot() const
{
    return node_->snapshot(config_.cluster.name, nowMs());
}

std::string Agent::clusterJson() const
{
    // Written with the typed reply (dmr/replies.h) that dmrctl, the console and the tests read.
    const auto &peers = node_->peers();
    const auto controlOf = [&](const NodeId &id) {
        const auto p = peers.find(id);
        return p == peers.end() ? std::string() : p->second.controlAddress;
    };
    reply::Cluster cluster;
    cluster.viewId = node_->view().id.toString();
    if (const Json coordinator = coordinatorJson(); coordinator.is_string())
        cluster.coordinator = coordinator.get<std::string>();
    for (const auto &n : node_->view().nodes)
        cluster.agents.push_back(
            {n.id, static_cast<std::int64_t>(n.seq), n.address, controlOf(n.id)});
    for (const auto &[id, peer] : peers)
        if (!peer.controlAddress.empty())
            cluster.controlAddresses[id] = peer.controlAddress;
    cluster.snapshot = snapshot();
    return reply::encodeCluster(cluster);
}

namespace {

// The records a cursor asks for: those changed after `since`, the earliest changes first, at
// most `limit`; listed oldest first (by id), with the cursor for the next page.
template<typename Record>
std::vector<const Record *> page(const std::deque<Record> &records, std::int64_t since,
                                 std::int64_t limit, std::int64_t *rev, bool *more)
{
    std::vector<const Record *> changed;
    for (const auto &r : records)
        if (r.rev > since)
            changed.push_back(&r);
    std::sort(changed.begin(), changed.end(),
              [](const Record *a, const Record *b) { return a->rev < b->rev; });
    *more = changed.size() > static_cast<std::size_t>(limit);
    if (*more) {
        changed.resize(static_cast<std::size_t>(limit));
        *rev = changed.back()->rev;
    }
    std::sort(changed.begin(), changed.end(),
              [](const Record *a, const Record *b) { return a->id < b->id; });
    return changed;
}

} // namespace

std::int64_t Agent::sinceOf(const protocol::Cursor &cursor) const
{
    return cursor.since && cursor.instance == instance_ ? *cursor.since : 0;
}

std::string Agent::historyJson(const protocol::Cursor &cursor) const
{
    // Written with the typed reply (dmr/replies.h) that dmrctl and the tests read.
    reply::History history;
    history.page = {instance_, node_->lastRev(), false};
    for (const node::FailoverRecord *record : page(node_->history(), sinceOf(cursor), cursor.limit,
                                                   &history.page.rev, &history.page.more)) {
        const node::FailoverRecord &r = *record;
        const auto p = r.phases();
        reply::Failover f;
        f.id = static_cast<std::int64_t>(r.id);
        f.node = r.node;
        f.cause = std::string(toString(r.cause));
        f.roles = r.roles;
        for (const auto &[role, node] : r.successors)
            f.successors.emplace_back(role,
                                      node.empty() ? std::nullopt : std::optional<NodeId>(node));
        f.viewId = r.viewId;
        f.silentMs = r.silentMs;
        f.failedMs = p.failedAtMs;
        f.detectedMs = p.detectedAtMs;
        f.electedMs = p.electedAtMs;
        f.tunnelsUpMs = p.tunnelsUpAtMs;
        f.detectionMs = p.detectionMs;
        f.electionMs = p.electionMs;
        f.tunnelsMs = p.tunnelsMs;
        f.totalMs = p.totalMs;
        f.skewMs = p.skewMs;
        f.rev = r.rev;
        history.failovers.push_back(std::move(f));
    }
    return reply::encodeHistory(history);
}

std::string Agent::viewsJson(const protocol::Cursor &cursor) const
{
    // A client that holds this log from the base on gets what came after; any other one (new,
    // of another instance, or behind what was folded into the base) gets the base again.
    const std::int64_t since = sinceOf(cursor);
    const bool withBase = !viewLog_.empty() && since < viewLog_.baseRev();
    reply::Views views;
    if (withBase)
        views.base = reply::ViewsBase{viewLog_.baseRev(), viewLog_.baseViewId(), viewLog_.base()};
    const std::int64_t after = withBase ? viewLog_.baseRev() : since;
    views.page = {instance_, std::max(viewLog_.lastRev(), since), false};
    for (const auto &d : viewLog_.deltas()) {
        if (d.rev <= after)
            continue;
        if (static_cast<std::int64_t>(views.views.size()) == cursor.limit) {
            views.page.more = true;
            break;
        }
        views.views.push_back(d);
        views.page.rev = d.rev;
    }
    if (views.views.empty() && withBase)
        views.page.rev = viewLog_.baseRev();
    return reply::encodeViews(views);
}

void Agent::publish(const std::string &eventLine, std::int64_t timeMs)
{
    KeptEvent e{nextEventSeq_++, timeMs, protocol::sequenceEvent(eventLine, nextEventSeq_ - 1)};
    control_->publish(e.line);
    eventBytes_ += e.line.size();
    events_.push_back(std::move(e));
    while (events_.size() > kEventsKeptMax || eventBytes_ > kEventBytesKeptMax) {
        eventBytes_ -= events_.front().line.size();
        events_.pop_front();
        eventsDropped_ = true;
    }
}

std::pair<std::string, std::vector<std::string>> Agent::replay(const protocol::Cursor &cursor) const
{
    // Another instance's sequence numbers say nothing here: everything kept is news to it.
    const bool sameInstance = cursor.since && cursor.instance == instance_;
    const bool asked = cursor.since.has_value() || cursor.sinceMs.has_value();
    const std::int64_t since = sameInstance ? *cursor.since : 0;
    std::vector<std::string> lines;
    bool missed = false;
    if (asked) {
        for (const auto &e : events_)
            if (e.seq > since && (!cursor.sinceMs || e.timeMs >= *cursor.sinceMs))
                lines.push_back(e.line);
        // Events the client has not seen were dropped before it came back.
        const std::int64_t firstKept = events_.empty() ? nextEventSeq_ : events_.front().seq;
        if (sameInstance)
            missed = firstKept > since + 1;
        else
            missed = eventsDropped_ && (!cursor.sinceMs || events_.empty() ||
                                        events_.front().timeMs > *cursor.sinceMs);
    }
    return {reply::encodeSubscribe({true, instance_, nextEventSeq_ - 1,
                                    static_cast<std::int64_t>(lines.size()), missed}),
            std::move(lines)};
}

std::string Agent::metricsText() const
{
    // The node label escaped by the writer: a node id may hold a quote or a backslash.
    prometheus::Writer out;
    auto metric = [&](const char *name, const char *type, const char *help, auto value) {
        out.metric(name, type, help, {{"node", config_.node.id}}, value);
    };
    const std::string role = roleName();
    metric("dmr_up", "gauge", "1 while the agent is in a view (not joining, not killed)",
           membership_ && !node_->killed() && membership_->joined() ? 1 : 0);
    metric("dmr_system_leader", "gauge", "1 on the system leader", role == "system-leader" ? 1 : 0);
    metric("dmr_group_leader", "gauge", "networks this node leads",
           node_->plan().election.groupsLedBy(config_.node.id).size());
    metric("dmr_coordinator", "gauge", "1 on the membership coordinator",
           membership_ && membership_->coordinates() ? 1 : 0);
    metric("dmr_membership_degraded", "gauge",
           "1 while the membership backend cannot reach its service (last view and plan kept)",
           degraded_ ? 1 : 0);
    metric("dmr_membership_degraded_total", "counter", "times the membership backend degraded",
           degradedTotal_);
    metric("dmr_etcd_requests_total", "counter",
           "HTTP requests to etcd's gateway (0 with the embedded backend)",
           etcdCounters_->requests);
    metric("dmr_etcd_request_failures_total", "counter", "etcd requests that no endpoint answered",
           etcdCounters_->failures);
    metric("dmr_etcd_endpoint_moves_total", "counter", "moves to the next etcd endpoint",
           etcdCounters_->endpointMoves);
    metric("dmr_etcd_watch_lines_dropped_total", "counter",
           "etcd watch lines dropped (too long, not JSON); each forces a resync",
           etcdCounters_->linesDropped);
    const auto links = membership_ ? membership_->crashLinks() : std::nullopt;
    metric("dmr_etcd_crash_links_watched", "gauge",
           "nodes this agent keeps a crash link to (etcd; 0 with the embedded backend)",
           links ? links->watched : 0);
    metric("dmr_etcd_crash_links_up", "gauge", "crash links whose peer proved itself",
           links ? links->up : 0);
    metric("dmr_etcd_crash_revokes_total", "counter",
           "leases this agent revoked after seeing their node crash", links ? links->revoked : 0);
    const gms::ClusterView &view = node_->view();
    metric("dmr_view_members", "gauge", "agents in the current view", view.nodes.size());
    metric("dmr_view_epoch", "gauge", "epoch of the current view id", view.id.epoch);
    metric("dmr_views_installed_total", "counter", "views installed since start",
           node_->viewsInstalled());
    metric("dmr_tunnels_open", "gauge", "tunnels this node's data plane holds open",
           dataPlane_->openTunnels().size());
    metric("dmr_routes_active", "gauge", "networks this node's data plane routes",
           dataPlane_->activeRoutes().size());
    metric("dmr_failovers_total", "counter", "failovers recorded (a node lost its roles)",
           node_->failoversTotal());
    metric("dmr_drills_total", "counter", "drills recorded", node_->drillsTotal());
    metric("dmr_handover_pending", "gauge", "1 while closes wait for successors",
           node_->handoverPending() ? 1 : 0);
    metric("dmr_membership_rejoins_total", "counter",
           "times a view numbered this node anew while it ran: it was taken out of the view alive "
           "(a false suspicion, an expired etcd lease, a partition's merge) and joined at the end",
           node_->rejoins());
    // Every network some node this agent has seen has an interface on (failed adapters
    // included), and whether the plan gives it a leader: a network whose every node died, or
    // whose adapters all failed, shows 0 on every agent.
    std::set<GroupName> networks;
    for (const auto &[id, n] : node_->known())
        for (const auto &i : n.interfaces)
            networks.insert(i.network().toString());
    out.family("dmr_network_has_leader", "gauge",
               "1 while the network has a group leader in this node's plan; 0 for a known network "
               "that has none");
    for (const auto &g : networks)
        out.sample("dmr_network_has_leader", {{"node", config_.node.id}, {"network", g}},
                   node_->plan().election.groupLeaders.count(g) != 0 ? 1 : 0);
    const auto &tc = transport_->counters();
    metric("dmr_cluster_frames_rejected_total", "counter",
           "cluster frames refused: bad MAC, malformed, oversize, replayed",
           transport_->framesRejected());
    metric("dmr_cluster_frames_replayed_total", "counter",
           "cluster frames refused as replays (valid MAC, old sequence number)", tc.framesReplayed);
    metric("dmr_cluster_frames_dropped_total", "counter",
           "cluster frames dropped at a full peer queue", transport_->framesDropped());
    metric("dmr_cluster_handshakes_refused_total", "counter",
           "cluster connections this node refused in their handshake", tc.handshakesRefused);
    metric("dmr_cluster_key_mismatches_total", "counter",
           "cluster handshakes, either side, whose proof was made with another key",
           tc.keyMismatches);
    metric("dmr_cluster_version_mismatches_total", "counter",
           "cluster handshakes with a peer of another frame version", tc.versionMismatches);
    metric("dmr_cluster_drills_refused_total", "counter",
           "forwarded drills refused (another node's, or one that already ran)",
           node_->drillsRefused());
    metric("dmr_control_clients", "gauge", "control connections", control_->clients());
    metric("dmr_control_requests_total", "counter", "control requests served",
           control_->requestsServed());
    metric("dmr_control_requests_rejected_total", "counter",
           "control requests answered with an error", control_->requestsRejected());
    metric("dmr_control_evicted_total", "counter",
           "control connections closed before their hello to make room for a newer one",
           control_->connectionsEvicted());
    metric("dmr_control_timeouts_total", "counter",
           "control connections closed by the hello or the idle deadline",
           control_->connectionsTimedOut());
    metric("dmr_control_dropped_total", "counter",
           "control clients dropped for not reading what the agent sent them",
           control_->clientsDropped());
    metric("dmr_control_tls_handshake_failures_total", "counter",
           "control connections whose TLS handshake failed", control_->handshakesFailed());
    metric("dmr_control_accept_errors_total", "counter",
           "failed accepts on the control port (e.g. out of descriptors)",
           control_->acceptErrors());
    metric("dmr_control_log_lines_suppressed_total", "counter",
           "control port log lines left out by the rate limit", control_->logLinesSuppressed());
    if (relay_)
        relay_->writeMetrics(out, config_.node.id);
    return std::move(out).text();
}

Json Agent::transportJson() const
{
    if (!transport_)
        return Json();
    const auto &c = transport_->counters();
    return Json{
        {"frame_version", frame::kVersion},          {"sessions", c.sessions},
        {"connections", transport_->connections()},  {"frames_rejected", c.framesRejected},
        {"frames_replayed", c.framesReplayed},       {"frames_dropped", c.framesDropped},
        {"handshakes_refused", c.handshakesRefused}, {"handshake_timeouts", c.handshakeTimeouts},
        {"key_mismatches", c.keyMismatches},         {"version_mismatches", c.versionMismatches},
        {"pending_refused", c.pendingRefused},       {"accept_errors", c.acceptErrors},
        {"drills_refused", node_->drillsRefused()}};
}

std::string Agent::drillsJson(const protocol::Cursor &cursor) const
{
    reply::Drills drills;
    drills.page = {instance_, node_->lastRev(), false};
    for (const DrillRecord *d :
         page(node_->drills(), sinceOf(cursor), cursor.limit, &drills.page.rev, &drills.page.more))
        drills.drills.push_back(reply::drillOf(*d));
    return reply::encodeDrills(drills);
}

} // namespace dmr::agent
