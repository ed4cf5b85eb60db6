// AgentClient against fake agents: QTcpServers in the test that speak the control protocol
// through the core's own codec (decodeRequest, SessionGate, the encoders) with canned replies
// built from a real Fig. 5 snapshot. Also the client layer's pure parts: addresses, backoff,
// and the parsers of replies and events.

#include "console_test_data.h"
#include "fake_agent.h"

#include "client/agent_client.h"
#include "client/backoff.h"
#include "client/endpoint.h"
#include "client/records.h"
#include "client/relay_state_poller.h"
#include "models/cluster_store.h"
#include "models/event_log_model.h"
#include "models/history_model.h"
#include "models/listener_model.h"
#include "models/node_table_model.h"

#include "dmr/protocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <functional>
#include <memory>

using namespace dmr::console;
namespace td = dmr::console::testdata;
namespace proto = dmr::protocol;

namespace {

constexpr int kTimeoutMs = 10000;
using dmr::console::testing::FakeAgent;

QByteArray line(const std::string &s)
{
    return QByteArray::fromStdString(s);
}

QStringList keys(const QJsonObject &o)
{
    QStringList k = o.keys();
    k.sort();
    return k;
}

// The request types a fake received before the first request of type `before`.
int countBefore(const FakeAgent &fake, const QString &type, const QString &before)
{
    int n = 0;
    for (const auto &o : fake.received()) {
        const QString t = o.value(QStringLiteral("type")).toString();
        if (t == before)
            break;
        n += t == type ? 1 : 0;
    }
    return n;
}

} // namespace

class TestConsoleClient : public QObject
{
    Q_OBJECT

private slots:
    // ---- Pure parts ----------------------------------------------------------------------------

    void endpoints()
    {
        const auto parse = [](const char *t) { return Endpoint::parse(QString::fromLatin1(t)); };
        QCOMPARE(*parse("127.0.0.1:25400"), (Endpoint{"127.0.0.1", 25400}));
        QCOMPARE(*parse("[::1]:7501"), (Endpoint{"::1", 7501}));
        QCOMPARE(*parse("::1"), (Endpoint{"::1", 7500}));
        QCOMPARE(*parse("agent-2"), (Endpoint{"agent-2", 7500}));
        QCOMPARE(parse("[::1]:7501")->toString(), QStringLiteral("[::1]:7501"));
        QCOMPARE(parse("10.0.1.2:7500")->toString(), QStringLiteral("10.0.1.2:7500"));
        QString error;
        for (const char *bad :
             {"", "host:", "host:0", "host:70000", "host:x", "[::1", "[::1]x", ":7500"}) {
            QVERIFY2(!Endpoint::parse(QString::fromLatin1(bad), &error), bad);
            QVERIFY(error.startsWith(QStringLiteral("invalid agent address")));
        }
    }

    void backoffDoublesWithJitter()
    {
        Backoff b;
        QRandomGenerator random(42);
        int base = 250;
        for (int i = 0; i < 10; ++i) {
            const int d = b.nextDelayMs(random);
            QVERIFY2(d >= base / 2 && d <= base,
                     qPrintable(QStringLiteral("%1 %2").arg(d).arg(base)));
            base = std::min(8000, base * 2);
            QCOMPARE(b.baseMs(), base);
        }
        QCOMPARE(b.baseMs(), 8000);
        b.reset();
        QCOMPARE(b.baseMs(), 250);
        // Jitter: two consoles do not retry in step.
        QSet<int> delays;
        for (int i = 0; i < 20; ++i) {
            Backoff one;
            delays << one.nextDelayMs(random);
        }
        QVERIFY(delays.size() > 5);
    }

