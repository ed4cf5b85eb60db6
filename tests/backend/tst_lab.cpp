// dmr-lab as a user runs it (no root): its options refuse what does not go together, and a lab
// on its own etcd comes up (etcd asked with the agents' Beast client until it serves, the agents
// started in join order by the supervisor), prints the status table and stops everything.
//
//   dmr-lab resources/topologies/fig5.json --membership etcd --once
//     etcd on BASE+3000; agents 2 6 4 1 3 5 on BASE+i (membership) and BASE+1000+i (control)

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <cstdint>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

struct Run
{
    int exitCode = -1;
    QString output;
};

// Whether 127.0.0.1:port can be bound now, for TCP and for UDP.
bool portFree(int port)
{
    for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
        const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return false;
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const bool ok = ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
        ::close(fd);
        if (!ok)
            return false;
    }
    return true;
}

// A base port for a lab of `nodes` whose every port is free now: BASE+i, BASE+1000+i,
// BASE+2000+i, BASE+3000 and BASE+3001, all below the ephemeral range. 0 when none is.
int freeBase(int nodes)
{
    for (int base = 22600; base < 22990; base += 10) {
        bool free = portFree(base + 3000) && portFree(base + 3001);
        for (int i = 0; free && i < nodes; ++i)
            free = portFree(base + i) && portFree(base + 1000 + i) && portFree(base + 2000 + i);
        if (free)
            return base;
    }
    return 0;
}

Run runLab(const QStringList &args, int timeoutMs)
{
    QProcess lab;
    lab.setProcessChannelMode(QProcess::MergedChannels);
    lab.start(s(DMR_LAB_PATH), args);
    Run r;
    if (!lab.waitForFinished(timeoutMs)) {
        lab.kill();
        lab.waitForFinished(5000);
        r.output = QString::fromUtf8(lab.readAll()) + s("\n(timed out)");
        return r;
    }
    r.exitCode = lab.exitStatus() == QProcess::NormalExit ? lab.exitCode() : -1;
    r.output = QString::fromUtf8(lab.readAll());
    return r;
}

} // namespace

class TestLab : public QObject
{
    Q_OBJECT

    const QString fig5_ = s(DMR_RESOURCES "/topologies/fig5.json");

private slots:
    void optionsThatDoNotGoTogether_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no topology") << QStringList{} << s("a topology file is required");
        QTest::newRow("cleanup without netns")
            << QStringList{s("--cleanup")} << s("--cleanup goes with --netns");
        QTest::newRow("loopback relay in namespaces")
            << QStringList{fig5_, s("--netns"), s("--relay"), s("loopback")}
            << s("--relay loopback does not work with --netns");
    }

    void optionsThatDoNotGoTogether()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = runLab(args, 10000);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.output.contains(message), qPrintable(r.output));
    }

    void fig5OnItsOwnEtcd()
    {
        if (QStandardPaths::findExecutable(s("etcd")).isEmpty() &&
            !QFile::exists(s("/usr/bin/etcd")))
            QSKIP("no etcd binary (./dmr installs etcd-server)");
        const int base = freeBase(6);
        QVERIFY2(base != 0, "no free range of ports for the lab");
        const Run r = runLab({fig5_, s("--base-port"), QString::number(base), s("--membership"),
                              s("etcd"), s("--once")},
                             120000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.output));
        QVERIFY2(r.output.contains(QStringLiteral("up on http://127.0.0.1:%1").arg(base + 3000)),
                 qPrintable(r.output));
        QVERIFY2(r.output.contains(s("all 6 agents joined")), qPrintable(r.output));
        // The relay carries both families by default (loopback mode's ranges).
        QVERIFY2(r.output.contains(s("dmr-lab: relay in loopback mode, channels "
                                     "239.1.0.0/16:5000-5100, ff15::1:0/112:5000-5100")),
                 qPrintable(r.output));
        // The table, printed once when the last agent joined (the others may still be
        // installing that view): the system leader, and the leaders of B and C in the file's
        // join order.
        QVERIFY2(r.output.contains(s("6/6 agents answering, system leader 2")),
                 qPrintable(r.output));
        for (const char *row : {"\n2 +system-leader +[0-9.]+ +10\\.0\\.1\\.0/24 ",
                                "\n6 +group-leader +[0-9.]+ +10\\.0\\.2\\.0/24 ",
                                "\n4 +group-leader +[0-9.]+ +10\\.0\\.3\\.0/24 "})
            QVERIFY2(r.output.contains(QRegularExpression(s(row))), qPrintable(r.output));
        QVERIFY2(r.output.contains(s("dmr-lab: etcd stopped")), qPrintable(r.output));
        QVERIFY2(r.output.contains(s("no agent left running")), qPrintable(r.output));
    }
};

QTEST_GUILESS_MAIN(TestLab)
#include "tst_lab.moc"
