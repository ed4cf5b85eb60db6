// dmr-agent reading its interfaces from the OS, in a network namespace of its own with two
// veth links (root only; skipped otherwise):
//
//     namespace dmr-os-PID:  d0 10.77.0.1/24 (peer p0)   d1 10.78.0.1/24 (peer p1)
//
// It leads both networks; `ip link set d1 down` is an adapter failure (it leaves that group at
// once, through the rtnetlink watch), and `up` is the recovery.
//
// An agent started before its link is usable waits for it, serving its control port, and joins
// once the link is up and has its address (two namespaces joined by one veth pair):
//
//     namespace dmr-osa-PID:  wa 10.79.0.1/24           agent "a", membership 10.79.0.1:7400
//                              |
//     namespace dmr-osb-PID:  wb (down, no address)     agent "b", membership 10.79.0.2:7400,
//                                                        seed 10.79.0.1:7400
//
// b starts first, with wb down; wb comes up (a carrier, still no address) and a starts; then wb
// gets its address, and b joins a's cluster.

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QtTest>

#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 20000;

bool run(const QStringList &args, QString *out = nullptr)
{
    QProcess p;
    p.start(args.first(), args.mid(1));
    if (!p.waitForFinished(10000))
        return false;
    if (out != nullptr)
        *out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

bool waitFor(const std::function<bool()> &condition, int deadlineMs = kDeadlineMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < deadlineMs) {
        if (condition())
            return true;
        QThread::msleep(50);
    }
    return condition();
}

} // namespace

class TestAgentOs : public QObject
{
    Q_OBJECT

    QString ns_ = QStringLiteral("dmr-os-%1").arg(QCoreApplication::applicationPid());
    QProcess agent_;

    QJsonObject status() { return ask(ns_, QStringLiteral("status")); }

