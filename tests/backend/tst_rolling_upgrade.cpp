// A rolling upgrade on real dmr-agent processes: Fig. 5 (fig5.json) on loopback with the relay on,
// every agent started from the previous version's binary, then replaced one by one with this
// build's in the order `dmrctl upgrade-plan` prints: drain it (a drill), stop it (SIGTERM),
// start the new binary, wait until the cluster has settled (one view, one system leader, every
// planned tunnel up and carrying), then the next. Applications on all three networks send
// sequence-numbered multicast the whole time (A, B and C each to the others, through the
// tunnels); at the end every network must have had every datagram exactly once: 0 lost,
// 0 duplicated. The failover records of the agents must show the system leader moving only by
// the drains, as often as the plan said (once), never by a restart.
//
//   network A 10.0.1.0/24: 1 2 3      B 10.0.2.0/24: 4 5 6      C 10.0.3.0/24: 1 4
//   join order 2 6 4 1 3 5: leaders A 2, B 6, C 4; system leader 2
//   upgrade order 1 3 5 4 6 2: C moves to 1, B to 5, A and the system leader to 1
//
// The previous version: DMR_PREVIOUS_AGENT (the environment, or the CMake cache variable of
// that name), for example the dmr-agent of the previous release's package; without it, this
// build's own binary (the procedure is tested, not two versions; the test says which it ran).
// It prints the figures: datagrams sent and received, lost, duplicated, system leader moves.

#include "agent_cluster.h"
#include "segment_io.h"
#include "segment_streams.h"
#include "test_names.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace {

constexpr int kDeadlineMs = 60000;
// How long multicast flows through each intermediate cluster (a node drained, then back) before
// the next step: not a wait for anything, a longer stream through each configuration.
constexpr int kDwellMs = 400;
const dmr::GroupName kA = "10.0.1.0/24";
const dmr::GroupName kB = "10.0.2.0/24";
const dmr::GroupName kC = "10.0.3.0/24";
const std::vector<dmr::GroupName> kNetworks{kA, kB, kC};

using dmr::test::s;

const std::string kCluster = dmr::test::clusterName("upgrade-test");

dmr::relay::Channel channel()
{
    return *dmr::relay::Channel::parse("239.1.2.3:5001");
}

std::string tagOf(const dmr::GroupName &network)
{
    return network == kA ? "A" : network == kB ? "B" : "C";
}

QString previousAgent()
{
    const QByteArray env = qgetenv("DMR_PREVIOUS_AGENT");
    if (!env.isEmpty())
        return QString::fromLocal8Bit(env);
    return s(DMR_PREVIOUS_AGENT_PATH);
}

// Applications on every network's loopback segment: a sender thread puts datagrams "TAG:SEQ:"
// on each network in turn, a receiver thread counts what each network's receiver gets.
class Traffic
{
public:
    ~Traffic() // a test that failed half way leaves them running
    {
        stopSending_ = true;
        stopReceiving_ = true;
        if (sender_.joinable())
            sender_.join();
        if (receiver_.joinable())
            receiver_.join();
    }

    bool open(std::string *error)
    {
        for (const auto &n : kNetworks) {
            auto rx = dmr::agent::LoopbackSegmentSocket::open(kCluster, n);
            auto tx = dmr::agent::LoopbackSegmentSocket::open(kCluster, n);
            if (!rx || !tx) {
                *error = (!rx ? rx.error() : tx.error()).message;
                return false;
            }
            rx_[n] = std::move(rx).value();
            tx_[n] = std::move(tx).value();
            // Listening, as an application's host does (relay.prune); the receiver thread
            // answers the routing points' queries as it reads.
            rx_[n]->listen(channel().group);
        }
        return true;
    }

