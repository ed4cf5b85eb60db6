// Plan diffs and the plan's invariants, over hand-picked cases and over seeded random runs of
// the cluster model (a fixed seed, so a failure replays exactly).

#include "dmr/cluster.h"
#include "dmr/diff.h"

#include <QtTest>

#include <random>
#include <set>

namespace {

using dmr::Action;

// Applies a diff to the old plan's routes and tunnels, as an agent would.
struct Applied
{
    std::set<std::string> routes;
    std::map<std::string, std::vector<dmr::GroupName>> tunnels; // ends -> carried
};

std::string routeKey(const dmr::Route &r)
{
    return r.node + "/" + r.iface + "/" + r.network;
}

std::string tunnelKey(const dmr::Tunnel &t)
{
    return t.root.node + "/" + t.root.iface + "/" + t.root.address.toString() + ">" + t.leaf.node +
           "/" + t.leaf.iface + "/" + t.leaf.address.toString();
}

Applied state(const dmr::Plan &p)
{
    Applied a;
    for (const auto &r : p.routes)
        a.routes.insert(routeKey(r));
    for (const auto &t : p.tunnels)
        a.tunnels[tunnelKey(t)] = t.networks;
    return a;
}

QString apply(Applied &a, const std::vector<Action> &actions)
{
    for (const Action &x : actions) {
        switch (x.kind) {
        case Action::Kind::Route:
            if (!a.routes.insert(routeKey(x.route)).second)
                return QStringLiteral("route twice: ") + QString::fromStdString(x.toString());
            break;
        case Action::Kind::Unroute:
            if (a.routes.erase(routeKey(x.route)) == 0)
                return QStringLiteral("unroute of unknown: ") +
                       QString::fromStdString(x.toString());
            break;
        case Action::Kind::OpenTunnel:
            if (!a.tunnels.emplace(tunnelKey(x.tunnel), x.tunnel.networks).second)
                return QStringLiteral("open twice: ") + QString::fromStdString(x.toString());
            break;
        case Action::Kind::UpdateTunnel:
            if (a.tunnels.count(tunnelKey(x.tunnel)) == 0)
                return QStringLiteral("update of unknown: ") + QString::fromStdString(x.toString());
            a.tunnels[tunnelKey(x.tunnel)] = x.tunnel.networks;
            break;
        case Action::Kind::CloseTunnel:
            if (a.tunnels.erase(tunnelKey(x.tunnel)) == 0)
                return QStringLiteral("close of unknown: ") + QString::fromStdString(x.toString());
            break;
        }
    }
    return {};
}

// The plan's invariants: one routing point per network, a star around the
// system leader, the GL_group holding exactly the leaders.
QString checkPlan(const dmr::ClusterModel &m)
{
    const dmr::Plan p = m.plan();
    const auto &e = p.election;
    std::map<dmr::GroupName, int> routesPerNetwork;
    for (const auto &r : p.routes)
        ++routesPerNetwork[r.network];
    for (const auto &[group, view] : m.membership().networks) {
        if (view.members.empty())
            return QStringLiteral("empty view kept for ") + QString::fromStdString(group);
        if (routesPerNetwork[group] != 1)
            return QStringLiteral("network %1 has %2 routing points")
                .arg(QString::fromStdString(group))
                .arg(routesPerNetwork[group]);
        if (e.groupLeaders.at(group) != view.members.front().node)
            return QStringLiteral("leader is not the first member");
    }
    std::set<dmr::NodeId> leaders;
    for (const auto &[g, n] : e.groupLeaders)
        leaders.insert(n);
    std::set<dmr::NodeId> gl;
    for (const auto &mem : m.membership().glGroup.members)
        gl.insert(mem.node);
    if (gl != leaders)
        return QStringLiteral("GL_group differs from the set of leaders");
    if (leaders.empty() != !e.systemLeader)
        return QStringLiteral("system leader without leaders, or the reverse");
    if (e.systemLeader && m.membership().glGroup.members.front().node != *e.systemLeader)
        return QStringLiteral("system leader is not the GL_group's first member");
    if (p.tunnels.size() != (leaders.empty() ? 0 : leaders.size() - 1))
        return QStringLiteral("expected one tunnel per leader but the system leader");
    std::set<dmr::NodeId> leaves;
    for (const auto &t : p.tunnels) {
        if (t.root.node != *e.systemLeader)
            return QStringLiteral("tunnel not rooted at the system leader");
        if (!leaves.insert(t.leaf.node).second || t.leaf.node == t.root.node)
            return QStringLiteral("duplicate or self tunnel");
        if (t.networks != e.groupsLedBy(t.leaf.node))
            return QStringLiteral("tunnel does not carry exactly the leaf's networks");
    }
    return {};
}

QString checkDiff(const dmr::Plan &from, const dmr::Plan &to)
{
    const auto actions = dmr::diffPlans(from, to);
    bool closing = false;
    for (const auto &a : actions) {
        if (!a.opens())
            closing = true;
        else if (closing)
            return QStringLiteral("an opening action after a closing one: ") +
                   QString::fromStdString(a.toString());
    }
    Applied s = state(from);
    if (auto err = apply(s, actions); !err.isEmpty())
        return err;
    const Applied want = state(to);
    if (s.routes != want.routes || s.tunnels != want.tunnels)
        return QStringLiteral("applying the diff does not give the new plan");
    return {};
}

} // namespace

