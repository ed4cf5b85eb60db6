#pragma once
// The recent events, oldest first, in a bounded ring (5000 rows by default): when it is full,
// each new event drops the oldest (a row removal at the top, then an insertion at the bottom).
// One change heard from two agents (the console moved, and the new agent replayed what it
// kept) is one row: an event whose ConsoleEvent::key is already in the ring is dropped.

#include "model_roles.h"

#include "client/records.h"

#include <QAbstractTableModel>

namespace dmr::console {

class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    static constexpr int kDefaultCapacity = 5000;

    enum Column : int { TimeColumn, KindColumn, SummaryColumn, ColumnCount };
    enum Role : int {
        EventKindRole = FirstModelRole, // int: ConsoleEvent::Kind
        KindNameRole,                   // QString: the wire name, "failover"
        TimeMsRole,                     // qint64: ms since the epoch, the agent's clock
        AgentRole,                      // QString: the agent that reported it
        GroupRole,                      // QString: view-changed and failover events
    };

    explicit EventLogModel(QObject *parent = nullptr);
    EventLogModel(int capacity, QObject *parent);

    // Returns how many of the events were new (not already in the ring).
    int append(const ConsoleEvent &event);
    int append(const QList<ConsoleEvent> &events);
    void clear();
    bool contains(const ConsoleEvent &event) const;

    int capacity() const { return capacity_; }
    ConsoleEvent eventAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    struct Entry
    {
        ConsoleEvent event;
        QString summary;
    };
    const Entry &at(int row) const;
    QString kindText(const ConsoleEvent &event) const;

    int capacity_;
    QHash<QString, int> keys_; // the keys of the events in the ring, with their counts
    QList<Entry> ring_;        // grows to capacity_, then is overwritten from head_
    int head_ = 0;             // the slot of row 0
    int count_ = 0;
};

} // namespace dmr::console
