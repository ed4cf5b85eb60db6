#pragma once
// The node controller: one node's own decisions, as a state machine without I/O, beside the
// membership protocol's (gms::Machine, dmr/membership.h). The agent (backend/agent/agent.cpp)
// feeds it what happens (a view installed, the interfaces changed, a peer's "applied", a drill,
// the clock) and carries out what it returns, in order, as it does for gms::Machine.
//
// It decides:
//   - the plan of every view, and this node's part of it: opens at once, closes held back
//     until every new routing point of the change said its part is up ("applied"), or after
//     handoverTimeoutMs (make-before-break);
//   - the failover history: who lost which role to whom, why, and the phases' raw times;
//   - drills: what each does to this node, its record, the end of a timed one, and whether a
//     drill forwarded by another agent may run (it must name this node; each drill id once);
//   - what this node tells the cluster of itself (its groups and its membership meta) and what
//     it learns of the others from theirs.
//
// Outputs come out of takeOutputs() in the order to carry them out. For a view: its events
// (view-changed, failover with its history record, plan-changed), then this node's opens, its
// "applied" to every other node of the view, the closes once nothing waits for them (otherwise
// later, out of applied() or tick()), the files to write, and the next deadline (WakeAt). For a
// kill drill: Halt before the batch that closes everything. A batch's opens always come before
// its closes, and a batch is carried out before the message that says it is done.

#include "dmr/agent_message.h"
#include "dmr/diff.h"
#include "dmr/failover.h"
#include "dmr/membership.h"
#include "dmr/plan.h"
#include "dmr/protocol.h"
#include "dmr/snapshot.h"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace dmr::node {

using Ms = std::int64_t;

// One failover as this node saw it: a node lost its roles (crash, silence, drain, adapter).
struct FailoverRecord
{
    std::uint64_t id = 0;
    NodeId node;
    FailoverCause cause = FailoverCause::Moved;
    std::vector<std::string> roles;           // "system-leader", "leader 10.0.1.0/24"
    std::map<std::string, NodeId> successors; // role -> who took it over ("" = nobody)
    std::string viewId;
    // The raw times, each on the clock named; phases() makes the record's phases of them.
    Ms decidedAtMs = 0;        // the deciding agent's: when it declared the node gone (0: none)
    Ms changedAtMs = 0;        // the node's: when it drained or lost the adapter (0: unknown)
    Ms electedAtMs = 0;        // the first agent known to have computed the new plan: this one, or
                               // a new routing point that said when it installed it
    Ms tunnelsUpAtMs = 0;      // the last new routing point's: when it reported its part up
    Ms silentMs = 0;           // how long the node had been silent when declared dead
    std::set<NodeId> awaiting; // routing points whose "applied" has not arrived yet
    std::int64_t rev = 0;      // the controller's revision when it was added or last changed

    FailoverPhases phases() const;
};

// What this node learnt of a peer from its membership meta.
struct PeerInfo
{
    std::optional<std::uint16_t> relayPort; // where its tunnels listen
    bool relayCarry = false;                // its relay speaks the carry handover
    std::optional<std::uint64_t> relayEpoch;
    std::vector<int> relayVersions; // the tunnel formats it speaks (relay::tunnelVersionsOf)
    std::string controlAddress;
    std::optional<Ms> changedAtMs; // when it last drained or lost or got back an adapter
};

// ---- Outputs ---------------------------------------------------------------------------------

// Carry these out through the data plane, in order.
struct DataPlaneBatch
{
    std::vector<Action> actions;
};
// Send to the agent at this membership address.
struct SendMessage
{
    std::string to;
    protocol::AgentMessage message;
};
// An event line for the control port's subscribers (protocol::encode*: view-changed,
// plan-changed, failover, drill).
struct PublishEvent
{
    Ms timeMs = 0;
    std::string line;
};
// A history record was added or changed (a copy; history() holds them all).
struct FailoverRecorded
{
    FailoverRecord record;
};
// A drill record was added or changed.
struct DrillRecorded
{
    protocol::DrillRecord record;
};
// This node's groups or meta changed: tell the membership (wantedGroups(), meta()) and the data
// plane (workingInterfaces()).
struct LocalChanged
{
};
// A kill drill: behave as a crashed process (membership halted, every connection dropped, the
// data plane halted); the batch that closes everything comes after it.
struct Halt
{
};
// The end of a kill drill: resume the data plane, start the membership again (a new
// incarnation, at the end of every list).
struct Resume
{
};
// The peers' relay ports, epochs or addresses may have changed (after a view): the data plane
// reads them again (peer()) and takes no segment traffic from these (address, port) pairs, the
// other relays' emissions.
struct PeersChanged
{
    std::set<std::pair<IpAddress, std::uint16_t>> relaySources;
};
// Drop the cluster transport's connection to a node the view left out.
struct ForgetPeer
{
    std::string address;
};
// This node's part of a plan was applied: rewrite the configured files (mrouted.conf,
// smcroute.conf) for it.
struct WriteFiles
{
    Plan plan;
};
// A plan change: the notify command's input (one JSON line).
struct NotifyChange
{
    std::string json;
};
// A line for the log; `cause` names what kind of event it reports (a failover's cause,
// "adapter", "drill", "rejoin"), empty for routine lines, so that a structured log can filter.
struct Log
{
    std::string text;
    std::string cause;
};
// Call tick() at this time (the earliest of the controller's deadlines).
struct WakeAt
{
    Ms atMs = 0;
};

