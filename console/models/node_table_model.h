#pragma once
// One row per node of the snapshot, in natural id order: id, state, roles (system leader,
// leader of N networks), the networks it is a member of, its interfaces. Sort it through a
// QSortFilterProxyModel with setSortRole(dmr::console::SortRole).

#include "model_roles.h"

#include "dmr/snapshot.h"

#include "synced_table_model.h"
#include <QSet>
#include <QStringList>

namespace dmr::console {

class NodeTableModel : public SyncedTableModel
{
    Q_OBJECT

public:
    enum Column : int {
        IdColumn,
        StateColumn,
        RolesColumn,
        NetworksColumn,
        InterfacesColumn,
        ColumnCount
    };
    enum Role : int {
        NodeIdRole = FirstModelRole, // QString, any column
        NodeStateRole,               // QString, the wire name: "up", "down", "failed", "drained"
        IsSystemLeaderRole,          // bool
        LedNetworksRole,             // QStringList: the networks it is the routing point of
        NetworksRole,                // QStringList: the groups it is a member of, in group order
        FailedAdaptersRole,          // QStringList
    };

    // What one row shows, computed from a snapshot.
    struct Row
    {
        QString id;
        dmr::NodeState state = dmr::NodeState::Down;
        bool systemLeader = false;
        QStringList leads;
        QStringList networks;
        QStringList interfaces;     // "eth0 10.0.1.1/24"
        QStringList interfaceNames; // "eth0"
        QStringList failedAdapters;
        bool neverJoined = false; // an expected node no snapshot had
        bool operator==(const Row &) const = default;
    };
    static QList<Row> rowsOf(const dmr::Snapshot &snapshot, const QSet<QString> &neverJoined = {});

    explicit NodeTableModel(QObject *parent = nullptr);

    // Takes the nodes of a snapshot: rows come and go with row signals, changed rows get
    // dataChanged; a reset only when the order of the nodes that stay changed.
    void setSnapshot(const dmr::Snapshot &snapshot, const QSet<QString> &neverJoined = {});
    void clear();

    int rowOf(const QString &nodeId) const; // -1 when absent
    QString nodeAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void setRows(const QList<Row> &rows);
    QString rolesText(const Row &row) const;

    QList<Row> rows_;
};

} // namespace dmr::console
