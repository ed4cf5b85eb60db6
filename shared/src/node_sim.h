#pragma once
// Whole nodes in simulated time, for the scenario files' "agents" mode: per node a membership
// protocol (gms::Machine) and a node controller (dmr/node.h) wired as dmr-agent wires them, on
// a simulated network (1 ms one way; every message through its wire form). A node's data plane
// is a log of the batches it carried out; its "applied" words can be held back and released, to
// show what waits for them. Deterministic: no clock, no random number.
//
// Every change (join, fail, leave, a drill) runs until the cluster has settled: every running
// node holds one view that lists exactly the nodes in it, for kQuietMs, with no agent message in
// flight (held ones aside). kSettleMsMax bounds it.

#include "dmr/membership.h"
#include "dmr/model.h"
#include "dmr/node.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace dmr::sim {

class SimulatedNodes
{
public:
    static constexpr gms::Ms kLatencyMs = 1;
    static constexpr gms::Ms kQuietMs = 1000;
    static constexpr gms::Ms kSettleMsMax = 60000;

    explicit SimulatedNodes(const Topology &topology);

    // Each returns an empty string, or why it could not.
    std::string join(const NodeId &id);  // starts the process (a new controller and incarnation)
    std::string fail(const NodeId &id);  // kill -9 of the process
    std::string leave(const NodeId &id); // a graceful stop
    // A drill on the node's own control port ("drain", "restore", "kill", "fail-adapter IFACE").
    std::string drill(const NodeId &id, protocol::DrillAction action, const std::string &iface);
    // Holds the node's "applied" words from now on / delivers the held ones and stops holding.
    std::string hold(const NodeId &id);
    std::string release(const NodeId &id);
    void wait(gms::Ms ms); // time passes; nothing settles

    gms::Ms now() const { return now_; }
    // What happened since the last call: each data-plane action carried out and each "applied"
    // said, "ID: text", in order.
    std::vector<std::string> takeLog();
    const node::Controller *controller(const NodeId &id) const;
    // The running controllers (not killed), in natural order.
    std::vector<NodeId> running() const;

private:
    struct Process
    {
        std::unique_ptr<node::Controller> controller;
        std::unique_ptr<gms::Machine> machine; // null while killed by a drill
        bool holdApplied = false;
        std::vector<protocol::AgentMessage> held;
        std::vector<std::string> heldTo;
    };
    struct Packet
    {
        gms::Ms at = 0;
        NodeId from;
        NodeId to;
        // A membership message, an agent message's line, or nothing: `from`'s connection closed.
        std::variant<std::monostate, gms::Envelope, std::string> body;
    };

    bool up(const NodeId &id) const; // its process runs and its membership is not halted
    std::string check(const NodeId &id) const;
    void startMachine(const NodeId &id);
    void closeConnections(const NodeId &id);
    void sendAgent(const NodeId &from, const std::string &to, const protocol::AgentMessage &m);
    void step();
    void drainMachine(const NodeId &id);
    void drainController(const NodeId &id);
    std::string settle(const std::string &what);
    bool settled(gms::ViewId &agreedId) const;

    Topology topology_;
    gms::Ms now_ = 0;
    std::uint64_t incarnations_ = 0;
    std::map<NodeId, Process> processes_;
    std::map<NodeId, std::set<NodeId>> peers_;
    std::deque<Packet> pending_;
    std::vector<std::string> log_;
    std::string fault_;
};

} // namespace dmr::sim
