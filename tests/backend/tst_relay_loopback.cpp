// The relay on real dmr-agent processes, in loopback mode (no root): Fig. 5's agents
// with the relay on, each network a multicast group on 127.0.0.1. A sender on one network's
// segment sends sequence-numbered datagrams; receivers on every network's segment must get
// each exactly once (the origin network only the sender's own copy: nothing comes back). Then
// the system leader is killed with kill -9 in the middle of a stream: delivery resumes through
// the new leaders and is exactly-once again in steady state. The reachability matrix is full
// before, and again after the killed node comes back. Last, a group leader is drained in the
// middle of a stream: exactly once on every network through the handover.
//
// Every wait is a condition with a generous deadline.

#include "agent_cluster.h"
#include "segment_streams.h"
#include "test_names.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>
#include <QtTest>

#include <map>
#include <set>

namespace {

constexpr int kDeadlineMs = 30000;
const dmr::GroupName kA = "10.0.1.0/24";
const dmr::GroupName kB = "10.0.2.0/24";
const dmr::GroupName kC = "10.0.3.0/24";

using dmr::test::s;

const std::string kCluster = dmr::test::clusterName("relay-test");

dmr::relay::Channel channel()
{
    return *dmr::relay::Channel::parse("239.1.2.3:5001");
}

// The matrix as seen by `asker`: every listed node answered and hears every other listed node.
bool matrixFull(const AgentCluster &c, const QString &asker, const QStringList &nodes, QString *why)
{
    const auto reply =
        c.ask(asker, {{s("type"), s("get-reachability")}}, false, 5000)[s("result")].toObject();
    const auto rows = reply[s("rows")].toArray();
    for (const auto &listener : nodes) {
        QJsonObject row;
        for (const auto &r : rows)
            if (r.toObject()[s("node")].toString() == listener)
                row = r.toObject();
        if (!row[s("answered")].toBool()) {
            *why = listener + s(" did not answer");
            return false;
        }
        for (const auto &from : nodes) {
            if (from == listener)
                continue;
            bool heard = false;
            for (const auto &cell : row[s("heard")].toArray())
                if (cell.toObject()[s("from")].toString() == from)
                    heard = cell.toObject()[s("heard")].toBool();
            if (!heard) {
                *why = listener + s(" does not hear ") + from;
                return false;
            }
        }
    }
    return true;
}

} // namespace

class TestRelayLoopback : public QObject
{
    Q_OBJECT

    std::unique_ptr<AgentCluster> cluster_;
    SegmentStreams streams_{kCluster, {kA, kB, kC}, channel()};

    void relayArgs()
    {
        for (const auto &id : cluster_->ids())
            cluster_->appendArgs(id,
                                 cluster_->loopbackRelayArgs(id, kCluster) +
                                     QStringList{s("--relay.channels"), s("239.1.0.0/16:5000-5100"),
                                                 s("--relay.keepalive_ms"), s("100"),
                                                 s("--relay.probe_interval_ms"), s("250")});
    }

    void send(const dmr::GroupName &network, const std::string &tag, int from, int count,
              const std::function<void(int)> &each = {})
    {
        QVERIFY(streams_.send(network, tag, from, count, each));
    }

