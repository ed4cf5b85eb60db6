#include "data_plane.h"

namespace dmr::agent {

RecordingDataPlane::RecordingDataPlane(std::function<std::int64_t()> wallClockMs,
                                       std::unique_ptr<DataPlane> inner)
    : clock_(std::move(wallClockMs))
    , inner_(std::move(inner))
{
}

std::vector<std::string> RecordingDataPlane::apply(const std::vector<Action> &actions)
{
    std::vector<std::string> errors;
    if (inner_)
        errors = inner_->apply(actions);
    for (const Action &a : actions) {
        // What is open, as the node controller counts it (node::applyActions).
        node::applyActions(held_, {a});
        if (log_.size() == kLogEntriesMax)
            log_.pop_front();
        log_.push_back(Entry{clock_(), a});
    }
    return errors;
}

std::vector<Tunnel> RecordingDataPlane::openTunnels() const
{
    return held_.tunnels;
}

std::vector<Route> RecordingDataPlane::activeRoutes() const
{
    return held_.routes;
}

} // namespace dmr::agent
