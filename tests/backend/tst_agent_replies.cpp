// The typed replies (dmr/replies.h) against real dmr-agent processes: what the agent writes and
// what every reader reads are one schema. Three agents on 127.0.0.1 with the relay on in loopback
// mode, then a drain of a group leader:
//
//   network A 10.0.1.0/24   network B 10.0.2.0/24   network C 10.0.3.0/24
//        [1] SL                [2]      (3)-----------[3]
//     tunnels 1 === 2 carries B, 1 === 3 carries C; after the drain of 2: 1 === 3 carries B, C
//
// Each reply is read with its typed parser; those the agent writes with an encoder (get-cluster,
// subscribe, get-history, get-drills, get-views, a drill's record) are encoded again from what
// was read and must give the agent's bytes back. The relay's object (written by the data plane,
// not by an encoder) must hold every field the typed reader knows: a field renamed or dropped on
// one side shows here as a missing value, not as a silent "unknown" in dmrctl and the console.
//
// Every wait is a condition with a generous deadline.

#include "agent_cluster.h"
#include "client.h"
#include "test_names.h"

#include "dmr/replies.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <chrono>
#include <set>

namespace {

constexpr int kDeadlineMs = 30000;
using dmr::test::s;
namespace reply = dmr::reply;
namespace protocol = dmr::protocol;

const std::string kCluster = dmr::test::clusterName("agent-replies");

// An optional field the agent must send: missing, the check names it.
#define REQUIRE_FIELD(value, name) QVERIFY2((value).has_value(), "the agent's reply has no " name)

} // namespace

class TestAgentReplies : public QObject
{
    Q_OBJECT

    std::unique_ptr<AgentCluster> cluster_;

    dmrctl::ClientOptions options(const QString &id) const
    {
        dmrctl::ClientOptions o;
        const int port = cluster_->controlPort(id);
        o.addresses.push_back({"127.0.0.1", port, "127.0.0.1:" + std::to_string(port)});
        o.token = AgentCluster::token().toStdString();
        o.timeout = std::chrono::milliseconds(5000);
        o.clientName = "tst_agent_replies";
        return o;
    }

    // One request to agent `id`: the reply's result as the agent printed it (its field order
    // kept), or empty when it did not answer.
    std::string ask(const QString &id, protocol::Request request) const
    {
        std::vector<std::string> tried;
        auto client = dmrctl::Client::connect(options(id), 0, tried);
        if (!client)
            return {};
        auto result = client->call(std::move(request));
        return result ? result->dump() : std::string();
    }

    static protocol::Request requestOf(protocol::RequestKind kind)
    {
        protocol::Request r;
        r.kind = kind;
        return r;
    }

private slots:
    void initTestCase()
    {
        cluster_ = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        cluster_->addNode(s("1"), {s("eth0=10.0.1.1/24")});
        cluster_->addNode(s("2"), {s("eth0=10.0.2.2/24")});
        cluster_->addNode(s("3"), {s("eth0=10.0.2.3/24"), s("eth1=10.0.3.3/24")});
        for (const auto &id : cluster_->ids())
            cluster_->appendArgs(id, cluster_->loopbackRelayArgs(id, kCluster) +
                                         QStringList{s("--relay.keepalive_ms"), s("100"),
                                                     s("--relay.probe_interval_ms"), s("250")});
        QVERIFY(cluster_->startAll());
        QVERIFY(AgentCluster::waitFor([&] { return cluster_->relayTunnelsUp(s("1"), 2); },
                                      kDeadlineMs));
    }

    void cleanupTestCase() { cluster_.reset(); }

