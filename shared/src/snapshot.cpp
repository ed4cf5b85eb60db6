#include "dmr/snapshot.h"

#include "json_reader.h"

#include <algorithm>

namespace dmr {

Snapshot makeSnapshot(const ClusterModel &model, std::string cluster, std::int64_t timeMs)
{
    Snapshot s;
    s.cluster = std::move(cluster);
    s.timeMs = timeMs;
    s.nodes = model.topology();
    for (const auto &[id, node] : s.nodes)
        s.status[id] = NodeStatus{model.state(id), model.failedAdapters(id)};
    s.membership = model.membership();
    s.plan = model.plan();
    return s;
}

ClusterModel modelOf(const Snapshot &s)
{
    std::map<NodeId, NodeState> states;
    std::map<NodeId, std::set<std::string>> failed;
    for (const auto &[id, status] : s.status) {
        states[id] = status.state;
        if (!status.failedAdapters.empty())
            failed[id] = status.failedAdapters;
    }
    return ClusterModel(s.nodes, s.membership, std::move(states), std::move(failed));
}

namespace {

using detail::Json;

std::vector<const Node *> naturalOrder(const Topology &nodes)
{
    std::vector<const Node *> out;
    out.reserve(nodes.size());
    for (const auto &[id, node] : nodes)
        out.push_back(&node);
    std::sort(out.begin(), out.end(),
              [](const Node *a, const Node *b) { return naturalLess(a->id, b->id); });
    return out;
}

Json membersJson(const std::vector<Member> &members)
{
    Json out = Json::array();
    for (const Member &m : members)
        out.push_back({{"node", m.node}, {"seq", m.seq}});
    return out;
}

Json endpointJson(const Endpoint &e)
{
    return {{"node", e.node}, {"iface", e.iface}, {"address", e.address.toString()}};
}

} // namespace

std::string toJson(const Snapshot &s)
{
    Json doc;
    doc["format"] = Snapshot::kFormatName;
    doc["version"] = Snapshot::kFormatVersion;
    doc["cluster"] = s.cluster;
    doc["time_ms"] = s.timeMs;

    Json nodes = Json::array();
    for (const Node *node : naturalOrder(s.nodes)) {
        const auto st = s.status.count(node->id) != 0 ? s.status.at(node->id) : NodeStatus{};
        Json ifaces = Json::array();
        for (const Interface &i : node->interfaces)
            ifaces.push_back({{"name", i.name},
                              {"address", i.address.toString()},
                              {"network", i.group()},
                              {"failed", st.failedAdapters.count(i.name) != 0}});
        nodes.push_back({{"id", node->id}, {"state", toString(st.state)}, {"interfaces", ifaces}});
    }
    doc["nodes"] = nodes;

    Json groups = Json::array();
    for (const auto &[name, view] : s.membership.networks)
        groups.push_back({{"name", name}, {"members", membersJson(view.members)}});
    doc["groups"] = groups;
    doc["gl_group"] = membersJson(s.membership.glGroup.members);

    const Election &e = s.plan.election;
    Json leaders = Json::object();
    for (const auto &[group, node] : e.groupLeaders)
        leaders[group] = node;
    doc["leaders"] = leaders;
    doc["gl_order"] = e.glOrder;
    doc["system_leader"] = e.systemLeader ? Json(*e.systemLeader) : Json(nullptr);

    Json routes = Json::array();
    for (const Route &r : s.plan.routes)
        routes.push_back({{"node", r.node}, {"iface", r.iface}, {"network", r.network}});
    doc["routes"] = routes;
    Json tunnels = Json::array();
    for (const Tunnel &t : s.plan.tunnels)
        tunnels.push_back({{"root", endpointJson(t.root)},
                           {"leaf", endpointJson(t.leaf)},
                           {"networks", t.networks}});
    doc["tunnels"] = tunnels;
    // Only when some leader cannot be reached (no address family in common): a snapshot of
    // any other cluster reads as before.
    if (!s.plan.noTunnels.empty()) {
        Json none = Json::array();
        for (const NoTunnel &t : s.plan.noTunnels)
            none.push_back({{"root", t.root},
                            {"leaf", t.leaf},
                            {"networks", t.networks},
                            {"reason", t.reason}});
        doc["no_tunnels"] = none;
    }
    return doc.dump(2) + "\n";
}

namespace {

using namespace detail;

struct SnapshotReader
{
    Snapshot s;

    void knownNode(const std::string &path, const NodeId &id) const
    {
        if (s.nodes.count(id) == 0)
            fail(path, "unknown node \"" + id + "\"");
    }

