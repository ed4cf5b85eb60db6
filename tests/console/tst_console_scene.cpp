// The topology view, driven by real snapshots of Fig. 5 and Fig. 1 (dmr::ClusterModel started in
// join order): items for every node and network, leader marks that move on failover while the
// nodes stay put, tunnels, links of multi-homed nodes, a layout without overlaps, clicks, search
// and exports. It also saves fig5-topology.png and fig1-topology.png next to the test binary,
// for a person to look at.

#include "scene/export.h"
#include "scene/topologyitems.h"
#include "scene/topologylayout.h"
#include "scene/topologyscene.h"
#include "scene/topologyview.h"

#include "dmr/topology.h"

#include <QContextMenuEvent>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <QtWidgets>

#include <algorithm>
#include <cmath>
#include <random>

using namespace dmr::console;

namespace {

dmr::TopologyFile loadTopology(const QString &name)
{
    QFile f(QStringLiteral(DMR_TOPOLOGIES "/%1.json").arg(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(f.fileName()));
    auto topo = dmr::parseTopology(f.readAll().toStdString());
    if (!topo)
        qFatal("%s", topo.error().message.c_str());
    return *topo;
}

struct Cluster
{
    dmr::TopologyFile file;
    dmr::ClusterModel model;

    explicit Cluster(const QString &name)
        : file(loadTopology(name))
        , model(file.nodes)
    {
        for (const auto &id : file.joinOrder)
            if (!model.join(id))
                qFatal("cannot join %s", id.c_str());
    }
    dmr::Snapshot snapshot() const
    {
        return dmr::makeSnapshot(model, file.name, 1'700'000'000'000);
    }
};

NodeItem *node(const TopologyScene &scene, const QString &id)
{
    return dynamic_cast<NodeItem *>(scene.nodeItem(id));
}

QString outputPath(const QString &file)
{
    return QCoreApplication::applicationDirPath() + QLatin1Char('/') + file;
}

qreal distanceToRect(const QRectF &rect, QPointF p)
{
    const qreal dx = std::max({rect.left() - p.x(), 0.0, p.x() - rect.right()});
    const qreal dy = std::max({rect.top() - p.y(), 0.0, p.y() - rect.bottom()});
    return std::hypot(dx, dy);
}

} // namespace

class TestConsoleScene : public QObject
{
    Q_OBJECT

private slots:
    void everyNodeAndNetworkHasAnItem_data()
    {
        QTest::addColumn<QString>("figure");
        QTest::addColumn<int>("nodes");
        QTest::addColumn<int>("networks");
        QTest::newRow("fig5") << "fig5" << 6 << 3;
        QTest::newRow("fig1") << "fig1" << 128 << 9;
    }
    void everyNodeAndNetworkHasAnItem()
    {
        QFETCH(QString, figure);
        QFETCH(int, nodes);
        QFETCH(int, networks);
        Cluster c(figure);
        TopologyScene scene;
        scene.setSnapshot(c.snapshot());
        const auto s = c.snapshot();
        QCOMPARE(static_cast<int>(s.nodes.size()), nodes);
        QCOMPARE(static_cast<int>(s.membership.networks.size()), networks);
        for (const auto &[id, n] : s.nodes) {
            auto *item = scene.nodeItem(QString::fromStdString(id));
            QVERIFY2(item, id.c_str());
            QCOMPARE(item->data(RoleId).toString(), QString::fromStdString(id));
            QCOMPARE(item->data(RoleKind).toInt(), static_cast<int>(ItemKind::Node));
            QCOMPARE(item->data(RoleState).toString(), QStringLiteral("up"));
        }
        for (const auto &[group, view] : s.membership.networks) {
            auto *item = scene.regionItem(QString::fromStdString(group));
            QVERIFY2(item, group.c_str());
            QCOMPARE(item->data(RoleLeader).toString(),
                     QString::fromStdString(s.plan.election.groupLeaders.at(group)));
        }
        QVERIFY(!scene.nodeItem(QStringLiteral("nope")));
        QCOMPARE(scene.topologyLayout().regions.size(), static_cast<std::size_t>(networks));
    }

    void aLeaderWithoutATunnelIsMarked()
    {
        // An IPv4-only system leader and an IPv6-only group leader: the plan has no tunnel
        // between them, and the view says so on the cut-off node (badge and tool tip).
        auto topo = dmr::parseTopology(R"({"name": "mixed", "nodes": [
            {"id": "a", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"}]},
            {"id": "b", "interfaces": [{"name": "eth0", "address": "fd00:2::2/64"}]},
            {"id": "c", "interfaces": [{"name": "eth0", "address": "10.0.3.3/24"}]}],
            "join_order": ["a", "b", "c"]})");
        QVERIFY2(topo.ok(), topo.ok() ? "" : topo.error().message.c_str());
        dmr::ClusterModel model(topo->nodes);
        for (const auto &id : topo->joinOrder)
            QVERIFY(model.join(id));
        const auto snapshot = dmr::makeSnapshot(model, "mixed", 1'700'000'000'000);
        QCOMPARE(snapshot.plan.noTunnels.size(), std::size_t{1});
        TopologyScene scene;
        scene.setSnapshot(snapshot);
        const QString why = scene.nodeItem(QStringLiteral("b"))->data(RoleNoTunnel).toString();
        QVERIFY2(why.contains(QStringLiteral("No tunnel from system leader a")), qPrintable(why));
        QVERIFY2(why.contains(QStringLiteral("fd00:2::/64")), qPrintable(why));
        QVERIFY2(why.contains(QStringLiteral("no address family in common")), qPrintable(why));
        QVERIFY(scene.nodeItem(QStringLiteral("c"))->data(RoleNoTunnel).toString().isEmpty());
        QVERIFY(scene.nodeToolTip(QStringLiteral("b")).contains(why));
        // The snapshot says it too, and reads back the same.
        const auto back = dmr::parseSnapshot(dmr::toJson(snapshot));
        QVERIFY(back.ok());
        QVERIFY(back->plan.noTunnels == snapshot.plan.noTunnels);
        // For a person to look at: the badge on b.
        QImage image(1200, 500, QImage::Format_ARGB32);
        image.fill(Qt::white);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        scene.render(&painter);
        painter.end();
        image.save(outputPath(QStringLiteral("no-tunnel.png")));
    }

