// Real dmr-agent processes on 127.0.0.1, Fig. 5 (resources/topologies/fig5.json):
//
//      network A 10.0.1.0/24: 1 2 3        network B 10.0.2.0/24: 4 5 6
//      network C 10.0.3.0/24: 1 4          started in the order 2 6 4 1 3 5
//
// Every wait is a condition polled with a generous deadline: a loaded 2-core machine must not
// make these tests flaky.

#include "agent_cluster.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QtTest>

#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 20000;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QStringList members(const QJsonObject &cluster, const QString &group)
{
    for (const auto &g : cluster[s("snapshot")].toObject()[s("groups")].toArray()) {
        if (g.toObject()[s("name")].toString() != group)
            continue;
        QStringList out;
        for (const auto &m : g.toObject()[s("members")].toArray())
            out << m.toObject()[s("node")].toString();
        return out;
    }
    return {};
}

QJsonObject drill(const AgentCluster &c, const QString &via, const QString &action,
                  const QString &node, const QString &iface = {}, bool asOperator = true)
{
    QJsonObject r{{s("type"), s("drill")},
                  {s("action"), action},
                  {s("node"), node},
                  {s("reason"), s("test drill")}};
    if (!iface.isEmpty())
        r[s("iface")] = iface;
    return c.ask(via, r, asOperator);
}

// What is wrong with one get-history record, or empty: no phase negative, the phases add up to
// the total, each moment at or after the one before it (PROTOCOL.md, get-history).
QString recordProblem(const QJsonObject &r)
{
    const auto has = [&](const char *k) { return r.contains(s(k)); };
    for (const char *k : {"failed_ms", "detected_ms", "elected_ms", "detection_ms", "election_ms",
                          "skew_ms", "tunnels_up_ms", "tunnels_ms", "total_ms"})
        if (!has(k))
            return s("no %1").arg(s(k));
    const auto ms = [&](const char *k) { return r[s(k)].toInteger(); };
    for (const char *k : {"detection_ms", "election_ms", "skew_ms"})
        if (ms(k) < 0)
            return s("%1 is negative: %2").arg(s(k)).arg(ms(k));
    if (ms("detected_ms") - ms("failed_ms") != ms("detection_ms"))
        return s("detection is not detected - failed");
    if (ms("elected_ms") - ms("detected_ms") != ms("election_ms"))
        return s("election is not elected - detected");
    if (r[s("total_ms")].isNull())
        return r[s("tunnels_ms")].isNull() && r[s("tunnels_up_ms")].isNull()
                   ? QString()
                   : s("tunnels without a total");
    for (const char *k : {"tunnels_ms", "total_ms"})
        if (ms(k) < 0)
            return s("%1 is negative: %2").arg(s(k)).arg(ms(k));
    if (ms("tunnels_up_ms") - ms("elected_ms") != ms("tunnels_ms"))
        return s("tunnels is not tunnels up - elected");
    if (ms("detection_ms") + ms("election_ms") + ms("tunnels_ms") != ms("total_ms"))
        return s("total %1 is not detection + election + tunnels").arg(ms("total_ms"));
    return {};
}

} // namespace

class TestAgentCluster : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<AgentCluster> fig5(int basePort)
    {
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH), basePort);
        c->addFig5();
        return c;
    }

