#include "dmr/election.h"

#include <algorithm>
#include <set>

namespace dmr {

bool Election::leads(const NodeId &node) const
{
    return std::any_of(groupLeaders.begin(), groupLeaders.end(),
                       [&](const auto &kv) { return kv.second == node; });
}

std::vector<GroupName> Election::groupsLedBy(const NodeId &node) const
{
    std::vector<GroupName> groups;
    for (const auto &[group, leader] : groupLeaders)
        if (leader == node)
            groups.push_back(group);
    return groups;
}

namespace {

// Leaders that are not yet in the GL_group, in the order they would join it: by the join
// sequence that made them leader (their earliest seq among the groups they lead), then by id.
std::vector<NodeId> pendingLeaders(const Membership &m, const std::map<GroupName, NodeId> &leaders)
{
    std::map<NodeId, std::uint64_t> firstSeq;
    for (const auto &[group, leader] : leaders) {
        if (m.glGroup.contains(leader))
            continue;
        const auto seq = m.networks.at(group).members.front().seq;
        auto [it, inserted] = firstSeq.emplace(leader, seq);
        if (!inserted)
            it->second = std::min(it->second, seq);
    }
    std::vector<std::pair<std::uint64_t, NodeId>> order;
    order.reserve(firstSeq.size());
    for (const auto &[node, seq] : firstSeq)
        order.emplace_back(seq, node);
    std::sort(order.begin(), order.end());
    std::vector<NodeId> out;
    out.reserve(order.size());
    for (auto &entry : order)
        out.push_back(std::move(entry.second));
    return out;
}

} // namespace

Election elect(const Membership &membership)
{
    Election e;
    for (const auto &[group, view] : membership.networks)
        if (const Member *leader = view.leader())
            e.groupLeaders.emplace(group, leader->node);
    std::set<NodeId> leaders;
    for (const auto &[group, leader] : e.groupLeaders)
        leaders.insert(leader);
    for (const Member &m : membership.glGroup.members)
        if (leaders.count(m.node) != 0)
            e.glOrder.push_back(m.node);
    for (auto &node : pendingLeaders(membership, e.groupLeaders))
        e.glOrder.push_back(std::move(node));
    if (!e.glOrder.empty())
        e.systemLeader = e.glOrder.front();
    return e;
}

GlChanges glChanges(const Membership &membership)
{
    const Election e = elect(membership);
    GlChanges changes;
    for (const Member &m : membership.glGroup.members)
        if (!e.leads(m.node))
            changes.leave.push_back(m.node);
    for (const NodeId &node : e.glOrder)
        if (!membership.glGroup.contains(node))
            changes.join.push_back(node);
    return changes;
}

} // namespace dmr
