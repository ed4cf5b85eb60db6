#pragma once
// The failovers the agents have seen (get-history), oldest first: when the failure happened,
// which node, why, the roles it lost, who took them over, and the phases of the outage in ms
// (detection, election, tunnels; total, their sum). A duration the agent reports as null (tunnels
// not up yet) shows as an empty cell and is an invalid QVariant in RawValueRole. Every cell's
// full text is its tool tip.
//
// The records of several agents merge into one row per failover (FailoverRecord::key: a departure
// by the node and when it was declared gone, whichever view each agent installed it in; other
// changes by the node and the view that removed its roles): the console that moves from one agent
// to another shows each failover once, whoever recorded it.

#include "model_roles.h"

#include "client/records.h"

#include "synced_table_model.h"

namespace dmr::console {

class HistoryModel : public SyncedTableModel
{
    Q_OBJECT

public:
    enum Column : int {
        TimeColumn, // failed_ms
        NodeColumn,
        CauseColumn,
        RolesColumn,
        SuccessorsColumn,
        DetectionColumn, // detection_ms
        ElectionColumn,  // election_ms
        TunnelsColumn,   // tunnels_ms
        TotalColumn,     // total_ms
        ColumnCount
    };
    enum Role : int {
        RecordIdRole = FirstModelRole, // qint64
        NodeIdRole,                    // QString
        CauseRole,                     // QString, the wire name
        TunnelsUpRole,                 // bool: the new routing points reported their tunnels up
        KeyRole,                       // QString: FailoverRecord::key
    };
    static constexpr int kMergedMax = 2000;

    explicit HistoryModel(QObject *parent = nullptr);

    // Rows are matched by record id: new records are inserted, dropped ones removed, updated
    // ones (tunnels came up) get dataChanged. All from one agent.
    void setRecords(const QList<FailoverRecord> &records);
    // Joins records of any agent with those held: one row per failover (a record that completes
    // one held, or a later revision of it, takes its place), sorted by the failure's time, the
    // newest kMergedMax kept.
    void mergeRecords(const QList<FailoverRecord> &records);
    void clear() { setRecords({}); }
    const QList<FailoverRecord> &records() const { return records_; }
    FailoverRecord recordAt(int row) const;
    int rowOfKey(const QString &key) const;

    // Every row as CSV (RFC 4180): a header line, then one line per failover, times in UTC
    // ISO 8601, durations in ms.
    QByteArray toCsv() const;

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
