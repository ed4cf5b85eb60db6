#pragma once
// A reference model of the whole cluster as group services would present it: nodes start, fail,
// lose adapters and come back; views are kept in join order with a cluster-wide sequence, and
// leaders join and leave the GL_group as the recovery loop says (a node that no longer leads
// leaves it, a new leader joins it at its end). Used by the scenario tests, the offline planner
// and simulators. No I/O, no clock.

#include "dmr/plan.h"

#include <set>

namespace dmr {

using Status = Result<std::monostate>;
inline Status okStatus()
{
    return std::monostate{};
}

enum class NodeState : std::uint8_t {
    Down,    // never started, or stopped
    Up,      // a member of the groups of its working interfaces
    Failed,  // crashed: out of every group until it rejoins
    Drained, // planned maintenance: a member nowhere, out of leadership until restored
};
std::string_view toString(NodeState state);
Result<NodeState> parseNodeState(std::string_view text);

class ClusterModel
{
public:
    explicit ClusterModel(Topology topology);
    // A cluster as it stands: its membership, the nodes' states and failed adapters (a live
    // snapshot's, for a what-if). Later joins are stamped after the highest sequence number.
    ClusterModel(Topology topology, Membership membership, std::map<NodeId, NodeState> states,
                 std::map<NodeId, std::set<std::string>> failedAdapters);

    // The node starts and joins the group of each working interface, in interface order; a
    // failed or drained node comes back this way and goes to the end of every list.
    Status join(const NodeId &node);
    // A crash: the node drops out of every group at once.
    Status fail(const NodeId &node);
    // A graceful stop: for the views the same as a crash, but recorded as Down.
    Status leave(const NodeId &node);
    // Planned maintenance: the node leaves every group so that successors are elected, and
    // stays out until join() restores it.
    Status drain(const NodeId &node);
    Status failAdapter(const NodeId &node, const std::string &iface);
    Status restoreAdapter(const NodeId &node, const std::string &iface);

    const Topology &topology() const { return topology_; }
    const Membership &membership() const { return membership_; }
    Plan plan() const { return makePlan(topology_, membership_); }
    NodeState state(const NodeId &node) const;
    std::set<std::string> failedAdapters(const NodeId &node) const;
    std::uint64_t nextSeq() const { return nextSeq_; }

private:
    Status checkNode(const NodeId &node) const;
    void joinGroup(const GroupName &group, const NodeId &node);
    void leaveGroup(const GroupName &group, const NodeId &node);
    void dropEverywhere(const NodeId &node);
    void settleGlGroup();

    Topology topology_;
    Membership membership_;
    std::map<NodeId, NodeState> states_;
    std::map<NodeId, std::set<std::string>> failedAdapters_;
    std::uint64_t nextSeq_ = 1;
};

} // namespace dmr
