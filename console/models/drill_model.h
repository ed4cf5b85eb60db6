#pragma once
// The drills the agent took or carried out (get-drills), oldest first: the audit trail of who
// rehearsed what failure, when, why, and whether it is still in force.

#include "model_roles.h"

#include "client/records.h"

#include "synced_table_model.h"

namespace dmr::console {

class DrillModel : public SyncedTableModel
{
    Q_OBJECT

public:
    enum Column : int {
        StartedColumn,
        ActionColumn,
        NodeColumn,
        InterfaceColumn,
        ReasonColumn,
        ClientColumn,
        DurationColumn, // ms; empty: until a restore
        EndedColumn,    // empty while in force
        ViaColumn,
        ColumnCount
    };
    enum Role : int {
        RecordIdRole = FirstModelRole, // qint64
        ActionRole,                    // QString, the wire name: "fail-adapter"
        NodeIdRole,                    // QString
        InForceRole,                   // bool: not ended yet
    };

    explicit DrillModel(QObject *parent = nullptr);

    // Rows are matched by the drill they record (drillKey), not by the agent's record id: an
    // agent that forwarded a drill and its target both list it, under ids of their own.
    void setRecords(const QList<DrillRecord> &records);
    // What the console does as it moves from agent to agent: the agents' lists are joined, so
    // that a drill stays in the audit view after the agent that held it is gone (a killed
    // system leader takes its drill record with it). A restore ends the drills in force on its
    // node started before it (the agent holding them may be out of reach). A drill already
    // listed takes the newer
    // report (it ended meanwhile). Rows stay in start order; the oldest beyond kMergedMax go.
    void mergeRecords(const QList<DrillRecord> &records);
    static constexpr int kMergedMax = 5000;
    // node, action, interface and start time: the same on every agent that lists the drill.
    static QString drillKey(const DrillRecord &record);
    void clear() { setRecords({}); }
    const QList<DrillRecord> &records() const { return records_; }
    DrillRecord recordAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    QList<DrillRecord> records_;
};

} // namespace dmr::console
