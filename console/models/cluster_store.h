#pragma once
// The console's state: the latest snapshot with its view id, and the models that show it.
// Attach it to an AgentClient and every view built on its models follows the cluster: the node
// table and the group tree take each new snapshot with row signals and dataChanged (no reset
// unless the order of what stays changed), the history and drill tables take each get-history
// and get-drills, the event log takes every event, and the reachability heat map each
// get-reachability; the plan timeline takes every page of the agents' view logs.
//
// With an expected topology (the lab's file), nodes that never joined are shown too: in the
// node table as "never joined", and in displaySnapshot() with the state down, so that the
// topology is laid out once, whole, instead of growing a node at a time while a cluster forms.

#include "client/records.h"

#include "dmr/snapshot.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QStringList>

namespace dmr::console {

class AgentClient;
class DrillModel;
class EventLogModel;
class GroupModel;
class HistoryModel;
class LimitModel;
class ListenerModel;
class NodeTableModel;
class PlanTimeline;
class ReachabilityModel;

class ClusterStore : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 kRecentFailoverMs = 60000; // a failover this young is news

    explicit ClusterStore(QObject *parent = nullptr);
    ~ClusterStore() override;

    // Follows the client: cluster, history, drills and events (one client at a time).
    void attach(AgentClient *client);

    bool hasSnapshot() const { return hasSnapshot_; }
    const dmr::Snapshot &snapshot() const { return snapshot_; }
    // The snapshot with the expected nodes that never joined added (state down); what the
    // topology and the node table show.
    const dmr::Snapshot &displaySnapshot() const { return display_; }
    bool hasDisplay() const { return hasSnapshot_ || !expected_.empty(); }
    QStringList neverJoined() const { return neverJoined_; }
    // The nodes of the topology file the cluster was started from (dmr-console --lab, or
    // --topology): the ones not seen yet are drawn as never joined.
    void setExpectedTopology(const dmr::Topology &nodes);
    // When the console last heard from an agent (a snapshot or an event; its own clock, ms
    // since the epoch); 0: never.
    qint64 lastUpdateMs() const { return lastUpdateMs_; }
    QString viewId() const { return viewId_; }
    QStringList agentControlAddresses() const { return agents_; }
    QString clusterName() const;
    QString systemLeader() const; // empty when there is none

    // The snapshot document (dmr::toJson: what get-snapshot returns) and its GraphViz DOT, for
    // export. Empty without a snapshot.
    QByteArray snapshotJson() const;
    QByteArray snapshotDot() const;

    NodeTableModel *nodeModel() const { return nodes_; }
    GroupModel *groupModel() const { return groups_; }
    HistoryModel *historyModel() const { return history_; }
    DrillModel *drillModel() const { return drills_; }
    EventLogModel *eventLogModel() const { return events_; }
    ReachabilityModel *reachabilityModel() const { return reachability_; }
    // Who listens on each network and which tunnels each group takes (the routing points'
    // relay state, which the client asks them for).
    ListenerModel *listenerModel() const { return listeners_; }
    // What the relay's rate limits, boundaries and threshold dropped, per tunnel end and per
    // channel range (the same relay state), with the rate since each node's previous answer.
    LimitModel *limitModel() const { return limits_; }
    PlanTimeline *timeline() const { return timeline_; }
    // Nodes no other node hears, from the last matrix (ReachabilityMatrix::unreachable).
    QStringList unreachable() const;

public slots:
    void setCluster(const dmr::Snapshot &snapshot, const QString &viewId = {},
                    const QStringList &agentControlAddresses = {});
    void setHistory(const QList<dmr::console::FailoverRecord> &records);
    // Joined with the drills other agents listed before (DrillModel::mergeRecords).
    void setDrills(const QList<dmr::console::DrillRecord> &records);
    void addEvent(const dmr::console::ConsoleEvent &event);
    void setViews(const dmr::console::ViewsPage &page);
    void noteSubscribed(const QString &agent, const dmr::console::SubscribeInfo &info);
    void setReachability(const dmr::console::ReachabilityMatrix &matrix);
    void setRelayState(const QString &node, const dmr::console::RelayState &state);
    void noteRelayStateFailed(const QString &node, const QString &why);
    // Forgets the snapshot, the history and the drills (the event log stays).
    void clear();

signals:
    // After the models took a snapshot that differs from the last one (its time aside), or a
    // new view id.
    void snapshotChanged();
    void systemLeaderChanged(const QString &node);
    void viewIdChanged(const QString &viewId);
    void reachabilityChanged();
    // A new failover (one row more in the history), for a notification.
    void failoverRecorded(const dmr::console::FailoverRecord &record);
    // An agent could not replay every event this console had not seen (it dropped some).
    void eventsMissed(const QString &agent);

private:
    NodeTableModel *nodes_;
    GroupModel *groups_;
    HistoryModel *history_;
    DrillModel *drills_;
    EventLogModel *events_;
    ReachabilityModel *reachability_;
    ListenerModel *listeners_;
    LimitModel *limits_;
    PlanTimeline *timeline_;
    QElapsedTimer relayClock_; // when each relay state came: the drops' rates

    void rebuildDisplay();
    bool hasSnapshot_ = false;
    dmr::Snapshot snapshot_;
    dmr::Snapshot display_;
    dmr::Topology expected_;
    QStringList neverJoined_;
    QSet<QString> seen_; // every node some snapshot had
    qint64 lastUpdateMs_ = 0;
    QString viewId_;
    QStringList agents_;
};

} // namespace dmr::console