    void systemLeaderMarkMovesOnFailover()
    {
        Cluster c(QStringLiteral("fig5"));
        TopologyScene scene;
        scene.setSnapshot(c.snapshot());
        QCOMPARE(scene.systemLeader(), QStringLiteral("2"));
        for (const char *id : {"1", "2", "3", "4", "5", "6"}) {
            const QString n = QString::fromLatin1(id);
            const bool sl = n == QLatin1String("2");
            const bool gl = sl || n == QLatin1String("6") || n == QLatin1String("4");
            QCOMPARE(scene.nodeItem(n)->data(RoleSystemLeader).toBool(), sl);
            QCOMPARE(scene.nodeItem(n)->data(RoleGroupLeader).toBool(), gl);
            const auto *slMark = node(scene, n)->mark(MarkItem::Kind::SystemLeader);
            const auto *glMark = node(scene, n)->mark(MarkItem::Kind::GroupLeader);
            QCOMPARE(slMark && slMark->isVisible(), sl);
            QCOMPARE(glMark && glMark->isVisible(), gl);
        }
        const auto before = scene.nodeItem(QStringLiteral("2"))->pos();

        QVERIFY(c.model.fail("2").ok());
        scene.setSnapshot(c.snapshot());
        QCOMPARE(scene.systemLeader(), QStringLiteral("6"));
        QVERIFY(scene.nodeItem(QStringLiteral("6"))->data(RoleSystemLeader).toBool());
        QVERIFY(!scene.nodeItem(QStringLiteral("2"))->data(RoleSystemLeader).toBool());
        QCOMPARE(scene.nodeItem(QStringLiteral("2"))->data(RoleState).toString(),
                 QStringLiteral("failed"));
        QVERIFY(scene.nodeItem(QStringLiteral("1"))->data(RoleGroupLeader).toBool());
        QCOMPARE(scene.regionItem(QStringLiteral("10.0.1.0/24"))->data(RoleLeader).toString(),
                 QStringLiteral("1"));
        // The failover moves marks, not nodes.
        QCOMPARE(scene.nodeItem(QStringLiteral("2"))->pos(), before);

        // The marks animate, then settle.
        auto *newMark = node(scene, QStringLiteral("6"))->mark(MarkItem::Kind::SystemLeader);
        auto *oldMark = node(scene, QStringLiteral("2"))->mark(MarkItem::Kind::SystemLeader);
        QVERIFY(newMark && oldMark);
        QVERIFY(newMark->isVisible());
        QVERIFY(scene.isAnimating());
        QTRY_VERIFY_WITH_TIMEOUT(!oldMark->isVisible(), 2000);
        QTRY_COMPARE_WITH_TIMEOUT(newMark->scale(), 1.0, 2000);
        QCOMPARE(newMark->opacity(), 1.0);
    }

    // Snapshots faster than the animations, and a new topology in the middle of them.
    void animationsSurviveRapidChanges()
    {
        Cluster c(QStringLiteral("fig5"));
        TopologyScene scene;
        scene.setSnapshot(c.snapshot());
        for (int i = 0; i < 12; ++i) {
            const std::string id = i % 3 == 0 ? "2" : i % 3 == 1 ? "6" : "4";
            QVERIFY((c.model.state(id) == dmr::NodeState::Up ? c.model.fail(id) : c.model.join(id))
                        .ok());
            scene.setSnapshot(c.snapshot());
            QTest::qWait(40);
        }
        Cluster fig1(QStringLiteral("fig1"));
        scene.setSnapshot(fig1.snapshot()); // relayout while marks are still moving
        QVERIFY(!scene.isAnimating());
        QVERIFY(fig1.model.fail("f1n1").ok());
        scene.setSnapshot(fig1.snapshot());
        QVERIFY(scene.isAnimating());
        QTRY_VERIFY_WITH_TIMEOUT(!scene.isAnimating(), 3000);
        QCOMPARE(scene.systemLeader(), QStringLiteral("f2n1"));
        QCOMPARE(scene.tunnelItems().size(), 7);
    }

    void tunnelsFollowThePlan_data()
    {
        QTest::addColumn<QString>("figure");
        QTest::addColumn<QString>("fail");
        QTest::addColumn<QStringList>("expected"); // root-leaf
        QTest::newRow("fig5") << "fig5" << QString() << QStringList{"2-6", "2-4"};
        QTest::newRow("fig5 after 2 fails") << "fig5"
                                            << "2" << QStringList{"6-4", "6-1"};
        QStringList fig1;
        for (int f = 2; f <= 8; ++f)
            fig1 << QStringLiteral("f1n1-f%1n1").arg(f);
        QTest::newRow("fig1") << "fig1" << QString() << fig1;
    }
    void tunnelsFollowThePlan()
    {
        QFETCH(QString, figure);
        QFETCH(QString, fail);
        QFETCH(QStringList, expected);
        Cluster c(figure);
        TopologyScene scene;
        scene.setAnimationsEnabled(false);
        scene.setSnapshot(c.snapshot());
        if (!fail.isEmpty()) {
            QVERIFY(c.model.fail(fail.toStdString()).ok());
            scene.setSnapshot(c.snapshot());
        }
        const auto plan = c.snapshot().plan;
        QCOMPARE(scene.tunnelItems().size(), static_cast<qsizetype>(plan.tunnels.size()));
        QStringList actual;
        for (auto *t : scene.tunnelItems()) {
            actual << t->data(RoleId).toString();
            QCOMPARE(t->data(RoleState).toString(), QStringLiteral("up"));
            QCOMPARE(t->data(RoleKind).toInt(), static_cast<int>(ItemKind::Tunnel));
        }
        QCOMPARE(actual, expected);
        // Exactly those tunnel items are in the scene (the old ones are gone).
        int inScene = 0;
        for (auto *item : scene.items())
            inScene += item->data(RoleKind).toInt() == static_cast<int>(ItemKind::Tunnel);
        QCOMPARE(inScene, expected.size());
    }

