#pragma once
// dmr-lab's live status table: one row per agent (its role, view, the networks it leads, its
// tunnels as root-leaf), under a line saying how many answer, who is the system leader and
// whether they all hold one view. Pure: the caller asks the agents and hands over what they said.
//
//   dmr-lab fig5: 6/6 agents answering, system leader 2, all in one view
//   node    role           view    leads                             tunnels
//   2       system-leader  1.6     10.0.1.0/24                       2-6 2-4

#include "dmr/replies.h"

#include <optional>
#include <string>
#include <vector>

namespace dmr::lab {

struct AgentStatus
{
    std::string id;
    bool running = false;              // the lab's child is alive
    std::optional<reply::State> state; // its get-state; nullopt: no answer
};

// mode: "all" (every agent, those that do not answer too), "leaders" (the system leader and the
// group leaders, and those that do not answer).
std::string statusTable(const std::vector<AgentStatus> &agents, const std::string &mode,
                        const std::string &topologyName);

} // namespace dmr::lab
