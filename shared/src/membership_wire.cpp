// The membership protocol's wire form: one JSON object a message.
//   {"type":"view","from":"2","addr":"127.0.0.1:7402","view_id":[3,1],"view":{...}}

#include "dmr/membership.h"

#include "json_reader.h"

namespace dmr::gms {

namespace {

using detail::Json;

template<class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};
template<class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Json membersJson(const std::vector<Member> &members)
{
    Json out = Json::array();
    for (const Member &m : members)
        out.push_back(Json::array({m.node, m.seq}));
    return out;
}

Json viewJson(const ClusterView &v)
{
    Json nodes = Json::array();
    for (const NodeInfo &n : v.nodes)
        nodes.push_back({{"id", n.id},
                         {"seq", n.seq},
                         {"addr", n.address},
                         {"inc", n.incarnation},
                         {"meta", n.meta}});
    Json departed = Json::array();
    for (const Departure &d : v.departed)
        departed.push_back({{"node", d.node},
                            {"cause", d.cause},
                            {"silent_ms", d.silentMs},
                            {"decided_at_ms", d.decidedAtMs}});
    Json groups = Json::object();
    for (const auto &[name, view] : v.groups.networks)
        groups[name] = membersJson(view.members);
    return {{"id", Json::array({v.id.epoch, v.id.counter})},
            {"nodes", nodes},
            {"groups", groups},
            {"gl", membersJson(v.groups.glGroup.members)},
            {"next_seq", v.nextSeq},
            {"departed", departed}};
}

using namespace detail;

ViewId viewId(const Json &j, const std::string &path)
{
    if (!j.is_array() || j.size() != 2 || !j[0].is_number_unsigned() || !j[1].is_number_unsigned())
        fail(path, "expected [epoch, counter]");
    return ViewId{j[0].get<std::uint64_t>(), j[1].get<std::uint64_t>()};
}

std::vector<Member> members(const Json &j, const std::string &path)
{
    if (!j.is_array())
        fail(path, "expected an array, found " + detail::typeName(j));
    std::vector<Member> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const Json &m = j[i];
        if (!m.is_array() || m.size() != 2 || !m[0].is_string() || !m[1].is_number_unsigned())
            fail(element(path, i), "expected [node, seq]");
        out.push_back(Member{m[0].get<std::string>(), m[1].get<std::uint64_t>()});
    }
    return out;
}

std::string boundedMeta(const Json &j, const std::string &path)
{
    std::string meta = stringField(j, path, "meta", true);
    if (meta.size() > kMaxMetaBytes)
        fail(member(path, "meta"), "longer than " + std::to_string(kMaxMetaBytes) + " bytes");
    return meta;
}

ClusterView view(const Json &j, const std::string &path)
{
    expectObject(j, path, {"id", "nodes", "groups", "gl", "next_seq", "departed"});
    ClusterView v;
    v.id = viewId(field(j, path, "id"), member(path, "id"));
    const Json &nodes = arrayField(j, path, "nodes");
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto p = element(member(path, "nodes"), i);
        expectObject(nodes[i], p, {"id", "seq", "addr", "inc", "meta"});
        v.nodes.push_back(NodeInfo{stringField(nodes[i], p, "id"),
                                   unsignedField(nodes[i], p, "seq"),
                                   stringField(nodes[i], p, "addr", true),
                                   unsignedField(nodes[i], p, "inc"), boundedMeta(nodes[i], p)});
    }
    const Json &groups = field(j, path, "groups");
    if (!groups.is_object())
        fail(member(path, "groups"), "expected an object, found " + detail::typeName(groups));
    for (const auto &[name, list] : groups.items())
        v.groups.networks[name] = View{name, members(list, member(member(path, "groups"), name))};
    v.groups.glGroup.members = members(field(j, path, "gl"), member(path, "gl"));
    v.nextSeq = unsignedField(j, path, "next_seq");
    const Json &departed = arrayField(j, path, "departed");
    for (std::size_t i = 0; i < departed.size(); ++i) {
        const auto p = element(member(path, "departed"), i);
        expectObject(departed[i], p, {"node", "cause", "silent_ms", "decided_at_ms"});
        v.departed.push_back(Departure{
            stringField(departed[i], p, "node"), stringField(departed[i], p, "cause"),
            intField(departed[i], p, "silent_ms"), intField(departed[i], p, "decided_at_ms")});
    }
    return v;
}

std::set<GroupName> groupSet(const Json &j, const std::string &path)
{
    if (!j.is_array())
        fail(path, "expected an array, found " + detail::typeName(j));
    std::set<GroupName> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        if (!j[i].is_string())
            fail(element(path, i), "expected a group name string");
        out.insert(j[i].get<std::string>());
    }
    return out;
}

} // namespace