    SegmentStreams::Got collect(const std::string &tag, int count,
                                const std::vector<dmr::GroupName> &networks)
    {
        return streams_.collect(tag, count, networks, kDeadlineMs);
    }

private slots:
    void initTestCase()
    {
        cluster_ = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        cluster_->addFig5();
        relayArgs();
        std::string error;
        QVERIFY2(streams_.open(&error), error.c_str());
        QVERIFY(cluster_->startAll());
        // The star of Fig. 6: 2 roots tunnels to 6 and 4, all up.
        QVERIFY2(
            AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("2"), 2); }, kDeadlineMs),
            qPrintable(QJsonDocument(cluster_->relayOf(s("2"))).toJson()));
        QVERIFY(AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("6"), 1); },
                                      kDeadlineMs));
        QVERIFY(AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("4"), 1); },
                                      kDeadlineMs));
    }

    void everyNetworkExactlyOnce_data()
    {
        QTest::addColumn<QString>("origin");
        QTest::newRow("from A (the system leader's)") << QString::fromStdString(kA);
        QTest::newRow("from B (a leaf's)") << QString::fromStdString(kB);
        QTest::newRow("from C (a leaf's, node 1 hears it twice)") << QString::fromStdString(kC);
    }
    void everyNetworkExactlyOnce()
    {
        QFETCH(QString, origin);
        const dmr::GroupName from = origin.toStdString();
        const std::string tag = "once-" + std::to_string(from.size()) + from.substr(5, 1);
        constexpr int kCount = 300;
        streams_.receiveAll(100); // whatever is left over
        send(from, tag, 1, kCount);
        // Each network's receiver gets each datagram exactly once: the others through the relay,
        // the origin its sender's copy and nothing back from the relay.
        const auto got = collect(tag, kCount, {kA, kB, kC});
        for (const auto &n : {kA, kB, kC}) {
            const QStringList wrong = SegmentStreams::notOnce(got.at(n), tag, kCount);
            QVERIFY2(wrong.isEmpty(),
                     qPrintable(QString::fromStdString(n) + s(": datagrams not once: ") +
                                wrong.join(s(", "))));
        }
        // The counters say the same: the system leader tunnelled at least that many.
        const auto tunnels = cluster_->relayOf(s("2"))[s("tunnels")].toArray();
        qint64 out = 0;
        for (const auto &tn : tunnels)
            out += tn.toObject()[s("packets_out")].toInteger();
        QVERIFY(out >= kCount);
    }

    void matrixFullBeforeTheKill()
    {
        QString why;
        QVERIFY2(
            AgentCluster::waitFor(
                [&] { return matrixFull(*cluster_, s("5"), cluster_->ids(), &why); }, kDeadlineMs),
            qPrintable(why));
    }

    void killTheSystemLeaderMidStream()
    {
        streams_.receiveAll(100);
        // A stream from B; the system leader 2 (router of A) dies a third of the way through.
        const std::string tag = "kill";
        constexpr int kCount = 900;
        send(kB, tag, 1, kCount, [&](int i) {
            if (i == kCount / 3)
                cluster_->kill9(s("2"));
        });
        // The survivors agree on 6; 1 routes A now, and 6 roots the tunnels to 1 and 4.
        QVERIFY(AgentCluster::waitFor(
            [&] {
                const auto st = cluster_->state(s("6"));
                return st[s("system_leader")].toString() == s("6") &&
                       cluster_->relayTunnelsUp(s("6"), 2);
            },
            kDeadlineMs));
        QVERIFY(AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("1"), 1); },
                                      kDeadlineMs));
        auto during = streams_.receiveAll(500);
        int onA = 0;
        for (int i = 1; i <= kCount; ++i)
            onA += during[kA].times(tag, i) > 0 ? 1 : 0;
        qInfo("during the failover, A got %d of %d datagrams sent from B", onA, kCount);

        // Steady state again: exactly once on every network.
        const std::string after = "after";
        constexpr int kAfter = 300;
        send(kB, after, 1, kAfter);
        const auto got = collect(after, kAfter, {kA, kB, kC});
        for (const auto &n : {kA, kB, kC}) {
            const QStringList wrong = SegmentStreams::notOnce(got.at(n), after, kAfter);
            QVERIFY2(wrong.isEmpty(),
                     qPrintable(QString::fromStdString(n) + s(": datagrams not once: ") +
                                wrong.join(s(", "))));
        }
    }

    void matrixFullAgainAfterTheComeback()
    {
        QString why;
        QStringList survivors = cluster_->ids();
        survivors.removeAll(s("2"));
        QVERIFY2(AgentCluster::waitFor(
                     [&] { return matrixFull(*cluster_, s("5"), survivors, &why); }, kDeadlineMs),
                 qPrintable(why));
        QVERIFY(cluster_->start(s("2")));
        QVERIFY2(
            AgentCluster::waitFor(
                [&] { return matrixFull(*cluster_, s("3"), cluster_->ids(), &why); }, kDeadlineMs),
            qPrintable(why));
    }

    void drainALeafMidStreamExactlyOnce()
    {
        // After the kill and the comeback: 6 is the system leader (routes B), 1 leads A, 4 leads
        // C, and 2 rejoined last. A stream from B; 1 is drained a third of the way through, so
        // A moves to 3 (next on A) while datagrams flow. The carry handover (relay.h): A and C
        // get every datagram exactly once, none lost, none twice.
        const QStringList all = cluster_->ids();
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         return cluster_->agree(all, s("6")) &&
                                AgentCluster::leadsOf(cluster_->state(s("1"))) ==
                                    QStringList{QString::fromStdString(kA)} &&
                                cluster_->relayTunnelsUp(s("6"), 2) &&
                                cluster_->relayTunnelsUp(s("1"), 1);
                     },
                     kDeadlineMs),
                 "the cluster did not settle on 6 as system leader with 1 leading A");
        streams_.receiveAll(100);
        const std::string tag = "drain";
        constexpr int kCount = 900;
        QString drillError;
        send(kB, tag, 1, kCount, [&](int i) {
            if (i != kCount / 3)
                return;
            const auto r = cluster_->ask(s("5"), {{s("type"), s("drill")},
                                                  {s("action"), s("drain")},
                                                  {s("node"), s("1")},
                                                  {s("reason"), s("tst_relay_loopback")}});
            if (!r[s("ok")].toBool())
                drillError = QString::fromUtf8(QJsonDocument(r).toJson());
        });
        QVERIFY2(drillError.isEmpty(), qPrintable(drillError));
        const auto got = collect(tag, kCount, {kA, kC});
        for (const auto &n : {kA, kC}) {
            const QStringList wrong = SegmentStreams::notOnce(got.at(n), tag, kCount);
            QVERIFY2(wrong.isEmpty(),
                     qPrintable(QString::fromStdString(n) + s(": datagrams not once: ") +
                                wrong.join(s(", "))));
        }
        // A moved to 3, which carries it now by the system leader's word.
        QVERIFY(AgentCluster::waitFor(
            [&] {
                const auto carries = cluster_->relayOf(s("3"))[s("carries")].toArray();
                return AgentCluster::leadsOf(cluster_->state(s("3"))) ==
                           QStringList{QString::fromStdString(kA)} &&
                       carries.size() == 1 && carries[0].toString() == QString::fromStdString(kA);
            },
            kDeadlineMs));
        const auto r = cluster_->ask(s("5"), {{s("type"), s("drill")},
                                              {s("action"), s("restore")},
                                              {s("node"), s("1")},
                                              {s("reason"), s("tst_relay_loopback")}});
        QVERIFY2(r[s("ok")].toBool(), qPrintable(QJsonDocument(r).toJson()));
    }

    void cleanupTestCase() { cluster_.reset(); }
};

QTEST_GUILESS_MAIN(TestRelayLoopback)
#include "tst_relay_loopback.moc"
