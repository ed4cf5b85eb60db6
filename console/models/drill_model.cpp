#include "drill_model.h"

#include "format.h"

#include <QHash>

#include <algorithm>
#include <limits>

namespace dmr::console {

DrillModel::DrillModel(QObject *parent)
    : SyncedTableModel(parent)
{
}

QString DrillModel::drillKey(const DrillRecord &record)
{
    return record.node + u'\n' + record.action + u'\n' + record.iface + u'\n' +
           QString::number(record.startedMs);
}

void DrillModel::setRecords(const QList<DrillRecord> &records)
{
    syncTable(records_, records, &DrillModel::drillKey);
}

void DrillModel::mergeRecords(const QList<DrillRecord> &records)
{
    QList<DrillRecord> merged = records_;
    QHash<QString, qsizetype> at;
    for (qsizetype i = 0; i < merged.size(); ++i)
        at.insert(drillKey(merged[i]), i);
    for (const auto &r : records) {
        const QString key = drillKey(r);
        if (const auto it = at.constFind(key); it != at.cend()) {
            // A drill that ended stays ended: the agent that took it may not know yet.
            const auto ended = merged[*it].endedMs;
            merged[*it] = r;
            if (!r.endedMs && ended)
                merged[*it].endedMs = ended;
        } else {
            at.insert(key, merged.size());
            merged.append(r);
        }
    }
    std::stable_sort(merged.begin(), merged.end(), [](const DrillRecord &a, const DrillRecord &b) {
        return a.startedMs < b.startedMs;
    });
    // A restore ends what was in force on its node (that adapter only, when it names one), as
    // the node's agent does: the agent that holds the drill's record may be one this console
    // no longer reaches (a killed node's own, when the console had to move).
    for (const auto &restore : std::as_const(merged)) {
        if (restore.action != u"restore")
            continue;
        for (auto &d : merged)
            if (d.action != u"restore" && !d.endedMs && d.node == restore.node &&
                d.startedMs <= restore.startedMs &&
                (restore.iface.isEmpty() || d.iface == restore.iface))
                d.endedMs = restore.startedMs;
    }
    if (merged.size() > kMergedMax)
        merged.erase(merged.begin(), merged.begin() + (merged.size() - kMergedMax));
    setRecords(merged);
}

DrillRecord DrillModel::recordAt(int row) const
{
    return row >= 0 && row < records_.size() ? records_[row] : DrillRecord{};
}

int DrillModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(records_.size());
}

int DrillModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DrillModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DrillRecord &d = records_[index.row()];
    const int column = index.column();
    const auto raw = [&]() -> QVariant {
        switch (column) {
        case StartedColumn:
            return d.startedMs;
        case ActionColumn:
            return d.action;
        case NodeColumn:
            return d.node;
        case InterfaceColumn:
            return d.iface;
        case ReasonColumn:
            return d.reason;
        case ClientColumn:
            return d.client;
        case DurationColumn:
            return d.durationMs ? QVariant(*d.durationMs) : QVariant();
        case EndedColumn:
            return d.endedMs ? QVariant(*d.endedMs) : QVariant();
        case ViaColumn:
            return d.via;
        }
        return {};
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case StartedColumn:
            return formatTime(d.startedMs);
        case ActionColumn:
            return drillActionText(d.action);
        case EndedColumn:
            return d.endedMs ? formatTime(*d.endedMs) : QString();
        default:
            return raw();
        }
    case Qt::ToolTipRole:
        switch (column) {
        case StartedColumn:
            return formatDateTime(d.startedMs);
        case DurationColumn:
            return d.durationMs ? QVariant() : QVariant(tr("until a restore"));
        case EndedColumn:
            return d.endedMs ? QVariant(formatDateTime(*d.endedMs)) : QVariant(tr("in force"));
        case ViaColumn:
            return d.via.isEmpty() ? QVariant() : QVariant(tr("forwarded by agent %1").arg(d.via));
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == DurationColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case RawValueRole:
        return raw();
    case SortRole:
        switch (column) {
        case DurationColumn:
            return d.durationMs.value_or(std::numeric_limits<qint64>::max());
        case EndedColumn:
            return d.endedMs.value_or(std::numeric_limits<qint64>::max());
        default:
            return raw();
        }
    case RecordIdRole:
        return d.id;
    case ActionRole:
        return d.action;
    case NodeIdRole:
        return d.node;
    case InForceRole:
        return !d.endedMs.has_value();
    default:
        return {};
    }
}

QVariant DrillModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StartedColumn:
        return tr("Started");
    case ActionColumn:
        return tr("Action");
    case NodeColumn:
        return tr("Node");
    case InterfaceColumn:
        return tr("Interface");
    case ReasonColumn:
        return tr("Reason");
    case ClientColumn:
        return tr("Client");
    case DurationColumn:
        return tr("Duration (ms)");
    case EndedColumn:
        return tr("Ended");
    case ViaColumn:
        return tr("Via");
    }
    return {};
}

QHash<int, QByteArray> DrillModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(RawValueRole, "rawValue");
    names.insert(SortRole, "sortValue");
    names.insert(RecordIdRole, "recordId");
    names.insert(ActionRole, "action");
    names.insert(NodeIdRole, "nodeId");
    names.insert(InForceRole, "inForce");
    return names;
}

} // namespace dmr::console
