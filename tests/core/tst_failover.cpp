// The failover record's phases (shared/include/dmr/failover.h): which time is the failure for
// each cause, and that stamps from different agents' clocks never make a phase negative.

#include "dmr/failover.h"

#include <QtTest>

using namespace dmr;

namespace {

using Ms = std::int64_t;
using OptMs = std::optional<std::int64_t>;

} // namespace

Q_DECLARE_METATYPE(OptMs)

class TestFailover : public QObject
{
    Q_OBJECT

private slots:
    void phases_data()
    {
        QTest::addColumn<QString>("cause");
        QTest::addColumn<Ms>("silent");
        QTest::addColumn<Ms>("decided");
        QTest::addColumn<Ms>("changed");
        QTest::addColumn<Ms>("elected");
        QTest::addColumn<OptMs>("tunnelsUp");
        // Expected: failed, detection, election, tunnels, total, skew.
        QTest::addColumn<Ms>("failed");
        QTest::addColumn<Ms>("detection");
        QTest::addColumn<Ms>("election");
        QTest::addColumn<OptMs>("tunnels");
        QTest::addColumn<OptMs>("total");
        QTest::addColumn<Ms>("skew");

        // A kill: the connection closed at 1000; the last heartbeat (20 ms before) is no part of
        // the outage (the "Silent 20 ms, Total 1 ms").
        QTest::newRow("kill: connection lost")
            << "connection-lost" << Ms(20) << Ms(1000) << Ms(0) << Ms(1001) << OptMs(1003)
            << Ms(1000) << Ms(0) << Ms(1) << OptMs(2) << OptMs(3) << Ms(0);
        // Silent: it failed after it was last heard, 300 ms before the decision.
        QTest::newRow("silent") << "silent" << Ms(300) << Ms(1000) << Ms(0) << Ms(1002)
                                << OptMs(1010) << Ms(700) << Ms(300) << Ms(2) << OptMs(8)
                                << OptMs(310) << Ms(0);
        QTest::newRow("etcd lease expired")
            << "lease-expired" << Ms(2000) << Ms(5000) << Ms(0) << Ms(5001) << OptMs(5004)
            << Ms(3000) << Ms(2000) << Ms(1) << OptMs(3) << OptMs(2004) << Ms(0);
        QTest::newRow("left (SIGTERM)")
            << "left" << Ms(0) << Ms(1000) << Ms(0) << Ms(1000) << OptMs(1001) << Ms(1000) << Ms(0)
            << Ms(0) << OptMs(1) << OptMs(1) << Ms(0);
        // A drain: the node drained at 990 on its clock; the new plan at 995.
        QTest::newRow("drain") << "drain" << Ms(0) << Ms(0) << Ms(990) << Ms(995) << OptMs(998)
                               << Ms(990) << Ms(0) << Ms(5) << OptMs(3) << OptMs(8) << Ms(0);
        QTest::newRow("adapter") << "adapter" << Ms(0) << Ms(0) << Ms(990) << Ms(992) << OptMs(999)
                                 << Ms(990) << Ms(0) << Ms(2) << OptMs(7) << OptMs(9) << Ms(0);
        QTest::newRow("drain by an agent that does not say when")
            << "drain" << Ms(0) << Ms(0) << Ms(0) << Ms(995) << OptMs(998) << Ms(995) << Ms(0)
            << Ms(0) << OptMs(3) << OptMs(3) << Ms(0);
        QTest::newRow("moved") << "moved" << Ms(0) << Ms(0) << Ms(0) << Ms(500) << OptMs(504)
                               << Ms(500) << Ms(0) << Ms(0) << OptMs(4) << OptMs(4) << Ms(0);
        QTest::newRow("tunnels not up yet")
            << "connection-lost" << Ms(40) << Ms(1000) << Ms(0) << Ms(1001) << OptMs() << Ms(1000)
            << Ms(0) << Ms(1) << OptMs() << OptMs() << Ms(0);
        // The "Tunnels -2 ms": a routing point's stamp 2 ms before the plan's (another
        // clock). The phase is 0 and the record says by how much the stamp was moved.
        QTest::newRow("a routing point's clock behind")
            << "adapter" << Ms(0) << Ms(0) << Ms(990) << Ms(1000) << OptMs(998) << Ms(990) << Ms(0)
            << Ms(10) << OptMs(0) << OptMs(10) << Ms(2);
        // The deciding agent's clock ahead of the one that computed the plan first.
        QTest::newRow("the deciding agent's clock ahead")
            << "connection-lost" << Ms(5) << Ms(1005) << Ms(0) << Ms(1000) << OptMs(1003)
            << Ms(1005) << Ms(0) << Ms(0) << OptMs(0) << OptMs(0) << Ms(7);
        // The draining node's clock ahead of everyone's.
        QTest::newRow("the drained node's clock ahead")
            << "drain" << Ms(0) << Ms(0) << Ms(1010) << Ms(1000) << OptMs(1004) << Ms(1010) << Ms(0)
            << Ms(0) << OptMs(0) << OptMs(0) << Ms(16);
    }

    void phases()
    {
        QFETCH(QString, cause);
        QFETCH(Ms, silent);
        QFETCH(Ms, decided);
        QFETCH(Ms, changed);
        QFETCH(Ms, elected);
        QFETCH(OptMs, tunnelsUp);
        QFETCH(Ms, failed);
        QFETCH(Ms, detection);
        QFETCH(Ms, election);
        QFETCH(OptMs, tunnels);
        QFETCH(OptMs, total);
        QFETCH(Ms, skew);

        const FailoverPhases p = failoverPhases({parseFailoverCause(cause.toStdString()), silent,
                                                 decided, changed, elected, tunnelsUp});
        QCOMPARE(p.failedAtMs, failed);
        QCOMPARE(p.detectionMs, detection);
        QCOMPARE(p.electionMs, election);
        QCOMPARE(p.tunnelsMs, tunnels);
        QCOMPARE(p.totalMs, total);
        QCOMPARE(p.skewMs, skew);
        const std::string why = checkFailoverPhases(p);
        QVERIFY2(why.empty(), why.c_str());
        if (p.totalMs) {
            QVERIFY(*p.totalMs >= p.detectionMs);
            QVERIFY(*p.totalMs >= p.electionMs);
            QVERIFY(*p.totalMs >= *p.tunnelsMs);
        }
    }

    // The check catches what the agent used to report.
    void checkRefusesInconsistentRecords()
    {
        FailoverPhases p;
        p.failedAtMs = 1000;
        p.detectedAtMs = 1000;
        p.electedAtMs = 1002;
        p.electionMs = 2;
        p.tunnelsUpAtMs = 1000;
        p.tunnelsMs = -2; // the adapter drill
        p.totalMs = 0;
        QVERIFY(checkFailoverPhases(p).find("negative") != std::string::npos);
        p.tunnelsUpAtMs = 1003;
        p.tunnelsMs = 1;
        p.totalMs = 1; // less than election + tunnels
        QVERIFY(checkFailoverPhases(p).find("total") != std::string::npos);
        p.totalMs = 3;
        QCOMPARE(checkFailoverPhases(p), std::string());
        p.totalMs.reset();
        QVERIFY(!checkFailoverPhases(p).empty());
    }
};

QTEST_GUILESS_MAIN(TestFailover)
#include "tst_failover.moc"
