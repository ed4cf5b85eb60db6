#pragma once
// The difference between two plans as an ordered list of actions. Every opening action comes
// before every closing one, so a handover is make-before-break.

#include "dmr/plan.h"

#include <string>
#include <vector>

namespace dmr {

struct Action
{
    enum class Kind : std::uint8_t {
        Route,        // start routing a network on an interface
        OpenTunnel,   // a new tunnel
        UpdateTunnel, // same ends, different networks carried
        CloseTunnel,
        Unroute,
    };
    Kind kind = Kind::Route;
    Route route;   // Route, Unroute
    Tunnel tunnel; // OpenTunnel, UpdateTunnel (the new one), CloseTunnel
    bool operator==(const Action &) const = default;

    bool opens() const { return kind <= Kind::UpdateTunnel; }
    bool concerns(const NodeId &node) const;
    std::string toString() const;
};

std::string_view toString(Action::Kind kind);

std::vector<Action> diffPlans(const Plan &from, const Plan &to);

// Only the actions a node carries out itself.
std::vector<Action> actionsFor(const std::vector<Action> &actions, const NodeId &node);

} // namespace dmr
