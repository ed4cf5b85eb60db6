// Pruning on real dmr-agent processes in loopback mode (no root): Fig. 5's agents with
// the relay on and relay.prune (the default). The receivers on the segments say which groups
// they listen to (listen frames, as dmr-segment recv does), every agent keeps who listens on its
// networks, and the tunnels carry a group only to where someone listens:
//  - a group nobody listens to crosses no tunnel (the tunnels' counters do not move; the
//    system leader counts it not-wanted);
//  - a listened group reaches every listening network exactly once;
//  - a leave prunes it from that leaf's tunnel, a join pulls it in again (the graft time is
//    printed);
//  - a drain of the system leader in the middle of a stream, with listeners on two networks of
//    three: exactly once on both, nothing on the third.
//
// Every wait is a condition with a generous deadline; times are printed, never asserted.

#include "agent_cluster.h"
#include "segment_streams.h"
#include "test_names.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>
#include <QtTest>

#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 30000;
const dmr::GroupName kA = "10.0.1.0/24";
const dmr::GroupName kB = "10.0.2.0/24";
const dmr::GroupName kC = "10.0.3.0/24";

using dmr::test::s;

const std::string kCluster = dmr::test::clusterName("relay-prune");

dmr::relay::Channel channel()
{
    return *dmr::relay::Channel::parse("239.1.2.3:5001");
}

const QString kGroup = s("239.1.2.3");

} // namespace

class TestRelayPrune : public QObject
{
    Q_OBJECT

    std::unique_ptr<AgentCluster> cluster_;
    SegmentStreams streams_{kCluster, {kA, kB, kC}, channel()};