    // The listeners (pruning's word): each tunnel's label says what goes down it after the
    // networks, its tool tip both ways; each region's tool tip its network's listeners. A new
    // snapshot keeps them; empty maps take them away again.
    void tunnelsAndRegionsShowListeners()
    {
        Cluster c(QStringLiteral("fig5"));
        TopologyScene scene;
        scene.setAnimationsEnabled(false);
        scene.setSnapshot(c.snapshot());
        auto *down = dynamic_cast<TunnelItem *>(scene.tunnelItems().value(0));
        QVERIFY(down);
        QCOMPARE(down->data(RoleId).toString(), QStringLiteral("2-6"));
        QCOMPARE(down->shownLabel(), QStringLiteral("carries 10.0.2.0/24"));
        const QString baseTip = down->toolTip();
        const QString regionTip = scene.regionItem("10.0.1.0/24")->toolTip();
        const QRectF plainLabel = down->labelRect();

        scene.setListeners({{"10.0.1.0/24", "Listeners: 239.1.0.5"}},
                           {{"2-6", "1 group"}, {"2-4", "everything"}},
                           {{"2-6", "2 → 6: 239.1.0.5"}});
        QCOMPARE(down->shownLabel(), QStringLiteral("carries 10.0.2.0/24 · 1 group"));
        QVERIFY(down->labelRect().width() > plainLabel.width()); // measured again
        QCOMPARE(down->toolTip(), baseTip + "\n2 → 6: 239.1.0.5");
        auto *other = dynamic_cast<TunnelItem *>(scene.tunnelItems().value(1));
        QCOMPARE(other->shownLabel(), QStringLiteral("carries 10.0.3.0/24 · everything"));
        QCOMPARE(scene.regionItem("10.0.1.0/24")->toolTip(), regionTip + "\nListeners: 239.1.0.5");
        QVERIFY(!scene.regionItem("10.0.2.0/24")->toolTip().contains("Listeners"));

        // A failover keeps the word on the tunnels that stay (the new snapshot alone does not
        // say what is wanted), and a new tunnel gets none until it is given.
        QVERIFY(c.model.fail("4").ok());
        scene.setSnapshot(c.snapshot());
        QCOMPARE(down->shownLabel(), QStringLiteral("carries 10.0.2.0/24 · 1 group"));

        scene.setListeners({}, {}, {});
        QCOMPARE(down->shownLabel(), QStringLiteral("carries 10.0.2.0/24"));
        QCOMPARE(down->toolTip(), baseTip);
        QCOMPARE(scene.regionItem("10.0.1.0/24")->toolTip(), regionTip);
    }

    // What a tunnel's rate limit dropped goes last in its label; while it grows the label is
    // drawn in the warning colour (a render differs from the quiet one); empty maps take both
    // away again.
    void tunnelsShowWhatTheirLimitDropped()
    {
        Cluster c(QStringLiteral("fig5"));
        TopologyScene scene;
        scene.setAnimationsEnabled(false);
        scene.setSnapshot(c.snapshot());
        auto *down = dynamic_cast<TunnelItem *>(scene.tunnelItems().value(0));
        QVERIFY(down && down->labelItem());
        QCOMPARE(down->data(RoleId).toString(), QStringLiteral("2-6"));
        scene.setListeners({}, {{"2-6", "1 group"}}, {});
        const QRectF before = down->labelRect();
        // The label at scale 1 (zoomed out, labels are not drawn).
        auto render = [&] {
            const QRectF around = down->labelRect().adjusted(-20, -10, 20, 10);
            QImage image(around.size().toSize(), QImage::Format_ARGB32);
            image.fill(Qt::white);
            QPainter p(&image);
            scene.render(&p, QRectF(QPointF(), around.size()), around);
            return image;
        };

        scene.setTunnelDrops({{"2-6", "120 dropped"}}, {});
        QCOMPARE(down->shownLabel(), QStringLiteral("carries 10.0.2.0/24 · 1 group · 120 dropped"));
        QVERIFY(down->labelRect().width() > before.width()); // measured again
        QVERIFY(!down->isDropping());
        const QImage quiet = render();
        scene.setTunnelDrops({{"2-6", "120 dropped"}}, {QStringLiteral("2-6")});
        QVERIFY(down->isDropping());
        const QImage loud = render();
        QVERIFY2(loud != quiet, "a dropping tunnel's label looks like a quiet one");
        auto *other = dynamic_cast<TunnelItem *>(scene.tunnelItems().value(1));
        QVERIFY(!other->isDropping() && !other->shownLabel().contains("dropped"));

        scene.setTunnelDrops({}, {});
        QCOMPARE(down->shownLabel(), QStringLiteral("carries 10.0.2.0/24 · 1 group"));
        QVERIFY(!down->isDropping());
    }

