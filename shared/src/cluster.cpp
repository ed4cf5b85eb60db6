#include "dmr/cluster.h"

#include <algorithm>

namespace dmr {

std::string_view toString(NodeState state)
{
    switch (state) {
    case NodeState::Down:
        return "down";
    case NodeState::Up:
        return "up";
    case NodeState::Failed:
        return "failed";
    case NodeState::Drained:
        return "drained";
    }
    return "?";
}

Result<NodeState> parseNodeState(std::string_view text)
{
    for (auto s : {NodeState::Down, NodeState::Up, NodeState::Failed, NodeState::Drained})
        if (toString(s) == text)
            return s;
    return Error{"unknown node state \"" + std::string(text) +
                 "\" (expected down, up, failed or drained)"};
}

ClusterModel::ClusterModel(Topology topology)
    : topology_(std::move(topology))
{
    for (const auto &[id, node] : topology_)
        states_[id] = NodeState::Down;
}

ClusterModel::ClusterModel(Topology topology, Membership membership,
                           std::map<NodeId, NodeState> states,
                           std::map<NodeId, std::set<std::string>> failedAdapters)
    : topology_(std::move(topology))
    , membership_(std::move(membership))
    , states_(std::move(states))
    , failedAdapters_(std::move(failedAdapters))
{
    for (const auto &[id, node] : topology_)
        states_.try_emplace(id, NodeState::Down);
    const auto highest = [&](const View &v) {
        for (const auto &m : v.members)
            nextSeq_ = std::max(nextSeq_, m.seq + 1);
    };
    for (const auto &[name, view] : membership_.networks)
        highest(view);
    highest(membership_.glGroup);
}

Status ClusterModel::checkNode(const NodeId &node) const
{
    if (topology_.count(node) == 0)
        return Error{"unknown node \"" + node + "\""};
    return okStatus();
}

NodeState ClusterModel::state(const NodeId &node) const
{
    auto it = states_.find(node);
    return it == states_.end() ? NodeState::Down : it->second;
}

std::set<std::string> ClusterModel::failedAdapters(const NodeId &node) const
{
    auto it = failedAdapters_.find(node);
    return it == failedAdapters_.end() ? std::set<std::string>{} : it->second;
}

void ClusterModel::joinGroup(const GroupName &group, const NodeId &node)
{
    View &view = membership_.networks[group];
    view.group = group;
    if (!view.contains(node))
        view.members.push_back(Member{node, nextSeq_++});
}

void ClusterModel::leaveGroup(const GroupName &group, const NodeId &node)
{
    auto it = membership_.networks.find(group);
    if (it == membership_.networks.end())
        return;
    auto &members = it->second.members;
    members.erase(std::remove_if(members.begin(), members.end(),
                                 [&](const Member &m) { return m.node == node; }),
                  members.end());
    if (members.empty())
        membership_.networks.erase(it);
}

void ClusterModel::dropEverywhere(const NodeId &node)
{
    for (const Interface &i : topology_.at(node).interfaces)
        leaveGroup(i.group(), node);
    auto &gl = membership_.glGroup.members;
    gl.erase(std::remove_if(gl.begin(), gl.end(), [&](const Member &m) { return m.node == node; }),
             gl.end());
}

// The recovery loop, for every node at once: members that no longer lead leave the
// GL_group, new leaders join it.
void ClusterModel::settleGlGroup()
{
    const GlChanges changes = glChanges(membership_);
    auto &gl = membership_.glGroup.members;
    for (const NodeId &node : changes.leave)
        gl.erase(
            std::remove_if(gl.begin(), gl.end(), [&](const Member &m) { return m.node == node; }),
            gl.end());
    for (const NodeId &node : changes.join)
        gl.push_back(Member{node, nextSeq_++});
}

Status ClusterModel::join(const NodeId &node)
{
    if (auto s = checkNode(node); !s)
        return s;
    if (state(node) == NodeState::Up)
        return Error{"node \"" + node + "\" is already up"};
    states_[node] = NodeState::Up;
    const auto failed = failedAdapters(node);
    for (const Interface &i : topology_.at(node).interfaces)
        if (failed.count(i.name) == 0)
            joinGroup(i.group(), node);
    settleGlGroup();
    return okStatus();
}

Status ClusterModel::fail(const NodeId &node)
{
    if (auto s = checkNode(node); !s)
        return s;
    if (state(node) != NodeState::Up)
        return Error{"node \"" + node + "\" is not up (" + std::string(toString(state(node))) +
                     ")"};
    dropEverywhere(node);
    states_[node] = NodeState::Failed;
    settleGlGroup();
    return okStatus();
}

Status ClusterModel::leave(const NodeId &node)
{
    auto s = fail(node);
    if (s)
        states_[node] = NodeState::Down;
    return s;
}

Status ClusterModel::drain(const NodeId &node)
{
    auto s = fail(node);
    if (s)
        states_[node] = NodeState::Drained;
    return s;
}

Status ClusterModel::failAdapter(const NodeId &node, const std::string &iface)
{
    if (auto s = checkNode(node); !s)
        return s;
    const Interface *i = topology_.at(node).interface(iface);
    if (i == nullptr)
        return Error{"node \"" + node + "\" has no interface \"" + iface + "\""};
    if (!failedAdapters_[node].insert(iface).second)
        return Error{"interface \"" + iface + "\" of node \"" + node + "\" has already failed"};
    if (state(node) == NodeState::Up) {
        leaveGroup(i->group(), node);
        settleGlGroup();
    }
    return okStatus();
}

Status ClusterModel::restoreAdapter(const NodeId &node, const std::string &iface)
{
    if (auto s = checkNode(node); !s)
        return s;
    const Interface *i = topology_.at(node).interface(iface);
    if (i == nullptr)
        return Error{"node \"" + node + "\" has no interface \"" + iface + "\""};
    if (failedAdapters_[node].erase(iface) == 0)
        return Error{"interface \"" + iface + "\" of node \"" + node + "\" has not failed"};
    if (state(node) == NodeState::Up) {
        joinGroup(i->group(), node);
        settleGlGroup();
    }
    return okStatus();
}

} // namespace dmr
