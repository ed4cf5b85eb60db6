#pragma once
// dmrctl's tables: the agent's results as text for people, from the typed replies (dmr/replies.h,
// read by the caller). Pure functions; a field the agent leaves out or sends as null prints as
// "-".

#include "client.h"

#include "dmr/replies.h"
#include "dmr/snapshot.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dmrctl {

// Columns padded to their widest cell, two spaces apart, no trailing blanks.
class Table
{
public:
    explicit Table(std::vector<std::string> headers);
    void add(std::vector<std::string> row);
    bool empty() const { return rows_.empty(); }
    std::string render() const; // one line per row, each ending in "\n"

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// Milliseconds since the Unix epoch in local time: "2024-05-01 12:34:56.789" (withMs) or
// without the milliseconds.
std::string formatTime(std::int64_t ms, bool withMs = true);

// get-state: one "key  value" row per item; routes and tunnels one per line.
std::string formatStatus(const dmr::reply::State &state);
// get-cluster: nodes, groups with their members in join order, tunnels.
std::string formatCluster(const dmr::reply::Cluster &cluster);
// get-history: one row per failover.
std::string formatHistory(const dmr::reply::History &history);
// get-drills: one row per drill.
std::string formatDrills(const dmr::reply::Drills &drills);
// get-state's "relay": the tunnels with their state and counters, the channels, the drops.
std::string formatTunnels(const dmr::reply::RelayState &state);
// `dmrctl listeners`: what one node's get-state said, or why it could not be asked.
struct ListenerAnswer
{
    std::optional<dmr::reply::RelayState> state;
    std::string why; // when state is empty: "no answer: ...", "bad reply: ..."
};
// Who can tell a network's listeners, best first: its routing point, then the other members in
// join order (every node on a network snoops the same reports).
std::vector<dmr::NodeId> listenerSources(const dmr::Snapshot &snapshot,
                                         const dmr::GroupName &network);
// Each network's wanted groups with their ages, as the first node of listenerSources that
// answered sees them, then what each tunnel carries (its sending end's peer_wants) and how much
// it pruned. What an older agent leaves out is "unknown".
std::string formatListeners(const dmr::Snapshot &snapshot,
                            const std::map<dmr::NodeId, ListenerAnswer> &answers);
// "1.2 s", "4 min 10 s", "2 h 5 min": an age or a time left, in milliseconds.
std::string formatDuration(std::int64_t ms);

// get-reachability: the matrix (rows: who hears, columns: whom), then the loss and last-seen of
// every cell that is not fine.
std::string formatReachability(const dmr::reply::Reachability &reachability);
// A drill's reply: what was started, where.
std::string formatDrillReply(const dmr::reply::Drill &record, const std::string &agent);
// One event line: time, kind, summary; ends in "\n".
std::string formatEvent(const dmr::reply::Event &event);

} // namespace dmrctl
