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
        QTest::newRow("no room for the ports")
            << QStringList{fig5_, s("--base-port"), s("60000")} << s("leaves no room for 6 nodes");
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
        const Run r = runLab({fig5_, s("--base-port"), s("22600"), s("--membership"), s("etcd"),
                              s("--once")},
                             120000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.output));
        QVERIFY2(r.output.contains(s("up on http://127.0.0.1:25600")), qPrintable(r.output));
        QVERIFY2(r.output.contains(s("all 6 agents joined")), qPrintable(r.output));
        QVERIFY2(r.output.contains(s("6/6 agents answering, system leader 2, all in one view")),
                 qPrintable(r.output));
        // The table: the system leader with both its tunnels, the group leaders of B and C.
        QVERIFY2(r.output.contains(QRegularExpression(s("\n2 +system-leader +[0-9.]+ +10\\.0\\.1\\.0/24 +2-6 2-4\n"))),
                 qPrintable(r.output));
        QVERIFY2(r.output.contains(QRegularExpression(s("\n6 +group-leader +[0-9.]+ +10\\.0\\.2\\.0/24 +2-6\n"))),
                 qPrintable(r.output));
        QVERIFY2(r.output.contains(s("dmr-lab: etcd stopped")), qPrintable(r.output));
        QVERIFY2(r.output.contains(s("no agent left running")), qPrintable(r.output));
    }
};

QTEST_GUILESS_MAIN(TestLab)
#include "tst_lab.moc"
