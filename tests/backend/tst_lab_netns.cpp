// `dmr-lab --netns` as an operator uses it (root; skipped otherwise): it builds Fig. 5 in
// namespaces and starts the agents; dmrctl on the host reaches them through the lab's proxy;
// the reachability matrix fills (every node hears every node's probes, across the unicast-only
// router, through the relay); a kill drill of the system leader makes the matrix dip and
// recover; kill -9 of dmr-lab leaves the namespaces (its agents die with it) and
// `dmr-lab --netns --cleanup` removes them, a second run finding nothing.
//
// Fig. 1 (fig1.json) too: 128 agents in 128 namespaces, eight frames of 16 on their own networks
// (10.F.0.0/24, routed by the unicast-only router) and the frames' gates also on the LAN
// 10.100.0.0/24. It comes up, every node hears every node (16,256 pairs, across the router only
// through the relay), and Ctrl-C takes it all down: no namespace, bridge, agent, proxy port or
// state file is left, and the root namespace has the links it had before.

#include "netns_cluster.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 60000;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QStringList labNamespaces(const QString &lab)
{
    QProcess p;
    p.start(s("ip"), {s("netns"), s("list")});
    p.waitForFinished(10000);
    QStringList out;
    for (const auto &line : QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n')))
        if (line.startsWith(s("dmr-") + lab + s("-")))
            out << line.section(QLatin1Char(' '), 0, 0);
    return out;
}

// One request on the host's 127.0.0.1:port (the lab's proxy): the reply's result, or {}.
QJsonObject ask(int port, const QJsonObject &request)
{
    // dmr-lab's default operator token: drills need it.
    return AgentCluster::askPort(port, request, s("dmr-lab-operator-token"))[s("result")]
        .toObject();
}

// Who hears whom: "1<-2" for every pair where node 1 hears node 2's probes.
QStringList heardPairs(const QJsonObject &reachability)
{
    QStringList out;
    for (const auto &row : reachability[s("rows")].toArray()) {
        const auto r = row.toObject();
        for (const auto &c : r[s("heard")].toArray())
            if (c.toObject()[s("heard")].toBool())
                out << r[s("node")].toString() + s("<-") + c.toObject()[s("from")].toString();
    }
    out.sort();
    return out;
}

// The root namespace's links, by name.
QStringList rootLinks()
{
    QProcess p;
    p.start(s("ip"), {s("-o"), s("link"), s("show")});
    p.waitForFinished(10000);
    QStringList out;
    for (const auto &line : QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n')))
        if (!line.isEmpty())
            out << line.section(QLatin1Char(':'), 1, 1).trimmed().section(QLatin1Char('@'), 0, 0);
    out.sort();
    return out;
}

// Whether a TCP port on the host's 127.0.0.1 can be bound now.
bool portFree(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<quint16>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// A lab's base port whose proxy ports, BASE+1000 .. BASE+1000+nodes-1 on the host's 127.0.0.1,
// are free now: below the ephemeral range and clear of AgentCluster's (its control ports end
// below 29000), starting at a place of this process's own so that two test runs at once (two
// checkouts on one machine) do not both take the first free range; 0 when there is none.
int freeLabBase(int nodes)
{
    constexpr int kFirst = 28000, kStep = 200;
    const int count = (32768 - 1000 - nodes - kFirst) / kStep;
    const int start = static_cast<int>(::getpid() % count);
    for (int k = 0; k < count; ++k) {
        const int b = kFirst + ((start + k) % count) * kStep;
        bool free = true;
        for (int i = 0; i < nodes && free; ++i)
            free = portFree(b + 1000 + i);
        if (free)
            return b;
    }
    return 0;
}

// Processes whose command line has `--control.listen 127.0.0.1:P` with P in [from, to]: the
// lab's agents (ip netns exec runs them under their own name).
QStringList agentsOnControlPorts(int from, int to)
{
    QStringList out;
    const auto pids = QDir(s("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const auto &pid : pids) {
        bool numeric = false;
        pid.toInt(&numeric);
        if (!numeric)
            continue;
        QFile f(s("/proc/") + pid + s("/cmdline"));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> args = f.readAll().split('\0');
        for (int i = 0; i + 1 < args.size(); ++i) {
            if (args[i] != "--control.listen" || !args[i + 1].startsWith("127.0.0.1:"))
                continue;
            const int port = args[i + 1].mid(10).toInt();
            if (port >= from && port <= to)
                out << pid;
        }
    }
    return out;
}

QStringList allPairs(const QStringList &nodes)
{
    QStringList out;
    for (const auto &a : nodes)
        for (const auto &b : nodes)
            if (a != b)
                out << a + s("<-") + b;
    out.sort();
    return out;
}

// Starts dmr-lab with these arguments and reads its output into `out` until it says `joined`
// (false: it exited first, or the deadline passed).
bool startLab(QProcess &lab, const QStringList &args, const char *joined, int deadlineMs,
              QByteArray &out)
{
    lab.start(QStringLiteral(DMR_LAB_PATH), args);
    if (!lab.waitForStarted(10000))
        return false;
    AgentCluster::waitFor(
        [&] {
            lab.waitForReadyRead(100);
            out += lab.readAll();
            return out.contains(joined) || lab.state() == QProcess::NotRunning;
        },
        deadlineMs);
    return out.contains(joined);
}

} // namespace

class TestLabNetns : public QObject
{
    Q_OBJECT

    QString lab_ = s("t%1").arg(::getpid() % 10000000);
    QString fig1Lab_ = s("f%1").arg(::getpid() % 10000000);

private slots:
    void initTestCase()
    {
        const QString why = NetnsCluster::whyUnavailable();
        if (!why.isEmpty())
            QSKIP(qPrintable(why));
    }

    void cleanupTestCase()
    {
        for (const auto &lab : {lab_, fig1Lab_})
            if (!labNamespaces(lab).isEmpty())
                QProcess::execute(s(DMR_LAB_PATH), {s("--netns"), s("--cleanup"), s("--lab"), lab});
    }

    void operatorSession()
    {
        const int base = freeLabBase(6);
        QVERIFY2(base != 0, "no 6 free TCP ports on 127.0.0.1 between 29000 and 32767");
        QProcess lab;
        lab.setProcessChannelMode(QProcess::MergedChannels);
        QByteArray out;
        QVERIFY2(startLab(lab,
                          {s("--netns"), s(DMR_RESOURCES "/topologies/fig5.json"), s("--lab"), lab_,
                           s("--base-port"), QString::number(base), s("--table"), s("none")},
                          "all 6 agents joined", kDeadlineMs, out),
                 out.constData());
        QCOMPARE(labNamespaces(lab_).size(), 8); // switch, router, six nodes

        // dmrctl on the host, through the proxy, sees the cluster with Fig. 5's plan.
        QProcess ctl;
        ctl.start(s(DMRCTL_PATH),
                  {s("--connect"), s("127.0.0.1:%1").arg(base + 1003), s("--json"), s("cluster")});
        QVERIFY(ctl.waitForFinished(20000));
        QCOMPARE(ctl.exitCode(), 0);
        const auto cluster = QJsonDocument::fromJson(ctl.readAllStandardOutput()).object();
        QCOMPARE(cluster[s("agents")].toArray().size(), 6);
        QCOMPARE(cluster[s("snapshot")].toObject()[s("system_leader")].toString(), s("2"));

        // Every node hears every node: on its own network directly, across the router only
        // through the relay.
        const QStringList nodes{s("1"), s("2"), s("3"), s("4"), s("5"), s("6")};
        const int viaNode1 = base + 1003;
        QJsonObject reach;
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         reach = ask(viaNode1, {{s("type"), s("get-reachability")}});
                         return heardPairs(reach) == allPairs(nodes);
                     },
                     kDeadlineMs),
                 qPrintable(s("the matrix never filled: ") +
                            QString::fromUtf8(QJsonDocument(reach).toJson())));

        // A kill drill of the system leader: the matrix dips (nobody hears 2), and comes back
        // when the drill ends.
        const auto drill = ask(viaNode1, {{s("type"), s("drill")},
                                          {s("action"), s("kill")},
                                          {s("node"), s("2")},
                                          {s("reason"), s("tst_lab_netns")},
                                          {s("duration_ms"), 8000}});
        QVERIFY2(!drill.isEmpty(), "the drill was refused (token?)");
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         reach = ask(viaNode1, {{s("type"), s("get-reachability")}});
                         const QStringList pairs = heardPairs(reach);
                         return !pairs.contains(s("1<-2")) && pairs.contains(s("1<-6")) &&
                                pairs.contains(s("6<-1"));
                     },
                     kDeadlineMs),
                 qPrintable(s("no dip without node 2, or survivors lost each other: ") +
                            QString::fromUtf8(QJsonDocument(reach).toJson())));
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         reach = ask(viaNode1, {{s("type"), s("get-reachability")}});
                         return heardPairs(reach) == allPairs(nodes);
                     },
                     kDeadlineMs),
                 qPrintable(s("the matrix did not recover: ") +
                            QString::fromUtf8(QJsonDocument(reach).toJson())));

        // A crash of dmr-lab: its agents die with it, the namespaces stay.
        ::kill(static_cast<pid_t>(lab.processId()), SIGKILL);
        QVERIFY(lab.waitForFinished(10000));
        QCOMPARE(labNamespaces(lab_).size(), 8);
        QVERIFY(AgentCluster::waitFor(
            [&] {
                QProcess pids;
                pids.start(s("ip"), {s("netns"), s("pids"), s("dmr-") + lab_ + s("-n2")});
                pids.waitForFinished(10000);
                return pids.readAllStandardOutput().trimmed().isEmpty();
            },
            kDeadlineMs));

        // --cleanup removes everything; a second run finds nothing.
        QProcess clean;
        clean.setProcessChannelMode(QProcess::MergedChannels);
        clean.start(s(DMR_LAB_PATH), {s("--netns"), s("--cleanup"), s("--lab"), lab_});
        QVERIFY(clean.waitForFinished(60000));
        const QString said = QString::fromUtf8(clean.readAll());
        QVERIFY2(clean.exitCode() == 0, qPrintable(said));
        QVERIFY2(said.contains(s("8 namespaces removed")), qPrintable(said));
        QVERIFY(labNamespaces(lab_).isEmpty());
        QVERIFY(!QFile::exists(s("/run/dmr-lab/%1.json").arg(lab_)));
        clean.start(s(DMR_LAB_PATH), {s("--netns"), s("--cleanup"), s("--lab"), lab_});
        QVERIFY(clean.waitForFinished(60000));
        QCOMPARE(clean.exitCode(), 0);
        QVERIFY(QString::fromUtf8(clean.readAll()).contains(s("nothing was left")));
    }

    void fig1BringUpAndTeardown()
    {
        constexpr int kNodes = 128;
        constexpr int kNamespaces = kNodes + 2; // and the switch, the router
        // The proxy's control ports, BASE+1000+i on the host.
        const int base = freeLabBase(kNodes);
        QVERIFY2(base != 0, "no 128 free TCP ports on 127.0.0.1 between 29000 and 32767");
        const int firstControl = base + 1000;
        const int lastControl = base + 1000 + kNodes - 1;
        const QStringList linksBefore = rootLinks();
        // The agents' logs: removed after a pass, kept (and named) after a failure.
        QTemporaryDir logs;
        QVERIFY(logs.isValid());
        const auto keepLogs = qScopeGuard([&] {
            if (QTest::currentTestFailed()) {
                logs.setAutoRemove(false);
                qWarning("agent logs kept in %s", qPrintable(logs.path()));
            }
        });

        QElapsedTimer sinceStart;
        sinceStart.start();
        QProcess lab;
        lab.setProcessChannelMode(QProcess::MergedChannels);
        QByteArray out;
        QVERIFY2(
            startLab(lab,
                     {s("--netns"), s(DMR_RESOURCES "/topologies/fig1.json"), s("--lab"), fig1Lab_,
                      s("--base-port"), QString::number(base), s("--table"), s("none"),
                      s("--join-timeout-ms"), s("60000"), s("--log-dir"), logs.path()},
                     "all 128 agents joined", 600000, out),
            out.constData());
        const qint64 upMs = sinceStart.elapsed();
        QCOMPARE(labNamespaces(fig1Lab_).size(), kNamespaces);
        // A bridge per network: the eight frames and the LAN.
        QProcess bridges;
        bridges.start(s("ip"), {s("-n"), s("dmr-") + fig1Lab_ + s("-sw"), s("-o"), s("link"),
                                s("show"), s("type"), s("bridge")});
        QVERIFY(bridges.waitForFinished(10000));
        QCOMPARE(bridges.readAllStandardOutput().count('\n'), 9);

        // dmrctl through the proxy: one view of all 128, the first frame's gate (first in the
        // join order) system leader, a tunnel from it to every other frame's gate. (A node may
        // have dropped out after its join, on a loaded machine, and be on its way back: the view
        // is asked for until it holds all 128.)
        QJsonObject cluster;
        QVERIFY2(
            AgentCluster::waitFor(
                [&] {
                    QProcess ctl;
                    ctl.start(s(DMRCTL_PATH), {s("--connect"), s("127.0.0.1:%1").arg(lastControl),
                                               s("--json"), s("cluster")});
                    if (!ctl.waitForFinished(60000) || ctl.exitCode() != 0)
                        return false;
                    cluster = QJsonDocument::fromJson(ctl.readAllStandardOutput()).object();
                    if (cluster[s("agents")].toArray().size() == kNodes)
                        return true;
                    QThread::msleep(1000);
                    return false;
                },
                300000),
            qPrintable(
                s("no view of all 128: %1 agents").arg(cluster[s("agents")].toArray().size())));
        const auto snapshot = cluster[s("snapshot")].toObject();
        // f1n1 joined first, so it leads, unless a loaded machine made it miss heartbeats and
        // the others expelled it: then it rejoined at the end of every list (its log says so)
        // and the leader is the first of the GL group's order like any other.
        QFile firstLog(logs.path() + s("/agent-f1n1.log"));
        const bool firstExpelled =
            firstLog.open(QIODevice::ReadOnly) && firstLog.readAll().contains("expelled:");
        if (firstExpelled) {
            qInfo("f1n1 was expelled and rejoined on this loaded machine");
            QCOMPARE(snapshot[s("system_leader")].toString(),
                     snapshot[s("gl_order")].toArray().first().toString());
            QVERIFY(snapshot[s("system_leader")].toString() != s("f1n1"));
        } else {
            QCOMPARE(snapshot[s("system_leader")].toString(), s("f1n1"));
        }
        QCOMPARE(snapshot[s("tunnels")].toArray().size(), 7);

        // Every node hears every node.
        QStringList nodes;
        for (int f = 1; f <= 8; ++f)
            for (int n = 1; n <= 16; ++n)
                nodes << s("f%1n%2").arg(f).arg(n);
        const QStringList expected = allPairs(nodes);
        QJsonObject reach;
        QStringList heard;
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         reach = ask(firstControl, {{s("type"), s("get-reachability")}});
                         heard = heardPairs(reach);
                         if (heard == expected)
                             return true;
                         // Each ask gathers 128 rows (2 MB) over the cluster: not in a tight
                         // loop, which would load the machine it waits for. Probes go every 1 s.
                         QThread::msleep(2000);
                         return false;
                     },
                     300000),
                 qPrintable(s("the matrix never filled: %1 of %2 pairs heard")
                                .arg(heard.size())
                                .arg(expected.size())));
        const qint64 fullMs = sinceStart.elapsed();
        qInfo("Fig. 1 in namespaces: 128 agents joined after %.1f s, all %lld pairs heard after "
              "%.1f s",
              static_cast<double>(upMs) / 1000.0, static_cast<long long>(expected.size()),
              static_cast<double>(fullMs) / 1000.0);

        // Ctrl-C: the agents stop, the namespaces go, and nothing is left.
        QElapsedTimer sinceStop;
        sinceStop.start();
        ::kill(static_cast<pid_t>(lab.processId()), SIGINT);
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         lab.waitForReadyRead(100);
                         out += lab.readAll();
                         return lab.state() == QProcess::NotRunning;
                     },
                     180000),
                 out.constData());
        out += lab.readAll();
        qInfo("Fig. 1 taken down in %.1f s", static_cast<double>(sinceStop.elapsed()) / 1000.0);
        QCOMPARE(lab.exitStatus(), QProcess::NormalExit);
        QVERIFY2(lab.exitCode() == 0, out.constData());
        QVERIFY2(out.contains(QByteArray("lab ") + fig1Lab_.toUtf8() +
                              " is gone (130 namespaces "
                              "removed)"),
                 out.constData());
        QVERIFY2(out.contains("no agent left running"), out.constData());
        QVERIFY(labNamespaces(fig1Lab_).isEmpty());
        QVERIFY(!QFile::exists(s("/run/dmr-lab/%1.json").arg(fig1Lab_)));
        QCOMPARE(agentsOnControlPorts(firstControl, lastControl), QStringList());
        for (int port = firstControl; port <= lastControl; ++port)
            QVERIFY2(portFree(port), qPrintable(s("the proxy still holds port %1").arg(port)));
        QCOMPARE(rootLinks(), linksBefore);

        // No agent saw a torn or forged cluster frame (128-node views are large: the transport
        // must write each frame whole).
        for (const auto &name : QDir(logs.path()).entryList({s("agent-*.log")})) {
            QFile log(logs.path() + QLatin1Char('/') + name);
            QVERIFY(log.open(QIODevice::ReadOnly));
            const QByteArray text = log.readAll();
            QVERIFY2(!text.contains("cluster frame rejected"),
                     qPrintable(name + s(": ") +
                                QString::fromUtf8(text.mid(text.indexOf("cluster frame"), 200))));
        }
    }
};

QTEST_GUILESS_MAIN(TestLabNetns)
#include "tst_lab_netns.moc"