using Output = std::variant<DataPlaneBatch, SendMessage, PublishEvent, FailoverRecorded,
                            DrillRecorded, LocalChanged, Halt, Resume, PeersChanged, ForgetPeer,
                            WriteFiles, NotifyChange, Log, WakeAt>;

// ---- The controller --------------------------------------------------------------------------

struct Config
{
    NodeId self;
    std::vector<Interface> interfaces; // in the configuration's (or the OS's) order
    std::string membershipAddress;     // where other agents reach this one (reply_to)
    std::string controlAddress;        // advertised in the meta
    // The relay data plane, when there is one: advertised in the meta.
    bool relay = false;
    std::uint16_t relayPort = 0;
    std::uint64_t relayEpoch = 0;
    bool notify = false; // emit NotifyChange for every plan change with actions
    Ms handoverTimeoutMs = 2000;
};

class Controller
{
public:
    static constexpr std::size_t kHistoryMax = 1000;
    static constexpr std::size_t kDrillsMax = 1000;
    static constexpr std::size_t kDrillIdsMax = 4096;
    static constexpr std::size_t kAppliedViewsMax = 32;

    explicit Controller(Config config);

    // ---- Inputs ----
    // The membership installed a view.
    void installView(Ms now, const gms::ClusterView &view);
    // The OS's interfaces as read now (OS-discovered interfaces only): one that vanished is a
    // failed adapter, one that came back a recovery, a new one is added at the end.
    void interfacesRead(Ms now, const std::vector<Interface> &found);
    // While the agent waits for a usable interface (what for, empty when not waiting): a kill
    // drill is refused then.
    void setWaitingFor(std::string what) { waitingFor_ = std::move(what); }
    // The relay's epoch changed (a new incarnation after a kill drill): the meta says so.
    void setRelayEpoch(std::uint64_t epoch) { config_.relayEpoch = epoch; }
    // A peer's message.
    void applied(Ms now, const protocol::AppliedMessage &message);
    void drillEnded(Ms now, const protocol::DrillEndedMessage &message);
    // A view's coordinator told this node its records of this node's failovers while it was
    // out of the view (its kill, crash or silence): kept in this node's history, each once (by
    // view), so a console reading this node shows what happened to it. Refused, and counted,
    // when they are of another node or from a node outside the view.
    void failoversTold(Ms now, const protocol::FailoversMessage &message);
    // A drill forwarded by another agent: it runs only if it names this node and its id has not
    // run here before. Answers the sender (SendMessage to replyTo) with the record or the error.
    void forwardedDrill(Ms now, const protocol::ForwardedDrillMessage &message);
    // A drill for this node, taken on its own control port: the error, or its record.
    std::variant<protocol::DrillRecord, std::string> drill(Ms now,
                                                           const protocol::DrillRequest &drill,
                                                           const protocol::DrillAuthor &author,
                                                           const NodeId &via = {});
    // The record of a drill this node forwarded, as its target answered: kept here too, and
    // announced to this node's subscribers at the target's time. Returns the copy.
    protocol::DrillRecord forwardedDrillRan(Ms now, const protocol::DrillRecord &targetRecord,
                                            const protocol::DrillRequest &drill,
                                            const protocol::DrillAuthor &author);
    // Time passes: pending closes past their deadline, timed drills that end.
    void tick(Ms now);

    std::vector<Output> takeOutputs();

    // ---- State ----
    const Config &config() const { return config_; }
    const gms::ClusterView &view() const { return view_; }
    const Plan &plan() const { return plan_; }
    // What this node's data plane holds: the batches given out so far, applied.
    const Plan &held() const { return held_; }
    const Topology &known() const { return known_; }
    const std::map<NodeId, NodeStatus> &knownStatus() const { return knownStatus_; }
    const std::map<NodeId, PeerInfo> &peers() const { return peers_; }
    const std::map<NodeId, std::string> &membershipAddresses() const { return membershipAddress_; }
    const std::deque<FailoverRecord> &history() const { return history_; }
    const std::deque<protocol::DrillRecord> &drills() const { return drills_; }
    Snapshot snapshot(const std::string &cluster, Ms now) const;

