#pragma once
// The embedded membership protocol run for real (one gms::Machine per node) over a simulated
// network, for the scenario files' "protocol" mode. Simulated milliseconds, 1 ms one way, every
// message through the wire form; a crashed node's connections close (its peers hear so at once,
// as the agent's transport tells them), and so does a connection to a node that is not running
// (refused); a cut drops whatever crosses it, with no notice. Deterministic: nothing here reads
// a clock or draws a random number.
//
// Every change (join, fail, leave, cut, heal) runs until the cluster has settled: every side of
// the cut (the whole cluster when there is none) agrees on one view that lists exactly its live
// nodes, and has held it for kQuietMs. It has kSettleMsMax to get there.

#include "dmr/membership.h"
#include "dmr/model.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dmr::gms {

class SimulatedCluster
{
public:
    static constexpr Ms kLatencyMs = 1;
    static constexpr Ms kQuietMs = 1000;
    static constexpr Ms kSettleMsMax = 60000;

    // Every node of the topology is declared (none running); each wants the groups of all its
    // interfaces and has every other node's address as a seed, as the lab configures them.
    explicit SimulatedCluster(const Topology &topology);

    // Each returns an empty string, or why it could not (unknown node, not running, did not
    // settle: with every node's role and view).
    std::string join(const NodeId &id);  // starts it (a new incarnation)
    std::string fail(const NodeId &id);  // kill -9
    std::string leave(const NodeId &id); // a graceful stop
    // Splits the nodes into sides that cannot reach each other; every node on exactly one side.
    std::string cut(const std::vector<std::set<NodeId>> &sides);
    std::string heal();
    void wait(Ms ms); // time passes; no settling

    struct HeldView
    {
        std::vector<NodeId> holders; // live nodes holding this view, in natural order
        ClusterView view;
    };
    // The distinct views the running nodes hold (the joining ones hold none), ordered by their
    // first holder.
    std::vector<HeldView> views() const;

private:
    struct Packet
    {
        Ms at = 0;
        NodeId from;
        NodeId to;
        std::optional<Envelope> message; // none: the connection from `from` closed
    };

    bool running(const NodeId &id) const;
    bool cutBetween(const NodeId &a, const NodeId &b) const;
    void step();
    void drain(const NodeId &id);
    void closeConnections(const NodeId &id);
    std::string settle(const std::string &what);
    bool settled(std::vector<ViewId> &ids) const;
    std::string describe() const;
    std::string checkNode(const NodeId &id) const;

    Topology topology_;
    Ms now_ = 0;
    std::uint64_t incarnations_ = 0;
    std::map<NodeId, std::unique_ptr<Machine>> machines_; // started at least once
    std::set<NodeId> down_;                               // failed or left
    std::map<NodeId, std::set<NodeId>> peers_;            // open connections, both ways
    std::map<NodeId, ClusterView> lastView_;
    std::vector<std::set<NodeId>> sides_; // empty: no cut
    std::deque<Packet> pending_;
    std::string fault_; // a message that did not survive the wire form
};

} // namespace dmr::gms
