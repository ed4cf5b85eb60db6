#include "history_model.h"

#include "format.h"

#include <limits>

namespace dmr::console {

namespace {

QVariant orNull(const std::optional<qint64> &v)
{
    return v ? QVariant(*v) : QVariant();
}

// Null sorts after every value.
QVariant sortable(const std::optional<qint64> &v)
{
    return v ? *v : std::numeric_limits<qint64>::max();
}

} // namespace

HistoryModel::HistoryModel(QObject *parent)
    : SyncedTableModel(parent)
{
}

void HistoryModel::setRecords(const QList<FailoverRecord> &records)
{
    syncTable(records_, records, [](const FailoverRecord &r) { return r.id; });
}

FailoverRecord HistoryModel::recordAt(int row) const
{
    return row >= 0 && row < records_.size() ? records_[row] : FailoverRecord{};
}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(records_.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FailoverRecord &r = records_[index.row()];
    const int column = index.column();
    const auto raw = [&]() -> QVariant {
        switch (column) {
        case TimeColumn:
            return r.detectedMs;
        case NodeColumn:
            return r.node;
        case CauseColumn:
            return r.cause;
        case RolesColumn:
            return r.roles;
        case SuccessorsColumn: {
            QStringList nodes;
            for (const auto &s : r.successors)
                nodes << s.node;
            return nodes;
        }
        case SilentColumn:
            return r.silentMs;
        case ElectionColumn:
            return orNull(r.electionMs);
        case TunnelsColumn:
            return orNull(r.tunnelsMs);
        case TotalColumn:
            return orNull(r.totalMs);
        }
        return {};
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case TimeColumn:
            return formatTime(r.detectedMs);
        case RolesColumn: {
            QStringList roles;
            for (const auto &lost : r.roles)
                roles << describeRole(lost);
            return roles.join(QStringLiteral(", "));
        }
        case SuccessorsColumn: {
            QStringList parts;
            for (const auto &s : r.successors)
                parts << tr("%1: %2").arg(describeRole(s.role),
                                          s.node.isEmpty() ? tr("nobody") : s.node);
            return parts.join(QStringLiteral(", "));
        }
        default:
            return raw();
        }
    case Qt::ToolTipRole:
        if (column == TimeColumn)
            return tr("detected %1, new view %2 at %3")
                .arg(formatDateTime(r.detectedMs), r.viewId, formatDateTime(r.electedMs));
        if ((column == TunnelsColumn || column == TotalColumn) && !r.tunnelsMs)
            return tr("waiting for the new routing points to report their tunnels up");
        return {};
    case Qt::TextAlignmentRole:
        if (column >= SilentColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case RawValueRole:
        return raw();
    case SortRole:
        switch (column) {
        case ElectionColumn:
            return sortable(r.electionMs);
        case TunnelsColumn:
            return sortable(r.tunnelsMs);
        case TotalColumn:
            return sortable(r.totalMs);
        case RolesColumn:
        case SuccessorsColumn:
            return data(index, Qt::DisplayRole);
        default:
            return raw();
        }
    case RecordIdRole:
        return r.id;
    case NodeIdRole:
        return r.node;
    case CauseRole:
        return r.cause;
    case TunnelsUpRole:
        return r.tunnelsUpMs.has_value();
    default:
        return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Detected");
    case NodeColumn:
        return tr("Node");
    case CauseColumn:
        return tr("Cause");
    case RolesColumn:
        return tr("Roles lost");
    case SuccessorsColumn:
        return tr("Successors");
    case SilentColumn:
        return tr("Silent (ms)");
    case ElectionColumn:
        return tr("Election (ms)");
    case TunnelsColumn:
        return tr("Tunnels (ms)");
    case TotalColumn:
        return tr("Total (ms)");
    }
    return {};
}

QHash<int, QByteArray> HistoryModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(RawValueRole, "rawValue");
    names.insert(SortRole, "sortValue");
    names.insert(RecordIdRole, "recordId");
    names.insert(NodeIdRole, "nodeId");
    names.insert(CauseRole, "cause");
    names.insert(TunnelsUpRole, "tunnelsUp");
    return names;
}

} // namespace dmr::console
