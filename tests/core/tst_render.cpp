// Renderers against golden files. DMR_UPDATE_GOLDEN=1 rewrites the golden files from the
// current output (then review the diff: a rewrite claims the new output is right).

#include "dmr/render.h"
#include "dmr/topology.h"

#include <QFile>
#include <QtTest>

namespace {

dmr::TopologyFile loadFig5()
{
    QFile f(QStringLiteral(DMR_TOPOLOGIES "/fig5.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open fig5.json");
    auto topo = dmr::parseTopology(f.readAll().toStdString());
    if (!topo)
        qFatal("%s", topo.error().message.c_str());
    return *topo;
}

// Fig. 5 started in its join order, then the named nodes failed.
dmr::ClusterModel fig5After(const QStringList &failed)
{
    const auto topo = loadFig5();
    dmr::ClusterModel model(topo.nodes);
    for (const auto &id : topo.joinOrder)
        (void)model.join(id);
    for (const auto &id : failed)
        (void)model.fail(id.toStdString());
    return model;
}

} // namespace

class TestRender : public QObject
{
    Q_OBJECT

private slots:
    void golden_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("node");
        QTest::addColumn<QStringList>("failed");
        QTest::addColumn<QString>("golden");
        const QStringList none;
        const QStringList two{QStringLiteral("2")};
        for (const char *n : {"2", "3", "4", "6"})
            QTest::addRow("mrouted node %s", n)
                << "mrouted" << n << none << QStringLiteral("fig5-node%1.mrouted.conf").arg(n);
        QTest::newRow("mrouted node 6 after 2 fails")
            << "mrouted"
            << "6" << two << "fig5-fail2-node6.mrouted.conf";
        QTest::newRow("mrouted node 1 after 2 fails")
            << "mrouted"
            << "1" << two << "fig5-fail2-node1.mrouted.conf";
        for (const char *n : {"2", "4", "5"})
            QTest::addRow("smcroute node %s", n)
                << "smcroute" << n << none << QStringLiteral("fig5-node%1.smcroute.conf").arg(n);
        QTest::newRow("smcroute node 6 after 2 fails")
            << "smcroute"
            << "6" << two << "fig5-fail2-node6.smcroute.conf";
        QTest::newRow("dot") << "dot"
                             << "" << none << "fig5.dot";
        QTest::newRow("dot after 2 fails") << "dot"
                                           << "" << two << "fig5-fail2.dot";
        QTest::newRow("snapshot json") << "json"
                                       << "" << none << "fig5.snapshot.json";
    }

    void golden()
    {
        QFETCH(QString, kind);
        QFETCH(QString, node);
        QFETCH(QStringList, failed);
        QFETCH(QString, golden);
        const auto model = fig5After(failed);
        const auto plan = model.plan();
        const auto snapshot = dmr::makeSnapshot(model, "fig5", 1764218000000);
        auto render = [&]() -> std::string {
            if (kind == QLatin1String("mrouted"))
                return dmr::renderMrouted(plan, model.topology(), node.toStdString());
            if (kind == QLatin1String("smcroute"))
                return dmr::renderSmcroute(plan, model.topology(), node.toStdString());
            if (kind == QLatin1String("dot"))
                return dmr::renderDot(snapshot);
            return dmr::toJson(snapshot);
        };
        const QByteArray actual = QByteArray::fromStdString(render());
        QCOMPARE(QByteArray::fromStdString(render()), actual); // byte-identical every time

        const QString path = QStringLiteral(DMR_GOLDEN_DIR "/") + golden;
        if (qEnvironmentVariableIntValue("DMR_UPDATE_GOLDEN") == 1) {
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(actual);
        }
        QFile in(path);
        QVERIFY2(in.open(QIODevice::ReadOnly), qPrintable(path + QStringLiteral(" is missing")));
        const QByteArray expected = in.readAll();
        if (expected != actual)
            QFAIL(qPrintable(
                QStringLiteral("%1 differs; rendered:\n%2").arg(path, QString::fromUtf8(actual))));
    }