    // The obstacles a scene keeps for its tunnels: what is removed no longer counts, however
    // often tunnels come and go, and what stays still does.
    void obstaclesForgetClosedTunnels()
    {
        TunnelObstacles placed;
        const QPolygonF across{QPointF(0, 0), QPointF(500, 0), QPointF(1000, 0)};
        const QPolygonF down{QPointF(200, -500), QPointF(200, 0), QPointF(200, 500)};
        const QRectF label(480, -10, 40, 20);
        placed.addCurve(across, 1);
        placed.addLabel(label, 1);
        placed.addCurve(down, 2);
        const QPolygonF cutsAcross{QPointF(600, -100), QPointF(600, 100)};
        const QPolygonF cutsDown{QPointF(-100, 100), QPointF(400, 100)};
        const QPointF far(-5000, -5000);
        QCOMPARE(placed.crossings(cutsAcross, far, far, 1), 1);
        QCOMPARE(placed.crossings(cutsDown, far, far, 1), 1);
        QVERIFY(placed.near(QPointF(700, 5), 10));
        QCOMPARE(placed.labelHits(label.adjusted(5, 5, 5, 5)), 1);

        placed.remove(1);
        QCOMPARE(placed.crossings(cutsAcross, far, far, 1), 0);
        QVERIFY(!placed.near(QPointF(700, 5), 10));
        QCOMPARE(placed.labelHits(label.adjusted(5, 5, 5, 5)), 0);
        QCOMPARE(placed.crossings(cutsDown, far, far, 1), 1);
        QVERIFY(placed.near(QPointF(205, 300), 10));

        // Hundreds of tunnels opened and closed (the removed ones' places are reused).
        for (int owner = 3; owner < 400; ++owner) {
            QPolygonF curve;
            for (int i = 0; i <= 20; ++i)
                curve << QPointF(600 + i * 10, -300 + owner);
            placed.addCurve(curve, owner);
            placed.addLabel(QRectF(650, -300 + owner, 30, 10), owner);
            if (owner % 2 == 1)
                placed.remove(owner);
        }
        placed.setLabel(4, QRectF());
        QCOMPARE(placed.crossings(cutsDown, far, far, 1), 1);
        QCOMPARE(placed.curveSegments(), std::size_t(2 + 20 * 198));
        // x = 700 crosses the 198 curves that stay (owners 4, 6, ..., 398).
        QCOMPARE(placed.crossings(QPolygonF{QPointF(705, -400), QPointF(705, 500)}, far, far, 1),
                 198);
        QCOMPARE(placed.labelHits(QRectF(660, -300, 1, 400)), 197);
        // The grid still lists the 199 removed curves; dropped all at once, nothing changes.
        placed.compact();
        QCOMPARE(placed.crossings(QPolygonF{QPointF(705, -400), QPointF(705, 500)}, far, far, 1),
                 198);
        // Counted only as far as asked.
        QCOMPARE(placed.crossings(QPolygonF{QPointF(705, -400), QPointF(705, 500)}, far, far, 1, 5),
                 6);
        QVERIFY(placed.near(QPointF(705, -296), 10));   // owner 4's curve
        QVERIFY(!placed.near(QPointF(705, -297), 0.5)); // owner 3's, removed
        for (int owner = 4; owner < 400; owner += 2)
            placed.remove(owner);
        QCOMPARE(placed.crossings(QPolygonF{QPointF(705, -400), QPointF(705, 500)}, far, far, 1),
                 0);
        QCOMPARE(placed.curveSegments(), std::size_t(2));
        QCOMPARE(placed.crossings(cutsDown, far, far, 1), 1);
        // New curves in the removed ones' places, before and after the grid drops them.
        placed.addCurve(QPolygonF{QPointF(600, 50), QPointF(800, 50)}, 500);
        QCOMPARE(placed.crossings(QPolygonF{QPointF(705, -400), QPointF(705, 500)}, far, far, 1),
                 1);
        placed.compact();
        QCOMPARE(placed.crossings(QPolygonF{QPointF(705, -400), QPointF(705, 500)}, far, far, 1),
                 1);
        QVERIFY(!placed.near(QPointF(705, -296), 10));
        QVERIFY(placed.near(QPointF(705, 55), 10));
    }

    // A scene that followed many changes shows each node as a scene given only the last snapshot
    // does: refreshing only the nodes whose status or roles changed misses none.
    void churnLeavesTheNodesAsAFreshSceneShowsThem()
    {
        Cluster c(QStringLiteral("fig1"));
        TopologyScene followed;
        followed.setAnimationsEnabled(false);
        followed.setSnapshot(c.snapshot());
        std::vector<dmr::NodeId> ids;
        for (const auto &[id, n] : c.model.topology())
            ids.push_back(id);
        std::sort(ids.begin(), ids.end(), dmr::naturalLess);
        std::mt19937 random(7);
        for (int step = 0; step < 40; ++step) {
            std::vector<dmr::NodeId> picked;
            std::sample(ids.begin(), ids.end(), std::back_inserter(picked), 12, random);
            // The system leader too, now and then: every tunnel moves.
            if (const auto leader = c.model.plan().election.systemLeader; step % 5 == 0 && leader)
                picked.push_back(*leader);
            for (const auto &id : picked)
                (void)(c.model.state(id) == dmr::NodeState::Up ? c.model.fail(id)
                                                               : c.model.join(id));
            const auto snapshot = c.snapshot();
            followed.setSnapshot(snapshot);
            TopologyScene fresh;
            fresh.setSnapshot(snapshot);
            for (const auto &id : ids) {
                const QString q = QString::fromStdString(id);
                auto *a = node(followed, q);
                auto *b = node(fresh, q);
                QVERIFY(a && b);
                QVERIFY2(a->visualState() == b->visualState() &&
                             a->groupLeader() == b->groupLeader() &&
                             a->systemLeader() == b->systemLeader() &&
                             a->data(RoleState) == b->data(RoleState) &&
                             a->data(RoleGroupLeader) == b->data(RoleGroupLeader) &&
                             a->data(RoleSystemLeader) == b->data(RoleSystemLeader),
                         qPrintable(QStringLiteral("step %1: node %2").arg(step).arg(q)));
            }
            QStringList shown;
            QStringList planned;
            for (auto *t : followed.tunnelItems())
                shown << t->data(RoleId).toString() + u' ' + t->data(RoleState).toString();
            for (auto *t : fresh.tunnelItems())
                planned << t->data(RoleId).toString() + u' ' + t->data(RoleState).toString();
            QCOMPARE(shown, planned);
            QCOMPARE(followed.systemLeader(), fresh.systemLeader());
        }
    }

    // A tunnel opened by a failover is routed around the tunnels that stay, and only those: the
    // one it replaces is gone, whatever the scene showed before.
    void newTunnelsAreRoutedAroundTheStayingOnes()
    {
        Cluster c(QStringLiteral("fig1"));
        TopologyScene scene;
        scene.setAnimationsEnabled(false);
        scene.setSnapshot(c.snapshot());
        for (const char *leader : {"f3n1", "f5n1"}) {
            QVERIFY(c.model.fail(leader).ok());
            scene.setSnapshot(c.snapshot());
        }
        // Each new tunnel against a fresh routing among the others, in plan order.
        const auto plan = c.snapshot().plan;
        QStringList opened;
        for (auto *item : scene.tunnelItems()) {
            auto *t = dynamic_cast<TunnelItem *>(item);
            QVERIFY(t);
            if (t->leaf() != u"f3n2" && t->leaf() != u"f5n2")
                continue;
            opened << t->leaf();
            TunnelObstacles others;
            for (auto *o : scene.tunnelItems()) {
                auto *other = dynamic_cast<TunnelItem *>(o);
                // f3n2's tunnel was routed before f5n2's existed.
                if (other == t || (t->leaf() == u"f3n2" && other->leaf() == u"f5n2"))
                    continue;
                others.addCurve(other->polyline());
                others.addLabel(other->labelRect());
            }
            const auto route = routeTunnel(scene.topologyLayout(), t->root(), t->leaf(),
                                           t->labelRect().size(), &others);
            QCOMPARE(t->polyline(), route.polyline);
        }
        QCOMPARE(opened, (QStringList{"f3n2", "f5n2"}));
    }

