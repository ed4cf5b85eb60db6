// One conformance suite for both membership backends (backend/agent/membership_service.h):
// real dmr-agent processes on 127.0.0.1, Fig. 5 (fig5.json), each case run once on the embedded
// protocol and once on a real etcd that the test starts itself (Debian's etcd-server, one member
// on loopback, free ports, a temporary data directory, killed at the end).
//
//      network A 10.0.1.0/24: 1 2 3        network B 10.0.2.0/24: 4 5 6
//      network C 10.0.3.0/24: 1 4          started in the order 2 6 4 1 3 5
//
// The rows are backend x case: ordering, election, failure (kill -9), the kill drill, rejoin,
// graceful leave, drain. The etcd rows are skipped, with the reason, only when the etcd
// binary is missing (./dmr installs it). Some cases are etcd's own: several clusters sharing
// one etcd, and an etcd outage (degraded, nothing flaps, resynchronised on return).
// Every wait is a condition polled with a generous deadline.

#include "agent_cluster.h"
#include "etcd_server.h"

#include <QJsonDocument>
#include <QTcpServer>
#include <QtTest>

#include <functional>
#include <map>

namespace {

constexpr int kDeadlineMs = 30000;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QStringList nodeList(const QJsonArray &members)
{
    QStringList out;
    for (const auto &m : members)
        out << m.toObject()[s("node")].toString();
    return out;
}

QStringList members(const QJsonObject &cluster, const QString &group)
{
    const auto snapshot = cluster[s("snapshot")].toObject();
    if (group == s("GL_group"))
        return nodeList(snapshot[s("gl_group")].toArray());
    for (const auto &g : snapshot[s("groups")].toArray())
        if (g.toObject()[s("name")].toString() == group)
            return nodeList(g.toObject()[s("members")].toArray());
    return {};
}

QStringList agentOrder(const QJsonObject &cluster)
{
    QStringList out;
    for (const auto &a : cluster[s("agents")].toArray())
        out << a.toObject()[s("id")].toString();
    return out;
}

QJsonArray failovers(const AgentCluster &c, const QString &id)
{
    return c.ask(id, {{s("type"), s("get-history")}}, false)[s("result")]
        .toObject()[s("failovers")]
        .toArray();
}

QJsonObject drill(const AgentCluster &c, const QString &via, const QString &action,
                  const QString &node)
{
    return c.ask(via, {{s("type"), s("drill")},
                       {s("action"), action},
                       {s("node"), node},
                       {s("reason"), s("conformance")}});
}

const QStringList kFig5Order{s("2"), s("6"), s("4"), s("1"), s("3"), s("5")};
const QString kA = s("10.0.1.0/24");
const QString kB = s("10.0.2.0/24");
const QString kC = s("10.0.3.0/24");

} // namespace

class TestMembershipConformance : public QObject
{
    Q_OBJECT

    // One row's world: the backend's etcd (if any) and the cluster(s).
    std::unique_ptr<EtcdServer> etcd_;
    QString backend_;
    int basePort_ = 0;