    GroupName network(const std::string &path, const std::string &text) const
    {
        auto p = Prefix::parse(text);
        if (!p)
            fail(path, p.error().message);
        if (p->toString() != text)
            fail(path, "network \"" + text + "\" is not in canonical form (" + p->toString() + ")");
        return text;
    }

    std::vector<Member> members(const Json &arr, const std::string &path) const
    {
        if (!arr.is_array())
            fail(path, "expected an array, found " + typeName(arr));
        std::vector<Member> out;
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const auto mpath = element(path, i);
            expectObject(arr[i], mpath, {"node", "seq"});
            Member m{stringField(arr[i], mpath, "node"), unsignedField(arr[i], mpath, "seq")};
            knownNode(member(mpath, "node"), m.node);
            if (!out.empty() && m.seq <= out.back().seq)
                fail(member(mpath, "seq"), "join sequence must increase along the list");
            out.push_back(std::move(m));
        }
        return out;
    }

    Endpoint endpoint(const Json &j, const std::string &path) const
    {
        expectObject(j, path, {"node", "iface", "address"});
        Endpoint e;
        e.node = stringField(j, path, "node");
        knownNode(member(path, "node"), e.node);
        e.iface = stringField(j, path, "iface");
        if (s.nodes.at(e.node).interface(e.iface) == nullptr)
            fail(member(path, "iface"),
                 "node \"" + e.node + "\" has no interface \"" + e.iface + "\"");
        auto a = IpAddress::parse(stringField(j, path, "address"));
        if (!a)
            fail(member(path, "address"), a.error().message);
        e.address = *a;
        return e;
    }

    void nodes(const Json &arr)
    {
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const auto path = element("nodes", i);
            const Json &j = arr[i];
            expectObject(j, path, {"id", "state", "interfaces"});
            Node node;
            node.id = stringField(j, path, "id");
            if (s.nodes.count(node.id) != 0)
                fail(member(path, "id"), "duplicate node id \"" + node.id + "\"");
            auto state = parseNodeState(stringField(j, path, "state"));
            if (!state)
                fail(member(path, "state"), state.error().message);
            NodeStatus status{*state, {}};
            const Json &ifaces = arrayField(j, path, "interfaces");
            for (std::size_t k = 0; k < ifaces.size(); ++k) {
                const auto ipath = element(member(path, "interfaces"), k);
                expectObject(ifaces[k], ipath, {"name", "address", "network", "failed"});
                Interface iface;
                iface.name = stringField(ifaces[k], ipath, "name");
                auto address = InterfaceAddress::parse(stringField(ifaces[k], ipath, "address"));
                if (!address)
                    fail(member(ipath, "address"), address.error().message);
                iface.address = *address;
                if (stringField(ifaces[k], ipath, "network") != iface.group())
                    fail(member(ipath, "network"),
                         "does not match the address (expected " + iface.group() + ")");
                const Json &failed = field(ifaces[k], ipath, "failed");
                if (!failed.is_boolean())
                    fail(member(ipath, "failed"), "expected a boolean, found " + typeName(failed));
                if (failed.get<bool>())
                    status.failedAdapters.insert(iface.name);
                node.interfaces.push_back(std::move(iface));
            }
            s.status[node.id] = std::move(status);
            s.nodes.emplace(node.id, std::move(node));
        }
    }

