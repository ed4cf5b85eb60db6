// dmr-agent reading its interfaces from the OS, in a network namespace of its own with two
// veth links (root only; skipped otherwise):
//
//     namespace dmr-os-PID:  d0 10.77.0.1/24 (peer p0)   d1 10.78.0.1/24 (peer p1)
//
// It leads both networks; `ip link set d1 down` is an adapter failure (it leaves that group at
// once, through the rtnetlink watch), and `up` is the recovery.

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
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

bool waitFor(const std::function<bool()> &condition)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < kDeadlineMs) {
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

    QJsonObject status()
    {
        QString out;
        if (!run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), ns_,
                  QStringLiteral(DMRCTL_PATH), QStringLiteral("--connect"),
                  QStringLiteral("127.0.0.1:7500"), QStringLiteral("--json"),
                  QStringLiteral("status")},
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
};

QTEST_GUILESS_MAIN(TestAgentOs)
#include "tst_agent_os.moc"
