// Pruning end to end in network namespaces: Fig. 5 (fig5.json) built for real (a namespace per
// node, a bridge per network, a router between A and B that forwards unicast only), a dmr-agent
// per node with the relay in os mode, hearing IGMP on its networks (backend/agent/listen_io.h).
//
//   A 10.0.1.0/24: 1 [2] 3      B 10.0.2.0/24: [4] 5 [6]      C 10.0.3.0/24: 1 [4]
//   tunnels: 2 === 6 carries B, 2 === 4 carries C; the sender is on node 3 (A)
//
// A sender on node 3 streams to a group nobody listens to: neither of the system leader's
// tunnels carries it (their packet counters stay at the probes' rate), and the system leader
// does not even join it on A (os mode joins only what some other network wants). `dmr-mcast recv`
// on node 5 (B) joins: the stream reaches it through 2 === 6 only; a receiver on node 1's C
// interface joins: now through 2 === 4 too; node 5's receiver leaves (IGMPv3: the host's last leave
// is a fast leave): 2 === 6 falls quiet again while node 1 keeps receiving; a receiver on node 6
// itself (B's routing point, whose own reports its reader never hears: the kernel's membership
// table tells it) pulls the stream back until it stops. How long a graft and a prune took is
// printed (qInfo), not asserted.
//
// Needs root and iproute2; skipped with the reason otherwise.

#include "netns_cluster.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QtTest>

#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 60000;
constexpr double kRate = 200; // datagrams per second
const QString kGroup = QStringLiteral("239.1.0.9");
constexpr int kPort = 5009;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

double nowMs()
{
    return static_cast<double>(QDateTime::currentMSecsSinceEpoch());
}

// Node 2's tunnel to the peer: its data packets out and the datagrams pruned from it.
struct TunnelCount
{
    double packetsOut = -1;
    double pruned = -1;
};
TunnelCount tunnel(AgentCluster &c, const QString &peer)
{
    const QJsonObject relay = c.state(s("2"))[s("relay")].toObject();
    for (const auto &t : relay[s("tunnels")].toArray()) {
        const QJsonObject o = t.toObject();
        if (o[s("peer")].toString() == peer)
            return {o[s("packets_out")].toDouble(), o[s("pruned_packets")].toDouble(-1)};
    }
    return {};
}

// Datagrams into the tunnel to `peer` over `ms`, sampled on node 2.
double rateInto(AgentCluster &c, const QString &peer, int ms)
{
    const double before = tunnel(c, peer).packetsOut;
    QTest::qWait(ms);
    return tunnel(c, peer).packetsOut - before;
}

} // namespace

class TestNetnsListen : public QObject
{
    Q_OBJECT

    struct Receiver
    {
        std::unique_ptr<QProcess> process;
        long lines = 0;
    };

    // A `dmr-mcast recv` of its own (NetnsCluster stops all of its receivers at once; this test
    // stops one at a time).
    std::unique_ptr<QProcess> receive(NetnsCluster &lab, const QString &id, const QString &iface)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::SeparateChannels);
        p->start(s("ip"),
                 {s("netns"), s("exec"), lab.netnsOf(id), s(DMR_MCAST_PATH), s("recv"),
                  s("--group"), kGroup, s("--port"), QString::number(kPort), s("--iface"), iface});
        p->waitForStarted(10000);
        return p;
    }
    // Waits until the receiver logs a datagram (one JSON line per datagram).
    static bool heard(QProcess &p, int timeoutMs)
    {
        return AgentCluster::waitFor(
            [&] {
                p.waitForReadyRead(50);
                while (p.canReadLine())
                    if (p.readLine().contains("\"seq\""))
                        return true;
                return false;
            },
            timeoutMs);
    }
    static void stop(QProcess &p)
    {
        p.terminate();
        if (!p.waitForFinished(10000))
            p.kill();
    }

