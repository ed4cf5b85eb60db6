// The console against a real cluster: dmr-lab runs the six Fig. 5 agents on loopback, and the
// main window, its client and its models follow them with nothing faked. The operator's path
// through every kind of drill, from the window: a failed adapter, a drain and a kill of the
// system leader (the agent the console talks to), each restored. After each, every failover
// record holds together (no negative phase, the phases add up to the total); across the move
// to another agent the event log loses nothing the new agent kept and shows nothing twice, and
// the history has one row per failover; the timeline shows the failovers, the drills, the
// degraded periods and the plan changes, and a click on the kill shows the plan before and
// after. Saves lab-mainwindow.png next to the test binary.

#include "client/agent_client.h"
#include "drilldialog.h"
#include "mainwindow.h"
#include "models/cluster_store.h"
#include "models/drill_model.h"
#include "models/event_log_model.h"
#include "models/history_model.h"
#include "models/plan_timeline.h"
#include "models/reachability_model.h"
#include "scene/topologyitems.h"
#include "scene/topologyscene.h"
#include "timelinewidget.h"

#include <QCoreApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <algorithm>
#include <memory>
#include <set>

using namespace dmr::console;

namespace {

// Starting six agents and a failover on a loaded 2-core machine: be generous.
constexpr int kDeadlineMs = 60000;
const QString kToken = QStringLiteral("console-lab-test-operator-token");

// A base port whose membership (BASE+i) and control (BASE+1000+i) TCP ports and relay tunnel
// (BASE+2000+i) UDP ports are free now. Below the kernel's ephemeral range (32768 and up): there
// an outgoing connection of some agent can take a port before the lab's agent binds it (node 4
// once exited at start so), and clear of AgentCluster's bases (20000-27900).
int freeBasePort(int nodes)
{
    constexpr int kSlots = 8; // bases 30000-30700: relay ports end below 32768
    for (int attempt = 0; attempt < kSlots; ++attempt) {
        const int base =
            30000 + int((QCoreApplication::applicationPid() * 37 + attempt) % kSlots) * 100;
        bool free = true;
        for (int i = 0; i < nodes && free; ++i) {
            for (int port : {base + i, base + 1000 + i}) {
                QTcpServer probe;
                free = free && probe.listen(QHostAddress::LocalHost, quint16(port));
            }
            QUdpSocket udp;
            free = free && udp.bind(QHostAddress::LocalHost, quint16(base + 2000 + i));
        }
        if (free)
            return base;
    }
    return 0;
}

QStringList joinOrder(const QString &topologyPath)
{
    QFile file(topologyPath);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    // dmr-lab gives the ports by position in the join order.
    QStringList ids;
    for (const auto &id :
         QJsonDocument::fromJson(file.readAll()).object().value("join_order").toArray())
        ids << id.toString();
    return ids;
}

// What is wrong with a failover record, or empty (PROTOCOL.md, get-history).
QString recordProblem(const FailoverRecord &r)
{
    if (r.detectionMs < 0 || r.electionMs.value_or(0) < 0 || r.tunnelsMs.value_or(0) < 0 ||
        r.totalMs.value_or(0) < 0 || r.skewMs < 0)
        return QStringLiteral("a negative phase");
    if (r.detectedMs - r.failedMs != r.detectionMs)
        return QStringLiteral("detection is not detected - failed");
    if (r.electionMs && r.electedMs - r.detectedMs != *r.electionMs)
        return QStringLiteral("election is not elected - detected");
    if (r.totalMs.has_value() != r.tunnelsMs.has_value())
        return QStringLiteral("a total without tunnels, or tunnels without a total");
    if (r.totalMs) {
        if (r.detectionMs + r.electionMs.value_or(0) + *r.tunnelsMs != *r.totalMs)
            return QStringLiteral("the phases do not add up to the total");
        if (*r.totalMs < r.detectionMs || *r.totalMs < *r.tunnelsMs ||
            *r.totalMs < r.electionMs.value_or(0))
            return QStringLiteral("a phase longer than the total");
    }
    return {};
}

// Every event an agent kept (subscribe since_ms 0), read on a connection of its own.
QList<ConsoleEvent> keptEvents(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write("{\"type\":\"hello\",\"protocol\":1,\"client\":\"tst\"}\n"
                 "{\"type\":\"subscribe\",\"id\":2,\"since_ms\":0}\n");
    QByteArray in;
    int replayed = -1;
    QList<ConsoleEvent> out;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000) {
        if (!socket.waitForReadyRead(200) && socket.bytesAvailable() == 0)
            continue;
        in += socket.readAll();
        qsizetype nl;
        while ((nl = in.indexOf('\n')) >= 0) {
            const QByteArray line = in.left(nl);
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            in.remove(0, nl + 1);
            const QString type = o.value("type").toString();
            if (type == u"reply" && o.value("id").toInt() == 2)
                replayed = o.value("result").toObject().value("replayed").toInt();
            else if (type == u"event")
                if (auto e = parseEvent(line.toStdString()))
                    out << e.value();
        }
        if (replayed >= 0 && out.size() >= replayed)
            return out.mid(0, replayed);
    }
    return {};
}

} // namespace

