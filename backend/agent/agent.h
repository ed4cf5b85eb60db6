#pragma once
// dmr-agent: one per node. The wiring around the node controller (dmr/node.h): the membership
// backend's views, the interface watch, peers' messages, drills and the clock go into it, and
// its outputs are carried out here, in order (the data plane, the cluster transport, the
// control port's events, the configured files and commands), as EmbeddedMembership::pump() does
// for the membership protocol. The control port's replies are built in agent_replies.cpp, the
// requests served in agent_control.cpp.

#include "asio.h"
#include "config.h"
#include "control_server.h"
#include "data_plane.h"
#include "etcd_client.h"
#include "journal.h"
#include "listen_io.h"
#include "membership_service.h"
#include "metrics_server.h"
#include "os_interfaces.h"
#include "relay_data_plane.h"
#include "transport.h"

#include "dmr/agent_message.h"
#include "dmr/membership.h"
#include "dmr/node.h"
#include "dmr/plan.h"
#include "dmr/snapshot.h"
#include "dmr/view_log.h"

#include <deque>

#include <nlohmann/json_fwd.hpp>
#include <optional>

namespace dmr::agent {

using protocol::DrillAuthor;
using protocol::DrillRecord;

class Agent
{
public:
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
    // Clocks: a monotonic clock anchored to the wall clock at start, so that agents on one
    // machine agree and durations never jump.
    std::int64_t nowMs() const;

    // Membership.
    void startMembership();
    void onPeerPayload(std::string payload);
    void onAgentMessage(protocol::AgentMessage message);
    void onPeerLost(const std::string &address);
    void onDegraded(bool degraded, const std::string &why);
    awaitable<void> tickLoop();
    void installed(const gms::ClusterView &view);

    // The controller's outputs, carried out in order.
    void pump();
    void publishLocalChange();
    void wakeAt(std::int64_t atMs);

    // Control (agent_control.cpp).
    void handle(const protocol::Request &request, const ControlSession &session,
                ControlServer::Reply reply);
    void forwardDrill(const protocol::Request &request, const DrillAuthor &author,
                      ControlServer::Reply reply);
    void onDrillResult(const protocol::DrillResultMessage &message);
    // get-reachability: this agent's row and every other agent's, asked over the cluster
    // transport; what has not answered after kReachabilityWaitMs is reported as such.
    void gatherReachability(const protocol::RequestId &id, ControlServer::Reply reply);
    void onReachabilityRow(const protocol::ReachRowMessage &message);
    void finishReachability(std::uint64_t corr);

    // Replies (agent_replies.cpp).
    std::string roleName() const;
    std::string stateJson() const;
    nlohmann::json coordinatorJson() const; // the embedded protocol's; null on etcd
    std::string clusterJson() const;
    std::string historyJson(const protocol::Cursor &cursor) const;
    std::string viewsJson(const protocol::Cursor &cursor) const;
    std::string drillsJson(const protocol::Cursor &cursor) const;
    std::string metricsText() const;
    nlohmann::json transportJson() const;
    // The events: numbered, kept (the last kEventsKeptMax), and sent to every subscriber.
    void publish(const std::string &eventLine, std::int64_t timeMs);
    // A subscribe: the reply's result, and the kept events it asks to see again.
    std::pair<std::string, std::vector<std::string>> replay(const protocol::Cursor &cursor) const;
    // A revision counts within this process only: one from another (`instance` differs) is 0.
    std::int64_t sinceOf(const protocol::Cursor &cursor) const;
    Snapshot snapshot() const;
    // A log line with this node, the current view and (for failovers, adapter failures,
    // drills, rejoins) its cause as fields: journald's under systemd, plain text otherwise.
    void log(const std::string &line, std::string_view cause = {}) const;

    asio::io_context &io_;
    AgentConfig config_;
    std::string version_;
    std::chrono::steady_clock::time_point steady0_;
    std::int64_t wall0Us_ = 0; // the wall clock at start, microseconds since the epoch
    std::uint64_t incarnation_ = 0;

    // This node's decisions; made in start(), once the interfaces and the relay are known.
    std::unique_ptr<node::Controller> node_;

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
    // Os mode: IGMP and MLD heard on the working interfaces (and this host's own programs'
    // groups) go to the relay's listener tables, its queries go out (listen_io.h). Declared
    // after dataPlane_, so it goes first.
    std::unique_ptr<OsListening> listening_;
    std::vector<SegmentSpec> listeningOn_;
    // The relay's segments follow the working interfaces; the IGMP/MLD reader with them.
    void relayInterfaces(const std::vector<Interface> &working);
    // How many of the relay's own sockets joined the group on the segment (the relay's
    // segment I/O says: the probe group on every one, what it takes in where it routes): not a
    // listener of this host.
    int relayJoins(std::size_t segment, const IpAddress &group) const;
    std::unique_ptr<MetricsServer> metrics_;
    std::unique_ptr<InterfaceWatch> interfaceWatch_;
    void rereadOsInterfaces();
    asio::steady_timer tickTimer_;
    asio::steady_timer wakeTimer_; // the controller's next deadline (node::WakeAt)
    std::int64_t wakeAtMs_ = 0;

    // OS interfaces and none usable at start (the link is not up yet, a namespace's veth has no
    // carrier): the agent serves its control port and waits, reading the interfaces on every
    // rtnetlink change and every kInterfacePollMs besides, and joins once one is usable and its
    // membership port could be bound.
    bool waitingForInterface_ = false;
    std::string waitingFor_; // what it waits for, for get-state and the log (each text once)
    static constexpr int kInterfacePollMs = 1000;
    // The tick loop's period (tickLoop): a backstop; every deadline has its own timer.
    static constexpr int kSafetyTickMs = 1000;
    asio::steady_timer interfacePoll_;
    awaitable<void> interfacePollLoop();
    void joinOnceUsable();

    struct ReachabilityGather
    {
        ControlServer::Reply reply;
        protocol::RequestId id;
        std::map<NodeId, nlohmann::json> rows; // by node
        std::set<NodeId> waiting;
        std::shared_ptr<asio::steady_timer> timeout;
    };
    std::map<std::uint64_t, ReachabilityGather> reachGathers_;
    static constexpr int kReachabilityWaitMs = 1000;
    static constexpr std::size_t kReachGathersMax = 16;

    // This process, for cursors: the node and its start time ("2@1795756578818123").
    std::string instance_;
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
    static constexpr int kForwardTimeoutMs = 3000;
    LogSink logSink_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