    void pendingTunnelsAndLeaderlessNetworks()
    {
        Cluster c(QStringLiteral("fig5"));
        TopologyScene scene;
        scene.setAnimationsEnabled(false);
        auto s = c.snapshot();
        scene.setSnapshot(s);
        // 6 leads B but has not joined the GL_group yet: its tunnel is pending.
        auto &gl = s.membership.glGroup.members;
        gl.erase(std::remove_if(gl.begin(), gl.end(),
                                [](const dmr::Member &m) { return m.node == "6"; }),
                 gl.end());
        scene.setSnapshot(s);
        QStringList states;
        for (auto *t : scene.tunnelItems())
            states << t->data(RoleId).toString() + QLatin1Char(' ') + t->data(RoleState).toString();
        QCOMPARE(states, (QStringList{"2-6 pending", "2-4 up"}));

        // Both members of C gone: C has no leader, and nodes stay where they were.
        const QPointF one = scene.nodeItem(QStringLiteral("1"))->pos();
        QVERIFY(c.model.fail("1").ok());
        QVERIFY(c.model.fail("4").ok());
        scene.setSnapshot(c.snapshot());
        QCOMPARE(scene.regionItem(QStringLiteral("10.0.3.0/24"))->data(RoleLeader).toString(),
                 QString());
        QCOMPARE(scene.nodeItem(QStringLiteral("1"))->pos(), one);
        QCOMPARE(scene.tunnelItems().size(), 1); // 2 -> 6 only: C has no leader to tunnel to
        QCOMPARE(scene.tunnelItems().front()->data(RoleId).toString(), QStringLiteral("2-6"));
    }

    void multiHomedNodesLinkToEachRegion_data()
    {
        QTest::addColumn<QString>("figure");
        QTest::addColumn<QString>("id");
        QTest::newRow("fig5 node 1") << "fig5"
                                     << "1";
        QTest::newRow("fig5 node 4") << "fig5"
                                     << "4";
        QTest::newRow("fig1 gate f3n1") << "fig1"
                                        << "f3n1";
        QTest::newRow("fig1 gate f8n1") << "fig1"
                                        << "f8n1";
    }
    void multiHomedNodesLinkToEachRegion()
    {
        QFETCH(QString, figure);
        QFETCH(QString, id);
        Cluster c(figure);
        TopologyScene scene;
        scene.setSnapshot(c.snapshot());
        QStringList networks = scene.nodeItem(id)->data(RoleNetworks).toStringList();
        networks.sort();
        QCOMPARE(networks.size(), 2);
        const auto links = scene.linkItems(id);
        QCOMPARE(links.size(), 2);
        QStringList linked;
        for (auto *item : links) {
            auto *link = dynamic_cast<LinkItem *>(item);
            QVERIFY(link);
            linked << link->network();
            const QRectF region = scene.regionItem(link->network())->boundingRect();
            const auto *r = scene.topologyLayout().region(link->network());
            QVERIFY(r);
            // The link runs from the node's circle to the region's border.
            QVERIFY2(distanceToRect(r->rect, link->line().p2()) < 0.5, qPrintable(id));
            QVERIFY(region.contains(link->line().p2()));
            QVERIFY(link->line().length() > 2);
        }
        linked.sort();
        QCOMPARE(linked, networks);
        // A single-homed node sits inside its region and needs no link.
        QVERIFY(scene
                    .linkItems(figure == QLatin1String("fig5") ? QStringLiteral("3")
                                                               : QStringLiteral("f3n5"))
                    .isEmpty());
    }

    void layoutIsDeterministicAndTidy_data()
    {
        QTest::addColumn<QString>("figure");
        QTest::newRow("fig5") << "fig5";
        QTest::newRow("fig1") << "fig1";
    }
    void layoutIsDeterministicAndTidy()
    {
        QFETCH(QString, figure);
        const auto topo = loadTopology(figure);
        const auto a = layoutTopology(topo.nodes);
        const auto b = layoutTopology(topo.nodes);
        QCOMPARE(a.nodes.size(), b.nodes.size());
        QCOMPARE(a.bounds, b.bounds);
        for (std::size_t i = 0; i < a.nodes.size(); ++i) {
            QCOMPARE(a.nodes[i].id, b.nodes[i].id);
            QCOMPARE(a.nodes[i].pos, b.nodes[i].pos);
        }
        for (std::size_t i = 0; i < a.regions.size(); ++i)
            QCOMPARE(a.regions[i].rect, b.regions[i].rect);

        const qreal r = a.metrics.nodeRadius;
        // No two nodes overlap, marks and labels included.
        for (std::size_t i = 0; i < a.nodes.size(); ++i)
            for (std::size_t j = i + 1; j < a.nodes.size(); ++j) {
                const qreal d = QLineF(a.nodes[i].pos, a.nodes[j].pos).length();
                QVERIFY2(d >= 2 * r + 20, qPrintable(a.nodes[i].id + " " + a.nodes[j].id));
            }
        // No two regions overlap.
        for (std::size_t i = 0; i < a.regions.size(); ++i)
            for (std::size_t j = i + 1; j < a.regions.size(); ++j)
                QVERIFY2(!a.regions[i].rect.intersects(a.regions[j].rect),
                         qPrintable(a.regions[i].network + " " + a.regions[j].network));
        // Every node lies inside, or at the edge of, each of its regions.
        const qreal margin = a.metrics.gateGap / 2 + 1;
        for (const auto &n : a.nodes) {
            QVERIFY(!n.networks.isEmpty());
            for (const auto &network : n.networks) {
                const auto *region = a.region(network);
                QVERIFY(region);
                QVERIFY2(region->members.contains(n.id), qPrintable(n.id));
                QVERIFY2(region->rect.adjusted(-margin, -margin, margin, margin).contains(n.pos),
                         qPrintable(n.id + " " + network));
            }
            if (n.networks.size() == 1) {
                QVERIFY2(a.region(n.networks.front())->rect.adjusted(r, r, -r, -r).contains(n.pos),
                         qPrintable(n.id));
                QCOMPARE(n.home, n.networks.front());
            }
            QVERIFY(a.bounds.contains(n.pos));
        }
    }

