// The typed replies (shared/include/dmr/replies.h): every line the agent sends in
// backend/PROTOCOL.md reads as a message (reply, error or event); every hello, get-state,
// get-cluster, subscribe, get-history, get-drills, get-views and get-reachability example of
// backend/PROTOCOL.md reads, and so does every event line; what the agent writes with an encoder
// (get-cluster, subscribe, get-history, get-drills, get-views) is encoded again byte for byte as
// the agent sent it; fields a reader does not know are ignored; and a malformed reply is an error
// naming the reply, the field's path and the reason.

#include "dmr/protocol.h"
#include "dmr/replies.h"

#include <QFile>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

using namespace dmr::reply;
using Json = nlohmann::json;

namespace {

// Each request of PROTOCOL.md's transcripts of this type, with the result of its reply (the
// line after it), as the agent printed it.
std::vector<std::string> resultsOf(const std::string &type)
{
    QFile f(QStringLiteral(DMR_PROTOCOL_DOC));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", DMR_PROTOCOL_DOC);
    std::vector<std::string> out;
    std::string request;
    for (const QByteArray &raw : f.readAll().split('\n')) {
        const std::string line = raw.toStdString();
        if (line.rfind("> ", 0) == 0) {
            request = line.substr(2);
            continue;
        }
        if (line.rfind("< ", 0) != 0 || request.empty())
            continue;
        const Json req = Json::parse(request, nullptr, false);
        const Json rep = Json::parse(line.substr(2), nullptr, false);
        request.clear();
        if (!req.is_object() || !rep.is_object() || req.value("type", "") != type ||
            !rep.contains("result"))
            continue;
        out.push_back(rep["result"].dump());
    }
    return out;
}

// Every event line of PROTOCOL.md ("< {"type":"event",...}").
std::vector<std::string> eventLines()
{
    QFile f(QStringLiteral(DMR_PROTOCOL_DOC));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", DMR_PROTOCOL_DOC);
    std::vector<std::string> out;
    for (const QByteArray &raw : f.readAll().split('\n'))
        if (raw.startsWith("< {\"type\":\"event\""))
            out.push_back(raw.mid(2).toStdString());
    return out;
}

// The result of one reply line, as the agent printed it.
std::string resultOf(const std::string &replyLine)
{
    return nlohmann::ordered_json::parse(replyLine)["result"].dump();
}

} // namespace

class TestReplies : public QObject
{
    Q_OBJECT

private slots:
    void stateOfTheDocument()
    {
        const auto results = resultsOf("get-state");
        QVERIFY(!results.empty());
        auto s = parseState(results.front());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QCOMPARE(s->node, std::string("2"));
        QCOMPARE(s->role, std::string("system-leader"));
        QCOMPARE(s->membership, std::string("coordinator"));
        QVERIFY(s->inView());
        QCOMPARE(s->viewId, std::string("1.5"));
        QCOMPARE(s->coordinator, std::optional<std::string>("2"));
        QCOMPARE(s->systemLeader, std::optional<std::string>("2"));
        QCOMPARE(s->leads, std::vector<std::string>{"10.0.1.0/24"});
        QCOMPARE(s->routes.size(), std::size_t{1});
        QCOMPARE(s->routes[0].iface, std::string("eth0"));
        QCOMPARE(s->tunnels.size(), std::size_t{2});
        QCOMPARE(s->tunnels[0].root.node, std::string("2"));
        QCOMPARE(s->tunnels[0].leaf.node, std::string("6"));
        QCOMPARE(s->tunnels[0].leaf.address, std::string("10.0.2.6"));
        QCOMPARE(s->tunnels[1].networks, std::vector<std::string>{"10.0.3.0/24"});
        QVERIFY(!s->handoverPending);
        QVERIFY(!s->waitingFor);
        QVERIFY(s->dataPlaneLog.size() >= 2);
        QCOMPARE(s->dataPlaneLog[0].kind, std::string("route"));
        QCOMPARE(s->dataPlaneLog[0].text, std::string("route 2 eth0 10.0.1.0/24"));
        QVERIFY(s->dataPlaneLog[0].timeMs > 0);
    }

    void historyReadsAndEncodesAsTheAgentSent()
    {
        const auto results = resultsOf("get-history");
        QVERIFY(results.size() >= 2);
        for (const auto &text : results) {
            auto h = parseHistory(text);
            QVERIFY2(h.ok(), h.ok() ? "" : h.error().message.c_str());
            QCOMPARE(encodeHistory(*h), text);
        }
        // The capture after a drain of 6 and a kill of 2.
        const auto withKill = std::find_if(results.begin(), results.end(), [](const auto &t) {
            return t.find("\"connection-lost\"") != std::string::npos;
        });
        QVERIFY(withKill != results.end());
        auto h = parseHistory(*withKill);
        QCOMPARE(h->failovers.size(), std::size_t{2});
        const Failover &f = h->failovers[1];
        QCOMPARE(f.node, std::string("2"));
        QCOMPARE(f.cause, std::string("connection-lost"));
        QCOMPARE(f.roles, (std::vector<std::string>{"system-leader", "leader 10.0.1.0/24"}));
        QCOMPARE(f.successors.size(), std::size_t{2});
        QCOMPARE(f.successors[1].first, std::string("system-leader"));
        QCOMPARE(f.successors[1].second, std::optional<std::string>("4"));
        QCOMPARE(f.totalMs, std::optional<std::int64_t>(2));
        QCOMPARE(h->page.instance, std::string("6@1796417704948515"));
        QCOMPARE(h->page.rev, std::int64_t{8});
    }