    std::unique_ptr<AgentCluster> cluster(const QString &name = s("test"), int portOffset = 0,
                                          QStringList endpoints = {})
    {
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH), basePort_ + portOffset);
        c->setClusterName(name);
        if (backend_ == s("etcd"))
            c->useEtcd(endpoints.isEmpty() ? QStringList{etcd_->endpoint()} : endpoints);
        return c;
    }

    std::unique_ptr<AgentCluster> fig5Started()
    {
        auto c = cluster();
        c->addFig5();
        if (!c->startAll(kDeadlineMs))
            return nullptr;
        if (!AgentCluster::waitFor([&] { return c->agree(c->ids(), s("2")); }, kDeadlineMs))
            return nullptr;
        // On etcd, every agent's crash links up (the peers proved themselves): a crash from here
        // on is seen by its watchers, not by its lease's expiry.
        if (backend_ == s("etcd") &&
            !AgentCluster::waitFor([&] { return crashLinksUp(*c); }, kDeadlineMs))
            return nullptr;
        return c;
    }

    static bool crashLinksUp(const AgentCluster &c)
    {
        for (const auto &id : c.ids()) {
            const auto links = c.state(id)[s("crash_links")].toObject();
            if (links[s("watched")].toInt() == 0 ||
                links[s("up")].toInt() != links[s("watched")].toInt())
                return false;
        }
        return true;
    }

    // A crash (kill -9): its connections closed by its host. On etcd a survivor that watches it
    // then revokes its lease at once (dmr/etcd_crash.h), and says so in a down note: the same
    // cause on both backends.
    QString crashCause() const { return s("connection-lost"); }
    // A node that stops answering while its process and ports stay (the kill drill, SIGSTOP):
    // nothing closed, so on etcd its lease expires.
    QString silenceCause() const
    {
        return backend_ == s("etcd") ? s("lease-expired") : s("connection-lost");
    }

    // ---- The cases --------------------------------------------------------------------------

    // Every node holds the same order: first joined first, per group and for the agents.
    void ordering()
    {
        auto c = fig5Started();
        QVERIFY(c);
        for (const auto &id : c->ids()) {
            const auto cl = c->cluster(id);
            QCOMPARE(agentOrder(cl), kFig5Order);
            QCOMPARE(members(cl, kA), (QStringList{s("2"), s("1"), s("3")}));
            QCOMPARE(members(cl, kB), (QStringList{s("6"), s("4"), s("5")}));
            QCOMPARE(members(cl, kC), (QStringList{s("4"), s("1")}));
        }
    }

    // Group leaders are each group's first member; they form the GL_group in the order they
    // became leaders, and its first member is the system leader. Fig. 6's tunnels follow.
    void election()
    {
        auto c = fig5Started();
        QVERIFY(c);
        QVERIFY(AgentCluster::waitFor(
            [&] {
                for (const auto &id : c->ids())
                    if (members(c->cluster(id), s("GL_group")) !=
                        QStringList{s("2"), s("6"), s("4")})
                        return false;
                return true;
            },
            kDeadlineMs));
        QCOMPARE(AgentCluster::leadsOf(c->state(s("2"))), QStringList{kA});
        QCOMPARE(AgentCluster::leadsOf(c->state(s("6"))), QStringList{kB});
        QCOMPARE(AgentCluster::leadsOf(c->state(s("4"))), QStringList{kC});
        QCOMPARE(c->state(s("2"))[s("role")].toString(), s("system-leader"));
        QCOMPARE(c->state(s("6"))[s("role")].toString(), s("group-leader"));
        QCOMPARE(c->state(s("5"))[s("role")].toString(), s("member"));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return AgentCluster::tunnelsOf(c->state(s("2"))) == QStringList{s("2-4"), s("2-6")};
            },
            kDeadlineMs));
    }

    // kill -9 of the system leader: every survivor agrees on its successors (6 leads the
    // GL_group, 1 leads A and joins the GL_group last) and records why.
    void failure()
    {
        auto c = fig5Started();
        QVERIFY(c);
        c->kill9(s("2"));
        const QStringList survivors{s("6"), s("4"), s("1"), s("3"), s("5")};
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(survivors, s("6")); }, kDeadlineMs));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                for (const auto &id : survivors)
                    if (members(c->cluster(id), s("GL_group")) !=
                        QStringList{s("6"), s("4"), s("1")})
                        return false;
                return true;
            },
            kDeadlineMs));
        QCOMPARE(AgentCluster::leadsOf(c->state(s("1"))), QStringList{kA});
        QCOMPARE(members(c->cluster(s("3")), kA), (QStringList{s("1"), s("3")}));
        const auto history = failovers(*c, s("5"));
        QVERIFY(!history.isEmpty());
        const auto r = history.last().toObject();
        QCOMPARE(r[s("node")].toString(), s("2"));
        QCOMPARE(r[s("cause")].toString(), crashCause());
        if (backend_ == s("etcd")) // decided by the revoker, from its down note
            QCOMPARE(r[s("silent_ms")].toInt(), 0);
        QCOMPARE(r[s("successors")].toObject()[s("system-leader")].toString(), s("6"));
        QCOMPARE(r[s("successors")].toObject()[s("leader ") + kA].toString(), s("1"));
    }

    // A killed node restarted at once (on etcd: before its old lease expired) comes back at the
    // end of every list and leads nothing.
    void rejoin()
    {
        auto c = fig5Started();
        QVERIFY(c);
        c->kill9(s("6"));
        QVERIFY(c->start(s("6"), kDeadlineMs));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return c->agree(c->ids(), s("2")) &&
                       members(c->cluster(s("2")), kB) == QStringList{s("4"), s("5"), s("6")};
            },
            kDeadlineMs));
        QVERIFY(AgentCluster::leadsOf(c->state(s("6"))).isEmpty());
        QCOMPARE(agentOrder(c->cluster(s("3"))).last(), s("6"));
        QCOMPARE(AgentCluster::leadsOf(c->state(s("4"))), (QStringList{kB, kC}));
    }

    // The kill drill (what `dmrctl drill kill 2` does): node 2 stops answering as after a crash,
    // while its process and control port stay; the others fail over, and the restore brings it
    // back at the end of every list (on etcd: its old lease revoked, a new one granted).
    void killDrill()
    {
        auto c = fig5Started();
        QVERIFY(c);
        const auto reply = drill(*c, s("6"), s("kill"), s("2"));
        QVERIFY2(reply[s("ok")].toBool(), qPrintable(QJsonDocument(reply).toJson()));
        const QStringList survivors{s("6"), s("4"), s("1"), s("3"), s("5")};
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(survivors, s("6")); }, kDeadlineMs));
        QCOMPARE(c->state(s("2"))[s("state")].toString(), s("killed"));
        const QJsonObject theirs = failovers(*c, s("3")).last().toObject();
        QCOMPARE(theirs[s("cause")].toString(), silenceCause());
        QCOMPARE(theirs[s("node")].toString(), s("2"));
        QVERIFY(drill(*c, s("2"), s("restore"), s("2"))[s("ok")].toBool());
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return c->agree(c->ids(), s("6")) &&
                       members(c->cluster(s("3")), kA) == QStringList{s("1"), s("3"), s("2")};
            },
            kDeadlineMs));
        QCOMPARE(agentOrder(c->cluster(s("5"))).last(), s("2"));
        QVERIFY(AgentCluster::leadsOf(c->state(s("2"))).isEmpty());
        // Back, node 2 holds the record of its own kill as the others recorded it (same view,
        // cause and successors): the coordinator of the view it rejoined told it.
        QJsonObject own;
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         for (const auto &f : failovers(*c, s("2")))
                             if (f.toObject()[s("node")].toString() == s("2") &&
                                 f.toObject()[s("view_id")] == theirs[s("view_id")])
                                 own = f.toObject();
                         return !own.isEmpty();
                     },
                     kDeadlineMs),
                 qPrintable(QJsonDocument(failovers(*c, s("2"))).toJson()));
        QJsonObject told; // the teller's record: the same times (with etcd, each agent has its
                          // own detection time)
        const QString teller = agentOrder(c->cluster(s("5"))).first();
        for (const auto &f : failovers(*c, teller))
            if (f.toObject()[s("node")].toString() == s("2") &&
                f.toObject()[s("view_id")] == theirs[s("view_id")])
                told = f.toObject();
        QVERIFY2(!told.isEmpty(), qPrintable(teller));
        for (const char *key :
             {"cause", "roles", "successors", "failed_ms", "detected_ms", "elected_ms", "total_ms"})
            QVERIFY2(own[s(key)] == told[s(key)], key);
    }

    // etcd: the crash path revokes only what crashed. A crash of a node that leads nothing
    // (5, watched through the ring) takes it out at once too; a silent node (SIGSTOP of the
    // system leader: its sockets stay open, nothing is refused) waits for its lease's TTL, is
    // recorded as such, and nobody revokes it: it comes back by rejoining at the end.
    void crashAndSilence()
    {
        auto c = fig5Started();
        QVERIFY(c);
        // An agent's log file outlives its cluster (rows on the same ports append to it): only
        // what this row's agents wrote counts.
        std::map<QString, qsizetype> logFrom;
        for (const auto &id : c->ids())
            logFrom[id] = c->logOf(id).size();
        const auto logOf = [&](const QString &id) { return c->logOf(id).mid(logFrom[id]); };
        c->kill9(s("5"));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                for (const auto &id : {s("2"), s("6"), s("4"), s("1"), s("3")})
                    if (members(c->cluster(id), kB) != QStringList{s("6"), s("4")})
                        return false;
                return true;
            },
            kDeadlineMs));
        // The ring watcher of 5 is 3 (the node before it); it revoked the lease, and said so.
        QVERIFY(logOf(s("3")).contains(s("node 5 crashed")));
        QVERIFY(logOf(s("3")).contains(s(" revoked")));
        QCOMPARE(c->state(s("3"))[s("crash_links")].toObject()[s("revoked")].toInt(), 1);

        c->sigstop(s("2"));
        const QStringList survivors{s("6"), s("4"), s("1"), s("3")};
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(survivors, s("6")); }, kDeadlineMs));
        const auto r = failovers(*c, s("4")).last().toObject();
        QCOMPARE(r[s("node")].toString(), s("2"));
        QCOMPARE(r[s("cause")].toString(), s("lease-expired"));
        for (const auto &id : survivors)
            QVERIFY2(!logOf(id).contains(s("node 2 crashed")), qPrintable(id));
        c->sigcont(s("2"));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return c->agree({s("6"), s("4"), s("1"), s("3"), s("2")}, s("6")) &&
                       agentOrder(c->cluster(s("3"))).last() == s("2");
            },
            kDeadlineMs));
    }

    // A graceful stop (SIGTERM): the node says goodbye, the others take it out at once with
    // cause "left" (no failure timeout, no lease expiry).
    void leave()
    {
        auto c = fig5Started();
        QVERIFY(c);
        c->terminate(s("6"));
        const QStringList survivors{s("2"), s("4"), s("1"), s("3"), s("5")};
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return c->agree(survivors, s("2")) &&
                       AgentCluster::leadsOf(c->state(s("4"))).size() == 2;
            },
            kDeadlineMs));
        const auto history = failovers(*c, s("2"));
        QVERIFY(!history.isEmpty());
        const auto r = history.last().toObject();
        QCOMPARE(r[s("node")].toString(), s("6"));
        QCOMPARE(r[s("cause")].toString(), s("left"));
        QCOMPARE(r[s("silent_ms")].toInt(), 0);
    }

    // Drain of B's leader: its successor (4) routes B and its tunnel carries B before the
    // drained node (6) stops, and before the root (2) closes the tunnel to 6.
    void drain()
    {
        auto c = fig5Started();
        QVERIFY(c);
        QVERIFY(AgentCluster::waitFor(
            [&] { return AgentCluster::tunnelsOf(c->state(s("6"))) == QStringList{s("2-6")}; },
            kDeadlineMs));
        const auto reply = drill(*c, s("2"), s("drain"), s("6"));
        QVERIFY2(reply[s("ok")].toBool(), qPrintable(QJsonDocument(reply).toJson()));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return AgentCluster::leadsOf(c->state(s("4"))) == QStringList{kB, kC} &&
                       AgentCluster::tunnelsOf(c->state(s("6"))).isEmpty() &&
                       AgentCluster::tunnelsOf(c->state(s("2"))) == QStringList{s("2-4")};
            },
            kDeadlineMs));
        const QString handover = c->drainOfSixMadeBeforeBreak();
        QVERIFY2(handover.isEmpty(), qPrintable(handover));
        const auto history = failovers(*c, s("1"));
        QVERIFY(!history.isEmpty());
        QCOMPARE(history.last().toObject()[s("cause")].toString(), s("drain"));
        // Restored, it comes back last on B; leadership stays with 4.
        QVERIFY(drill(*c, s("6"), s("restore"), s("6"))[s("ok")].toBool());
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return members(c->cluster(s("1")), kB) == QStringList{s("4"), s("5"), s("6")};
            },
            kDeadlineMs));
    }

    // Several clusters on one etcd, with the same node ids: each sees only its own nodes, and a
    // failure in one changes nothing in the other.
    void sharedEtcd()
    {
        auto red = cluster(s("red"), 0);
        auto blue = cluster(s("blue"), 20);
        auto redder = cluster(s("red2"), 40); // a name that red's is a prefix of
        for (auto *c : {red.get(), blue.get(), redder.get()}) {
            c->addNode(s("1"), {s("eth0=10.0.1.1/24")});
            c->addNode(s("2"), {s("eth0=10.0.1.2/24")});
        }
        red->addNode(s("3"), {s("eth0=10.0.1.3/24")});
        QVERIFY(red->startAll(kDeadlineMs));
        QVERIFY(blue->start(s("2"), kDeadlineMs)); // blue's order is the other way round
        QVERIFY(blue->start(s("1"), kDeadlineMs));
        QVERIFY(redder->startAll(kDeadlineMs));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return red->agree(red->ids(), s("1")) && blue->agree(blue->ids(), s("2")) &&
                       redder->agree(redder->ids(), s("1"));
            },
            kDeadlineMs));
        QCOMPARE(members(red->cluster(s("2")), kA), (QStringList{s("1"), s("2"), s("3")}));
        QCOMPARE(members(blue->cluster(s("1")), kA), (QStringList{s("2"), s("1")}));
        QCOMPARE(members(redder->cluster(s("1")), kA), (QStringList{s("1"), s("2")}));
        const QString blueView = blue->state(s("1"))[s("view_id")].toString();
        red->kill9(s("1"));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return red->agree({s("2"), s("3")}, s("2"));
            },
            kDeadlineMs));
        QCOMPARE(blue->state(s("1"))[s("system_leader")].toString(), s("2"));
        QCOMPARE(blue->state(s("1"))[s("view_id")].toString(), blueView);
        QVERIFY(failovers(*blue, s("1")).isEmpty());
        QVERIFY(failovers(*redder, s("2")).isEmpty());
        QCOMPARE(members(redder->cluster(s("2")), kA), (QStringList{s("1"), s("2")}));
    }

    // etcd goes away (killed) for longer than the lease TTL: every agent reports itself degraded
    // and keeps its view, plan and tunnels; when etcd returns (same data) they resynchronise,
    // and nobody failed over. The agents are given a dead endpoint first: they move on to the
    // live one.
    void etcdOutage()
    {
        QTcpServer closed; // a port that refuses: bound, then closed
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const QString dead = QStringLiteral("127.0.0.1:%1").arg(closed.serverPort());
        closed.close();
        auto c = cluster(s("test"), 0, {dead, etcd_->endpoint()});
        c->addFig5();
        QVERIFY(c->startAll(kDeadlineMs));
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(c->ids(), s("2")); }, kDeadlineMs));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return AgentCluster::tunnelsOf(c->state(s("2"))) == QStringList{s("2-4"), s("2-6")};
            },
            kDeadlineMs));
        std::map<QString, QJsonObject> before;
        for (const auto &id : c->ids())
            before[id] = c->state(id);
        etcd_->kill();
        QVERIFY(AgentCluster::waitFor(
            [&] {
                for (const auto &id : c->ids()) {
                    const auto st = c->state(id);
                    if (!st[s("degraded")].toBool() ||
                        st[s("membership")].toString() != s("degraded"))
                        return false;
                }
                return true;
            },
            kDeadlineMs));
        // Longer than the TTL, and nothing moves.
        QTest::qWait(3000);
        for (const auto &id : c->ids()) {
            const auto st = c->state(id);
            QVERIFY(st[s("degraded")].toBool());
            QCOMPARE(st[s("view_id")].toString(), before[id][s("view_id")].toString());
            QCOMPARE(AgentCluster::tunnelsOf(st), AgentCluster::tunnelsOf(before[id]));
            QCOMPARE(st[s("data_plane_log")].toArray().size(),
                     before[id][s("data_plane_log")].toArray().size());
        }
        QVERIFY2(etcd_->restart(), qPrintable(etcd_->error()));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                for (const auto &id : c->ids())
                    if (c->state(id)[s("degraded")].toBool())
                        return false;
                return c->agree(c->ids(), s("2"));
            },
            kDeadlineMs));
        for (const auto &id : c->ids()) {
            QCOMPARE(AgentCluster::tunnelsOf(c->state(id)), AgentCluster::tunnelsOf(before[id]));
            QVERIFY(failovers(*c, id).isEmpty());
        }
        QCOMPARE(agentOrder(c->cluster(s("5"))), kFig5Order);
    }

