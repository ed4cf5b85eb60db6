#pragma once
// What the agent answers, as the console's Qt values: the hello reply, get-cluster, get-history,
// get-drills, get-views, get-reachability, get-state's relay, subscribe and the events
// (backend/PROTOCOL.md). The parsers read the `result` object of a reply (or a whole event line)
// as JSON text with the core's typed replies (dmr/replies.h): they ignore fields they do not know
// (the protocol may add some), and on a missing or mistyped field return the core's error, naming
// the reply, the field's path and the reason. Only the client layer calls them: models and widgets
// get these values, never JSON.

#include "dmr/replies.h"
#include "dmr/result.h"
#include "dmr/snapshot.h"
#include "dmr/view_log.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>
#include <string_view>

namespace dmr::console {

// The hello reply: who answers.
struct HelloInfo
{
    QString agent;   // its node id
    QString version; // "0.1.0"
    int protocol = 0;
    QString role; // "member", "group-leader", "system-leader", "joining", "killed"
    bool isOperator = false;
    bool operator==(const HelloInfo &) const = default;
};

// One agent of the view, in join order (get-cluster "agents").
struct AgentInfo
{
    QString id;
    qint64 seq = 0;
    QString membership; // its membership endpoint
    QString control;    // its control endpoint, "127.0.0.1:25400"; empty when unknown
    bool operator==(const AgentInfo &) const = default;
};

// get-cluster.
struct ClusterInfo
{
    QString viewId;      // "1.5"
    QString coordinator; // empty when the agent has no view (killed, joining)
    QList<AgentInfo> agents;
    dmr::Snapshot snapshot;

    // The agents' non-empty control addresses, in join order.
    QStringList controlAddresses() const;
    bool hasAgent(const QString &id) const;
    bool operator==(const ClusterInfo &) const = default;
};

// A role a failed node held and who took it over (empty: nobody could).
struct Successor
{
    QString role; // "system-leader", "leader 10.0.1.0/24"
    QString node;
    bool operator==(const Successor &) const = default;
};

// One get-history entry: a node lost roles. Times in ms since the epoch, durations in ms; the
// optional ones are null on the wire until the new routing points report their tunnels up.
// The phases (PROTOCOL.md, get-history): failed -detection-> detected -election-> elected
// -tunnels-> tunnels up; total is failed to tunnels up.
struct FailoverRecord
{
    qint64 id = 0;
    QString node;
    QString cause; // "connection-lost", "silent", "left", "drain", "adapter", "moved"
    QStringList roles;
    QList<Successor> successors; // in the order of `roles`
    QString viewId;
    qint64 silentMs = 0;
    qint64 failedMs = 0;
    qint64 detectedMs = 0;
    qint64 electedMs = 0;
    std::optional<qint64> tunnelsUpMs;
    qint64 detectionMs = 0;
    std::optional<qint64> electionMs;
    std::optional<qint64> tunnelsMs;
    std::optional<qint64> totalMs;
    qint64 skewMs = 0;
    qint64 rev = 0;
    QString agent; // the agent that recorded it (set by the client)

    // The same failover as every agent records it: for a departure, the node and when the
    // deciding agent declared it gone (detected_ms, the same on every agent, whichever view each
    // installed it in); for a drain, an adapter or a move, the node and the view that removed
    // its roles.
    QString key() const;
    bool operator==(const FailoverRecord &) const = default;
};

// One get-drills entry, or a drill reply's result.
struct DrillRecord
{
    qint64 id = 0;
    QString action; // "kill", "fail-adapter", "drain", "restore"
    QString node;
    QString iface; // empty when the drill names no adapter
    QString reason;
    QString client;
    std::optional<qint64> durationMs;
    qint64 startedMs = 0;
    std::optional<qint64> endedMs; // null while in force
    QString via;                   // the agent that forwarded it, if any
    QString forwardedTo;           // a drill reply only: the agent that carried it out
    qint64 rev = 0;
    bool operator==(const DrillRecord &) const = default;
};

// What a get-history, get-drills or get-views reply says besides its records (PROTOCOL.md,
// Cursors): the agent process, the revision to ask after next, and whether a page was cut.
struct Page
{
    QString instance; // empty: an agent without cursors
    qint64 rev = 0;
    bool more = false;
    bool operator==(const Page &) const = default;
};

struct HistoryPage
{
    Page page;
    QList<FailoverRecord> records;
};

struct DrillsPage
{
    Page page;
    QList<DrillRecord> records;
};

// get-views: the base view (when the reply starts the log over) and the deltas after it.
struct ViewsPage
{
    Page page;
    QString agent; // set by the client
    bool hasBase = false;
    QString baseViewId;
    dmr::Snapshot base;
    QList<dmr::ViewDelta> views;
};

// The subscribe reply of an agent that replays (PROTOCOL.md, subscribe).
struct SubscribeInfo
{
    QString instance; // empty: an agent without replay
    qint64 seq = 0;   // its last event's number
    int replayed = 0;
    bool missed = false;
};

// One event. The typed fields are those of its kind (the others stay empty); `dataJson` keeps the
// whole data object, for fields and kinds this console does not know yet.
struct ConsoleEvent
{
    enum class Kind : quint8 { ViewChanged, PlanChanged, Failover, Drill, Other };

