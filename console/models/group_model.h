#pragma once
// The groups as a tree: each network group (in group order), then the GL_group, with their
// members below in join order; the first member leads. A member row shows the node's interface
// on that network and its join sequence number.

#include "model_roles.h"

#include "dmr/snapshot.h"

#include <QAbstractItemModel>

namespace dmr::console {

class GroupModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column : int { NameColumn, LeaderColumn, InterfaceColumn, SeqColumn, ColumnCount };
    enum Role : int {
        GroupNameRole = FirstModelRole, // QString: the group of the row (both kinds of rows)
        NodeIdRole,                     // QString: a member row's node; a group row's leader
        IsGroupRole,                    // bool: a group row
        IsGlGroupRole,                  // bool: the GL_group or one of its members
        IsLeaderRole,                   // bool: a member row that leads its group
        SeqRole,                        // qint64: a member's join sequence number
        MemberCountRole,                // int: a group row's member count
    };

    struct Member
    {
        QString node;
        qint64 seq = 0;
        QString iface; // "eth0 10.0.1.2/24"; empty in the GL_group
        bool operator==(const Member &) const = default;
    };
    struct Group
    {
        QString name;
        bool gl = false;
        QString leader;     // empty when the group is empty
        QString routeIface; // the leader's interface routing this network ("eth0")
        QList<Member> members;
        quint64 uid = 0; // stable while the group stays: the children's internal id
        bool operator==(const Group &) const = default;
    };
    static QList<Group> groupsOf(const dmr::Snapshot &snapshot);

    explicit GroupModel(QObject *parent = nullptr);

    // Takes the groups of a snapshot with row signals (groups and members come and go) and
    // dataChanged; a reset only when the order of what stays changed.
    void setSnapshot(const dmr::Snapshot &snapshot);
    void clear();

    // The index of a group row, or of a member row under it; invalid when absent.
    QModelIndex groupIndex(const QString &group) const;
    QModelIndex memberIndex(const QString &group, const QString &node) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void setGroups(QList<Group> groups);
    void syncMembers(int groupRow, const Group &target);
    int rowOfUid(quintptr uid) const;
    QVariant groupData(const Group &g, int column, int role) const;
    QVariant memberData(const Group &g, int row, int column, int role) const;

    QList<Group> groups_;
    quint64 nextUid_ = 1;
};

} // namespace dmr::console