private slots:
    void conformance_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<QString>("scenario");
        for (const char *backend : {"embedded", "etcd"})
            for (const char *scenario :
                 {"ordering", "election", "failure", "kill-drill", "rejoin", "leave", "drain"})
                QTest::addRow("%s/%s", backend, scenario) << s(backend) << s(scenario);
        QTest::addRow("etcd/shared-etcd") << s("etcd") << s("shared-etcd");
        QTest::addRow("etcd/outage") << s("etcd") << s("outage");
        QTest::addRow("etcd/crash-and-silence") << s("etcd") << s("crash-and-silence");
    }

    void conformance()
    {
        QFETCH(QString, backend);
        QFETCH(QString, scenario);
        backend_ = backend;
        // Each row on ports of its own: a closed connection holds its port for a while.
        static int row = 0;
        basePort_ = 27000 + 60 * (row++ % 16);
        etcd_.reset();
        if (backend == s("etcd")) {
            if (EtcdServer::binary().isEmpty())
                QSKIP("etcd is not installed: ./dmr installs Debian's etcd-server");
            etcd_ = std::make_unique<EtcdServer>();
            QVERIFY2(etcd_->start(), qPrintable(etcd_->error()));
        }
        const std::map<QString, std::function<void()>> cases{
            {s("ordering"), [this] { ordering(); }},
            {s("election"), [this] { election(); }},
            {s("failure"), [this] { failure(); }},
            {s("kill-drill"), [this] { killDrill(); }},
            {s("rejoin"), [this] { rejoin(); }},
            {s("leave"), [this] { leave(); }},
            {s("drain"), [this] { drain(); }},
            {s("shared-etcd"), [this] { sharedEtcd(); }},
            {s("outage"), [this] { etcdOutage(); }},
            {s("crash-and-silence"), [this] { crashAndSilence(); }},
        };
        cases.at(scenario)();
    }

    void cleanup() { etcd_.reset(); }
};

QTEST_GUILESS_MAIN(TestMembershipConformance)
#include "tst_membership_conformance.moc"
