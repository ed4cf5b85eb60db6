// Crash detection on etcd, the pure part (shared/include/dmr/etcd_crash.h): who watches whom,
// and the rule that turns a peer link's end into a fenced lease revoke, and nothing else into one.

#include "dmr/etcd_crash.h"

#include <QtTest>

using namespace dmr;
using namespace dmr::etcd;

namespace {

const std::string kPrefix = clusterPrefix("fig5");
const std::string kA = "10.0.1.0/24";
const std::string kB = "10.0.2.0/24";
const std::string kC = "10.0.3.0/24";

// Fig. 5, joined in the order 2 6 4 1 3 5: A = 2 1 3, B = 6 4 5, C = 4 1; GL_group 2 6 4.
KeySpace fig5Keys()
{
    KeySpace keys(kPrefix);
    const std::vector<std::pair<NodeId, std::vector<GroupName>>> joins{
        {"2", {kA}}, {"6", {kB}}, {"4", {kB, kC}}, {"1", {kA, kC}}, {"3", {kA}}, {"5", {kB}}};
    std::vector<Kv> kvs;
    std::int64_t rev = 10;
    for (const auto &[id, groups] : joins) {
        const std::int64_t lease = 1000 + std::stoll(id);
        kvs.push_back(Kv{nodeKey(kPrefix, id),
                         encodeNodeRecord({"127.0.0.1:740" + id, 1, "{}", false}), rev, rev,
                         lease});
        for (const auto &g : groups)
            kvs.push_back(Kv{groupKey(kPrefix, g, id), "", rev, rev, lease});
        ++rev;
    }
    for (const NodeId id : {"2", "6", "4"})
        kvs.push_back(Kv{glKey(kPrefix, id), "", rev, rev, 1000 + std::stoll(id)}), ++rev;
    keys.reset(std::move(kvs), rev);
    return keys;
}

std::set<NodeId> nodes(std::initializer_list<const char *> ids)
{
    std::set<NodeId> out;
    for (const char *id : ids)
        out.insert(id);
    return out;
}

using Action = CrashWatch::Action;

template<class T>
const T *only(const std::vector<Action> &actions)
{
    return actions.size() == 1 ? std::get_if<T>(&actions.front()) : nullptr;
}

std::map<NodeId, WatchTarget> target(const NodeId &node, std::int64_t lease)
{
    return {{node, WatchTarget{"127.0.0.1:740" + node, lease}}};
}

} // namespace

class TestEtcdCrash : public QObject
{
    Q_OBJECT

private slots:
    // Each node watches the leaders whose failure changes its own part, and the next node.
    void watchedNodesOnFig5_data()
    {
        QTest::addColumn<QString>("self");
        QTest::addColumn<QStringList>("watched");
        // 2, the system leader: its leaves 6 and 4 (ring: 6).
        QTest::newRow("2") << "2" << QStringList{"4", "6"};
        // 6 leads B under root 2: 2's failure makes 6 the system leader; ring: 4.
        QTest::newRow("6") << "6" << QStringList{"2", "4"};
        // 4 leads C: a new root if 2 fails, B too if 6 fails; ring: 1.
        QTest::newRow("4") << "4" << QStringList{"1", "2", "6"};
        // 1 is next in A (after 2) and in C (after 4); ring: 3.
        QTest::newRow("1") << "1" << QStringList{"2", "3", "4"};
        // 3 and 5 lead nothing whoever fails: only the ring (5's wraps round to 2).
        QTest::newRow("3") << "3" << QStringList{"5"};
        QTest::newRow("5") << "5" << QStringList{"2"};
    }
    void watchedNodesOnFig5()
    {
        QFETCH(QString, self);
        QFETCH(QStringList, watched);
        KeySpace keys = fig5Keys();
        const auto view = keys.view();
        QStringList got;
        for (const auto &n : watchedNodes(view, self.toStdString()))
            got << QString::fromStdString(n);
        QCOMPARE(got, watched);
        // The targets carry each watched node's address and the lease its record is on.
        const auto targets = watchTargets(keys, view, self.toStdString());
        QCOMPARE(static_cast<qsizetype>(targets.size()), watched.size());
        for (const auto &[node, t] : targets) {
            QCOMPARE(t.address, "127.0.0.1:740" + node);
            QCOMPARE(t.lease, 1000 + std::stoll(node));
        }
    }

    void everyNodeIsWatchedAndNoneWatchesItself()
    {
        KeySpace keys = fig5Keys();
        const auto view = keys.view();
        std::set<NodeId> watchedBySomeone;
        for (const auto &n : view.nodes) {
            const auto w = watchedNodes(view, n.id);
            QVERIFY(w.count(n.id) == 0);
            watchedBySomeone.insert(w.begin(), w.end());
        }
        QCOMPARE(watchedBySomeone, nodes({"1", "2", "3", "4", "5", "6"}));
    }