    void parsesTheAgentsShapes()
    {
        // PROTOCOL.md's get-history example.
        const auto history = parseHistory(td::kHistoryJson);
        QVERIFY(history.ok());
        const FailoverRecord &r = history.value().at(0);
        QCOMPARE(r.node, QStringLiteral("2"));
        QCOMPARE(r.roles, (QStringList{"system-leader", "leader 10.0.1.0/24"}));
        QCOMPARE(r.successors,
                 (QList<Successor>{{"system-leader", "6"}, {"leader 10.0.1.0/24", "1"}}));
        QCOMPARE(r.totalMs, std::optional<qint64>(2));
        QCOMPARE(r.detectedMs, qint64(1795756582802));
        const FailoverRecord &pending = history.value().at(1);
        QCOMPARE(pending.successors, (QList<Successor>{{"leader 10.0.3.0/24", ""}}));
        QVERIFY(!pending.totalMs && !pending.tunnelsMs && !pending.tunnelsUpMs);

        const auto drills = parseDrills(td::kDrillsJson);
        QVERIFY(drills.ok());
        QCOMPARE(drills.value().at(0).durationMs, std::optional<qint64>(3000));
        QVERIFY(!drills.value().at(0).endedMs);
        QCOMPARE(drills.value().at(1).iface, QStringLiteral("eth1"));

        // A field of the wrong type is named with its path.
        const auto bad = parseHistory(
            R"({"failovers":[{"id":1,"node":"2","cause":"left","roles":[],"successors":{},"detected_ms":"soon"}]})");
        QVERIFY(!bad.ok());
        QCOMPARE(QString::fromStdString(bad.error().message),
                 QStringLiteral("get-history: failovers[0].detected_ms: expected an integer, "
                                "found string"));
        // The same reader and the same words as dmrctl (dmr/replies.h), for every reply: a
        // cluster whose snapshot is bad names the path inside the snapshot, a drill record its
        // field.
        const auto badCluster = parseCluster(
            R"({"view_id":"1.2","coordinator":null,"agents":[{"id":"2","seq":1}],"snapshot":{"format":"dmr-snapshot","version":1,"cluster":"x","time_ms":1,"nodes":[{"id":7}],"groups":[],"gl_group":[],"leaders":{},"gl_order":[],"system_leader":null,"routes":[],"tunnels":[]}})");
        QVERIFY(!badCluster.ok());
        QCOMPARE(QString::fromStdString(badCluster.error().message),
                 QStringLiteral("get-cluster: snapshot.nodes[0].id: expected a string, found "
                                "number"));
        const auto badDrill =
            parseDrillRecord(R"({"id":1,"action":"kill","node":"2","started_ms":5})");
        QVERIFY(!badDrill.ok());
        QCOMPARE(QString::fromStdString(badDrill.error().message),
                 QStringLiteral("drill: reason: missing"));

        // Every event kind of PROTOCOL.md; an unknown one is kept, with its data.
        const auto event = [](const char *json) {
            auto e = parseEvent(json);
            if (!e)
                qFatal("%s", e.error().message.c_str());
            return e.value();
        };
        auto e = event(
            R"({"type":"event","event":"view-changed","time_ms":1700000000124,"data":{"group":"10.0.3.0/24","leader":null,"members":[]}})");
        QCOMPARE(e.kind, ConsoleEvent::Kind::ViewChanged);
        QCOMPARE(describe(e), QStringLiteral("view of 10.0.3.0/24: empty"));
        e = event(
            R"({"type":"event","event":"view-changed","time_ms":1700000000123,"data":{"group":"10.0.1.0/24","leader":"3","members":[{"node":"3","seq":7},{"node":"1","seq":9}]}})");
        QCOMPARE(describe(e), QStringLiteral("view of 10.0.1.0/24: leader 3, members 3 1"));
        e = event(
            R"({"type":"event","event":"plan-changed","time_ms":1700000000123,"data":{"actions":[{"kind":"route","text":"route 2 eth0 10.0.1.0/24"},{"kind":"unroute","text":"unroute 1 eth0 10.0.1.0/24"}]}})");
        QCOMPARE(e.actions,
                 (QStringList{"route 2 eth0 10.0.1.0/24", "unroute 1 eth0 10.0.1.0/24"}));
        QCOMPARE(describe(e), QStringLiteral("plan changed: 2 actions: route 2 eth0 10.0.1.0/24; "
                                             "unroute 1 eth0 10.0.1.0/24"));
        e = event(
            R"({"type":"event","event":"failover","time_ms":1700000000125,"data":{"group":"10.0.3.0/24","from":"4","to":null,"reason":"node 4 drained"}})");
        QCOMPARE(describe(e),
                 QStringLiteral("failover of 10.0.3.0/24: 4 -> nobody (node 4 drained)"));
        e = event(
            R"({"type":"event","event":"failover","time_ms":1,"data":{"group":"GL_group","from":"2","to":"6","reason":"connection-lost"}})");
        QCOMPARE(describe(e),
                 QStringLiteral("failover of the system leader: 2 -> 6 (connection lost)"));
        e = event(
            R"({"type":"event","event":"drill","time_ms":1700000000100,"data":{"action":"kill","node":"2","reason":"failover drill","duration_ms":30000,"client":"dmr-console 0.1.0"}})");
        QCOMPARE(describe(e), QStringLiteral("drill by dmr-console 0.1.0: kill of node 2 for 30000 "
                                             "ms (failover drill)"));
        e = event(R"({"type":"event","event":"comet","time_ms":5,"data":{"tail":1}})");
        QCOMPARE(e.kind, ConsoleEvent::Kind::Other);
        QVERIFY(!e.changesCluster());
        QCOMPARE(describe(e), QStringLiteral("comet: {\"tail\":1}"));
    }

    // ---- Against fake agents -------------------------------------------------------------------