    void helloAndState()
    {
        std::vector<std::string> tried;
        auto client = dmrctl::Client::connect(options(s("1")), 0, tried);
        QVERIFY(client.ok());
        auto hello = reply::parseHello(client->hello().dump());
        QVERIFY2(hello.ok(), hello.ok() ? "" : hello.error().message.c_str());
        QCOMPARE(hello->agent, std::string("1"));
        QCOMPARE(hello->protocol, protocol::kVersion);
        QCOMPARE(hello->role, std::string("system-leader"));
        QVERIFY(hello->isOperator);
        QCOMPARE(hello->clientRole, std::string("operator"));
        QCOMPARE(hello->identity, std::string("token"));
        QVERIFY(!hello->version.empty());

        const std::string text = ask(s("1"), requestOf(protocol::RequestKind::GetState));
        QVERIFY(!text.empty());
        auto state = reply::parseState(text);
        QVERIFY2(state.ok(), state.ok() ? "" : state.error().message.c_str());
        QCOMPARE(state->node, std::string("1"));
        QCOMPARE(state->cluster, std::optional<std::string>(kCluster));
        QCOMPARE(state->membershipBackend, std::optional<std::string>("embedded"));
        QCOMPARE(state->systemLeader, std::optional<std::string>("1"));
        QCOMPARE(state->leads, std::vector<std::string>{"10.0.1.0/24"});
        QCOMPARE(state->tunnels.size(), std::size_t{2});
        QVERIFY(state->inView());
    }

    // get-state's relay object, written by the data plane: every field the typed reader knows.
    void relayStateHasEveryFieldTheReaderKnows()
    {
        const std::string text = ask(s("1"), requestOf(protocol::RequestKind::GetState));
        auto relay = reply::parseRelayState(text);
        QVERIFY2(relay.ok(), relay.ok() ? "" : relay.error().message.c_str());
        QVERIFY(relay->relayOn);
        QCOMPARE(relay->mode, std::string("loopback"));
        QCOMPARE(relay->port, std::optional<std::int64_t>(cluster_->membershipPort(s("1")) + 2000));
        QVERIFY(!relay->halted);
        REQUIRE_FIELD(relay->epoch, "relay.epoch");
        REQUIRE_FIELD(relay->authentication, "relay.authentication");
        QCOMPARE(relay->authentication->mac, std::string("AES-256-GCM"));
        REQUIRE_FIELD(relay->offload, "relay.offload");
        REQUIRE_FIELD(relay->offload->tunnelGso, "relay.offload.tunnel_gso");
        REQUIRE_FIELD(relay->offload->tunnelGro, "relay.offload.tunnel_gro");
        REQUIRE_FIELD(relay->offload->segmentGso, "relay.offload.segment_gso");
        // The root emits what it routes and no leaf carries: a list, never unknown.
        QCOMPARE(relay->carries.kind, reply::GroupList::Kind::Listed);
        REQUIRE_FIELD(relay->prune, "relay.prune");
        QVERIFY(relay->listenersKnown);
        QCOMPARE(relay->listeners.size(), std::size_t{1});
        const reply::NetworkListeners &a = relay->listeners[0];
        QCOMPARE(a.network, std::string("10.0.1.0/24"));
        REQUIRE_FIELD(a.complete, "relay.listeners[0].complete");
        REQUIRE_FIELD(a.querying, "relay.listeners[0].querying");
        REQUIRE_FIELD(a.refused, "relay.listeners[0].refused");

        QCOMPARE(relay->tunnels.size(), std::size_t{2});
        std::set<std::string> peers;
        for (const reply::RelayTunnel &t : relay->tunnels) {
            peers.insert(t.peer);
            QCOMPARE(t.role, std::string("root"));
            QCOMPARE(t.state, std::string("up"));
            QVERIFY(!t.address.empty());
            for (const auto &[member, name] : reply::kTunnelCounters)
                QVERIFY2((t.*member).has_value(),
                         ("the agent's reply has no tunnels[]." + std::string(name)).c_str());
            QCOMPARE(t.networks.size(), std::size_t{1});
            QVERIFY(t.carries.kind != reply::GroupList::Kind::Unknown);
            QVERIFY(t.peerWants.kind != reply::GroupList::Kind::Unknown);
            QVERIFY(t.wantsSent.kind != reply::GroupList::Kind::Unknown);
        }
        QCOMPARE(peers, (std::set<std::string>{"2", "3"}));
        QVERIFY(!relay->channels.empty());
        for (const reply::ChannelCounters &c : relay->channels)
            for (const auto &[member, name] : reply::kChannelCounters)
                QVERIFY2((c.*member).has_value(),
                         ("the agent's reply has no channels[]." + std::string(name)).c_str());
        QVERIFY(relay->channels.back().channel.find("(probe)") != std::string::npos);
        REQUIRE_FIELD(relay->limits, "relay.limits");
        // The drops always present (PROTOCOL.md, get-state).
        for (const char *reason : {"truncated", "old-version", "wrong-source", "stale-epoch",
                                   "replayed", "bad-mac", "boundary", "rate-limit-tunnel"})
            QVERIFY2(relay->drops.count(reason) == 1, reason);
        QVERIFY(relay->noTunnels.empty());
    }

