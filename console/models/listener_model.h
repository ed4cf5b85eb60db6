#pragma once
// Who listens where, and which way each group goes: the routing points' relay state (their
// get-state, RelayStatePoller) put together with the snapshot. A network is described by its
// routing point (the node that routes and queries it); when that one has not answered, by
// another member that did (every node on a network snoops the same reports).
//
// As a table, one row per group, in order: the networks that want it, and its path, the
// tunnels it goes through. A tunnel end sends into the tunnel what its peer wants (its
// peer_wants); a peer that has said nothing yet (null) gets everything, and the group goes that
// way too ("floods"). An end whose agent predates pruning says nothing: unknown.

#include "model_roles.h"
#include "synced_table_model.h"

#include "client/records.h"

#include "dmr/snapshot.h"

#include <QHash>

namespace dmr::console {

class ListenerModel : public SyncedTableModel
{
    Q_OBJECT

public:
    enum Column : int { GroupColumn, NetworksColumn, PathColumn, ColumnCount };
    enum Role : int {
        GroupRole = FirstModelRole, // QString
        NetworksRole,               // QStringList: the networks that want it
        PathRole,                   // QStringList: "2 → 6" for each tunnel it goes into
    };

    // What one tunnel end sends into the tunnel.
    struct Carry
    {
        enum class Kind : quint8 {
            Unknown,    // no word from that end (not asked yet, or an agent before pruning)
            Everything, // its peer said nothing yet, or the end does not prune
            Groups,     // these groups (none: nothing goes in)
        };
        Kind kind = Kind::Unknown;
        QStringList groups;
        std::optional<qint64> pruned; // datagrams kept out because the peer did not want them
        bool operator==(const Carry &) const = default;
    };

    // A network's listeners as one node sees them.
    struct Network
    {
        QString network;
        QString router; // its routing point; empty when none
        QString seenBy; // the node whose table this is; empty: nobody answered
        bool known = false;
        QString unknownWhy; // when not known, translated
        QString querier;    // "node 2" or an address; empty when none or unknown
        QList<dmr::reply::ListenerGroup> groups;
        bool operator==(const Network &) const = default;
    };

    struct Row
    {
        QString group;
        QStringList networks;
        QStringList path;     // "2 → 6": tunnel ends whose peer wants it
        QStringList flooding; // "2 → 4": ends that send everything (their peer has said nothing)
        bool operator==(const Row &) const = default;
    };

    explicit ListenerModel(QObject *parent = nullptr);

    void setSnapshot(const dmr::Snapshot &snapshot);
    // A routing point's get-state; replaces what that node said before.
    void setState(const QString &node, const dmr::console::RelayState &state);
    // The node could not be asked: what it said before is forgotten (it may be gone).
    void setFailed(const QString &node, const QString &why);
    void clear();

    Network network(const QString &network) const;
    // What `from` sends into its tunnel with `to`.
    Carry carry(const QString &from, const QString &to) const;
    // The network's listeners for a tool tip or a side panel: a few lines, translated.
    QString networkText(const QString &network) const;
    // "carries 3 groups", "carries everything", "carries nothing"; empty when unknown.
    static QString carryText(const Carry &carry);
    // "3 groups", "everything", "nothing"; empty when unknown: for a tunnel's label.
    static QString groupsText(const Carry &carry);
    // Both ways of the tunnel between root and leaf, for its tool tip; empty when unknown.
    QString tunnelText(const QString &root, const QString &leaf) const;
    bool hasStates() const { return !states_.isEmpty(); }
    const QList<Row> &rows() const { return rows_; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    // The networks' listeners or the tunnels' carries changed (the scene redraws its labels).
    void listenersChanged();

private:
    void rebuild();

    dmr::Snapshot snapshot_;
    QHash<QString, RelayState> states_;
    QHash<QString, QString> failures_;
    QList<Row> rows_;
};

// "1.2 s", "4 min 10 s", "2 h 5 min": an age or a time left.
QString formatAge(qint64 ms);

} // namespace dmr::console