    void connectsAndReceivesTheCluster()
    {
        FakeAgent fake(QStringLiteral("2"));
        QVERIFY(fake.listen());
        fake.setAgents({{"2", fake.address()}, {"6", QStringLiteral("127.0.0.1:1")}});

        AgentClient client;
        // (Its relay state poller's short connections say hello and get-state to the same fake
        // agent; on a loaded machine they come before the list below is read. Their own test is
        // routingPointsAreAskedForTheirRelayState.)
        client.setRelayStateInterval(0);
        ClusterStore store;
        store.attach(&client);
        QSignalSpy states(&client, &AgentClient::stateChanged);
        QSignalSpy cluster(&client, &AgentClient::clusterReceived);
        QSignalSpy history(&client, &AgentClient::historyReceived);
        QSignalSpy drills(&client, &AgentClient::drillsReceived);
        QSignalSpy hellos(&client, &AgentClient::helloReceived);
        client.setEndpoints({fake.endpoint()});
        client.start();

        QTRY_COMPARE_WITH_TIMEOUT(cluster.count(), 1, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(drills.count(), 1, kTimeoutMs);
        QCOMPARE(client.state(), AgentClient::State::Connected);
        QCOMPARE(states.at(0).at(0).value<AgentClient::State>(), AgentClient::State::Connecting);
        QCOMPARE(states.at(1).at(0).value<AgentClient::State>(), AgentClient::State::Connected);
        QCOMPARE(cluster.at(0).at(0).value<dmr::Snapshot>(), td::fig5());
        QCOMPARE(cluster.at(0).at(1).toString(), QStringLiteral("1.5"));
        QCOMPARE(cluster.at(0).at(2).toStringList(),
                 (QStringList{fake.address(), QStringLiteral("127.0.0.1:1")}));
        QCOMPARE(history.count(), 1);
        QCOMPARE(hellos.count(), 1);
        QCOMPARE(client.hello().agent, QStringLiteral("2"));
        QCOMPARE(client.hello().role, QStringLiteral("system-leader"));
        QVERIFY(!client.isOperator());
        QCOMPARE(client.cluster().coordinator, QStringLiteral("2"));

        // What it said: hello, subscribe, then the three fetches; each with an id.
        QStringList types;
        for (const auto &o : fake.received())
            types << o.value(QStringLiteral("type")).toString();
        QCOMPARE(types, (QStringList{"hello", "subscribe", "get-cluster", "get-history",
                                     "get-drills", "get-views", "get-reachability"}));
        const QJsonObject hello = fake.last(QStringLiteral("hello"));
        QCOMPARE(keys(hello), (QStringList{"client", "id", "protocol", "type"}));
        QCOMPARE(hello.value(QStringLiteral("client")).toString(),
                 QStringLiteral("dmr-console 0.1.0"));
        QCOMPARE(hello.value(QStringLiteral("protocol")).toInt(), 1);
        QCOMPARE(fake.last(QStringLiteral("subscribe")).value(QStringLiteral("events")).toBool(),
                 true);
        // The first agent: everything it kept, to fill the event log.
        QCOMPARE(fake.last(QStringLiteral("subscribe")).value(QStringLiteral("since_ms")).toInt(-1),
                 0);

        // The learnt agents join the endpoints, after the given one.
        QCOMPARE(client.endpoints(),
                 (QList<Endpoint>{fake.endpoint(), Endpoint{QStringLiteral("127.0.0.1"), 1}}));

        // The store's models follow.
        QCOMPARE(store.nodeModel()->rowCount(), 6);
        QCOMPARE(store.systemLeader(), QStringLiteral("2"));

        client.stop();
        QCOMPARE(client.state(), AgentClient::State::Disconnected);
        QTRY_COMPARE_WITH_TIMEOUT(fake.clients(), 0, kTimeoutMs);
    }

    // The matrix is asked for on connecting and then every interval, one request at a time; an
    // agent that does not know the request is not asked again.
    void reachabilityIsPolled()
    {
        FakeAgent fake(QStringLiteral("2"));
        QVERIFY(fake.listen());
        AgentClient client;
        client.setReachabilityInterval(100);
        QSignalSpy matrices(&client, &AgentClient::reachabilityReceived);
        client.setEndpoints({fake.endpoint()});
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(matrices.count() >= 3, kTimeoutMs);
        const auto m = matrices.at(0).at(0).value<ReachabilityMatrix>();
        QCOMPARE(m.nodes.size(), 6);
        QCOMPARE(m.unreachable(), (QStringList{"3", "5"}));
        client.stop();
        QTRY_COMPARE_WITH_TIMEOUT(fake.clients(), 0, kTimeoutMs);

        fake.setReachabilityJson({});
        QSignalSpy errors(&client, &AgentClient::errorOccurred);
        const int before = fake.count(QStringLiteral("get-reachability"));
        matrices.clear();
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(fake.count(QStringLiteral("get-reachability")), before + 1,
                                  kTimeoutMs);
        QTest::qWait(500); // five intervals: no second request
        QCOMPARE(fake.count(QStringLiteral("get-reachability")), before + 1);
        QCOMPARE(matrices.count(), 0);
        QCOMPARE(errors.count(), 0); // an older agent is not an error
        QCOMPARE(client.state(), AgentClient::State::Connected);
    }

    // The routing points (Fig. 5: 2, 6 and 4) are each asked for their get-state on a
    // connection of their own, every interval; one that does not answer is reported, and the
    // others still are; the store's listener model takes what comes.
    void routingPointsAreAskedForTheirRelayState()
    {
        FakeAgent two(QStringLiteral("2"));
        FakeAgent six(QStringLiteral("6"));
        QVERIFY(two.listen());
        QVERIFY(six.listen());
        two.setStateJson(td::kRelayState2);
        six.setStateJson(td::kRelayState6);
        const QString dead = QStringLiteral("127.0.0.1:1");
        const QList<FakeAgent::AgentEntry> agents{
            {"2", two.address()}, {"6", six.address()}, {"4", dead}, {"1", two.address()}};
        two.setAgents(agents);
        six.setAgents(agents);

        AgentClient client;
        client.setReachabilityInterval(0);
        client.setRelayStateInterval(150);
        ClusterStore store;
        store.attach(&client);
        QSignalSpy states(&client, &AgentClient::relayStateReceived);
        QSignalSpy failed(&client, &AgentClient::relayStateFailed);
        client.setEndpoints({two.endpoint()});
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(states.count() >= 4, kTimeoutMs);
        QSet<QString> nodes;
        for (const auto &args : std::as_const(states))
            nodes << args.at(0).toString();
        QCOMPARE(nodes, (QSet<QString>{"2", "6"})); // 1 routes nothing: not asked
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() >= 1, kTimeoutMs);
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("4"));
        QVERIFY2(failed.at(0).at(1).toString().contains(dead),
                 qPrintable(failed.at(0).at(1).toString()));
        const auto state = states.at(0).at(1).value<RelayState>();
        QVERIFY(state.relayOn);
        QVERIFY(six.count(QStringLiteral("get-state")) >= 2); // every interval
        QCOMPARE(six.count(QStringLiteral("subscribe")), 0);  // a short question, not a session