    void read(const Json &doc)
    {
        expectObject(doc, "",
                     {"format", "version", "cluster", "time_ms", "nodes", "groups", "gl_group",
                      "leaders", "gl_order", "system_leader", "routes", "tunnels", "no_tunnels"});
        if (stringField(doc, "", "format") != Snapshot::kFormatName)
            fail("format", "expected \"" + std::string(Snapshot::kFormatName) + "\"");
        const auto version = intField(doc, "", "version");
        if (version > Snapshot::kFormatVersion)
            fail("version", "snapshot format version " + std::to_string(version) +
                                " is newer than this program reads (" +
                                std::to_string(Snapshot::kFormatVersion) +
                                "); upgrade DMR to read it");
        if (version < 1)
            fail("version", "unknown snapshot format version " + std::to_string(version));
        s.cluster = stringField(doc, "", "cluster", true);
        s.timeMs = intField(doc, "", "time_ms");
        nodes(arrayField(doc, "", "nodes"));

        const Json &groups = arrayField(doc, "", "groups");
        for (std::size_t i = 0; i < groups.size(); ++i) {
            const auto path = element("groups", i);
            expectObject(groups[i], path, {"name", "members"});
            View v;
            v.group = network(member(path, "name"), stringField(groups[i], path, "name"));
            v.members = members(field(groups[i], path, "members"), member(path, "members"));
            if (!s.membership.networks.emplace(v.group, v).second)
                fail(member(path, "name"), "duplicate group \"" + v.group + "\"");
        }
        s.membership.glGroup.members = members(field(doc, "", "gl_group"), "gl_group");

        Election &e = s.plan.election;
        const Json &leaders = field(doc, "", "leaders");
        if (!leaders.is_object())
            fail("leaders", "expected an object, found " + typeName(leaders));
        for (const auto &[group, node] : leaders.items()) {
            const auto path = member("leaders", group);
            network(path, group);
            if (!node.is_string())
                fail(path, "expected a node id string, found " + typeName(node));
            knownNode(path, node.get<std::string>());
            e.groupLeaders.emplace(group, node.get<std::string>());
        }
        const Json &order = arrayField(doc, "", "gl_order");
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (!order[i].is_string())
                fail(element("gl_order", i),
                     "expected a node id string, found " + typeName(order[i]));
            knownNode(element("gl_order", i), order[i].get<std::string>());
            e.glOrder.push_back(order[i].get<std::string>());
        }
        const Json &sl = field(doc, "", "system_leader");
        if (sl.is_string()) {
            knownNode("system_leader", sl.get<std::string>());
            e.systemLeader = sl.get<std::string>();
        } else if (!sl.is_null()) {
            fail("system_leader", "expected a node id string or null, found " + typeName(sl));
        }
        if (e.systemLeader !=
            (e.glOrder.empty() ? std::nullopt : std::optional<NodeId>(e.glOrder.front())))
            fail("system_leader", "must be the first of gl_order");

        const Json &routes = arrayField(doc, "", "routes");
        for (std::size_t i = 0; i < routes.size(); ++i) {
            const auto path = element("routes", i);
            expectObject(routes[i], path, {"node", "iface", "network"});
            Route r{stringField(routes[i], path, "node"), stringField(routes[i], path, "iface"),
                    network(member(path, "network"), stringField(routes[i], path, "network"))};
            knownNode(member(path, "node"), r.node);
            if (s.nodes.at(r.node).interface(r.iface) == nullptr)
                fail(member(path, "iface"),
                     "node \"" + r.node + "\" has no interface \"" + r.iface + "\"");
            s.plan.routes.push_back(std::move(r));
        }
        const Json &tunnels = arrayField(doc, "", "tunnels");
        for (std::size_t i = 0; i < tunnels.size(); ++i) {
            const auto path = element("tunnels", i);
            expectObject(tunnels[i], path, {"root", "leaf", "networks"});
            Tunnel t;
            t.root = endpoint(field(tunnels[i], path, "root"), member(path, "root"));
            t.leaf = endpoint(field(tunnels[i], path, "leaf"), member(path, "leaf"));
            const Json &nets = arrayField(tunnels[i], path, "networks");
            for (std::size_t k = 0; k < nets.size(); ++k) {
                const auto npath = element(member(path, "networks"), k);
                if (!nets[k].is_string())
                    fail(npath, "expected a network string, found " + typeName(nets[k]));
                t.networks.push_back(network(npath, nets[k].get<std::string>()));
            }
            s.plan.tunnels.push_back(std::move(t));
        }
        if (doc.contains("no_tunnels")) {
            const Json &none = arrayField(doc, "", "no_tunnels");
            for (std::size_t i = 0; i < none.size(); ++i) {
                const auto path = element("no_tunnels", i);
                expectObject(none[i], path, {"root", "leaf", "networks", "reason"});
                NoTunnel t;
                t.root = stringField(none[i], path, "root");
                t.leaf = stringField(none[i], path, "leaf");
                knownNode(member(path, "root"), t.root);
                knownNode(member(path, "leaf"), t.leaf);
                t.reason = stringField(none[i], path, "reason");
                const Json &nets = arrayField(none[i], path, "networks");
                for (std::size_t k = 0; k < nets.size(); ++k) {
                    const auto npath = element(member(path, "networks"), k);
                    if (!nets[k].is_string())
                        fail(npath, "expected a network string, found " + typeName(nets[k]));
                    t.networks.push_back(network(npath, nets[k].get<std::string>()));
                }
                s.plan.noTunnels.push_back(std::move(t));
            }
        }
    }
};

} // namespace

Result<Snapshot> parseSnapshot(std::string_view text)
{
    auto parsed = parseJsonText(text, "snapshot");
    if (!parsed)
        return parsed.error();
    try {
        SnapshotReader r;
        r.read(*parsed);
        return r.s;
    } catch (const FieldError &e) {
        return Error{"snapshot: " + e.message};
    }
}

} // namespace dmr