private slots:
    void initTestCase()
    {
        const QString why = NetnsCluster::whyUnavailable();
        if (!why.isEmpty())
            QSKIP(qPrintable(why));
    }

    void joinPullsLeavePrunes()
    {
        QString noRelay;
        // (A query response time of 1 s: a table is complete, and the relays prune, 1 s after
        // the routing points' first queries rather than 10.)
        const QStringList relay = NetnsCluster::relayArgs(s(DMR_AGENT_PATH), &noRelay) +
                                  QStringList{s("--relay.query_response_ms"), s("1000")};
        QVERIFY2(noRelay.isEmpty(), qPrintable(noRelay));
        NetnsCluster lab(s("lis%1").arg(::getpid() % 100000),
                         s(DMR_RESOURCES) + s("/topologies/fig5.json"), s(DMR_AGENT_PATH),
                         s(DMR_MCAST_PATH), 47400, relay);
        const QString built = lab.build();
        QVERIFY2(built.isEmpty(), qPrintable(built));
        const QString started = lab.startAgents();
        QVERIFY2(started.isEmpty(), qPrintable(started));
        AgentCluster &c = lab.agents();
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         return tunnel(c, s("4")).packetsOut >= 0 &&
                                tunnel(c, s("6")).packetsOut >= 0;
                     },
                     kDeadlineMs),
                 "node 2 has no tunnels to 4 and 6");

        // Until every agent's listener tables are complete it floods (a node that just came
        // onto a network knows nobody yet, which is not the same as nobody listening).
        QString notYet;
        QVERIFY2(
            AgentCluster::waitFor([&] { return c.relayPruning(c.ids(), &notYet); }, kDeadlineMs),
            qPrintable(notYet));

        const QString sent = lab.startSender(s("3"), kGroup, kPort, kRate, 1'000'000);
        QVERIFY2(sent.isEmpty(), qPrintable(sent));

        // Nobody listens: neither tunnel carries the stream (the probes go on: about one a
        // second from each of A's three nodes).
        QTest::qWait(2000);
        const TunnelCount quiet6 = tunnel(c, s("6"));
        double into6 = rateInto(c, s("6"), 3000);
        double into4 = rateInto(c, s("4"), 3000);
        qInfo(
            "nobody listens: into 2===6 %.0f, into 2===4 %.0f datagrams in 3 s (the stream: %.0f)",
            into6, into4, 3 * kRate);
        QVERIFY2(into6 < 0.2 * 3 * kRate, qPrintable(s("2===6 carried %1").arg(into6)));
        QVERIFY2(into4 < 0.2 * 3 * kRate, qPrintable(s("2===4 carried %1").arg(into4)));
        // Nor does node 2 join it on A: in os mode a routing point joins only what some other
        // network wants (its probe group alone here), so the stream never reaches its relay.
        const QJsonObject onA = [&] {
            for (const auto &seg : c.state(s("2"))[s("relay")].toObject()[s("segments")].toArray())
                if (seg.toObject()[s("network")].toString() == s("10.0.1.0/24"))
                    return seg.toObject();
            return QJsonObject();
        }();
        QVERIFY2(onA[s("takes_in")].toInt(-1) == 0 && onA[s("joined")].toInt(-1) == 1,
                 qPrintable(QJsonDocument(onA).toJson(QJsonDocument::Compact)));
        QCOMPARE(tunnel(c, s("6")).pruned, quiet6.pruned);

        // A receiver on node 5 (network B) joins: the stream comes through 2 === 6.
        double joinedMs = nowMs();
        auto on5 = receive(lab, s("5"), s("eth0"));
        QVERIFY2(heard(*on5, kDeadlineMs), "node 5's receiver got nothing");
        qInfo("graft: node 5's first datagram %.0f ms after its receiver started",
              nowMs() - joinedMs);
        into6 = rateInto(c, s("6"), 3000);
        into4 = rateInto(c, s("4"), 3000);
        qInfo("B listens: into 2===6 %.0f, into 2===4 %.0f datagrams in 3 s", into6, into4);
        QVERIFY2(into6 > 0.8 * 3 * kRate, qPrintable(s("2===6 carried only %1").arg(into6)));
        QVERIFY2(into4 < 0.2 * 3 * kRate, qPrintable(s("2===4 carried %1").arg(into4)));

        // A receiver on node 1's C interface joins too: 2 === 4 carries it now.
        joinedMs = nowMs();
        auto on1 = receive(lab, s("1"), s("eth1"));
        QVERIFY2(heard(*on1, kDeadlineMs), "node 1's receiver on C got nothing");
        qInfo("graft: node 1's first datagram on C %.0f ms after its receiver started",
              nowMs() - joinedMs);
        into4 = rateInto(c, s("4"), 3000);
        QVERIFY2(into4 > 0.8 * 3 * kRate, qPrintable(s("2===4 carried only %1").arg(into4)));

        // Node 5's receiver leaves: 2 === 6 falls quiet, node 1 keeps receiving.
        const double leftMs = nowMs();
        stop(*on5);
        double quietAfterMs = -1;
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         if (rateInto(c, s("6"), 500) < 0.2 * 0.5 * kRate) {
                             quietAfterMs = nowMs() - leftMs;
                             return true;
                         }
                         return false;
                     },
                     kDeadlineMs),
                 "2===6 still carries the stream after node 5 left");
        qInfo("prune: 2===6 quiet within %.0f ms of node 5's leave (sampled every 500 ms)",
              quietAfterMs);
        on1->readAll();
        QVERIFY2(heard(*on1, 5000), "node 1 stopped receiving when node 5 left");
        into4 = rateInto(c, s("4"), 2000);
        QVERIFY2(into4 > 0.8 * 2 * kRate, qPrintable(s("2===4 carried only %1").arg(into4)));

        // A receiver on node 6 itself, B's routing point: its own host's report never reaches
        // its reader, the kernel's membership table does (polled every second).
        joinedMs = nowMs();
        auto on6 = receive(lab, s("6"), s("eth0"));
        QVERIFY2(heard(*on6, kDeadlineMs), "node 6's own receiver got nothing");
        qInfo("graft: node 6's own receiver's first datagram %.0f ms after it started",
              nowMs() - joinedMs);
        into6 = rateInto(c, s("6"), 2000);
        QVERIFY2(into6 > 0.8 * 2 * kRate, qPrintable(s("2===6 carried only %1").arg(into6)));
        stop(*on6);
        QVERIFY2(AgentCluster::waitFor([&] { return rateInto(c, s("6"), 500) < 0.2 * 0.5 * kRate; },
                                       kDeadlineMs),
                 "2===6 still carries the stream after node 6's own receiver left");

        stop(*on1);
        lab.stopSender();
    }
};

QTEST_GUILESS_MAIN(TestNetnsListen)
#include "tst_netns_listen.moc"