        const ListenerModel *model = store.listenerModel();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 2, kTimeoutMs);
        QVERIFY(model->networkText(QStringLiteral("10.0.3.0/24")).contains(dead));
        QCOMPARE(ListenerModel::carryText(model->carry("2", "6")),
                 QStringLiteral("carries 1 group"));

        // Stopped: no more questions, no connection left open at either.
        client.stop();
        QTRY_COMPARE_WITH_TIMEOUT(six.clients(), 0, kTimeoutMs);
        const int asked = six.count(QStringLiteral("get-state"));
        QTest::qWait(500);
        QCOMPARE(six.count(QStringLiteral("get-state")), asked);
        QCOMPARE(RelayStatePoller::routingPoints(client.cluster()).keys(),
                 (QList<QString>{"2", "4", "6"}));
    }

    // A young failover without its tunnels-up time is fetched again until it completes, even
    // though completing raises no event.
    void incompleteFailoverIsFollowedUp()
    {
        FakeAgent fake(QStringLiteral("2"));
        QVERIFY(fake.listen());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const auto historyJson = [&](bool complete) {
            return QStringLiteral(
                       R"({"failovers":[{"cause":"connection-lost","detected_ms":%1,"elected_ms":%1,"election_ms":0,"id":1,"node":"2","roles":["system-leader"],"silent_ms":0,"successors":{"system-leader":"6"},"total_ms":%2,"tunnels_ms":%2,"tunnels_up_ms":%3,"view_id":"2.0"}]})")
                .arg(now)
                .arg(complete ? QStringLiteral("3") : QStringLiteral("null"))
                .arg(complete ? QString::number(now + 3) : QStringLiteral("null"))
                .toStdString();
        };
        fake.setHistoryJson(historyJson(false));
        AgentClient client;
        ClusterStore store;
        store.attach(&client);
        client.setEndpoints({fake.endpoint()});
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(store.historyModel()->rowCount(), 1, kTimeoutMs);
        QVERIFY(!store.historyModel()->recordAt(0).totalMs);
        fake.setHistoryJson(historyJson(true));
        QTRY_VERIFY_WITH_TIMEOUT(store.historyModel()->recordAt(0).totalMs.has_value(), kTimeoutMs);
        QCOMPARE(*store.historyModel()->recordAt(0).totalMs, qint64(3));
        // Complete: no more fetching.
        const int fetched = fake.count(QStringLiteral("get-history"));
        QTest::qWait(3 * AgentClient::kHistoryFollowUpMs);
        QCOMPARE(fake.count(QStringLiteral("get-history")), fetched);
    }

    void eventsRefetchCoalesced()
    {
        FakeAgent fake(QStringLiteral("6"), QStringLiteral("op-secret"));
        QVERIFY(fake.listen());
        fake.setAgents({{"6", fake.address()}});
        AgentClient client;
        client.setOperatorToken(QStringLiteral("op-secret"));
        ClusterStore store;
        store.attach(&client);
        QSignalSpy events(&client, &AgentClient::eventReceived);
        QSignalSpy history(&client, &AgentClient::historyReceived);
        QSignalSpy drills(&client, &AgentClient::drillsReceived);
        client.setEndpoints({fake.endpoint()});
        client.start();
        // The first refresh done: history, then drills, answered.
        QTRY_COMPARE_WITH_TIMEOUT(drills.count(), 1, kTimeoutMs);
        QCOMPARE(history.count(), 1);
        QCOMPARE(store.historyModel()->rowCount(), 0);

        // Node 2 fails: the agent records it and reports it, four events in one burst.
        fake.setSnapshot(td::fig5(true));
        fake.setHistoryJson(td::kHistoryJson);
        dmr::View a{"10.0.1.0/24", {{"1", 12}, {"3", 15}}};
        QByteArray burst = line(proto::encodeViewChanged(td::kTimeMs + 3, a));
        burst += line(
            proto::encodeFailover(td::kTimeMs + 3, "10.0.1.0/24", "2", "1", "connection-lost"));
        burst +=
            line(proto::encodeFailover(td::kTimeMs + 3, "GL_group", "2", "6", "connection-lost"));
        burst += line(proto::encodePlanChanged(td::kTimeMs + 3, {}));
        fake.sendToAll(burst);

        QTRY_COMPARE_WITH_TIMEOUT(store.historyModel()->rowCount(), 2, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(events.count(), 4, kTimeoutMs);
        QCOMPARE(store.eventLogModel()->rowCount(), 4);
        const auto failover = events.at(1).at(0).value<ConsoleEvent>();
        QCOMPARE(failover.kind, ConsoleEvent::Kind::Failover);
        QCOMPARE(failover.from, QStringLiteral("2"));
        QCOMPARE(failover.to, QStringLiteral("1"));
        QCOMPARE(failover.agent, QStringLiteral("6"));
        QTRY_COMPARE_WITH_TIMEOUT(store.systemLeader(), QStringLiteral("6"), kTimeoutMs);
        QCOMPARE(store.nodeModel()->index(1, NodeTableModel::StateColumn).data().toString(),
                 QStringLiteral("failed"));

        // Coalesced: the burst came within kRefreshIntervalMs of the first fetch, so all four
        // events made one fetch, held back until then. A drill's round trip shows that nothing
        // else was asked before it.
        QSignalSpy finished(&client, &AgentClient::drillFinished);
        client.sendDrill(QStringLiteral("restore"), QStringLiteral("2"), {},
                         QStringLiteral("probe"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        QCOMPARE(countBefore(fake, QStringLiteral("get-history"), QStringLiteral("drill")), 2);
        QCOMPARE(countBefore(fake, QStringLiteral("get-cluster"), QStringLiteral("drill")), 2);
        // And the drill's answer makes one more.
        QTRY_COMPARE_WITH_TIMEOUT(fake.count(QStringLiteral("get-history")), 3, kTimeoutMs);
    }

    // Where the console left off: the revisions and the last event number of each agent
    // process; another agent is asked from the last event's time; an agent that does not know
    // cursors is asked without them.
    void cursorsFollowEachAgent()
    {
        FakeAgent two(QStringLiteral("2"));
        FakeAgent six(QStringLiteral("6"));
        QVERIFY(two.listen() && six.listen());
        two.setHistoryJson(R"({"failovers":[],"instance":"2@100","more":false,"rev":7})");
        two.setSubscribeReply(
            R"({"events":true,"instance":"2@100","missed":false,"replayed":1,"seq":41})",
            QByteArray(
                R"({"type":"event","event":"drill","time_ms":1795756582801,"seq":41,"data":{"action":"kill","node":"4","reason":"r","client":"c"}})"
                "\n"));
        AgentClient client;
        client.setBackoff(20, 100);
        client.setReachabilityInterval(0);
        QSignalSpy subscribed(&client, &AgentClient::subscribed);
        QSignalSpy history(&client, &AgentClient::historyReceived);
        QSignalSpy events(&client, &AgentClient::eventReceived);
        client.setEndpoints({two.endpoint()});
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(history.count(), 1, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(events.count(), 1, kTimeoutMs);
        QCOMPARE(subscribed.count(), 1);
        QCOMPARE(subscribed.at(0).at(1).value<SubscribeInfo>().instance, QStringLiteral("2@100"));
        // The next refresh asks only for what came after revision 7 of that process.
        client.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(two.count(QStringLiteral("get-history")), 2, kTimeoutMs);
        QCOMPARE(two.last(QStringLiteral("get-history")).value("since").toInt(), 7);
        QCOMPARE(two.last(QStringLiteral("get-history")).value("instance").toString(),
                 QStringLiteral("2@100"));
        // Back to the same agent: the events after number 41.
        client.stop();
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(two.count(QStringLiteral("subscribe")), 2, kTimeoutMs);
        QCOMPARE(two.last(QStringLiteral("subscribe")).value("since").toInt(), 41);
        QCOMPARE(two.last(QStringLiteral("subscribe")).value("instance").toString(),
                 QStringLiteral("2@100"));
        QVERIFY(!two.last(QStringLiteral("subscribe")).contains("since_ms"));
        // Another agent: from the last event's time, less the slack for clocks.
        client.stop();
        client.setEndpoints({six.endpoint()});
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(six.count(QStringLiteral("subscribe")), 1, kTimeoutMs);
        QCOMPARE(six.last(QStringLiteral("subscribe")).value("since_ms").toInteger(),
                 qint64(1795756582801) - AgentClient::kReplaySlackMs);
        QVERIFY(!six.last(QStringLiteral("subscribe")).contains("since"));

        // An agent from before cursors refuses the fields: asked again without them.
        FakeAgent old(QStringLiteral("5"));
        QVERIFY(old.listen());
        old.setRejectCursors(true);
        old.setHistoryJson(td::kHistoryJson);
        client.stop();
        client.setEndpoints({old.endpoint()});
        QSignalSpy oldHistory(&client, &AgentClient::historyReceived);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(oldHistory.count(), 1, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(old.count(QStringLiteral("subscribe")), 2, kTimeoutMs);
        QVERIFY(!old.last(QStringLiteral("subscribe")).contains("since_ms"));
        QCOMPARE(client.state(), AgentClient::State::Connected);
    }

    void drillsSendTheRightLine()
    {
        FakeAgent fake(QStringLiteral("2"), QStringLiteral("op-7f3a9c2e51d84b06"));
        QVERIFY(fake.listen());
        fake.setAgents({{"2", fake.address()}});
        AgentClient client;
        client.setOperatorToken(QStringLiteral("op-7f3a9c2e51d84b06"));
        QSignalSpy finished(&client, &AgentClient::drillFinished);
        QSignalSpy cluster(&client, &AgentClient::clusterReceived);
        client.setEndpoints({fake.endpoint()});

        // Before a connection: refused at once, nothing sent.
        const qint64 early = client.sendDrill(QStringLiteral("kill"), QStringLiteral("2"), {},
                                              QStringLiteral("too early"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        QCOMPARE(finished.at(0).at(0).toLongLong(), early);
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("not connected to an agent"));

        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(cluster.count(), 1, kTimeoutMs);
        QVERIFY(client.isOperator());
        const QJsonObject hello = fake.last(QStringLiteral("hello"));
        QCOMPARE(keys(hello), (QStringList{"client", "id", "protocol", "token", "type"}));
        QCOMPARE(hello.value(QStringLiteral("token")).toString(),
                 QStringLiteral("op-7f3a9c2e51d84b06"));

        // A timed kill.
        const qint64 kill = client.sendDrill(QStringLiteral("kill"), QStringLiteral("2"), {},
                                             QStringLiteral("failover drill"), 3000);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kTimeoutMs);
        QJsonObject sent = fake.last(QStringLiteral("drill"));
        QCOMPARE(keys(sent),
                 (QStringList{"action", "duration_ms", "id", "node", "reason", "type"}));
        QCOMPARE(sent.value(QStringLiteral("id")).toInteger(), kill);
        QCOMPARE(sent.value(QStringLiteral("action")).toString(), QStringLiteral("kill"));
        QCOMPARE(sent.value(QStringLiteral("node")).toString(), QStringLiteral("2"));
        QCOMPARE(sent.value(QStringLiteral("reason")).toString(), QStringLiteral("failover drill"));
        QCOMPARE(sent.value(QStringLiteral("duration_ms")).toInteger(), qint64(3000));
        QCOMPARE(finished.at(1).at(0).toLongLong(), kill);
        QCOMPARE(finished.at(1).at(1).toBool(), true);
        QCOMPARE(
            finished.at(1).at(2).toString(),
            QStringLiteral("kill of node 2 (failover drill): carried out by agent 2 (drill 1)"));

        // An adapter the node does not have: the agent's word comes back.
        fake.setDrillHandler([](const proto::Request &r) {
            return proto::encodeError(r.id, proto::ErrorCode::Failed,
                                      "node " + r.drill.node + " has no interface \"" +
                                          r.drill.iface + "\"");
        });
        const qint64 pull = client.sendDrill(QStringLiteral("fail-adapter"), QStringLiteral("4"),
                                             QStringLiteral("eth9"), QStringLiteral("cable pull"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, kTimeoutMs);
        sent = fake.last(QStringLiteral("drill"));
        QCOMPARE(keys(sent), (QStringList{"action", "id", "iface", "node", "reason", "type"}));
        QCOMPARE(sent.value(QStringLiteral("action")).toString(), QStringLiteral("fail-adapter"));
        QCOMPARE(sent.value(QStringLiteral("iface")).toString(), QStringLiteral("eth9"));
        QCOMPARE(finished.at(2).at(0).toLongLong(), pull);
        QCOMPARE(finished.at(2).at(1).toBool(), false);
        QCOMPARE(finished.at(2).at(2).toString(),
                 QStringLiteral("node 4 has no interface \"eth9\""));

        // An action the protocol does not have never leaves the console.
        const int drillsSent = fake.count(QStringLiteral("drill"));
        client.sendDrill(QStringLiteral("explode"), QStringLiteral("2"), {}, QStringLiteral("x"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 4, kTimeoutMs);
        QCOMPARE(finished.at(3).at(1).toBool(), false);
        QVERIFY(finished.at(3).at(2).toString().contains(QStringLiteral("unknown drill action")));
        QCOMPARE(fake.count(QStringLiteral("drill")), drillsSent);
        QCOMPARE(client.state(), AgentClient::State::Connected);
    }

    void readOnlySessionIsRefusedDrills()
    {
        FakeAgent fake(QStringLiteral("2"), QStringLiteral("op-secret"));
        QVERIFY(fake.listen());
        fake.setAgents({{"2", fake.address()}});
        AgentClient client;
        QSignalSpy finished(&client, &AgentClient::drillFinished);
        QSignalSpy cluster(&client, &AgentClient::clusterReceived);
        client.setEndpoints({fake.endpoint()});
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(cluster.count(), 1, kTimeoutMs);
        client.sendDrill(QStringLiteral("drain"), QStringLiteral("5"), {}, QStringLiteral("patch"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        QVERIFY(finished.at(0).at(2).toString().contains(QStringLiteral("operator session")));
    }

    void wrongTokenGivesUp()
    {
        FakeAgent fake(QStringLiteral("2"), QStringLiteral("op-secret"));
        QVERIFY(fake.listen());
        AgentClient client;
        client.setOperatorToken(QStringLiteral("guess"));
        QSignalSpy errors(&client, &AgentClient::errorOccurred);
        client.setEndpoints({fake.endpoint()});
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AgentClient::State::Disconnected, kTimeoutMs);
        QVERIFY(!errors.isEmpty());
        QCOMPARE(errors.last().at(0).toString(), QStringLiteral("not-authorized"));
        QVERIFY(client.lastError().contains(QStringLiteral("wrong operator token")));
        QCOMPARE(fake.count(QStringLiteral("hello")), 1); // no second guess
    }

    void switchesToALearntAgentWhenItsAgentGoes()
    {
        FakeAgent first(QStringLiteral("2"));
        FakeAgent second(QStringLiteral("6"));
        QVERIFY(first.listen());
        QVERIFY(second.listen());
        const QList<FakeAgent::AgentEntry> agents{{"2", first.address()}, {"6", second.address()}};
        first.setAgents(agents);
        second.setAgents(agents);
        second.setSnapshot(td::fig5(true));
        second.setViewId(QStringLiteral("2.0"));

        AgentClient client;
        client.setRelayStateInterval(0); // its short get-state questions say hello too
        QSignalSpy states(&client, &AgentClient::stateChanged);
        QSignalSpy cluster(&client, &AgentClient::clusterReceived);
        QSignalSpy hellos(&client, &AgentClient::helloReceived);
        QSignalSpy errors(&client, &AgentClient::errorOccurred);
        client.setEndpoints({first.endpoint()}); // only the first: the second is learnt
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(cluster.count(), 1, kTimeoutMs);
        QCOMPARE(client.endpoints(), (QList<Endpoint>{first.endpoint(), second.endpoint()}));

        // The first agent goes away for good.
        first.stopListening();
        first.closeAll();
        QTRY_COMPARE_WITH_TIMEOUT(hellos.count(), 2, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(cluster.count(), 2, kTimeoutMs);
        QCOMPARE(client.state(), AgentClient::State::Connected);
        QCOMPARE(client.currentEndpoint(), second.endpoint());
        QCOMPARE(client.hello().agent, QStringLiteral("6"));
        QCOMPARE(cluster.last().at(1).toString(), QStringLiteral("2.0"));
        QCOMPARE(second.count(QStringLiteral("hello")), 1);
        bool reconnecting = false;
        for (const auto &s : states)
            reconnecting |= s.at(0).value<AgentClient::State>() == AgentClient::State::Reconnecting;
        QVERIFY(reconnecting);
        QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("connection"));
    }

    void leavesAnAgentThatIsOutOfTheCluster()
    {
        // A kill drill: the agent still answers, but it is out of the view, and its cluster is
        // empty. The console moves to another agent instead of showing that.
        FakeAgent first(QStringLiteral("2"));
        FakeAgent second(QStringLiteral("6"));
        QVERIFY(first.listen());
        QVERIFY(second.listen());
        const QList<FakeAgent::AgentEntry> agents{{"2", first.address()}, {"6", second.address()}};
        first.setAgents(agents);
        second.setAgents({{"6", second.address()}});
        second.setSnapshot(td::fig5(true));

        AgentClient client;
        QSignalSpy cluster(&client, &AgentClient::clusterReceived);
        QSignalSpy hellos(&client, &AgentClient::helloReceived);
        QSignalSpy errors(&client, &AgentClient::errorOccurred);
        client.setEndpoints({first.endpoint()});
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(cluster.count(), 1, kTimeoutMs);

        first.setAgents({});
        first.setViewId(QStringLiteral("0.0"));
        dmr::Snapshot killed = td::fig5(); // what a killed agent reports: no views, no plan
        killed.membership = {};
        killed.plan = {};
        first.setSnapshot(killed);
        proto::DrillRequest kill;
        kill.node = "2";
        kill.reason = "failover drill";
        first.sendToAll(line(proto::encodeDrillEvent(td::kTimeMs, kill, "dmrctl 0.1.0")));

        QTRY_COMPARE_WITH_TIMEOUT(hellos.count(), 2, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(cluster.count(), 2, kTimeoutMs);
        QCOMPARE(client.hello().agent, QStringLiteral("6"));
        QCOMPARE(client.currentEndpoint(), second.endpoint());
        // The killed agent's empty picture was never shown.
        for (const auto &c : cluster)
            QCOMPARE(c.at(0).value<dmr::Snapshot>().nodes.size(), size_t(6));
        QCOMPARE(cluster.last().at(0).value<dmr::Snapshot>(), td::fig5(true));
        bool out = false;
        for (const auto &e : errors)
            out |= e.at(0).toString() == QLatin1StringView(AgentClient::kOutOfClusterError);
        QVERIFY(out);
    }

    void retriesUntilAnAgentListens()
    {
        // A port with nobody on it: the client keeps trying, with backoff, until an agent comes.
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        AgentClient client;
        QSignalSpy errors(&client, &AgentClient::errorOccurred);
        QSignalSpy cluster(&client, &AgentClient::clusterReceived);
        client.setEndpoints({{QStringLiteral("127.0.0.1"), port}});
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(errors.count() >= 2, kTimeoutMs);
        QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("connection"));
        QVERIFY(client.lastError().startsWith(QStringLiteral("could not connect to 127.0.0.1:")));
        QVERIFY(client.state() == AgentClient::State::Reconnecting);

        FakeAgent fake(QStringLiteral("2"));
        if (!fake.listen(port))
            QSKIP("the probed port was taken in between");
        fake.setAgents({{"2", fake.address()}});
        QTRY_COMPARE_WITH_TIMEOUT(cluster.count(), 1, kTimeoutMs);
        QCOMPARE(client.state(), AgentClient::State::Connected);
    }

    void garbageIsReportedNotFatal()
    {
        FakeAgent fake(QStringLiteral("2"));
        QVERIFY(fake.listen());
        fake.setAgents({{"2", fake.address()}});
        AgentClient client;
        QSignalSpy errors(&client, &AgentClient::errorOccurred);
        QSignalSpy cluster(&client, &AgentClient::clusterReceived);
        QSignalSpy events(&client, &AgentClient::eventReceived);
        client.setEndpoints({fake.endpoint()});
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(cluster.count(), 1, kTimeoutMs);
        QCOMPARE(errors.count(), 0);

        const QList<QByteArray> garbage{
            "this is not json",
            "[1,2]",
            "{\"type\":\"reply\",\"id\":999,\"ok\":true,\"result\":{}}",
            "{\"type\":\"reply\",\"ok\":true,\"result\":{}}",
            "{\"type\":\"event\",\"event\":\"failover\"}",
            "{\"type\":\"event\",\"event\":\"failover\",\"time_ms\":1,\"data\":{\"group\":7}}",
            "{\"type\":\"gossip\"}",
            "\xff\xfe\x00\x01",
            "{\"type\":\"error\",\"ok\":false,\"code\":\"bad-json\",\"message\":\"malformed "
            "JSON\"}",
        };
        QByteArray bytes;
        for (const auto &g : garbage)
            bytes += g + '\n';
        fake.sendToAll(bytes);
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), int(garbage.size()), kTimeoutMs);
        for (int i = 0; i + 1 < garbage.size(); ++i)
            QCOMPARE(errors.at(i).at(0).toString(), QStringLiteral("bad-reply"));
        QCOMPARE(errors.last().at(0).toString(), QStringLiteral("bad-json"));
        // The core's reader of the envelope (dmr/replies.h) says what is wrong with each line.
        const auto error = [&](int i) { return errors.at(i).at(1).toString(); };
        QVERIFY2(error(0).contains(QStringLiteral("(message: line 1, column 2: syntax error")),
                 qPrintable(error(0)));
        QVERIFY(error(0).endsWith(QStringLiteral(": this is not json")));
        QVERIFY2(error(1).contains(
                     QStringLiteral("(message: document: expected an object, found array)")),
                 qPrintable(error(1)));
        QVERIFY2(error(2).contains(QStringLiteral("answered a request this console did not send")),
                 qPrintable(error(2)));
        QVERIFY2(error(3).contains(QStringLiteral("sent a reply without an id")),
                 qPrintable(error(3)));
        QVERIFY2(error(6).contains(QStringLiteral("(message: type: unknown message type "
                                                  "\"gossip\")")),
                 qPrintable(error(6)));
        // The core's reader names the field and why (dmr/replies.h), as dmrctl would.
        QVERIFY2(errors.at(4).at(1).toString().endsWith(
                     QStringLiteral("sent a bad event: event: time_ms: missing")),
                 qPrintable(errors.at(4).at(1).toString()));
        QVERIFY2(errors.at(5).at(1).toString().endsWith(QStringLiteral(
                     "sent a bad event: event: data.group: expected a string, found number")),
                 qPrintable(errors.at(5).at(1).toString()));
        QCOMPARE(events.count(), 0);

        // A line over the 16 MiB bound is dropped and reported; the connection goes on.
        QByteArray huge(int(proto::kReplyLineBytesMax) + 10, 'x');
        huge += '\n';
        fake.sendToAll(huge);
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), int(garbage.size()) + 1, kTimeoutMs);
        QCOMPARE(errors.last().at(0).toString(), QStringLiteral("line-too-long"));

        // Still connected, still listening: an event makes it fetch again.
        QCOMPARE(client.state(), AgentClient::State::Connected);
        fake.sendToAll(line(proto::encodeFailover(td::kTimeMs, "10.0.1.0/24", "2", "1", "left")));
        QTRY_COMPARE_WITH_TIMEOUT(cluster.count(), 2, kTimeoutMs);
        QCOMPARE(events.count(), 1);
        QCOMPARE(client.state(), AgentClient::State::Connected);
    }

    void silentAgentTimesOut()
    {
        // An agent that accepts but never answers (stopped, swapped out): the client gives up
        // on it after the reply timeout and tries again.
        QTcpServer mute;
        QVERIFY(mute.listen(QHostAddress::LocalHost));
        AgentClient client;
        client.setTimeouts(2000, 300);
        QSignalSpy errors(&client, &AgentClient::errorOccurred);
        client.setEndpoints({{QStringLiteral("127.0.0.1"), mute.serverPort()}});
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), kTimeoutMs);
        QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("timeout"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AgentClient::State::Reconnecting, kTimeoutMs);
    }
};

QTEST_GUILESS_MAIN(TestConsoleClient)
#include "tst_console_client.moc"
