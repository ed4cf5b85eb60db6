// The console against a real cluster: dmr-lab runs the six Fig. 5 agents on loopback, and the
// main window, its client and its models follow them with nothing faked. The operator's path
// from the issue: the topology shows up with its system leader, a Kill drill on the system
// leader (through the confirmation) moves the mark, the console leaves the killed agent for
// another one of the cluster, and a failover row with its durations and the drill's audit row
// appear. Saves lab-mainwindow.png next to the test binary.

#include "client/agent_client.h"
#include "drilldialog.h"
#include "mainwindow.h"
#include "models/cluster_store.h"
#include "models/drill_model.h"
#include "models/history_model.h"
#include "models/reachability_model.h"
#include "scene/topologyscene.h"

#include <QCoreApplication>
#include <QDockWidget>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineSeries>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <algorithm>
#include <memory>

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

    void killTheSystemLeaderFromTheConsole()
    {
        // Connect to node 1's agent first, learn the system leader, then talk to its agent:
        // the one the drill kills.
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

        const auto everyoneUp = [&] {
            if (!window.store()->hasSnapshot())
                return false;
            const auto &s = window.store()->snapshot();
            return s.nodes.size() == 6 && s.plan.election.systemLeader.has_value() &&
                   s.membership.networks.size() >= 3 &&
                   std::all_of(
                       s.status.begin(), s.status.end(),
                       [](const auto &st) { return st.second.state == dmr::NodeState::Up; }) &&
                   s.status.size() == 6;
        };
        QVERIFY2(QTest::qWaitFor(everyoneUp, kDeadlineMs),
                 qPrintable(QStringLiteral("the console never showed six up nodes; client: %1")
                                .arg(client.lastError())));
        const QString leader = window.scene()->systemLeader();
        QVERIFY(!leader.isEmpty());
        QCOMPARE(leader,
                 QString::fromStdString(*window.store()->snapshot().plan.election.systemLeader));

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

        // The lab's agents probe each other (the relay in loopback mode): the heat map fills
        // and every node hears every other one.
        const auto fullMatrix = [&] {
            const ReachabilityMatrix &m = window.store()->reachabilityModel()->matrix();
            if (m.nodes.size() != 6 || m.rows.size() != 6)
                return false;
            for (const auto &r : m.rows) {
                if (!r.answered || !r.probing)
                    return false;
                for (const auto &other : m.nodes) {
                    const auto *c = r.cellFrom(other);
                    if (other != r.node && (!c || !c->heard))
                        return false;
                }
            }
            return true;
        };
        QVERIFY2(QTest::qWaitFor(fullMatrix, kDeadlineMs),
                 "the reachability matrix never showed every node hearing every node");
        QVERIFY(window.scene()->unreachable().isEmpty());
        const int historyBefore = window.store()->historyModel()->rowCount();

        // Click: select the node, Kill, confirm with a reason.
        emit window.scene()->nodeClicked(leader);
        QCOMPARE(window.scene()->selectedNode(), leader);
        QString summary;
        DrillDialog::execHook = [&](DrillDialog &d) {
            summary = d.summaryText();
            d.setReason(QStringLiteral("console lab test"));
            return int(QDialog::Accepted);
        };
        window.requestDrill(QStringLiteral("kill"), leader);
        QVERIFY2(summary.contains(leader), qPrintable(summary));

        // The mark moves to another node, and the console now talks to a surviving agent.
        QTRY_VERIFY_WITH_TIMEOUT(!window.scene()->systemLeader().isEmpty() &&
                                     window.scene()->systemLeader() != leader,
                                 kDeadlineMs);
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == AgentClient::State::Connected &&
                                     !(client.currentEndpoint() == controlOf(leader)),
                                 kDeadlineMs);
        const QString successor = window.scene()->systemLeader();
        qInfo("system leader %s killed from the console; %s took over; console moved to %s",
              qPrintable(leader), qPrintable(successor),
              qPrintable(client.currentEndpoint().toString()));

        // Its probes stop: after a few intervals nobody hears it, and the topology says so.
        QTRY_VERIFY_WITH_TIMEOUT(window.scene()->unreachable().contains(leader), kDeadlineMs);
        QCOMPARE(window.scene()->unreachable(), QStringList{leader});

        // A failover row for the killed leader, with its durations once the tunnels are up.
        auto *history = window.store()->historyModel();
        const auto leaderRow = [&]() -> int {
            for (int row = history->rowCount() - 1; row >= 0; --row)
                if (history->recordAt(row).node == leader)
                    return row;
            return -1;
        };
        QTRY_VERIFY_WITH_TIMEOUT(history->rowCount() > historyBefore && leaderRow() >= 0 &&
                                     history->recordAt(leaderRow()).totalMs.has_value(),
                                 kDeadlineMs);
        const FailoverRecord record = history->recordAt(leaderRow());
        QVERIFY2(record.roles.join(u' ').contains(QStringLiteral("system-leader")),
                 qPrintable(record.roles.join(u' ')));
        QVERIFY(record.electionMs.has_value() && record.tunnelsMs.has_value());
        QVERIFY(*record.totalMs >= 0 && *record.totalMs < kDeadlineMs);
        const QString total =
            history->index(leaderRow(), HistoryModel::TotalColumn).data().toString();
        QVERIFY2(!total.isEmpty(), "the total duration cell is empty");
        qInfo("history row: cause %s, election %lld ms, tunnels %lld ms, total %lld ms",
              qPrintable(record.cause), static_cast<long long>(*record.electionMs),
              static_cast<long long>(*record.tunnelsMs), static_cast<long long>(*record.totalMs));
        QVERIFY(window.historySeries()->count() >= 1);

        // The audit view lists the drill.
        auto *drills = window.store()->drillModel();
        QTRY_VERIFY_WITH_TIMEOUT(drills->rowCount() >= 1, kDeadlineMs);
        bool listed = false;
        for (int row = 0; row < drills->rowCount(); ++row) {
            const auto cell = [&](int column) {
                return drills->index(row, column).data().toString();
            };
            listed = listed || (cell(DrillModel::NodeColumn) == leader &&
                                cell(DrillModel::ReasonColumn) == u"console lab test");
        }
        QVERIFY2(listed, "the kill drill is not in the audit view");

        // A picture for a person to look at.
        emit window.scene()->nodeClicked(successor);
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        if (auto *dock = window.findChild<QDockWidget *>(QStringLiteral("reachability")))
            dock->raise();
        QTest::qWait(200);
        QVERIFY(window.grab().save(QCoreApplication::applicationDirPath() +
                                   QStringLiteral("/lab-mainwindow.png")));
    }
};

QTEST_MAIN(TestConsoleLab)
#include "tst_console_lab.moc"