    // Data datagrams the node sent into its tunnel to `peer` (0: no such tunnel).
    qint64 packetsOut(const QString &node, const QString &peer) const
    {
        for (const auto &t : cluster_->relayOf(node)[s("tunnels")].toArray())
            if (t.toObject()[s("peer")].toString() == peer)
                return t.toObject()[s("packets_out")].toInteger();
        return 0;
    }
    qint64 allPacketsOut() const
    {
        qint64 n = 0;
        for (const auto &id : cluster_->ids())
            for (const auto &t : cluster_->relayOf(id)[s("tunnels")].toArray())
                n += t.toObject()[s("packets_out")].toInteger();
        return n;
    }
    // The relayed range's datagrams every node took in (channel 0: 239.1.0.0/16; the probes
    // are the probe channel's).
    qint64 allIngested() const
    {
        qint64 n = 0;
        for (const auto &id : cluster_->ids())
            n += cluster_->relayOf(id)[s("channels")][0][s("ingested")].toInteger();
        return n;
    }
    qint64 prunedInto(const QString &node, const QString &peer) const
    {
        for (const auto &t : cluster_->relayOf(node)[s("tunnels")].toArray())
            if (t.toObject()[s("peer")].toString() == peer)
                return t.toObject()[s("pruned_packets")].toInteger();
        return 0;
    }
    // What `node`'s tunnel peer `peer` said it wants: null (everything) or the groups.
    QJsonValue peerWants(const QString &node, const QString &peer) const
    {
        for (const auto &t : cluster_->relayOf(node)[s("tunnels")].toArray())
            if (t.toObject()[s("peer")].toString() == peer)
                return t.toObject()[s("peer_wants")];
        return QJsonValue(QJsonValue::Undefined);
    }
    bool wants(const QString &node, const QString &peer, const QString &group) const
    {
        const auto w = peerWants(node, peer);
        return w.isNull() || (w.isArray() && w.toArray().contains(group));
    }
    // What each agent knows of the listeners and its tunnels' wants, compact, for a failure.
    QString pruneState() const
    {
        QStringList out;
        for (const auto &id : cluster_->ids()) {
            const auto relay = cluster_->relayOf(id);
            QStringList parts;
            for (const auto &l : relay[s("listeners")].toArray()) {
                const auto o = l.toObject();
                QStringList groups;
                for (const auto &g : o[s("groups")].toArray())
                    groups << g.toObject()[s("group")].toString();
                parts << o[s("network")].toString() +
                             (o[s("complete")].toBool() ? s(" complete ") : s(" incomplete ")) +
                             (o[s("querying")].toBool() ? s("querying ") : QString()) + s("[") +
                             groups.join(s(",")) + s("]");
            }
            for (const auto &t : relay[s("tunnels")].toArray()) {
                const auto o = t.toObject();
                parts << s("tunnel ") + o[s("peer")].toString() + s(" wants ") +
                             QString::fromUtf8(
                                 QJsonDocument(QJsonObject{{s("w"), o[s("peer_wants")]}})
                                     .toJson(QJsonDocument::Compact));
            }
            parts << s("prune %1, not-wanted %2, ingested %3")
                         .arg(relay[s("prune")].toBool())
                         .arg(relay[s("drops")][s("not-wanted")].toInteger())
                         .arg(relay[s("channels")][0][s("ingested")].toInteger());
            out << id + s(": ") + parts.join(s("; "));
        }
        return out.join(s("\n"));
    }
    void expectOnce(const SegmentStreams::Got &got, const std::string &tag, int count,
                    const std::vector<dmr::GroupName> &networks)
    {
        for (const auto &n : networks) {
            const QStringList wrong = SegmentStreams::notOnce(got.at(n), tag, count);
            QVERIFY2(wrong.isEmpty(),
                     qPrintable(QString::fromStdString(n) + s(": datagrams not once: ") +
                                wrong.join(s(", "))));
        }
    }

private slots:
    void initTestCase()
    {
        cluster_ = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        cluster_->addFig5();
        for (const auto &id : cluster_->ids())
            cluster_->appendArgs(id,
                                 cluster_->loopbackRelayArgs(id, kCluster) +
                                     QStringList{s("--relay.channels"), s("239.1.0.0/16:5000-5100"),
                                                 s("--relay.keepalive_ms"), s("100"),
                                                 s("--relay.probe_interval_ms"), s("250"),
                                                 s("--relay.query_interval_ms"), s("3000"),
                                                 s("--relay.query_response_ms"), s("500"),
                                                 s("--relay.last_member_query_ms"), s("200")});
        std::string error;
        QVERIFY2(streams_.open(&error), error.c_str());
        QVERIFY(cluster_->startAll());
        QVERIFY2(
            AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("2"), 2); }, kDeadlineMs),
            qPrintable(QJsonDocument(cluster_->relayOf(s("2"))).toJson()));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return cluster_->relayTunnelsUp(s("6"), 1) && cluster_->relayTunnelsUp(s("4"), 1);
            },
            kDeadlineMs));
        QVERIFY(cluster_->relayOf(s("2"))[s("prune")].toBool());
        // What the receivers said before the agents ran reached nobody: again, and every agent
        // knows, and every tunnel's peer wants the group.
        streams_.announce();
        QString why;
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         streams_.receiveAll(20); // (answers the queries)
                         return cluster_->relayListening(cluster_->ids(), kGroup, &why) &&
                                cluster_->relayPruning(cluster_->ids(), &why);
                     },
                     kDeadlineMs),
                 qPrintable(why));
    }

    void aGroupNobodyListensToCrossesNoTunnel()
    {
        // 300 datagrams on A to a group of the relayed range that no host listens to.
        auto tx = dmr::agent::LoopbackSegmentSocket::open(kCluster, kA);
        QVERIFY(tx);
        const auto quiet = *dmr::relay::Channel::parse("239.1.9.9:5001");
        const qint64 before = allPacketsOut();
        const qint64 ingestedBefore = allIngested();
        const qint64 notWantedBefore =
            cluster_->relayOf(s("2"))[s("drops")][s("not-wanted")].toInteger();
        constexpr int kCount = 300;
        for (int i = 1; i <= kCount; ++i) {
            QVERIFY((*tx)->send(quiet, SegmentStreams::payload("quiet", i)));
            if (i % 20 == 0)
                QThread::usleep(2000);
        }
        // The system leader (A's routing point) took none of them in.
        QVERIFY2(
            AgentCluster::waitFor(
                [&] {
                    return cluster_->relayOf(s("2"))[s("drops")][s("not-wanted")].toInteger() >=
                           notWantedBefore + kCount;
                },
                kDeadlineMs),
            qPrintable(pruneState()));
        const qint64 after = allPacketsOut();
        qInfo("a group nobody listens to: %d datagrams sent on A, %lld tunnel datagrams in the "
              "meantime, all of them probes (flooding: %d more)",
              kCount, static_cast<long long>(after - before), 2 * kCount);
        QCOMPARE(allIngested(), ingestedBefore);
    }

    void aListenedGroupReachesEveryNetworkOnce()
    {
        streams_.receiveAll(100);
        const qint64 to4 = packetsOut(s("2"), s("4"));
        const qint64 to6 = packetsOut(s("2"), s("6"));
        constexpr int kCount = 300;
        QVERIFY(streams_.send(kA, "once", 1, kCount));
        const auto got = streams_.collect("once", kCount, {kB, kC}, kDeadlineMs);
        expectOnce(got, "once", kCount, {kB, kC});
        QVERIFY(packetsOut(s("2"), s("4")) >= to4 + kCount);
        QVERIFY(packetsOut(s("2"), s("6")) >= to6 + kCount);
    }

    void aLeavePrunesAJoinGrafts()
    {
        // C's receiver leaves: the last listener there, so nodes 1 and 4 (both on C) forget the
        // group at once (fast leave), and 4 tells the system leader.
        streams_.receiveAll(100);
        QElapsedTimer t;
        t.start();
        streams_.listen(kC, false);
        QVERIFY2(AgentCluster::waitFor([&] { return !wants(s("2"), s("4"), kGroup); }, kDeadlineMs),
                 qPrintable(pruneState()));
        qInfo("prune: the system leader knew %lld ms after the leave",
              static_cast<long long>(t.elapsed()));
        const qint64 pruned4 = prunedInto(s("2"), s("4"));
        const qint64 pruned6 = prunedInto(s("2"), s("6"));
        constexpr int kCount = 200;
        QVERIFY(streams_.send(kA, "pruned", 1, kCount));
        auto got = streams_.collect("pruned", kCount, {kB}, kDeadlineMs);
        expectOnce(got, "pruned", kCount, {kB});
        QCOMPARE(got.at(kC).total("pruned"), 0);
        // Every one of them stayed out of 4's tunnel, none out of 6's.
        QVERIFY2(prunedInto(s("2"), s("4")) >= pruned4 + kCount, qPrintable(pruneState()));
        QCOMPARE(prunedInto(s("2"), s("6")), pruned6);

        // It joins again while A streams: the first datagram arrives within milliseconds.
        {
            auto rxC = dmr::agent::LoopbackSegmentSocket::open(kCluster, kC);
            QVERIFY(rxC);
            auto tx = dmr::agent::LoopbackSegmentSocket::open(kCluster, kA);
            QVERIFY(tx);
            const auto ch = channel();
            int seq = 0;
            for (int i = 0; i < 20; ++i) // a stream that runs before the join
                QVERIFY((*tx)->send(ch, SegmentStreams::payload("graft", ++seq)));
            QElapsedTimer joined;
            joined.start();
            QVERIFY((*rxC)->listen(ch.group));
            qint64 firstMs = -1;
            while (joined.elapsed() < kDeadlineMs && firstMs < 0) {
                QVERIFY((*tx)->send(ch, SegmentStreams::payload("graft", ++seq)));
                while (auto d = (*rxC)->receive(2)) {
                    const std::string text(d->payload.begin(), d->payload.end());
                    if (d->channel == ch && text.rfind("graft:", 0) == 0) {
                        firstMs = joined.elapsed();
                        break;
                    }
                }
            }
            QVERIFY2(firstMs >= 0, "C never got the group after the join");
            qInfo("graft: the first datagram reached C %lld ms after the join (a datagram every "
                  "2 ms)",
                  static_cast<long long>(firstMs));
        } // (the socket closes: its leave)
        // The streams' own receiver on C listens again: steady state, exactly once.
        streams_.listen(kC, true);
        QVERIFY(AgentCluster::waitFor([&] { return wants(s("2"), s("4"), kGroup); }, kDeadlineMs));
        streams_.receiveAll(100);
        QVERIFY(streams_.send(kB, "again", 1, kCount));
        got = streams_.collect("again", kCount, {kA, kC}, kDeadlineMs);
        expectOnce(got, "again", kCount, {kA, kC});
    }

    void drainTheSystemLeaderMidStream()
    {
        // Listeners on B and C only. A stream from A; the system leader 2 (A's routing point)
        // is drained a third of the way through: A moves to 1 and the system leader to 6. The
        // wants go with the handover: B and C get every datagram exactly once, A none back.
        streams_.listen(kA, false);
        QVERIFY(AgentCluster::waitFor(
            [&] { return !cluster_->relayListens(s("2"), QString::fromStdString(kA), kGroup); },
            kDeadlineMs));
        streams_.receiveAll(100);
        const std::string tag = "drain";
        constexpr int kCount = 900;
        QString drillError;
        QVERIFY(streams_.send(kA, tag, 1, kCount, [&](int i) {
            if (i != kCount / 3)
                return;
            const auto r = cluster_->ask(s("5"), {{s("type"), s("drill")},
                                                  {s("action"), s("drain")},
                                                  {s("node"), s("2")},
                                                  {s("reason"), s("tst_relay_prune")}});
            if (!r[s("ok")].toBool())
                drillError = QString::fromUtf8(QJsonDocument(r).toJson());
        }));
        QVERIFY2(drillError.isEmpty(), qPrintable(drillError));
        const auto got = streams_.collect(tag, kCount, {kB, kC}, kDeadlineMs);
        if (got.at(kC).total(tag) == 0)
            qWarning("%s\n%s", QJsonDocument(cluster_->relayOf(s("6"))).toJson().constData(),
                     QJsonDocument(cluster_->relayOf(s("4"))).toJson().constData());
        // A hears the sender's own copy only: nothing comes back from a relay.
        expectOnce(got, tag, kCount, {kA, kB, kC});
        const auto r = cluster_->ask(s("5"), {{s("type"), s("drill")},
                                              {s("action"), s("restore")},
                                              {s("node"), s("2")},
                                              {s("reason"), s("tst_relay_prune")}});
        QVERIFY2(r[s("ok")].toBool(), qPrintable(QJsonDocument(r).toJson()));
    }

    void cleanupTestCase() { cluster_.reset(); }
};

QTEST_GUILESS_MAIN(TestRelayPrune)
#include "tst_relay_prune.moc"