    void fig5LayoutReadsLikeThePaper()
    {
        const auto a = layoutTopology(loadTopology(QStringLiteral("fig5")).nodes);
        const auto *A = a.region(QStringLiteral("10.0.1.0/24"));
        const auto *B = a.region(QStringLiteral("10.0.2.0/24"));
        const auto *C = a.region(QStringLiteral("10.0.3.0/24"));
        QVERIFY(A && B && C);
        // A and B side by side above C, which links 1 and 4 below them.
        QVERIFY(A->rect.right() < B->rect.left());
        QVERIFY(A->rect.bottom() < C->rect.top());
        QVERIFY(B->rect.bottom() < C->rect.top());
        QCOMPARE(A->interior, (QStringList{"2", "3"}));
        QCOMPARE(B->interior, (QStringList{"5", "6"}));
        QCOMPARE(A->gates, QStringList{"1"});
        QCOMPARE(B->gates, QStringList{"4"});
        QVERIFY(a.node(QStringLiteral("1"))->gate);
        QCOMPARE(a.node(QStringLiteral("1"))->gateOf, (QStringList{"10.0.3.0/24", "10.0.1.0/24"}));
    }

    void fig1FramesSurroundTheLan()
    {
        const auto a = layoutTopology(loadTopology(QStringLiteral("fig1")).nodes);
        const auto *lan = a.region(QStringLiteral("10.100.0.0/24"));
        QVERIFY(lan);
        QVERIFY(lan->parent.isEmpty());
        int above = 0;
        int below = 0;
        for (int f = 1; f <= 8; ++f) {
            const auto *frame = a.region(QStringLiteral("10.%1.0.0/24").arg(f));
            QVERIFY(frame);
            QCOMPARE(frame->parent, lan->network);
            QCOMPARE(frame->interior.size(), 15);
            QCOMPARE(frame->gates, QStringList{QStringLiteral("f%1n1").arg(f)});
            above += frame->rect.bottom() < lan->rect.top();
            below += frame->rect.top() > lan->rect.bottom();
        }
        QCOMPARE(above, 4);
        QCOMPARE(below, 4);
        // Readable on a screen: wider than tall, not absurdly so.
        QVERIFY(a.bounds.width() > a.bounds.height());
        QVERIFY(a.bounds.width() < 3 * a.bounds.height());
    }

    // Twenty frames on one LAN: the frames go round the LAN on four sides, and the whole stays
    // about as wide as a screen, without overlaps.
    void manyNetworksGoRoundTheHub()
    {
        dmr::Topology topology;
        for (int f = 1; f <= 20; ++f)
            for (int n = 1; n <= 10; ++n) {
                dmr::Node node;
                node.id = "f" + std::to_string(f) + "n" + std::to_string(n);
                const auto address = [](const std::string &text) {
                    return dmr::InterfaceAddress::parse(text).value();
                };
                node.interfaces.push_back({"eth0", address("10." + std::to_string(f) + ".0." +
                                                           std::to_string(n) + "/24")});
                if (n == 1)
                    node.interfaces.push_back(
                        {"eth1", address("10.100.0." + std::to_string(f) + "/24")});
                topology.emplace(node.id, std::move(node));
            }
        const auto a = layoutTopology(topology);
        QCOMPARE(a.regions.size(), std::size_t(21));
        const auto *lan = a.region(QStringLiteral("10.100.0.0/24"));
        QVERIFY(lan);
        int above = 0, below = 0, left = 0, right = 0;
        for (const auto &r : a.regions) {
            if (&r == lan)
                continue;
            QCOMPARE(r.parent, lan->network);
            above += r.rect.bottom() < lan->rect.top();
            below += r.rect.top() > lan->rect.bottom();
            left += r.rect.right() < lan->rect.left();
            right += r.rect.left() > lan->rect.right();
        }
        QCOMPARE(above + below + left + right, 20);
        QVERIFY(left > 0 && right > 0 && above > 0 && below > 0);
        const qreal aspect = a.bounds.width() / a.bounds.height();
        QVERIFY2(aspect > 1.0 && aspect < 2.6, qPrintable(QString::number(aspect)));
        int sideways = 0;
        for (const auto &n : a.nodes)
            sideways += n.sideways;
        QCOMPARE(sideways, left + right);

        const qreal margin = a.metrics.gateGap / 2 + 1;
        for (std::size_t i = 0; i < a.regions.size(); ++i)
            for (std::size_t j = i + 1; j < a.regions.size(); ++j)
                QVERIFY(!a.regions[i].rect.intersects(a.regions[j].rect));
        for (std::size_t i = 0; i < a.nodes.size(); ++i) {
            for (std::size_t j = i + 1; j < a.nodes.size(); ++j)
                QVERIFY(QLineF(a.nodes[i].pos, a.nodes[j].pos).length() >=
                        2 * a.metrics.nodeRadius + 20);
            for (const auto &network : a.nodes[i].networks)
                QVERIFY2(a.region(network)
                             ->rect.adjusted(-margin, -margin, margin, margin)
                             .contains(a.nodes[i].pos),
                         qPrintable(a.nodes[i].id));
        }
    }

