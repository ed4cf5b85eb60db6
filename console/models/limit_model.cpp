#include "limit_model.h"

#include "format.h"

#include "client/tr.h"

#include <QColor>
#include <QFont>
#include <QMap>

#include <limits>
#include <tuple>

namespace dmr::console {

namespace {

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

// The probe channel comes last in get-state's channels, named "... (probe)": no limit acts on it.
bool isProbe(const std::string &channel)
{
    return channel.ends_with("(probe)");
}

QString countText(const std::optional<qint64> &n)
{
    return n ? QString::number(*n) : Tr::tr("unknown");
}

QString rateText(const std::optional<dmr::reply::RateLimit> &r)
{
    if (!r)
        return Tr::tr("unlimited");
    QStringList parts;
    if (r->bytesPerS != 0)
        parts
            << Tr::tr("%1/s (burst %2)").arg(formatBytes(r->bytesPerS), formatBytes(r->burstBytes));
    if (r->datagramsPerS != 0)
        parts << Tr::tr("%1 datagrams/s (burst %2)").arg(r->datagramsPerS).arg(r->burstDatagrams);
    return parts.isEmpty() ? Tr::tr("unlimited") : parts.join(Tr::tr(", "));
}

// The agent's counters as a count: a negative one (no agent sends it) is 0, and a sum stops at
// the largest qint64 instead of overflowing.
qint64 addCount(qint64 sum, std::optional<qint64> n)
{
    const qint64 v = std::max<qint64>(0, n.value_or(0));
    return v > std::numeric_limits<qint64>::max() - sum ? std::numeric_limits<qint64>::max()
                                                        : sum + v;
}

// Growing rows stand out: a warning tint that reads on light and dark palettes alike.
QColor growingTint()
{
    return QColor(0xf5, 0x7c, 0x00, 0x60);
}

} // namespace

QString formatBytes(qint64 bytes)
{
    if (bytes < 1000)
        return Tr::tr("%1 B").arg(bytes);
    if (bytes < 1000 * 1000)
        return Tr::tr("%1 kB").arg(double(bytes) / 1e3, 0, 'f', 1);
    if (bytes < qint64(1000) * 1000 * 1000)
        return Tr::tr("%1 MB").arg(double(bytes) / 1e6, 0, 'f', 1);
    return Tr::tr("%1 GB").arg(double(bytes) / 1e9, 0, 'f', 1);
}

QString formatPerSecond(double perSecond)
{
    return perSecond >= 10 || perSecond == 0 ? Tr::tr("%1/s").arg(qint64(perSecond + 0.5))
                                             : Tr::tr("%1/s").arg(perSecond, 0, 'f', 1);
}

qint64 LimitModel::Counters::dropped() const
{
    return addCount(addCount(addCount(0, limitedPackets), boundaryPackets), belowThresholdPackets);
}

QString LimitModel::Row::key() const
{
    return kind == Kind::Tunnel ? node + u'>' + peer : node + u'#' + channel;
}

LimitModel::LimitModel(QObject *parent)
    : SyncedTableModel(parent)
{
}

void LimitModel::setState(const QString &node, const RelayState &state, qint64 atMs)
{
    NodeState next;
    next.state = state;
    next.atMs = atMs;
    const auto before = states_.constFind(node);
    QHash<QString, const Row *> previous;
    if (before != states_.constEnd())
        for (const Row &r : before->rows)
            previous.insert(r.key(), &r);
    const qint64 elapsedMs = before != states_.constEnd() ? atMs - before->atMs : 0;
    auto add = [&](Row r) {
        if (const Row *was = previous.value(r.key()); was != nullptr && elapsedMs > 0) {
            const qint64 now = r.counters.dropped();
            const qint64 then = was->counters.dropped();
            // Counters that went down belong to a new incarnation of the agent: no rate yet.
            if (now >= then) {
                r.grew = now - then;
                r.perSecond = double(r.grew) * 1000.0 / double(elapsedMs);
            }
        }
        next.rows << r;
    };
    if (state.relayOn) {
        for (const auto &t : state.tunnels) {
            Row r;
            r.kind = Row::Kind::Tunnel;
            r.node = node;
            r.peer = q(t.peer);
            r.counters.limitedPackets = t.limitedPackets;
            r.counters.limitedBytes = t.limitedBytes;
            add(r);
        }
        for (const auto &c : state.channels) {
            if (isProbe(c.channel))
                continue;
            Row r;
            r.kind = Row::Kind::Channel;
            r.node = node;
            r.channel = q(c.channel);
            r.counters = {c.limitedPackets, c.limitedBytes, c.boundaryPackets,
                          c.belowThresholdPackets};
            add(r);
        }
    }
    states_.insert(node, std::move(next));
    rebuild();
}

void LimitModel::setFailed(const QString &node)
{
    if (states_.remove(node) > 0)
        rebuild();
}

void LimitModel::clear()
{
    states_.clear();
    rebuild();
}

void LimitModel::rebuild()
{
    // By node in natural order ("2" before "10"), the tunnel ends first, then the channels.
    QMap<std::tuple<qint64, QString, int, QString>, Row> ordered;
    for (auto it = states_.cbegin(); it != states_.cend(); ++it)
        for (const Row &r : it->rows) {
            bool numeric = false;
            const qint64 n = r.node.toLongLong(&numeric);
            ordered.insert({numeric ? n : std::numeric_limits<qint64>::max(), r.node,
                            r.kind == Row::Kind::Tunnel ? 0 : 1,
                            r.kind == Row::Kind::Tunnel ? r.peer : r.channel},
                           r);
        }
    const QList<Row> target = ordered.values();
    if (target == rows_)
        return; // an answer like the last one: nothing to redraw
    syncTable(rows_, target, [](const Row &r) { return r.key(); });
    emit dropsChanged();
}

const LimitModel::Row *LimitModel::tunnelEnd(const QString &from, const QString &to) const
{
    const auto it = states_.constFind(from);
    if (it == states_.constEnd())
        return nullptr;
    for (const Row &r : it->rows)
        if (r.kind == Row::Kind::Tunnel && r.peer == to)
            return &r;
    return nullptr;
}

QString LimitModel::tunnelLabel(const QString &root, const QString &leaf) const
{
    qint64 dropped = 0;
    for (const Row *r : {tunnelEnd(root, leaf), tunnelEnd(leaf, root)})
        if (r != nullptr)
            dropped = addCount(dropped, r->counters.limitedPackets);
    return dropped == 0 ? QString() : Tr::tr("%1 dropped").arg(dropped);
}

bool LimitModel::tunnelGrowing(const QString &root, const QString &leaf) const
{
    for (const Row *r : {tunnelEnd(root, leaf), tunnelEnd(leaf, root)})
        if (r != nullptr && r->growing())
            return true;
    return false;
}

QString LimitModel::tunnelText(const QString &root, const QString &leaf) const
{
    QStringList lines;
    for (const auto &[from, to] : {qMakePair(root, leaf), qMakePair(leaf, root)}) {
        const Row *r = tunnelEnd(from, to);
        if (r == nullptr || !r->counters.limitedPackets)
            continue;
        const dmr::reply::RelayLimits *limits = limitsOf(from);
        const QString limit = limits ? rateText(limits->tunnel) : Tr::tr("unknown");
        QString line = *r->counters.limitedPackets == 0
                           ? Tr::tr("%1: the rate limit (%2) dropped nothing")
                                 .arg(tunnelEndText(from, to), limit)
                           : Tr::tr("%1: the rate limit (%2) dropped %3 datagrams (%4)")
                                 .arg(tunnelEndText(from, to), limit)
                                 .arg(*r->counters.limitedPackets)
                                 .arg(formatBytes(r->counters.limitedBytes.value_or(0)));
        if (r->growing())
            line += u' ' + Tr::tr("— dropping now: %1").arg(formatPerSecond(*r->perSecond));
        lines << line;
    }
    return lines.join(u'\n');
}

QString LimitModel::nodeText(const QString &node) const
{
    const auto it = states_.constFind(node);
    if (it == states_.constEnd() || !it->state.relayOn)
        return {};
    QStringList lines;
    for (const Row &r : it->rows) {
        if (r.kind != Row::Kind::Channel)
            continue;
        QString line = Tr::tr("  %1: rate limit %2, boundary %3, below threshold %4")
                           .arg(r.channel, countText(r.counters.limitedPackets),
                                countText(r.counters.boundaryPackets),
                                countText(r.counters.belowThresholdPackets));
        if (r.growing())
            line += u' ' + Tr::tr("(dropping now: %1)").arg(formatPerSecond(*r.perSecond));
        lines << line;
    }
    if (!lines.isEmpty())
        lines.prepend(Tr::tr("Dropped at ingest, by channel range:"));
    if (const auto &l = it->state.limits) {
        lines << Tr::tr("Limits: per tunnel %1; per channel range %2; threshold %3")
                     .arg(rateText(l->tunnel), rateText(l->channel), countText(l->threshold));
        QStringList bounds;
        for (const auto &b : l->boundaries)
            bounds << q(b);
        for (const auto &[network, groups] : l->networkBoundaries)
            for (const auto &g : groups)
                bounds << Tr::tr("%1 on %2").arg(q(g), q(network));
        lines << Tr::tr("Boundaries: %1")
                     .arg(bounds.isEmpty() ? Tr::tr("none") : bounds.join(Tr::tr(", ")));
    }
    return lines.join(u'\n');
}

QStringList LimitModel::growingRows() const
{
    QStringList out;
    for (const Row &r : rows_)
        if (r.growing())
            out << (r.kind == Row::Kind::Tunnel ? tunnelEndText(r.node, r.peer)
                                                : Tr::tr("%1 at node %2").arg(r.channel, r.node));
    return out;
}

qint64 LimitModel::droppedTotal() const
{
    qint64 n = 0;
    for (const Row &r : rows_)
        n = addCount(n, r.counters.dropped());
    return n;
}

const dmr::reply::RelayLimits *LimitModel::limitsOf(const QString &node) const
{
    const auto it = states_.constFind(node);
    return it != states_.constEnd() && it->state.limits ? &*it->state.limits : nullptr;
}

QString LimitModel::rateLimitText(const Row &r) const
{
    if (!r.counters.limitedPackets)
        return Tr::tr("unknown");
    if (*r.counters.limitedPackets == 0)
        return QStringLiteral("0");
    return Tr::tr("%1 (%2)")
        .arg(*r.counters.limitedPackets)
        .arg(formatBytes(r.counters.limitedBytes.value_or(0)));
}

QString LimitModel::rateLimitTip(const Row &r) const
{
    const dmr::reply::RelayLimits *limits = limitsOf(r.node);
    if (!limits)
        return Tr::tr("The agent of node %1 does not report its limits").arg(r.node);
    return r.kind == Row::Kind::Tunnel
               ? Tr::tr("The rate limit of each tunnel at node %1: %2")
                     .arg(r.node, rateText(limits->tunnel))
               : Tr::tr("The rate limit of each channel range at node %1: %2")
                     .arg(r.node, rateText(limits->channel));
}

int LimitModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int LimitModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LimitModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rows_.size())
        return {};
    const Row &r = rows_[index.row()];
    const bool tunnel = r.kind == Row::Kind::Tunnel;
    const Counters &c = r.counters;
    // The count a column shows, when it is a count (nullopt: unknown or not applicable).
    auto count = [&]() -> std::optional<qint64> {
        switch (index.column()) {
        case RateLimitColumn:
            return c.limitedPackets;
        case BoundaryColumn:
            return tunnel ? std::nullopt : c.boundaryPackets;
        case ThresholdColumn:
            return tunnel ? std::nullopt : c.belowThresholdPackets;
        default:
            return std::nullopt;
        }
    };
    switch (role) {
    case KindRole:
        return tunnel ? QStringLiteral("tunnel") : QStringLiteral("channel");
    case NodeRole:
        return r.node;
    case PeerRole:
        return r.peer;
    case ChannelRole:
        return r.channel;
    case DroppedRole:
        return c.dropped();
    case GrowingRole:
        return r.growing();
    case PerSecondRole:
        return r.perSecond ? QVariant(*r.perSecond) : QVariant();
    case Qt::BackgroundRole:
        return r.growing() ? QVariant(growingTint()) : QVariant();
    case Qt::FontRole: {
        const auto n = count();
        if ((n && *n > 0) || (index.column() == NowColumn && r.growing())) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    }
    case Qt::TextAlignmentRole:
        return index.column() == WhereColumn || index.column() == NodeColumn ||
                       index.column() == NowColumn
                   ? QVariant()
                   : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    case Qt::ToolTipRole:
        switch (index.column()) {
        case WhereColumn:
            return tunnel ? Tr::tr("What node %1 kept out of its tunnel to node %2")
                                .arg(r.node, r.peer)
                          : Tr::tr("What node %1 did not take in of the channel range %2")
                                .arg(r.node, r.channel);
        case RateLimitColumn:
            return rateLimitTip(r);
        case BoundaryColumn:
        case ThresholdColumn:
            return tunnel ? Tr::tr("Boundaries and the threshold act where a datagram is heard, "
                                   "before any tunnel: see the channel ranges")
                          : QVariant();
        case NowColumn:
            return r.perSecond ? Tr::tr("%1 dropped since node %2's previous answer")
                                     .arg(r.grew)
                                     .arg(r.node)
                               : Tr::tr("Known after node %1's next answer").arg(r.node);
        default:
            return {};
        }
    case SortRole:
        switch (index.column()) {
        case WhereColumn:
            return tunnel ? r.peer : r.channel;
        case NodeColumn:
            return r.node.toLongLong();
        case NowColumn:
            return r.perSecond.value_or(-1);
        default:
            return count().value_or(-1);
        }
    case RawValueRole:
        switch (index.column()) {
        case WhereColumn:
            return tunnel ? r.peer : r.channel;
        case NodeColumn:
            return r.node;
        case NowColumn:
            return r.perSecond ? QVariant(*r.perSecond) : QVariant();
        default: {
            const auto n = count();
            return n ? QVariant(*n) : QVariant();
        }
        }
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case WhereColumn:
        return tunnel ? tunnelEndText(r.node, r.peer) : r.channel;
    case NodeColumn:
        return r.node;
    case RateLimitColumn:
        return rateLimitText(r);
    case BoundaryColumn:
        return tunnel ? QStringLiteral("–") : countText(c.boundaryPackets);
    case ThresholdColumn:
        return tunnel ? QStringLiteral("–") : countText(c.belowThresholdPackets);
    case NowColumn:
        if (!r.perSecond)
            return QString();
        return r.growing() ? Tr::tr("▲ %1").arg(formatPerSecond(*r.perSecond)) : formatPerSecond(0);
    default:
        return {};
    }
}

