#include "records.h"

#include "tr.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <utility>

namespace dmr::console {

namespace {

// Reads the fields of one JSON object, keeping the first error with its path
// ("failovers[0].silent_ms: must be an integer, found string").
class Fields
{
public:
    Fields(const QJsonObject &object, QString path)
        : o_(object)
        , path_(std::move(path))
    {
    }

    bool ok() const { return error_.isEmpty(); }
    const QString &error() const { return error_; }
    Error toError() const { return Error{error_.toStdString()}; }
    QString pathOf(const QString &key) const { return path_.isEmpty() ? key : path_ + u'.' + key; }

    // A required string; `nullable` lets null read as empty.
    QString string(const QString &key, bool nullable = false)
    {
        const QJsonValue v = o_.value(key);
        if (v.isString())
            return v.toString();
        if (nullable && v.isNull())
            return {};
        fail(key, v, nullable ? Tr::tr("a string or null") : Tr::tr("a string"));
        return {};
    }
    // A string that may be absent (empty then).
    QString optionalString(const QString &key)
    {
        if (!o_.contains(key))
            return {};
        return string(key, true);
    }
    qint64 integer(const QString &key)
    {
        const auto v = nullableInteger(key, false);
        return v.value_or(0);
    }
    // Absent or null: nullopt (when `nullable`).
    std::optional<qint64> nullableInteger(const QString &key, bool nullable = true)
    {
        const QJsonValue v = o_.value(key);
        if (nullable && (v.isNull() || v.isUndefined()))
            return std::nullopt;
        if (v.isDouble()) {
            const double d = v.toDouble();
            const qint64 i = v.toInteger();
            if (std::isfinite(d) && static_cast<double>(i) == d)
                return i;
        }
        fail(key, v, nullable ? Tr::tr("an integer or null") : Tr::tr("an integer"));
        return std::nullopt;
    }
    double number(const QString &key)
    {
        const QJsonValue v = o_.value(key);
        if (v.isDouble() && std::isfinite(v.toDouble()))
            return v.toDouble();
        fail(key, v, Tr::tr("a number"));
        return 0;
    }
    // A boolean that may be absent (`absent` then).
    bool optionalBoolean(const QString &key, bool absent)
    {
        return o_.contains(key) ? boolean(key) : absent;
    }
    bool boolean(const QString &key)
    {
        const QJsonValue v = o_.value(key);
        if (v.isBool())
            return v.toBool();
        fail(key, v, Tr::tr("a boolean"));
        return false;
    }
    QJsonArray array(const QString &key)
    {
        const QJsonValue v = o_.value(key);
        if (v.isArray())
            return v.toArray();
        fail(key, v, Tr::tr("an array"));
        return {};
    }
    QJsonObject object(const QString &key)
    {
        const QJsonValue v = o_.value(key);
        if (v.isObject())
            return v.toObject();
        fail(key, v, Tr::tr("an object"));
        return {};
    }
    // An array of strings that may be absent (empty then).
    QStringList optionalStrings(const QString &key)
    {
        return o_.contains(key) ? strings(key) : QStringList{};
    }
    QStringList strings(const QString &key)
    {
        QStringList out;
        const QJsonArray a = array(key);
        for (qsizetype i = 0; i < a.size() && ok(); ++i) {
            if (a[i].isString())
                out << a[i].toString();
            else
                fail(QStringLiteral("%1[%2]").arg(key).arg(i), a[i], Tr::tr("a string"));
        }
        return out;
    }
    // The objects of an array, each with its path for nested reading.
    template<typename F>
    void eachObject(const QString &key, F &&f)
    {
        const QJsonArray a = array(key);
        for (qsizetype i = 0; i < a.size() && ok(); ++i) {
            const QString at = QStringLiteral("%1[%2]").arg(key).arg(i);
            if (!a[i].isObject()) {
                fail(at, a[i], Tr::tr("an object"));
                return;
            }
            Fields inner(a[i].toObject(), pathOf(at));
            f(inner);
            if (!inner.ok())
                error_ = inner.error();
        }
    }
    void fail(const QString &key, const QJsonValue &found, const QString &expected)
    {
        if (!ok())
            return;
        error_ = Tr::tr("%1: must be %2, found %3").arg(pathOf(key), expected, kindOf(found));
    }
    void failWith(const QString &key, const QString &message)
    {
        if (ok())
            error_ = pathOf(key) + QStringLiteral(": ") + message;
    }

