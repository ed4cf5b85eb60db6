// `dmr-lab --netns` as an operator uses it (root; skipped otherwise): it builds Fig. 5 in
// namespaces and starts the agents; dmrctl on the host reaches them through the lab's proxy;
// the reachability matrix fills (every node hears every node's probes, across the unicast-only
// router, through the relay); a kill drill of the system leader makes the matrix dip and
// recover; kill -9 of dmr-lab leaves the namespaces (its agents die with it) and
// `dmr-lab --netns --cleanup` removes them, a second run finding nothing.

#include "netns_cluster.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QtTest>

#include <csignal>

#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 60000;
constexpr int kBasePort = 27400; // control ports 28400-28405 on the host's 127.0.0.1

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
    QTcpSocket socket;
    socket.connectToHost(s("127.0.0.1"), static_cast<quint16>(port));
    if (!socket.waitForConnected(3000))
        return {};
    // dmr-lab's default operator token: drills need it.
    socket.write(R"({"type":"hello","protocol":1,"client":"tst_lab_netns",)"
                 R"("token":"dmr-lab-operator-token"})"
                 "\n");
    socket.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    QByteArray buffer;
    int lines = 0;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 5000 && socket.waitForReadyRead(1000)) {
        buffer += socket.readAll();
        int nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
            const QByteArray line = buffer.left(nl);
            buffer.remove(0, nl + 1);
            if (++lines == 2)
                return QJsonDocument::fromJson(line).object()[s("result")].toObject();
        }
    }
    return {};
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

} // namespace

class TestLabNetns : public QObject
{
    Q_OBJECT

    QString lab_ = s("t%1").arg(::getpid() % 10000000);

private slots:
    void initTestCase()
    {
        const QString why = NetnsCluster::whyUnavailable();
        if (!why.isEmpty())
            QSKIP(qPrintable(why));
    }

    void cleanupTestCase()
    {
        if (!labNamespaces(lab_).isEmpty())
            QProcess::execute(s(DMR_LAB_PATH), {s("--netns"), s("--cleanup"), s("--lab"), lab_});
    }

    void operatorSession()
    {
        QProcess lab;
        lab.setProcessChannelMode(QProcess::MergedChannels);
        lab.start(s(DMR_LAB_PATH),
                  {s("--netns"), s(DMR_RESOURCES "/topologies/fig5.json"), s("--lab"), lab_,
                   s("--base-port"), QString::number(kBasePort), s("--table"), s("none")});
        QVERIFY(lab.waitForStarted(10000));
        QByteArray out;
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         lab.waitForReadyRead(100);
                         out += lab.readAll();
                         return out.contains("all 6 agents joined") ||
                                lab.state() == QProcess::NotRunning;
                     },
                     kDeadlineMs),
                 out.constData());
        QVERIFY2(out.contains("all 6 agents joined"), out.constData());
        QCOMPARE(labNamespaces(lab_).size(), 8); // switch, router, six nodes

        // dmrctl on the host, through the proxy, sees the cluster with Fig. 5's plan.
        QProcess ctl;
        ctl.start(s(DMRCTL_PATH), {s("--connect"), s("127.0.0.1:%1").arg(kBasePort + 1003),
                                   s("--json"), s("cluster")});
        QVERIFY(ctl.waitForFinished(20000));
        QCOMPARE(ctl.exitCode(), 0);
        const auto cluster = QJsonDocument::fromJson(ctl.readAllStandardOutput()).object();
        QCOMPARE(cluster[s("agents")].toArray().size(), 6);
        QCOMPARE(cluster[s("snapshot")].toObject()[s("system_leader")].toString(), s("2"));

        // Every node hears every node: on its own network directly, across the router only
        // through the relay.
        const QStringList nodes{s("1"), s("2"), s("3"), s("4"), s("5"), s("6")};
        const int viaNode1 = kBasePort + 1003;
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
};

QTEST_GUILESS_MAIN(TestLabNetns)
#include "tst_lab_netns.moc"
