#include "history_model.h"

#include "format.h"

#include <QDateTime>

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
    syncTable(records_, records, [](const FailoverRecord &r) { return r.key(); });
}

void HistoryModel::mergeRecords(const QList<FailoverRecord> &records)
{
    QList<FailoverRecord> merged = records_;
    QHash<QString, qsizetype> at;
    for (qsizetype i = 0; i < merged.size(); ++i)
        at.insert(merged[i].key(), i);
    for (const auto &r : records) {
        const QString key = r.key();
        const auto it = at.constFind(key);
        if (it == at.cend()) {
            at.insert(key, merged.size());
            merged.append(r);
            continue;
        }
        FailoverRecord &held = merged[*it];
        // A complete record beats an incomplete one; from the same agent, the later revision.
        const bool completes = r.totalMs && !held.totalMs;
        const bool newer = r.agent == held.agent && r.rev >= held.rev &&
                           (r.totalMs.has_value() || !held.totalMs.has_value());
        if (completes || newer)
            held = r;
    }
    std::stable_sort(
        merged.begin(), merged.end(),
        [](const FailoverRecord &a, const FailoverRecord &b) { return a.failedMs < b.failedMs; });
    if (merged.size() > kMergedMax)
        merged.erase(merged.begin(), merged.begin() + (merged.size() - kMergedMax));
    setRecords(merged);
}

int HistoryModel::rowOfKey(const QString &key) const
{
    for (int row = 0; row < records_.size(); ++row)
        if (records_[row].key() == key)
            return row;
    return -1;
}

QByteArray HistoryModel::toCsv() const
{
    const auto field = [](QString text) {
        if (text.contains(u',') || text.contains(u'"') || text.contains(u'\n')) {
            text.replace(u'"', QStringLiteral("\"\""));
            text = u'"' + text + u'"';
        }
        return text;
    };
    const auto iso = [](qint64 ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
    };
    const auto opt = [](const std::optional<qint64> &v) {
        return v ? QString::number(*v) : QString();
    };
    QStringList lines;
    lines << QStringLiteral("failed_utc,node,cause,roles,successors,view_id,agent,detection_ms,"
                            "election_ms,tunnels_ms,total_ms,silent_ms,skew_ms,detected_utc,"
                            "elected_utc,tunnels_up_utc");
    for (const auto &r : records_) {
        QStringList successors;
        for (const auto &s : r.successors)
            successors << s.role + u'=' + (s.node.isEmpty() ? QStringLiteral("-") : s.node);
        lines << QStringList{iso(r.failedMs),
                             field(r.node),
                             field(r.cause),
                             field(r.roles.join(u';')),
                             field(successors.join(u';')),
                             field(r.viewId),
                             field(r.agent),
                             QString::number(r.detectionMs),
                             opt(r.electionMs),
                             opt(r.tunnelsMs),
                             opt(r.totalMs),
                             QString::number(r.silentMs),
                             QString::number(r.skewMs),
                             iso(r.detectedMs),
                             iso(r.electedMs),
                             r.tunnelsUpMs ? iso(*r.tunnelsUpMs) : QString()}
                     .join(u',');
    }
    return (lines.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n")).toUtf8();
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
            return r.failedMs;
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
        case DetectionColumn:
            return r.detectionMs;
        case ElectionColumn:
            return orNull(r.electionMs);
        case TunnelsColumn:
            return orNull(r.tunnelsMs);
        case TotalColumn:
            return orNull(r.totalMs);
        }
        return {};
    };
    const auto successorsText = [&] {
        QStringList parts;
        for (const auto &s : r.successors)
            parts << tr("%1: %2").arg(describeRole(s.role),
                                      s.node.isEmpty() ? tr("nobody") : s.node);
        return parts.join(QStringLiteral(", "));
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case TimeColumn:
            return formatTime(r.failedMs);
        case CauseColumn:
            return describeCause(r.cause);
        case RolesColumn: {
            QStringList roles;
            for (const auto &lost : r.roles)
                roles << describeRole(lost);
            return roles.join(QStringLiteral(", "));
        }
        case SuccessorsColumn:
            return successorsText();
        default:
            return raw();
        }
    case Qt::ToolTipRole:
        switch (column) {
        case TimeColumn:
            return tr("failed %1 (recorded by agent %2)\ndetected %3\nnew plan %4 (view %5)\n"
                      "tunnels up %6")
                .arg(formatDateTime(r.failedMs), r.agent.isEmpty() ? tr("?") : r.agent,
                     formatDateTime(r.detectedMs), formatDateTime(r.electedMs), r.viewId,
                     r.tunnelsUpMs ? formatDateTime(*r.tunnelsUpMs) : tr("not yet"));
        case CauseColumn:
            return tr("%1 (%2)").arg(describeCause(r.cause), r.cause);
        case RolesColumn:
        case SuccessorsColumn:
            return data(index, Qt::DisplayRole);
        case DetectionColumn:
            return r.cause == u"silent" || r.cause == u"lease-expired"
                       ? tr("from when node %1 was last heard to when it was declared failed "
                            "(silent for %2 ms)")
                             .arg(r.node)
                             .arg(r.silentMs)
                       : tr("from the failure to the first survivor noticing it (the last "
                            "heartbeat had come %1 ms before)")
                             .arg(r.silentMs);
        case ElectionColumn:
            return tr("from detection to the new plan");
        case TunnelsColumn:
        case TotalColumn:
            if (!r.tunnelsMs)
                return tr("waiting for the new routing points to report their tunnels up");
            if (column == TunnelsColumn)
                return tr("from the new plan to the last new tunnel up");
            return r.skewMs > 0
                       ? tr("from the failure to the last new tunnel up: the whole outage "
                            "(agents' clocks %1 ms apart)")
                             .arg(r.skewMs)
                       : tr("from the failure to the last new tunnel up: the whole outage");
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column >= DetectionColumn)
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
    case KeyRole:
        return r.key();
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
        return tr("Failed");
    case NodeColumn:
        return tr("Node");
    case CauseColumn:
        return tr("Cause");
    case RolesColumn:
        return tr("Roles lost");
    case SuccessorsColumn:
        return tr("Successors");
    case DetectionColumn:
        return tr("Detection (ms)");
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
    names.insert(KeyRole, "key");
    return names;
}

} // namespace dmr::console