    void start()
    {
        receiver_ = std::thread([this] {
            while (!stopReceiving_) {
                bool any = false;
                for (auto &[network, sock] : rx_)
                    while (auto d = sock->receive(0)) {
                        any = true;
                        count(network, *d);
                    }
                if (!any)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
        sender_ = std::thread([this] {
            // About 100 datagrams a second from each network.
            while (!stopSending_) {
                ++sent_;
                for (const auto &n : kNetworks)
                    if (!tx_.at(n)->send(channel(), SegmentStreams::payload(tagOf(n), sent_)))
                        ++sendFailures_;
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        });
    }

    // Stops sending, then receives until every network has every datagram or the deadline.
    void stop(int deadlineMs)
    {
        stopSending_ = true;
        sender_.join();
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < deadlineMs && !complete())
            QThread::msleep(50);
        QThread::msleep(1000); // late duplicates, if any
        stopReceiving_ = true;
        receiver_.join();
    }

    int sent() const { return sent_; }
    int sendFailures() const { return sendFailures_; }

    // Per network and origin: datagrams 1..sent() not received exactly once ("B 17 x0").
    QStringList notOnce(int *lost, int *duplicated) const
    {
        std::lock_guard lock(mutex_);
        QStringList wrong;
        *lost = 0;
        *duplicated = 0;
        for (const auto &at : kNetworks)
            for (const auto &from : kNetworks) {
                const auto &seen = counts_.count(at) && counts_.at(at).count(tagOf(from))
                                       ? counts_.at(at).at(tagOf(from))
                                       : std::map<int, int>{};
                for (int i = 1; i <= sent_; ++i) {
                    const int times = seen.count(i) ? seen.at(i) : 0;
                    if (times == 1)
                        continue;
                    if (times == 0)
                        ++*lost;
                    else
                        *duplicated += times - 1;
                    wrong << QStringLiteral("at %1 from %2 #%3 x%4")
                                 .arg(QString::fromStdString(at),
                                      QString::fromStdString(tagOf(from)))
                                 .arg(i)
                                 .arg(times);
                }
            }
        return wrong;
    }

private:
    void count(const dmr::GroupName &network, const dmr::agent::LoopbackSegmentSocket::Datagram &d)
    {
        if (!(d.channel == channel()))
            return; // the reachability probes
        const std::string text(d.payload.begin(), d.payload.end());
        const auto colon = text.find(':');
        const auto colon2 = text.find(':', colon + 1);
        if (colon == std::string::npos || colon2 == std::string::npos)
            return;
        std::lock_guard lock(mutex_);
        ++counts_[network][text.substr(0, colon)]
                 [std::stoi(text.substr(colon + 1, colon2 - colon - 1))];
    }

    bool complete() const
    {
        int lost = 0;
        int duplicated = 0;
        (void)notOnce(&lost, &duplicated);
        return lost == 0;
    }

    std::map<dmr::GroupName, std::unique_ptr<dmr::agent::LoopbackSegmentSocket>> rx_;
    std::map<dmr::GroupName, std::unique_ptr<dmr::agent::LoopbackSegmentSocket>> tx_;
    mutable std::mutex mutex_;
    std::map<dmr::GroupName, std::map<std::string, std::map<int, int>>> counts_;
    std::atomic<int> sent_{0};
    std::atomic<int> sendFailures_{0};
    std::atomic<bool> stopSending_{false};
    std::atomic<bool> stopReceiving_{false};
    std::thread sender_;
    std::thread receiver_;
};

} // namespace

class TestRollingUpgrade : public QObject
{
    Q_OBJECT

    std::unique_ptr<AgentCluster> cluster_;
    QString previous_;

    QJsonObject relayOf(const QString &id) const
    {
        return cluster_->state(id)[s("relay")].toObject();
    }

    // How `observer` sees `node` in its snapshot of the cluster ("up", "drained", "down", ...).
    QString nodeState(const QString &observer, const QString &node) const
    {
        const auto nodes =
            cluster_->cluster(observer)[s("snapshot")].toObject()[s("nodes")].toArray();
        for (const auto &n : nodes)
            if (n.toObject()[s("id")].toString() == node)
                return n.toObject()[s("state")].toString();
        return {};
    }

    // The running agents see `node` in state `nodeWants` ("up" after its restart, anything but
    // "up" after its drain), agree on one view and one system leader, have no handover pending,
    // every planned tunnel is up at both ends, and every leaf carries the networks it leads.
    // Else why not, in *why.
    bool settled(const QStringList &running, const QString &node, bool nodeUp, QString *why) const
    {
        for (const auto &id : running) {
            const QString st = nodeState(id, node);
            if ((st == s("up")) != nodeUp) {
                *why = id + s(" sees ") + node + s(" as ") + st;
                return false;
            }
        }
        const auto first = cluster_->state(running.front());
        const QString sl = first[s("system_leader")].toString();
        if (sl.isEmpty() || !cluster_->agree(running, sl)) {
            *why = s("the agents do not agree on one view and system leader");
            return false;
        }
        for (const auto &id : running) {
            const auto st = cluster_->state(id);
            if (st[s("handover_pending")].toBool()) {
                *why = id + s(": a handover is pending");
                return false;
            }
            const auto planned = AgentCluster::tunnelsOf(st);
            const auto relay = st[s("relay")].toObject();
            const auto tunnels = relay[s("tunnels")].toArray();
            if (tunnels.size() != planned.size()) {
                *why =
                    id +
                    s(": %1 relay tunnels for %2 planned").arg(tunnels.size()).arg(planned.size());
                return false;
            }
            for (const auto &t : tunnels)
                if (t.toObject()[s("state")].toString() != s("up")) {
                    *why = id + s(": a tunnel is not up");
                    return false;
                }
            if (id != sl) {
                QStringList carries;
                for (const auto &c : relay[s("carries")].toArray())
                    carries << c.toString();
                carries.sort();
                auto leads = AgentCluster::leadsOf(st);
                leads.sort();
                if (carries != leads) {
                    *why = id + s(" leads ") + leads.join(s(",")) + s(" but carries ") +
                           carries.join(s(","));
                    return false;
                }
            }
        }
        return true;
    }

    void waitSettled(const QStringList &running, const QString &node, bool nodeUp,
                     const QString &step)
    {
        QString why;
        if (AgentCluster::waitFor([&] { return settled(running, node, nodeUp, &why); },
                                  kDeadlineMs))
            return;
        for (const auto &id : cluster_->ids()) // what each agent said, for the reader
            qInfo("agent %s's log ends:\n%s", qPrintable(id),
                  qPrintable(cluster_->logOf(id).right(1500)));
        QFAIL(qPrintable(step + s(": the cluster did not settle: ") + why));
    }

    // The failover records of an agent: each as "node:cause:role>successor,...".
    QList<QJsonObject> history(const QString &id) const
    {
        QList<QJsonObject> out;
        const auto r = cluster_->ask(id, {{s("type"), s("get-history")}}, false, 5000);
        for (const auto &f : r[s("result")].toObject()[s("failovers")].toArray())
            out << f.toObject();
        return out;
    }

private slots:
    void initTestCase()
    {
        previous_ = previousAgent();
        QVERIFY2(QFileInfo(previous_).isExecutable(),
                 qPrintable(s("DMR_PREVIOUS_AGENT: not an executable: ") + previous_));
        qInfo("previous version: %s%s", qPrintable(previous_),
              previous_ == s(DMR_AGENT_PATH) ? " (this build: no previous agent was given)" : "");
        cluster_ = std::make_unique<AgentCluster>(previous_);
        cluster_->addFig5();
        for (const auto &id : cluster_->ids())
            cluster_->appendArgs(id,
                                 cluster_->loopbackRelayArgs(id, kCluster) +
                                     QStringList{s("--relay.channels"), s("239.1.0.0/16:5000-5100"),
                                                 s("--relay.keepalive_ms"), s("100"),
                                                 s("--relay.probe_interval_ms"), s("0")});
        QVERIFY(cluster_->startAll());
        for (const auto &id : cluster_->ids()) {
            waitSettled(cluster_->ids(), id, true, s("start"));
            if (QTest::currentTestFailed())
                return;
        }
    }

    void upgradeOneByOne()
    {
        // The order, as an operator gets it.
        QProcess dmrctl;
        dmrctl.start(s(DMRCTL_PATH),
                     {s("--connect"), s("127.0.0.1:%1").arg(cluster_->controlPort(s("5"))),
                      s("--json"), s("upgrade-plan")});
        QVERIFY(dmrctl.waitForFinished(30000));
        const auto planDoc = QJsonDocument::fromJson(dmrctl.readAllStandardOutput()).object();
        QStringList order;
        for (const auto &step : planDoc[s("steps")].toArray())
            order << step.toObject()[s("node")].toString();
        QCOMPARE(order, (QStringList{s("1"), s("3"), s("5"), s("4"), s("6"), s("2")}));
        QCOMPARE(planDoc[s("system_leader_moves")].toInt(), 1);

        Traffic traffic;
        std::string error;
        QVERIFY2(traffic.open(&error), error.c_str());
        // Every agent knows the listeners (an agent of the release before, which does not
        // prune, lists none and floods) before the stream starts.
        QString why;
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         return cluster_->relayListening(
                             cluster_->ids(), QString::fromStdString(channel().group.toString()),
                             &why);
                     },
                     30000),
                 qPrintable(why));
        traffic.start();
        QThread::msleep(500);