    void historyWithNullsAndNobody()
    {
        History h;
        h.page = {"1@5", 3, true};
        Failover f;
        f.id = 1;
        f.node = "a\"b";
        f.cause = "silent";
        f.roles = {"system-leader"};
        f.successors = {{"system-leader", std::nullopt}};
        f.viewId = "2.1";
        h.failovers.push_back(f);
        // Every field set, none equal to another: a reader that loses one or swaps two fails.
        Failover all = f;
        all.id = 2;
        all.successors = {{"leader 10.0.1.0/24", "3"}, {"system-leader", "4"}};
        all.silentMs = 3;
        all.failedMs = 10;
        all.detectedMs = 13;
        all.electedMs = 15;
        all.tunnelsUpMs = 22;
        all.detectionMs = 4;
        all.electionMs = 5;
        all.tunnelsMs = 7;
        all.totalMs = 16;
        all.skewMs = 1;
        all.rev = 9;
        h.failovers.push_back(all);
        const std::string text = encodeHistory(h);
        QVERIFY(text.find("\"tunnels_up_ms\":null") != std::string::npos);
        QVERIFY(text.find("\"successors\":{\"system-leader\":null}") != std::string::npos);
        auto back = parseHistory(text);
        QVERIFY(back.ok());
        QCOMPARE(*back, h);
    }

    void drillsReadAndEncodeAsTheAgentSent()
    {
        const auto results = resultsOf("get-drills");
        QVERIFY(results.size() >= 3);
        for (const auto &text : results) {
            auto d = parseDrills(text);
            QVERIFY2(d.ok(), d.ok() ? "" : d.error().message.c_str());
            QCOMPARE(encodeDrills(*d), text);
        }
        auto d = parseDrills(results[2]);
        QCOMPARE(d->drills.size(), std::size_t{2});
        QCOMPARE(d->drills[0].action, std::string("drain"));
        QCOMPARE(d->drills[0].durationMs, std::optional<std::int64_t>(2000));
        QCOMPARE(d->drills[0].via, std::string("2"));
        QCOMPARE(d->drills[1].role, std::string("agent"));
        QVERIFY(!d->drills[1].durationMs);
        QVERIFY(d->page.more == false);
    }

    // Every field of a drill record set: the reader keeps each one.
    void drillRoundTrip()
    {
        Drills d;
        d.page = {"3@7", 11, true};
        d.drills.push_back(Drill{4,
                                 "fail-adapter",
                                 "3",
                                 "eth1",
                                 "cable",
                                 900,
                                 "dmrctl 0.1.0",
                                 "operator",
                                 "token",
                                 "2",
                                 100,
                                 1000,
                                 11,
                                 {}});
        d.drills.push_back(Drill{
            5, "kill", "1", {}, "r", std::nullopt, "c", {}, {}, {}, 200, std::nullopt, 12, {}});
        const std::string text = encodeDrills(d);
        auto back = parseDrills(text);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE(*back, d);
        Drill forwarded = d.drills[0];
        forwarded.forwardedTo = "3";
        QCOMPARE(*parseDrill(encodeDrill(forwarded)), forwarded);
    }

