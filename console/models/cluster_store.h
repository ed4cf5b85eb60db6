#pragma once
// The console's state: the latest snapshot with its view id, and the models that show it.
// Attach it to an AgentClient and every view built on its models follows the cluster: the node
// table and the group tree take each new snapshot with row signals and dataChanged (no reset
// unless the order of what stays changed), the history and drill tables take each get-history
// and get-drills, the event log takes every event, and the reachability heat map each
// get-reachability.

#include "client/records.h"

#include "dmr/snapshot.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>

namespace dmr::console {

class AgentClient;
class DrillModel;
class EventLogModel;
class GroupModel;
class HistoryModel;
class NodeTableModel;
class ReachabilityModel;

class ClusterStore : public QObject
{
    Q_OBJECT

public:
    explicit ClusterStore(QObject *parent = nullptr);
    ~ClusterStore() override;

    // Follows the client: cluster, history, drills and events (one client at a time).
    void attach(AgentClient *client);

    bool hasSnapshot() const { return hasSnapshot_; }
    const dmr::Snapshot &snapshot() const { return snapshot_; }
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
    // Nodes no other node hears, from the last matrix (ReachabilityMatrix::unreachable).
    QStringList unreachable() const;

public slots:
    void setCluster(const dmr::Snapshot &snapshot, const QString &viewId = {},
                    const QStringList &agentControlAddresses = {});
    void setHistory(const QList<dmr::console::FailoverRecord> &records);
    // Joined with the drills other agents listed before (DrillModel::mergeRecords).
    void setDrills(const QList<dmr::console::DrillRecord> &records);
    void addEvent(const dmr::console::ConsoleEvent &event);
    void setReachability(const dmr::console::ReachabilityMatrix &matrix);
    // Forgets the snapshot, the history and the drills (the event log stays).
    void clear();

signals:
    // After the models took a snapshot that differs from the last one (its time aside), or a
    // new view id.
    void snapshotChanged();
    void systemLeaderChanged(const QString &node);
    void viewIdChanged(const QString &viewId);
    void reachabilityChanged();

private:
    NodeTableModel *nodes_;
    GroupModel *groups_;
    HistoryModel *history_;
    DrillModel *drills_;
    EventLogModel *events_;
    ReachabilityModel *reachability_;

    bool hasSnapshot_ = false;
    dmr::Snapshot snapshot_;
    QString viewId_;
    QStringList agents_;
};

} // namespace dmr::console