    // dmrctl COMMAND --json against the agent's control port 127.0.0.1:7500 in a namespace.
    static QJsonObject ask(const QString &ns, const QString &command)
    {
        QString out;
        if (!run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), ns,
                  QStringLiteral(DMRCTL_PATH), QStringLiteral("--connect"),
                  QStringLiteral("127.0.0.1:7500"), QStringLiteral("--json"), command},
                 &out))
            return {};
        return QJsonDocument::fromJson(out.toUtf8()).object();
    }

    QStringList leads()
    {
        QStringList l;
        for (const auto &g : status().value(QStringLiteral("leads")).toArray())
            l << g.toString();
        return l;
    }

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to create a network namespace");
        QString out;
        if (!run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("add"), ns_}, &out))
            QSKIP(qPrintable(QStringLiteral("cannot create a network namespace: ") + out));
        const QList<QStringList> setup = {
            {"link", "set", "lo", "up"},
            {"link", "add", "d0", "type", "veth", "peer", "name", "p0"},
            {"link", "add", "d1", "type", "veth", "peer", "name", "p1"},
            {"addr", "add", "10.77.0.1/24", "dev", "d0"},
            {"addr", "add", "10.78.0.1/24", "dev", "d1"},
            {"link", "set", "d0", "up"},
            {"link", "set", "p0", "up"},
            {"link", "set", "d1", "up"},
            {"link", "set", "p1", "up"}};
        for (const auto &cmd : setup)
            QVERIFY2(run(QStringList{QStringLiteral("ip"), QStringLiteral("-n"), ns_} + cmd, &out),
                     qPrintable(cmd.join(QLatin1Char(' ')) + QStringLiteral(": ") + out));
        agent_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        agent_.start(
            QStringLiteral("ip"),
            {QStringLiteral("netns"), QStringLiteral("exec"), ns_, QStringLiteral(DMR_AGENT_PATH),
             QStringLiteral("--node.id"), QStringLiteral("n1"), QStringLiteral("--cluster.key"),
             QStringLiteral("os-test-cluster-key-0123"), QStringLiteral("--membership.listen"),
             QStringLiteral("127.0.0.1:7400"), QStringLiteral("--control.listen"),
             QStringLiteral("127.0.0.1:7500"), QStringLiteral("--metrics.listen"), QString()});
        QVERIFY(agent_.waitForStarted());
    }

    void cleanupTestCase()
    {
        if (agent_.state() != QProcess::NotRunning) {
            agent_.kill();
            agent_.waitForFinished(5000);
        }
        run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), ns_});
    }

    void readsTheOsInterfaces()
    {
        QVERIFY(waitFor([&] {
            return leads() ==
                   QStringList{QStringLiteral("10.77.0.0/24"), QStringLiteral("10.78.0.0/24")};
        }));
        const auto ifaces = status().value(QStringLiteral("interfaces")).toArray();
        QCOMPARE(ifaces.size(), 2); // lo and the link-local addresses are skipped
    }

    void linkDownIsAnAdapterFailure()
    {
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("-n"), ns_, QStringLiteral("link"),
                     QStringLiteral("set"), QStringLiteral("d1"), QStringLiteral("down")}));
        QVERIFY(waitFor([&] { return leads() == QStringList{QStringLiteral("10.77.0.0/24")}; }));
        QCOMPARE(status().value(QStringLiteral("down_adapters")).toArray().first().toString(),
                 QStringLiteral("d1"));
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("-n"), ns_, QStringLiteral("link"),
                     QStringLiteral("set"), QStringLiteral("d1"), QStringLiteral("up")}));
        QVERIFY(waitFor([&] { return leads().size() == 2; }));
        QVERIFY(status().value(QStringLiteral("down_adapters")).toArray().isEmpty());
    }

    void addressRemovedIsAnAdapterFailure()
    {
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("-n"), ns_, QStringLiteral("addr"),
                     QStringLiteral("del"), QStringLiteral("10.77.0.1/24"), QStringLiteral("dev"),
                     QStringLiteral("d0")}));
        QVERIFY(waitFor([&] { return leads() == QStringList{QStringLiteral("10.78.0.0/24")}; }));
    }

    void waitsForAUsableInterface()
    {
        const QString pid = QString::number(QCoreApplication::applicationPid());
        const QString nsA = QStringLiteral("dmr-osa-") + pid;
        const QString nsB = QStringLiteral("dmr-osb-") + pid;
        QProcess agentA;
        QProcess agentB;
        // Whatever happens below, the agents go and the namespaces with them.
        const auto cleanup = qScopeGuard([&] {
            for (QProcess *p : {&agentA, &agentB}) {
                if (p->state() != QProcess::NotRunning) {
                    p->kill();
                    p->waitForFinished(5000);
                }
            }
            run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), nsA});
            run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), nsB});
        });
        QString out;
        const QList<QStringList> setup = {
            {"netns", "add", nsA},
            {"netns", "add", nsB},
            {"-n", nsA, "link", "set", "lo", "up"},
            {"-n", nsB, "link", "set", "lo", "up"},
            {"-n", nsA, "link", "add", "wa", "type", "veth", "peer", "name", "wb", "netns", nsB},
            {"-n", nsA, "addr", "add", "10.79.0.1/24", "dev", "wa"},
            {"-n", nsA, "link", "set", "wa", "up"}};
        for (const auto &cmd : setup)
            QVERIFY2(run(QStringList{QStringLiteral("ip")} + cmd, &out),
                     qPrintable(cmd.join(QLatin1Char(' ')) + QStringLiteral(": ") + out));
        auto start = [](QProcess &p, const QString &ns, const QString &id, const QString &address) {
            p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            p.start(QStringLiteral("ip"),
                    {QStringLiteral("netns"), QStringLiteral("exec"), ns,
                     QStringLiteral(DMR_AGENT_PATH), QStringLiteral("--node.id"), id,
                     QStringLiteral("--cluster.key"), QStringLiteral("os-test-cluster-key-0123"),
                     QStringLiteral("--cluster.peers"), QStringLiteral("10.79.0.1:7400"),
                     QStringLiteral("--membership.listen"), address + QStringLiteral(":7400"),
                     QStringLiteral("--control.listen"), QStringLiteral("127.0.0.1:7500"),
                     QStringLiteral("--metrics.listen"), QString()});
            return p.waitForStarted();
        };
        // Node b's only interface besides lo is down and has no address: it waits, and says so.
        QVERIFY(start(agentB, nsB, QStringLiteral("b"), QStringLiteral("10.79.0.2")));
        QJsonObject b;
        // What is wrong with b's state, or empty while it waits as it should.
        auto notWaiting = [&]() -> QString {
            // (waitForFinished lets QProcess notice an exit; the test has no event loop.)
            if (agentB.waitForFinished(1) || agentB.state() != QProcess::Running)
                return QStringLiteral("node b exited instead of waiting");
            const QString doc = QString::fromUtf8(QJsonDocument(b).toJson());
            if (b.value(QStringLiteral("role")) != QStringLiteral("waiting-for-interface") ||
                b.value(QStringLiteral("membership")) != QStringLiteral("waiting-for-interface") ||
                !b.value(QStringLiteral("waiting_for"))
                     .toString()
                     .contains(QStringLiteral("usable interface")) ||
                !b.value(QStringLiteral("interfaces")).toArray().isEmpty())
                return QStringLiteral("node b does not say it waits: ") + doc;
            return {};
        };
        QVERIFY2(waitFor([&] {
                     b = ask(nsB, QStringLiteral("status"));
                     return !b.isEmpty() || agentB.waitForFinished(1);
                 }),
                 "node b's control port never answered");
        QString why = notWaiting();
        QVERIFY2(why.isEmpty(), qPrintable(why));

        // wb comes up without an address (only an IPv6 link-local one, which names no network):
        // a has a carrier now and forms its cluster; b still waits.
        QVERIFY2(run({QStringLiteral("ip"), QStringLiteral("-n"), nsB, QStringLiteral("link"),
                      QStringLiteral("set"), QStringLiteral("wb"), QStringLiteral("up")},
                     &out),
                 qPrintable(out));
        QVERIFY(start(agentA, nsA, QStringLiteral("a"), QStringLiteral("10.79.0.1")));
        QVERIFY(waitFor([&] {
            return ask(nsA, QStringLiteral("status")).value(QStringLiteral("membership")) ==
                   QStringLiteral("coordinator");
        }));
        b = ask(nsB, QStringLiteral("status"));
        why = notWaiting();
        QVERIFY2(why.isEmpty(), qPrintable(why));

        // wb gets its address: b joins a's cluster, at the end.
        QElapsedTimer sinceUp;
        sinceUp.start();
        QVERIFY2(run({QStringLiteral("ip"), QStringLiteral("-n"), nsB, QStringLiteral("addr"),
                      QStringLiteral("add"), QStringLiteral("10.79.0.2/24"), QStringLiteral("dev"),
                      QStringLiteral("wb")},
                     &out),
                 qPrintable(out));
        QJsonObject cluster;
        QVERIFY2(
            waitFor(
                [&] {
                    cluster = ask(nsA, QStringLiteral("cluster"));
                    QStringList agents;
                    for (const auto &n : cluster.value(QStringLiteral("agents")).toArray())
                        agents << n.toObject().value(QStringLiteral("id")).toString();
                    return agents == QStringList{QStringLiteral("a"), QStringLiteral("b")} &&
                           ask(nsB, QStringLiteral("status")).value(QStringLiteral("membership")) ==
                               QStringLiteral("member");
                },
                60000),
            qPrintable(QJsonDocument(cluster).toJson()));
        qInfo("node b joined %lld ms after its address was added", sinceUp.elapsed());
        b = ask(nsB, QStringLiteral("status"));
        QCOMPARE(b.value(QStringLiteral("role")).toString(), QStringLiteral("member"));
        QVERIFY(b.value(QStringLiteral("waiting_for")).isNull());
        QCOMPARE(b.value(QStringLiteral("leads")).toArray().size(), 0); // a leads 10.79.0.0/24
    }
};

QTEST_GUILESS_MAIN(TestAgentOs)
#include "tst_agent_os.moc"