    void clusterEncodesAsTheAgentWroteIt()
    {
        const std::string text = ask(s("2"), requestOf(protocol::RequestKind::GetCluster));
        auto cluster = reply::parseCluster(text);
        QVERIFY2(cluster.ok(), cluster.ok() ? "" : cluster.error().message.c_str());
        QCOMPARE(reply::encodeCluster(*cluster), text);
        QCOMPARE(cluster->agents.size(), std::size_t{3});
        QCOMPARE(cluster->agents[0].id, std::string("1"));
        QVERIFY(cluster->coordinator);
        for (const auto &id : cluster_->ids()) {
            const std::string control = "127.0.0.1:" + std::to_string(cluster_->controlPort(id));
            QCOMPARE(cluster->controlAddresses.at(id.toStdString()), control);
        }
        QCOMPARE(cluster->snapshot.cluster, kCluster);
        QCOMPARE(cluster->snapshot.plan.election.systemLeader, std::optional<std::string>("1"));
        QCOMPARE(cluster->snapshot.plan.tunnels.size(), std::size_t{2});
    }

    // A drain of 2 (leader of B): the drill's record, the events, the failover in the history,
    // the drill in get-drills and the views, each as the agent wrote it.
    void aDrainReadsEverywhere()
    {
        // Subscribed first, on a connection of its own: the events arrive as lines.
        const auto o = options(s("1"));
        auto events = dmrctl::Connection::open(o.addresses[0], o.timeout);
        QVERIFY(events.ok());
        protocol::Request hello = requestOf(protocol::RequestKind::Hello);
        hello.id = std::int64_t{1};
        hello.hello.client = "tst_agent_replies events";
        protocol::Request subscribe = requestOf(protocol::RequestKind::Subscribe);
        subscribe.id = std::int64_t{2};
        subscribe.cursor.since = 0;
        subscribe.cursor.instance = "none";
        const auto deadline = [] {
            return dmrctl::Clock::now() + std::chrono::milliseconds(kDeadlineMs);
        };
        QVERIFY(events
                    ->send(protocol::encodeRequest(hello) + protocol::encodeRequest(subscribe),
                           deadline())
                    .ok());
        std::string subscribed;
        while (subscribed.empty()) {
            auto line = events->readLine(deadline());
            QVERIFY(line.ok());
            const auto j = nlohmann::ordered_json::parse(*line);
            if (j.value("id", 0) == 2)
                subscribed = j["result"].dump();
        }
        auto sub = reply::parseSubscribe(subscribed);
        QVERIFY2(sub.ok(), sub.ok() ? "" : sub.error().message.c_str());
        QCOMPARE(reply::encodeSubscribe(*sub), subscribed);
        QVERIFY(sub->events && !sub->instance.empty());
        QCOMPARE(sub->seq, sub->replayed); // a replay of everything since the start

        protocol::Request drain = requestOf(protocol::RequestKind::Drill);
        drain.drill.action = protocol::DrillAction::Drain;
        drain.drill.node = "2";
        drain.drill.reason = "typed replies";
        drain.drill.durationMs = 600000;
        const std::string record = ask(s("1"), drain);
        auto drill = reply::parseDrill(record);
        QVERIFY2(drill.ok(), drill.ok() ? record.c_str() : drill.error().message.c_str());
        QCOMPARE(reply::encodeDrill(*drill), record);
        QCOMPARE(drill->forwardedTo, std::string("2"));
        QCOMPARE(drill->via, std::string("1"));

        // The events of the drain: every line reads; a drill and a failover come.
        bool sawDrill = false;
        bool sawFailover = false;
        while (!(sawDrill && sawFailover)) {
            auto line = events->readLine(deadline());
            QVERIFY2(line.ok(), "the drain's events did not come");
            auto e = reply::parseEvent(*line);
            QVERIFY2(e.ok(), e.ok() ? "" : e.error().message.c_str());
            QVERIFY(e->kind);
            QVERIFY(e->seq > 0);
            if (*e->kind == protocol::EventKind::Drill && e->node == "2") {
                sawDrill = true;
                QCOMPARE(e->action, std::string("drain"));
                QCOMPARE(e->reason, std::optional<std::string>("typed replies"));
            }
            if (*e->kind == protocol::EventKind::Failover && e->group == "10.0.2.0/24") {
                sawFailover = true;
                QCOMPARE(e->from, std::optional<std::string>("2"));
                QCOMPARE(e->to, std::optional<std::string>("3"));
                QVERIFY(!e->viewId.empty());
            }
        }

        // The failover in node 1's history, once its tunnels are up.
        std::string history;
        QVERIFY(AgentCluster::waitFor(
            [&] {
                history = ask(s("1"), requestOf(protocol::RequestKind::GetHistory));
                auto h = reply::parseHistory(history);
                return h.ok() && !h->failovers.empty() && h->failovers.back().tunnelsUpMs;
            },
            kDeadlineMs));
        auto h = reply::parseHistory(history);
        QVERIFY2(h.ok(), h.ok() ? "" : h.error().message.c_str());
        QCOMPARE(reply::encodeHistory(*h), history);
        const reply::Failover &f = h->failovers.back();
        QCOMPARE(f.node, std::string("2"));
        QCOMPARE(f.cause, std::string("drain"));
        QCOMPARE(f.successors.size(), std::size_t{1});
        QCOMPARE(f.successors[0].second, std::optional<std::string>("3"));
        QCOMPARE(*f.totalMs, f.detectionMs + f.electionMs + *f.tunnelsMs);

        const std::string drills = ask(s("1"), requestOf(protocol::RequestKind::GetDrills));
        auto d = reply::parseDrills(drills);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().message.c_str());
        QCOMPARE(reply::encodeDrills(*d), drills);
        QCOMPARE(d->drills.size(), std::size_t{1});
        QCOMPARE(d->drills[0].action, std::string("drain"));
        QVERIFY(!d->drills[0].endedMs);