private slots:
    void fig5ConvergesToFig6()
    {
        auto c = fig5(21000);
        QVERIFY(c->startAll());
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(c->ids(), s("2")); }, kDeadlineMs));
        QVERIFY(AgentCluster::waitFor(
            [&] { return AgentCluster::tunnelsOf(c->state(s("2"))).size() == 2; }, kDeadlineMs));
        QCOMPARE(AgentCluster::tunnelsOf(c->state(s("2"))), (QStringList{s("2-4"), s("2-6")}));
        QCOMPARE(AgentCluster::tunnelsOf(c->state(s("6"))), QStringList{s("2-6")});
        QCOMPARE(AgentCluster::tunnelsOf(c->state(s("4"))), QStringList{s("2-4")});
        for (const char *idle : {"1", "3", "5"})
            QVERIFY(AgentCluster::tunnelsOf(c->state(s(idle))).isEmpty());
        QCOMPARE(AgentCluster::leadsOf(c->state(s("2"))), QStringList{s("10.0.1.0/24")});
        QCOMPARE(AgentCluster::leadsOf(c->state(s("6"))), QStringList{s("10.0.2.0/24")});
        QCOMPARE(AgentCluster::leadsOf(c->state(s("4"))), QStringList{s("10.0.3.0/24")});
        // Every agent holds the same plan: the snapshots' plan parts are equal.
        const auto ref = c->cluster(s("5"))[s("snapshot")].toObject();
        for (const auto &id : c->ids()) {
            const auto snap = c->cluster(id)[s("snapshot")].toObject();
            for (const char *key :
                 {"leaders", "gl_order", "system_leader", "tunnels", "routes", "groups"})
                QCOMPARE(snap[s(key)], ref[s(key)]);
        }
        QCOMPARE(members(c->cluster(s("1")), s("10.0.1.0/24")),
                 (QStringList{s("2"), s("1"), s("3")}));
        QCOMPARE(members(c->cluster(s("1")), s("10.0.2.0/24")),
                 (QStringList{s("6"), s("4"), s("5")}));
        QCOMPARE(members(c->cluster(s("1")), s("10.0.3.0/24")), (QStringList{s("4"), s("1")}));
    }

    void killNineOfTheSystemLeader()
    {
        auto c = fig5(21100);
        QVERIFY(c->startAll());
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(c->ids(), s("2")); }, kDeadlineMs));
        // Follow node 6's events across the kill.
        QTcpSocket events;
        events.connectToHost(s("127.0.0.1"), static_cast<quint16>(c->controlPort(s("6"))));
        QVERIFY(events.waitForConnected(5000));
        events.write("{\"type\":\"hello\",\"protocol\":1,\"client\":\"tst\"}\n"
                     "{\"type\":\"subscribe\",\"id\":1}\n");
        QVERIFY(AgentCluster::waitFor(
            [&] {
                events.waitForReadyRead(50);
                return events.peek(1 << 20).count('\n') >= 2; // hello and subscribe replies
            },
            kDeadlineMs));
        events.readAll();
        c->kill9(s("2"));
        // The system leader's move is a failover event of the GL_group (PROTOCOL.md, Events).
        QByteArray seen;
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         events.waitForReadyRead(50);
                         seen += events.readAll();
                         return seen.contains("\"event\":\"failover\"") &&
                                seen.contains(
                                    "{\"group\":\"GL_group\",\"from\":\"2\",\"to\":\"6\"");
                     },
                     kDeadlineMs),
                 seen.constData());
        const QStringList survivors{s("6"), s("4"), s("1"), s("3"), s("5")};
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(survivors, s("6")); }, kDeadlineMs));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return AgentCluster::tunnelsOf(c->state(s("6"))) == QStringList{s("6-1"), s("6-4")};
            },
            kDeadlineMs));
        QCOMPARE(AgentCluster::leadsOf(c->state(s("1"))), QStringList{s("10.0.1.0/24")});
        const auto ref = c->cluster(s("3"))[s("snapshot")].toObject();
        for (const auto &id : survivors)
            QCOMPARE(c->cluster(id)[s("snapshot")].toObject()[s("tunnels")], ref[s("tunnels")]);
        // The failover is in the history, with its roles and durations.
        QJsonObject record;
        QVERIFY(AgentCluster::waitFor(
            [&] {
                const auto h = c->ask(s("6"), {{s("type"), s("get-history")}});
                for (const auto &r : h[s("result")].toObject()[s("failovers")].toArray())
                    if (r.toObject()[s("node")].toString() == s("2") &&
                        !r.toObject()[s("tunnels_up_ms")].isNull())
                        record = r.toObject();
                return !record.isEmpty();
            },
            kDeadlineMs));
        QCOMPARE(record[s("cause")].toString(), s("connection-lost"));
        const auto roles = record[s("roles")].toArray();
        QVERIFY(roles.contains(QJsonValue(s("system-leader"))));
        QVERIFY(roles.contains(QJsonValue(s("leader 10.0.1.0/24"))));
        QCOMPARE(record[s("successors")].toObject()[s("system-leader")].toString(), s("6"));
        QVERIFY(record[s("election_ms")].toDouble() >= 0);
        QVERIFY(record[s("tunnels_ms")].toDouble() >= 0);
    }

    void drainIsMakeBeforeBreak()
    {
        auto c = fig5(21200);
        QVERIFY(c->startAll());
        QVERIFY(AgentCluster::waitFor(
            [&] { return AgentCluster::tunnelsOf(c->state(s("6"))) == QStringList{s("2-6")}; },
            kDeadlineMs));
        // Drain node 6 (leader of B) through node 2: node 4 takes B over, so the tunnel 2-4
        // is updated to carry B, then 2-6 closes and node 6 stops routing B.
        const auto reply = drill(*c, s("2"), s("drain"), s("6"));
        QVERIFY2(reply[s("ok")].toBool(), qPrintable(QJsonDocument(reply).toJson()));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return AgentCluster::leadsOf(c->state(s("4"))) ==
                           QStringList{s("10.0.2.0/24"), s("10.0.3.0/24")} &&
                       AgentCluster::tunnelsOf(c->state(s("6"))).isEmpty() &&
                       AgentCluster::tunnelsOf(c->state(s("2"))) == QStringList{s("2-4")};
            },
            kDeadlineMs));
        const QString handover = c->drainOfSixMadeBeforeBreak();
        QVERIFY2(handover.isEmpty(), qPrintable(handover));
        QCOMPARE(c->state(s("6"))[s("state")].toString(), s("drained"));
        // Restore: node 6 comes back last on B, and leadership stays with node 4.
        QVERIFY(drill(*c, s("6"), s("restore"), s("6"))[s("ok")].toBool());
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return members(c->cluster(s("1")), s("10.0.2.0/24")) ==
                       QStringList{s("4"), s("5"), s("6")};
            },
            kDeadlineMs));
    }

    void failAdapter()
    {
        auto c = fig5(21300);
        QVERIFY(c->startAll());
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(c->ids(), s("2")); }, kDeadlineMs));
        QVERIFY(drill(*c, s("4"), s("fail-adapter"), s("4"), s("eth1"))[s("ok")].toBool());
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return AgentCluster::leadsOf(c->state(s("1"))) == QStringList{s("10.0.3.0/24")} &&
                       AgentCluster::tunnelsOf(c->state(s("2"))) == QStringList{s("2-1"), s("2-6")};
            },
            kDeadlineMs));
        QCOMPARE(members(c->cluster(s("3")), s("10.0.3.0/24")), QStringList{s("1")});
        QCOMPARE(c->state(s("4"))[s("failed_adapters")].toArray().first().toString(), s("eth1"));
        // An unknown interface is refused with a reason.
        const auto bad = drill(*c, s("4"), s("fail-adapter"), s("4"), s("eth9"));
        QVERIFY(!bad[s("ok")].toBool());
        QVERIFY(bad[s("message")].toString().contains(s("eth9")));
        QVERIFY(drill(*c, s("4"), s("restore"), s("4"), s("eth1"))[s("ok")].toBool());
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return members(c->cluster(s("3")), s("10.0.3.0/24")) == QStringList{s("1"), s("4")};
            },
            kDeadlineMs));
    }

    // Every agent's record of every failover holds together, through each kind of drill: the
    // issue's records had "Tunnels -2 ms, Total -1 ms" after an adapter or a drain drill (a new
    // routing point's stamp from before this agent installed the view), and after a kill a total
    // shorter than the node's silence.
    void failoverRecordsHoldTogether()
    {
        auto c = fig5(0);
        QVERIFY(c->startAll());
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(c->ids(), s("2")); }, kDeadlineMs));
        int checked = 0;
        QStringList seen; // "cause on agent"
        const auto checkAll = [&](const QString &after, const QString &node, const QString &cause) {
            // Wait until the failover's record is complete on every agent in the view.
            QStringList problems;
            const bool complete = AgentCluster::waitFor(
                [&] {
                    problems.clear();
                    bool all = true;
                    for (const auto &id : c->ids()) {
                        const auto reply = c->ask(id, {{s("type"), s("get-history")}}, false);
                        if (reply.isEmpty())
                            continue; // a killed agent still answers; a slow one may not
                        bool found = false;
                        for (const auto &f :
                             reply[s("result")].toObject()[s("failovers")].toArray()) {
                            const QJsonObject r = f.toObject();
                            const QString why = recordProblem(r);
                            if (!why.isEmpty())
                                problems << s("%1: agent %2, failover of %3 (%4): %5 in %6")
                                                .arg(after, id, r[s("node")].toString(),
                                                     r[s("cause")].toString(), why,
                                                     QString::fromUtf8(QJsonDocument(r).toJson(
                                                         QJsonDocument::Compact)));
                            if (r[s("node")].toString() == node &&
                                r[s("cause")].toString() == cause && !r[s("total_ms")].isNull()) {
                                found = true;
                                seen << s("%1 on %2").arg(cause, id);
                            }
                        }
                        all = all && (found || id == node);
                    }
                    return all && problems.isEmpty();
                },
                kDeadlineMs);
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
            QVERIFY2(complete, qPrintable(after + s(": a record is missing or incomplete")));
            ++checked;
        };
        const auto expect = [&](const QJsonObject &reply) {
            QVERIFY2(reply[s("ok")].toBool(),
                     QJsonDocument(reply).toJson(QJsonDocument::Compact).constData());
        };

        // 4 leads C: its adapter there fails, and 1 takes C over.
        expect(drill(*c, s("5"), s("fail-adapter"), s("4"), s("eth1")));
        checkAll(s("fail-adapter 4 eth1"), s("4"), s("adapter"));
        expect(drill(*c, s("5"), s("restore"), s("4"), s("eth1")));
        // 6 leads B: drained, 4 takes B over.
        expect(drill(*c, s("5"), s("drain"), s("6")));
        checkAll(s("drain 6"), s("6"), s("drain"));
        expect(drill(*c, s("5"), s("restore"), s("6")));
        // 2, the system leader, killed: 6 takes over the system, 1 network A.
        expect(drill(*c, s("5"), s("kill"), s("2")));
        checkAll(s("kill 2"), s("2"), s("connection-lost"));
        expect(drill(*c, s("5"), s("restore"), s("2")));
        QVERIFY(AgentCluster::waitFor(
            [&] { return members(c->cluster(s("5")), s("10.0.1.0/24")).contains(s("2")); },
            kDeadlineMs));
        // After the restores, every record of every agent (the restored ones too) still holds.
        checkAll(s("restores"), s("2"), s("connection-lost"));
        QCOMPARE(checked, 4);
        qInfo("records checked: %s", qPrintable(seen.mid(0, 12).join(s(", "))));
    }

    void killedNodeRestartedRejoinsAtTheEnd()
    {
        auto c = fig5(21400);
        QVERIFY(c->startAll());
        c->kill9(s("6"));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return c->agree({s("2"), s("4"), s("1"), s("3"), s("5")}, s("2")) &&
                       AgentCluster::leadsOf(c->state(s("4"))).size() == 2;
            },
            kDeadlineMs));
        QVERIFY(c->start(s("6")));
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(c->ids(), s("2")); }, kDeadlineMs));
        QCOMPARE(members(c->cluster(s("2")), s("10.0.2.0/24")),
                 (QStringList{s("4"), s("5"), s("6")}));
        QVERIFY(AgentCluster::leadsOf(c->state(s("6"))).isEmpty());
    }

    void silentCoordinatorIsReplaced()
    {
        // Node 2 is the coordinator (it started first). Stopped with SIGSTOP, its connections
        // stay open: only the missed heartbeats reveal it.
        auto c = fig5(21500);
        QVERIFY(c->startAll());
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(c->ids(), s("2")); }, kDeadlineMs));
        QCOMPARE(c->state(s("5"))[s("coordinator")].toString(), s("2"));
        c->sigstop(s("2"));
        const QStringList survivors{s("6"), s("4"), s("1"), s("3"), s("5")};
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(survivors, s("6")); }, kDeadlineMs));
        QCOMPARE(c->state(s("5"))[s("coordinator")].toString(), s("6"));
        const auto h = c->ask(s("6"), {{s("type"), s("get-history")}});
        const auto failovers = h[s("result")].toObject()[s("failovers")].toArray();
        QVERIFY(!failovers.isEmpty());
        QCOMPARE(failovers.last().toObject()[s("cause")].toString(), s("silent"));
        QVERIFY(failovers.last().toObject()[s("silent_ms")].toDouble() >= 300);
        // Woken up, node 2 learns it was removed, rejoins, and goes to the end of the lists.
        c->sigcont(s("2"));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return members(c->cluster(s("5")), s("10.0.1.0/24")) ==
                       QStringList{s("1"), s("3"), s("2")};
            },
            kDeadlineMs));
        QVERIFY(AgentCluster::waitFor([&] { return c->agree(c->ids(), s("6")); }, kDeadlineMs));
        // Taken out alive and back in: one rejoin, which get-state counts; nobody else rejoined.
        QCOMPARE(c->state(s("2"))[s("rejoins")].toInt(-1), 1);
        for (const auto &id : survivors)
            QCOMPARE(c->state(id)[s("rejoins")].toInt(-1), 0);
    }

    void wrongClusterKeyIsRefused()
    {
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH), 21600);
        c->addNode(s("a"), {s("eth0=10.9.0.1/24")});
        c->addNode(s("b"), {s("eth0=10.9.0.2/24")});
        c->addNode(s("x"), {s("eth0=10.9.0.3/24")},
                   {s("--cluster.key"), s("not-the-cluster-key-at-all")});
        QVERIFY(c->start(s("a")));
        QVERIFY(c->start(s("b")));
        // The intruder can only form a cluster of its own; the others reject its frames.
        QVERIFY(c->start(s("x")));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return c->state(s("a"))[s("cluster_transport")]
                           .toObject()[s("handshakes_refused")]
                           .toDouble() > 0;
            },
            kDeadlineMs));
        const auto view = c->cluster(s("a"))[s("agents")].toArray();
        QCOMPARE(view.size(), 2);
        for (const auto &n : view)
            QVERIFY(n.toObject()[s("id")].toString() != s("x"));
        QCOMPARE(c->cluster(s("x"))[s("agents")].toArray().size(), 1);
        QVERIFY(c->logOf(s("a")).contains(s("cluster key does not match")));
    }

    void garbageOnTheControlPort()
    {
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH), 21700);
        c->addNode(s("a"), {s("eth0=10.9.0.1/24")});
        QVERIFY(c->start(s("a")));
        QTcpSocket sock;
        sock.connectToHost(s("127.0.0.1"), static_cast<quint16>(c->controlPort(s("a"))));
        QVERIFY(sock.waitForConnected(5000));
        auto readLine = [&]() -> QJsonObject {
            QDeadlineTimer d(5000);
            while (!sock.canReadLine() && !d.hasExpired())
                sock.waitForReadyRead(100);
            return QJsonDocument::fromJson(sock.readLine()).object();
        };
        sock.write("{\"type\":\"get-state\"}\n");
        QCOMPARE(readLine()[s("code")].toString(), s("hello-first"));
        sock.write("{\"type\":\"hello\",\"protocol\":1,\"client\":\"fuzz\"}\n");
        QVERIFY(readLine()[s("ok")].toBool());
        sock.write("this is not json\n");
        QCOMPARE(readLine()[s("code")].toString(), s("bad-json"));
        sock.write("{\"type\":\"fly\"}\n");
        QCOMPARE(readLine()[s("code")].toString(), s("unknown-type"));
        sock.write("{\"type\":\"drill\",\"action\":\"kill\",\"node\":\"a\"}\n");
        const auto missing = readLine();
        QCOMPARE(missing[s("code")].toString(), s("missing-field"));
        QVERIFY(missing[s("message")].toString().contains(s("reason")));
        sock.write("{\"type\":\"drill\",\"action\":\"kill\",\"node\":\"a\",\"reason\":\"x\"}\n");
        QCOMPARE(readLine()[s("code")].toString(), s("not-authorized"));
        sock.write(QByteArray(200 * 1024, 'x') + "\n");
        QCOMPARE(readLine()[s("code")].toString(), s("line-too-long"));
        sock.write(QByteArray("\x01\x02\xff\xfe garbage\n", 13));
        QCOMPARE(readLine()[s("code")].toString(), s("bad-json"));
        // The same connection still serves, and so does a second client.
        sock.write("{\"type\":\"get-state\",\"id\":7}\n");
        const auto ok = readLine();
        QVERIFY2(ok[s("ok")].toBool(), qPrintable(QJsonDocument(ok).toJson()));
        QCOMPARE(ok[s("id")].toInt(), 7);
        QCOMPARE(c->state(s("a"))[s("node")].toString(), s("a"));
    }

    void metricsHealthAndSystemdReadiness()
    {
        // A datagram socket standing in for systemd's NOTIFY_SOCKET.
        const QByteArray notifyPath = QStringLiteral("/tmp/dmr-notify-%1.sock")
                                          .arg(QCoreApplication::applicationPid())
                                          .toUtf8();
        ::unlink(notifyPath.constData());
        const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        QVERIFY(fd >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, notifyPath.constData(), sizeof addr.sun_path - 1);
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
        qputenv("NOTIFY_SOCKET", notifyPath);

        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH), 21800);
        const int metricsPort = 21900;
        c->addNode(s("a"), {s("eth0=10.9.0.1/24")},
                   {s("--metrics.listen"), QStringLiteral("127.0.0.1:%1").arg(metricsPort)});
        QVERIFY(c->start(s("a")));
        qunsetenv("NOTIFY_SOCKET");
        char buf[256] = {};
        pollfd p{fd, POLLIN, 0};
        QVERIFY(::poll(&p, 1, kDeadlineMs) == 1);
        const auto n = ::recv(fd, buf, sizeof buf - 1, 0);
        ::close(fd);
        ::unlink(notifyPath.constData());
        QCOMPARE(QByteArray(buf, static_cast<int>(n)), QByteArray("READY=1"));

        auto get = [&](const QByteArray &path) {
            QTcpSocket sock;
            sock.connectToHost(s("127.0.0.1"), static_cast<quint16>(metricsPort));
            if (!sock.waitForConnected(5000))
                return QByteArray();
            sock.write("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            QByteArray all;
            while (sock.waitForReadyRead(5000))
                all += sock.readAll();
            return all;
        };
        QVERIFY(AgentCluster::waitFor([&] { return get("/readyz").startsWith("HTTP/1.1 200"); },
                                      kDeadlineMs));
        QVERIFY(get("/livez").startsWith("HTTP/1.1 200"));
        const QByteArray metrics = get("/metrics");
        QVERIFY(metrics.contains("dmr_up{node=\"a\"} 1"));
        QVERIFY(metrics.contains("dmr_system_leader{node=\"a\"} 1"));
        QVERIFY(metrics.contains("# TYPE dmr_failovers_total counter"));
        QVERIFY(get("/nope").startsWith("HTTP/1.1 404"));
        // Killed by a drill, the agent is alive but not ready.
        QVERIFY(drill(*c, s("a"), s("kill"), s("a"))[s("ok")].toBool());
        QVERIFY(AgentCluster::waitFor([&] { return get("/readyz").startsWith("HTTP/1.1 503"); },
                                      kDeadlineMs));
        QVERIFY(get("/livez").startsWith("HTTP/1.1 200"));
    }

    void metricsEscapeLabelValues()
    {
        // A node id may hold a double quote and a backslash (only spaces and control characters
        // are refused): its node label must still read back as one value, or a scraper sees a
        // broken line or, worse, a sample the id forged.
        const QString id = QStringLiteral("q\"1\\x");
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH), 22100);
        const int metricsPort = 22200;
        c->addNode(id, {s("eth0=10.9.3.1/24")},
                   {s("--metrics.listen"), QStringLiteral("127.0.0.1:%1").arg(metricsPort)});
        QVERIFY(c->start(id));
        auto get = [&] { return AgentCluster::metricsAt(metricsPort); };
        QByteArray metrics;
        QVERIFY(AgentCluster::waitFor(
            [&] {
                metrics = get();
                return metrics.contains("dmr_up{");
            },
            kDeadlineMs));
        QVERIFY2(metrics.contains("dmr_up{node=\"q\\\"1\\\\x\"} 1"), metrics.constData());
        // Every sample line: NAME{LABEL="VALUE",...} NUMBER, each value with only \\, \" or
        // \n escapes inside.
        const QRegularExpression sample(QStringLiteral(
            R"(^[a-z_]+\{[a-z_]+="(?:[^"\\]|\\[\\"n])*"(?:,[a-z_]+="(?:[^"\\]|\\[\\"n])*")*\} [-+0-9.e]+$)"));
        const QByteArray body = metrics.mid(metrics.indexOf("\r\n\r\n") + 4);
        int samples = 0;
        for (const QByteArray &line : body.split('\n')) {
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            ++samples;
            QVERIFY2(sample.match(QString::fromUtf8(line)).hasMatch(), line.constData());
        }
        QVERIFY(samples > 20);
    }

    void outputsAndNotify()
    {
        // Node a writes its smcroute.conf and mrouted.conf, runs a reload command after each
        // rewrite, and a notify command on every failover with the plan diff on stdin.
        const QString dir = QDir::tempPath() +
                            QStringLiteral("/dmr-out-%1").arg(QCoreApplication::applicationPid());
        QDir(dir).removeRecursively();
        QVERIFY(QDir().mkpath(dir));
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH), 21960);
        c->addNode(s("a"), {s("eth0=10.9.1.1/24")},
                   {s("--output.smcroute_conf"), dir + s("/smcroute.conf"),
                    s("--output.mrouted_conf"), dir + s("/mrouted.conf"),
                    s("--output.reload_command"), s("echo reloaded >> ") + dir + s("/reloads"),
                    s("--output.notify_command"), s("cat > ") + dir + s("/notify.json")});
        c->addNode(s("b"), {s("eth0=10.9.2.2/24")});
        QVERIFY(c->startAll());
        auto read = [&](const QString &name) {
            QFile f(dir + s("/") + name);
            return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
        };
        QVERIFY(AgentCluster::waitFor(
            [&] { return read(s("smcroute.conf")).contains(s("phyint dmr-b enable")); },
            kDeadlineMs));
        QVERIFY(
            read(s("mrouted.conf")).contains(s("tunnel 10.9.1.1 10.9.2.2 metric 1 threshold 1")));
        QVERIFY(AgentCluster::waitFor([&] { return read(s("reloads")).contains(s("reloaded")); },
                                      kDeadlineMs));
        c->kill9(s("b"));
        QVERIFY(AgentCluster::waitFor(
            [&] { return !read(s("smcroute.conf")).contains(s("dmr-b")); }, kDeadlineMs));
        QVERIFY(AgentCluster::waitFor(
            [&] { return read(s("notify.json")).contains(s("close-tunnel")); }, kDeadlineMs));
        const auto notify = QJsonDocument::fromJson(read(s("notify.json")).toUtf8()).object();
        QCOMPARE(notify[s("node")].toString(), s("a"));
        QCOMPARE(notify[s("system_leader")].toString(), s("a"));
        QVERIFY(!notify[s("actions")].toArray().isEmpty());
        QDir(dir).removeRecursively();
    }

    void shippedConfigurationAndUnit()
    {
        // The example configuration is valid, and the unit is Type=notify on the packaged binary,
        // checking the configuration first.
        QProcess agent;
        agent.start(s(DMR_AGENT_PATH),
                    {s("--config"), s(DMR_RESOURCES "/agent.example.toml"),
                     s("--membership.listen"), s("127.0.0.1:21950"), s("--control.listen"),
                     s("127.0.0.1:21951"), s("--metrics.listen"), QString(), s("--node.interfaces"),
                     s("eth0=10.0.1.2/24")});
        QVERIFY(agent.waitForStarted());
        QByteArray err;
        QVERIFY(AgentCluster::waitFor(
            [&] {
                agent.waitForReadyRead(50);
                err += agent.readAllStandardError();
                return err.contains("started;") || agent.state() == QProcess::NotRunning;
            },
            kDeadlineMs));
        QVERIFY2(agent.state() == QProcess::Running, err.constData());
        agent.terminate();
        QVERIFY(agent.waitForFinished(5000));
        QFile unit(s(DMR_RESOURCES "/systemd/dmr-agent.service"));
        QVERIFY(unit.open(QIODevice::ReadOnly));
        const QByteArray text = unit.readAll();
        QVERIFY(text.contains("Type=notify"));
        QVERIFY(text.contains("ExecStart=/usr/bin/dmr-agent --config /etc/dmr/agent.toml"));
        QVERIFY(
            text.contains("ExecStartPre=/usr/bin/dmr-agent --check-config /etc/dmr/agent.toml"));
    }
};

QTEST_GUILESS_MAIN(TestAgentCluster)
#include "tst_agent_cluster.moc"
