// Boundaries and rate limits on real dmr-agent processes, in loopback mode (no root):
//
//      network A 10.0.1.0/24        network B 10.0.2.0/24        network C 10.0.3.0/24
//           [1] SL  ====tunnel====  [2]                 [1] ====tunnel==== [3]
//
// Three agents, one per network; 1 is the system leader and roots the tunnels to 2 and 3. Every
// agent has a channel range limit of 100 datagrams/s (burst 20) and a tunnel limit of 30,000
// payload bytes/s (burst 8,192 B), four channel ranges (X 239.1/16, Y 239.2/16, boundary
// 239.255.1/24, per-network 239.3/16, which B bounds), and relay.threshold 2 (which a loopback
// segment frame cannot be checked against: it carries no TTL).
//  - A channel flooded far beyond its limit delivers at most its burst plus its rate over the
//    time it flowed (with slack), while another channel, under the limit, is delivered whole,
//    exactly once, on every network; the counters add up (ingested + limited = sent).
//  - A tunnel flooded beyond its limit (large datagrams that the channel limit lets through)
//    carries at most its burst plus its rate, and what it kept out is counted per tunnel, in the
//    drops, and in /metrics.
//  - A group inside relay.boundaries never crosses; one a network bounds reaches the others but
//    not that network, and is not taken in there.
//
// Counts, not timing: the bounds use the time measured around the flood, with slack; every wait
// is a condition with a generous deadline.

#include "agent_cluster.h"
#include "segment_streams.h"
#include "test_names.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTcpSocket>
#include <QThread>
#include <QtTest>

#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 30000;
const dmr::GroupName kA = "10.0.1.0/24";
const dmr::GroupName kB = "10.0.2.0/24";
const dmr::GroupName kC = "10.0.3.0/24";

constexpr int kChannelRate = 100; // datagrams/s
constexpr int kChannelBurst = 20;
constexpr int kTunnelBytesRate = 30000;
constexpr int kTunnelBurstBytes = 8192;

using dmr::test::s;

const std::string kCluster = dmr::test::clusterName("relay-limits");

dmr::relay::Channel ch(const char *text)
{
    return *dmr::relay::Channel::parse(text);
}

// The entry of get-state's relay "channels" for a range, by its text.
QJsonObject channelOf(const QJsonObject &relay, const QString &range)
{
    for (const auto &c : relay[s("channels")].toArray())
        if (c.toObject()[s("channel")].toString() == range)
            return c.toObject();
    return {};
}

QJsonObject tunnelTo(const QJsonObject &relay, const QString &peer)
{
    for (const auto &t : relay[s("tunnels")].toArray())
        if (t.toObject()[s("peer")].toString() == peer)
            return t.toObject();
    return {};
}

qint64 dropOf(const QJsonObject &relay, const char *reason)
{
    return relay[s("drops")].toObject()[s(reason)].toInteger(-1);
}

} // namespace

class TestRelayLimits : public QObject
{
    Q_OBJECT

    std::unique_ptr<AgentCluster> cluster_;
    SegmentStreams x_{kCluster, {kA, kB, kC}, ch("239.1.2.3:5001")};
    SegmentStreams y_{kCluster, {kA, kB, kC}, ch("239.2.0.1:5002")};
    SegmentStreams z_{kCluster, {kA, kB, kC}, ch("239.1.9.9:5009")};
    SegmentStreams scoped_{kCluster, {kA, kB, kC}, ch("239.255.1.1:5003")};
    SegmentStreams bounded_{kCluster, {kA, kB, kC}, ch("239.3.0.1:5004")};

    int metricsPort(const QString &id) const { return cluster_->membershipPort(id) + 50; }

