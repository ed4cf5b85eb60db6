#pragma once
// dmr-agent: one per node. It joins the membership group of each working interface's network,
// follows the views the membership protocol installs, recomputes the whole plan from every view
// with the core, applies its own part through the data plane, keeps the failover history and
// the drill record, and serves all of it on the control port.

#include "asio.h"
#include "config.h"
#include "control_server.h"
#include "data_plane.h"
#include "etcd_client.h"
#include "journal.h"
#include "membership_service.h"
#include "metrics_server.h"
#include "os_interfaces.h"
#include "relay_data_plane.h"
#include "transport.h"

#include "dmr/membership.h"
#include "dmr/plan.h"
#include "dmr/snapshot.h"
#include "dmr/view_log.h"

#include <deque>

#include <nlohmann/json_fwd.hpp>
#include <optional>

namespace dmr::agent {

// One failover as this agent saw it: a node lost its roles (crash, silence, drain, adapter).
struct FailoverRecord
{
    std::uint64_t id = 0;
    NodeId node;
    std::string cause;                        // connection-lost, silent, left, drain, adapter
    std::vector<std::string> roles;           // "system-leader", "leader 10.0.1.0/24"
    std::map<std::string, NodeId> successors; // role -> who took it over ("" = nobody)
    std::string viewId;
    // The raw times, each on the clock named; failoverPhases (dmr/failover.h) makes the record's
    // phases of them.
    std::int64_t decidedAtMs = 0;   // the deciding agent's: when it declared the node gone (0: no
                                    // departure)
    std::int64_t changedAtMs = 0;   // the node's: when it drained or lost the adapter (0: unknown)
    std::int64_t electedAtMs = 0;   // the first agent known to have computed the new plan: this
                                    // one, or a new routing point that said when it installed it
    std::int64_t tunnelsUpAtMs = 0; // the last new routing point's: when it reported its part up
    std::int64_t silentMs = 0;      // how long the node had been silent when declared dead
    std::set<NodeId> awaiting;      // routing points whose "applied" has not arrived yet
    std::int64_t rev = 0;           // the agent's revision when it was added or last changed
};

// Who asked for a drill, for its record: the hello's client name, the session's role and what
// granted it (PROTOCOL.md, get-drills).
struct DrillAuthor
{
    std::string client;   // "dmrctl 0.1.0"
    std::string role;     // "operator"; "agent" for the agent's own restore timer
    std::string identity; // "token", a client certificate's subject, "timer"
};

struct DrillRecord
{
    std::uint64_t id = 0;
    std::string action; // kill, fail-adapter, drain, restore
    NodeId node;
    std::string iface;
    std::string reason;
    std::optional<std::int64_t> durationMs;
    std::string client;   // who asked
    std::string role;     // the role of the session that asked
    std::string identity; // what granted it
    std::string via;      // the agent that took the request, when forwarded
    std::int64_t startedMs = 0;
    std::int64_t endedMs = 0; // 0 while in force
    std::int64_t rev = 0;     // the agent's revision when it was added or last changed
};

class Agent
{
public:
    static constexpr std::size_t kHistoryMax = 1000;
    static constexpr std::size_t kDrillsMax = 1000;
    // The events kept for subscribers that come back (subscribe "since"), by count and bytes.
    static constexpr std::size_t kEventsKeptMax = 1024;
    static constexpr std::size_t kEventBytesKeptMax = 1024 * 1024;
    static constexpr gms::Ms kHandoverTimeoutMs = 2000; // closes wait this long for successors

    Agent(asio::io_context &io, AgentConfig config, std::string version);
    ~Agent();

    // Reads the interfaces, binds every port, joins. An error names what failed.
    Result<std::monostate> start();
    // SIGTERM: leave every group so that successors take over at once; `stopped` runs once the
    // goodbye is out (or could not be said), and the caller then stops the loop.
    void shutdown(std::function<void()> stopped);

    const AgentConfig &config() const { return config_; }

private:
    // A new routing point's word that its part of a view is up.
    struct Applied
    {
        std::int64_t atMs = 0;        // its clock: when its part was up
        std::int64_t installedMs = 0; // its clock: when it installed the view (0: it did not say)
    };

    // Clocks: a monotonic clock anchored to the wall clock at start, so that agents on one
    // machine agree and durations never jump.
    std::int64_t nowMs() const;

