#include "dmr/diff.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace dmr {

std::string_view toString(Action::Kind kind)
{
    switch (kind) {
    case Action::Kind::Route:
        return "route";
    case Action::Kind::OpenTunnel:
        return "open-tunnel";
    case Action::Kind::UpdateTunnel:
        return "update-tunnel";
    case Action::Kind::CloseTunnel:
        return "close-tunnel";
    case Action::Kind::Unroute:
        return "unroute";
    }
    return "?";
}

bool Action::concerns(const NodeId &node) const
{
    if (kind == Kind::Route || kind == Kind::Unroute)
        return route.node == node;
    return tunnel.root.node == node || tunnel.leaf.node == node;
}

namespace {

std::string joined(const std::vector<GroupName> &groups)
{
    std::string out;
    for (const auto &g : groups)
        out += (out.empty() ? "" : ",") + g;
    return out;
}

} // namespace

std::string Action::toString() const
{
    std::string out(dmr::toString(kind));
    if (kind == Kind::Route || kind == Kind::Unroute)
        return out + " " + route.node + " " + route.iface + " " + route.network;
    return out + " " + tunnel.root.node + " " + tunnel.root.iface + " " +
           tunnel.root.address.toString() + " -> " + tunnel.leaf.node + " " + tunnel.leaf.iface +
           " " + tunnel.leaf.address.toString() + " carries " + joined(tunnel.networks);
}

namespace {

// A tunnel is the same tunnel while its two ends are the same; what it carries may change.
using TunnelKey = std::tuple<NodeId, std::string, IpAddress, NodeId, std::string, IpAddress>;
TunnelKey keyOf(const Tunnel &t)
{
    return {t.root.node, t.root.iface, t.root.address, t.leaf.node, t.leaf.iface, t.leaf.address};
}

using RouteKey = std::tuple<NodeId, std::string, GroupName>;
RouteKey keyOf(const Route &r)
{
    return {r.node, r.iface, r.network};
}

} // namespace

std::vector<Action> diffPlans(const Plan &from, const Plan &to)
{
    std::map<RouteKey, Route> oldRoutes;
    std::map<RouteKey, Route> newRoutes;
    for (const Route &r : from.routes)
        oldRoutes.emplace(keyOf(r), r);
    for (const Route &r : to.routes)
        newRoutes.emplace(keyOf(r), r);
    std::map<TunnelKey, Tunnel> oldTunnels;
    for (const Tunnel &t : from.tunnels)
        oldTunnels.emplace(keyOf(t), t);
    std::map<TunnelKey, Tunnel> newTunnels;
    for (const Tunnel &t : to.tunnels)
        newTunnels.emplace(keyOf(t), t);

    std::vector<Action> actions;
    // Opens first: routes, then tunnels in the new plan's order, then updates.
    for (const Route &r : to.routes)
        if (oldRoutes.count(keyOf(r)) == 0)
            actions.push_back(Action{Action::Kind::Route, r, {}});
    for (const Tunnel &t : to.tunnels)
        if (oldTunnels.count(keyOf(t)) == 0)
            actions.push_back(Action{Action::Kind::OpenTunnel, {}, t});
    for (const Tunnel &t : to.tunnels) {
        auto it = oldTunnels.find(keyOf(t));
        if (it != oldTunnels.end() && it->second.networks != t.networks)
            actions.push_back(Action{Action::Kind::UpdateTunnel, {}, t});
    }
    // Then closes, in the old plan's order.
    for (const Tunnel &t : from.tunnels)
        if (newTunnels.count(keyOf(t)) == 0)
            actions.push_back(Action{Action::Kind::CloseTunnel, {}, t});
    for (const Route &r : from.routes)
        if (newRoutes.count(keyOf(r)) == 0)
            actions.push_back(Action{Action::Kind::Unroute, r, {}});
    return actions;
}

std::vector<Action> actionsFor(const std::vector<Action> &actions, const NodeId &node)
{
    std::vector<Action> out;
    std::copy_if(actions.begin(), actions.end(), std::back_inserter(out),
                 [&](const Action &a) { return a.concerns(node); });
    return out;
}

} // namespace dmr