        const std::string views = ask(s("1"), requestOf(protocol::RequestKind::GetViews));
        auto v = reply::parseViews(views);
        QVERIFY2(v.ok(), v.ok() ? "" : v.error().message.c_str());
        QCOMPARE(reply::encodeViews(*v), views);
        QVERIFY(v->base);
        QVERIFY(!v->views.empty());

        // After the handover the leaf 3 carries B and C, and the relay says so.
        QVERIFY(AgentCluster::waitFor(
            [&] {
                auto r =
                    reply::parseRelayState(ask(s("3"), requestOf(protocol::RequestKind::GetState)));
                if (!r.ok() || r->tunnels.size() != 1)
                    return false;
                const auto &carried = r->tunnels[0].carries.groups;
                return std::set<std::string>(carried.begin(), carried.end()) ==
                       std::set<std::string>{"10.0.2.0/24", "10.0.3.0/24"};
            },
            kDeadlineMs));

        // Who hears whom, from every agent's row.
        const std::string matrix = ask(s("1"), requestOf(protocol::RequestKind::GetReachability));
        auto m = reply::parseReachability(matrix);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message.c_str());
        QCOMPARE(m->nodes, (std::vector<std::string>{"1", "2", "3"}));
        QCOMPARE(m->askedBy, std::string("1"));
        QCOMPARE(m->rows.size(), std::size_t{3});
    }
};

QTEST_GUILESS_MAIN(TestAgentReplies)
#include "tst_agent_replies.moc"
