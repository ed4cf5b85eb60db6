#include "dmr/plan.h"

#include <algorithm>
#include <cassert>

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
// count (a failed adapter is not used), falling back to any interface.
const Interface &widestInterface(const Node &node, const Membership &m)
{
    const Interface *best = nullptr;
    std::size_t bestCount = 0;
    for (const Interface &i : node.interfaces) {
        auto it = m.networks.find(i.group());
        if (it == m.networks.end() || !it->second.contains(node.id))
            continue;
        const std::size_t count = memberCount(m, i.group());
        if (best == nullptr || count > bestCount ||
            (count == bestCount && i.group() < best->group())) {
            best = &i;
            bestCount = count;
        }
    }
    assert(best != nullptr || !node.interfaces.empty());
    return best != nullptr ? *best : node.interfaces.front();
}

Tunnel makeTunnel(const Node &root, const Node &leaf, std::vector<GroupName> carried,
                  const Membership &m)
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
    return Tunnel{endpointOn(root, widestInterface(root, m)),
                  endpointOn(leaf, widestInterface(leaf, m)), std::move(carried)};
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
        plan.tunnels.push_back(
            makeTunnel(root->second, leaf->second, e.groupsLedBy(leader), membership));
    }
    return plan;
}

} // namespace dmr