    static QString kindOf(const QJsonValue &v)
    {
        switch (v.type()) {
        case QJsonValue::Null:
            return Tr::tr("null");
        case QJsonValue::Bool:
            return Tr::tr("boolean %1").arg(v.toBool() ? u"true" : u"false");
        case QJsonValue::Double:
            return Tr::tr("number %1").arg(v.toDouble());
        case QJsonValue::String:
            return Tr::tr("string \"%1\"").arg(v.toString().left(40));
        case QJsonValue::Array:
            return Tr::tr("array");
        case QJsonValue::Object:
            return Tr::tr("object");
        case QJsonValue::Undefined:
            break;
        }
        return Tr::tr("nothing (missing)");
    }

private:
    QJsonObject o_;
    QString path_;
    QString error_;
};

DrillRecord readDrill(Fields &f)
{
    DrillRecord d;
    d.id = f.integer(QStringLiteral("id"));
    d.action = f.string(QStringLiteral("action"));
    d.node = f.string(QStringLiteral("node"));
    d.iface = f.optionalString(QStringLiteral("iface"));
    d.reason = f.string(QStringLiteral("reason"));
    d.client = f.optionalString(QStringLiteral("client"));
    d.durationMs = f.nullableInteger(QStringLiteral("duration_ms"));
    d.startedMs = f.integer(QStringLiteral("started_ms"));
    d.endedMs = f.nullableInteger(QStringLiteral("ended_ms"));
    d.via = f.optionalString(QStringLiteral("via"));
    d.forwardedTo = f.optionalString(QStringLiteral("forwarded_to"));
    d.rev = f.nullableInteger(QStringLiteral("rev")).value_or(0);
    return d;
}

Page readPage(Fields &f)
{
    Page p;
    p.instance = f.optionalString(QStringLiteral("instance"));
    p.rev = f.nullableInteger(QStringLiteral("rev")).value_or(0);
    p.more = f.optionalBoolean(QStringLiteral("more"), false);
    return p;
}

QString ms(qint64 v)
{
    return Tr::tr("%1 ms").arg(v);
}

} // namespace

QStringList ClusterInfo::controlAddresses() const
{
    QStringList out;
    for (const auto &a : agents)
        if (!a.control.isEmpty())
            out << a.control;
    return out;
}

bool ClusterInfo::hasAgent(const QString &id) const
{
    return std::any_of(agents.begin(), agents.end(),
                       [&](const AgentInfo &a) { return a.id == id; });
}

Result<HelloInfo> parseHello(const QJsonObject &result)
{
    Fields f(result, QStringLiteral("hello"));
    HelloInfo h;
    h.agent = f.string(QStringLiteral("agent"));
    h.version = f.optionalString(QStringLiteral("version"));
    h.protocol = static_cast<int>(f.integer(QStringLiteral("protocol")));
    h.role = f.optionalString(QStringLiteral("role"));
    h.isOperator =
        result.contains(QStringLiteral("operator")) && f.boolean(QStringLiteral("operator"));
    if (!f.ok())
        return f.toError();
    return h;
}

Result<ClusterInfo> parseCluster(const QJsonObject &result)
{
    Fields f(result, QStringLiteral("get-cluster"));
    ClusterInfo c;
    c.viewId = f.string(QStringLiteral("view_id"));
    c.coordinator = f.string(QStringLiteral("coordinator"), true);
    f.eachObject(QStringLiteral("agents"), [&](Fields &a) {
        AgentInfo info;
        info.id = a.string(QStringLiteral("id"));
        info.seq = a.nullableInteger(QStringLiteral("seq")).value_or(0);
        info.membership = a.optionalString(QStringLiteral("membership"));
        info.control = a.optionalString(QStringLiteral("control"));
        c.agents << info;
    });
    const QJsonObject snapshot = f.object(QStringLiteral("snapshot"));
    if (!f.ok())
        return f.toError();
    const QByteArray text = QJsonDocument(snapshot).toJson(QJsonDocument::Compact);
    auto parsed = dmr::parseSnapshot(std::string_view(text.constData(), size_t(text.size())));
    if (!parsed)
        return Error{f.pathOf(QStringLiteral("snapshot")).toStdString() + ": " +
                     parsed.error().message};
    c.snapshot = std::move(parsed).value();
    return c;
}

QString FailoverRecord::key() const
{
    return viewId.isEmpty() ? agent + u'#' + QString::number(id) : node + u'@' + viewId;
}

QString ConsoleEvent::key() const
{
    const auto join = [](const QStringList &parts) { return parts.join(QChar(0x1f)); };
    switch (kind) {
    case Kind::ViewChanged:
        return viewId.isEmpty() ? QString() : join({QStringLiteral("v"), group, viewId});
    case Kind::PlanChanged:
        return viewId.isEmpty() ? QString() : join({QStringLiteral("p"), viewId});
    case Kind::Failover:
        return viewId.isEmpty() ? QString() : join({QStringLiteral("f"), group, from, to, viewId});
    case Kind::Drill:
        return join({QStringLiteral("d"), action, node, iface, QString::number(timeMs)});
    case Kind::Other:
        break;
    }
    return {};
}

Result<QList<FailoverRecord>> parseHistory(const QJsonObject &result)
{
    auto page = parseHistoryPage(result);
    if (!page)
        return page.error();
    return page.value().records;
}

Result<HistoryPage> parseHistoryPage(const QJsonObject &result)
{
    Fields f(result, QStringLiteral("get-history"));
    QList<FailoverRecord> list;
    f.eachObject(QStringLiteral("failovers"), [&](Fields &r) {
        FailoverRecord rec;
        rec.id = r.integer(QStringLiteral("id"));
        rec.node = r.string(QStringLiteral("node"));
        rec.cause = r.string(QStringLiteral("cause"));
        rec.roles = r.strings(QStringLiteral("roles"));
        const QJsonObject successors = r.object(QStringLiteral("successors"));
        // In the order of the roles; then any role the successors name that `roles` does not.
        QStringList order = rec.roles;
        for (auto it = successors.begin(); it != successors.end(); ++it)
            if (!order.contains(it.key()))
                order << it.key();
        for (const QString &role : order) {
            if (!successors.contains(role))
                continue;
            const QJsonValue who = successors.value(role);
            if (!who.isString() && !who.isNull()) {
                r.fail(QStringLiteral("successors.") + role, who, Tr::tr("a string or null"));
                break;
            }
            rec.successors << Successor{role, who.toString()};
        }
        rec.viewId = r.optionalString(QStringLiteral("view_id"));
        rec.silentMs = r.nullableInteger(QStringLiteral("silent_ms")).value_or(0);
        rec.detectedMs = r.integer(QStringLiteral("detected_ms"));
        rec.electedMs = r.nullableInteger(QStringLiteral("elected_ms")).value_or(0);
        rec.tunnelsUpMs = r.nullableInteger(QStringLiteral("tunnels_up_ms"));
        rec.electionMs = r.nullableInteger(QStringLiteral("election_ms"));
        rec.tunnelsMs = r.nullableInteger(QStringLiteral("tunnels_ms"));
        rec.totalMs = r.nullableInteger(QStringLiteral("total_ms"));
        // An agent before the phases were defined: its detection time is the failure's.
        rec.failedMs = r.nullableInteger(QStringLiteral("failed_ms")).value_or(rec.detectedMs);
        rec.detectionMs = r.nullableInteger(QStringLiteral("detection_ms")).value_or(0);
        rec.skewMs = r.nullableInteger(QStringLiteral("skew_ms")).value_or(0);
        rec.rev = r.nullableInteger(QStringLiteral("rev")).value_or(0);
        list << rec;
    });
    const Page page = readPage(f);
    if (!f.ok())
        return f.toError();
    return HistoryPage{page, list};
}

Result<ViewsPage> parseViews(const QJsonObject &result)
{
    Fields f(result, QStringLiteral("get-views"));
    ViewsPage v;
    v.page = readPage(f);
    const QJsonValue base = result.value(QStringLiteral("base"));
    if (base.isObject()) {
        Fields b(base.toObject(), f.pathOf(QStringLiteral("base")));
        v.hasBase = true;
        v.baseViewId = b.string(QStringLiteral("view_id"));
        const QJsonObject snapshot = b.object(QStringLiteral("snapshot"));
        if (!b.ok())
            return b.toError();
        const QByteArray text = QJsonDocument(snapshot).toJson(QJsonDocument::Compact);
        auto parsed = dmr::parseSnapshot(std::string_view(text.constData(), size_t(text.size())));
        if (!parsed)
            return Error{b.pathOf(QStringLiteral("snapshot")).toStdString() + ": " +
                         parsed.error().message};
        v.base = std::move(parsed).value();
    } else if (!base.isNull() && !base.isUndefined()) {
        f.fail(QStringLiteral("base"), base, Tr::tr("an object or null"));
    }
    const QJsonArray views = f.array(QStringLiteral("views"));
    if (!f.ok())
        return f.toError();
    for (qsizetype i = 0; i < views.size(); ++i) {
        const QByteArray text = QJsonDocument(views[i].toObject()).toJson(QJsonDocument::Compact);
        if (!views[i].isObject())
            return Error{
                QStringLiteral("get-views.views[%1]: must be an object").arg(i).toStdString()};
        auto delta = dmr::parseViewDelta(std::string_view(text.constData(), size_t(text.size())));
        if (!delta)
            return Error{QStringLiteral("get-views.views[%1].").arg(i).toStdString() +
                         delta.error().message};
        v.views << std::move(delta).value();
    }
    return v;
}

Result<SubscribeInfo> parseSubscribe(const QJsonObject &result)
{
    Fields f(result, QStringLiteral("subscribe"));
    SubscribeInfo s;
    s.instance = f.optionalString(QStringLiteral("instance"));
    s.seq = f.nullableInteger(QStringLiteral("seq")).value_or(0);
    s.replayed = int(f.nullableInteger(QStringLiteral("replayed")).value_or(0));
    s.missed = f.optionalBoolean(QStringLiteral("missed"), false);
    if (!f.ok())
        return f.toError();
    return s;
}

const ReachabilityCell *ReachabilityRow::cellFrom(const QString &sender) const
{
    for (const auto &c : heard)
        if (c.from == sender)
            return &c;
    return nullptr;
}

const ReachabilityRow *ReachabilityMatrix::row(const QString &node) const
{
    for (const auto &r : rows)
        if (r.node == node)
            return &r;
    return nullptr;
}

QStringList ReachabilityMatrix::unreachable() const
{
    QStringList out;
    for (const auto &n : nodes) {
        int listeners = 0;
        bool heard = false;
        for (const auto &r : rows) {
            if (r.node == n || !r.answered || !r.probing)
                continue;
            ++listeners;
            if (const auto *c = r.cellFrom(n); c && c->heard)
                heard = true;
        }
        if (listeners > 0 && !heard)
            out << n;
    }
    return out;
}

Result<RelayState> parseRelayState(const QJsonObject &result)
{
    const QByteArray text = QJsonDocument(result).toJson(QJsonDocument::Compact);
    return dmr::reply::parseRelayListeners(std::string_view(text.constData(), size_t(text.size())));
}

Result<ReachabilityMatrix> parseReachability(const QJsonObject &result)
{
    Fields f(result, QStringLiteral("get-reachability"));
    ReachabilityMatrix m;
    m.nodes = f.strings(QStringLiteral("nodes"));
    m.intervalMs = f.integer(QStringLiteral("interval_ms"));
    m.askedBy = f.string(QStringLiteral("asked_by"));
    m.timeMs = f.integer(QStringLiteral("time_ms"));
    f.eachObject(QStringLiteral("rows"), [&](Fields &r) {
        ReachabilityRow row;
        row.node = r.string(QStringLiteral("node"));
        row.answered = r.boolean(QStringLiteral("answered"));
        row.probing = r.optionalBoolean(QStringLiteral("probing"), false);
        r.eachObject(QStringLiteral("heard"), [&](Fields &c) {
            ReachabilityCell cell;
            cell.from = c.string(QStringLiteral("from"));
            cell.heard = c.boolean(QStringLiteral("heard"));
            cell.received = c.integer(QStringLiteral("received"));
            cell.lost = c.integer(QStringLiteral("lost"));
            cell.duplicates = c.integer(QStringLiteral("duplicates"));
            cell.loss = c.number(QStringLiteral("loss"));
            cell.ageMs = c.integer(QStringLiteral("age_ms"));
            // Optional: agents send the time last heard and the streams only when asked for
            // detail (PROTOCOL.md, get-reachability).
            cell.lastSeenMs = c.nullableInteger(QStringLiteral("last_seen_ms")).value_or(0);
            cell.via = c.optionalStrings(QStringLiteral("via"));
            row.heard << cell;
        });
        m.rows << row;
    });
    if (!f.ok())
        return f.toError();
    return m;
}

Result<QList<DrillRecord>> parseDrills(const QJsonObject &result)
{
    auto page = parseDrillsPage(result);
    if (!page)
        return page.error();
    return page.value().records;
}

Result<DrillsPage> parseDrillsPage(const QJsonObject &result)
{
    Fields f(result, QStringLiteral("get-drills"));
    QList<DrillRecord> list;
    f.eachObject(QStringLiteral("drills"), [&](Fields &d) { list << readDrill(d); });
    const Page page = readPage(f);
    if (!f.ok())
        return f.toError();
    return DrillsPage{page, list};
}

Result<DrillRecord> parseDrillRecord(const QJsonObject &record)
{
    Fields f(record, QStringLiteral("drill"));
    DrillRecord d = readDrill(f);
    if (!f.ok())
        return f.toError();
    return d;
}

Result<ConsoleEvent> parseEvent(const QJsonObject &message)
{
    Fields f(message, QStringLiteral("event"));
    ConsoleEvent e;
    e.kindName = f.string(QStringLiteral("event"));
    e.timeMs = f.integer(QStringLiteral("time_ms"));
    e.seq = f.nullableInteger(QStringLiteral("seq")).value_or(0);
    e.data = f.object(QStringLiteral("data"));
    if (!f.ok())
        return f.toError();

    Fields d(e.data, QStringLiteral("event.data"));
    if (e.kindName == u"view-changed") {
        e.kind = ConsoleEvent::Kind::ViewChanged;
        e.group = d.string(QStringLiteral("group"));
        e.leader = d.string(QStringLiteral("leader"), true);
        d.eachObject(QStringLiteral("members"),
                     [&](Fields &m) { e.members << m.string(QStringLiteral("node")); });
    } else if (e.kindName == u"plan-changed") {
        e.kind = ConsoleEvent::Kind::PlanChanged;
        d.eachObject(QStringLiteral("actions"),
                     [&](Fields &a) { e.actions << a.string(QStringLiteral("text")); });
    } else if (e.kindName == u"failover") {
        e.kind = ConsoleEvent::Kind::Failover;
        e.group = d.string(QStringLiteral("group"));
        e.from = d.string(QStringLiteral("from"), true);
        e.to = d.string(QStringLiteral("to"), true);
        e.reason = d.optionalString(QStringLiteral("reason"));
    } else if (e.kindName == u"drill") {
        e.kind = ConsoleEvent::Kind::Drill;
        e.action = d.string(QStringLiteral("action"));
        e.node = d.string(QStringLiteral("node"));
        e.iface = d.optionalString(QStringLiteral("iface"));
        e.reason = d.optionalString(QStringLiteral("reason"));
        e.durationMs = d.nullableInteger(QStringLiteral("duration_ms"));
        e.client = d.optionalString(QStringLiteral("client"));
    } // else: a kind this console does not know; kept with its data (PROTOCOL.md, Versioning)
    if (e.kind != ConsoleEvent::Kind::Other && e.kind != ConsoleEvent::Kind::Drill)
        e.viewId = d.optionalString(QStringLiteral("view_id"));
    if (!d.ok())
        return d.toError();
    return e;
}

QString describeCause(const QString &cause)
{
    if (cause == u"connection-lost")
        return Tr::tr("connection lost");
    if (cause == u"silent")
        return Tr::tr("silent (missed heartbeats)");
    if (cause == u"lease-expired")
        return Tr::tr("etcd lease expired");
    if (cause == u"left")
        return Tr::tr("left (stopped)");
    if (cause == u"expelled-coordinator")
        return Tr::tr("expelled by the coordinator");
    if (cause == u"drain")
        return Tr::tr("drained");
    if (cause == u"adapter")
        return Tr::tr("adapter failed");
    if (cause == u"moved")
        return Tr::tr("roles moved");
    return cause;
}

QString describeRole(const QString &role)
{
    if (role == u"system-leader")
        return Tr::tr("system leader");
    if (role.startsWith(u"leader "))
        return Tr::tr("leader of %1").arg(role.mid(7));
    return role;
}

QString describe(const ConsoleEvent &e)
{
    switch (e.kind) {
    case ConsoleEvent::Kind::ViewChanged:
        if (e.members.isEmpty())
            return Tr::tr("view of %1: empty").arg(e.group);
        return Tr::tr("view of %1: leader %2, members %3")
            .arg(e.group, e.leader, e.members.join(u' '));
    case ConsoleEvent::Kind::PlanChanged:
        if (e.actions.isEmpty())
            return Tr::tr("plan unchanged");
        if (e.actions.size() == 1)
            return Tr::tr("plan changed: 1 action: %1").arg(e.actions.first());
        return Tr::tr("plan changed: %1 actions: %2")
            .arg(e.actions.size())
            .arg(e.actions.join(QStringLiteral("; ")));
    case ConsoleEvent::Kind::Failover: {
        const QString group = e.group == u"GL_group" ? Tr::tr("the system leader") : e.group;
        const QString to = e.to.isEmpty() ? Tr::tr("nobody") : e.to;
        if (e.reason.isEmpty())
            return Tr::tr("failover of %1: %2 -> %3").arg(group, e.from, to);
        return Tr::tr("failover of %1: %2 -> %3 (%4)")
            .arg(group, e.from, to, describeCause(e.reason));
    }
    case ConsoleEvent::Kind::Drill: {
        DrillRecord d;
        d.action = e.action;
        d.node = e.node;
        d.iface = e.iface;
        d.reason = e.reason;
        d.durationMs = e.durationMs;
        const QString what = describe(d);
        if (e.client.isEmpty())
            return Tr::tr("drill: %1").arg(what);
        return Tr::tr("drill by %1: %2").arg(e.client, what);
    }
    case ConsoleEvent::Kind::Other:
        break;
    }
    return Tr::tr("%1: %2").arg(
        e.kindName, QString::fromUtf8(QJsonDocument(e.data).toJson(QJsonDocument::Compact)));
}

QString describe(const DrillRecord &d)
{
    QString text;
    if (d.action == u"kill")
        text = Tr::tr("kill of node %1").arg(d.node);
    else if (d.action == u"drain")
        text = Tr::tr("drain of node %1").arg(d.node);
    else if (d.action == u"fail-adapter")
        text = Tr::tr("failure of adapter %1 of node %2").arg(d.iface, d.node);
    else if (d.action == u"restore" && d.iface.isEmpty())
        text = Tr::tr("restore of node %1").arg(d.node);
    else if (d.action == u"restore")
        text = Tr::tr("restore of adapter %1 of node %2").arg(d.iface, d.node);
    else
        text = Tr::tr("%1 of node %2").arg(d.action, d.node);
    if (d.durationMs)
        text += u' ' + Tr::tr("for %1").arg(ms(*d.durationMs));
    if (!d.reason.isEmpty())
        text += QStringLiteral(" (") + d.reason + u')';
    return text;
}

} // namespace dmr::console
