#include "status_table.h"

#include <map>
#include <sstream>

namespace dmr::lab {

namespace {

std::string pad(std::string s, std::size_t width)
{
    if (s.size() > width)
        s = s.substr(0, width - 1) + "~";
    return s + std::string(width - s.size(), ' ');
}

} // namespace

std::string statusTable(const std::vector<AgentStatus> &agents, const std::string &mode,
                        const std::string &topologyName)
{
    std::ostringstream out;
    int up = 0;
    std::map<std::string, int> views;
    std::string systemLeader = "?";
    std::ostringstream rows;
    rows << pad("node", 8) << pad("role", 15) << pad("view", 8) << pad("leads", 34) << "tunnels\n";
    for (const auto &a : agents) {
        if (!a.state) {
            if (mode == "all" || mode == "leaders")
                rows << pad(a.id, 8) << pad(a.running ? "no answer" : "stopped", 15) << "\n";
            continue;
        }
        const reply::State &s = *a.state;
        ++up;
        ++views[s.viewId.empty() ? "?" : s.viewId];
        const std::string &role = s.role;
        if (role == "system-leader")
            systemLeader = a.id;
        if (mode == "leaders" && role != "system-leader" && role != "group-leader")
            continue;
        std::string leads;
        for (const auto &g : s.leads)
            leads += (leads.empty() ? "" : " ") + g;
        std::string tunnels;
        for (const auto &t : s.tunnels)
            tunnels += (tunnels.empty() ? "" : " ") + t.root.node + "-" + t.leaf.node;
        rows << pad(a.id, 8) << pad(role, 15) << pad(s.viewId.empty() ? "?" : s.viewId, 8)
             << pad(leads.empty() ? "-" : leads, 34) << (tunnels.empty() ? "-" : tunnels) << "\n";
    }
    out << "dmr-lab " << topologyName << ": " << up << "/" << agents.size()
        << " agents answering, system leader " << systemLeader << ", "
        << (views.size() == 1 ? "all in one view" : std::to_string(views.size()) + " views") << "\n"
        << rows.str();
    return out.str();
}

} // namespace dmr::lab
