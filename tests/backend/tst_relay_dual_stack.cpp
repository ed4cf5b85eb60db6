// The relay in both families on real dmr-agent processes, in loopback mode (no root):
// Fig. 5 (fig5-dual.json) with every link dual-stack, an IPv4 network and an IPv6 one on each
// (A 10.0.1.0/24 and fd00:1::/64, B, C likewise). An IPv4 stream (239.1.2.3) and an IPv6 stream
// (ff15::1:2) are sent at the same time on A and A6: each reaches the other networks of its own
// family exactly once and none of the other family's. Then the system leader is killed mid-stream
// (steady state is exactly once again) and a group leader of both B and B6 is drained mid-stream
// (nothing lost, nothing twice, in either family).
//
// Every wait is a condition with a generous deadline.

#include "agent_cluster.h"
#include "segment_streams.h"
#include "test_names.h"

#include <QJsonArray>
#include <QtTest>

namespace {

constexpr int kDeadlineMs = 30000;
const dmr::GroupName kA = "10.0.1.0/24";
const dmr::GroupName kB = "10.0.2.0/24";
const dmr::GroupName kC = "10.0.3.0/24";
const dmr::GroupName kA6 = "fd00:1::/64";
const dmr::GroupName kB6 = "fd00:2::/64";
const dmr::GroupName kC6 = "fd00:3::/64";

using dmr::test::s;

const std::string kCluster = dmr::test::clusterName("dual-test");

} // namespace

class TestRelayDualStack : public QObject
{
    Q_OBJECT

    std::unique_ptr<AgentCluster> cluster_;
    // Every network's receiver listens to both channels; each stream is counted by its tag.
    SegmentStreams v4_{
        kCluster, {kA, kB, kC, kA6, kB6, kC6}, *dmr::relay::Channel::parse("239.1.2.3:5001")};
    SegmentStreams v6_{
        kCluster, {kA, kB, kC, kA6, kB6, kC6}, *dmr::relay::Channel::parse("[ff15::1:2]:5001")};

    // Sends `count` of each family's stream, interleaved, from A and A6 (or B and B6); `each`
    // runs after each pair.
    void sendBoth(const dmr::GroupName &v4From, const dmr::GroupName &v6From,
                  const std::string &tag, int count, const std::function<void(int)> &each = {})
    {
        for (int i = 1; i <= count; i += 10) {
            const int n = std::min(10, count - i + 1);
            QVERIFY(v4_.send(v4From, tag + "-4", i, n));
            QVERIFY(v6_.send(v6From, tag + "-6", i, n));
            if (each)
                for (int k = i; k < i + n; ++k)
                    each(k);
        }
    }

