#pragma once
// The failovers the agent has seen (get-history), oldest first: when, which node, why, the
// roles it lost, who took them over, and the timings in ms. A duration the agent reports as
// null (tunnels not up yet) shows as an empty cell and is an invalid QVariant in RawValueRole.

#include "model_roles.h"

#include "client/records.h"

#include "synced_table_model.h"

namespace dmr::console {

class HistoryModel : public SyncedTableModel
{
    Q_OBJECT

public:
    enum Column : int {
        TimeColumn, // detected_ms
        NodeColumn,
        CauseColumn,
        RolesColumn,
        SuccessorsColumn,
        SilentColumn,   // silent_ms
        ElectionColumn, // election_ms
        TunnelsColumn,  // tunnels_ms
        TotalColumn,    // total_ms
        ColumnCount
    };
    enum Role : int {
        RecordIdRole = FirstModelRole, // qint64
        NodeIdRole,                    // QString
        CauseRole,                     // QString, the wire name
        TunnelsUpRole,                 // bool: the new routing points reported their tunnels up
    };

    explicit HistoryModel(QObject *parent = nullptr);

    // Rows are matched by record id: new records are inserted, dropped ones removed, updated
    // ones (tunnels came up) get dataChanged.
    void setRecords(const QList<FailoverRecord> &records);
    void clear() { setRecords({}); }
    const QList<FailoverRecord> &records() const { return records_; }
    FailoverRecord recordAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    QList<FailoverRecord> records_;
};

} // namespace dmr::console
