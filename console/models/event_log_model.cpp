#include "event_log_model.h"

#include "format.h"

#include <QSet>

#include <algorithm>

namespace dmr::console {

EventLogModel::EventLogModel(QObject *parent)
    : EventLogModel(kDefaultCapacity, parent)
{
}

EventLogModel::EventLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , capacity_(std::max(1, capacity))
{
}

int EventLogModel::append(const ConsoleEvent &event)
{
    return append(QList<ConsoleEvent>{event});
}

bool EventLogModel::contains(const ConsoleEvent &event) const
{
    const QString key = event.key();
    return !key.isEmpty() && keys_.contains(key);
}

int EventLogModel::append(const QList<ConsoleEvent> &all)
{
    QList<ConsoleEvent> events;
    QSet<QString> batch;
    for (const auto &e : all) {
        const QString key = e.key();
        if (!key.isEmpty() && (keys_.contains(key) || batch.contains(key)))
            continue; // already shown, as another agent reported it
        if (!key.isEmpty())
            batch.insert(key);
        events << e;
    }
    if (events.isEmpty())
        return 0;
    const auto forget = [this](const Entry &entry) {
        const QString key = entry.event.key();
        if (key.isEmpty())
            return;
        if (auto it = keys_.find(key); it != keys_.end() && --*it <= 0)
            keys_.erase(it);
    };
    // Only the newest capacity_ of the batch can stay.
    const int skip = std::max(0, int(events.size()) - capacity_);
    const int incoming = int(events.size()) - skip;
    const int drop = std::max(0, count_ + incoming - capacity_);
    if (drop > 0) {
        beginRemoveRows({}, 0, drop - 1);
        for (int row = 0; row < drop; ++row)
            forget(at(row));
        if (ring_.size() < capacity_)
            ring_.remove(0, drop); // not full yet: the rows are the slots, head_ stays 0
        else
            head_ = (head_ + drop) % capacity_;
        count_ -= drop;
        endRemoveRows();
    }
    beginInsertRows({}, count_, count_ + incoming - 1);
    for (int i = skip; i < int(events.size()); ++i) {
        Entry entry{events[i], describe(events[i])};
        if (const QString key = events[i].key(); !key.isEmpty())
            ++keys_[key];
        if (ring_.size() < capacity_) {
            ring_.append(std::move(entry)); // not full yet: head_ is 0, row == slot
        } else {
            ring_[(head_ + count_) % capacity_] = std::move(entry);
        }
        ++count_;
    }
    endInsertRows();
    return incoming;
}

void EventLogModel::clear()
{
    if (count_ == 0)
        return;
    beginResetModel();
    ring_.clear();
    keys_.clear();
    head_ = 0;
    count_ = 0;
    endResetModel();
}

const EventLogModel::Entry &EventLogModel::at(int row) const
{
    return ring_[(head_ + row) % int(ring_.size())];
}

ConsoleEvent EventLogModel::eventAt(int row) const
{
    return row >= 0 && row < count_ ? at(row).event : ConsoleEvent{};
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count_;
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString EventLogModel::kindText(const ConsoleEvent &event) const
{
    switch (event.kind) {
    case ConsoleEvent::Kind::ViewChanged:
        return tr("view changed");
    case ConsoleEvent::Kind::PlanChanged:
        return tr("plan changed");
    case ConsoleEvent::Kind::Failover:
        return tr("failover");
    case ConsoleEvent::Kind::Drill:
        return tr("drill");
    case ConsoleEvent::Kind::Other:
        break;
    }
    return event.kindName;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = at(index.row());
    const ConsoleEvent &e = entry.event;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return formatTime(e.timeMs);
        case KindColumn:
            return kindText(e);
        case SummaryColumn:
            return entry.summary;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn)
            return e.agent.isEmpty()
                       ? formatDateTime(e.timeMs)
                       : tr("%1, reported by agent %2").arg(formatDateTime(e.timeMs), e.agent);
        if (index.column() == SummaryColumn)
            return entry.summary;
        if (index.column() == KindColumn)
            return kindText(e);
        return {};
    case RawValueRole:
        switch (index.column()) {
        case TimeColumn:
            return e.timeMs;
        case KindColumn:
            return e.kindName;
        case SummaryColumn:
            return entry.summary;
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case TimeColumn:
            return e.timeMs;
        case KindColumn:
            return e.kindName;
        case SummaryColumn:
            return entry.summary;
        }
        return {};
    case EventKindRole:
        return int(e.kind);
    case KindNameRole:
        return e.kindName;
    case TimeMsRole:
        return e.timeMs;
    case AgentRole:
        return e.agent;
    case GroupRole:
        return e.group;
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case KindColumn:
        return tr("Event");
    case SummaryColumn:
        return tr("Summary");
    }
    return {};
}

QHash<int, QByteArray> EventLogModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(RawValueRole, "rawValue");
    names.insert(SortRole, "sortValue");
    names.insert(EventKindRole, "eventKind");
    names.insert(KindNameRole, "kindName");
    names.insert(TimeMsRole, "timeMs");
    names.insert(AgentRole, "agent");
    names.insert(GroupRole, "group");
    return names;
}

} // namespace dmr::console
