#include "group_model.h"

#include "row_sync.h"

#include <QHash>

namespace dmr::console {

namespace {

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

QList<GroupModel::Group> GroupModel::groupsOf(const dmr::Snapshot &snapshot)
{
    QList<Group> groups;
    const auto add = [&](const dmr::View &view, bool gl) {
        Group g;
        g.name = q(view.group);
        g.gl = gl;
        if (const dmr::Member *leader = view.leader())
            g.leader = q(leader->node);
        if (!gl)
            for (const auto &r : snapshot.plan.routes)
                if (r.network == view.group && q(r.node) == g.leader)
                    g.routeIface = q(r.iface);
        for (const auto &m : view.members) {
            Member member;
            member.node = q(m.node);
            member.seq = qint64(m.seq);
            if (auto n = snapshot.nodes.find(m.node); !gl && n != snapshot.nodes.end())
                for (const auto &i : n->second.interfaces)
                    if (i.group() == view.group)
                        member.iface = q(i.name) + u' ' + q(i.address.toString());
            g.members << member;
        }
        groups << g;
    };
    for (const auto &[name, view] : snapshot.membership.networks)
        add(view, false);
    add(snapshot.membership.glGroup, true);
    return groups;
}

GroupModel::GroupModel(QObject *parent)
    : QAbstractItemModel(parent)
{
}

void GroupModel::setSnapshot(const dmr::Snapshot &snapshot)
{
    setGroups(groupsOf(snapshot));
}

void GroupModel::clear()
{
    setGroups({});
}

void GroupModel::setGroups(QList<Group> groups)
{
    // Groups that stay keep their uid, so the indexes of their members stay valid.
    QHash<QString, quint64> uids;
    for (const Group &g : groups_)
        uids.insert(g.name, g.uid);
    for (Group &g : groups)
        g.uid = uids.value(g.name, 0) != 0 ? uids.value(g.name) : nextUid_++;

    const bool synced = syncRows(
        groups_, groups, [](const Group &g) { return g.name; },
        [this](int first, int last, auto apply) {
            beginRemoveRows({}, first, last);
            apply();
            endRemoveRows();
        },
        [this](int first, int last, auto apply) {
            beginInsertRows({}, first, last);
            apply();
            endInsertRows();
        },
        [this](int row, const Group &target) { syncMembers(row, target); });
    if (!synced) {
        beginResetModel();
        groups_ = groups;
        endResetModel();
    }
}

void GroupModel::syncMembers(int groupRow, const Group &target)
{
    Group &g = groups_[groupRow];
    const QModelIndex parentIndex = index(groupRow, 0);
    const bool synced = syncRows(
        g.members, target.members, [](const Member &m) { return m.node; },
        [&](int first, int last, auto apply) {
            beginRemoveRows(parentIndex, first, last);
            apply();
            endRemoveRows();
        },
        [&](int first, int last, auto apply) {
            beginInsertRows(parentIndex, first, last);
            apply();
            endInsertRows();
        },
        [&](int row, const Member &m) {
            g.members[row] = m;
            emit dataChanged(index(row, 0, parentIndex), index(row, ColumnCount - 1, parentIndex));
        });
    if (!synced) {
        // The members that stay changed order (a merge renumbered them): replace them all.
        if (!g.members.isEmpty()) {
            beginRemoveRows(parentIndex, 0, int(g.members.size()) - 1);
            g.members.clear();
            endRemoveRows();
        }
        if (!target.members.isEmpty()) {
            beginInsertRows(parentIndex, 0, int(target.members.size()) - 1);
            g.members = target.members;
            endInsertRows();
        }
    }
    // The leader is the first member: every member row's leader column may have changed.
    if (!g.members.isEmpty() && g.leader != target.leader)
        emit dataChanged(index(0, 0, parentIndex),
                         index(int(g.members.size()) - 1, ColumnCount - 1, parentIndex));
    if (!(g == target)) { // the members are equal by now: the group's own fields differ
        g = target;
        emit dataChanged(index(groupRow, 0), index(groupRow, ColumnCount - 1));
    }
}

QModelIndex GroupModel::groupIndex(const QString &group) const
{
    for (int i = 0; i < int(groups_.size()); ++i)
        if (groups_[i].name == group)
            return index(i, 0);
    return {};
}

QModelIndex GroupModel::memberIndex(const QString &group, const QString &node) const
{
    const QModelIndex g = groupIndex(group);
    if (!g.isValid())
        return {};
    const auto &members = groups_[g.row()].members;
    for (int i = 0; i < int(members.size()); ++i)
        if (members[i].node == node)
            return index(i, 0, g);
    return {};
}

int GroupModel::rowOfUid(quintptr uid) const
{
    for (int i = 0; i < int(groups_.size()); ++i)
        if (groups_[i].uid == uid)
            return i;
    return -1;
}

QModelIndex GroupModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < groups_.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= groups_.size())
        return {}; // members have no children
    const Group &g = groups_[parent.row()];
    return row < g.members.size() ? createIndex(row, column, quintptr(g.uid)) : QModelIndex();
}