        QList<QJsonObject> failovers; // every agent's records, gathered before it stops
        QStringList running = cluster_->ids();
        QElapsedTimer total;
        total.start();
        for (const auto &id : order) {
            QStringList others = running;
            others.removeAll(id);
            // Drain: its roles move, make-before-break, while it still runs.
            const auto r = cluster_->ask(others.front(), {{s("type"), s("drill")},
                                                          {s("action"), s("drain")},
                                                          {s("node"), id},
                                                          {s("reason"), s("rolling upgrade")}});
            QVERIFY2(r[s("ok")].toBool(), qPrintable(QJsonDocument(r).toJson()));
            waitSettled(others, id, false, s("drain of ") + id);
            if (QTest::currentTestFailed())
                return;
            QCOMPARE(cluster_->state(id)[s("state")].toString(), s("drained"));
            QThread::msleep(kDwellMs); // traffic through the cluster without the node
            // Stop the old version; its records go with it, so keep them.
            failovers << history(id);
            cluster_->terminate(id);
            QVERIFY(cluster_->waitForExit(id, 10000));
            cluster_->setAgentPath(id, s(DMR_AGENT_PATH));
            QVERIFY2(cluster_->start(id, kDeadlineMs), qPrintable(id + s(" did not rejoin")));
            waitSettled(running, id, true, s("restart of ") + id);
            if (QTest::currentTestFailed())
                return;
            QThread::msleep(kDwellMs); // and with its new version back
            qInfo("upgraded %s after %lld ms, %d datagrams sent from each network so far",
                  qPrintable(id), static_cast<long long>(total.elapsed()), traffic.sent());
        }
        QThread::msleep(500);
        traffic.stop(kDeadlineMs);
        for (const auto &id : running)
            failovers << history(id);