    // Membership.
    void startMembership();
    void onPeerPayload(std::string payload);
    void onAgentMessage(const nlohmann::json &message);
    // A drill another agent forwarded: the error to answer with, or empty when it ran (then
    // result["record"] is set).
    std::string acceptForwardedDrill(const nlohmann::json &message, nlohmann::json &result);
    void onPeerLost(const std::string &address);
    void onDegraded(bool degraded, const std::string &why);
    awaitable<void> tickLoop();
    void installed(const gms::ClusterView &view);

    // Local state.
    std::set<GroupName> wantedGroups() const;
    std::string meta() const;
    void publishLocalChange();

    // Plans.
    Topology topologyOf(const gms::ClusterView &view);
    void applyPlan(const Plan &plan, const std::vector<Action> &global, const std::string &viewId);
    void flushPendingCloses(bool force);
    void recordFailovers(const Plan &before, const Plan &after, const std::vector<Action> &global,
                         const gms::ClusterView &view);
    void onApplied(const NodeId &node, const std::string &viewId, Applied applied);
    void writeOutputs(const Plan &plan, const std::vector<Action> &mine);

    // Drills.
    std::string runDrill(const protocol::DrillRequest &drill, const DrillAuthor &author,
                         const std::string &via, DrillRecord &record);
    void kill();
    void revive();
    void scheduleRestore(std::uint64_t drillId, std::int64_t durationMs);

    // Control.
    void handle(const protocol::Request &request, const ControlSession &session,
                ControlServer::Reply reply);
    void forwardDrill(const protocol::Request &request, const DrillAuthor &author,
                      ControlServer::Reply reply);
    void onDrillResult(const nlohmann::json &message);
    std::string drillRecordJson(const DrillRecord &record) const;
    std::string roleName() const;
    std::string stateJson() const;
    nlohmann::json coordinatorJson() const; // the embedded protocol's; null on etcd
    std::string clusterJson() const;
    std::string historyJson(const protocol::Cursor &cursor) const;
    std::string viewsJson(const protocol::Cursor &cursor) const;
    // The events: numbered, kept (the last kEventsKeptMax), and sent to every subscriber.
    void publish(const std::string &eventLine, std::int64_t timeMs);
    // A subscribe: the reply's result, and the kept events it asks to see again.
    std::pair<std::string, std::vector<std::string>> replay(const protocol::Cursor &cursor) const;
    // A revision counts within this process only: one from another (`instance` differs) is 0.
    std::int64_t sinceOf(const protocol::Cursor &cursor) const;
    void onDrillEnded(const nlohmann::json &message);
    std::string metricsText() const;
    std::string drillsJson(const protocol::Cursor &cursor) const;
    Snapshot snapshot() const;
    // A log line with this node, the current view and (for failovers, adapter failures,
    // drills, rejoins) its cause as fields: journald's under systemd, plain text otherwise.
    void log(const std::string &line, std::string_view cause = {}) const;

    asio::io_context &io_;
    AgentConfig config_;
    std::string version_;
    std::chrono::steady_clock::time_point steady0_;
    std::int64_t wall0Us_ = 0; // the wall clock at start, microseconds since the epoch

    std::vector<Interface> interfaces_;
    std::set<std::string> failedAdapters_;
    bool drained_ = false;
    bool killed_ = false;
    std::int64_t changedAtMs_ = 0; // when this node last drained, failed or got back an adapter
    std::map<NodeId, std::int64_t> knownChanged_; // the same of every node, from their metas
    std::int64_t installedAtMs_ = 0;              // when this agent installed its current view
    std::uint64_t incarnation_ = 0;

    // The membership backend (membership.backend): embedded or etcd. A kill drill halts it and
    // a restore makes a new one (a new incarnation, at the end of every list).
    std::shared_ptr<MembershipService> membership_;
    std::shared_ptr<EtcdCounters> etcdCounters_ = std::make_shared<EtcdCounters>();
    bool degraded_ = false; // the backend cannot reach its service: last view and plan kept
    std::uint64_t degradedTotal_ = 0;
    std::unique_ptr<PeerTransport> transport_;
    std::unique_ptr<ControlServer> control_;
    std::unique_ptr<RecordingDataPlane> dataPlane_;
    RelayDataPlane *relay_ = nullptr; // owned by dataPlane_; null when relay.enabled is false
    std::map<NodeId, std::uint16_t> relayPort_; // peers' tunnel ports, from their metas
    std::set<NodeId> relayCarry_;               // peers whose relay speaks the carry handover
    std::map<NodeId, std::uint64_t> relayEpoch_; // peers' relay epochs (their tunnel keys')
    std::vector<Interface> workingInterfaces() const;
    // get-reachability: this agent's row and every other agent's, asked over the cluster
    // transport; what has not answered after kReachabilityWaitMs is reported as such.
    void gatherReachability(const protocol::RequestId &id, ControlServer::Reply reply);
    void onReachabilityRow(const nlohmann::json &message);
    struct ReachabilityGather
    {
        ControlServer::Reply reply;
        protocol::RequestId id;
        std::map<NodeId, nlohmann::json> rows; // by node
        std::set<NodeId> waiting;
        std::shared_ptr<asio::steady_timer> timeout;
    };
    void finishReachability(std::uint64_t corr);
    std::map<std::uint64_t, ReachabilityGather> reachGathers_;
    static constexpr int kReachabilityWaitMs = 1000;
    static constexpr std::size_t kReachGathersMax = 16;
    std::unique_ptr<MetricsServer> metrics_;
    std::unique_ptr<InterfaceWatch> interfaceWatch_;
    std::set<std::string> osDownAdapters_; // interfaces the OS took away (down, no address)
    void rereadOsInterfaces();
    asio::steady_timer tickTimer_;

