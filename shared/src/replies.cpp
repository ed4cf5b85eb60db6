#include "dmr/replies.h"

#include "replies_read.h"

namespace dmr::reply {

using namespace dmr::detail;
using detail::groupList;
using detail::parseWith;

namespace {

// A nested document read by its own parser (a snapshot, a view delta): its error, whose path
// counts from that document (after `prefix: `, when its parser names itself), put under `path`.
[[noreturn]] void failNested(const std::string &path, std::string message, std::string_view prefix)
{
    const std::string named = std::string(prefix) + ": ";
    if (!prefix.empty() && message.rfind(named, 0) == 0)
        message.erase(0, named.size());
    if (message.rfind("document: ", 0) == 0)
        throw FieldError{path + ": " + message.substr(10)};
    throw FieldError{path + "." + message};
}

Snapshot readSnapshot(const Json &j, const std::string &path)
{
    expectAnyObject(j, path);
    auto s = parseSnapshot(j.dump());
    if (!s)
        failNested(path, s.error().message, "snapshot");
    return std::move(s).value();
}

Json snapshotJson(const Snapshot &snapshot)
{
    return Json::parse(toJson(snapshot));
}

Page readPage(const Json &j)
{
    return {stringOrEmpty(j, "", "instance"), nullableInt(j, "", "rev").value_or(0),
            boolOr(j, "", "more", false)};
}

// A field that must be there, a string or null.
std::optional<std::string> stringOrNull(const Json &j, const std::string &path,
                                        std::string_view key)
{
    const Json &v = field(j, path, key);
    if (v.is_null())
        return std::nullopt;
    if (!v.is_string())
        fail(member(path, key), "expected a string or null, found " + typeName(v));
    return v.get<std::string>();
}

TunnelEnd readEnd(const Json &j, const std::string &path)
{
    expectAnyObject(j, path);
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
    d.rev = nullableInt(j, path, "rev").value_or(0);
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

// A paged reply: its records under `key`, then the cursor.
std::string pageJson(std::string_view key, Json records, const Page &page)
{
    return Json{{std::string(key), std::move(records)},
                {"instance", page.instance},
                {"rev", page.rev},
                {"more", page.more}}
        .dump();
}

} // namespace

// ---- Messages ----------------------------------------------------------------------------------

Result<Message> parseMessage(std::string_view line)
{
    return parseWith<Message>(line, "message", [](const Json &j) {
        Message m;
        const std::string type = stringField(j, "", "type");
        if (type == "reply")
            m.type = Message::Type::Reply;
        else if (type == "error")
            m.type = Message::Type::Error;
        else if (type == "event")
            m.type = Message::Type::Event;
        else
            fail("type", "unknown message type " + Json(type).dump());
        if (auto id = j.find("id"); id != j.end() && !id->is_null()) {
            if (id->is_number_integer())
                m.id = id->get<std::int64_t>();
            else if (id->is_string())
                m.id = id->get<std::string>();
            else
                fail("id", "expected an integer, a string or null, found " + typeName(*id));
        }
        if (m.type == Message::Type::Error) {
            m.code = stringOrEmpty(j, "", "code");
            m.message = stringOrEmpty(j, "", "message");
            if (m.code == "unsupported-protocol")
                m.versions = protocol::versionsOf(j);
        }
        if (auto result = j.find("result");
            m.type == Message::Type::Reply && result != j.end() && result->is_object())
            m.resultJson = result->dump();
        return m;
    });
}

// ---- hello -------------------------------------------------------------------------------------

Result<Hello> parseHello(std::string_view resultJson)
{
    return parseWith<Hello>(resultJson, "hello", [](const Json &j) {
        Hello h;
        h.agent = stringField(j, "", "agent");
        h.version = stringOrEmpty(j, "", "version");
        h.protocol = static_cast<int>(intField(j, "", "protocol"));
        h.role = stringOrEmpty(j, "", "role");
        h.isOperator = boolOr(j, "", "operator", false);
        h.clientRole = stringOrEmpty(j, "", "client_role");
        h.identity = stringOrEmpty(j, "", "identity");
        return h;
    });
}

// ---- get-state ---------------------------------------------------------------------------------

Result<State> parseState(std::string_view resultJson)
{
    return parseWith<State>(resultJson, "get-state", [](const Json &j) {
        const std::string path;
        State s;
        s.node = stringField(j, path, "node");
        s.cluster = nullableString(j, path, "cluster");
        s.state = stringField(j, path, "state");
        s.role = stringField(j, path, "role");
        s.membership = stringField(j, path, "membership");
        s.membershipBackend = nullableString(j, path, "membership_backend");
        s.viewId = nullableString(j, path, "view_id").value_or(std::string());
        s.coordinator = nullableString(j, path, "coordinator");
        s.systemLeader = nullableString(j, path, "system_leader");
        if (s.systemLeader && s.systemLeader->empty())
            s.systemLeader.reset();
        s.leads = stringsField(j, path, "leads");
        if (has(j, "failed_adapters"))
            s.failedAdapters = stringsField(j, path, "failed_adapters");
        eachObject(j, path, "routes", [&](const Json &r, const std::string &at) {
            s.routes.push_back({stringField(r, at, "node"), stringField(r, at, "iface", true),
                                stringField(r, at, "network")});
        });
        eachObject(j, path, "tunnels", [&](const Json &t, const std::string &at) {
            s.tunnels.push_back({readEnd(field(t, at, "root"), member(at, "root")),
                                 readEnd(field(t, at, "leaf"), member(at, "leaf")),
                                 stringsField(t, at, "networks")});
        });
        s.handoverPending = boolOr(j, path, "handover_pending", false);
        s.degraded = boolOr(j, path, "degraded", false);
        s.waitingFor = nullableString(j, path, "waiting_for");
        if (has(j, "data_plane_log"))
            eachObject(j, path, "data_plane_log", [&](const Json &e, const std::string &at) {
                s.dataPlaneLog.push_back({intField(e, at, "time_ms"), stringField(e, at, "kind"),
                                          stringField(e, at, "text")});
            });
        return s;
    });
}

// ---- get-cluster -------------------------------------------------------------------------------

Result<Cluster> parseCluster(std::string_view resultJson)
{
    return parseWith<Cluster>(resultJson, "get-cluster", [](const Json &j) {
        Cluster c;
        c.viewId = stringField(j, "", "view_id", true);
        c.coordinator = nullableString(j, "", "coordinator");
        eachObject(j, "", "agents", [&](const Json &a, const std::string &at) {
            c.agents.push_back({stringField(a, at, "id"), nullableInt(a, at, "seq").value_or(0),
                                stringOrEmpty(a, at, "membership"),
                                stringOrEmpty(a, at, "control")});
        });
        if (auto it = j.find("control_addresses"); it != j.end() && !it->is_null()) {
            expectAnyObject(*it, "control_addresses");
            for (const auto &[id, address] : it->items())
                c.controlAddresses[id] = stringField(*it, "control_addresses", id, true);
        }
        c.snapshot = readSnapshot(field(j, "", "snapshot"), "snapshot");
        return c;
    });
}

std::string encodeCluster(const Cluster &cluster)
{
    Json agents = Json::array();
    for (const ClusterAgent &a : cluster.agents)
        agents.push_back(
            {{"id", a.id}, {"seq", a.seq}, {"membership", a.membership}, {"control", a.control}});
    Json controls = Json::object();
    for (const auto &[id, address] : cluster.controlAddresses)
        controls[id] = address;
    return Json{{"view_id", cluster.viewId},
                {"coordinator", cluster.coordinator ? Json(*cluster.coordinator) : Json()},
                {"agents", agents},
                {"control_addresses", controls},
                {"snapshot", snapshotJson(cluster.snapshot)}}
        .dump();
}

// ---- subscribe ---------------------------------------------------------------------------------

Result<Subscribe> parseSubscribe(std::string_view resultJson)
{
    return parseWith<Subscribe>(resultJson, "subscribe", [](const Json &j) {
        Subscribe s;
        s.events = boolOr(j, "", "events", true);
        s.instance = stringOrEmpty(j, "", "instance");
        s.seq = nullableInt(j, "", "seq").value_or(0);
        s.replayed = nullableInt(j, "", "replayed").value_or(0);
        s.missed = boolOr(j, "", "missed", false);
        return s;
    });
}

std::string encodeSubscribe(const Subscribe &s)
{
    if (s.instance.empty())
        return Json{{"events", s.events}}.dump();
    return Json{{"events", s.events},
                {"instance", s.instance},
                {"seq", s.seq},
                {"replayed", s.replayed},
                {"missed", s.missed}}
        .dump();
}

// ---- get-history -------------------------------------------------------------------------------

Result<History> parseHistory(std::string_view resultJson)
{
    return parseWith<History>(resultJson, "get-history", [](const Json &j) {
        History h;
        h.page = readPage(j);
        eachObject(j, "", "failovers", [&](const Json &r, const std::string &at) {
            Failover f;
            f.id = intField(r, at, "id");
            f.node = stringField(r, at, "node");
            f.cause = stringField(r, at, "cause");
            f.roles = stringsField(r, at, "roles");
            const Json &successors = field(r, at, "successors");
            expectAnyObject(successors, member(at, "successors"));
            for (const auto &[role, node] : successors.items())
                f.successors.emplace_back(role,
                                          stringOrNull(successors, member(at, "successors"), role));
            f.viewId = stringOrEmpty(r, at, "view_id");
            f.silentMs = nullableInt(r, at, "silent_ms").value_or(0);
            f.detectedMs = intField(r, at, "detected_ms");
            // An agent before the phases were defined: its detection time is the failure's.
            f.failedMs = nullableInt(r, at, "failed_ms").value_or(f.detectedMs);
            f.electedMs = nullableInt(r, at, "elected_ms").value_or(0);
            f.tunnelsUpMs = nullableInt(r, at, "tunnels_up_ms");
            f.detectionMs = nullableInt(r, at, "detection_ms").value_or(0);
            f.electionMs = nullableInt(r, at, "election_ms").value_or(0);
            f.tunnelsMs = nullableInt(r, at, "tunnels_ms");
            f.totalMs = nullableInt(r, at, "total_ms");
            f.skewMs = nullableInt(r, at, "skew_ms").value_or(0);
            f.rev = nullableInt(r, at, "rev").value_or(0);
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
    return pageJson("failovers", std::move(list), history.page);
}

// ---- get-drills --------------------------------------------------------------------------------

Drill drillOf(const protocol::DrillRecord &r)
{
    Drill d;
    d.id = static_cast<std::int64_t>(r.id);
    d.action = std::string(protocol::toString(r.action));
    d.node = r.node;
    d.iface = r.iface;
    d.reason = r.reason;
    d.durationMs = r.durationMs;
    d.client = r.author.client;
    d.role = r.author.role;
    d.identity = r.author.identity;
    d.via = r.via;
    d.startedMs = r.startedMs;
    d.endedMs = r.endedMs == 0 ? std::nullopt : std::optional<std::int64_t>(r.endedMs);
    d.rev = r.rev;
    return d;
}

Result<Drills> parseDrills(std::string_view resultJson)
{
    return parseWith<Drills>(resultJson, "get-drills", [](const Json &j) {
        Drills d;
        d.page = readPage(j);
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
    return pageJson("drills", std::move(list), drills.page);
}

// ---- get-views ---------------------------------------------------------------------------------

Result<Views> parseViews(std::string_view resultJson)
{
    return parseWith<Views>(resultJson, "get-views", [](const Json &j) {
        Views v;
        v.page = readPage(j);
        if (auto base = j.find("base"); base != j.end() && !base->is_null()) {
            expectAnyObject(*base, "base");
            ViewsBase b;
            b.rev = nullableInt(*base, "base", "rev").value_or(0);
            b.viewId = stringField(*base, "base", "view_id");
            b.snapshot = readSnapshot(field(*base, "base", "snapshot"), "base.snapshot");
            v.base = std::move(b);
        }
        eachObject(j, "", "views", [&](const Json &d, const std::string &at) {
            auto delta = parseViewDelta(d.dump());
            if (!delta)
                failNested(at, delta.error().message, {});
            v.views.push_back(std::move(delta).value());
        });
        return v;
    });
}

std::string encodeViews(const Views &views)
{
    Json base;
    if (views.base)
        base = Json{{"rev", views.base->rev},
                    {"view_id", views.base->viewId},
                    {"snapshot", snapshotJson(views.base->snapshot)}};
    Json list = Json::array();
    for (const ViewDelta &d : views.views)
        list.push_back(Json::parse(toJson(d)));
    return Json{{"instance", views.page.instance},
                {"rev", views.page.rev},
                {"more", views.page.more},
                {"base", base},
                {"views", list}}
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

Result<Reachability> parseReachability(std::string_view resultJson)
{
    return parseWith<Reachability>(resultJson, "get-reachability", [](const Json &j) {
        Reachability r;
        r.nodes = stringsField(j, "", "nodes");
        r.intervalMs = nullableInt(j, "", "interval_ms").value_or(0);
        r.askedBy = stringOrEmpty(j, "", "asked_by");
        r.timeMs = nullableInt(j, "", "time_ms").value_or(0);
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
                cell.received = nullableInt(c, cat, "received").value_or(0);
                cell.lost = nullableInt(c, cat, "lost").value_or(0);
                cell.duplicates = nullableInt(c, cat, "duplicates").value_or(0);
                cell.loss = numberField(c, cat, "loss");
                cell.ageMs = nullableInt(c, cat, "age_ms").value_or(0);
                out.heard.push_back(std::move(cell));
            });
            r.rows.push_back(std::move(out));
        });
        return r;
    });
}

// ---- Events ------------------------------------------------------------------------------------

Result<Event> parseEvent(std::string_view line)
{
    return parseWith<Event>(line, "event", [&](const Json &j) {
        Event e;
        e.kindName = stringField(j, "", "event");
        e.timeMs = intField(j, "", "time_ms");
        e.seq = nullableInt(j, "", "seq").value_or(0);
        const Json &data = field(j, "", "data");
        expectAnyObject(data, "data");
        // The data as the agent ordered it, for a reader that prints what it does not know.
        e.dataJson = nlohmann::ordered_json::parse(line)["data"].dump(
            -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        for (const auto kind : {protocol::EventKind::ViewChanged, protocol::EventKind::PlanChanged,
                                protocol::EventKind::Failover, protocol::EventKind::Drill})
            if (protocol::toString(kind) == e.kindName)
                e.kind = kind;
        if (!e.kind) // a kind this build does not know: kept with its data (Versioning)
            return e;
        const std::string at = "data";
        switch (*e.kind) {
        case protocol::EventKind::ViewChanged:
            e.group = stringField(data, at, "group");
            e.leader = stringOrNull(data, at, "leader");
            eachObject(data, at, "members", [&](const Json &m, const std::string &mat) {
                e.members.push_back(
                    {stringField(m, mat, "node"),
                     static_cast<std::uint64_t>(nullableInt(m, mat, "seq").value_or(0))});
            });
            break;
        case protocol::EventKind::PlanChanged:
            eachObject(data, at, "actions", [&](const Json &a, const std::string &aat) {
                e.actions.push_back({stringOrEmpty(a, aat, "kind"), stringField(a, aat, "text")});
            });
            break;
        case protocol::EventKind::Failover:
            e.group = stringField(data, at, "group");
            e.from = stringOrNull(data, at, "from");
            e.to = stringOrNull(data, at, "to");
            e.reason = nullableString(data, at, "reason");
            break;
        case protocol::EventKind::Drill:
            e.action = stringField(data, at, "action");
            e.node = stringField(data, at, "node");
            e.iface = stringOrEmpty(data, at, "iface");
            e.reason = nullableString(data, at, "reason");
            e.durationMs = nullableInt(data, at, "duration_ms");
            e.client = nullableString(data, at, "client");
            e.role = stringOrEmpty(data, at, "role");
            e.identity = stringOrEmpty(data, at, "identity");
            return e; // a drill's time is its start on its target, the same from every agent
        }
        e.viewId = stringOrEmpty(data, at, "view_id");
        return e;
    });
}

} // namespace dmr::reply
