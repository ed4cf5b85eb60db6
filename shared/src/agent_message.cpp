#include "dmr/agent_message.h"

#include "json_reader.h"

#include <array>

namespace dmr::protocol {

using detail::Json;

namespace {

// Fields a peer may leave out (an agent of an older release): absent is the default; present of
// another type is an error naming it.
std::string text(const Json &j, const std::string &path, std::string_view key)
{
    return detail::optionalString(j, path, key).value_or(std::string());
}

std::int64_t integer(const Json &j, const std::string &path, std::string_view key)
{
    return j.contains(std::string(key)) ? detail::intField(j, path, key) : 0;
}

std::uint64_t corrOf(const Json &j, const std::string &path)
{
    return j.contains("corr") ? detail::unsignedField(j, path, "corr") : 0;
}

DrillAction actionField(const Json &j, const std::string &path, std::string_view key)
{
    const std::string name = detail::stringField(j, path, key);
    const auto action = parseDrillAction(name);
    if (!action)
        detail::fail(detail::member(path, key), "unknown drill action \"" + name + "\"");
    return *action;
}

Json recordJson(const DrillRecord &d)
{
    Json j = {{"id", d.id},
              {"rev", d.rev},
              {"action", toString(d.action)},
              {"node", d.node},
              {"reason", d.reason},
              {"client", d.author.client},
              {"started_ms", d.startedMs},
              {"ended_ms", d.endedMs == 0 ? Json() : Json(d.endedMs)}};
    if (!d.iface.empty())
        j["iface"] = d.iface;
    if (d.durationMs)
        j["duration_ms"] = *d.durationMs;
    if (!d.author.role.empty())
        j["role"] = d.author.role;
    if (!d.author.identity.empty())
        j["identity"] = d.author.identity;
    if (!d.via.empty())
        j["via"] = d.via;
    return j;
}

DrillRecord readRecord(const Json &j, const std::string &path)
{
    if (!j.is_object())
        detail::fail(path, "expected an object, found " + detail::typeName(j));
    DrillRecord d;
    d.id = j.contains("id") ? detail::unsignedField(j, path, "id") : 0;
    d.rev = integer(j, path, "rev");
    d.action = actionField(j, path, "action");
    d.node = text(j, path, "node");
    d.iface = text(j, path, "iface");
    d.reason = text(j, path, "reason");
    if (j.contains("duration_ms") && !j["duration_ms"].is_null())
        d.durationMs = detail::intField(j, path, "duration_ms");
    d.author = {text(j, path, "client"), text(j, path, "role"), text(j, path, "identity")};
    d.via = text(j, path, "via");
    d.startedMs = integer(j, path, "started_ms");
    if (j.contains("ended_ms") && !j["ended_ms"].is_null())
        d.endedMs = detail::intField(j, path, "ended_ms");
    return d;
}

Json toldJson(const ToldFailover &f)
{
    Json successors = Json::object();
    for (const auto &[role, node] : f.successors)
        successors[role] = node.empty() ? Json() : Json(node);
    return {{"view", f.viewId},
            {"cause", toString(f.cause)},
            {"roles", f.roles},
            {"successors", successors},
            {"silent_ms", f.silentMs},
            {"decided_ms", f.decidedMs},
            {"changed_ms", f.changedMs},
            {"elected_ms", f.electedMs},
            {"tunnels_up_ms", f.tunnelsUpMs}};
}

ToldFailover readTold(const Json &j, const std::string &path)
{
    if (!j.is_object())
        detail::fail(path, "expected an object, found " + detail::typeName(j));
    ToldFailover f;
    f.viewId = detail::stringField(j, path, "view");
    const std::string cause = detail::stringField(j, path, "cause");
    f.cause = parseFailoverCause(cause);
    if (toString(f.cause) != cause)
        detail::fail(detail::member(path, "cause"), "unknown cause \"" + cause + "\"");
    const Json &roles = detail::field(j, path, "roles");
    const std::string rolesPath = detail::member(path, "roles");
    if (!roles.is_array())
        detail::fail(rolesPath, "expected an array, found " + detail::typeName(roles));
    if (roles.size() > kToldRolesMax)
        detail::fail(rolesPath, "more than " + std::to_string(kToldRolesMax) + " roles");
    for (std::size_t i = 0; i < roles.size(); ++i) {
        if (!roles[i].is_string())
            detail::fail(rolesPath + "[" + std::to_string(i) + "]",
                         "expected a string, found " + detail::typeName(roles[i]));
        f.roles.push_back(roles[i].get<std::string>());
    }
    const Json &successors = detail::field(j, path, "successors");
    const std::string successorsPath = detail::member(path, "successors");
    if (!successors.is_object())
        detail::fail(successorsPath, "expected an object, found " + detail::typeName(successors));
    if (successors.size() > kToldRolesMax)
        detail::fail(successorsPath, "more than " + std::to_string(kToldRolesMax) + " roles");
    for (const auto &[role, node] : successors.items()) {
        if (!node.is_null() && !node.is_string())
            detail::fail(detail::member(successorsPath, role),
                         "expected a node id or null, found " + detail::typeName(node));
        f.successors.emplace_back(role, node.is_null() ? NodeId() : node.get<std::string>());
    }
    f.silentMs = integer(j, path, "silent_ms");
    f.decidedMs = integer(j, path, "decided_ms");
    f.changedMs = integer(j, path, "changed_ms");
    f.electedMs = integer(j, path, "elected_ms");
    f.tunnelsUpMs = integer(j, path, "tunnels_up_ms");
    return f;
}

struct Encoder
{
    Json operator()(const AppliedMessage &m) const
    {
        return {{"agent", "applied"},
                {"node", m.node},
                {"view", m.viewId},
                {"at_ms", m.atMs},
                {"installed_ms", m.installedMs}};
    }
    Json operator()(const ForwardedDrillMessage &m) const
    {
        Json drill;
        if (m.drill) {
            Request r;
            r.kind = RequestKind::Drill;
            r.drill = *m.drill;
            drill = Json::parse(encodeRequest(r));
        }
        return {{"agent", "drill"},
                {"drill", drill},
                {"client", m.author.client},
                {"role", m.author.role},
                {"identity", m.author.identity},
                {"via", m.via},
                {"corr", m.corr},
                {"drill_id", m.drillId},
                {"reply_to", m.replyTo}};
    }
    Json operator()(const DrillResultMessage &m) const
    {
        Json j = {{"agent", "drill-result"}, {"corr", m.corr}};
        if (m.record)
            j["record"] = recordJson(*m.record);
        else
            j["error"] = m.error;
        return j;
    }
    Json operator()(const DrillEndedMessage &m) const
    {
        return {{"agent", "drill-ended"},    {"node", m.node},
                {"what", toString(m.what)},  {"iface", m.iface},
                {"started_ms", m.startedMs}, {"ended_ms", m.endedMs}};
    }
    Json operator()(const ReachAskMessage &m) const
    {
        return {{"agent", "reach-ask"}, {"corr", m.corr}, {"reply_to", m.replyTo}};
    }
    Json operator()(const FailoversMessage &m) const
    {
        Json records = Json::array();
        for (const auto &r : m.records)
            records.push_back(toldJson(r));
        return {{"agent", "failovers"}, {"from", m.from}, {"node", m.node}, {"records", records}};
    }
    Json operator()(const ReachRowMessage &m) const
    {
        Json row = Json::parse(m.rowJson, nullptr, false);
        return {{"agent", "reach-row"},
                {"corr", m.corr},
                {"node", m.node},
                {"row", row.is_discarded() ? Json() : row}};
    }
};

AgentMessage readMessage(const Json &j, const std::string &kind)
{
    const std::string path; // fields are named bare: "at_ms"
    if (kind == "applied")
        return AppliedMessage{text(j, path, "node"), text(j, path, "view"),
                              integer(j, path, "at_ms"), integer(j, path, "installed_ms")};
    if (kind == "drill") {
        ForwardedDrillMessage m;
        const Json &drill = detail::field(j, path, "drill");
        auto request = parseRequest(drill.dump());
        if (!request)
            m.drillError = request.error().message;
        else if (request->kind != RequestKind::Drill)
            m.drillError = "not a drill";
        else
            m.drill = request->drill;
        m.author = {text(j, path, "client"), text(j, path, "role"), text(j, path, "identity")};
        m.via = text(j, path, "via");
        m.corr = corrOf(j, path);
        m.drillId = text(j, path, "drill_id");
        m.replyTo = text(j, path, "reply_to");
        return m;
    }
    if (kind == "drill-result") {
        DrillResultMessage m;
        m.corr = corrOf(j, path);
        if (const auto r = j.find("record"); r != j.end() && r->is_object())
            m.record = readRecord(*r, "record");
        else
            m.error = text(j, path, "error");
        if (!m.record && m.error.empty())
            m.error = "refused by its target";
        return m;
    }
    if (kind == "drill-ended")
        return DrillEndedMessage{text(j, path, "node"), actionField(j, path, "what"),
                                 text(j, path, "iface"), integer(j, path, "started_ms"),
                                 integer(j, path, "ended_ms")};
    if (kind == "reach-ask")
        return ReachAskMessage{corrOf(j, path), text(j, path, "reply_to")};
    if (kind == "reach-row") {
        ReachRowMessage m{corrOf(j, path), text(j, path, "node"), "null"};
        if (const auto r = j.find("row"); r != j.end())
            m.rowJson = r->dump();
        return m;
    }
    if (kind == "failovers") {
        FailoversMessage m{text(j, path, "from"), text(j, path, "node"), {}};
        const Json &records = detail::field(j, path, "records");
        if (!records.is_array())
            detail::fail("records", "expected an array, found " + detail::typeName(records));
        if (records.size() > kToldFailoversMax)
            detail::fail("records", "more than " + std::to_string(kToldFailoversMax) +
                                        " records (" + std::to_string(records.size()) + ")");
        for (std::size_t i = 0; i < records.size(); ++i)
            m.records.push_back(readTold(records[i], "records[" + std::to_string(i) + "]"));
        return m;
    }
    detail::fail("agent", "unknown kind");
}

} // namespace

std::optional<DrillAction> parseDrillAction(std::string_view name)
{
    for (const DrillAction a :
         {DrillAction::Kill, DrillAction::FailAdapter, DrillAction::Drain, DrillAction::Restore})
        if (toString(a) == name)
            return a;
    return std::nullopt;
}

std::string encodeDrillRecord(const DrillRecord &record)
{
    return recordJson(record).dump();
}

Result<DrillRecord> decodeDrillRecord(std::string_view json)
{
    const Json j = Json::parse(json, nullptr, false);
    if (j.is_discarded())
        return Error{"drill record: not JSON"};
    try {
        return readRecord(j, "");
    } catch (const detail::FieldError &e) {
        return Error{"drill record: " + e.message};
    }
}

std::string_view kindOf(const AgentMessage &message)
{
    static constexpr std::array<std::string_view, 7> kKinds = {
        "applied", "drill", "drill-result", "drill-ended", "reach-ask", "reach-row", "failovers"};
    return kKinds[message.index()];
}

bool isAgentMessage(std::string_view payload)
{
    // Agent messages are JSON objects whose keys sort "agent" first, as nlohmann writes them;
    // the membership protocol's never have that key.
    return payload.rfind(R"({"agent":)", 0) == 0;
}

std::string encodeAgentMessage(const AgentMessage &message)
{
    return std::visit(Encoder{}, message).dump();
}

Result<AgentMessage> decodeAgentMessage(std::string_view payload)
{
    const Json j = Json::parse(payload, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return Error{"agent message: not a JSON object"};
    const auto kind = j.find("agent");
    if (kind == j.end() || !kind->is_string())
        return Error{"agent message: \"agent\" (the kind) missing or not a string"};
    const std::string name = kind->get<std::string>();
    try {
        return readMessage(j, name);
    } catch (const detail::FieldError &e) {
        return Error{"agent message \"" + name + "\": " + e.message};
    } catch (const Json::exception &e) {
        return Error{"agent message \"" + name + "\": " + e.what()};
    }
}

} // namespace dmr::protocol