    // OS interfaces and none usable at start (the link is not up yet, a namespace's veth has no
    // carrier): the agent serves its control port and waits, reading the interfaces on every
    // rtnetlink change and every kInterfacePollMs besides, and joins once one is usable and its
    // membership port could be bound.
    bool waitingForInterface_ = false;
    std::string waitingFor_; // what it waits for, for get-state and the log (each text once)
    static constexpr int kInterfacePollMs = 1000;
    asio::steady_timer interfacePoll_;
    awaitable<void> interfacePollLoop();
    void joinOnceUsable();

    gms::ClusterView view_;
    Plan plan_;
    // Every node this agent has seen in a view, with how it was last seen.
    std::map<NodeId, Node> known_;
    std::map<NodeId, NodeStatus> knownStatus_;
    std::map<NodeId, std::string> controlAddress_;
    std::map<NodeId, std::string> metaSeen_; // the meta text known_ was last parsed from

    // Closing actions held back until the new routing points say their part is up. Waits are
    // per (view, node): a view that arrives meanwhile adds its own, it never drops older ones.
    struct PendingCloses
    {
        std::vector<Action> actions;
        std::set<std::pair<std::string, NodeId>> waitingFor;
        std::int64_t deadlineMs = 0;
    };
    std::optional<PendingCloses> pending_;
    // "applied" notices by view id: they can arrive before this agent installs that view.
    std::map<std::string, std::map<NodeId, Applied>> appliedSeen_;
    static constexpr std::size_t kAppliedViewsMax = 32;

    std::deque<FailoverRecord> history_;
    std::deque<DrillRecord> drills_;
    // This process, for cursors: the node and its start time ("2@1795756578818123").
    std::string instance_;
    std::int64_t nextRev_ = 1; // history and drill records: the next change's revision
    struct KeptEvent
    {
        std::int64_t seq = 0;
        std::int64_t timeMs = 0;
        std::string line;
    };
    std::deque<KeptEvent> events_;
    std::size_t eventBytes_ = 0;
    std::int64_t nextEventSeq_ = 1;
    bool eventsDropped_ = false; // kept events had to go: a replay from the start is not whole
    ViewLog viewLog_;
    std::uint64_t nextFailoverId_ = 1;
    std::uint64_t nextDrillId_ = 1;
    // Drills forwarded to their target, waiting for its word: by correlation number.
    struct ForwardedDrill
    {
        ControlServer::Reply reply;
        protocol::RequestId id;
        std::shared_ptr<asio::steady_timer> timeout;
        protocol::DrillRequest drill;
        DrillAuthor author;
    };
    std::map<std::uint64_t, ForwardedDrill> forwarded_;
    std::uint64_t nextForwardId_ = 1;
    // Forwarded drills' ids this node ran, so that none runs twice (bounded, oldest out).
    std::set<std::string> drillIdsSeen_;
    std::deque<std::string> drillIdOrder_;
    static constexpr std::size_t kDrillIdsMax = 4096;
    std::uint64_t drillsRefused_ = 0;
    nlohmann::json transportJson() const;
    static constexpr int kForwardTimeoutMs = 3000;
    std::map<NodeId, std::string> membershipAddress_; // last known, also for nodes out of view
    std::uint64_t viewsInstalled_ = 0;
    // This node's join sequence in the last view that listed it (0: none since start or since a
    // kill drill), and the times a view numbered it anew while it ran (it was taken out alive).
    std::uint64_t selfSeq_ = 0;
    std::uint64_t rejoins_ = 0;
    LogSink logSink_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
