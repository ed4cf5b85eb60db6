// Runs every scenario file in testdata/scenarios as one row of a data-driven test.
// DMR_REWRITE=1 rewrites the expectations in place with what the scenario printed (then read the
// diff before committing it: a rewrite is a claim that the new output is right).

#include "dmr/scenario.h"

#include <QDir>
#include <QFile>
#include <QtTest>

class TestScenarios : public QObject
{
    Q_OBJECT

private slots:
    void scenario_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(QStringLiteral(DMR_CORE_TESTDATA "/scenarios"));
        const auto files = dir.entryInfoList({QStringLiteral("*.txt")}, QDir::Files, QDir::Name);
        QVERIFY2(files.size() >= 8, "expected at least 8 scenario files");
        for (const QFileInfo &f : files) {
            // The first comment line names the row: "# Fig. 5 after node 2 fails".
            QFile file(f.filePath());
            QVERIFY(file.open(QIODevice::ReadOnly));
            QString name = QString::fromUtf8(file.readLine()).trimmed();
            if (name.startsWith(QLatin1Char('#')))
                name = name.mid(1).trimmed();
            else
                name = f.baseName();
            QTest::newRow(qPrintable(f.baseName() + QStringLiteral(": ") + name)) << f.filePath();
        }
    }

    void scenario()
    {
        QFETCH(QString, path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        const auto result =
            dmr::runScenario(text.toStdString(), QFileInfo(path).fileName().toStdString());
        if (result.error)
            QFAIL(result.error->message.c_str());
        QVERIFY2(!result.checks.empty(), "a scenario must check something");
        if (qEnvironmentVariableIntValue("DMR_REWRITE") == 1 && !result.passed()) {
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(QByteArray::fromStdString(result.rewritten));
            QSKIP("rewritten; review the diff");
        }
        for (const auto &check : result.checks) {
            if (check.passed())
                continue;
            const QString msg = QStringLiteral("%1:%2: expected:\n%3\nprinted:\n%4")
                                    .arg(path)
                                    .arg(check.line)
                                    .arg(QString::fromStdString(check.expected),
                                         QString::fromStdString(check.actual));
            QFAIL(qPrintable(msg));
        }
    }

    // The harness itself must catch a wrong expectation and a bad command.
    void harnessCatchesMismatch()
    {
        const auto r = dmr::runScenario(
            "node 1 eth0=10.0.0.1/24\njoin 1\nplan\n----\nleader 10.0.0.0/24 9\n", "inline");
        QVERIFY(!r.error);
        QCOMPARE(r.checks.size(), std::size_t(1));
        QVERIFY(!r.passed());
        const auto bad = dmr::runScenario("node 1 eth0=10.0.0.1/24\njion 1\n", "inline");
        QVERIFY(bad.error);
        QVERIFY(bad.error->message.find("inline:2: unknown command \"jion\"") != std::string::npos);
        const auto unchecked =
            dmr::runScenario("node 1 eth0=10.0.0.1/24\njoin 1\nplan\n", "inline");
        QVERIFY(unchecked.error);
        QVERIFY(unchecked.error->message.find("inline:3: output not checked") != std::string::npos);
        // The protocol mode's own commands, and its order.
        const auto noProtocol =
            dmr::runScenario("node 1 eth0=10.0.0.1/24\njoin 1\nheal\n", "inline");
        QVERIFY(noProtocol.error);
        QVERIFY(noProtocol.error->message.find("inline:3: \"heal\" needs \"protocol\"") !=
                std::string::npos);
        // The agents mode's own commands, and its order.
        const auto noAgents =
            dmr::runScenario("node 1 eth0=10.0.0.1/24\njoin 1\nhold 1\n", "inline");
        QVERIFY(noAgents.error);
        QVERIFY(noAgents.error->message.find("inline:3: \"hold\" needs \"agents\"") !=
                std::string::npos);
        const auto lateAgents =
            dmr::runScenario("node 1 eth0=10.0.0.1/24\njoin 1\nagents\n", "inline");
        QVERIFY(lateAgents.error);
        QVERIFY(lateAgents.error->message.find("must come before the first event") !=
                std::string::npos);
        const auto notHeld =
            dmr::runScenario("agents\nnode 1 eth0=10.0.0.1/24\njoin 1\napplied 1\n", "inline");
        QVERIFY(notHeld.error);
        QVERIFY(notHeld.error->message.find("inline:4: node 1's \"applied\" is not held") !=
                std::string::npos);
        const auto badDrill =
            dmr::runScenario("agents\nnode 1 eth0=10.0.0.1/24\njoin 1\nrestore 1\n", "inline");
        QVERIFY(badDrill.error);
        QVERIFY(badDrill.error->message.find("inline:4: node 1 has nothing to restore") !=
                std::string::npos);
        const auto late = dmr::runScenario("node 1 eth0=10.0.0.1/24\njoin 1\nprotocol\n", "inline");
        QVERIFY(late.error);
        QVERIFY(late.error->message.find("must come before the first event") != std::string::npos);
        const auto oneSide = dmr::runScenario(
            "protocol\nnode 1 eth0=10.0.0.1/24\nnode 2 eth0=10.0.0.2/24\njoin 1 2\ncut 1\n",
            "inline");
        QVERIFY(oneSide.error);
        QVERIFY(oneSide.error->message.find("node 2 is on no side") != std::string::npos);
        const auto wrong = dmr::runScenario(
            "protocol\nnode 1 eth0=10.0.0.1/24\nnode 2 eth0=10.0.0.2/24\njoin 2 1\nviews\n----\n"
            "nodes 1 2\n",
            "inline");
        QVERIFY(!wrong.error);
        QVERIFY(!wrong.passed()); // node 2 joined first
        QCOMPARE(wrong.checks.front().actual.substr(0, 10), std::string("nodes 2 1\n"));
    }
};

QTEST_GUILESS_MAIN(TestScenarios)
#include "tst_scenarios.moc"
