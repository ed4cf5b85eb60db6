#include "records.h"

#include "tr.h"

#include "dmr/failover.h"

#include <algorithm>
#include <utility>

namespace dmr::console {

// Every reply is read by the core's typed parsers (dmr/replies.h), the ones dmrctl, dmr-lab and
// the agent's own tests use: one schema and one set of error messages ("get-history:
// failovers[0].detected_ms: expected an integer, found string"). Here they only become the
// console's Qt values.

namespace {

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

QStringList qList(const std::vector<std::string> &items)
{
    QStringList out;
    out.reserve(qsizetype(items.size()));
    for (const auto &i : items)
        out << q(i);
    return out;
}

Page pageOf(const reply::Page &p)
{
    return {q(p.instance), p.rev, p.more};
}

FailoverRecord failoverOf(const reply::Failover &f)
{
    FailoverRecord r;
    r.id = f.id;
    r.node = q(f.node);
    r.cause = q(f.cause);
    r.roles = qList(f.roles);
    // In the order of the roles; then any role the successors name that `roles` does not.
    QStringList order = r.roles;
    for (const auto &successor : f.successors)
        if (!order.contains(q(successor.first)))
            order << q(successor.first);
    for (const QString &role : std::as_const(order))
        for (const auto &[name, node] : f.successors)
            if (q(name) == role)
                r.successors << Successor{role, q(node.value_or(std::string()))};
    r.viewId = q(f.viewId);
    r.silentMs = f.silentMs;
    r.failedMs = f.failedMs;
    r.detectedMs = f.detectedMs;
    r.electedMs = f.electedMs;
    r.tunnelsUpMs = f.tunnelsUpMs;
    r.detectionMs = f.detectionMs;
    r.electionMs = f.electionMs;
    r.tunnelsMs = f.tunnelsMs;
    r.totalMs = f.totalMs;
    r.skewMs = f.skewMs;
    r.rev = f.rev;
    return r;
}

DrillRecord drillRecordOf(const reply::Drill &d)
{
    DrillRecord r;
    r.id = d.id;
    r.action = q(d.action);
    r.node = q(d.node);
    r.iface = q(d.iface);
    r.reason = q(d.reason);
    r.client = q(d.client);
    r.durationMs = d.durationMs;
    r.startedMs = d.startedMs;
    r.endedMs = d.endedMs;
    r.via = q(d.via);
    r.forwardedTo = q(d.forwardedTo);
    r.rev = d.rev;
    return r;
}

// Parses with `parse` and converts with `convert`; the core's error as it is.
template<typename Parse, typename Convert>
auto read(std::string_view text, Parse &&parse, Convert &&convert)
    -> Result<decltype(convert(*parse(std::string_view())))>
{
    auto parsed = parse(text);
    if (!parsed)
        return parsed.error();
    return convert(*parsed);
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

QString FailoverRecord::key() const
{
    // A departure (a crash, a silence, a goodbye) is decided once, by one agent, and every agent
    // records it at that decision's time (detected_ms, the deciding agent's clock). The view
    // that removed the node's roles may differ from agent to agent (a node that flaps while the
    // cluster starts lands in different views on different agents): the node and that time
    // name the departure. A change of the node's own (drain, adapter) or a move of its roles is
    // timed on each agent's own clock where the node does not say: its view names it.
    if (detectedMs != 0 && dmr::isDeparture(dmr::parseFailoverCause(cause.toStdString())))
        return node + QStringLiteral("@t") + QString::number(detectedMs);
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

Result<HelloInfo> parseHello(std::string_view resultJson)
{
    return read(resultJson, reply::parseHello, [](const reply::Hello &h) {
        return HelloInfo{q(h.agent), q(h.version), h.protocol, q(h.role), h.isOperator};
    });
}

Result<ClusterInfo> parseCluster(std::string_view resultJson)
{
    return read(resultJson, reply::parseCluster, [](const reply::Cluster &c) {
        ClusterInfo out;
        out.viewId = q(c.viewId);
        out.coordinator = q(c.coordinator.value_or(std::string()));
        for (const auto &a : c.agents)
            out.agents << AgentInfo{q(a.id), a.seq, q(a.membership), q(a.control)};
        out.snapshot = c.snapshot;
        return out;
    });
}

Result<QList<FailoverRecord>> parseHistory(std::string_view resultJson)
{
    auto page = parseHistoryPage(resultJson);
    if (!page)
        return page.error();
    return page.value().records;
}

Result<HistoryPage> parseHistoryPage(std::string_view resultJson)
{
    return read(resultJson, reply::parseHistory, [](const reply::History &h) {
        HistoryPage out{pageOf(h.page), {}};
        for (const auto &f : h.failovers)
            out.records << failoverOf(f);
        return out;
    });
}

Result<ViewsPage> parseViews(std::string_view resultJson)
{
    return read(resultJson, reply::parseViews, [](const reply::Views &v) {
        ViewsPage out;
        out.page = pageOf(v.page);
        if (v.base) {
            out.hasBase = true;
            out.baseViewId = q(v.base->viewId);
            out.base = v.base->snapshot;
        }
        for (const auto &d : v.views)
            out.views << d;
        return out;
    });
}

Result<SubscribeInfo> parseSubscribe(std::string_view resultJson)
{
    return read(resultJson, reply::parseSubscribe, [](const reply::Subscribe &s) {
        return SubscribeInfo{q(s.instance), s.seq, int(s.replayed), s.missed};
    });
}

Result<RelayState> parseRelayState(std::string_view resultJson)
{
    return reply::parseRelayState(resultJson);
}

Result<ReachabilityMatrix> parseReachability(std::string_view resultJson)
{
    return read(resultJson, reply::parseReachability, [](const reply::Reachability &r) {
        ReachabilityMatrix m;
        m.nodes = qList(r.nodes);
        m.intervalMs = r.intervalMs;
        m.askedBy = q(r.askedBy);
        m.timeMs = r.timeMs;
        for (const auto &row : r.rows) {
            ReachabilityRow out;
            out.node = q(row.node);
            out.answered = row.answered;
            out.probing = row.probing;
            for (const auto &c : row.heard)
                out.heard << ReachabilityCell{q(c.from),    c.heard, c.received, c.lost,
                                              c.duplicates, c.loss,  c.ageMs};
            m.rows << out;
        }
        return m;
    });
}

Result<QList<DrillRecord>> parseDrills(std::string_view resultJson)
{
    auto page = parseDrillsPage(resultJson);
    if (!page)
        return page.error();
    return page.value().records;
}

Result<DrillsPage> parseDrillsPage(std::string_view resultJson)
{
    return read(resultJson, reply::parseDrills, [](const reply::Drills &d) {
        DrillsPage out{pageOf(d.page), {}};
        for (const auto &r : d.drills)
            out.records << drillRecordOf(r);
        return out;
    });
}

Result<DrillRecord> parseDrillRecord(std::string_view recordJson)
{
    return read(recordJson, reply::parseDrill, drillRecordOf);
}

Result<ConsoleEvent> parseEvent(std::string_view line)
{
    return read(line, reply::parseEvent, [](const reply::Event &e) {
        using protocol::EventKind;
        ConsoleEvent out;
        out.kindName = q(e.kindName);
        out.timeMs = e.timeMs;
        out.seq = e.seq;
        out.viewId = q(e.viewId);
        out.dataJson = q(e.dataJson);
        out.group = q(e.group);
        out.reason = q(e.reason.value_or(std::string()));
        if (!e.kind) // a kind this console does not know; kept with its data (Versioning)
            return out;
        switch (*e.kind) {
        case EventKind::ViewChanged:
            out.kind = ConsoleEvent::Kind::ViewChanged;
            out.leader = q(e.leader.value_or(std::string()));
            for (const auto &m : e.members)
                out.members << q(m.node);
            break;
        case EventKind::PlanChanged:
            out.kind = ConsoleEvent::Kind::PlanChanged;
            for (const auto &a : e.actions)
                out.actions << q(a.text);
            break;
        case EventKind::Failover:
            out.kind = ConsoleEvent::Kind::Failover;
            out.from = q(e.from.value_or(std::string()));
            out.to = q(e.to.value_or(std::string()));
            break;
        case EventKind::Drill:
            out.kind = ConsoleEvent::Kind::Drill;
            out.action = q(e.action);
            out.node = q(e.node);
            out.iface = q(e.iface);
            out.durationMs = e.durationMs;
            out.client = q(e.client.value_or(std::string()));
            break;
        }
        return out;
    });
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
    return Tr::tr("%1: %2").arg(e.kindName, e.dataJson);
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
