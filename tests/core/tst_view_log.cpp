// The view log (shared/include/dmr/view_log.h): deltas between snapshots, replaying them from
// the base gives every view back (plan included), the log stays within its bounds by folding its
// oldest delta into the base, and a delta's JSON reads back as it was.
//
//   Fig. 5 as an agent sees it: nodes appear as they join (2 6 4 1 3 5), then 2 fails, 4 is
//   drained, 1 loses eth1, 2 comes back and 4 is restored.

#include "dmr/cluster.h"
#include "dmr/topology.h"
#include "dmr/view_log.h"

#include <QFile>
#include <QtTest>

using namespace dmr;

namespace {

// The model's snapshot with only the nodes started so far (an agent knows no others).
Snapshot seen(const ClusterModel &model, const std::set<NodeId> &started, std::int64_t timeMs)
{
    Snapshot s = makeSnapshot(model, "fig5", timeMs);
    for (auto it = s.nodes.begin(); it != s.nodes.end();)
        it = started.count(it->first) != 0 ? std::next(it) : s.nodes.erase(it);
    for (auto it = s.status.begin(); it != s.status.end();)
        it = started.count(it->first) != 0 ? std::next(it) : s.status.erase(it);
    return s;
}

} // namespace

class TestViewLog : public QObject
{
    Q_OBJECT

    TopologyFile fig5_;
    std::vector<Snapshot> views_; // every view, in order

private slots:
    void initTestCase()
    {
        QFile f(QStringLiteral(DMR_TOPOLOGIES "/fig5.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        auto topo = parseTopology(f.readAll().toStdString());
        QVERIFY(topo.ok());
        fig5_ = std::move(topo).value();
        ClusterModel model(fig5_.nodes);
        std::set<NodeId> started;
        std::int64_t t = 1'700'000'000'000;
        const auto step = [&](const Status &status) {
            QVERIFY(status.ok());
            views_.push_back(seen(model, started, t += 1000));
        };
        for (const auto &id : fig5_.joinOrder) {
            started.insert(id);
            step(model.join(id));
        }
        step(model.fail("2"));
        step(model.drain("4"));
        step(model.failAdapter("1", "eth1"));
        step(model.join("2"));
        step(model.join("4"));
    }

    void replayGivesEveryViewBack()
    {
        ViewLog log(1000, 1LL << 40);
        for (std::size_t i = 0; i < views_.size(); ++i)
            log.record(views_[i], "1." + std::to_string(i), views_[i].timeMs);
        QCOMPARE(log.deltas().size(), views_.size() - 1);
        QVERIFY(log.base() == views_.front());
        QCOMPARE(log.baseRev(), 1);
        Snapshot s = log.base();
        for (std::size_t i = 0; i < log.deltas().size(); ++i) {
            const ViewDelta &d = log.deltas()[i];
            QCOMPARE(d.rev, std::int64_t(i) + 2);
            QCOMPARE(d.viewId, "1." + std::to_string(i + 1));
            s = applyDelta(s, d);
            QVERIFY2(s == views_[i + 1], d.viewId.c_str());
        }
        QCOMPARE(log.lastRev(), std::int64_t(views_.size()));
    }

    void deltaSaysOnlyWhatChanged()
    {
        // Node 2 fails (the 7th view): node 2's state, and the groups it was in.
        const ViewDelta d = diffSnapshots(views_[5], views_[6]);
        QCOMPARE(d.status.size(), std::size_t(1));
        QCOMPARE(d.status.begin()->first, NodeId("2"));
        QVERIFY(d.status.begin()->second.state == NodeState::Failed);
        QVERIFY(d.nodes.empty());
        std::set<GroupName> groups;
        for (const auto &v : d.groups)
            groups.insert(v.group);
        QVERIFY(groups == (std::set<GroupName>{"10.0.1.0/24", kGlGroup}));
        // The first join of node 6 brings its interfaces.
        const ViewDelta join = diffSnapshots(views_[0], views_[1]);
        QCOMPARE(join.nodes.size(), std::size_t(1));
        QCOMPARE(join.nodes.front().id, NodeId("6"));
    }

    void boundsFoldIntoTheBase()
    {
        // At most three deltas: the older views fold into the base, which stays replayable.
        ViewLog log(3, 1LL << 40);
        for (std::size_t i = 0; i < views_.size(); ++i)
            log.record(views_[i], "1." + std::to_string(i), views_[i].timeMs);
        QCOMPARE(log.deltas().size(), std::size_t(3));
        const std::size_t first = views_.size() - 4;
        QCOMPARE(log.baseViewId(), "1." + std::to_string(first));
        QCOMPARE(log.baseRev(), std::int64_t(first) + 1);
        QVERIFY(log.base().membership == views_[first].membership);
        QVERIFY(log.base().plan == views_[first].plan);
        Snapshot s = log.base();
        for (const auto &d : log.deltas())
            s = applyDelta(s, d);
        QVERIFY(s == views_.back());

        // An hour: views older than that fold too, but the newest always stays.
        ViewLog hour(1000, 3500);
        for (std::size_t i = 0; i < views_.size(); ++i)
            hour.record(views_[i], "1." + std::to_string(i), views_[i].timeMs);
        QCOMPARE(hour.deltas().size(), std::size_t(4)); // 0, 1, 2 and 3 s old
        ViewLog stale(1000, 10);
        for (std::size_t i = 0; i < 3; ++i)
            stale.record(views_[i], "1." + std::to_string(i), views_[i].timeMs);
        QCOMPARE(stale.deltas().size(), std::size_t(1));
    }

    void jsonRoundTrip()
    {
        for (std::size_t i = 1; i < views_.size(); ++i) {
            ViewDelta d = diffSnapshots(views_[i - 1], views_[i]);
            d.rev = std::int64_t(i);
            d.viewId = "3." + std::to_string(i);
            d.timeMs = views_[i].timeMs;
            const auto back = parseViewDelta(toJson(d));
            QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
            QVERIFY(back.value() == d);
        }
    }

    void badJsonNamesThePath()
    {
        const auto bad = parseViewDelta(
            R"({"rev":1,"view_id":"1.1","time_ms":5,"groups":[{"name":"x","members":[{"node":"1","seq":-1}]}],"status":[],"nodes":[]})");
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().message.find("groups[0].members[0].seq") != std::string::npos,
                 bad.error().message.c_str());
        const auto extra = parseViewDelta(
            R"({"rev":1,"view_id":"1.1","time_ms":5,"groups":[],"status":[],"nodes":[],"x":1})");
        QVERIFY(!extra.ok());
        QVERIFY2(extra.error().message.find("x: unknown field") != std::string::npos,
                 extra.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestViewLog)
#include "tst_view_log.moc"
