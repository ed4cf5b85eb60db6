#include "cluster_store.h"

#include "drill_model.h"
#include "event_log_model.h"
#include "group_model.h"
#include "history_model.h"
#include "node_table_model.h"
#include "reachability_model.h"

#include "client/agent_client.h"

#include "dmr/render.h"

namespace dmr::console {

ClusterStore::ClusterStore(QObject *parent)
    : QObject(parent)
    , nodes_(new NodeTableModel(this))
    , groups_(new GroupModel(this))
    , history_(new HistoryModel(this))
    , drills_(new DrillModel(this))
    , events_(new EventLogModel(this))
    , reachability_(new ReachabilityModel(this))
{
}

ClusterStore::~ClusterStore() = default;

void ClusterStore::attach(AgentClient *client)
{
    connect(client, &AgentClient::clusterReceived, this, &ClusterStore::setCluster);
    connect(client, &AgentClient::historyReceived, this, &ClusterStore::setHistory);
    connect(client, &AgentClient::drillsReceived, this, &ClusterStore::setDrills);
    connect(client, &AgentClient::eventReceived, this, &ClusterStore::addEvent);
    connect(client, &AgentClient::reachabilityReceived, this, &ClusterStore::setReachability);
}

void ClusterStore::setReachability(const ReachabilityMatrix &matrix)
{
    if (matrix == reachability_->matrix())
        return;
    reachability_->setMatrix(matrix);
    emit reachabilityChanged();
}

QStringList ClusterStore::unreachable() const
{
    return reachability_->matrix().unreachable();
}

QString ClusterStore::clusterName() const
{
    return QString::fromStdString(snapshot_.cluster);
}

QString ClusterStore::systemLeader() const
{
    const auto &sl = snapshot_.plan.election.systemLeader;
    return sl ? QString::fromStdString(*sl) : QString();
}

QByteArray ClusterStore::snapshotJson() const
{
    return hasSnapshot_ ? QByteArray::fromStdString(dmr::toJson(snapshot_)) : QByteArray();
}

QByteArray ClusterStore::snapshotDot() const
{
    return hasSnapshot_ ? QByteArray::fromStdString(dmr::renderDot(snapshot_)) : QByteArray();
}

void ClusterStore::setCluster(const dmr::Snapshot &snapshot, const QString &viewId,
                              const QStringList &agentControlAddresses)
{
    const QString oldLeader = systemLeader();
    const QString oldView = viewId_;
    dmr::Snapshot timeless = snapshot;
    timeless.timeMs = snapshot_.timeMs;
    const bool changed = !hasSnapshot_ || !(timeless == snapshot_) || viewId != viewId_;

    snapshot_ = snapshot;
    hasSnapshot_ = true;
    viewId_ = viewId;
    agents_ = agentControlAddresses;
    if (!changed)
        return;
    nodes_->setSnapshot(snapshot_);
    groups_->setSnapshot(snapshot_);
    emit snapshotChanged();
    if (viewId_ != oldView)
        emit viewIdChanged(viewId_);
    if (systemLeader() != oldLeader)
        emit systemLeaderChanged(systemLeader());
}

void ClusterStore::setHistory(const QList<FailoverRecord> &records)
{
    history_->setRecords(records);
}

void ClusterStore::setDrills(const QList<DrillRecord> &records)
{
    drills_->mergeRecords(records);
}

void ClusterStore::addEvent(const ConsoleEvent &event)
{
    events_->append(event);
}

void ClusterStore::clear()
{
    const bool had = hasSnapshot_;
    const QString oldLeader = systemLeader();
    hasSnapshot_ = false;
    snapshot_ = {};
    viewId_.clear();
    agents_.clear();
    nodes_->clear();
    groups_->clear();
    history_->clear();
    drills_->clear();
    reachability_->clear();
    if (had) {
        emit snapshotChanged();
        emit viewIdChanged(viewId_);
        if (!oldLeader.isEmpty())
            emit systemLeaderChanged(QString());
    }
}

} // namespace dmr::console
