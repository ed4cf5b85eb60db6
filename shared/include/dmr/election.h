#pragma once
// Election: the first member of each network group leads it; leaders join the
// GL_group, whose first member is the system leader. A pure function of the views.

#include "dmr/model.h"

namespace dmr {

struct Election
{
    std::map<GroupName, NodeId> groupLeaders; // network group -> its leader
    // The GL_group as it stands once every current leader is in it: the members of the GL view
    // that still lead a network, in GL join order, then leaders whose GL join is still pending.
    std::vector<NodeId> glOrder;
    std::optional<NodeId> systemLeader; // glOrder.front()

    bool leads(const NodeId &node) const;
    std::vector<GroupName> groupsLedBy(const NodeId &node) const; // in group order
    bool operator==(const Election &) const = default;
};

Election elect(const Membership &membership);

// What the GL_group's membership must do to match the election: leaders not yet in it join
// (in this order), members that no longer lead any network leave.
struct GlChanges
{
    std::vector<NodeId> join;
    std::vector<NodeId> leave;
    bool empty() const { return join.empty() && leave.empty(); }
};

GlChanges glChanges(const Membership &membership);

} // namespace dmr
