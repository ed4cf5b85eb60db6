#pragma once
// What the relay's limits kept out, from the routing points' get-state (RelayStatePoller): per
// tunnel end, what its rate limit dropped; per channel range of each routing point, what the
// range's rate limit, the boundaries and the threshold dropped at ingest. A boundary and the
// threshold act where a datagram is heard, before any tunnel is chosen, so a tunnel has only its
// rate limit.
//
// Each answer is compared with the node's previous one: a row whose drops grew since then is
// "growing", with a rate (drops per second over the time between the two answers, on the
// console's clock, which the caller passes in). The table: one row per tunnel end, then one per
// channel range, by node.

#include "model_roles.h"
#include "synced_table_model.h"

#include "client/records.h"

#include <QHash>

#include <optional>

namespace dmr::console {

class LimitModel : public SyncedTableModel
{
    Q_OBJECT

public:
    enum Column : int {
        WhereColumn,     // "2 → 6" or "239.1.0.0/16:5000-5100"
        NodeColumn,      // the node that counted
        RateLimitColumn, // kept out by the rate limit: datagrams (bytes)
        BoundaryColumn,  // a channel's: its group is bounded where it was heard
        ThresholdColumn, // a channel's: heard with a TTL below relay.threshold
        NowColumn,       // drops per second since the node's previous answer
        ColumnCount
    };
    enum Role : int {
        KindRole = FirstModelRole, // QString: "tunnel" or "channel"
        NodeRole,                  // QString
        PeerRole,                  // QString: a tunnel end's peer
        ChannelRole,               // QString: a channel row's range
        DroppedRole,               // qint64: every drop of the row so far
        GrowingRole,               // bool: it dropped more since the node's previous answer
        PerSecondRole,             // double, or invalid before a second answer
    };

    // A row's counters; nullopt: the agent does not count it (an older one, or a tunnel's
    // boundary and threshold, which do not apply).
    struct Counters
    {
        std::optional<qint64> limitedPackets;
        std::optional<qint64> limitedBytes;
        std::optional<qint64> boundaryPackets;
        std::optional<qint64> belowThresholdPackets;
        qint64 dropped() const; // the datagrams of the three, what is known of them
        bool operator==(const Counters &) const = default;
    };

    struct Row
    {
        enum class Kind : quint8 { Tunnel, Channel };
        Kind kind = Kind::Tunnel;
        QString node;
        QString peer;    // a tunnel end's
        QString channel; // a channel row's
        Counters counters;
        qint64 grew = 0;                 // datagrams dropped since the node's previous answer
        std::optional<double> perSecond; // over that time; nullopt before a second answer
        bool growing() const { return grew > 0; }
        QString key() const;
        bool operator==(const Row &) const = default;
    };

    explicit LimitModel(QObject *parent = nullptr);

    // A routing point's get-state, answered at atMs (the console's monotonic clock, ms); its
    // rows replace that node's.
    void setState(const QString &node, const dmr::console::RelayState &state, qint64 atMs);
    // The node could not be asked: its rows go (it may be gone); its next answer starts anew.
    void setFailed(const QString &node);
    void clear();

    const QList<Row> &rows() const { return rows_; }
    // The row of what `from` kept out of its tunnel to `to`; nullptr when not known.
    const Row *tunnelEnd(const QString &from, const QString &to) const;
    // For a tunnel's label, both ends together: "120 dropped"; empty when neither end dropped
    // anything or neither is known.
    QString tunnelLabel(const QString &root, const QString &leaf) const;
    // Either end's drops grew at its last answer.
    bool tunnelGrowing(const QString &root, const QString &leaf) const;
    // Both ends' rate limit drops, for the tunnel's tool tip; empty when neither is known.
    QString tunnelText(const QString &root, const QString &leaf) const;
    // The node's channel ranges and what the limits dropped of each, and the limits in force,
    // for its details; empty when the node's state is not known.
    QString nodeText(const QString &node) const;
    // "2 → 6, 239.1.0.0/16:5000-5100 at node 2": the rows growing now.
    QStringList growingRows() const;
    qint64 droppedTotal() const;
    bool hasStates() const { return !states_.isEmpty(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    // After an answer or a failure changed the rows (the scene redraws the tunnels' labels); an
    // answer that changes nothing emits nothing.
    void dropsChanged();

private:
    struct NodeState
    {
        RelayState state;
        qint64 atMs = 0;
        QList<Row> rows;
    };
    void rebuild();
    const dmr::reply::RelayLimits *limitsOf(const QString &node) const; // nullptr: not known
    QString rateLimitText(const Row &r) const;
    QString rateLimitTip(const Row &r) const;

    QHash<QString, NodeState> states_;
    QList<Row> rows_;
};

// "96.0 kB", "1.2 MB", "512 B": a byte count for people.
QString formatBytes(qint64 bytes);
// "60/s", "0.5/s".
QString formatPerSecond(double perSecond);

} // namespace dmr::console
