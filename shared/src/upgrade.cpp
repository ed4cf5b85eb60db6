#include "dmr/upgrade.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <sstream>
#include <tuple>

namespace dmr {

namespace {

NodeId leaderOf(const Election &e, const GroupName &group)
{
    const auto it = e.groupLeaders.find(group);
    return it == e.groupLeaders.end() ? NodeId{} : it->second;
}

// What changed from one election to the next: the system leader first, then each network in
// group order.
std::vector<LeaderMove> movesBetween(const Election &before, const Election &after)
{
    std::vector<LeaderMove> out;
    const NodeId slBefore = before.systemLeader.value_or(NodeId{});
    const NodeId slAfter = after.systemLeader.value_or(NodeId{});
    if (slBefore != slAfter)
        out.push_back({kGlGroup, slBefore, slAfter});
    std::set<GroupName> groups;
    for (const auto &[g, leader] : before.groupLeaders)
        groups.insert(g);
    for (const auto &[g, leader] : after.groupLeaders)
        groups.insert(g);
    for (const auto &g : groups) {
        const NodeId from = leaderOf(before, g);
        const NodeId to = leaderOf(after, g);
        if (from != to)
            out.push_back({g, from, to});
    }
    return out;
}

struct Cost
{
    int ontoOld = 0;
    int systemLeader = 0;
    int moves = 0;
    auto key() const { return std::tuple(ontoOld, systemLeader, moves); }
};

Cost costOf(const std::vector<LeaderMove> &moves, const std::vector<NodeId> &pending,
            const NodeId &node)
{
    Cost c;
    for (const auto &m : moves) {
        if (m.group == kGlGroup)
            c.systemLeader += 1;
        else
            c.moves += 1;
        if (!m.to.empty() && m.to != node &&
            std::find(pending.begin(), pending.end(), m.to) != pending.end())
            c.ontoOld += 1;
    }
    return c;
}

// Drains the node and starts it again (it rejoins at the end of every list); the moves of both.
std::vector<LeaderMove> drainAndRejoin(ClusterModel &model, const NodeId &node)
{
    const Election before = model.plan().election;
    (void)model.drain(node); // the node is up: it was taken from the up nodes
    const Election drained = model.plan().election;
    (void)model.join(node);
    const Election after = model.plan().election;
    auto moves = movesBetween(before, drained);
    for (auto &m : movesBetween(drained, after))
        moves.push_back(std::move(m));
    return moves;
}

} // namespace

UpgradePlan planUpgrade(const ClusterModel &model)
{
    UpgradePlan plan;
    std::vector<NodeId> pending;
    for (const auto &[id, node] : model.topology()) {
        if (model.state(id) == NodeState::Up)
            pending.push_back(id);
        else
            plan.notUp.push_back(id);
    }
    std::sort(pending.begin(), pending.end(), naturalLess);
    std::sort(plan.notUp.begin(), plan.notUp.end(), naturalLess);

    ClusterModel m = model;
    while (!pending.empty()) {
        const Election now = m.plan().election;
        auto chosen = std::find_if(pending.begin(), pending.end(),
                                   [&](const NodeId &id) { return !now.leads(id); });
        if (chosen == pending.end()) {
            // Only leaders are left: try each on a copy of the model.
            std::optional<std::tuple<int, int, int>> best;
            for (auto it = pending.begin(); it != pending.end(); ++it) {
                ClusterModel trial = m;
                const auto key = costOf(drainAndRejoin(trial, *it), pending, *it).key();
                if (!best || key < *best) {
                    best = key;
                    chosen = it;
                }
            }
        }
        const NodeId node = *chosen;
        const auto moves = drainAndRejoin(m, node);
        const Cost cost = costOf(moves, pending, node);
        plan.systemLeaderMoves += cost.systemLeader;
        plan.leaderMoves += cost.moves;
        plan.movesOntoOldNodes += cost.ontoOld;
        plan.steps.push_back({node, moves});
        pending.erase(chosen);
    }
    return plan;
}

std::string renderUpgradePlanText(const UpgradePlan &plan)
{
    std::ostringstream out;
    std::size_t width = 4;
    for (const auto &s : plan.steps)
        width = std::max(width, s.node.size());
    const auto pad = [](const std::string &text, std::size_t w) {
        return text + std::string(w > text.size() ? w - text.size() : 0, ' ');
    };
    const auto name = [](const NodeId &id) { return id.empty() ? std::string("nobody") : id; };
    out << "step  " << pad("node", width) << "  draining it moves\n";
    int n = 0;
    for (const auto &s : plan.steps) {
        out << pad(std::to_string(++n), 4) << "  " << pad(s.node, width) << "  ";
        if (s.moves.empty())
            out << "nothing";
        for (std::size_t i = 0; i < s.moves.size(); ++i) {
            const auto &mv = s.moves[i];
            out << (i == 0 ? "" : "; ")
                << (mv.group == kGlGroup ? std::string("system leader") : "network " + mv.group)
                << ": " << name(mv.from) << " -> " << name(mv.to);
        }
        out << "\n";
    }
    out << "system leader moves " << plan.systemLeaderMoves << ", network leader moves "
        << plan.leaderMoves << ", of them onto nodes not yet upgraded " << plan.movesOntoOldNodes
        << "\n";
    if (!plan.notUp.empty()) {
        out << "not up (they hold no role: upgrade them any time):";
        for (const auto &id : plan.notUp)
            out << " " << id;
        out << "\n";
    }
    return out.str();
}

std::string renderUpgradePlanJson(const UpgradePlan &plan)
{
    nlohmann::ordered_json j;
    j["steps"] = nlohmann::ordered_json::array();
    for (const auto &s : plan.steps) {
        nlohmann::ordered_json step;
        step["node"] = s.node;
        step["moves"] = nlohmann::ordered_json::array();
        for (const auto &mv : s.moves) {
            nlohmann::ordered_json move;
            move["group"] = mv.group;
            move["from"] =
                mv.from.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(mv.from);
            move["to"] = mv.to.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(mv.to);
            step["moves"].push_back(move);
        }
        j["steps"].push_back(step);
    }
    j["not_up"] = plan.notUp;
    j["system_leader_moves"] = plan.systemLeaderMoves;
    j["leader_moves"] = plan.leaderMoves;
    j["moves_onto_old_nodes"] = plan.movesOntoOldNodes;
    return j.dump(2) + "\n";
}

} // namespace dmr