    // Facts the golden files must hold, checked without them, so a careless golden update
    // cannot bless a wrong rendering.
    void mroutedFacts()
    {
        const auto model = fig5After({});
        const auto plan = model.plan();
        const auto sl = QString::fromStdString(dmr::renderMrouted(plan, model.topology(), "2"));
        QVERIFY(sl.contains(QLatin1String("\nphyint eth0\n")));
        QVERIFY(sl.contains(QLatin1String("\ntunnel 10.0.1.2 10.0.2.6 metric 1 threshold 1")));
        QVERIFY(sl.contains(QLatin1String("\ntunnel 10.0.1.2 10.0.2.4 metric 1 threshold 1")));
        // phyint lines precede tunnel lines (mrouted.conf(5)).
        QVERIFY(sl.indexOf(QLatin1String("phyint")) < sl.indexOf(QLatin1String("tunnel ")));
        const auto gl = QString::fromStdString(dmr::renderMrouted(plan, model.topology(), "4"));
        QVERIFY(gl.contains(QLatin1String("\nphyint eth0 disable\n")));
        QVERIFY(gl.contains(QLatin1String("\nphyint eth1\n")));
        QVERIFY(gl.contains(QLatin1String("\ntunnel 10.0.2.4 10.0.1.2 metric 1 threshold 1")));
        const auto idle = QString::fromStdString(dmr::renderMrouted(plan, model.topology(), "3"));
        QVERIFY(idle.contains(QLatin1String("\nphyint eth0 disable\n")));
        QVERIFY(!idle.contains(QLatin1String("\ntunnel")));
    }

    void smcrouteFacts()
    {
        const auto model = fig5After({});
        const auto plan = model.plan();
        const auto sl = QString::fromStdString(dmr::renderSmcroute(plan, model.topology(), "2"));
        QVERIFY(
            sl.contains(QLatin1String("\nmroute from eth0 group 239.0.0.0/8 to dmr-6 dmr-4\n")));
        QVERIFY(
            sl.contains(QLatin1String("\nmroute from dmr-6 group 239.0.0.0/8 to eth0 dmr-4\n")));
        const auto idle = QString::fromStdString(dmr::renderSmcroute(plan, model.topology(), "5"));
        QVERIFY(!idle.contains(QLatin1String("mroute")));
    }

    void tunnelInterfaceNames()
    {
        QCOMPARE(dmr::tunnelInterfaceName("6"), std::string("dmr-6"));
        QCOMPARE(dmr::tunnelInterfaceName("f1n16"), std::string("dmr-f1n16"));
        const auto longName = dmr::tunnelInterfaceName("a-very-long-node-name");
        QVERIFY(longName.size() <= 15);
        QVERIFY(longName != dmr::tunnelInterfaceName("a-very-long-node-name-2"));
        QCOMPARE(dmr::tunnelInterfaceName("a-very-long-node-name"), longName); // stable
        QVERIFY(dmr::tunnelInterfaceName("node/1").find('/') == std::string::npos);
    }

    void dotFacts()
    {
        const auto model = fig5After({QStringLiteral("2")});
        const auto dot = dmr::renderDot(dmr::makeSnapshot(model, "fig5", 0));
        QVERIFY(dot.rfind("graph \"dmr fig5\" {", 0) == 0);
        QVERIFY(dot.find("system leader 6") != std::string::npos);
        QVERIFY(dot.find("\"node:6\" -- \"node:4\" [style=dashed") != std::string::npos);
        QVERIFY(dot.find("2\\nfailed") != std::string::npos);
        QVERIFY(dot.back() == '\n' && dot.find("}\n") == dot.size() - 2);
    }
};

QTEST_GUILESS_MAIN(TestRender)
#include "tst_render.moc"
