#pragma once
// A flat table model whose rows are brought to a new list with row removals, insertions and
// dataChanged (syncRows in row_sync.h), falling back to a reset only when rows that stay change
// their order. The node, history and drill tables share it.

#include "row_sync.h"

#include <QAbstractTableModel>

namespace dmr::console {

class SyncedTableModel : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;

protected:
    // Brings `rows` (the model's storage) to `target`; keyOf gives a row's stable identity.
    template<typename Row, typename KeyOf>
    void syncTable(QList<Row> &rows, const QList<Row> &target, KeyOf keyOf)
    {
        const bool synced = syncRows(
            rows, target, keyOf,
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
            [this, &rows](int row, const Row &value) {
                rows[row] = value;
                emit dataChanged(index(row, 0), index(row, columnCount({}) - 1));
            });
        if (!synced) {
            beginResetModel();
            rows = target;
            endResetModel();
        }
    }
};

} // namespace dmr::console