class TestDiff : public QObject
{
    Q_OBJECT

private slots:
    void samePlanIsEmpty()
    {
        dmr::Topology t;
        t["1"] = dmr::Node{"1", {{"eth0", *dmr::InterfaceAddress::parse("10.0.0.1/24")}}};
        t["2"] = dmr::Node{"2", {{"eth0", *dmr::InterfaceAddress::parse("10.0.1.2/24")}}};
        dmr::ClusterModel m(t);
        QVERIFY(m.join("1"));
        QVERIFY(m.join("2"));
        QVERIFY(dmr::diffPlans(m.plan(), m.plan()).empty());
        const auto fromNothing = dmr::diffPlans(dmr::Plan{}, m.plan());
        QCOMPARE(fromNothing.size(), std::size_t(3)); // two routes, one tunnel
        for (const auto &a : fromNothing)
            QVERIFY(a.opens());
        const auto toNothing = dmr::diffPlans(m.plan(), dmr::Plan{});
        QCOMPARE(toNothing.size(), std::size_t(3));
        QVERIFY(toNothing.front().kind == Action::Kind::CloseTunnel);
        QCOMPARE(dmr::actionsFor(fromNothing, "2").size(), std::size_t(2)); // its route, the tunnel
    }

    // Random clusters of up to 12 nodes on up to 5 networks (some nodes on two), driven by
    // random joins, crashes, drains and adapter failures: after every event the plan keeps its
    // invariants, and the diff from the previous plan is make-before-break and exact.
    void randomRuns_data()
    {
        QTest::addColumn<unsigned>("seed");
        for (unsigned seed = 1; seed <= 40; ++seed)
            QTest::addRow("seed %u", seed) << seed;
    }

    void randomRuns()
    {
        QFETCH(unsigned, seed);
        std::mt19937 rng(seed);
        auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
        const int networks = 1 + pick(5);
        const int nodes = 1 + pick(12);
        dmr::Topology topo;
        for (int i = 1; i <= nodes; ++i) {
            dmr::Node n{"n" + std::to_string(i), {}};
            const int first = pick(networks);
            n.interfaces.push_back(
                {"eth0",
                 dmr::InterfaceAddress(
                     dmr::IpAddress::v4((10U << 24) | (unsigned(first) << 8) | unsigned(i)), 24)});
            const int second = pick(networks);
            if (second != first && pick(3) == 0)
                n.interfaces.push_back(
                    {"eth1",
                     dmr::InterfaceAddress(
                         dmr::IpAddress::v4((10U << 24) | (unsigned(second) << 8) | unsigned(i)),
                         24)});
            topo.emplace(n.id, n);
        }
        dmr::ClusterModel m(topo);
        dmr::Plan before = m.plan();
        for (int step = 0; step < 200; ++step) {
            const auto id = "n" + std::to_string(1 + pick(nodes));
            const auto &node = topo.at(id);
            const auto &iface = node.interfaces[static_cast<std::size_t>(
                                                    pick(static_cast<int>(node.interfaces.size())))]
                                    .name;
            switch (pick(6)) {
            case 0:
            case 1:
                (void)m.join(id);
                break;
            case 2:
                (void)m.fail(id);
                break;
            case 3:
                (void)m.drain(id);
                break;
            case 4:
                (void)m.failAdapter(id, iface);
                break;
            default:
                (void)m.restoreAdapter(id, iface);
                break;
            }
            if (auto err = checkPlan(m); !err.isEmpty())
                QFAIL(qPrintable(QStringLiteral("step %1: %2").arg(step).arg(err)));
            const dmr::Plan after = m.plan();
            if (auto err = checkDiff(before, after); !err.isEmpty())
                QFAIL(qPrintable(QStringLiteral("step %1: %2").arg(step).arg(err)));
            before = after;
        }
    }
};

QTEST_GUILESS_MAIN(TestDiff)
#include "tst_diff.moc"
