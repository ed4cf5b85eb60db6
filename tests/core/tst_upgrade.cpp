// The rolling upgrade's order (dmr/upgrade.h) on the reference model: Fig. 5 step by step, the
// 128-node Fig. 1, nodes that are not up, and a cluster where a node leads two networks.
// Each plan is replayed on a fresh model to check that the moves it announces are the ones the
// replay makes, and compared with the naive order (natural id order), which moves the system
// leader more: what the planner exists to avoid.

#include "dmr/upgrade.h"

#include "dmr/topology.h"

#include <QFile>
#include <QtTest>

namespace {

dmr::TopologyFile load(const char *name)
{
    QFile f(QStringLiteral(DMR_TOPOLOGIES "/") + QString::fromLatin1(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", name);
    auto topo = dmr::parseTopology(f.readAll().toStdString());
    if (!topo)
        qFatal("%s: %s", name, topo.error().message.c_str());
    return std::move(topo).value();
}

dmr::ClusterModel started(const dmr::TopologyFile &topo)
{
    dmr::ClusterModel model(topo.nodes);
    for (const auto &id : topo.joinOrder)
        if (!model.join(id))
            qFatal("join %s failed", id.c_str());
    return model;
}

// Replays an order (drain, rejoin) and counts how often the system leader changed, and how
// often any network's leader did.
std::pair<int, int> replay(dmr::ClusterModel model, const std::vector<dmr::NodeId> &order)
{
    int sl = 0;
    int leaders = 0;
    auto last = model.plan().election;
    const auto note = [&] {
        const auto now = model.plan().election;
        if (now.systemLeader != last.systemLeader)
            ++sl;
        for (const auto &[g, l] : last.groupLeaders)
            if (!now.groupLeaders.count(g) || now.groupLeaders.at(g) != l)
                ++leaders;
        for (const auto &[g, l] : now.groupLeaders)
            if (!last.groupLeaders.count(g))
                ++leaders;
        last = now;
    };
    for (const auto &id : order) {
        if (!model.drain(id))
            qFatal("drain %s failed", id.c_str());
        note();
        if (!model.join(id))
            qFatal("rejoin %s failed", id.c_str());
        note();
    }
    return {sl, leaders};
}

std::vector<dmr::NodeId> orderOf(const dmr::UpgradePlan &plan)
{
    std::vector<dmr::NodeId> out;
    for (const auto &s : plan.steps)
        out.push_back(s.node);
    return out;
}

} // namespace

class TestUpgrade : public QObject
{
    Q_OBJECT

private slots:
    void fig5StepByStep()
    {
        const auto topo = load("fig5.json");
        const auto plan = dmr::planUpgrade(started(topo));
        QCOMPARE(orderOf(plan), (std::vector<dmr::NodeId>{"1", "3", "5", "4", "6", "2"}));
        QCOMPARE(plan.systemLeaderMoves, 1);
        QCOMPARE(plan.leaderMoves, 3);
        QCOMPARE(plan.movesOntoOldNodes, 0);
        QVERIFY(plan.notUp.empty());
        QCOMPARE(plan.steps[3].moves, (std::vector<dmr::LeaderMove>{{"10.0.3.0/24", "4", "1"}}));
        QCOMPARE(plan.steps[5].moves, (std::vector<dmr::LeaderMove>{{dmr::kGlGroup, "2", "1"},
                                                                    {"10.0.1.0/24", "2", "1"}}));
        QCOMPARE(QString::fromStdString(dmr::renderUpgradePlanText(plan)),
                 QStringLiteral("step  node  draining it moves\n"
                                "1     1     nothing\n"
                                "2     3     nothing\n"
                                "3     5     nothing\n"
                                "4     4     network 10.0.3.0/24: 4 -> 1\n"
                                "5     6     network 10.0.2.0/24: 6 -> 5\n"
                                "6     2     system leader: 2 -> 1; network 10.0.1.0/24: 2 -> 1\n"
                                "system leader moves 1, network leader moves 3, of them onto "
                                "nodes not yet upgraded 0\n"));
        // The replay makes exactly the moves announced; the naive order moves more.
        QCOMPARE(replay(started(topo), orderOf(plan)), std::pair(1, 3));
        const auto naive = replay(started(topo), {"1", "2", "3", "4", "5", "6"});
        QVERIFY2(naive.first > 1, "the natural order should move the system leader twice or more");
    }

    void fig1OneSystemLeaderMove()
    {
        const auto topo = load("fig1.json");
        const auto model = started(topo);
        const auto plan = dmr::planUpgrade(model);
        QCOMPARE(plan.steps.size(), topo.nodes.size());
        QCOMPARE(plan.systemLeaderMoves, 1);
        QCOMPARE(plan.movesOntoOldNodes, 0);
        const auto counts = replay(model, orderOf(plan));
        QCOMPARE(counts.first, 1);
        QCOMPARE(counts.second, plan.leaderMoves);
        // Every network leader moves once at most, and the system leader goes last.
        QVERIFY(plan.leaderMoves <= static_cast<int>(model.membership().networks.size()));
        QCOMPARE(plan.steps.back().node, *model.plan().election.systemLeader);
        QVERIFY(replay(model,
                       [&] {
                           std::vector<dmr::NodeId> ids;
                           for (const auto &[id, n] : topo.nodes)
                               ids.push_back(id);
                           std::sort(ids.begin(), ids.end(), dmr::naturalLess);
                           return ids;
                       }())
                    .first > 1);
    }

    void nodesNotUpHaveNoStep()
    {
        const auto topo = load("fig5.json");
        auto model = started(topo);
        QVERIFY(model.drain("3"));
        QVERIFY(model.fail("5"));
        const auto plan = dmr::planUpgrade(model);
        QCOMPARE(plan.notUp, (std::vector<dmr::NodeId>{"3", "5"}));
        QCOMPARE(orderOf(plan), (std::vector<dmr::NodeId>{"1", "4", "6", "2"}));
        QCOMPARE(plan.systemLeaderMoves, 1);
        QVERIFY(QString::fromStdString(dmr::renderUpgradePlanText(plan))
                    .endsWith(QStringLiteral("not up (they hold no role: upgrade them any "
                                             "time): 3 5\n")));
    }

    void aNodeLeadingTwoNetworks()
    {
        // x leads N1 and N2 (it joined first), y is on N1 and N2, z only on N2:
        //   N1: x y      N2: x y z
        // Draining x moves both networks and the system leader to y, so y must be upgraded
        // before x: y, z (lead nothing), then x.
        dmr::Topology t;
        const auto node = [](const char *id,
                             std::vector<std::pair<const char *, const char *>> ifs) {
            dmr::Node n;
            n.id = id;
            for (const auto &[name, addr] : ifs)
                n.interfaces.push_back({name, *dmr::InterfaceAddress::parse(addr)});
            return n;
        };
        t["x"] = node("x", {{"eth0", "10.9.1.1/24"}, {"eth1", "10.9.2.1/24"}});
        t["y"] = node("y", {{"eth0", "10.9.1.2/24"}, {"eth1", "10.9.2.2/24"}});
        t["z"] = node("z", {{"eth0", "10.9.2.3/24"}});
        dmr::ClusterModel model(t);
        for (const char *id : {"x", "y", "z"})
            QVERIFY(model.join(id));
        const auto plan = dmr::planUpgrade(model);
        QCOMPARE(orderOf(plan), (std::vector<dmr::NodeId>{"y", "z", "x"}));
        QCOMPARE(plan.systemLeaderMoves, 1);
        QCOMPARE(plan.leaderMoves, 2);
        QCOMPARE(plan.movesOntoOldNodes, 0);
        const auto json = dmr::renderUpgradePlanJson(plan);
        QVERIFY2(json.find("\"system_leader_moves\": 1") != std::string::npos, json.c_str());
        QVERIFY2(json.find("\"from\": \"x\"") != std::string::npos, json.c_str());
    }
};

QTEST_APPLESS_MAIN(TestUpgrade)
#include "tst_upgrade.moc"