std::string_view typeName(const Body &body)
{
    return std::visit(Overloaded{
                          [](const JoinRequest &) { return std::string_view("join"); },
                          [](const Redirect &) { return std::string_view("redirect"); },
                          [](const GroupsRequest &) { return std::string_view("groups"); },
                          [](const ViewMessage &) { return std::string_view("view"); },
                          [](const Heartbeat &) { return std::string_view("heartbeat"); },
                          [](const LeaveMessage &) { return std::string_view("leave"); },
                          [](const NotMember &) { return std::string_view("not-member"); },
                          [](const Discover &) { return std::string_view("discover"); },
                          [](const MergeRequest &) { return std::string_view("merge"); },
                          [](const Resync &) { return std::string_view("resync"); },
                      },
                      body);
}

std::string encode(const Envelope &e)
{
    Json j = {{"type", typeName(e.body)},
              {"from", e.from},
              {"addr", e.fromAddress},
              {"view_id", Json::array({e.viewId.epoch, e.viewId.counter})}};
    std::visit(Overloaded{
                   [&](const JoinRequest &b) {
                       j["groups"] = b.groups;
                       j["inc"] = b.incarnation;
                       j["meta"] = b.meta;
                   },
                   [&](const Redirect &b) { j["coordinator"] = b.coordinatorAddress; },
                   [&](const GroupsRequest &b) {
                       j["groups"] = b.groups;
                       j["meta"] = b.meta;
                   },
                   [&](const ViewMessage &b) {
                       j["view"] = viewJson(b.view);
                       if (b.metaBase) {
                           j["meta_base"] = Json::array({b.metaBase->epoch, b.metaBase->counter});
                           j["meta_unchanged"] = b.metaUnchanged;
                       }
                   },
                   [](const Resync &) {},
                   [](const Heartbeat &) {},
                   [](const LeaveMessage &) {},
                   [](const NotMember &) {},
                   [&](const Discover &b) {
                       j["coordinator_seq"] = b.coordinatorSeq;
                       j["coordinator"] = b.coordinatorAddress;
                       j["established"] = b.established;
                   },
                   [&](const MergeRequest &b) {
                       j["view"] = viewJson(b.view);
                       j["established"] = b.established;
                   },
               },
               e.body);
    return j.dump();
}

Result<Envelope> decode(std::string_view text)
{
    auto parsed = parseJsonText(text, "membership message");
    if (!parsed)
        return parsed.error();
    const Json &j = *parsed;
    try {
        if (!j.is_object())
            fail("", "expected an object, found " + detail::typeName(j));
        Envelope e;
        const std::string type = stringField(j, "", "type");
        e.from = stringField(j, "", "from");
        e.fromAddress = stringField(j, "", "addr", true);
        e.viewId = viewId(field(j, "", "view_id"), "view_id");
        auto only = [&](std::initializer_list<std::string_view> extra) {
            std::vector<std::string_view> keys{"type", "from", "addr", "view_id"};
            keys.insert(keys.end(), extra.begin(), extra.end());
            for (const auto &[key, value] : j.items())
                if (std::find(keys.begin(), keys.end(), key) == keys.end())
                    fail(key, "unknown field for a \"" + type + "\" message");
        };
        if (type == "join") {
            only({"groups", "inc", "meta"});
            e.body = JoinRequest{groupSet(field(j, "", "groups"), "groups"),
                                 unsignedField(j, "", "inc"), boundedMeta(j, "")};
        } else if (type == "redirect") {
            only({"coordinator"});
            e.body = Redirect{stringField(j, "", "coordinator")};
        } else if (type == "groups") {
            only({"groups", "meta"});
            e.body = GroupsRequest{groupSet(field(j, "", "groups"), "groups"), boundedMeta(j, "")};
        } else if (type == "view") {
            only({"view", "meta_base", "meta_unchanged"});
            ViewMessage vm{view(field(j, "", "view"), "view"), std::nullopt, {}};
            if (j.contains("meta_base")) {
                vm.metaBase = viewId(j["meta_base"], "meta_base");
                const Json &unchanged = arrayField(j, "", "meta_unchanged");
                for (std::size_t i = 0; i < unchanged.size(); ++i) {
                    if (!unchanged[i].is_string())
                        fail(element("meta_unchanged", i), "expected a node id string");
                    vm.metaUnchanged.push_back(unchanged[i].get<std::string>());
                }
            }
            e.body = std::move(vm);
        } else if (type == "heartbeat") {
            only({});
            e.body = Heartbeat{};
        } else if (type == "leave") {
            only({});
            e.body = LeaveMessage{};
        } else if (type == "not-member") {
            only({});
            e.body = NotMember{};
        } else if (type == "discover") {
            only({"coordinator_seq", "coordinator", "established"});
            e.body = Discover{unsignedField(j, "", "coordinator_seq"),
                              stringField(j, "", "coordinator"), boolField(j, "", "established")};
        } else if (type == "resync") {
            only({});
            e.body = Resync{};
        } else if (type == "merge") {
            only({"view", "established"});
            e.body =
                MergeRequest{view(field(j, "", "view"), "view"), boolField(j, "", "established")};
        } else {
            fail("type", "unknown message type \"" + type + "\"");
        }
        return e;
    } catch (const FieldError &err) {
        return Error{"membership message: " + err.message};
    } catch (const Json::exception &err) {
        // A value the readers did not expect to throw on: refused, never let through.
        return Error{std::string("membership message: ") + err.what()};
    }
}

} // namespace dmr::gms
