#include "listener_model.h"

#include "format.h"

#include "client/tr.h"

#include <QSet>

#include <algorithm>

namespace dmr::console {

namespace {

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

QStringList qs(const std::vector<std::string> &v)
{
    QStringList out;
    for (const auto &s : v)
        out << q(s);
    return out;
}

} // namespace

QString formatAge(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    if (ms < 60000)
        return Tr::tr("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    const qint64 s = ms / 1000;
    if (s < 3600)
        return Tr::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return Tr::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

ListenerModel::ListenerModel(QObject *parent)
    : SyncedTableModel(parent)
{
}

void ListenerModel::setSnapshot(const dmr::Snapshot &snapshot)
{
    if (snapshot.plan == snapshot_.plan && snapshot.membership == snapshot_.membership)
        return;
    snapshot_ = snapshot;
    rebuild();
}

void ListenerModel::setState(const QString &node, const RelayState &state)
{
    failures_.remove(node);
    if (auto it = states_.constFind(node); it != states_.constEnd() && *it == state)
        return;
    states_.insert(node, state);
    rebuild();
}

void ListenerModel::setFailed(const QString &node, const QString &why)
{
    failures_.insert(node, why);
    if (states_.remove(node) > 0)
        rebuild();
}

void ListenerModel::clear()
{
    snapshot_ = {};
    states_.clear();
    failures_.clear();
    rebuild();
}

ListenerModel::Network ListenerModel::network(const QString &name) const
{
    Network n;
    n.network = name;
    const std::string net = name.toStdString();
    QStringList sources;
    for (const auto &r : snapshot_.plan.routes)
        if (r.network == net && !sources.contains(q(r.node)))
            sources << q(r.node);
    n.router = sources.value(0);
    if (auto it = snapshot_.membership.networks.find(net);
        it != snapshot_.membership.networks.end())
        for (const auto &m : it->second.members)
            if (!sources.contains(q(m.node)))
                sources << q(m.node);
    // The first of them (the routing point first) whose table for the network is known.
    const RelayState *state = nullptr;
    const dmr::reply::NetworkListeners *table = nullptr;
    for (const auto &id : std::as_const(sources))
        if (auto it = states_.constFind(id);
            it != states_.constEnd() && it->relayOn && it->listenersKnown && it->listenersOf(net)) {
            state = &*it;
            table = it->listenersOf(net);
            n.seenBy = id;
            break;
        }
    if (state == nullptr) {
        // Why not: the routing point's word first.
        const auto router = states_.constFind(n.router);
        if (router == states_.constEnd())
            n.unknownWhy =
                n.router.isEmpty() || !failures_.contains(n.router)
                    ? Tr::tr("no word from its routing point yet")
                    : Tr::tr("node %1 did not answer: %2").arg(n.router, failures_.value(n.router));
        else if (!router->relayOn)
            n.unknownWhy = Tr::tr("the relay is off on node %1").arg(n.router);
        else if (!router->listenersKnown)
            n.unknownWhy = Tr::tr("the agent of node %1 does not report listeners").arg(n.router);
        else
            n.unknownWhy = Tr::tr("node %1 keeps no listener table for it").arg(n.router);
        return n;
    }
    n.known = true;
    if (table->querying == true)
        n.querier = Tr::tr("node %1").arg(n.seenBy);
    else if (table->querier)
        n.querier = q(*table->querier);
    n.groups = QList<dmr::reply::ListenerGroup>(table->groups.begin(), table->groups.end());
    return n;
}

ListenerModel::Carry ListenerModel::carry(const QString &from, const QString &to) const
{
    Carry c;
    auto it = states_.constFind(from);
    if (it == states_.constEnd() || !it->relayOn)
        return c;
    const dmr::reply::RelayTunnel *t = it->tunnelTo(to.toStdString());
    if (t == nullptr)
        return c;
    c.pruned = t->prunedPackets;
    if (it->prune == false) {
        c.kind = Carry::Kind::Everything;
        return c;
    }
    switch (t->peerWants.kind) {
    case dmr::reply::GroupList::Kind::Unknown:
        break;
    case dmr::reply::GroupList::Kind::Null:
        c.kind = Carry::Kind::Everything;
        break;
    case dmr::reply::GroupList::Kind::Listed:
        c.kind = Carry::Kind::Groups;
        c.groups = qs(t->peerWants.groups);
        break;
    }
    return c;
}

QString ListenerModel::groupsText(const Carry &carry)
{
    switch (carry.kind) {
    case Carry::Kind::Unknown:
        return {};
    case Carry::Kind::Everything:
        return Tr::tr("everything");
    case Carry::Kind::Groups:
        break;
    }
    const auto n = carry.groups.size();
    return n == 0 ? Tr::tr("nothing") : n == 1 ? Tr::tr("1 group") : Tr::tr("%1 groups").arg(n);
}

QString ListenerModel::carryText(const Carry &carry)
{
    const QString what = groupsText(carry);
    return what.isEmpty() ? QString() : Tr::tr("carries %1").arg(what);
}

QString ListenerModel::tunnelText(const QString &root, const QString &leaf) const
{
    QStringList lines;
    for (const auto &[from, to] : {qMakePair(root, leaf), qMakePair(leaf, root)}) {
        const Carry c = carry(from, to);
        QString line;
        switch (c.kind) {
        case Carry::Kind::Unknown:
            continue;
        case Carry::Kind::Everything:
            line = Tr::tr("%1: everything (no word from node %2 on what it wants)")
                       .arg(tunnelEndText(from, to), to);
            break;
        case Carry::Kind::Groups:
            line = c.groups.isEmpty()
                       ? Tr::tr("%1: nothing").arg(tunnelEndText(from, to))
                       : Tr::tr("%1: %2").arg(tunnelEndText(from, to), c.groups.join(Tr::tr(", ")));
            break;
        }
        if (c.pruned)
            line += QLatin1Char(' ') + Tr::tr("(pruned: %1 datagrams)").arg(*c.pruned);
        lines << line;
    }
    return lines.join(QLatin1Char('\n'));
}

QString ListenerModel::networkText(const QString &name) const
{
    const Network n = network(name);
    if (!n.known)
        return Tr::tr("Listeners: unknown (%1)").arg(n.unknownWhy);
    QStringList lines;
    const QString querier = n.querier.isEmpty() ? Tr::tr("none") : n.querier;
    lines << (n.seenBy == n.router || n.router.isEmpty()
                  ? Tr::tr("Listeners, as node %1 sees them (querier: %2):").arg(n.seenBy, querier)
                  : Tr::tr("Listeners, as node %1 snoops them (querier: %2):")
                        .arg(n.seenBy, querier));
    if (n.groups.isEmpty())
        lines << Tr::tr("  no group wanted");
    for (const auto &g : n.groups) {
        const QString age = g.ageMs ? formatAge(*g.ageMs) : Tr::tr("unknown");
        if (!g.reporters)
            lines << Tr::tr("  %1 for %2").arg(q(g.group), age);
        else if (*g.reporters == 1)
            lines << Tr::tr("  %1 for %2, 1 reporter").arg(q(g.group), age);
        else
            lines << Tr::tr("  %1 for %2, %3 reporters").arg(q(g.group), age).arg(*g.reporters);
    }
    return lines.join(QLatin1Char('\n'));
}

void ListenerModel::rebuild()
{
    QMap<QString, Row> byGroup;
    auto rowOf = [&](const QString &g) -> Row & {
        Row &r = byGroup[g];
        r.group = g;
        return r;
    };
    for (const auto &[net, view] : snapshot_.membership.networks) {
        const Network n = network(q(net));
        if (!n.known)
            continue;
        for (const auto &g : n.groups)
            rowOf(q(g.group)).networks << n.network;
    }
    QList<QPair<QString, QString>> ends;
    for (const auto &t : snapshot_.plan.tunnels) {
        ends << qMakePair(q(t.root.node), q(t.leaf.node));
        ends << qMakePair(q(t.leaf.node), q(t.root.node));
    }
    for (const auto &[from, to] : std::as_const(ends)) {
        const Carry c = carry(from, to);
        if (c.kind == Carry::Kind::Groups)
            for (const auto &g : c.groups)
                rowOf(g).path << tunnelEndText(from, to);
    }
    // An end that sends everything carries every group known.
    for (const auto &[from, to] : std::as_const(ends))
        if (carry(from, to).kind == Carry::Kind::Everything)
            for (auto it = byGroup.begin(); it != byGroup.end(); ++it)
                it->flooding << tunnelEndText(from, to);
    const QList<Row> target = byGroup.values();
    syncTable(rows_, target, [](const Row &r) { return r.group; });
    emit listenersChanged();
}

int ListenerModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int ListenerModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ListenerModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rows_.size())
        return {};
    const Row &r = rows_[index.row()];
    switch (role) {
    case GroupRole:
        return r.group;
    case NetworksRole:
        return r.networks;
    case PathRole:
        return r.path + r.flooding;
    case Qt::DisplayRole:
    case RawValueRole:
    case SortRole:
        break;
    case Qt::ToolTipRole:
        if (index.column() == PathColumn && !r.flooding.isEmpty())
            return Tr::tr("%1: these tunnels' far ends have not said what they want yet, so "
                          "everything goes in")
                .arg(r.flooding.join(Tr::tr(", ")));
        return {};
    default:
        return {};
    }
    switch (index.column()) {
    case GroupColumn:
        return r.group;
    case NetworksColumn:
        if (role == RawValueRole)
            return r.networks;
        return r.networks.isEmpty() ? Tr::tr("none (only passing through)")
                                    : r.networks.join(Tr::tr(", "));
    case PathColumn: {
        if (role == RawValueRole)
            return r.path + r.flooding;
        QStringList shown = r.path;
        for (const auto &f : r.flooding)
            shown << Tr::tr("%1 (floods)").arg(f);
        return shown.isEmpty() ? Tr::tr("no tunnel carries it") : shown.join(Tr::tr(", "));
    }
    default:
        return {};
    }
}

QVariant ListenerModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case GroupColumn:
        return Tr::tr("Group");
    case NetworksColumn:
        return Tr::tr("Listening networks");
    case PathColumn:
        return Tr::tr("Path (tunnels)");
    default:
        return {};
    }
}

QHash<int, QByteArray> ListenerModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(GroupRole, "group");
    names.insert(NetworksRole, "networks");
    names.insert(PathRole, "path");
    return names;
}

} // namespace dmr::console
