#pragma once
// The data plane seam: the agent hands it its own part of every plan change, opens first.
// The recording data plane keeps what is open and a timed log of what it did, and hands every
// action on to the real one when there is one (RelayDataPlane, relay_data_plane.h).

#include "dmr/diff.h"
#include "dmr/node.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace dmr::agent {

class DataPlane
{
public:
    virtual ~DataPlane() = default;
    // Carries out the actions in order. Returns an error text per action that failed.
    virtual std::vector<std::string> apply(const std::vector<Action> &actions) = 0;
    virtual std::vector<Tunnel> openTunnels() const = 0;
    virtual std::vector<Route> activeRoutes() const = 0;
};

class RecordingDataPlane final : public DataPlane
{
public:
    struct Entry
    {
        std::int64_t timeMs; // wall clock, milliseconds since the epoch
        Action action;
    };
    static constexpr std::size_t kLogEntriesMax = 1024;

    // inner: the data plane that carries the actions out (none: only recorded).
    explicit RecordingDataPlane(std::function<std::int64_t()> wallClockMs,
                                std::unique_ptr<DataPlane> inner = nullptr);

    std::vector<std::string> apply(const std::vector<Action> &actions) override;
    std::vector<Tunnel> openTunnels() const override;
    std::vector<Route> activeRoutes() const override;
    const std::deque<Entry> &log() const { return log_; }

private:
    std::function<std::int64_t()> clock_;
    std::unique_ptr<DataPlane> inner_;
    Plan held_; // what is open: routes and tunnels
    std::deque<Entry> log_;
};

} // namespace dmr::agent
