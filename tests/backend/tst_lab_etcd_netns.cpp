// `dmr-lab --netns --membership etcd`: etcd as three hosts would run it (root; skipped
// otherwise). Fig. 5 in namespaces; the lab starts a three-member etcd cluster, one member in
// each of the first three nodes' namespaces (2, 6 and 4) on their first addresses, and every
// agent gets all three endpoints:
//
//      node 2 [etcd-2 10.0.1.2:2379]   node 6 [etcd-6 10.0.2.6:2379]   node 4 [etcd-4 ...]
//        |  network A                    |  network B (through the unicast-only router)
//      nodes 1 3                        node 5
//
// kill -9 of the etcd member that leads the etcd cluster (the harder case: the rest elect a new
// leader) must go unnoticed by the agents: no failover, no view change, no degraded moment, no
// rejoin, for three lease TTLs, while the agents whose first endpoint was that member move to
// the next one. Then the agents still follow a change on the two members left: a kill drill of
// node 5 is a new view everywhere, and node 5 comes back.

#include "agent_cluster.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <map>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 60000;
constexpr int kMetricsPort = 9400; // in each node's namespace
constexpr int kLeaseTtlS = 2;      // the lab's default
const QStringList kNodes{QStringLiteral("2"), QStringLiteral("6"), QStringLiteral("4"),
                         QStringLiteral("1"), QStringLiteral("3"), QStringLiteral("5")};

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

bool portFree(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<quint16>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
    if (fd >= 0)
        ::close(fd);
    return ok;
}

// One request through the lab's proxy on the host's 127.0.0.1:port: the reply's result, or {}.
QJsonObject ask(int port, const QJsonObject &request)
{
    // dmr-lab's default operator token: drills need it.
    return AgentCluster::askPort(port, request, s("dmr-lab-operator-token"))[s("result")]
        .toObject();
}

// GET /metrics of the agent in a namespace (its metrics port on 127.0.0.1 there).
QString metricsIn(const QString &netns)
{
    const int fd = AgentCluster::socketInNetns(netns, SOCK_STREAM);
    if (fd < 0)
        return {};
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(kMetricsPort);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QByteArray all;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
        const QByteArray req = "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n";
        if (::send(fd, req.constData(), static_cast<size_t>(req.size()), MSG_NOSIGNAL) ==
            req.size()) {
            char buf[16384];
            QElapsedTimer t;
            t.start();
            while (t.elapsed() < 5000) {
                pollfd p{fd, POLLIN, 0};
                if (::poll(&p, 1, 500) <= 0)
                    continue;
                const auto n = ::recv(fd, buf, sizeof buf, 0);
                if (n <= 0)
                    break;
                all.append(buf, static_cast<int>(n));
            }
        }
    }
    ::close(fd);
    return QString::fromUtf8(all);
}

// A counter or gauge of one node from a scrape: `name{node="ID"} VALUE`; -1 when absent.
double value(const QString &scrape, const QString &name, const QString &node)
{
    const QString key = name + s("{node=\"") + node + s("\"} ");
    const int at = scrape.indexOf(key);
    if (at < 0)
        return -1;
    return scrape.mid(at + key.size()).section(QLatin1Char('\n'), 0, 0).toDouble();
}

} // namespace

class TestLabEtcdNetns : public QObject
{
    Q_OBJECT