    void clickingANodeEmitsItsId()
    {
        Cluster c(QStringLiteral("fig5"));
        TopologyScene scene;
        scene.setSnapshot(c.snapshot());
        TopologyView view(&scene);
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy clicked(&scene, &TopologyScene::nodeClicked);
        QSignalSpy menu(&scene, &TopologyScene::nodeContextMenuRequested);
        for (const char *id : {"3", "1", "6"}) {
            const QPoint at =
                view.mapFromScene(scene.nodeItem(QString::fromLatin1(id))->scenePos());
            QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, at);
            QCOMPARE(clicked.count(), 1);
            QCOMPARE(clicked.takeFirst().at(0).toString(), QString::fromLatin1(id));
            QCOMPARE(scene.selectedNode(), QString::fromLatin1(id));
            QVERIFY(scene.nodeItem(QString::fromLatin1(id))->data(RoleSelected).toBool());
        }
        // A click on empty background emits nothing.
        const QPoint empty = view.mapFromScene(scene.contentRect().topLeft() - QPointF(20, 20));
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, empty);
        QCOMPARE(clicked.count(), 0);

        const QPoint at = view.mapFromScene(scene.nodeItem(QStringLiteral("5"))->scenePos());
        QContextMenuEvent event(QContextMenuEvent::Mouse, at, view.viewport()->mapToGlobal(at));
        QCoreApplication::sendEvent(view.viewport(), &event);
        QCOMPARE(menu.count(), 1);
        QCOMPARE(menu.at(0).at(0).toString(), QStringLiteral("5"));
        QCOMPARE(menu.at(0).at(1).toPoint(), view.viewport()->mapToGlobal(at));
    }

    void viewZoomsAndFits()
    {
        Cluster c(QStringLiteral("fig1"));
        TopologyScene scene;
        scene.setSnapshot(c.snapshot());
        TopologyView view(&scene);
        view.resize(800, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.autoFit());
        const qreal fitted = view.zoom();
        QVERIFY(fitted < 1);
        // Everything is visible when fitted.
        const QRectF visible = view.mapToScene(view.viewport()->rect()).boundingRect();
        QVERIFY(visible.adjusted(-2, -2, 2, 2).contains(scene.contentRect()));
        // ... so there is nothing to scroll to: no scroll bars taking room.
        QVERIFY(!view.horizontalScrollBar()->isVisible());
        QVERIFY(!view.verticalScrollBar()->isVisible());
        view.zoomIn();
        QVERIFY(view.zoom() > fitted);
        QVERIFY(!view.autoFit());
        view.zoomIn();
        view.zoomIn();
        // Zoomed in, the scroll bars say where the view is.
        QTRY_VERIFY(view.horizontalScrollBar()->isVisible());
        view.resetZoom();
        QCOMPARE(view.zoom(), 1.0);
        view.zoomOut();
        QVERIFY(view.zoom() < 1.0);
        QWheelEvent wheel(QPointF(400, 300), view.viewport()->mapToGlobal(QPoint(400, 300)),
                          QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                          false);
        const qreal beforeWheel = view.zoom();
        QCoreApplication::sendEvent(view.viewport(), &wheel);
        QVERIFY(view.zoom() > beforeWheel);
        view.fitAll();
        QVERIFY(view.autoFit());
        QCOMPARE(view.zoom(), fitted);

        // Far out, the items draw without labels (level of detail); nothing breaks.
        QImage thumbnail(240, 120, QImage::Format_ARGB32_Premultiplied);
        thumbnail.fill(Qt::white);
        {
            QPainter painter(&thumbnail);
            scene.render(&painter, QRectF(thumbnail.rect()), scene.contentRect());
        }
        QVERIFY(thumbnail.pixel(120, 60) != 0 || thumbnail.pixel(10, 10) != 0);

        view.centerOnNode(QStringLiteral("f7n9"));
        QVERIFY(view.mapToScene(view.viewport()->rect())
                    .boundingRect()
                    .contains(scene.nodeItem(QStringLiteral("f7n9"))->scenePos()));
        scene.setSelectedNode(QStringLiteral("f7n9"));
        QCOMPARE(scene.selectedNode(), QStringLiteral("f7n9"));
        scene.setSelectedNode(QStringLiteral("no such node"));
        QCOMPARE(scene.selectedNode(), QString());
        QVERIFY(!scene.nodeItem(QStringLiteral("f7n9"))->data(RoleSelected).toBool());
    }

    void searchFindsByIdOrAddress()
    {
        Cluster fig5(QStringLiteral("fig5"));
        TopologyScene scene;
        scene.setSnapshot(fig5.snapshot());
        QCOMPARE(scene.findNodes(QStringLiteral("10.0.3.")), (QStringList{"1", "4"}));
        QCOMPARE(scene.findNodes(QStringLiteral("6")), (QStringList{"6"}));
        QCOMPARE(scene.findNodes(QStringLiteral("10.0.2.5")), (QStringList{"5"}));
        QVERIFY(scene.findNodes(QStringLiteral("  ")).isEmpty());
        QVERIFY(scene.findNodes(QStringLiteral("10.9.")).isEmpty());

        Cluster fig1(QStringLiteral("fig1"));
        scene.setSnapshot(fig1.snapshot());
        QCOMPARE(
            scene.findNodes(QStringLiteral("F2N1")),
            (QStringList{"f2n1", "f2n10", "f2n11", "f2n12", "f2n13", "f2n14", "f2n15", "f2n16"}));
        QCOMPARE(scene.findNodes(QStringLiteral("10.100.0.")).size(), 8);
        // The layout was replaced: only Fig. 1's nodes remain.
        QVERIFY(!scene.nodeItem(QStringLiteral("1")));
        QVERIFY(scene.nodeItem(QStringLiteral("f8n16")));
        QCOMPARE(scene.tunnelItems().size(), 7);
    }

    void statesShowOnNodesAndLinks()
    {
        Cluster c(QStringLiteral("fig5"));
        TopologyScene scene;
        scene.setSnapshot(c.snapshot());
        QVERIFY(c.model.drain("5").ok());
        QVERIFY(c.model.failAdapter("1", "eth1").ok());
        QVERIFY(c.model.leave("3").ok());
        scene.setSnapshot(c.snapshot());
        QCOMPARE(scene.nodeItem(QStringLiteral("5"))->data(RoleState).toString(),
                 QStringLiteral("drained"));
        QCOMPARE(scene.nodeItem(QStringLiteral("3"))->data(RoleState).toString(),
                 QStringLiteral("down"));
        for (auto *link : scene.linkItems(QStringLiteral("1")))
            QCOMPARE(link->data(RoleAdapterFailed).toBool(),
                     link->data(RoleNetwork).toString() == QLatin1String("10.0.3.0/24"));
        QVERIFY(!scene.nodeToolTip(QStringLiteral("1")).isEmpty());
        QVERIFY(scene.nodeToolTip(QStringLiteral("1")).contains(QLatin1String("eth1")));
        QCOMPARE(scene.systemLeader(), QStringLiteral("2"));
        saveView(scene, QStringLiteral("fig5-states-topology.png"));
    }

    void legendAndPalette()
    {
        TopologyScene scene;
        auto *legend = dynamic_cast<LegendItem *>(scene.legendItem());
        QVERIFY(legend);
        QVERIFY(legend->entries().contains(QStringLiteral("system leader")));
        QVERIFY(legend->entries().contains(QStringLiteral("tunnel pending")));
        QPalette dark;
        dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x24));
        dark.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
        dark.setColor(QPalette::Window, QColor(0x2a, 0x2a, 0x2e));
        dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
        scene.setPalette(dark);
        QCOMPARE(scene.backgroundBrush().color(), QColor(0x20, 0x20, 0x24));
        Cluster c(QStringLiteral("fig5"));
        scene.setSnapshot(c.snapshot());
        saveView(scene, QStringLiteral("fig5-topology-dark.png"));
        // The legend is no item of the scene: the view paints it in a corner, whatever the
        // zoom, and the exports in theirs; it hides.
        QVERIFY(!legend->scene());
        QVERIFY(scene.legendVisible());
        scene.setLegendVisible(false);
        QVERIFY(!scene.legendVisible());
    }

    void exportsWriteValidFiles()
    {
        Cluster c(QStringLiteral("fig5"));
        TopologyScene scene;
        const auto snapshot = c.snapshot();
        scene.setSnapshot(snapshot);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;

        const QString png = dir.filePath(QStringLiteral("fig5.png"));
        QVERIFY2(exportPng(scene, png, &error), qPrintable(error));
        QImage image(png);
        QVERIFY(!image.isNull());
        const QRectF content = exportRect(scene);
        QCOMPARE(image.width(), static_cast<int>(std::ceil(content.width() * 2)));
        QVERIFY(image.width() > 600 && image.height() > 300);
        // Not blank: the background colour and plenty of others.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY(colours.size() > 20);

        // The caption: the cluster, the snapshot's time in UTC, the view and what it shows, the
        // system leader; in the picture's text and drawn above the topology.
        scene.setViewId(QStringLiteral("2.0"));
        const QString caption = exportCaption(scene);
        QCOMPARE(caption, QStringLiteral("DMR cluster fig5 · 2023-11-14 22:13:20 UTC · view 2.0 "
                                         "(live) · system leader 2"));
        QVERIFY2(exportPng(scene, png, &error), qPrintable(error));
        QCOMPARE(QImage(png).text(QStringLiteral("Description")), caption);
        // Its bar (30 units) above the topology.
        QCOMPARE(QImage(png).height(), static_cast<int>(std::ceil((content.height() + 30) * 2)));

        const QString svg = dir.filePath(QStringLiteral("fig5.svg"));
        QVERIFY2(exportSvg(scene, svg, &error, QStringLiteral("Fig. 5")), qPrintable(error));
        QFile svgFile(svg);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray svgBytes = svgFile.readAll();
        QVERIFY(svgBytes.startsWith("<?xml"));
        QVERIFY(svgBytes.contains("<svg"));
        QVERIFY(svgBytes.contains("<title>Fig. 5</title>"));
        QVERIFY(svgBytes.contains("system leader 2"));
        QVERIFY(svgBytes.contains("10.0.3.0/24"));

        const QString json = dir.filePath(QStringLiteral("fig5.json"));
        QVERIFY2(exportSnapshot(snapshot, json, SnapshotFormat::Json, &error), qPrintable(error));
        QFile jsonFile(json);
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const auto parsed = dmr::parseSnapshot(jsonFile.readAll().toStdString());
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        QVERIFY(*parsed == snapshot);

        const QString dot = dir.filePath(QStringLiteral("fig5.dot"));
        QVERIFY2(exportSnapshot(snapshot, dot, SnapshotFormat::Dot, &error), qPrintable(error));
        QFile dotFile(dot);
        QVERIFY(dotFile.open(QIODevice::ReadOnly));
        QVERIFY(dotFile.readAll().startsWith("graph"));

        QCOMPARE(snapshotFormatForPath(QStringLiteral("a/b.JSON")), SnapshotFormat::Json);
        QCOMPARE(snapshotFormatForPath(QStringLiteral("b.gv")), SnapshotFormat::Dot);
        QVERIFY(!snapshotFormatForPath(QStringLiteral("b.png")));

        // A path that cannot be written fails with a reason.
        error.clear();
        QVERIFY(!exportPng(scene, dir.filePath(QStringLiteral("no/such/dir/x.png")), &error));
        QVERIFY(error.contains(QLatin1String("x.png")));
        error.clear();
        QVERIFY(!exportSnapshot(snapshot, dir.filePath(QStringLiteral("no/x.json")),
                                SnapshotFormat::Json, &error));
        QVERIFY(!error.isEmpty());
    }

    // For a person to look at: the build directory gets Fig. 5 and Fig. 1 as PNG.
    void savePictures()
    {
        Cluster fig5(QStringLiteral("fig5"));
        TopologyScene scene;
        scene.setSnapshot(fig5.snapshot());
        saveView(scene, QStringLiteral("fig5-topology.png"));
        QVERIFY(fig5.model.fail("2").ok());
        scene.setSnapshot(fig5.snapshot());
        saveView(scene, QStringLiteral("fig5-fail2-topology.png"));

        Cluster fig1(QStringLiteral("fig1"));
        scene.setSnapshot(fig1.snapshot());
        saveView(scene, QStringLiteral("fig1-topology.png"));
        QVERIFY(fig1.model.fail("f1n1").ok());
        scene.setSnapshot(fig1.snapshot());
        saveView(scene, QStringLiteral("fig1-fail-f1n1-topology.png"));
    }

private:
    void saveView(TopologyScene &scene, const QString &file)
    {
        scene.finishAnimations();
        QVERIFY(!scene.isAnimating());
        const QString path = outputPath(file);
        QString error;
        QVERIFY2(exportPng(scene, path, &error), qPrintable(error));
        QVERIFY(!QImage(path).isNull());
        qInfo("saved %s", qPrintable(path));
    }
};

QTEST_MAIN(TestConsoleScene)
#include "tst_console_scene.moc"
