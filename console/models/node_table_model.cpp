#include "node_table_model.h"

#include "format.h"

#include <algorithm>

namespace dmr::console {

namespace {

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

QList<NodeTableModel::Row> NodeTableModel::rowsOf(const dmr::Snapshot &snapshot,
                                                  const QSet<QString> &neverJoined)
{
    std::vector<const dmr::Node *> nodes;
    for (const auto &[id, node] : snapshot.nodes)
        nodes.push_back(&node);
    std::sort(nodes.begin(), nodes.end(), [](const dmr::Node *a, const dmr::Node *b) {
        return dmr::naturalLess(a->id, b->id);
    });

    const dmr::Election &election = snapshot.plan.election;
    QList<Row> rows;
    for (const dmr::Node *node : nodes) {
        Row row;
        row.id = q(node->id);
        if (auto it = snapshot.status.find(node->id); it != snapshot.status.end()) {
            row.state = it->second.state;
            for (const auto &f : it->second.failedAdapters)
                row.failedAdapters << q(f);
        }
        row.neverJoined = neverJoined.contains(row.id);
        row.systemLeader = election.systemLeader == node->id;
        for (const auto &g : election.groupsLedBy(node->id))
            row.leads << q(g);
        for (const auto &[name, view] : snapshot.membership.networks)
            if (view.contains(node->id))
                row.networks << q(name);
        for (const auto &i : node->interfaces) {
            row.interfaceNames << q(i.name);
            row.interfaces << q(i.name) + u' ' + q(i.address.toString());
        }
        rows << row;
    }
    return rows;
}

NodeTableModel::NodeTableModel(QObject *parent)
    : SyncedTableModel(parent)
{
}

void NodeTableModel::setSnapshot(const dmr::Snapshot &snapshot, const QSet<QString> &neverJoined)
{
    setRows(rowsOf(snapshot, neverJoined));
}

void NodeTableModel::clear()
{
    setRows({});
}

void NodeTableModel::setRows(const QList<Row> &rows)
{
    syncTable(rows_, rows, [](const Row &r) { return r.id; });
}

int NodeTableModel::rowOf(const QString &nodeId) const
{
    for (int i = 0; i < int(rows_.size()); ++i)
        if (rows_[i].id == nodeId)
            return i;
    return -1;
}

QString NodeTableModel::nodeAt(int row) const
{
    return row >= 0 && row < rows_.size() ? rows_[row].id : QString();
}

int NodeTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int NodeTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString NodeTableModel::rolesText(const Row &row) const
{
    QStringList parts;
    if (row.systemLeader)
        parts << tr("system leader");
    if (!row.leads.isEmpty())
        parts << (row.leads.size() == 1 ? tr("leader of 1 network")
                                        : tr("leader of %1 networks").arg(row.leads.size()));
    if (parts.isEmpty() && !row.networks.isEmpty())
        parts << tr("member");
    return parts.join(QStringLiteral(", "));
}

QVariant NodeTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = rows_[index.row()];
    const auto roles = [&] {
        QStringList r;
        if (row.systemLeader)
            r << QStringLiteral("system-leader");
        for (const auto &n : row.leads)
            r << QStringLiteral("leader ") + n;
        return r;
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return row.id;
        case StateColumn:
            return row.neverJoined ? tr("never joined") : stateText(row.state);
        case RolesColumn:
            return rolesText(row);
        case NetworksColumn:
            return row.networks.join(QStringLiteral(", "));
        case InterfacesColumn: {
            QStringList shown;
            for (int i = 0; i < int(row.interfaces.size()); ++i)
                shown << (row.failedAdapters.contains(row.interfaceNames[i])
                              ? tr("%1 (failed)").arg(row.interfaces[i])
                              : row.interfaces[i]);
            return shown.join(QStringLiteral(", "));
        }
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == RolesColumn && !row.leads.isEmpty())
            return tr("Routing point of %1").arg(row.leads.join(QStringLiteral(", ")));
        if (index.column() == StateColumn && row.neverJoined)
            return tr("In the topology file, but no agent has seen it join");
        if (index.column() != StateColumn)
            return data(index, Qt::DisplayRole);
        return {};
    case RawValueRole:
        switch (index.column()) {
        case IdColumn:
            return row.id;
        case StateColumn:
            return row.neverJoined ? QStringLiteral("never-joined")
                                   : QString::fromLatin1(dmr::toString(row.state));
        case RolesColumn:
            return roles();
        case NetworksColumn:
            return row.networks;
        case InterfacesColumn:
            return row.interfaceNames;
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case IdColumn:
            return index.row(); // rows are kept in natural id order
        case StateColumn:
            return int(row.state);
        case RolesColumn:
            // System leader first, then by networks led, then members, then nothing.
            return (row.systemLeader ? 0 : 1000) - int(row.leads.size()) * 10 +
                   (row.networks.isEmpty() ? 1 : 0);
        case NetworksColumn:
            return row.networks.join(u' ');
        case InterfacesColumn:
            return row.interfaces.join(u' ');
        }
        return {};
    case NodeIdRole:
        return row.id;
    case NodeStateRole:
        return QString::fromLatin1(dmr::toString(row.state));
    case IsSystemLeaderRole:
        return row.systemLeader;
    case LedNetworksRole:
        return row.leads;
    case NetworksRole:
        return row.networks;
    case FailedAdaptersRole:
        return row.failedAdapters;
    default:
        return {};
    }
}

QVariant NodeTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
        return tr("Node");
    case StateColumn:
        return tr("State");
    case RolesColumn:
        return tr("Roles");
    case NetworksColumn:
        return tr("Networks");
    case InterfacesColumn:
        return tr("Interfaces");
    }
    return {};
}

QHash<int, QByteArray> NodeTableModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(RawValueRole, "rawValue");
    names.insert(SortRole, "sortValue");
    names.insert(NodeIdRole, "nodeId");
    names.insert(NodeStateRole, "nodeState");
    names.insert(IsSystemLeaderRole, "isSystemLeader");
    names.insert(LedNetworksRole, "ledNetworks");
    names.insert(NetworksRole, "networks");
    names.insert(FailedAdaptersRole, "failedAdapters");
    return names;
}

} // namespace dmr::console