    const std::vector<Interface> &interfaces() const { return interfaces_; }
    const std::set<std::string> &failedAdapters() const { return failedAdapters_; }
    const std::set<std::string> &downAdapters() const { return osDownAdapters_; }
    bool drained() const { return drained_; }
    bool killed() const { return killed_; }
    bool handoverPending() const { return pending_.has_value(); }
    // The groups to be a member of, and the meta to publish with them.
    std::set<GroupName> wantedGroups() const;
    std::string meta() const;
    // The interfaces the data plane works on: none when killed; a drained node still has them.
    std::vector<Interface> workingInterfaces() const;

    std::int64_t lastRev() const { return nextRev_ - 1; }
    std::uint64_t failoversTotal() const { return nextFailoverId_ - 1; }
    std::uint64_t drillsTotal() const { return nextDrillId_ - 1; }
    std::uint64_t drillsRefused() const { return drillsRefused_; }
    std::uint64_t failoversToldRefused() const { return toldRefused_; }
    std::uint64_t viewsInstalled() const { return viewsInstalled_; }
    // Views that numbered this node anew while it ran on: it was taken out of the view alive (a
    // false suspicion, an expired etcd lease, the losing side of a partition's merge) and
    // joined again at the end of every list.
    std::uint64_t rejoins() const { return rejoins_; }

private:
    struct Applied
    {
        Ms atMs = 0;
        Ms installedMs = 0;
    };
    struct PendingCloses
    {
        std::vector<Action> actions;
        std::set<std::pair<std::string, NodeId>> waitingFor; // (view id, node)
        Ms deadlineMs = 0;
    };

    void emit(Output output) { outputs_.push_back(std::move(output)); }
    void log(std::string text, std::string cause = {})
    {
        emit(Log{std::move(text), std::move(cause)});
    }
    void dataPlane(std::vector<Action> actions);
    void learnPeers(const gms::ClusterView &view);
    void applyPlan(Ms now, const Plan &next, const std::vector<Action> &global,
                   const std::string &viewId);
    void flushPendingCloses(Ms now, bool force);
    void noteApplied(const NodeId &node, const std::string &viewId, Applied applied);
    void recordFailovers(Ms now, const Plan &before, const Plan &after,
                         const std::vector<Action> &global, const gms::ClusterView &view);
    std::string runDrill(Ms now, const protocol::DrillRequest &drill,
                         const protocol::DrillAuthor &author, const NodeId &via,
                         protocol::DrillRecord &record);
    void addDrill(protocol::DrillRecord record);
    void addFailover(FailoverRecord record);
    void tellRejoined(const gms::ClusterView &before, const gms::ClusterView &view);
    void keepTold(const protocol::FailoversMessage &message);
    void kill();
    void wake();

    Config config_;
    std::vector<Output> outputs_;

    std::vector<Interface> interfaces_;
    std::set<std::string> failedAdapters_;
    std::set<std::string> osDownAdapters_;
    bool drained_ = false;
    bool killed_ = false;
    std::string waitingFor_;
    Ms changedAtMs_ = 0;
    Ms installedAtMs_ = 0;
    // This node's join sequence in the last view that listed it (0: none since start or since a
    // kill drill).
    std::uint64_t selfSeq_ = 0;
    std::uint64_t rejoins_ = 0;

    gms::ClusterView view_;
    Plan plan_;
    Plan held_;
    Topology known_;
    std::map<NodeId, NodeStatus> knownStatus_;
    std::map<NodeId, PeerInfo> peers_;
    std::map<NodeId, std::string> metaSeen_;
    std::map<NodeId, std::string> membershipAddress_; // last known, also out of the view

    std::optional<PendingCloses> pending_;
    // "applied" words by view id: they can arrive before this node installs that view.
    std::map<std::string, std::map<NodeId, Applied>> appliedSeen_;

    std::deque<FailoverRecord> history_;
    std::deque<protocol::DrillRecord> drills_;
    std::map<std::uint64_t, Ms> restoreAt_; // timed drills: drill id -> when it ends
    std::set<std::string> drillIdsSeen_;
    std::deque<std::string> drillIdOrder_;
    std::int64_t nextRev_ = 1;
    std::uint64_t nextFailoverId_ = 1;
    std::uint64_t nextDrillId_ = 1;
    std::uint64_t drillsRefused_ = 0;
    std::uint64_t toldRefused_ = 0;
    // The nodes out of the view since this node installed one without them: the first revision
    // of this node's records of that time (what it tells them when they come back).
    std::map<NodeId, std::int64_t> absentSinceRev_;
    static constexpr std::size_t kToldPendingMax = 4;
    std::map<NodeId, protocol::FailoversMessage> toldPending_; // by sender, until its view
    std::uint64_t viewsInstalled_ = 0;
};

// Carries data-plane actions out on a plan that holds what is open (what a recording data plane
// does): routes and tunnels added, updated, removed.
void applyActions(Plan &held, const std::vector<Action> &actions);

} // namespace dmr::node