class TestConsoleLab : public QObject
{
    Q_OBJECT

    QTemporaryDir logs_;
    QProcess lab_;
    int base_ = 0;
    QStringList ids_;

    Endpoint controlOf(const QString &id) const
    {
        return Endpoint{QStringLiteral("127.0.0.1"), quint16(base_ + 1000 + ids_.indexOf(id))};
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("dmr-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_console_lab"));
        const QString topology = QStringLiteral(DMR_TOPOLOGIES "/fig5.json");
        ids_ = joinOrder(topology);
        QCOMPARE(ids_.size(), 6);
        base_ = freeBasePort(int(ids_.size()));
        QVERIFY2(base_ != 0, "no free range of ports for the lab");
        QVERIFY(logs_.isValid());
        lab_.setProgram(QStringLiteral(DMR_LAB_BIN));
        lab_.setArguments({topology, QStringLiteral("--base-port"), QString::number(base_),
                           QStringLiteral("--token"), kToken, QStringLiteral("--table"),
                           QStringLiteral("none"), QStringLiteral("--agent"),
                           QStringLiteral(DMR_AGENT_BIN), QStringLiteral("--join-timeout-ms"),
                           QStringLiteral("60000"), QStringLiteral("--log-dir"), logs_.path()});
        lab_.setProcessChannelMode(QProcess::ForwardedChannels);
        lab_.start();
        QVERIFY2(lab_.waitForStarted(10000), qPrintable(lab_.errorString()));
    }

    void cleanupTestCase()
    {
        DrillDialog::execHook = nullptr;
        if (lab_.state() != QProcess::NotRunning) {
            lab_.terminate();
            if (!lab_.waitForFinished(10000))
                lab_.kill();
            lab_.waitForFinished(5000);
        }
    }

    void drillsFromTheConsole()
    {
        AgentClient client;
        client.setBackoff(100, 1000);
        client.setReachabilityInterval(500);
        client.setOperatorToken(kToken);
        QList<Endpoint> endpoints;
        for (const auto &id : ids_)
            endpoints << controlOf(id);
        client.setEndpoints(endpoints);
        MainWindow window(&client);
        window.setOperatorToken(kToken);
        window.scene()->setAnimationsEnabled(false);
        client.start();
        auto *history = window.store()->historyModel();
        auto *events = window.store()->eventLogModel();

        const auto snapshot = [&] { return window.store()->snapshot(); };
        const auto everyoneUp = [&] {
            if (!window.store()->hasSnapshot())
                return false;
            const auto s = snapshot();
            return s.nodes.size() == 6 && s.status.size() == 6 &&
                   s.plan.election.systemLeader.has_value() && s.membership.networks.size() == 3 &&
                   std::all_of(s.status.begin(), s.status.end(), [](const auto &st) {
                       return st.second.state == dmr::NodeState::Up &&
                              st.second.failedAdapters.empty();
                   });
        };
        QVERIFY2(QTest::qWaitFor(everyoneUp, kDeadlineMs),
                 qPrintable(QStringLiteral("the console never showed six up nodes; client: %1")
                                .arg(client.lastError())));
        const QString leader = window.scene()->systemLeader();
        QVERIFY(!leader.isEmpty());

        // Talk to the system leader's agent: the one the kill takes away.
        client.stop();
        QList<Endpoint> leaderFirst{controlOf(leader)};
        for (const auto &e : endpoints)
            if (!(e == controlOf(leader)))
                leaderFirst << e;
        client.setEndpoints(leaderFirst);
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == AgentClient::State::Connected &&
                                     client.isOperator() &&
                                     client.currentEndpoint() == controlOf(leader),
                                 kDeadlineMs);
        QTRY_VERIFY_WITH_TIMEOUT(everyoneUp(), kDeadlineMs);

        DrillDialog::execHook = [&](DrillDialog &d) {
            d.setReason(QStringLiteral("console lab test"));
            // The topology shows what the drill would leave while the dialog asks.
            [&] { QVERIFY(window.scene()->overlayItem() != nullptr); }();
            return int(QDialog::Accepted);
        };
        // A failover of `node` with this cause, complete (its tunnels up), in the history.
        const auto completed = [&](const QString &node, const QString &cause) {
            for (const auto &r : history->records())
                if (r.node == node && r.cause == cause && r.totalMs)
                    return true;
            return false;
        };
        const auto checkRecords = [&](const QString &after) {
            QSet<QString> keys;
            for (const auto &r : history->records()) {
                const QString why = recordProblem(r);
                QVERIFY2(why.isEmpty(),
                         qPrintable(QStringLiteral("%1: the failover of %2 (%3, view %4): %5")
                                        .arg(after, r.node, r.cause, r.viewId, why)));
                QVERIFY2(!keys.contains(r.key()), qPrintable(after + ": a failover shown twice"));
                keys.insert(r.key());
            }
        };
        const auto backToWhole = [&] { QVERIFY(QTest::qWaitFor(everyoneUp, kDeadlineMs)); };

        // The leader of C loses its adapter there: 1 takes C over.
        QString cLeader =
            QString::fromStdString(snapshot().plan.election.groupLeaders.at("10.0.3.0/24"));
        QString cIface;
        for (const auto &i : snapshot().nodes.at(cLeader.toStdString()).interfaces)
            if (i.group() == "10.0.3.0/24")
                cIface = QString::fromStdString(i.name);
        window.requestDrill(QStringLiteral("fail-adapter"), cLeader, cIface);
        QTRY_VERIFY_WITH_TIMEOUT(completed(cLeader, QStringLiteral("adapter")), kDeadlineMs);
        checkRecords(QStringLiteral("fail-adapter"));
        window.requestDrill(QStringLiteral("restore"), cLeader, cIface);
        backToWhole();
        checkRecords(QStringLiteral("restore of the adapter"));

        // The leader of B is drained, then restored.
        const QString bLeader =
            QString::fromStdString(snapshot().plan.election.groupLeaders.at("10.0.2.0/24"));
        window.requestDrill(QStringLiteral("drain"), bLeader);
        QTRY_VERIFY_WITH_TIMEOUT(completed(bLeader, QStringLiteral("drain")), kDeadlineMs);
        checkRecords(QStringLiteral("drain"));
        window.requestDrill(QStringLiteral("restore"), bLeader);
        backToWhole();
        checkRecords(QStringLiteral("restore of the drain"));

        // The system leader, whose agent the console talks to, is killed: the console moves.
        const QString sl = window.scene()->systemLeader();
        QCOMPARE(client.hello().agent, sl);
        const qint64 watchedFrom = events->rowCount() > 0 ? events->eventAt(0).timeMs : 0;
        window.requestDrill(QStringLiteral("kill"), sl);
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == AgentClient::State::Connected &&
                                     client.hello().agent != sl && !client.hello().agent.isEmpty(),
                                 kDeadlineMs);
        QTRY_VERIFY_WITH_TIMEOUT(completed(sl, QStringLiteral("connection-lost")), kDeadlineMs);
        const QString moved = client.hello().agent;
        qInfo("killed %s, the agent the console talked to; it moved to %s", qPrintable(sl),
              qPrintable(moved));
        checkRecords(QStringLiteral("kill"));
        // The event log has the failover it was there to watch: the system leader's move.
        const auto hasFailoverOf = [&](const QString &node) {
            for (int row = 0; row < events->rowCount(); ++row) {
                const ConsoleEvent e = events->eventAt(row);
                if (e.kind == ConsoleEvent::Kind::Failover && e.from == node &&
                    e.group == QStringLiteral("GL_group"))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(hasFailoverOf(sl), kDeadlineMs);
        // Nothing shows twice; nothing the new agent kept since the console watched is missing.
        QMap<QString, int> shown;
        for (int row = 0; row < events->rowCount(); ++row)
            if (const QString key = events->eventAt(row).key(); !key.isEmpty())
                ++shown[key];
        for (auto it = shown.cbegin(); it != shown.cend(); ++it)
            QVERIFY2(it.value() == 1,
                     qPrintable(QStringLiteral("shown %1 times: %2")
                                    .arg(it.value())
                                    .arg(QString(it.key()).replace(QChar(0x1f), u' '))));
        const QList<ConsoleEvent> kept = keptEvents(controlOf(moved).port);
        QVERIFY(!kept.isEmpty());
        int compared = 0;
        for (const auto &e : kept) {
            if (e.timeMs < watchedFrom || e.key().isEmpty())
                continue;
            ++compared;
            QTRY_VERIFY2_WITH_TIMEOUT(
                events->contains(e),
                qPrintable(QStringLiteral("missing from the log: ") + describe(e)), kDeadlineMs);
        }
        qInfo("%d events of agent %s compared with the console's log of %d rows", compared,
              qPrintable(moved), events->rowCount());
        QVERIFY(compared > 0);

        // Restore the killed node: it comes back at the end of every list.
        window.requestDrill(QStringLiteral("restore"), sl);
        backToWhole();
        checkRecords(QStringLiteral("restore of the kill"));

        // The drills' audit rows, each ended.
        auto *drills = window.store()->drillModel();
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                int ended = 0;
                for (int row = 0; row < drills->rowCount(); ++row) {
                    const DrillRecord d = drills->recordAt(row);
                    ended += d.action != u"restore" && d.reason == u"console lab test" &&
                             d.endedMs.has_value();
                }
                return ended >= 3;
            }(),
            kDeadlineMs);

        // The timeline: every failover, the three drills, degraded periods, plan changes.
        TimelineWidget *timeline = window.timeline();
        timeline->resize(1200, 300);
        timeline->fitAll();
        QTRY_VERIFY_WITH_TIMEOUT(window.store()->timeline()->frameCount() > 5, kDeadlineMs);
        const auto shownNow = timeline->shown();
        QCOMPARE(shownNow.failovers, history->rowCount());
        QVERIFY2(shownNow.drills >= 3, qPrintable(QString::number(shownNow.drills)));
        QVERIFY2(shownNow.degraded >= 3, qPrintable(QString::number(shownNow.degraded)));
        QVERIFY(shownNow.views > 5);
        const QStringList labels = timeline->timeLabels();
        QVERIFY(labels.size() >= 2);
        for (const auto &l : labels)
            QVERIFY2(!l.contains(u'…') && l.count(u':') >= 1, qPrintable(l));
        // A click on the kill's bar: the plan after it, what it opened and closed, who took over.
        QString killKey;
        for (const auto &r : history->records())
            if (r.node == sl && r.cause == u"connection-lost")
                killKey = r.key();
        QVERIFY(!timeline->barRect(killKey).isEmpty());
        QSignalSpy clicked(timeline, &TimelineWidget::failoverClicked);
        QTest::mouseClick(timeline, Qt::LeftButton, {}, timeline->barRect(killKey).center());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(window.mode(), MainWindow::Mode::Failover);
        auto *overlay = dynamic_cast<PlanOverlayItem *>(window.scene()->overlayItem());
        QVERIFY(overlay);
        QCOMPARE(overlay->mode(), PlanOverlayItem::Mode::Change);
        bool opened = false;
        bool closed = false;
        for (const auto &t : overlay->tunnels())
            (t.opened ? opened : closed) = true;
        QVERIFY2(opened && closed, "the kill of the system leader opens and closes tunnels");
        QVERIFY(overlay->caption().contains(sl));
        QVERIFY(window.scene()->systemLeader() != sl);

        // A picture for a person to look at.
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        if (auto *dock = window.findChild<QDockWidget *>(QStringLiteral("timelineDock")))
            dock->raise();
        QTest::qWait(300);
        QVERIFY(window.grab().save(QCoreApplication::applicationDirPath() +
                                   QStringLiteral("/lab-mainwindow.png")));
        window.goLive();
        QCOMPARE(window.mode(), MainWindow::Mode::Live);
        QVERIFY(!window.scene()->overlayItem());
    }
};

QTEST_MAIN(TestConsoleLab)
#include "tst_console_lab.moc"
