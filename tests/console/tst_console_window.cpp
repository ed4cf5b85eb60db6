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
#include "models/limit_model.h"
#include "models/node_table_model.h"
#include "models/reachability_model.h"
#include "scene/topologyitems.h"
#include "scene/topologyscene.h"
#include "timelinewidget.h"

#include <QApplication>
#include <QHostAddress>

#include <QDateTime>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProcess>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTime>
#include <QTimer>
#include <QToolBar>
#include <csignal>

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

// A base port whose lab ranges (membership +i, control +1000+i, relay +2000+i) are free now,
// below the ephemeral ports and clear of the other tests' ranges.
int freeLabBase()
{
    for (int base = 11000; base < 11800; base += 100) {
        bool free = true;
        for (int i = 0; i < 6 && free; ++i)
            for (int port : {base + i, base + 1000 + i}) {
                QTcpServer probe;
                free = free && probe.listen(QHostAddress::LocalHost, quint16(port));
            }
        if (free)
            return base;
    }
    return 0;
}

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
        QCOMPARE(names, (QStringList{"drills", "eventLog", "history", "limits", "listeners",
                                     "nodeDetails", "nodeTable", "reachability", "timelineDock"}));
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

    // View > Find node: the dialog takes an address, the node is selected and centred.
    void findSelectsByAddress()
    {
        Fixture f;
        QVERIFY(f.start());
        const auto &node = f.window->store()->snapshot().nodes.at("5");
        const QString address =
            QString::fromStdString(node.interfaces.front().address.address().toString());
        bool answered = false;
        QTimer::singleShot(0, [&] {
            auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            dialog->setTextValue(address);
            answered = true;
            dialog->accept();
        });
        f.window->findNode();
        QVERIFY(answered);
        QCOMPARE(f.window->scene()->selectedNode(), QStringLiteral("5"));
        QVERIFY2(f.window->detailsText().contains(address), qPrintable(f.window->detailsText()));

        // No match: the selection stays and the status bar says so.
        QTimer::singleShot(0, [&] {
            if (auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget())) {
                dialog->setTextValue(QStringLiteral("no-such-node"));
                dialog->accept();
            }
        });
        f.window->findNode();
        QCOMPARE(f.window->scene()->selectedNode(), QStringLiteral("5"));
        QVERIFY(f.window->statusBar()->currentMessage().contains(QStringLiteral("no-such-node")));
    }

    // Right-click on a node: Kill, Fail adapter with one entry per interface, Drain, Restore,
    // the what-ifs;
    // choosing Kill goes through the confirmation to one drill line for that node.
    void contextMenuOffersTheDrills()
    {
        Fixture f;
        QVERIFY(f.start());
        const auto &node = f.window->store()->snapshot().nodes.at("4");
        QStringList seen;
        QStringList adapters;
        QTimer::singleShot(0, [&] {
            auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
            if (!menu)
                return;
            QAction *kill = nullptr;
            for (auto *a : menu->actions()) {
                if (a->isSeparator() && a->text().isEmpty())
                    continue;
                seen << a->text();
                if (a->menu() && a->text() == MainWindow::tr("Fail &adapter"))
                    for (auto *sub : a->menu()->actions())
                        adapters << sub->text();
                if (a->text() == MainWindow::tr("&Kill…"))
                    kill = a;
            }
            // As a click would: the action fires, the menu closes (and takes its actions).
            if (kill)
                kill->trigger();
            menu->close();
        });
        QString summary;
        DrillDialog::execHook = [&](DrillDialog &d) {
            summary = d.summaryText();
            d.setReason(QStringLiteral("from the context menu"));
            return int(QDialog::Accepted);
        };
        emit f.window->scene()->nodeContextMenuRequested(QStringLiteral("4"), QPoint(100, 100));
        QCOMPARE(f.window->scene()->selectedNode(), QStringLiteral("4"));
        QVERIFY2(seen.contains(MainWindow::tr("&Kill…")), qPrintable(seen.join('|')));
        QVERIFY2(seen.contains(MainWindow::tr("Fail &adapter")), qPrintable(seen.join('|')));
        QVERIFY2(seen.contains(MainWindow::tr("&Drain…")), qPrintable(seen.join('|')));
        QVERIFY2(seen.contains(MainWindow::tr("&Restore…")), qPrintable(seen.join('|')));
        // And the what-ifs: the plan if the node or one of its adapters failed.
        QVERIFY2(seen.contains(MainWindow::tr("&What if it fails?")), qPrintable(seen.join('|')));
        QCOMPARE(adapters.size(), qsizetype(node.interfaces.size()));
        for (const auto &i : node.interfaces)
            QVERIFY2(adapters.join('|').contains(QString::fromStdString(i.name)),
                     qPrintable(adapters.join('|')));
        QTRY_COMPARE_WITH_TIMEOUT(f.fake.count(QStringLiteral("drill")), 1, kTimeoutMs);
        const QJsonObject d = f.fake.last(QStringLiteral("drill"));
        QCOMPARE(d.value("action").toString(), QStringLiteral("kill"));
        QCOMPARE(d.value("node").toString(), QStringLiteral("4"));
        QCOMPARE(d.value("reason").toString(), QStringLiteral("from the context menu"));
        QVERIFY(summary.contains(QStringLiteral("4")));
    }

    // The Drill menu and the toolbar hold the same actions, with shortcuts; they act on the
    // selected node and are off while nothing is selected.
    void drillActionsInMenuAndToolbar()
    {
        Fixture f;
        QVERIFY(f.start());
        auto *kill = f.window->findChild<QAction *>(QStringLiteral("drillKill"));
        auto *drain = f.window->findChild<QAction *>(QStringLiteral("drillDrain"));
        auto *restore = f.window->findChild<QAction *>(QStringLiteral("drillRestore"));
        auto *adapter = f.window->findChild<QAction *>(QStringLiteral("drillFailAdapter"));
        QVERIFY(kill && drain && restore && adapter);
        auto *toolbar = f.window->findChild<QToolBar *>(QStringLiteral("mainToolBar"));
        QVERIFY(toolbar);
        for (auto *a : {kill, drain, restore, adapter})
            QVERIFY2(toolbar->actions().contains(a), qPrintable(a->text()));
        for (auto *a : {kill, drain, restore})
            QVERIFY2(!a->shortcut().isEmpty(), qPrintable(a->text()));
        f.window->selectNode(QString());
        QVERIFY(!kill->isEnabled());

        f.window->selectNode(QStringLiteral("3"));
        QVERIFY(kill->isEnabled());
        DrillDialog::execHook = [](DrillDialog &d) {
            d.setReason(QStringLiteral("maintenance"));
            return int(QDialog::Accepted);
        };
        drain->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(f.fake.count(QStringLiteral("drill")), 1, kTimeoutMs);
        QCOMPARE(f.fake.last(QStringLiteral("drill")).value("action").toString(),
                 QStringLiteral("drain"));
        QCOMPARE(f.fake.last(QStringLiteral("drill")).value("node").toString(),
                 QStringLiteral("3"));

        // The shortcut reaches the same action.
        f.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(f.window.get()));
        f.window->activateWindow();
        QTest::keySequence(f.window.get(), restore->shortcut());
        QTRY_COMPARE_WITH_TIMEOUT(f.fake.count(QStringLiteral("drill")), 2, kTimeoutMs);
        QCOMPARE(f.fake.last(QStringLiteral("drill")).value("action").toString(),
                 QStringLiteral("restore"));
    }

    // The reachability panel: the heat map fills, the nodes nobody hears get the badge in the
    // topology, a click on a cell selects its receiver, and a healed matrix clears the marks.
    void reachabilityPanelAndMarks()
    {
        Fixture f;
        f.client.setReachabilityInterval(200);
        QVERIFY(f.start());
        QTRY_COMPARE_WITH_TIMEOUT(f.window->store()->reachabilityModel()->rowCount(), 6,
                                  kTimeoutMs);
        QCOMPARE(f.window->scene()->unreachable(), (QStringList{"3", "5"}));
        for (const auto &[id, marked] : {std::pair{"3", true}, {"5", true}, {"1", false}})
            QCOMPARE(f.window->scene()
                         ->nodeItem(QString::fromLatin1(id))
                         ->data(dmr::console::RoleUnreachable)
                         .toBool(),
                     marked);
        auto *summary = f.window->findChild<QLabel *>(QStringLiteral("reachabilitySummary"));
        QVERIFY(summary);
        QVERIFY2(summary->text().contains(QStringLiteral("3, 5")), qPrintable(summary->text()));
        auto *table = f.window->findChild<QTableView *>(QStringLiteral("reachabilityTable"));
        QVERIFY(table);
        emit table->clicked(table->model()->index(3, 0)); // what node 4 hears of node 1
        QCOMPARE(f.window->scene()->selectedNode(), QStringLiteral("4"));

        QJsonObject healed = QJsonDocument::fromJson(td::kReachabilityJson).object();
        QJsonArray rows;
        for (const auto &row : healed.value("rows").toArray()) {
            QJsonObject r = row.toObject();
            r.insert("answered", true);
            r.insert("probing", true);
            QJsonArray heard;
            for (const auto &c : r.value("heard").toArray()) {
                QJsonObject cell = c.toObject();
                cell.insert("heard", true);
                heard.append(cell);
            }
            r.insert("heard", heard);
            rows.append(r);
        }
        healed.insert("rows", rows);
        f.fake.setReachabilityJson(
            QJsonDocument(healed).toJson(QJsonDocument::Compact).toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(f.window->scene()->unreachable().isEmpty(), kTimeoutMs);
        QVERIFY(!f.window->scene()
                     ->nodeItem(QStringLiteral("3"))
                     ->data(dmr::console::RoleUnreachable)
                     .toBool());
    }

    // The routing points' relay state in the window: the Groups dock lists each wanted group
    // with its listening networks and path, the tunnels' labels say what goes down them, and
    // the details of a node list its networks' listeners. Saves listeners.png.
    void groupsDockAndListeners()
    {
        Fixture f;
        FakeAgent six(QStringLiteral("6"), kToken); // the same cluster: the same token
        QVERIFY(six.listen());
        f.fake.setStateJson(td::kRelayState2);
        six.setStateJson(td::kRelayState6);
        f.client.setRelayStateInterval(200);
        QVERIFY(f.fake.listen());
        // 4's agent cannot be reached: its network is unknown, the others are not.
        const QList<FakeAgent::AgentEntry> agents{
            {"2", f.fake.address()}, {"6", six.address()}, {"4", QStringLiteral("127.0.0.1:1")}};
        f.fake.setAgents(agents);
        six.setAgents(agents);
        f.client.setEndpoints({f.fake.endpoint()});
        f.window = std::make_unique<MainWindow>(&f.client);
        f.window->setOperatorToken(kToken);
        f.window->scene()->setAnimationsEnabled(false);
        f.client.start();

        auto *table = f.window->findChild<QTableView *>(QStringLiteral("listenerTable"));
        QVERIFY(table);
        // 2 and 6 answer in either order: until both have, the rows are not whole.
        QTRY_COMPARE_WITH_TIMEOUT(table->model()->index(0, 2).data().toString(),
                                  QStringLiteral("2 → 6, 6 → 2, 2 → 4 (floods)"), kTimeoutMs);
        QCOMPARE(table->model()->rowCount(), 2);
        QCOMPARE(table->model()->index(0, 1).data().toString(),
                 QStringLiteral("10.0.1.0/24, 10.0.2.0/24"));
        auto *summary = f.window->findChild<QLabel *>(QStringLiteral("listenerSummary"));
        QVERIFY2(summary->text().contains(QStringLiteral(": 2.")), qPrintable(summary->text()));

        auto *down = dynamic_cast<TunnelItem *>(f.window->scene()->tunnelItems().value(0));
        QVERIFY(down);
        QCOMPARE(down->shownLabel(), QStringLiteral("carries 10.0.2.0/24 · 1 group"));
        QVERIFY2(down->toolTip().contains(QStringLiteral("6 → 2: 239.1.0.5, 239.1.0.7")),
                 qPrintable(down->toolTip()));
        QVERIFY2(
            f.window->scene()
                ->regionItem(QStringLiteral("10.0.3.0/24"))
                ->toolTip()
                .contains(QStringLiteral("Listeners: unknown")),
            qPrintable(f.window->scene()->regionItem(QStringLiteral("10.0.3.0/24"))->toolTip()));

        f.window->selectNode(QStringLiteral("1"));
        const QString details = f.window->detailsText();
        QVERIFY2(details.contains(QStringLiteral("239.1.0.7 for 1 min 15 s, 2 reporters")),
                 qPrintable(details));
        QVERIFY2(details.contains(QStringLiteral("10.0.3.0/24")), qPrintable(details));

        f.window->resize(1400, 900);
        for (auto *dock : f.window->findChildren<QDockWidget *>())
            if (dock->objectName() == QStringLiteral("listeners"))
                dock->raise();
        f.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(f.window.get()));
        // The node's details scrolled to its networks' listeners, for the picture.
        for (auto *browser : f.window->findChildren<QTextBrowser *>())
            browser->verticalScrollBar()->setValue(browser->verticalScrollBar()->maximum());
        const QString path = QCoreApplication::applicationDirPath() + "/listeners.png";
        QVERIFY(f.window->grab().save(path));
        qInfo("saved %s", qPrintable(path));
    }

    // What the limits dropped, in the window: the Limits dock has a row per tunnel end and
    // channel range; the tunnel's label says how many its rate limit dropped and, while that
    // grows, is drawn in the warning colour (and the row tinted); its tool tip says the limit
    // and the count; the node's details its channel ranges' drops and the limits in force. When
    // the counts stop growing, the warning goes. Saves limits.png.
    void limitsDockAndTunnelDrops()
    {
        Fixture f;
        f.fake.setStateJson(td::relayLimits2(100, 7));
        f.client.setRelayStateInterval(200);
        QVERIFY(f.fake.listen());
        const QList<FakeAgent::AgentEntry> agents{{"2", f.fake.address()},
                                                  {"6", QStringLiteral("127.0.0.1:1")},
                                                  {"4", QStringLiteral("127.0.0.1:1")}};
        f.fake.setAgents(agents);
        f.client.setEndpoints({f.fake.endpoint()});
        f.window = std::make_unique<MainWindow>(&f.client);
        f.window->setOperatorToken(kToken);
        f.window->scene()->setAnimationsEnabled(false);
        f.client.start();

        auto *table = f.window->findChild<QTableView *>(QStringLiteral("limitTable"));
        QVERIFY(table);
        QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 3, kTimeoutMs);
        QCOMPARE(table->model()->index(1, LimitModel::WhereColumn).data().toString(),
                 QStringLiteral("2 → 6"));
        QCOMPARE(table->model()->index(1, LimitModel::RateLimitColumn).data().toString(),
                 QStringLiteral("100 (80.0 kB)"));
        QCOMPARE(table->model()->index(2, LimitModel::BoundaryColumn).data().toString(),
                 QStringLiteral("7"));
        TunnelItem *down = nullptr;
        for (auto *item : f.window->scene()->tunnelItems())
            if (auto *t = dynamic_cast<TunnelItem *>(item); t && t->leaf() == u"6")
                down = t;
        QVERIFY(down);
        QTRY_VERIFY_WITH_TIMEOUT(down->shownLabel().endsWith(QStringLiteral("· 100 dropped")),
                                 kTimeoutMs);
        // Polled every 200 ms with the same counts: not dropping now.
        QTRY_VERIFY_WITH_TIMEOUT(
            table->model()->index(1, LimitModel::NowColumn).data().toString() == u"0/s",
            kTimeoutMs);
        QVERIFY(!down->isDropping());
        QVERIFY2(down->toolTip().contains(QStringLiteral(
                     "2 → 6: the rate limit (30.0 kB/s (burst 8.2 kB)) dropped 100 datagrams")),
                 qPrintable(down->toolTip()));

        // The tunnel to 6 drops more (10 every 50 ms, so every answer shows more): it stands
        // out until the counts stop growing.
        int dropped = 100;
        QTimer flood;
        flood.setInterval(50);
        connect(&flood, &QTimer::timeout, this, [&] {
            dropped += 10;
            f.fake.setStateJson(td::relayLimits2(dropped, 7));
        });
        flood.start();
        QTRY_VERIFY_WITH_TIMEOUT(down->isDropping(), kTimeoutMs);
        const QRegularExpression label(
            QStringLiteral("^carries 10.0.2.0/24 · everything · \\d+ dropped$"));
        QVERIFY2(label.match(down->shownLabel()).hasMatch(), qPrintable(down->shownLabel()));
        QVERIFY(down->shownLabel() !=
                QStringLiteral("carries 10.0.2.0/24 · everything · 100 dropped"));
        QTRY_VERIFY_WITH_TIMEOUT(
            table->model()->index(1, LimitModel::NowColumn).data(Qt::BackgroundRole).isValid(),
            kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(table->model()
                                     ->index(1, LimitModel::NowColumn)
                                     .data()
                                     .toString()
                                     .startsWith(QStringLiteral("▲ ")),
                                 kTimeoutMs);
        auto *summary = f.window->findChild<QLabel *>(QStringLiteral("limitSummary"));
        QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains(QStringLiteral("Dropping now: 2 → 6.")),
                                 kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(down->toolTip().contains(QStringLiteral("— dropping now:")),
                                 kTimeoutMs);
        f.window->selectNode(QStringLiteral("2"));
        const QString details = f.window->detailsText();
        QVERIFY2(details.contains(QStringLiteral(
                     "239.1.0.0/16:5000-5100: rate limit 40, boundary 7, below threshold 0")),
                 qPrintable(details));
        QVERIFY2(details.contains(QStringLiteral("threshold 1")), qPrintable(details));

        // The picture, while it drops: the Limits dock in front, the tunnel's warning label.
        f.window->resize(1400, 900);
        for (auto *dock : f.window->findChildren<QDockWidget *>())
            if (dock->objectName() == QStringLiteral("limits"))
                dock->raise();
        f.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(f.window.get()));
        const QString path = QCoreApplication::applicationDirPath() + "/limits.png";
        QVERIFY(f.window->grab().save(path));
        qInfo("saved %s", qPrintable(path));

        // The details follow the counts every answer, and stay where the reader scrolled.
        auto *text = f.window->findChild<QTextBrowser *>(QStringLiteral("nodeDetailsText"));
        QVERIFY(text);
        QScrollBar *bar = text->verticalScrollBar();
        QVERIFY2(bar->maximum() > 0, "the details fit: nothing to scroll");
        bar->setValue(bar->maximum());
        const int scrolled = bar->value();
        const QString shown = f.window->detailsText();
        flood.stop();
        f.fake.setStateJson(td::relayLimits2(dropped, 8)); // one more kept out by a boundary
        QTRY_VERIFY_WITH_TIMEOUT(f.window->detailsText().contains(QStringLiteral("boundary 8")),
                                 kTimeoutMs);
        QVERIFY(f.window->detailsText() != shown);
        QCOMPARE(bar->value(), scrolled);

        // No more drops: the next answers show the same counts, and the warnings go. The
        // tunnel's may go an answer before the channel range's (the boundary drop above is the
        // range's, counted in the answer after the tunnel's last drop): each is waited for.
        QTRY_VERIFY_WITH_TIMEOUT(!down->isDropping(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(
            !table->model()->index(1, LimitModel::NowColumn).data(Qt::BackgroundRole).isValid(),
            kTimeoutMs);
        QTRY_VERIFY2_WITH_TIMEOUT(summary->text().contains(QStringLiteral("none is dropping now")),
                                  qPrintable(summary->text()), kTimeoutMs);
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

    void failoverGrowsHistoryAndTimeline()
    {
        Fixture f;
        QVERIFY(f.start());
        QCOMPARE(f.window->store()->historyModel()->rowCount(), 0);
        QCOMPARE(f.window->timeline()->shown().failovers, 0);
        f.fake.setHistoryJson(td::kHistoryJson);
        f.fake.sendToAll(QByteArray(
            R"({"type":"event","event":"failover","time_ms":1795756582802,"data":{"group":"GL_group","from":"2","to":"6","reason":"connection-lost"}})"
            "\n"));
        QTRY_COMPARE_WITH_TIMEOUT(f.window->store()->historyModel()->rowCount(), 2, kTimeoutMs);
        // Both failovers are bars on the timeline, each with the height of its phases, on a
        // ms axis that has room for the tallest (the second one's 304 ms so far).
        auto *timeline = f.window->timeline();
        timeline->resize(1000, 300);
        timeline->fitAll();
        QCOMPARE(timeline->shown().failovers, 2);
        const auto records = f.window->store()->historyModel()->records();
        const QRect first = timeline->barRect(records[0].key());
        const QRect second = timeline->barRect(records[1].key());
        QVERIFY(!first.isEmpty() && !second.isEmpty());
        QVERIFY(first.left() < second.left());
        QVERIFY2(second.height() > first.height(), "304 ms stands taller than 2 ms");
        QCOMPARE(timeline->msAxisMax(), qint64(500));
        QCOMPARE(timeline->failoverAt(second.center()), records[1].key());
        // Readable time labels: whole clock times, never more than fit.
        const QStringList labels = timeline->timeLabels();
        QVERIFY(labels.size() >= 2 && labels.size() <= 1000 / 84);
        for (const auto &l : labels)
            QVERIFY2(QTime::fromString(l, QStringLiteral("HH:mm:ss")).isValid() ||
                         QTime::fromString(l, QStringLiteral("HH:mm")).isValid() ||
                         QTime::fromString(l, QStringLiteral("HH:mm:ss.zzz")).isValid(),
                     qPrintable(l));
        // The history as CSV.
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("failovers.csv"));
        QVERIFY(f.window->exportHistoryCsv(csv));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().count('\n'), 3);

        // A screenshot for a person to look at.
        emit f.window->scene()->nodeClicked(QStringLiteral("2"));
        f.window->resize(1400, 900);
        f.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(f.window.get()));
        f.window->scene()->finishAnimations();
        QTest::qWait(200);
        const QString path = QCoreApplication::applicationDirPath() + "/mainwindow.png";
        QVERIFY(f.window->grab().save(path));
        // And in the dark palette (run with QT_SCALE_FACTOR=2 to look at it on high DPI).
        f.window->setDarkPalette(true);
        QTest::qWait(100);
        const QImage dark = f.window->grab().toImage();
        QVERIFY(dark.save(QCoreApplication::applicationDirPath() + "/mainwindow-dark.png"));
        qint64 gray = 0;
        for (int y = 0; y < dark.height(); y += 7)
            for (int x = 0; x < dark.width(); x += 7)
                gray += qGray(dark.pixel(x, y));
        QVERIFY(gray / ((dark.height() / 7 + 1) * (dark.width() / 7 + 1)) < 100);
        f.window->setDarkPalette(false);
    }

    // The node table's filter; nodes of the topology file that never joined; how old the
    // picture is; a notification on a failover; a what-if over the topology.
    void largeClusterAids()
    {
        Fixture f;
        QVERIFY(f.start());
        auto *w = f.window.get();
        // Filter: by state, role, network or address.
        w->nodeFilter()->setText(QStringLiteral("10.0.3."));
        QCOMPARE(w->nodeTable()->model()->rowCount(), 2); // 1 and 4 are on C
        w->nodeFilter()->clear();
        QCOMPARE(w->nodeTable()->model()->rowCount(), 6);
        // A node of the topology file that no agent has seen: listed and drawn as never joined.
        dmr::Topology expected = w->store()->snapshot().nodes;
        dmr::Node seven = expected.at("5");
        seven.id = "7";
        seven.interfaces[0].address = dmr::InterfaceAddress::parse("10.0.2.7/24").value();
        expected.emplace("7", seven);
        w->store()->setExpectedTopology(expected);
        QCOMPARE(w->store()->neverJoined(), QStringList{QStringLiteral("7")});
        QTRY_VERIFY(w->scene()->nodeItem(QStringLiteral("7")));
        QCOMPARE(w->scene()->nodeItem(QStringLiteral("7"))->data(RoleState).toString(),
                 QStringLiteral("never-joined"));
        w->nodeFilter()->setText(QStringLiteral("never joined"));
        QCOMPARE(w->nodeTable()->model()->rowCount(), 1);
        w->nodeFilter()->clear();
        // Staleness: fresh while connected, then stale once the agent is gone.
        QTRY_VERIFY_WITH_TIMEOUT(w->stalenessLabel()->text().startsWith(QStringLiteral("Updated")),
                                 kTimeoutMs);
        f.client.stop();
        QTRY_VERIFY_WITH_TIMEOUT(w->stalenessLabel()->text().startsWith(QStringLiteral("Stale")),
                                 kTimeoutMs);
        // A new failover is notified (on the desktop when it has a notification service, and
        // in the window in any case).
        FailoverRecord r;
        r.id = 9;
        r.node = QStringLiteral("2");
        r.cause = QStringLiteral("connection-lost");
        r.viewId = QStringLiteral("9.0");
        r.failedMs = QDateTime::currentMSecsSinceEpoch();
        r.detectedMs = r.failedMs;
        r.electedMs = r.failedMs;
        r.successors = {{QStringLiteral("system-leader"), QStringLiteral("6")}};
        w->store()->setHistory({r});
        QVERIFY2(w->lastNotification().contains(QStringLiteral("failover of node 2")),
                 qPrintable(w->lastNotification()));
        QVERIFY(w->lastNotification().contains(QStringLiteral("system leader → 6")));
        // What if the system leader failed: the planner's answer drawn over the live topology.
        w->showWhatIf(QStringLiteral("kill"), QStringLiteral("2"));
        auto *overlay = dynamic_cast<PlanOverlayItem *>(w->scene()->overlayItem());
        QVERIFY(overlay);
        QCOMPARE(overlay->mode(), PlanOverlayItem::Mode::WhatIf);
        bool sixTakesOver = false;
        bool twoFails = false;
        for (const auto &m : overlay->marks()) {
            sixTakesOver = sixTakesOver || (m.kind == PlanOverlayItem::Mark::Gains &&
                                            m.text.contains(QStringLiteral("system leader")));
            twoFails = twoFails || m.kind == PlanOverlayItem::Mark::Fails;
        }
        QVERIFY(sixTakesOver && twoFails);
        QVERIFY(!overlay->tunnels().isEmpty());
        w->goLive();
        QVERIFY(!w->scene()->overlayItem());
    }

    // --help needs no display; a mistake on the command line neither.
    void helpWithoutADisplay()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(DMR_CONSOLE_BIN), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromLocal8Bit(p.readAllStandardOutput());
        QVERIFY2(out.contains(QStringLiteral("--lab")) && out.contains(QStringLiteral("--token")),
                 qPrintable(out));
        p.start(QStringLiteral(DMR_CONSOLE_BIN), {QStringLiteral("--no-such-option")});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY(p.exitCode() != 0);
    }

    // dmr-console --lab: the lab takes the console's token (the console is an operator), and
    // it stops when the console stops, however: SIGTERM, SIGINT, or kill -9.
    void labStopsWithTheConsole_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT (Ctrl-C)") << int(SIGINT);
        QTest::newRow("kill -9") << int(SIGKILL);
    }
    void labStopsWithTheConsole()
    {
        QFETCH(int, signal);
        const int base = freeLabBase();
        QVERIFY2(base != 0, "no free ports for a lab");
        QTemporaryDir dir;
        QProcess console;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.path());
        console.setProcessEnvironment(env);
        console.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        console.start(QStringLiteral(DMR_CONSOLE_BIN),
                      {QStringLiteral("--lab"), QStringLiteral(DMR_TOPOLOGIES "/fig5.json"),
                       QStringLiteral("--lab-base-port"), QString::number(base),
                       QStringLiteral("--token"), QStringLiteral("window-test-token")});
        QVERIFY(console.waitForStarted(10000));
        // Every agent answers, and takes the console's token.
        const auto answers = [&](int i, const QByteArray &hello) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, quint16(base + 1000 + i));
            if (!s.waitForConnected(1000))
                return QByteArray();
            s.write(hello);
            QByteArray got;
            while (!got.contains('\n') && s.waitForReadyRead(2000))
                got += s.readAll();
            return got;
        };
        const QByteArray operatorHello =
            R"({"type":"hello","id":1,"protocol":1,"client":"tst","token":"window-test-token"})"
            "\n";
        QTRY_VERIFY_WITH_TIMEOUT(answers(5, operatorHello).contains("\"operator\":true"), 60000);
        ::kill(pid_t(console.processId()), signal);
        QVERIFY(console.waitForFinished(20000));
        // The lab and its agents are gone: no port answers any more.
        const QByteArray hello = R"({"type":"hello","id":1,"protocol":1,"client":"tst"})"
                                 "\n";
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (int i = 0; i < 6; ++i)
                    if (!answers(i, hello).isEmpty())
                        return false;
                return true;
            }(),
            20000);
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