QModelIndex GroupModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    const int row = rowOfUid(child.internalId());
    return row < 0 ? QModelIndex() : createIndex(row, 0, quintptr(0));
}

int GroupModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(groups_.size());
    if (parent.internalId() != 0 || parent.column() != 0 || parent.row() >= groups_.size())
        return 0;
    return int(groups_[parent.row()].members.size());
}

int GroupModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant GroupModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == 0)
        return groupData(groups_[index.row()], index.column(), role);
    const int g = rowOfUid(index.internalId());
    if (g < 0)
        return {};
    return memberData(groups_[g], index.row(), index.column(), role);
}

QVariant GroupModel::groupData(const Group &g, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return g.name;
        case LeaderColumn:
            return g.leader.isEmpty() ? tr("none") : g.leader;
        case InterfaceColumn:
            return g.routeIface;
        case SeqColumn:
            return QVariant();
        }
        return {};
    case Qt::ToolTipRole:
        if (g.gl)
            return tr("The group of group leaders; its first member is the system leader");
        if (g.leader.isEmpty())
            return tr("%1 has no members: nobody routes it").arg(g.name);
        return tr("%1 is routed by node %2").arg(g.name, g.leader);
    case RawValueRole:
        switch (column) {
        case NameColumn:
            return g.name;
        case LeaderColumn:
            return g.leader.isEmpty() ? QVariant() : QVariant(g.leader);
        case InterfaceColumn:
            return g.routeIface;
        }
        return {};
    case SortRole:
        return column == LeaderColumn ? QVariant(g.leader) : QVariant(g.name);
    case GroupNameRole:
        return g.name;
    case NodeIdRole:
        return g.leader;
    case IsGroupRole:
        return true;
    case IsGlGroupRole:
        return g.gl;
    case IsLeaderRole:
        return false;
    case MemberCountRole:
        return int(g.members.size());
    default:
        return {};
    }
}

QVariant GroupModel::memberData(const Group &g, int row, int column, int role) const
{
    if (row < 0 || row >= g.members.size())
        return {};
    const Member &m = g.members[row];
    const bool leads = row == 0;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return m.node;
        case LeaderColumn:
            if (!leads)
                return QString();
            return g.gl ? tr("system leader") : tr("leader");
        case InterfaceColumn:
            return m.iface;
        case SeqColumn:
            return m.seq;
        }
        return {};
    case RawValueRole:
        switch (column) {
        case NameColumn:
            return m.node;
        case LeaderColumn:
            return leads;
        case InterfaceColumn:
            return m.iface;
        case SeqColumn:
            return m.seq;
        }
        return {};
    case SortRole:
        return column == NameColumn || column == SeqColumn ? QVariant(m.seq) : QVariant(row);
    case GroupNameRole:
        return g.name;
    case NodeIdRole:
        return m.node;
    case IsGroupRole:
        return false;
    case IsGlGroupRole:
        return g.gl;
    case IsLeaderRole:
        return leads;
    case SeqRole:
        return m.seq;
    default:
        return {};
    }
}

QVariant GroupModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Group / member");
    case LeaderColumn:
        return tr("Leader");
    case InterfaceColumn:
        return tr("Interface");
    case SeqColumn:
        return tr("Join seq");
    }
    return {};
}

QHash<int, QByteArray> GroupModel::roleNames() const
{
    auto names = QAbstractItemModel::roleNames();
    names.insert(RawValueRole, "rawValue");
    names.insert(SortRole, "sortValue");
    names.insert(GroupNameRole, "groupName");
    names.insert(NodeIdRole, "nodeId");
    names.insert(IsGroupRole, "isGroup");
    names.insert(IsGlGroupRole, "isGlGroup");
    names.insert(IsLeaderRole, "isLeader");
    names.insert(SeqRole, "seq");
    names.insert(MemberCountRole, "memberCount");
    return names;
}

} // namespace dmr::console