    void keysOnLeaseAreTheNodesOwnOnThatLease()
    {
        KeySpace keys = fig5Keys();
        // A down note about 4, on 2's lease; a stray key of 4 on another lease.
        keys.put(Kv{downKey(kPrefix, "4"), encodeDownNote({1004, "2", 1}), 40, 40, 1002}, 40);
        keys.put(Kv{groupKey(kPrefix, "10.0.9.0/24", "4"), "", 41, 41, 7}, 41);
        const auto got = keysOnLease(keys, "4", 1004);
        const std::vector<std::string> want{glKey(kPrefix, "4"), groupKey(kPrefix, kB, "4"),
                                            groupKey(kPrefix, kC, "4"), nodeKey(kPrefix, "4")};
        QCOMPARE(got, want);
        QVERIFY(keysOnLease(keys, "4", 0).empty());
        QVERIFY(keysOnLease(keys, "4", 999).empty());
    }

    void aLoneNodeOrOneOutOfTheViewWatchesNobody()
    {
        KeySpace keys(kPrefix);
        keys.reset({Kv{nodeKey(kPrefix, "2"), encodeNodeRecord({"127.0.0.1:7402", 1, "{}", false}),
                       5, 5, 77},
                    Kv{groupKey(kPrefix, kA, "2"), "", 5, 5, 77}},
                   5);
        const auto view = keys.view();
        QVERIFY(watchedNodes(view, "2").empty());
        QVERIFY(watchedNodes(fig5Keys().view(), "9").empty());
    }

    // The one path to a revoke: up, closed by the peer's host, a new connection refused.
    void closedThenRefusedRevokesTheLeaseReadAtOpen()
    {
        CrashWatch w(1000);
        auto a = w.setTargets(target("2", 1002), 0);
        const auto *open = only<CrashWatch::Open>(a);
        QVERIFY(open != nullptr);
        QCOMPARE(open->node, NodeId("2"));
        QCOMPARE(open->address, std::string("127.0.0.1:7402"));
        QVERIFY(w.linkUp(open->link, 1).empty());
        QCOMPARE(w.linksUp(), std::size_t{1});
        auto p = w.linkEnded(open->link, LinkEnd::Closed, 2);
        const auto *probe = only<CrashWatch::Probe>(p);
        QVERIFY(probe != nullptr);
        QCOMPARE(probe->address, std::string("127.0.0.1:7402"));
        auto r = w.probed(probe->link, ProbeResult::Refused, 3);
        const auto *revoke = only<CrashWatch::Revoke>(r);
        QVERIFY(revoke != nullptr);
        QCOMPARE(revoke->node, NodeId("2"));
        QCOMPARE(revoke->lease, std::int64_t{1002});
        QCOMPARE(w.revokes(), std::uint64_t{1});
        // Once: a second refusal, a late end, ticks and the same targets again do nothing more.
        QVERIFY(w.probed(probe->link, ProbeResult::Refused, 4).empty());
        QVERIFY(w.linkEnded(open->link, LinkEnd::Closed, 4).empty());
        QVERIFY(w.tick(100000).empty());
        QVERIFY(w.setTargets(target("2", 1002), 5).empty());
        QCOMPARE(w.revokes(), std::uint64_t{1});
        // Its keys gone, it is not watched; nothing to close (the link is over).
        QVERIFY(w.setTargets({}, 6).empty());
        QCOMPARE(w.watched(), std::size_t{0});
    }

    // Whatever else ends a link, nothing is revoked; the link is dialled again after retryMs.
    void nothingElseRevokes_data()
    {
        QTest::addColumn<bool>("up");
        QTest::addColumn<int>("end");
        QTest::addColumn<int>("probe"); // -1: no probe is asked
        QTest::newRow("up, timed out (cut off, silent)") << true << int(LinkEnd::TimedOut) << -1;
        QTest::newRow("up, failed otherwise") << true << int(LinkEnd::Failed) << -1;
        QTest::newRow(
            "never up, closed (a failed handshake: a stranger, another key, another node)")
            << false << int(LinkEnd::Closed) << -1;
        QTest::newRow("never up, refused (never proved alive here)")
            << false << int(LinkEnd::Refused) << -1;
        QTest::newRow("never up, timed out") << false << int(LinkEnd::TimedOut) << -1;
        QTest::newRow("up, closed, probe accepted (it lives: dropped the link)")
            << true << int(LinkEnd::Closed) << int(ProbeResult::Accepted);
        QTest::newRow("up, closed, probe failed (timeout: cut off)")
            << true << int(LinkEnd::Closed) << int(ProbeResult::Failed);
    }
    void nothingElseRevokes()
    {
        QFETCH(bool, up);
        QFETCH(int, end);
        QFETCH(int, probe);
        CrashWatch w(1000);
        const auto link = only<CrashWatch::Open>(w.setTargets(target("6", 1006), 0))->link;
        if (up)
            w.linkUp(link, 1);
        auto a = w.linkEnded(link, static_cast<LinkEnd>(end), 10);
        if (probe < 0) {
            QVERIFY(a.empty());
            QCOMPARE(w.nextRetryAtMs(), std::optional<gms::Ms>(1010));
            QVERIFY(w.tick(1009).empty());
            const auto retried = w.tick(1010);
            const auto *again = only<CrashWatch::Open>(retried);
            QVERIFY(again != nullptr);
            QVERIFY(again->link != link);
        } else {
            QVERIFY(only<CrashWatch::Probe>(a) != nullptr);
            auto b = w.probed(link, static_cast<ProbeResult>(probe), 11);
            if (static_cast<ProbeResult>(probe) == ProbeResult::Accepted) {
                const auto *again = only<CrashWatch::Open>(b); // at once
                QVERIFY(again != nullptr && again->link != link);
            } else {
                QVERIFY(b.empty());
                QVERIFY(only<CrashWatch::Open>(w.tick(1011)) != nullptr);
            }
        }
        QCOMPARE(w.revokes(), std::uint64_t{0});
    }

