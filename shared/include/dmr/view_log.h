#pragma once
// The cluster's recent views as one agent installed them, for replaying its plan changes
// (get-views, backend/PROTOCOL.md): a base snapshot, then one delta per view saying only what
// changed (group views, node states, nodes). Applying the deltas to the base in order gives the
// snapshot of every view, plan included: the plan is the core's, computed from the membership,
// exactly as the agents compute it. Bounded: at most entriesMax deltas, none older than keepMs;
// the oldest folds into the base as it goes.

#include "dmr/result.h"
#include "dmr/snapshot.h"

#include <deque>
#include <string_view>

namespace dmr {

// What changed from one view to the next.
struct ViewDelta
{
    std::int64_t rev = 0;    // its place in the log that holds it, from 1
    std::string viewId;      // "2.0"
    std::int64_t timeMs = 0; // when the agent installed it (its clock)
    // The network groups and the GL_group whose view changed, as they are now; an emptied
    // group has no members.
    std::vector<View> groups;
    std::map<NodeId, NodeStatus> status; // nodes whose state or failed adapters changed
    std::vector<Node> nodes;             // nodes that are new or whose interfaces changed
    bool operator==(const ViewDelta &) const = default;
};

// The delta that turns `before` into `after` (rev, viewId and timeMs are the caller's).
ViewDelta diffSnapshots(const Snapshot &before, const Snapshot &after);
// `before` with the delta applied: membership, states and nodes, then the plan made anew from
// them (dmr::makePlan); the snapshot's time is the delta's.
Snapshot applyDelta(const Snapshot &before, const ViewDelta &delta);

// {"rev":3,"view_id":"2.0","time_ms":T,"groups":[{"name":..,"members":[{"node":..,"seq":..}]}],
//  "status":[{"id":..,"state":..,"failed_adapters":[..]}],"nodes":[{"id":..,"interfaces":[..]}]}
// on one line; parse(render(d)) == d. Unknown fields are refused, naming the path.
std::string toJson(const ViewDelta &delta);
Result<ViewDelta> parseViewDelta(std::string_view json);

class ViewLog
{
public:
    static constexpr std::size_t kEntriesMax = 512;
    static constexpr std::int64_t kKeepMs = 60 * 60 * 1000; // an hour

    explicit ViewLog(std::size_t entriesMax = kEntriesMax, std::int64_t keepMs = kKeepMs);

    // A view the agent installed, with the snapshot it shows. The first one becomes the base.
    void record(const Snapshot &snapshot, const std::string &viewId, std::int64_t nowMs);

    bool empty() const { return !hasBase_; }
    const Snapshot &base() const { return base_; }
    const std::string &baseViewId() const { return baseViewId_; }
    std::int64_t baseRev() const { return baseRev_; } // the rev folded into the base last (0: none)
    const std::deque<ViewDelta> &deltas() const { return deltas_; }
    std::int64_t lastRev() const { return nextRev_ - 1; }

private:
    void trim(std::int64_t nowMs);

    std::size_t entriesMax_;
    std::int64_t keepMs_;
    bool hasBase_ = false;
    Snapshot base_;
    std::string baseViewId_;
    std::int64_t baseRev_ = 0;
    Snapshot last_; // the newest view's snapshot, to diff the next one against
    std::deque<ViewDelta> deltas_;
    std::int64_t nextRev_ = 1;
};

} // namespace dmr