    Kind kind = Kind::Other;
    QString kindName; // the wire name: "view-changed"
    qint64 timeMs = 0;
    qint64 seq = 0; // its number in the agent's stream; 0 from an agent that does not number
    QString agent;  // the agent that reported it (its hello "agent"); set by the client
    QString viewId; // view-changed, plan-changed, failover: the view it belongs to

    QString group;       // view-changed, failover ("GL_group" when the system leader moved)
    QString leader;      // view-changed: empty when the group is empty
    QStringList members; // view-changed, in join order
    QStringList actions; // plan-changed: each action's text, opens before closes
    QString from;        // failover
    QString to;          // failover: empty when nobody took over
    QString reason;      // failover (the cause), drill
    QString action;      // drill
    QString node;        // drill
    QString iface;       // drill
    QString client;      // drill
    std::optional<qint64> durationMs; // drill
    QString dataJson;                 // compact JSON
    bool operator==(const ConsoleEvent &) const = default;

    // Whether the cluster's state, history or drills may have changed: what makes the client
    // fetch them again.
    bool changesCluster() const { return kind != Kind::Other; }
    // The same change as every agent reports it (the kind, what it is about, its view; a drill
    // by its start on its target); empty when it cannot be told apart from another agent's.
    QString key() const;
};

// get-reachability: who hears whose probes (backend/PROTOCOL.md). One row per node the asked
// agent knows, each row what that node hears from the others.
struct ReachabilityCell
{
    QString from;
    bool heard = false; // within the last three probe intervals
    qint64 received = 0;
    qint64 lost = 0;
    qint64 duplicates = 0;
    double loss = 0;  // fraction of the recent probes missing, 0..1
    qint64 ageMs = 0; // since the last probe from it
    bool operator==(const ReachabilityCell &) const = default;
};

struct ReachabilityRow
{
    QString node;
    bool answered = false; // false: the node did not answer (down, killed, out of the view)
    bool probing = false;
    QList<ReachabilityCell> heard;
    const ReachabilityCell *cellFrom(const QString &sender) const;
    bool operator==(const ReachabilityRow &) const = default;
};

struct ReachabilityMatrix
{
    QStringList nodes; // natural order
    qint64 intervalMs = 0;
    QString askedBy;
    qint64 timeMs = 0;
    QList<ReachabilityRow> rows;

    const ReachabilityRow *row(const QString &node) const;
    // Nodes that no answering, probing node hears, when at least one other such node exists:
    // the ones the topology marks unreachable.
    QStringList unreachable() const;
    bool operator==(const ReachabilityMatrix &) const = default;
};

// get-state's node, leads and relay: the node's listener tables and what each of its tunnel ends
// sends (dmr/replies.h, the reader dmrctl uses too). What an older agent leaves out is Unknown.
using RelayState = dmr::reply::RelayState;
Result<RelayState> parseRelayState(std::string_view resultJson);

// Each reads the `result` of its reply (JSON text, as reply::Message keeps it).
Result<HelloInfo> parseHello(std::string_view resultJson);
Result<ReachabilityMatrix> parseReachability(std::string_view resultJson);
Result<ClusterInfo> parseCluster(std::string_view resultJson);
Result<QList<FailoverRecord>> parseHistory(std::string_view resultJson);
Result<HistoryPage> parseHistoryPage(std::string_view resultJson);
Result<QList<DrillRecord>> parseDrills(std::string_view resultJson);
Result<DrillsPage> parseDrillsPage(std::string_view resultJson);
Result<ViewsPage> parseViews(std::string_view resultJson);
Result<SubscribeInfo> parseSubscribe(std::string_view resultJson);
Result<DrillRecord> parseDrillRecord(std::string_view recordJson);
// A whole event line: {"type":"event","event":KIND,"time_ms":T,"data":{...}}.
Result<ConsoleEvent> parseEvent(std::string_view line);

// One line for a person, translated: "failover of 10.0.1.0/24: 2 -> 1 (connection-lost)".
QString describe(const ConsoleEvent &event);
// "kill of node 2 for 3000 ms (failover drill)".
QString describe(const DrillRecord &drill);
// "system leader", "leader of 10.0.1.0/24": a failover role for display.
QString describeRole(const QString &role);
// "connection lost", "drained": a failover's cause for display (the wire name when unknown).
QString describeCause(const QString &cause);

} // namespace dmr::console

Q_DECLARE_METATYPE(dmr::Snapshot)
Q_DECLARE_METATYPE(dmr::console::HelloInfo)
Q_DECLARE_METATYPE(dmr::console::ClusterInfo)
Q_DECLARE_METATYPE(dmr::console::FailoverRecord)
Q_DECLARE_METATYPE(dmr::console::DrillRecord)
Q_DECLARE_METATYPE(dmr::console::ConsoleEvent)
Q_DECLARE_METATYPE(dmr::console::ReachabilityMatrix)
Q_DECLARE_METATYPE(dmr::console::ViewsPage)
Q_DECLARE_METATYPE(dmr::console::SubscribeInfo)
Q_DECLARE_METATYPE(dmr::reply::RelayState)
