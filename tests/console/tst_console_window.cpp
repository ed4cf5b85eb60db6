// The main window against a fake agent serving Fig. 5: the scene and the docks fill, a click
// on a node fills the details, the drill flow sends exactly what the dialog said (and nothing
// when cancelled), a failover grows the history and its chart, and dmr-console --export writes
// a PNG without a window. Saves mainwindow.png next to the test binary.

#include "console_test_data.h"
#include "fake_agent.h"

#include "client/agent_client.h"
#include "drilldialog.h"
#include "mainwindow.h"
#include "models/cluster_store.h"
#include "models/history_model.h"
#include "models/node_table_model.h"
#include "scene/topologyscene.h"

#include <QDockWidget>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace dmr::console;
using dmr::console::testing::FakeAgent;
namespace td = dmr::console::testdata;

namespace {

constexpr int kTimeoutMs = 10000;
const QString kToken = QStringLiteral("secret");

// A window connected to a fake agent as an operator, with Fig. 5 shown.
struct Fixture
{
    FakeAgent fake{QStringLiteral("2"), kToken};
    AgentClient client;
    std::unique_ptr<MainWindow> window;

    bool start()
    {
        if (!fake.listen())
            return false;
        client.setEndpoints({fake.endpoint()});
        window = std::make_unique<MainWindow>(&client);
        window->setOperatorToken(kToken);
        window->scene()->setAnimationsEnabled(false);
        client.start();
        return QTest::qWaitFor(
            [&] { return window->store()->hasSnapshot() && client.isOperator(); }, kTimeoutMs);
    }
};

} // namespace

class TestConsoleWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("dmr-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_console_window"));
    }

    void cleanup() { DrillDialog::execHook = nullptr; }

    void sceneAndDocks()
    {
        Fixture f;
        QVERIFY(f.start());
        const auto &s = f.window->store()->snapshot();
        int items = 0;
        for (const auto &[id, node] : s.nodes)
            items += f.window->scene()->nodeItem(QString::fromStdString(id)) != nullptr;
        QCOMPARE(items, 6);

        QStringList names;
        for (auto *dock : f.window->findChildren<QDockWidget *>()) {
            QVERIFY2(!dock->objectName().isEmpty(), qPrintable(dock->windowTitle()));
            names << dock->objectName();
        }
        names.sort();
        QCOMPARE(names, (QStringList{"drills", "eventLog", "history", "nodeDetails", "nodeTable"}));
        QTRY_VERIFY(f.window->connectionLabel()->text().contains(f.fake.address()));
    }

    void clickFillsDetails()
    {
        Fixture f;
        QVERIFY(f.start());
        emit f.window->scene()->nodeClicked(QStringLiteral("4"));
        QCOMPARE(f.window->scene()->selectedNode(), QStringLiteral("4"));
        const QString text = f.window->detailsText();
        const auto &node = f.window->store()->snapshot().nodes.at("4");
        QVERIFY(!node.interfaces.empty());
        for (const auto &i : node.interfaces) {
            QVERIFY2(text.contains(QString::fromStdString(i.name)), qPrintable(text));
            QVERIFY2(text.contains(QString::fromStdString(i.address.toString())), qPrintable(text));
        }
        QVERIFY(text.contains(QStringLiteral("GL_group")) ||
                text.contains(QStringLiteral("10.0.")));
        const QModelIndex current = f.window->nodeTable()->currentIndex();
        QCOMPARE(current.data(NodeTableModel::NodeIdRole).toString(), QStringLiteral("4"));
    }

    void drillSendsOneLine()
    {
        Fixture f;
        QVERIFY(f.start());
        const auto &node = f.window->store()->snapshot().nodes.at("4");
        const QString iface = QString::fromStdString(node.interfaces.back().name);
        QString summary;
        DrillDialog::execHook = [&](DrillDialog &d) {
            summary = d.summaryText();
            d.setReason(QStringLiteral("cable pull"));
            d.setDurationSeconds(5);
            return int(QDialog::Accepted);
        };
        QSignalSpy finished(&f.client, &AgentClient::drillFinished);
        f.window->requestDrill(QStringLiteral("fail-adapter"), QStringLiteral("4"), iface);
        QTRY_COMPARE_WITH_TIMEOUT(f.fake.count(QStringLiteral("drill")), 1, kTimeoutMs);
        const QJsonObject d = f.fake.last(QStringLiteral("drill"));
        QCOMPARE(d.value("action").toString(), QStringLiteral("fail-adapter"));
        QCOMPARE(d.value("node").toString(), QStringLiteral("4"));
        QCOMPARE(d.value("iface").toString(), iface);
        QCOMPARE(d.value("reason").toString(), QStringLiteral("cable pull"));
        QCOMPARE(d.value("duration_ms").toInteger(), 5000);
        QVERIFY(summary.contains(QStringLiteral("4")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
        QVERIFY(finished.at(0).at(1).toBool());

        // Cancel: nothing is sent.
        DrillDialog::execHook = [](DrillDialog &) { return int(QDialog::Rejected); };
        f.window->requestDrill(QStringLiteral("kill"), QStringLiteral("4"));
        // A dialog without a reason does not go through either.
        DrillDialog::execHook = [](DrillDialog &) { return int(QDialog::Accepted); };
        f.window->requestDrill(QStringLiteral("kill"), QStringLiteral("4"));
        QTest::qWait(300);
        QCOMPARE(f.fake.count(QStringLiteral("drill")), 1);
    }

    void consequencesOfKillingTheSystemLeader()
    {
        const dmr::Snapshot s = td::fig5();
        const QString sl = QString::fromStdString(*s.plan.election.systemLeader);
        const QStringList lines =
            DrillDialog::consequences(s, sl, QStringLiteral("kill"), QString());
        const QString next = QString::fromStdString(s.plan.election.glOrder.at(1));
        QVERIFY2(lines.join(u'\n').contains(QStringLiteral("%1 → %2").arg(sl, next)),
                 qPrintable(lines.join(u'\n')));
    }

    void failoverGrowsHistoryAndChart()
    {
        Fixture f;
        QVERIFY(f.start());
        QCOMPARE(f.window->store()->historyModel()->rowCount(), 0);
        QCOMPARE(f.window->historySeries()->count(), 0);
        f.fake.setHistoryJson(td::kHistoryJson);
        f.fake.sendToAll(QByteArray(
            R"({"type":"event","event":"failover","time_ms":1795756582802,"data":{"group":"GL_group","from":"2","to":"6","reason":"connection-lost"}})"
            "\n"));
        QTRY_COMPARE_WITH_TIMEOUT(f.window->store()->historyModel()->rowCount(), 2, kTimeoutMs);
        // Only the first record has its total yet.
        QCOMPARE(f.window->historySeries()->count(), 1);
        QCOMPARE(f.window->historySeries()->at(0).y(), 2.0);

        // A screenshot for a person to look at.
        emit f.window->scene()->nodeClicked(QStringLiteral("2"));
        f.window->resize(1400, 900);
        f.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(f.window.get()));
        f.window->scene()->finishAnimations();
        QTest::qWait(200);
        const QString path = QCoreApplication::applicationDirPath() + "/mainwindow.png";
        QVERIFY(f.window->grab().save(path));
    }

    void headlessExport()
    {
        FakeAgent fake(QStringLiteral("2"));
        QVERIFY(fake.listen());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString out = dir.filePath(QStringLiteral("out.png"));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.path());
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::ForwardedChannels);
        QSignalSpy done(&p, &QProcess::finished);
        p.start(QStringLiteral(DMR_CONSOLE_BIN),
                {QStringLiteral("--export"), out, QStringLiteral("--connect"), fake.address()});
        QVERIFY(p.waitForStarted());
        QVERIFY(done.wait(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QImage image(out);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 100 && image.height() > 100);
    }
};

QTEST_MAIN(TestConsoleWindow)
#include "tst_console_window.moc"
