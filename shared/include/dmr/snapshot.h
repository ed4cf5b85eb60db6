#pragma once
// A versioned JSON document of a cluster at one moment: nodes and interfaces with their state,
// groups with ordered members, the GL_group, leaders, system leader, routes and tunnels, and a
// time supplied by the caller. Keys are sorted and lists ordered, so the same snapshot always
// renders to the same bytes, and parse(render(s)) == s.

#include "dmr/cluster.h"

#include <string_view>

namespace dmr {

struct NodeStatus
{
    NodeState state = NodeState::Down;
    std::set<std::string> failedAdapters;
    bool operator==(const NodeStatus &) const = default;
};

struct Snapshot
{
    static constexpr int kFormatVersion = 1;
    static constexpr std::string_view kFormatName = "dmr-snapshot";

    std::string cluster;
    std::int64_t timeMs = 0; // milliseconds since the Unix epoch, as the caller supplied it
    Topology nodes;
    std::map<NodeId, NodeStatus> status;
    Membership membership;
    Plan plan;
    bool operator==(const Snapshot &) const = default;
};

Snapshot makeSnapshot(const ClusterModel &model, std::string cluster, std::int64_t timeMs);
// The model of the cluster a snapshot shows, to ask it what-if questions (fail a node, an
// adapter) with the planner dmrctl plan uses.
ClusterModel modelOf(const Snapshot &snapshot);

std::string toJson(const Snapshot &snapshot); // pretty-printed, ends with a newline
// Rejects a newer format version, unknown or missing fields, and references to unknown nodes,
// naming the field path.
Result<Snapshot> parseSnapshot(std::string_view json);

} // namespace dmr