    QString lab_ = s("e%1").arg(::getpid() % 10000000);

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root (network namespaces)");
        for (const char *tool : {"etcd", "etcdctl"})
            if (QStandardPaths::findExecutable(s(tool)).isEmpty())
                QSKIP(qPrintable(
                    s("%1 is not installed (Debian: etcd-server, etcd-client)").arg(s(tool))));
    }

    void cleanupTestCase()
    {
        QProcess::execute(s(DMR_LAB_PATH), {s("--netns"), s("--cleanup"), s("--lab"), lab_});
    }

    void etcdMemberLossGoesUnnoticed()
    {
        // The proxy's control ports BASE+1000+i on the host: a free range.
        int base = 0;
        for (int b = 24000; b < 31000 && base == 0; b += 100) {
            bool free = true;
            for (int i = 0; i < 6 && free; ++i)
                free = portFree(b + 1000 + i);
            if (free)
                base = b;
        }
        QVERIFY(base != 0);
        const auto control = [&](const QString &id) { return base + 1000 + kNodes.indexOf(id); };
        const auto netns = [&](const QString &id) { return s("dmr-") + lab_ + s("-n") + id; };

        // The lab's logs and its etcd members' data: the data must go when the lab stops (it
        // was about 370 MB a run, left in /tmp).
        QTemporaryDir logs;
        QVERIFY(logs.isValid());
        QElapsedTimer sinceStart;
        sinceStart.start();
        QProcess lab;
        lab.setProcessChannelMode(QProcess::MergedChannels);
        lab.start(s(DMR_LAB_PATH),
                  {s("--netns"), s(DMR_RESOURCES "/topologies/fig5.json"), s("--lab"), lab_,
                   s("--base-port"), QString::number(base), s("--table"), s("none"), s("--log-dir"),
                   logs.path(), s("--membership"), s("etcd"), s("--etcd-ttl-s"),
                   QString::number(kLeaseTtlS), s("--agent-arg=--metrics.listen"),
                   s("--agent-arg=127.0.0.1:%1").arg(kMetricsPort)});
        QVERIFY(lab.waitForStarted(10000));
        QByteArray out;
        const auto read = [&] {
            lab.waitForReadyRead(100);
            out += lab.readAll();
        };
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         read();
                         return out.contains("all 6 agents joined") ||
                                lab.state() == QProcess::NotRunning;
                     },
                     120000),
                 out.constData());
        QVERIFY2(out.contains("all 6 agents joined"), out.constData());

        // The members as the lab started them: "etcd-2 (10.0.1.2:2379 in dmr-LAB-n2, pid P)".
        std::map<QString, qint64> memberPid; // endpoint -> pid
        static const QRegularExpression member(s("etcd-\\S+ \\((\\S+) in (\\S+), pid (\\d+)\\)"));
        auto it = member.globalMatch(QString::fromUtf8(out));
        while (it.hasNext()) {
            const auto m = it.next();
            memberPid[m.captured(1)] = m.captured(3).toLongLong();
        }
        QCOMPARE(memberPid.size(), std::size_t(3));
        QVERIFY(memberPid.count(s("10.0.1.2:2379")) && memberPid.count(s("10.0.2.6:2379")) &&
                memberPid.count(s("10.0.2.4:2379")));

        // Which member leads etcd's cluster: etcdctl in node 2's namespace asks all three.
        QString leader;
        QVERIFY(AgentCluster::waitFor(
            [&] {
                QProcess ctl;
                ctl.start(s("ip"),
                          {s("netns"), s("exec"), netns(s("2")), s("etcdctl"), s("--endpoints"),
                           s("http://127.0.0.1:2379"), s("endpoint"), s("status"), s("--cluster")});
                ctl.waitForFinished(20000);
                for (const auto &line : QString::fromUtf8(ctl.readAllStandardOutput()).split('\n'))
                    if (line.section(s(", "), 4, 4) == s("true"))
                        leader = line.section(s(", "), 0, 0).remove(s("http://"));
                return !leader.isEmpty();
            },
            kDeadlineMs));

        // Before: every agent's counters.
        const QStringList counters{s("dmr_failovers_total"), s("dmr_views_installed_total"),
                                   s("dmr_membership_degraded_total"),
                                   s("dmr_membership_rejoins_total")};
        std::map<QString, std::map<QString, double>> before;
        double movesBefore = 0;
        for (const auto &id : kNodes) {
            const QString m = metricsIn(netns(id));
            for (const auto &c : counters) {
                before[id][c] = value(m, c, id);
                QVERIFY2(before[id][c] >= 0, qPrintable(id + s(": no ") + c + s(" in ") + m));
            }
            movesBefore += value(m, s("dmr_etcd_endpoint_moves_total"), id);
        }
        const QString viewBefore =
            ask(control(s("2")), {{s("type"), s("get-state")}})[s("view_id")].toString();
        QVERIFY(!viewBefore.isEmpty());

        // kill -9 of the etcd leader; three lease TTLs of watching every agent.
        QCOMPARE(::kill(static_cast<pid_t>(memberPid.at(leader)), SIGKILL), 0);
        QElapsedTimer watch;
        watch.start();
        int polls = 0;
        while (watch.elapsed() < 3 * kLeaseTtlS * 1000 + 2000) {
            for (const auto &id : kNodes) {
                const auto state = ask(control(id), {{s("type"), s("get-state")}});
                QVERIFY2(!state.isEmpty(), qPrintable(id + s(" did not answer")));
                QVERIFY2(!state[s("degraded")].toBool(),
                         qPrintable(id + s(" degraded after etcd member ") + leader + s(" died")));
                QCOMPARE(state[s("view_id")].toString(), viewBefore);
            }
            ++polls;
            read();
        }
        double movesAfter = 0;
        for (const auto &id : kNodes) {
            const QString m = metricsIn(netns(id));
            for (const auto &c : counters)
                QVERIFY2(
                    value(m, c, id) == before[id][c],
                    qPrintable(id + s(": ") + c +
                               s(" went from %1 to %2").arg(before[id][c]).arg(value(m, c, id))));
            movesAfter += value(m, s("dmr_etcd_endpoint_moves_total"), id);
        }
        QVERIFY2(movesAfter > movesBefore, "no agent had to leave the dead member: was it used?");
        qInfo("etcd leader %s killed: %d polls of all 6 agents over %.1f s, no failover, no view "
              "change, never degraded; %g endpoint moves",
              qPrintable(leader), polls, static_cast<double>(watch.elapsed()) / 1000.0,
              movesAfter - movesBefore);

        // The two members left carry changes: node 5 killed by a drill is a new view, and it
        // comes back.
        const auto drill = ask(control(s("2")), {{s("type"), s("drill")},
                                                 {s("action"), s("kill")},
                                                 {s("node"), s("5")},
                                                 {s("reason"), s("tst_lab_etcd_netns")},
                                                 {s("duration_ms"), 3000}});
        QVERIFY2(!drill.isEmpty(), "the drill was refused");
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return ask(control(s("2")), {{s("type"), s("get-state")}})[s("view_id")]
                           .toString() != viewBefore;
            },
            kDeadlineMs));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                const auto st = ask(control(s("5")), {{s("type"), s("get-state")}});
                const auto two = ask(control(s("2")), {{s("type"), s("get-state")}});
                return st[s("membership")].toString() == s("member") &&
                       st[s("view_id")].toString() == two[s("view_id")].toString();
            },
            kDeadlineMs));

        // Ctrl-C: agents and members stop, the namespaces go.
        ::kill(static_cast<pid_t>(lab.processId()), SIGINT);
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         read();
                         return lab.state() == QProcess::NotRunning;
                     },
                     kDeadlineMs),
                 out.constData());
        out += lab.readAll();
        QVERIFY2(lab.exitCode() == 0, out.constData());
        QVERIFY2(out.contains("is gone (8 namespaces removed)"), out.constData());
        const QStringList left =
            QDir(logs.path()).entryList({s("*-data")}, QDir::Dirs | QDir::NoDotAndDotDot);
        QVERIFY2(left.isEmpty(), qPrintable(s("etcd data left: ") + left.join(s(", "))));
        QVERIFY(!QDir(logs.path()).entryList({s("etcd-*.log")}, QDir::Files).isEmpty());
        qInfo("whole run %.1f s", static_cast<double>(sinceStart.elapsed()) / 1000.0);
    }
};

QTEST_GUILESS_MAIN(TestLabEtcdNetns)
#include "tst_lab_etcd_netns.moc"
