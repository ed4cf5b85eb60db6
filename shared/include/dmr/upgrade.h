#pragma once
// The order in which to upgrade a running cluster one node at a time: drain it, stop its agent,
// install the new version, start it (it comes back at the end of every list), wait until it is
// in the view again, then the next. Draining a leader moves its roles; the order is chosen so
// that the system leader moves once (the system leader goes last, when its successor is already
// upgraded) and each network's leadership moves only onto nodes already upgraded, so it never
// moves twice because of the upgrade where the topology allows. Pure: a cluster model in, the
// steps out, with what each step moves, as the reference model (dmr/cluster.h) elects.
//
// Example (Fig. 5 in its join order 2 6 4 1 3 5): 1, 3, 5 lead nothing and go first; then 4
// (C moves to 1, already upgraded), 6 (B moves to 5), and the system leader 2 last (A moves to
// 1, and so does the system leader): one system leader move, three network leader moves.

#include "dmr/cluster.h"

namespace dmr {

struct LeaderMove
{
    GroupName group; // a network, or kGlGroup for the system leader
    NodeId from;     // empty: it had no leader
    NodeId to;       // empty: nobody is left to lead it
    bool operator==(const LeaderMove &) const = default;
};

struct UpgradeStep
{
    NodeId node;
    std::vector<LeaderMove> moves; // what draining it (and its rejoin) moves, system leader first
    bool operator==(const UpgradeStep &) const = default;
};

struct UpgradePlan
{
    std::vector<UpgradeStep> steps; // every node that is up, in the order to upgrade them
    std::vector<NodeId> notUp;      // down, failed or drained: no role; upgrade them any time
    int systemLeaderMoves = 0;      // over the whole upgrade
    int leaderMoves = 0;            // network leader moves over the whole upgrade
    int movesOntoOldNodes = 0;      // moves onto a node not yet upgraded (it will move again)
    bool operator==(const UpgradePlan &) const = default;
};

// Greedy on the reference model: at each step, of the nodes not yet upgraded, the one whose
// drain moves nothing onto a node not yet upgraded, then does not move the system leader, then
// moves the fewest leaderships; ties go to the node that leads nothing, then in natural id order.
// A node that leads nothing is taken without simulating it, so the cost is one simulation per
// leader per step, not per node.
UpgradePlan planUpgrade(const ClusterModel &model);

// A table for people: one line per step with what it moves, and the totals.
std::string renderUpgradePlanText(const UpgradePlan &plan);
// {"steps":[{"node":"1","moves":[{"group":"...","from":"2","to":"1"}]}],"not_up":[...],
//  "system_leader_moves":1,"leader_moves":3,"moves_onto_old_nodes":0}
std::string renderUpgradePlanJson(const UpgradePlan &plan);

} // namespace dmr