    // Each family's stream exactly once on the networks of its family but its origin (and on
    // the origin, the sender's own copy only), never on the other family's.
    void checkOnce(const std::string &tag, int count, const std::vector<dmr::GroupName> &v4On,
                   const std::vector<dmr::GroupName> &v6On)
    {
        const auto got4 = v4_.collect(tag + "-4", count, v4On, kDeadlineMs);
        const auto got6 = v6_.collect(tag + "-6", count, v6On, kDeadlineMs);
        for (const auto &n : v4On) {
            const QStringList wrong = SegmentStreams::notOnce(got4.at(n), tag + "-4", count);
            QVERIFY2(wrong.isEmpty(), qPrintable(QString::fromStdString(n) +
                                                 s(": IPv4 not once: ") + wrong.join(s(", "))));
        }
        for (const auto &n : v6On) {
            const QStringList wrong = SegmentStreams::notOnce(got6.at(n), tag + "-6", count);
            QVERIFY2(wrong.isEmpty(), qPrintable(QString::fromStdString(n) +
                                                 s(": IPv6 not once: ") + wrong.join(s(", "))));
        }
        // Nothing crosses families: no IPv6 datagram on an IPv4 network, and back.
        for (const auto &n : {kA, kB, kC})
            QCOMPARE(got6.at(n).total(tag + "-6"), 0);
        for (const auto &n : {kA6, kB6, kC6})
            QCOMPARE(got4.at(n).total(tag + "-4"), 0);
    }

private slots:
    void initTestCase()
    {
        cluster_ = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        // Joined in Fig. 5's order: 2 6 4 1 3 5.
        cluster_->addNode(s("2"), {s("eth0=10.0.1.2/24"), s("eth2=fd00:1::2/64")});
        cluster_->addNode(s("6"), {s("eth0=10.0.2.6/24"), s("eth2=fd00:2::6/64")});
        cluster_->addNode(s("4"), {s("eth0=10.0.2.4/24"), s("eth1=10.0.3.4/24"),
                                   s("eth2=fd00:2::4/64"), s("eth3=fd00:3::4/64")});
        cluster_->addNode(s("1"), {s("eth0=10.0.1.1/24"), s("eth1=10.0.3.1/24"),
                                   s("eth2=fd00:1::1/64"), s("eth3=fd00:3::1/64")});
        cluster_->addNode(s("3"), {s("eth0=10.0.1.3/24"), s("eth2=fd00:1::3/64")});
        cluster_->addNode(s("5"), {s("eth0=10.0.2.5/24"), s("eth2=fd00:2::5/64")});
        for (const auto &id : cluster_->ids())
            cluster_->appendArgs(
                id, cluster_->loopbackRelayArgs(id, kCluster) +
                        QStringList{s("--relay.channels"),
                                    s("239.1.0.0/16:5000-5100,ff15::1:0/112:5000-5100"),
                                    s("--relay.keepalive_ms"), s("100"),
                                    s("--relay.probe_interval_ms"), s("250")});
        std::string error;
        QVERIFY2(v4_.open(&error), error.c_str());
        QVERIFY2(v6_.open(&error), error.c_str());
        QVERIFY(cluster_->startAll());
        // The star: 2 leads A and A6 and roots the tunnels to 6 (B, B6) and 4 (C, C6).
        QVERIFY2(
            AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("2"), 2); }, kDeadlineMs),
            qPrintable(QJsonDocument(cluster_->relayOf(s("2"))).toJson()));
        QVERIFY(AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("6"), 1); },
                                      kDeadlineMs));
        QVERIFY(AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("4"), 1); },
                                      kDeadlineMs));
        const auto leads = AgentCluster::leadsOf(cluster_->state(s("6")));
        QCOMPARE(leads, (QStringList{QString::fromStdString(kB), QString::fromStdString(kB6)}));
    }

    void bothFamiliesExactlyOnce()
    {
        v4_.receiveAll(100);
        v6_.receiveAll(100);
        sendBoth(kA, kA6, "once", 300);
        checkOnce("once", 300, {kA, kB, kC}, {kA6, kB6, kC6});
        // The probes of IPv6 networks went on the IPv6 probe channel.
        const auto relay = cluster_->relayOf(s("2"));
        QCOMPARE(relay[s("probe")].toObject()[s("channel_v6")].toString(), s("[ff15::4d01]:7699"));
    }

    void killTheSystemLeaderMidStream()
    {
        v4_.receiveAll(100);
        v6_.receiveAll(100);
        sendBoth(kB, kB6, "kill", 600, [&](int i) {
            if (i == 200)
                cluster_->kill9(s("2"));
        });
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return cluster_->state(s("6"))[s("system_leader")].toString() == s("6") &&
                       cluster_->relayTunnelsUp(s("6"), 2) && cluster_->relayTunnelsUp(s("1"), 1);
            },
            kDeadlineMs));
        v4_.receiveAll(500);
        v6_.receiveAll(500);
        sendBoth(kB, kB6, "after", 300);
        checkOnce("after", 300, {kA, kB, kC}, {kA6, kB6, kC6});
    }

    void drainALeaderOfBothFamiliesMidStream()
    {
        // After the kill: 6 is the system leader, 1 leads A and A6. Drained a third of the way
        // through a stream from B and B6, A and A6 move to 3: every datagram once on A, C, A6,
        // C6.
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         return AgentCluster::leadsOf(cluster_->state(s("1")))
                                    .contains(QString::fromStdString(kA6)) &&
                                cluster_->relayTunnelsUp(s("1"), 1);
                     },
                     kDeadlineMs),
                 "1 did not come to lead A6");
        v4_.receiveAll(100);
        v6_.receiveAll(100);
        QString drillError;
        sendBoth(kB, kB6, "drain", 600, [&](int i) {
            if (i != 200)
                return;
            const auto r = cluster_->ask(s("5"), {{s("type"), s("drill")},
                                                  {s("action"), s("drain")},
                                                  {s("node"), s("1")},
                                                  {s("reason"), s("tst_relay_dual_stack")}});
            if (!r[s("ok")].toBool())
                drillError = QString::fromUtf8(QJsonDocument(r).toJson());
        });
        QVERIFY2(drillError.isEmpty(), qPrintable(drillError));
        checkOnce("drain", 600, {kA, kC}, {kA6, kC6});
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return AgentCluster::leadsOf(cluster_->state(s("3"))) ==
                       QStringList{QString::fromStdString(kA), QString::fromStdString(kA6)};
            },
            kDeadlineMs));
    }

    void cleanupTestCase() { cluster_.reset(); }
};

QTEST_GUILESS_MAIN(TestRelayDualStack)
#include "tst_relay_dual_stack.moc"