    // A node that came back with a new lease gets a new link; the old link's end, however late
    // and whatever it is, never revokes the new lease.
    void aNewLeaseIsFencedFromTheOldLink()
    {
        CrashWatch w(1000);
        const auto old = only<CrashWatch::Open>(w.setTargets(target("4", 1004), 0))->link;
        w.linkUp(old, 1);
        auto a = w.setTargets(target("4", 2004), 2);
        QCOMPARE(a.size(), std::size_t{2});
        QCOMPARE(std::get<CrashWatch::Close>(a[0]).link, old);
        const auto fresh = std::get<CrashWatch::Open>(a[1]).link;
        QVERIFY(fresh != old);
        QVERIFY(w.linkEnded(old, LinkEnd::Closed, 3).empty());
        QVERIFY(w.probed(old, ProbeResult::Refused, 3).empty());
        QCOMPARE(w.revokes(), std::uint64_t{0});
        // The new incarnation's own crash revokes its own lease.
        w.linkUp(fresh, 4);
        QVERIFY(only<CrashWatch::Probe>(w.linkEnded(fresh, LinkEnd::Closed, 5)) != nullptr);
        QCOMPARE(only<CrashWatch::Revoke>(w.probed(fresh, ProbeResult::Refused, 6))->lease,
                 std::int64_t{2004});
    }

    // A probe under way when the lease changes: its refusal belongs to the old link.
    void aProbeOfAReplacedLinkRevokesNothing()
    {
        CrashWatch w(1000);
        const auto old = only<CrashWatch::Open>(w.setTargets(target("4", 1004), 0))->link;
        w.linkUp(old, 1);
        QVERIFY(only<CrashWatch::Probe>(w.linkEnded(old, LinkEnd::Closed, 2)) != nullptr);
        const auto a = w.setTargets(target("4", 2004), 3);
        QCOMPARE(a.size(), std::size_t{2});
        QVERIFY(w.probed(old, ProbeResult::Refused, 4).empty());
        QCOMPARE(w.revokes(), std::uint64_t{0});
    }

    void unknownLinksAndEventsOutOfOrderAreIgnored()
    {
        CrashWatch w(1000);
        const auto link = only<CrashWatch::Open>(w.setTargets(target("2", 1002), 0))->link;
        QVERIFY(w.linkUp(link + 99, 1).empty());
        QVERIFY(w.linkEnded(link + 99, LinkEnd::Closed, 1).empty());
        QVERIFY(w.probed(link + 99, ProbeResult::Refused, 1).empty());
        QVERIFY(w.linkEnded(0, LinkEnd::Closed, 1).empty());
        // A probe result for a link that was never asked to probe.
        w.linkUp(link, 1);
        QVERIFY(w.probed(link, ProbeResult::Refused, 2).empty());
        QCOMPARE(w.revokes(), std::uint64_t{0});
        QCOMPARE(w.linksUp(), std::size_t{1});
    }

    void targetsWithoutLeaseOrAddressAreNotWatched()
    {
        CrashWatch w;
        std::map<NodeId, WatchTarget> t{{"1", WatchTarget{"127.0.0.1:7401", 0}},
                                        {"2", WatchTarget{"", 1002}}};
        QVERIFY(w.setTargets(t, 0).empty());
        QCOMPARE(w.watched(), std::size_t{0});
    }

    void droppedTargetsAndClearCloseTheirLinks()
    {
        CrashWatch w;
        auto a = w.setTargets({{"2", WatchTarget{"127.0.0.1:7402", 1002}},
                               {"6", WatchTarget{"127.0.0.1:7406", 1006}}},
                              0);
        QCOMPARE(a.size(), std::size_t{2});
        const auto link6 = std::get<CrashWatch::Open>(a[1]).link;
        const auto dropped = w.setTargets(target("2", 1002), 1);
        const auto *close = only<CrashWatch::Close>(dropped);
        QVERIFY(close != nullptr);
        QCOMPARE(close->link, link6);
        const auto c = w.clear();
        QCOMPARE(c.size(), std::size_t{1});
        QCOMPARE(w.watched(), std::size_t{0});
    }
};

QTEST_APPLESS_MAIN(TestEtcdCrash)
#include "tst_etcd_crash.moc"
