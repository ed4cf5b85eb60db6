#include "dmr/plan.h"

#include <algorithm>
#include <optional>
#include <variant>

namespace dmr {

std::vector<Route> Plan::routesOf(const NodeId &node) const
{
    std::vector<Route> out;
    std::copy_if(routes.begin(), routes.end(), std::back_inserter(out),
                 [&](const Route &r) { return r.node == node; });
    return out;
}

std::vector<Tunnel> Plan::tunnelsOf(const NodeId &node) const
{
    std::vector<Tunnel> out;
    std::copy_if(tunnels.begin(), tunnels.end(), std::back_inserter(out),
                 [&](const Tunnel &t) { return t.root.node == node || t.leaf.node == node; });
    return out;
}

namespace {

const Interface *interfaceOn(const Node &node, const GroupName &group)
{
    auto it = std::find_if(node.interfaces.begin(), node.interfaces.end(),
                           [&](const Interface &i) { return i.group() == group; });
    return it == node.interfaces.end() ? nullptr : &*it;
}

Endpoint endpointOn(const Node &node, const Interface &iface)
{
    return Endpoint{node.id, iface.name, iface.address.address()};
}

std::size_t memberCount(const Membership &m, const GroupName &group)
{
    auto it = m.networks.find(group);
    return it == m.networks.end() ? 0 : it->second.members.size();
}

// The interface most likely reached by unicast from elsewhere: the one on the network with the
// most members; ties broken by group order. Only interfaces whose group the node is a member of
// count (a failed adapter is not used), falling back to any interface; `family`: only that
// family's (nullptr when the node has none of it).
const Interface *widestInterface(const Node &node, const Membership &m,
                                 std::optional<Family> family = std::nullopt)
{
    const Interface *best = nullptr;
    std::size_t bestCount = 0;
    auto ofFamily = [&](const Interface &i) {
        return !family || i.address.address().family() == *family;
    };
    for (const Interface &i : node.interfaces) {
        auto it = m.networks.find(i.group());
        if (!ofFamily(i) || it == m.networks.end() || !it->second.contains(node.id))
            continue;
        const std::size_t count = memberCount(m, i.group());
        if (best == nullptr || count > bestCount ||
            (count == bestCount && i.group() < best->group())) {
            best = &i;
            bestCount = count;
        }
    }
    if (best != nullptr)
        return best;
    for (const Interface &i : node.interfaces)
        if (ofFamily(i))
            return &i;
    return nullptr;
}

std::string familiesText(const Node &n)
{
    bool v4 = false, v6 = false;
    for (const Interface &i : n.interfaces)
        (i.address.address().family() == Family::V4 ? v4 : v6) = true;
    return n.id + ": " + (v4 && v6 ? "IPv4 and IPv6" : v4 ? "IPv4" : v6 ? "IPv6" : "none");
}

std::variant<Tunnel, NoTunnel> makeTunnel(const Node &root, const Node &leaf,
                                          std::vector<GroupName> carried, const Membership &m)
{
    // A shared network the two can both use, the leaf's led networks first.
    auto usable = [&](const Node &n, const GroupName &g) {
        auto it = m.networks.find(g);
        return interfaceOn(n, g) != nullptr && it != m.networks.end() && it->second.contains(n.id);
    };
    std::vector<GroupName> candidates = carried;
    for (const Interface &i : leaf.interfaces)
        candidates.push_back(i.group());
    std::sort(candidates.begin() + static_cast<std::ptrdiff_t>(carried.size()), candidates.end());
    for (const GroupName &g : candidates) {
        if (usable(root, g) && usable(leaf, g))
            return Tunnel{endpointOn(root, *interfaceOn(root, g)),
                          endpointOn(leaf, *interfaceOn(leaf, g)), std::move(carried)};
    }
    // Each end's largest network, in one family both have.
    const Interface *rootBest = widestInterface(root, m);
    const Interface *leafBest = widestInterface(leaf, m);
    std::vector<Family> families;
    if (rootBest != nullptr)
        families.push_back(rootBest->address.address().family());
    if (leafBest != nullptr)
        families.push_back(leafBest->address.address().family());
    families.push_back(Family::V4);
    families.push_back(Family::V6);
    for (const Family f : families) {
        const Interface *r = widestInterface(root, m, f);
        const Interface *l = widestInterface(leaf, m, f);
        if (r != nullptr && l != nullptr)
            return Tunnel{endpointOn(root, *r), endpointOn(leaf, *l), std::move(carried)};
    }
    return NoTunnel{root.id, leaf.id, std::move(carried),
                    "no address family in common (" + familiesText(root) + "; " +
                        familiesText(leaf) + ")"};
}

} // namespace

Plan makePlan(const Topology &topology, const Membership &membership)
{
    Plan plan;
    plan.election = elect(membership);
    const Election &e = plan.election;

    for (const auto &[group, leader] : e.groupLeaders) {
        auto node = topology.find(leader);
        // A leader the topology does not know cannot be routed by us; it is still elected.
        if (node == topology.end())
            continue;
        if (const Interface *iface = interfaceOn(node->second, group))
            plan.routes.push_back(Route{leader, iface->name, group});
    }
    std::stable_sort(plan.routes.begin(), plan.routes.end(), [](const Route &a, const Route &b) {
        if (a.node != b.node)
            return naturalLess(a.node, b.node);
        return a.network < b.network;
    });

    if (!e.systemLeader)
        return plan;
    auto root = topology.find(*e.systemLeader);
    if (root == topology.end())
        return plan;
    for (const NodeId &leader : e.glOrder) {
        if (leader == *e.systemLeader)
            continue; // a system leader leading several networks routes between them directly
        auto leaf = topology.find(leader);
        if (leaf == topology.end())
            continue;
        auto t = makeTunnel(root->second, leaf->second, e.groupsLedBy(leader), membership);
        if (auto *tunnel = std::get_if<Tunnel>(&t))
            plan.tunnels.push_back(std::move(*tunnel));
        else
            plan.noTunnels.push_back(std::get<NoTunnel>(std::move(t)));
    }
    return plan;
}

} // namespace dmr