    void drillReply()
    {
        // A drill's reply: the record, with forwarded_to when another agent carried it out.
        const auto results = resultsOf("drill");
        QCOMPARE(results.size(), std::size_t{1});
        auto d = parseDrill(results[0]);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().message.c_str());
        QCOMPARE(d->forwardedTo, std::string("2"));
        QCOMPARE(d->via, std::string("6"));
        QCOMPARE(d->durationMs, std::optional<std::int64_t>(3000));
        QVERIFY(!d->endedMs);
        QCOMPARE(encodeDrill(*d), results[0]);
    }

    void reachabilityOfTheDocument()
    {
        const auto results = resultsOf("get-reachability");
        QCOMPARE(results.size(), std::size_t{2});
        auto all = parseReachability(results[0]);
        QVERIFY2(all.ok(), all.ok() ? "" : all.error().message.c_str());
        QCOMPARE(all->nodes.size(), std::size_t{6});
        QCOMPARE(all->askedBy, std::string("5"));
        QCOMPARE(all->rows.size(), std::size_t{6});
        QVERIFY(all->rows[0].answered);
        QVERIFY(all->rows[0].cellFrom("2") != nullptr);
        QCOMPARE(all->rows[0].cellFrom("2")->received, std::int64_t{18});
        QVERIFY(all->rows[0].cellFrom("1") == nullptr);
        auto killed = parseReachability(results[1]);
        QVERIFY(killed.ok());
        QVERIFY(!killed->rows[1].answered);
        QVERIFY(!killed->rows[1].inView);
        QCOMPARE(killed->rows[0].cellFrom("2")->loss, 1.0);
        QVERIFY(!killed->rows[0].cellFrom("2")->heard);
    }

    // get-state's listeners and wanted groups: what an agent before them leaves out is Unknown
    // (not an error), null is its own answer, and a list is read in order.
    void relayListenersOfEveryAge()
    {
        // Every capture of the document reads.
        for (const auto &capture : resultsOf("get-state")) {
            auto doc = parseRelayState(capture);
            QVERIFY2(doc.ok(), doc.ok() ? "" : doc.error().message.c_str());
            QVERIFY(!doc->node.empty());
        }

        auto old = parseRelayState(
            R"({"node":"4","relay":{"mode":"loopback","tunnels":[{"peer":"2","role":"leaf"}]}})");
        QVERIFY(old.ok());
        QVERIFY(old->relayOn && !old->prune && !old->listenersKnown);
        QCOMPARE(old->tunnels.at(0).peerWants.kind, GroupList::Kind::Unknown);
        QCOMPARE(old->tunnels.at(0).wantsSent.kind, GroupList::Kind::Unknown);
        QVERIFY(!old->tunnels.at(0).prunedPackets);

        auto now = parseRelayState(
            R"({"node":"2","relay":{"prune":true,"listeners":[{"network":"10.0.1.0/24",)"
            R"("querying":true,"querier":null,"groups":[{"group":"239.1.0.5","age_ms":7}]}],)"
            R"("tunnels":[{"peer":"6","peer_wants":null,"wants_sent":["239.1.0.5"],)"
            R"("pruned_packets":4},{"peer":"4","peer_wants":[]}]}})");
        QVERIFY2(now.ok(), now.ok() ? "" : now.error().message.c_str());
        QCOMPARE(now->prune, std::optional<bool>(true));
        const NetworkListeners *a = now->listenersOf("10.0.1.0/24");
        QVERIFY(a && !now->listenersOf("10.0.2.0/24"));
        QCOMPARE(a->querying, std::optional<bool>(true));
        QVERIFY(!a->querier);
        QCOMPARE(a->groups.at(0).ageMs, std::optional<std::int64_t>(7));
        QVERIFY(!a->groups.at(0).reporters); // left out: unknown
        QCOMPARE(now->tunnelTo("6")->peerWants.kind, GroupList::Kind::Null);
        QCOMPARE(now->tunnelTo("6")->wantsSent.groups, std::vector<std::string>{"239.1.0.5"});
        QCOMPARE(now->tunnelTo("6")->prunedPackets, std::optional<std::int64_t>(4));
        QCOMPARE(now->tunnelTo("4")->peerWants.kind, GroupList::Kind::Listed);
        QVERIFY(now->tunnelTo("4")->peerWants.groups.empty());
        QVERIFY(!now->tunnelTo("5"));

        auto bad = parseRelayState(R"({"node":"2","relay":{"listeners":[{"groups":[]}]}})");
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().message,
                 std::string("get-state: relay.listeners[0].network: missing"));
    }

    // What the rate limits, boundaries and threshold kept out: per tunnel, per channel range,
    // by reason; and what is in force. An agent before limits leaves them out: nullopt.
    void relayLimitsAndDrops()
    {
        auto now = parseRelayState(
            R"({"node":"2","relay":{"tunnels":[{"peer":"6","limited_packets":120,)"
            R"("limited_bytes":96000}],"channels":[{"channel":"239.1.0.0/16:5000-5100",)"
            R"("ingested":10,"emitted":9,"limited_packets":3,"limited_bytes":300,)"
            R"("boundary_packets":5,"below_threshold_packets":2},)"
            R"j({"channel":"239.255.77.1:7699 (probe)","ingested":1,"emitted":1}],)j"
            R"("limits":{"boundaries":["239.255.0.0/16"],"network_boundaries":)"
            R"({"10.0.2.0/24":["239.3.0.0/16"]},"threshold":2,"tunnel":{"bytes_per_s":30000,)"
            R"("datagrams_per_s":0,"burst_bytes":8192,"burst_datagrams":0},"channel":null},)"
            R"("drops":{"boundary":5,"rate-limit-tunnel":120,"below-threshold":2}}})");
        QVERIFY2(now.ok(), now.ok() ? "" : now.error().message.c_str());
        QCOMPARE(now->tunnelTo("6")->limitedPackets, std::optional<std::int64_t>(120));
        QCOMPARE(now->tunnelTo("6")->limitedBytes, std::optional<std::int64_t>(96000));
        QCOMPARE(now->channels.size(), std::size_t(2));
        const ChannelCounters &x = now->channels.at(0);
        QCOMPARE(x.channel, std::string("239.1.0.0/16:5000-5100"));
        QCOMPARE(x.limitedPackets, std::optional<std::int64_t>(3));
        QCOMPARE(x.limitedBytes, std::optional<std::int64_t>(300));
        QCOMPARE(x.boundaryPackets, std::optional<std::int64_t>(5));
        QCOMPARE(x.belowThresholdPackets, std::optional<std::int64_t>(2));
        QVERIFY(!now->channels.at(1).limitedPackets); // left out: unknown
        QVERIFY(now->limits);
        QCOMPARE(now->limits->boundaries, std::vector<std::string>{"239.255.0.0/16"});
        QCOMPARE(now->limits->networkBoundaries.size(), std::size_t(1));
        QCOMPARE(now->limits->networkBoundaries.at(0).first, std::string("10.0.2.0/24"));
        QCOMPARE(now->limits->threshold, std::optional<std::int64_t>(2));
        QVERIFY(now->limits->tunnel && !now->limits->channel);
        QCOMPARE(now->limits->tunnel->bytesPerS, std::int64_t(30000));
        QCOMPARE(now->limits->tunnel->burstBytes, std::int64_t(8192));
        QCOMPARE(now->drops.at("rate-limit-tunnel"), std::int64_t(120));
        QCOMPARE(now->drops.at("below-threshold"), std::int64_t(2));

        auto old = parseRelayState(R"({"node":"4","relay":{"tunnels":[{"peer":"2"}]}})");
        QVERIFY(old.ok());
        QVERIFY(!old->tunnels.at(0).limitedPackets && !old->limits && old->channels.empty() &&
                old->drops.empty());

        for (const auto &[text, error] : std::vector<std::pair<const char *, const char *>>{
                 {R"({"node":"2","relay":{"channels":[{"channel":"x","limited_packets":"3"}]}})",
                  "get-state: relay.channels[0].limited_packets: expected an integer, found "
                  "string"},
                 {R"({"node":"2","relay":{"drops":{"boundary":true}}})",
                  "get-state: relay.drops.boundary: expected an integer, found boolean"},
                 {R"({"node":"2","relay":{"limits":{"tunnel":[1]}}})",
                  "get-state: relay.limits.tunnel: expected an object, found array"}}) {
            auto bad = parseRelayState(text);
            QVERIFY2(!bad.ok(), text);
            QCOMPARE(bad.error().message, std::string(error));
        }
    }

    // Every line the agent sends in PROTOCOL.md's transcripts reads as a message: its type, id,
    // error code and message, the versions of a refusal, and a reply's result as the agent wrote
    // it.
    void messagesOfTheDocument()
    {
        QFile f(QStringLiteral(DMR_PROTOCOL_DOC));
        QVERIFY(f.open(QIODevice::ReadOnly));
        int replies = 0;
        int errors = 0;
        int events = 0;
        for (const QByteArray &raw : f.readAll().split('\n')) {
            if (!raw.startsWith("< {"))
                continue;
            const std::string line = raw.mid(2).toStdString();
            auto m = parseMessage(line);
            QVERIFY2(m.ok(), m.ok() ? line.c_str() : m.error().message.c_str());
            const Json j = Json::parse(line);
            switch (m->type) {
            case Message::Type::Reply:
                ++replies;
                QCOMPARE(j["type"], Json("reply"));
                QVERIFY(m->resultJson);
                QCOMPARE(*m->resultJson, j["result"].dump());
                break;
            case Message::Type::Error:
                ++errors;
                QCOMPARE(m->code, j["code"].get<std::string>());
                QCOMPARE(m->message, j["message"].get<std::string>());
                QVERIFY(!m->resultJson);
                break;
            case Message::Type::Event:
                ++events;
                QVERIFY(std::holds_alternative<std::monostate>(m->id));
                break;
            }
            if (j.contains("id") && j["id"].is_number_integer())
                QCOMPARE(std::get<std::int64_t>(m->id), j["id"].get<std::int64_t>());
            if (j.contains("id") && j["id"].is_string())
                QCOMPARE(std::get<std::string>(m->id), j["id"].get<std::string>());
            if (m->code == "unsupported-protocol")
                QCOMPARE(m->versions, std::vector<int>{1});
        }
        QVERIFY(replies > 20 && errors > 5 && events > 10);
        // What the agent's encoders write reads back.
        auto refusal = parseMessage(dmr::protocol::encodeError(
            dmr::protocol::RequestError{std::string("q"),
                                        dmr::protocol::ErrorCode::UnsupportedProtocol,
                                        "speaks 1 to 2",
                                        {1, 2}}));
        QVERIFY(refusal.ok());
        QCOMPARE(refusal->type, Message::Type::Error);
        QCOMPARE(std::get<std::string>(refusal->id), std::string("q"));
        QCOMPARE(refusal->versions, (std::vector<int>{1, 2}));
        auto noResult = parseMessage(R"({"type":"reply","id":3,"ok":true})");
        QVERIFY(noResult.ok() && !noResult->resultJson);
    }

    void helloOfTheDocument()
    {
        const auto results = resultsOf("hello");
        QVERIFY(results.size() >= 3);
        for (const auto &text : results) {
            auto h = parseHello(text);
            QVERIFY2(h.ok(), h.ok() ? "" : h.error().message.c_str());
            QCOMPARE(h->agent, std::string("2"));
            QCOMPARE(h->protocol, 1);
        }
        auto anonymous = parseHello(results.front());
        QCOMPARE(anonymous->role, std::string("system-leader"));
        QCOMPARE(anonymous->clientRole, std::string("viewer"));
        QCOMPARE(anonymous->identity, std::string("anonymous"));
        QVERIFY(!anonymous->isOperator);
        // What the agent's encoder writes reads back.
        auto op = parseHello(resultOf(dmr::protocol::encodeHelloReply(
            7, "a\"b", "9.9", "member", dmr::protocol::Role::Operator, "CN=alice", 1)));
        QVERIFY2(op.ok(), op.ok() ? "" : op.error().message.c_str());
        QCOMPARE(*op, (Hello{"a\"b", "9.9", 1, "member", true, "operator", "CN=alice"}));
    }

    void stateOfTheDocumentNamesItsCluster()
    {
        const auto results = resultsOf("get-state");
        const auto withBackend = std::find_if(results.begin(), results.end(), [](const auto &t) {
            return t.find("\"membership_backend\"") != std::string::npos;
        });
        QVERIFY(withBackend != results.end());
        auto s = parseState(*withBackend);
        QVERIFY(s.ok());
        QCOMPARE(s->cluster, std::optional<std::string>("fig5"));
        QCOMPARE(s->membershipBackend, std::optional<std::string>("embedded"));
        QVERIFY(!s->degraded);
        // A capture from before the field: absent, not an error.
        auto capture = parseState(results.front());
        QVERIFY(capture.ok());
        QVERIFY(!capture->membershipBackend);
        QCOMPARE(capture->cluster, std::optional<std::string>("fig5"));
        auto old = parseState(
            R"({"node":"1","state":"up","role":"member","membership":"member","leads":[],"routes":[],"tunnels":[]})");
        QVERIFY2(old.ok(), old.ok() ? "" : old.error().message.c_str());
        QVERIFY(!old->cluster && !old->membershipBackend && old->failedAdapters.empty());
    }

    void clusterReadsAndEncodesAsTheAgentSent()
    {
        const auto results = resultsOf("get-cluster");
        QCOMPARE(results.size(), std::size_t{1});
        auto c = parseCluster(results[0]);
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().message.c_str());
        QCOMPARE(encodeCluster(*c), results[0]);
        QCOMPARE(c->viewId, std::string("1.5"));
        QCOMPARE(c->coordinator, std::optional<std::string>("2"));
        QCOMPARE(c->agents.size(), std::size_t{6});
        QCOMPARE(c->agents[1], (ClusterAgent{"6", 4, "127.0.0.1:24401", "127.0.0.1:25401"}));
        QCOMPARE(c->controlAddresses.at("5"), std::string("127.0.0.1:25405"));
        QCOMPARE(c->snapshot.cluster, std::string("fig5"));
        QCOMPARE(c->snapshot.plan.election.systemLeader, std::optional<std::string>("2"));
        QCOMPARE(c->snapshot.plan.tunnels.size(), std::size_t{2});

        // No coordinator (etcd), no control address known yet: null and "".
        Cluster none = *c;
        none.coordinator.reset();
        none.agents[0].control.clear();
        none.controlAddresses.clear();
        const std::string text = encodeCluster(none);
        QVERIFY(text.find("\"coordinator\":null") != std::string::npos);
        QVERIFY(text.find("\"control_addresses\":{}") != std::string::npos);
        auto back = parseCluster(text);
        QVERIFY(back.ok());
        QCOMPARE(*back, none);
    }

    void subscribeReadsAndEncodesAsTheAgentSent()
    {
        const auto results = resultsOf("subscribe");
        QCOMPARE(results.size(), std::size_t{3});
        for (const auto &text : results) {
            auto r = parseSubscribe(text);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
            QCOMPARE(encodeSubscribe(*r), text);
        }
        QCOMPARE(*parseSubscribe(results[1]), (Subscribe{false, "", 0, 0, false}));
        QCOMPARE(*parseSubscribe(results[2]),
                 (Subscribe{true, "6@1796417704948515", 26, 6, false}));
    }

    void viewsReadAndEncodeAsTheAgentSent()
    {
        const auto results = resultsOf("get-views");
        QCOMPARE(results.size(), std::size_t{2});
        for (const auto &text : results) {
            auto v = parseViews(text);
            QVERIFY2(v.ok(), v.ok() ? "" : v.error().message.c_str());
            QCOMPARE(encodeViews(*v), text);
        }
        auto first = parseViews(results[0]);
        QVERIFY(first->base);
        QCOMPARE(first->base->rev, std::int64_t{1});
        QCOMPARE(first->base->viewId, std::string("1.1"));
        QCOMPARE(first->base->snapshot.nodes.size(), std::size_t{2});
        QCOMPARE(first->views.size(), std::size_t{2});
        QCOMPARE(first->views[1].viewId, std::string("1.3"));
        QCOMPARE(first->page, (Page{"6@1796417704948515", 3, true}));
        // A client that holds the log: no base.
        auto next = parseViews(results[1]);
        QVERIFY(!next->base);
        QCOMPARE(next->views.at(0).rev, std::int64_t{4});
    }

    void eventsOfTheDocument()
    {
        const auto lines = eventLines();
        QVERIFY(lines.size() >= 15);
        int kinds[4] = {0, 0, 0, 0};
        for (const auto &line : lines) {
            auto e = parseEvent(line);
            QVERIFY2(e.ok(), e.ok() ? line.c_str() : e.error().message.c_str());
            QVERIFY(e->kind);
            ++kinds[static_cast<int>(*e->kind)];
            // The data kept as the agent ordered it.
            QCOMPARE(e->dataJson, nlohmann::ordered_json::parse(line)["data"].dump());
        }
        QVERIFY(kinds[0] > 0 && kinds[1] > 0 && kinds[2] > 0 && kinds[3] > 0);
        auto replayed = std::find_if(lines.begin(), lines.end(), [](const std::string &l) {
            return l.find("\"seq\":23") != std::string::npos;
        });
        QVERIFY(replayed != lines.end());
        auto f = parseEvent(*replayed);
        QCOMPARE(f->seq, std::int64_t{23});
        QCOMPARE(f->group, std::string("GL_group"));
        QCOMPARE(f->from, std::optional<std::string>("2"));
        QCOMPARE(f->to, std::optional<std::string>("4"));
        QCOMPARE(f->reason, std::optional<std::string>("connection-lost"));
        QCOMPARE(f->viewId, std::string("2.0"));
    }

    // The agent's event encoders (dmr/protocol.h) and this reader agree on every field.
    void eventsTheEncodersWriteReadBack()
    {
        using namespace dmr::protocol;
        dmr::View view{"10.0.1.0/24", {{"3", 7}, {"1", 9}}};
        auto v = parseEvent(encodeViewChanged(5, view, "3.0"));
        QVERIFY2(v.ok(), v.ok() ? "" : v.error().message.c_str());
        QCOMPARE(v->kind, std::optional<EventKind>(EventKind::ViewChanged));
        QCOMPARE(v->group, std::string("10.0.1.0/24"));
        QCOMPARE(v->leader, std::optional<std::string>("3"));
        QCOMPARE(v->members, (std::vector<dmr::Member>{{"3", 7}, {"1", 9}}));
        QCOMPARE(v->viewId, std::string("3.0"));
        QCOMPARE(v->timeMs, std::int64_t{5});
        auto empty = parseEvent(encodeViewChanged(6, dmr::View{"10.0.3.0/24", {}}));
        QVERIFY(empty.ok() && !empty->leader && empty->members.empty() && empty->viewId.empty());

        auto failover = parseEvent(encodeFailover(7, "GL_group", "2", "", "silent", "4.1"));
        QVERIFY(failover.ok());
        QCOMPARE(failover->from, std::optional<std::string>("2"));
        QVERIFY(!failover->to);
        QCOMPARE(failover->reason, std::optional<std::string>("silent"));

        DrillRequest d;
        d.action = DrillAction::FailAdapter;
        d.node = "4";
        d.iface = "eth1";
        d.reason = "cable pull";
        d.durationMs = 3000;
        auto drill = parseEvent(encodeDrillEvent(8, d, "dmrctl 0.1.0", "operator", "token"));
        QVERIFY(drill.ok());
        QCOMPARE(drill->kind, std::optional<EventKind>(EventKind::Drill));
        QCOMPARE(drill->action, std::string("fail-adapter"));
        QCOMPARE(drill->iface, std::string("eth1"));
        QCOMPARE(drill->durationMs, std::optional<std::int64_t>(3000));
        QCOMPARE(drill->client, std::optional<std::string>("dmrctl 0.1.0"));
        QCOMPARE(drill->identity, std::string("token"));

        const std::string plan = sequenceEvent(
            encodePlanChanged(
                9, {dmr::Action{dmr::Action::Kind::Unroute, {"1", "eth0", "10.0.1.0/24"}, {}}},
                "4.2"),
            12);
        auto p = parseEvent(plan);
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().message.c_str());
        QCOMPARE(p->seq, std::int64_t{12});
        QCOMPARE(p->actions.size(), std::size_t{1});
        QCOMPARE(p->actions[0].kind, std::string("unroute"));

        // A kind this build does not know: kept, with its data as sent.
        auto comet =
            parseEvent(R"({"type":"event","event":"comet","time_ms":5,"data":{"z":1,"a":[2]}})");
        QVERIFY(comet.ok() && !comet->kind);
        QCOMPARE(comet->kindName, std::string("comet"));
        QCOMPARE(comet->dataJson, std::string(R"({"z":1,"a":[2]})"));
    }

    // get-state's relay as dmrctl tunnels prints it: every field of a tunnel end, the offload,
    // the authentication, the carry, and the tunnels the plan cannot have.
    void relayStateWhole()
    {
        auto r = parseRelayState(
            R"({"node":"2","leads":["10.0.1.0/24"],"no_tunnels":[{"root":"2","leaf":"7",)"
            R"("networks":["fd00:9::/64"],"reason":"no address family in common"}],)"
            R"("relay":{"mode":"loopback","port":26400,"halted":false,"epoch":99,)"
            R"("authentication":{"mac":"AES-256-GCM","encrypt":true,"kdf":"HKDF-SHA256"},)"
            R"("offload":{"tunnel_gso":{"on":true},"tunnel_gro":{"on":false,"why":"no GRO"}},)"
            R"("carries":null,"prune":true,"listeners":[],)"
            R"("tunnels":[{"peer":"6","role":"root","address":"127.0.0.1:26401","state":"up",)"
            R"("age_ms":12,"packets_in":1,"bytes_in":2,"packets_out":3,"bytes_out":4,)"
            R"("keepalives_in":5,"keepalives_out":6,"duplicates_in":7,"networks":["10.0.2.0/24"],)"
            R"("carries":["10.0.2.0/24"],"closing":true,"peer_wants":null,"wants_sent":null,)"
            R"("pruned_packets":8,"limited_packets":9,"limited_bytes":10,"phase":"closing"},)"
            R"({"peer":"4","last_heard_ms":null,"age_ms":null,"carries":null}],"drops":{"bad-mac":0}}})");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE(r->noTunnels.size(), std::size_t{1});
        QCOMPARE(r->noTunnels[0].leaf, std::string("7"));
        QCOMPARE(r->mode, std::string("loopback"));
        QCOMPARE(r->port, std::optional<std::int64_t>(26400));
        QCOMPARE(r->epoch, std::optional<std::int64_t>(99));
        QCOMPARE(r->authentication, (std::optional<RelayAuthentication>({"AES-256-GCM", true})));
        QCOMPARE(r->offload->tunnelGso, std::optional<OffloadState>({true, ""}));
        QCOMPARE(r->offload->tunnelGro, std::optional<OffloadState>({false, "no GRO"}));
        QVERIFY(!r->offload->segmentGso);
        QCOMPARE(r->carries.kind, GroupList::Kind::Null);
        const RelayTunnel &t = r->tunnels[0];
        QCOMPARE(t.address, std::string("127.0.0.1:26401"));
        QCOMPARE(t.ageMs, std::optional<std::int64_t>(12));
        QCOMPARE(t.keepalivesOut, std::optional<std::int64_t>(6));
        QCOMPARE(t.duplicatesIn, std::optional<std::int64_t>(7));
        QCOMPARE(t.carries.groups, std::vector<std::string>{"10.0.2.0/24"});
        QVERIFY(t.closing);
        const RelayTunnel &connecting = r->tunnels[1];
        QVERIFY(!connecting.ageMs && !connecting.packetsIn && !connecting.closing);
        QCOMPARE(connecting.carries.kind, GroupList::Kind::Null);
        QCOMPARE(r->drops.at("bad-mac"), std::int64_t{0});

        auto off = parseRelayState(R"({"node":"3","relay":null})");
        QVERIFY(off.ok() && !off->relayOn && off->tunnels.empty());
    }

    void malformedRepliesNameTheField_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("not json") << 0 << "{\"node\":"
                                  << "get-state: ";
        QTest::newRow("not an object") << 0 << "[1]"
                                       << "get-state: document: expected an object, found array";
        QTest::newRow("state without role")
            << 0
            << R"({"node":"1","state":"up","membership":"member","leads":[],"routes":[],"tunnels":[]})"
            << "get-state: role: missing";
        QTest::newRow("a tunnel's leaf not an object")
            << 0
            << R"({"node":"1","state":"up","role":"member","membership":"member","leads":[],"routes":[],"tunnels":[{"root":{"node":"1","iface":"eth0","address":"10.0.0.1"},"leaf":7,"networks":[]}]})"
            << "get-state: tunnels[0].leaf: expected an object, found number";
        QTest::newRow("a data plane entry without text")
            << 0
            << R"({"node":"1","state":"up","role":"member","membership":"member","leads":[],"routes":[],"tunnels":[],"data_plane_log":[{"time_ms":1,"kind":"route"}]})"
            << "get-state: data_plane_log[0].text: missing";
        QTest::newRow("history time as text")
            << 1
            << R"({"failovers":[{"id":1,"node":"2","cause":"silent","roles":[],"successors":{},"view_id":"1.2","silent_ms":1,"failed_ms":1,"detected_ms":"soon"}]})"
            << "get-history: failovers[0].detected_ms: expected an integer, found string";
        QTest::newRow("history successor a number")
            << 1
            << R"({"failovers":[{"id":1,"node":"2","cause":"silent","roles":[],"successors":{"system-leader":4}}]})"
            << "get-history: failovers[0].successors.system-leader: expected a string or null, "
               "found number";
        QTest::newRow("drills not an array")
            << 2 << R"({"drills":{}})"
            << "get-drills: drills: expected an array, found object";
        QTest::newRow("reachability loss text")
            << 3
            << R"({"nodes":["1"],"rows":[{"node":"1","answered":true,"heard":[{"from":"2","heard":true,"loss":"none"}]}]})"
            << "get-reachability: rows[0].heard[0].loss: expected a number, found string";
        QTest::newRow("reachability without rows") << 3 << R"({"nodes":[]})"
                                                   << "get-reachability: rows: missing";
        QTest::newRow("message not an object")
            << 10 << R"([1,2])"
            << "message: document: expected an object, found array";
        QTest::newRow("message of no known type")
            << 10 << R"({"type":"gossip"})"
            << "message: type: unknown message type \"gossip\"";
        QTest::newRow("message id an array")
            << 10 << R"({"type":"reply","id":[1],"result":{}})"
            << "message: id: expected an integer, a string or null, found array";
        QTest::newRow("message without type") << 10 << R"({"id":1})"
                                              << "message: type: missing";
        QTest::newRow("hello without agent") << 4 << R"({"version":"0.1.0","protocol":1})"
                                             << "hello: agent: missing";
        QTest::newRow("hello protocol as text")
            << 4 << R"({"agent":"2","protocol":"1"})"
            << "hello: protocol: expected an integer, found string";
        QTest::newRow("cluster without snapshot")
            << 5 << R"({"view_id":"1.2","coordinator":null,"agents":[]})"
            << "get-cluster: snapshot: missing";
        QTest::newRow("cluster agent's seq as text")
            << 5 << R"({"view_id":"1.2","agents":[{"id":"2","seq":"4"}],"snapshot":{}})"
            << "get-cluster: agents[0].seq: expected an integer, found string";
        QTest::newRow("cluster control address a number")
            << 5 << R"({"view_id":"1.2","agents":[],"control_addresses":{"2":25400},"snapshot":{}})"
            << "get-cluster: control_addresses.2: expected a string, found number";
        QTest::newRow("cluster snapshot inside")
            << 5
            << R"({"view_id":"1.2","agents":[],"snapshot":{"format":"dmr-snapshot","version":1,"cluster":"x","time_ms":1,"nodes":[{"id":7}],"groups":[],"gl_group":[],"leaders":{},"gl_order":[],"system_leader":null,"routes":[],"tunnels":[]}})"
            << "get-cluster: snapshot.nodes[0].id: expected a string, found number";
        QTest::newRow("subscribe seq as text")
            << 6 << R"({"events":true,"instance":"2@1","seq":"3"})"
            << "subscribe: seq: expected an integer, found string";
        QTest::newRow("views delta inside")
            << 7
            << R"({"base":null,"instance":"2@1","rev":3,"more":false,"views":[{"rev":3,"view_id":"1.3","time_ms":1,"groups":[{"name":"10.0.1.0/24","members":[{"node":"1"}]}],"status":[],"nodes":[]}]})"
            << "get-views: views[0].groups[0].members[0].seq: missing";
        QTest::newRow("views base without snapshot")
            << 7 << R"({"base":{"rev":1,"view_id":"1.1"},"views":[]})"
            << "get-views: base.snapshot: missing";
        QTest::newRow("event without data")
            << 8 << R"({"type":"event","event":"failover","time_ms":1})"
            << "event: data: missing";
        QTest::newRow("event failover's group a number")
            << 8 << R"({"type":"event","event":"failover","time_ms":1,"data":{"group":7}})"
            << "event: data.group: expected a string, found number";
        QTest::newRow("event view-changed's leader missing")
            << 8
            << R"({"type":"event","event":"view-changed","time_ms":1,"data":{"group":"g","members":[]}})"
            << "event: data.leader: missing";
        QTest::newRow("relay tunnel's counter as text")
            << 9 << R"({"node":"2","relay":{"tunnels":[{"peer":"6","packets_in":"many"}]}})"
            << "get-state: relay.tunnels[0].packets_in: expected an integer, found string";
        QTest::newRow("relay offload not an object")
            << 9 << R"({"node":"2","relay":{"offload":{"tunnel_gso":true}}})"
            << "get-state: relay.offload.tunnel_gso: expected an object, found boolean";
        QTest::newRow("no_tunnels without leaf")
            << 9 << R"({"node":"2","no_tunnels":[{"root":"2","networks":[]}],"relay":null})"
            << "get-state: no_tunnels[0].leaf: missing";
    }

    void malformedRepliesNameTheField()
    {
        QFETCH(int, kind);
        QFETCH(QString, text);
        QFETCH(QString, error);
        const std::string t = text.toStdString();
        std::string message;
        switch (kind) {
        case 0: {
            auto r = parseState(t);
            QVERIFY(!r.ok());
            message = r.error().message;
            break;
        }
        case 1: {
            auto r = parseHistory(t);
            QVERIFY(!r.ok());
            message = r.error().message;
            break;
        }
        case 2: {
            auto r = parseDrills(t);
            QVERIFY(!r.ok());
            message = r.error().message;
            break;
        }
        case 3: {
            auto r = parseReachability(t);
            QVERIFY(!r.ok());
            message = r.error().message;
            break;
        }
        case 4: {
            auto r = parseHello(t);
            QVERIFY(!r.ok());
            message = r.error().message;
            break;
        }
        case 5: {
            auto r = parseCluster(t);
            QVERIFY(!r.ok());
            message = r.error().message;
            break;
        }
        case 6: {
            auto r = parseSubscribe(t);
            QVERIFY(!r.ok());
            message = r.error().message;
            break;
        }
        case 7: {
            auto r = parseViews(t);
            QVERIFY(!r.ok());
            message = r.error().message;
            break;
        }
        case 8: {
            auto r = parseEvent(t);
            QVERIFY(!r.ok());
            message = r.error().message;
            break;
        }
        case 10: {
            auto r = parseMessage(t);
            QVERIFY(!r.ok());
            message = r.error().message;
            break;
        }
        default: {
            auto r = parseRelayState(t);
            QVERIFY(!r.ok());
            message = r.error().message;
        }
        }
        QVERIFY2(QString::fromStdString(message).startsWith(error), message.c_str());
    }

    void unknownFieldsAreIgnored()
    {
        auto d = parseDrill(
            R"({"id":3,"action":"kill","node":"2","reason":"r","started_ms":5,"ended_ms":null,"new_field":[1,2]})");
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().message.c_str());
        QCOMPARE(d->id, std::int64_t{3});
        QVERIFY(!d->endedMs);
        // Each reply, with a field added (the agent may add some within a version).
        const std::string added = R"("later":{"x":[1,"y"]},)";
        auto with = [&](const std::string &text) { return "{" + added + text.substr(1); };
        QVERIFY(parseHello(with(resultsOf("hello").front())).ok());
        QVERIFY(parseState(with(resultsOf("get-state").front())).ok());
        QVERIFY(parseRelayState(with(resultsOf("get-state").front())).ok());
        QCOMPARE(*parseCluster(with(resultsOf("get-cluster").front())),
                 *parseCluster(resultsOf("get-cluster").front()));
        QCOMPARE(*parseSubscribe(with(resultsOf("subscribe").back())),
                 *parseSubscribe(resultsOf("subscribe").back()));
        QCOMPARE(*parseHistory(with(resultsOf("get-history").back())),
                 *parseHistory(resultsOf("get-history").back()));
        QCOMPARE(*parseDrills(with(resultsOf("get-drills").back())),
                 *parseDrills(resultsOf("get-drills").back()));
        QCOMPARE(*parseViews(with(resultsOf("get-views").back())),
                 *parseViews(resultsOf("get-views").back()));
        QCOMPARE(*parseReachability(with(resultsOf("get-reachability").back())),
                 *parseReachability(resultsOf("get-reachability").back()));
        auto e = parseEvent(
            R"({"type":"event","event":"failover","time_ms":1,"later":2,"data":{"group":"g","from":"2","to":null,"new":true}})");
        QVERIFY2(e.ok(), e.ok() ? "" : e.error().message.c_str());
        QCOMPARE(e->group, std::string("g"));
    }

    // A failover record of an agent from before the phases: what it leaves out has a stated
    // meaning, not an error (the console and dmrctl read such agents in a rolling upgrade).
    void historyOfAnOlderAgent()
    {
        auto h = parseHistory(
            R"({"failovers":[{"id":1,"node":"2","cause":"left","roles":[],"successors":{},"detected_ms":50}]})");
        QVERIFY2(h.ok(), h.ok() ? "" : h.error().message.c_str());
        const Failover &f = h->failovers.at(0);
        QCOMPARE(f.failedMs, std::int64_t{50});
        QVERIFY(f.viewId.empty() && f.silentMs == 0 && f.electedMs == 0 && f.detectionMs == 0);
        QCOMPARE(h->page, Page{});
    }
};

QTEST_APPLESS_MAIN(TestReplies)
#include "tst_replies.moc"