QVariant LimitModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case RateLimitColumn:
            return Tr::tr("Datagrams (and their payload bytes) over the token bucket of the "
                          "tunnel or the channel range");
        case BoundaryColumn:
            return Tr::tr("Datagrams of a group bounded on the network they were heard on "
                          "(relay.boundaries, relay.network_boundaries)");
        case ThresholdColumn:
            return Tr::tr("Datagrams heard with an IP TTL below relay.threshold");
        case NowColumn:
            return Tr::tr("Drops per second between the node's last two answers");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case WhereColumn:
        return Tr::tr("Tunnel or channel range");
    case NodeColumn:
        return Tr::tr("Node");
    case RateLimitColumn:
        return Tr::tr("Rate limit");
    case BoundaryColumn:
        return Tr::tr("Boundary");
    case ThresholdColumn:
        return Tr::tr("Below threshold");
    case NowColumn:
        return Tr::tr("Now");
    default:
        return {};
    }
}

QHash<int, QByteArray> LimitModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(KindRole, "kind");
    names.insert(NodeRole, "node");
    names.insert(PeerRole, "peer");
    names.insert(ChannelRole, "channel");
    names.insert(DroppedRole, "dropped");
    names.insert(GrowingRole, "growing");
    names.insert(PerSecondRole, "perSecond");
    return names;
}

} // namespace dmr::console