        // Multicast: every datagram exactly once on every network.
        int lost = 0;
        int duplicated = 0;
        const QStringList wrong = traffic.notOnce(&lost, &duplicated);
        // The system leader's moves: the failovers that took it, each once (several agents
        // record the same failover: keyed by node and time).
        std::set<std::pair<QString, qint64>> slMoves;
        QStringList causes;
        for (const auto &f : failovers) {
            const auto roles = f[s("roles")].toArray();
            if (!roles.contains(QJsonValue(s("system-leader"))))
                continue;
            if (slMoves
                    .insert({f[s("node")].toString(),
                             static_cast<qint64>(f[s("failed_ms")].toDouble())})
                    .second)
                causes << f[s("node")].toString() + s(":") + f[s("cause")].toString();
        }
        qInfo("rolling upgrade of 6 agents in %lld ms: %d datagrams sent from each of 3 "
              "networks (%d send failures), %d lost, %d duplicated; system leader moves %d (%s)",
              static_cast<long long>(total.elapsed()), traffic.sent(), traffic.sendFailures(), lost,
              duplicated, static_cast<int>(slMoves.size()), qPrintable(causes.join(s(", "))));
        QCOMPARE(traffic.sendFailures(), 0);
        if (!wrong.isEmpty())
            for (const auto &id : running) { // where it went missing, for the reader
                const QJsonObject relay = cluster_->relayOf(id);
                QJsonObject brief{{s("drops"), relay[s("drops")]},
                                  {s("carries"), relay[s("carries")]},
                                  {s("listeners"), relay[s("listeners")]}};
                QJsonArray tunnels;
                for (const auto &t : relay[s("tunnels")].toArray()) {
                    const auto o = t.toObject();
                    tunnels.append(QJsonObject{{s("peer"), o[s("peer")]},
                                               {s("pruned_packets"), o[s("pruned_packets")]},
                                               {s("peer_wants"), o[s("peer_wants")]},
                                               {s("wants_sent"), o[s("wants_sent")]}});
                }
                brief[s("tunnels")] = tunnels;
                qInfo("agent %s relay: %s", qPrintable(id),
                      QJsonDocument(brief).toJson(QJsonDocument::Compact).constData());
            }
        QVERIFY2(wrong.isEmpty(),
                 qPrintable(s("not exactly once: ") + wrong.mid(0, 20).join(s("; "))));
        QCOMPARE(causes, QStringList{s("2:drain")});
        // The new system leader is the one the plan named, and it runs the new binary.
        QVERIFY(cluster_->agree(running, s("1")));
    }

    void cleanupTestCase() { cluster_.reset(); }
};

QTEST_GUILESS_MAIN(TestRollingUpgrade)
#include "tst_rolling_upgrade.moc"
