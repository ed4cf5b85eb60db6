#include "cluster_store.h"

#include "drill_model.h"
#include "event_log_model.h"
#include "group_model.h"
#include "history_model.h"
#include "limit_model.h"
#include "listener_model.h"
#include "node_table_model.h"
#include "plan_timeline.h"
#include "reachability_model.h"

#include "client/agent_client.h"

#include "dmr/render.h"

#include <QDateTime>

namespace dmr::console {

ClusterStore::ClusterStore(QObject *parent)
    : QObject(parent)
    , nodes_(new NodeTableModel(this))
    , groups_(new GroupModel(this))
    , history_(new HistoryModel(this))
    , drills_(new DrillModel(this))
    , events_(new EventLogModel(this))
    , reachability_(new ReachabilityModel(this))
    , listeners_(new ListenerModel(this))
    , limits_(new LimitModel(this))
    , timeline_(new PlanTimeline(this))
{
    relayClock_.start();
}

ClusterStore::~ClusterStore() = default;

void ClusterStore::attach(AgentClient *client)
{
    connect(client, &AgentClient::clusterReceived, this, &ClusterStore::setCluster);
    connect(client, &AgentClient::historyReceived, this, &ClusterStore::setHistory);
    connect(client, &AgentClient::drillsReceived, this, &ClusterStore::setDrills);
    connect(client, &AgentClient::eventReceived, this, &ClusterStore::addEvent);
    connect(client, &AgentClient::reachabilityReceived, this, &ClusterStore::setReachability);
    connect(client, &AgentClient::viewsReceived, this, &ClusterStore::setViews);
    connect(client, &AgentClient::subscribed, this, &ClusterStore::noteSubscribed);
    connect(client, &AgentClient::relayStateReceived, this, &ClusterStore::setRelayState);
    connect(client, &AgentClient::relayStateFailed, this, &ClusterStore::noteRelayStateFailed);
}

void ClusterStore::setRelayState(const QString &node, const RelayState &state)
{
    listeners_->setState(node, state);
    limits_->setState(node, state, relayClock_.elapsed());
}

void ClusterStore::noteRelayStateFailed(const QString &node, const QString &why)
{
    listeners_->setFailed(node, why);
    limits_->setFailed(node);
}

void ClusterStore::setExpectedTopology(const dmr::Topology &nodes)
{
    expected_ = nodes;
    rebuildDisplay();
    nodes_->setSnapshot(display_, QSet<QString>(neverJoined_.begin(), neverJoined_.end()));
    emit snapshotChanged();
}

void ClusterStore::rebuildDisplay()
{
    display_ = snapshot_;
    neverJoined_.clear();
    for (const auto &[id, node] : expected_) {
        const QString q = QString::fromStdString(id);
        if (display_.nodes.count(id) != 0)
            continue;
        display_.nodes.emplace(id, node);
        display_.status[id] = dmr::NodeStatus{dmr::NodeState::Down, {}};
        if (!seen_.contains(q))
            neverJoined_ << q;
    }
    std::sort(neverJoined_.begin(), neverJoined_.end(), [](const QString &a, const QString &b) {
        return dmr::naturalLess(a.toStdString(), b.toStdString());
    });
}

void ClusterStore::setViews(const ViewsPage &page)
{
    lastUpdateMs_ = QDateTime::currentMSecsSinceEpoch();
    timeline_->addPage(page);
}

void ClusterStore::noteSubscribed(const QString &agent, const SubscribeInfo &info)
{
    lastUpdateMs_ = QDateTime::currentMSecsSinceEpoch();
    if (info.missed && events_->rowCount() > 0)
        emit eventsMissed(agent);
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
    listeners_->setSnapshot(snapshot);
    lastUpdateMs_ = QDateTime::currentMSecsSinceEpoch();
    if (!changed)
        return;
    for (const auto &[id, node] : snapshot_.nodes)
        seen_.insert(QString::fromStdString(id));
    rebuildDisplay();
    nodes_->setSnapshot(display_, QSet<QString>(neverJoined_.begin(), neverJoined_.end()));
    groups_->setSnapshot(snapshot_);
    emit snapshotChanged();
    if (viewId_ != oldView)
        emit viewIdChanged(viewId_);
    if (systemLeader() != oldLeader)
        emit systemLeaderChanged(systemLeader());
}

void ClusterStore::setHistory(const QList<FailoverRecord> &records)
{
    QSet<QString> held;
    for (const auto &r : history_->records())
        held.insert(r.key());
    history_->mergeRecords(records);
    // New failovers of the last minute (not the old ones a first fill brings).
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const auto &r : records)
        if (!held.contains(r.key()) && now - r.failedMs < kRecentFailoverMs &&
            history_->rowOfKey(r.key()) >= 0)
            emit failoverRecorded(r);
}

void ClusterStore::setDrills(const QList<DrillRecord> &records)
{
    drills_->mergeRecords(records);
}

void ClusterStore::addEvent(const ConsoleEvent &event)
{
    lastUpdateMs_ = QDateTime::currentMSecsSinceEpoch();
    events_->append(event);
}

void ClusterStore::clear()
{
    const bool had = hasSnapshot_;
    const QString oldLeader = systemLeader();
    hasSnapshot_ = false;
    snapshot_ = {};
    display_ = {};
    seen_.clear();
    neverJoined_.clear();
    viewId_.clear();
    agents_.clear();
    listeners_->clear();
    limits_->clear();
    nodes_->clear();
    timeline_->clear();
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
