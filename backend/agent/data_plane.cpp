#include "data_plane.h"

#include <algorithm>

namespace dmr::agent {

namespace {
bool sameEnds(const Tunnel &a, const Tunnel &b)
{
    return a.root == b.root && a.leaf == b.leaf;
}
} // namespace

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
        switch (a.kind) {
        case Action::Kind::Route:
            routes_.push_back(a.route);
            break;
        case Action::Kind::Unroute:
            routes_.erase(std::remove(routes_.begin(), routes_.end(), a.route), routes_.end());
            break;
        case Action::Kind::OpenTunnel:
            tunnels_.push_back(a.tunnel);
            break;
        case Action::Kind::UpdateTunnel:
            for (Tunnel &t : tunnels_)
                if (sameEnds(t, a.tunnel))
                    t = a.tunnel;
            break;
        case Action::Kind::CloseTunnel:
            tunnels_.erase(std::remove_if(tunnels_.begin(), tunnels_.end(),
                                          [&](const Tunnel &t) { return sameEnds(t, a.tunnel); }),
                           tunnels_.end());
            break;
        }
        if (log_.size() == kLogEntriesMax)
            log_.pop_front();
        log_.push_back(Entry{clock_(), a});
    }
    return errors;
}

std::vector<Tunnel> RecordingDataPlane::openTunnels() const
{
    return tunnels_;
}

std::vector<Route> RecordingDataPlane::activeRoutes() const
{
    return routes_;
}

} // namespace dmr::agent