    QByteArray metrics(const QString &id) const { return AgentCluster::metricsAt(metricsPort(id)); }

private slots:
    void initTestCase()
    {
        cluster_ = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        cluster_->addNode(s("1"), {s("eth0=10.0.1.1/24")});
        cluster_->addNode(s("2"), {s("eth0=10.0.2.2/24")});
        cluster_->addNode(s("3"), {s("eth0=10.0.3.3/24")});
        for (const auto &id : cluster_->ids())
            cluster_->appendArgs(
                id,
                cluster_->loopbackRelayArgs(id, kCluster) +
                    QStringList{
                        s("--relay.channels"),
                        s("239.1.0.0/16:5000-5100,239.2.0.0/16:5000-5100,239.255.1.0/24:5000-5100,"
                          "239.3.0.0/16:5000-5100"),
                        s("--relay.keepalive_ms"),
                        s("100"),
                        s("--relay.probe_interval_ms"),
                        s("250"),
                        s("--relay.rate_limit_channel_datagrams_per_s"),
                        QString::number(kChannelRate),
                        s("--relay.rate_limit_channel_burst_datagrams"),
                        QString::number(kChannelBurst),
                        s("--relay.rate_limit_tunnel_bytes_per_s"),
                        QString::number(kTunnelBytesRate),
                        s("--relay.rate_limit_tunnel_burst_bytes"),
                        QString::number(kTunnelBurstBytes),
                        s("--relay.network_boundaries"),
                        s("10.0.2.0/24=239.3.0.0/16"),
                        s("--relay.threshold"),
                        s("2"),
                        s("--metrics.listen"),
                        QStringLiteral("127.0.0.1:%1").arg(metricsPort(id))});
        std::string error;
        for (auto *streams : {&x_, &y_, &z_, &scoped_, &bounded_})
            QVERIFY2(streams->open(&error), error.c_str());
        QVERIFY(cluster_->startAll());
        QVERIFY2(
            AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("1"), 2); }, kDeadlineMs),
            qPrintable(QJsonDocument(cluster_->relayOf(s("1"))).toJson()));
        QVERIFY(AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("2"), 1); },
                                      kDeadlineMs));
        QVERIFY(AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("3"), 1); },
                                      kDeadlineMs));
        // The receivers listen to every group (relay.prune): what they said before the agents
        // ran reached nobody, so again, answering the routing points' queries, until every
        // agent knows and every tunnel's peer wants each group.
        const std::vector<SegmentStreams *> all{&x_, &y_, &z_, &scoped_, &bounded_};
        for (auto *streams : all)
            streams->announce();
        for (const char *group :
             {"239.1.2.3", "239.2.0.1", "239.1.9.9", "239.255.1.1", "239.3.0.1"}) {
            QString why;
            QVERIFY2(AgentCluster::waitFor(
                         [&] {
                             for (auto *streams : all)
                                 streams->receiveAll(20);
                             return cluster_->relayListening(cluster_->ids(), s(group), &why);
                         },
                         kDeadlineMs),
                     qPrintable(why));
        }
        // get-state says what is in force.
        const auto limits = cluster_->relayOf(s("1"))[s("limits")].toObject();
        QCOMPARE(limits[s("threshold")].toInt(), 2);
        QCOMPARE(limits[s("channel")].toObject()[s("datagrams_per_s")].toInt(), kChannelRate);
        QCOMPARE(limits[s("channel")].toObject()[s("bytes_per_s")].toInt(-1), 0);
        QCOMPARE(limits[s("tunnel")].toObject()[s("burst_bytes")].toInt(), kTunnelBurstBytes);
        QCOMPARE(limits[s("boundaries")].toArray().size(), 4);
        QCOMPARE(limits[s("network_boundaries")].toObject()[s("10.0.2.0/24")].toArray().size(), 1);
    }

    // A rate limit holds under a flood while another channel keeps its rate.
    void floodedChannelHoldsItsLimitAnotherKeepsItsRate()
    {
        const QString xRange = s("239.1.0.0/16:5000-5100");
        const QString yRange = s("239.2.0.0/16:5000-5100");
        const auto before = cluster_->relayOf(s("1"));
        const qint64 ingestedBefore = channelOf(before, xRange)[s("ingested")].toInteger();
        const qint64 limitedBefore = channelOf(before, xRange)[s("limited_packets")].toInteger();
        const qint64 limitedBytesBefore = channelOf(before, xRange)[s("limited_bytes")].toInteger();
        const qint64 dropsBefore = dropOf(before, "rate-limit-channel");
        const qint64 yLimitedBefore = channelOf(before, yRange)[s("limited_packets")].toInteger();
        // X: 1,000 datagrams at about 1,000/s (ten times its limit); Y: 40 at 40/s (below the
        // limit), interleaved. Paced by the clock, so that a loaded machine sends X in bursts
        // but never Y faster.
        constexpr int kFlood = 1000;
        constexpr int kY = 40;
        constexpr int kYEveryMs = 25;
        QElapsedTimer clock;
        clock.start();
        int sentX = 0, sentY = 0;
        while (sentX < kFlood || sentY < kY) {
            const qint64 now = clock.elapsed();
            while (sentX < std::min<qint64>(kFlood, now + 1)) {
                ++sentX;
                QVERIFY(x_.send(kA, "flood", sentX, 1));
            }
            if (sentY < kY && now >= sentY * kYEveryMs) {
                ++sentY;
                QVERIFY(y_.send(kA, "steady", sentY, 1));
            }
            QThread::usleep(500);
        }
        const double sentInS = static_cast<double>(clock.elapsed()) / 1000.0;
        // Y: every datagram on B and C, exactly once (the sender's own network hears it direct).
        const auto gotY = y_.collect("steady", kY, {kB, kC}, kDeadlineMs);
        // The last X was sent before the last Y, which has crossed now (and half a second more
        // passed): the relay took X in within this time.
        const double elapsedS = static_cast<double>(clock.elapsed()) / 1000.0;
        for (const auto &n : {kB, kC}) {
            const QStringList wrong = SegmentStreams::notOnce(gotY.at(n), "steady", kY);
            QVERIFY2(wrong.isEmpty(),
                     qPrintable(QString::fromStdString(n) + s(": Y datagrams not once: ") +
                                wrong.join(s(", "))));
        }
        const auto gotX = x_.receiveAll(1000);
        // What node 1 (A's routing point) took in of X, and kept out.
        QJsonObject after;
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         after = cluster_->relayOf(s("1"));
                         const auto x = channelOf(after, xRange);
                         return x[s("ingested")].toInteger() - ingestedBefore +
                                    x[s("limited_packets")].toInteger() - limitedBefore ==
                                kFlood;
                     },
                     kDeadlineMs),
                 qPrintable(QJsonDocument(channelOf(after, xRange)).toJson()));
        const auto x = channelOf(after, xRange);
        const qint64 ingested = x[s("ingested")].toInteger() - ingestedBefore;
        const qint64 limited = x[s("limited_packets")].toInteger() - limitedBefore;
        const double bound = kChannelBurst + kChannelRate * elapsedS + 20;
        qInfo("X: %d sent in %.2f s, %lld taken in (bound %.0f over %.2f s), %lld limited; B got "
              "%d, C got %d; Y: %d sent, B got %d, C got %d",
              kFlood, sentInS, ingested, bound, elapsedS, limited, gotX.at(kB).total("flood"),
              gotX.at(kC).total("flood"), kY, gotY.at(kB).total("steady"),
              gotY.at(kC).total("steady"));
        QVERIFY(ingested >= kChannelBurst);
        QVERIFY(ingested <= bound);
        QCOMPARE(x[s("limited_bytes")].toInteger() - limitedBytesBefore, limited * 100);
        QCOMPARE(dropOf(after, "rate-limit-channel") - dropsBefore, limited);
        QCOMPARE(channelOf(after, yRange)[s("limited_packets")].toInteger() - yLimitedBefore, 0);
        // What was taken in reached B and C, once each.
        for (const auto &n : {kB, kC}) {
            QCOMPARE(gotX.at(n).total("flood"), static_cast<int>(ingested));
            QCOMPARE(static_cast<qint64>(gotX.at(n).counts.at("flood").size()), ingested);
        }
    }

    void floodedTunnelHoldsItsLimit()
    {
        // Z (in X's range): 1,000 B datagrams, 600 at about 900/s. The channel lets its burst
        // and 100/s through (about 100 kB/s); the tunnels carry 8 kB at once and 30 kB/s.
        QThread::msleep(500); // the buckets fill again
        const auto before = cluster_->relayOf(s("1"));
        const qint64 to2Before = tunnelTo(before, s("2"))[s("limited_packets")].toInteger();
        const qint64 to3Before = tunnelTo(before, s("3"))[s("limited_packets")].toInteger();
        const qint64 bytesTo2Before = tunnelTo(before, s("2"))[s("limited_bytes")].toInteger();
        const qint64 dropsBefore = dropOf(before, "rate-limit-tunnel");
        const qint64 ingestedBefore =
            channelOf(before, s("239.1.0.0/16:5000-5100"))[s("ingested")].toInteger();
        constexpr int kFlood = 600;
        constexpr int kBytes = 1000;
        auto tx = dmr::agent::LoopbackSegmentSocket::open(kCluster, kA);
        QVERIFY(tx);
        QElapsedTimer clock;
        clock.start();
        for (int i = 1; i <= kFlood;) {
            while (i <= std::min<qint64>(kFlood, clock.elapsed() + 1)) {
                QVERIFY(
                    (*tx)->send(ch("239.1.9.9:5009"), SegmentStreams::payload("big", i, kBytes)));
                ++i;
            }
            QThread::usleep(500);
        }
        const double sentInS = static_cast<double>(clock.elapsed()) / 1000.0;
        const auto got = z_.receiveAll(1000);
        // The relay took them in while they were sent, and a second more for a loaded machine.
        const double elapsedS = sentInS + 1.0;
        QJsonObject after;
        qint64 ingested = 0;
        qint64 limited2 = 0, limited3 = 0;
        // Every datagram taken in went into both tunnels or was kept out of them.
        QVERIFY2(
            AgentCluster::waitFor(
                [&] {
                    after = cluster_->relayOf(s("1"));
                    ingested =
                        channelOf(after, s("239.1.0.0/16:5000-5100"))[s("ingested")].toInteger() -
                        ingestedBefore;
                    limited2 =
                        tunnelTo(after, s("2"))[s("limited_packets")].toInteger() - to2Before;
                    limited3 =
                        tunnelTo(after, s("3"))[s("limited_packets")].toInteger() - to3Before;
                    return ingested > 0 && got.at(kB).total("big") + limited2 == ingested &&
                           got.at(kC).total("big") + limited3 == ingested;
                },
                kDeadlineMs),
            qPrintable(QStringLiteral("taken in %1, B got %2 + limited %3, C got %4 + "
                                      "limited %5")
                           .arg(ingested)
                           .arg(got.at(kB).total("big"))
                           .arg(limited2)
                           .arg(got.at(kC).total("big"))
                           .arg(limited3)));
        const double bound = (kTunnelBurstBytes + kTunnelBytesRate * elapsedS) / kBytes + 5;
        qInfo("Z: %d sent in %.2f s, %lld taken in; into 2: %d (bound %.0f over %.2f s), %lld "
              "limited; into 3: %d, %lld limited",
              kFlood, sentInS, ingested, got.at(kB).total("big"), bound, elapsedS, limited2,
              got.at(kC).total("big"), limited3);
        QVERIFY(limited2 > 0 && limited3 > 0);
        QVERIFY(got.at(kB).total("big") < ingested); // the channel let more through
        for (const auto &n : {kB, kC}) {
            QVERIFY(got.at(n).total("big") >= kTunnelBurstBytes / kBytes);
            QVERIFY(got.at(n).total("big") <= bound);
        }
        QCOMPARE(tunnelTo(after, s("2"))[s("limited_bytes")].toInteger() - bytesTo2Before,
                 limited2 * kBytes);
        QCOMPARE(dropOf(after, "rate-limit-tunnel") - dropsBefore, limited2 + limited3);
        // /metrics says the same.
        const QByteArray m = metrics(s("1"));
        const QByteArray line =
            "dmr_relay_limited_packets_total{node=\"1\",peer=\"2\"} " +
            QByteArray::number(tunnelTo(after, s("2"))[s("limited_packets")].toInteger());
        QVERIFY2(m.contains(line), m.constData());
        QVERIFY(m.contains("# TYPE dmr_relay_limited_bytes_total counter"));
        QVERIFY(m.contains("dmr_relay_limited_packets_total{node=\"1\",channel=\"239.2.0.0/"
                           "16:5000-5100\"} 0"));
    }

    void boundaryGroupsNeverCross()
    {
        QThread::msleep(500);
        const qint64 boundary1 = dropOf(cluster_->relayOf(s("1")), "boundary");
        const qint64 boundary2 = dropOf(cluster_->relayOf(s("2")), "boundary");
        // The same drops by channel range: what the console shows per range.
        const QString scopedRange = s("239.255.1.0/24:5000-5100");
        const QString boundedRange = s("239.3.0.0/16:5000-5100");
        auto boundaryOf = [&](const char *node, const QString &range) {
            return channelOf(cluster_->relayOf(s(node)), range)[s("boundary_packets")].toInteger(
                -1);
        };
        const qint64 scoped1 = boundaryOf("1", scopedRange);
        const qint64 bounded2 = boundaryOf("2", boundedRange);
        QVERIFY(scoped1 >= 0 && bounded2 >= 0);
        constexpr int kCount = 15; // within the channel ranges' burst of 20
        // 239.255.1.1 (relay.boundaries' default 239.255.0.0/16) from A; 239.3.0.1 (bounded on
        // B) from A, and from B.
        QVERIFY(scoped_.send(kA, "scoped", 1, kCount));
        QVERIFY(bounded_.send(kA, "fromA", 1, kCount));
        QVERIFY(bounded_.send(kB, "fromB", 1, kCount));
        // The one that may cross arrives on C; then nothing more of the others came.
        const auto got = bounded_.collect("fromA", kCount, {kC}, kDeadlineMs);
        const QStringList wrong = SegmentStreams::notOnce(got.at(kC), "fromA", kCount);
        QVERIFY2(wrong.isEmpty(), qPrintable(s("C: not once: ") + wrong.join(s(", "))));
        QCOMPARE(got.at(kB).total("fromA"), 0);
        QCOMPARE(got.at(kA).total("fromB"), 0);
        QCOMPARE(got.at(kC).total("fromB"), 0);
        const auto scoped = scoped_.receiveAll(500);
        QCOMPARE(scoped.at(kB).total("scoped"), 0);
        QCOMPARE(scoped.at(kC).total("scoped"), 0);
        QCOMPARE(scoped.at(kA).total("scoped"), kCount); // the sender's network hears it
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return dropOf(cluster_->relayOf(s("1")), "boundary") - boundary1 == kCount &&
                       dropOf(cluster_->relayOf(s("2")), "boundary") - boundary2 == kCount;
            },
            kDeadlineMs));
        // 1 bounded the scoped group, 2 the group B bounds; neither range counted the other's.
        QCOMPARE(boundaryOf("1", scopedRange) - scoped1, qint64(kCount));
        QCOMPARE(boundaryOf("2", boundedRange) - bounded2, qint64(kCount));
        QCOMPARE(boundaryOf("1", boundedRange), qint64(0));
        QCOMPARE(channelOf(cluster_->relayOf(s("1")), scopedRange)[s("below_threshold_packets")]
                     .toInteger(-1),
                 qint64(0));
    }

    void cleanupTestCase() { cluster_.reset(); }
};

QTEST_GUILESS_MAIN(TestRelayLimits)
#include "tst_relay_limits.moc"
