// The typed replies (shared/include/dmr/replies.h): every get-state, get-history, get-drills and
// get-reachability example of backend/PROTOCOL.md reads, the history and drills read back are
// encoded byte for byte as the agent sent them, and a malformed reply is an error naming the
// field and the reason.

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
        QVERIFY(Json::parse(encodeDrill(*d)).contains("forwarded_to"));
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
            auto doc = parseRelayListeners(capture);
            QVERIFY2(doc.ok(), doc.ok() ? "" : doc.error().message.c_str());
            QVERIFY(!doc->node.empty());
        }

        auto old = parseRelayListeners(
            R"({"node":"4","relay":{"mode":"loopback","tunnels":[{"peer":"2","role":"leaf"}]}})");
        QVERIFY(old.ok());
        QVERIFY(old->relayOn && !old->prune && !old->listenersKnown);
        QCOMPARE(old->tunnels.at(0).peerWants.kind, GroupList::Kind::Unknown);
        QCOMPARE(old->tunnels.at(0).wantsSent.kind, GroupList::Kind::Unknown);
        QVERIFY(!old->tunnels.at(0).prunedPackets);

        auto now = parseRelayListeners(
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

        auto bad = parseRelayListeners(R"({"node":"2","relay":{"listeners":[{"groups":[]}]}})");
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().message,
                 std::string("get-state: relay.listeners[0].network: missing"));
    }

    // What the rate limits, boundaries and threshold kept out: per tunnel, per channel range,
    // by reason; and what is in force. An agent before limits leaves them out: nullopt.
    void relayLimitsAndDrops()
    {
        auto now = parseRelayListeners(
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

        auto old = parseRelayListeners(R"({"node":"4","relay":{"tunnels":[{"peer":"2"}]}})");
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
            auto bad = parseRelayListeners(text);
            QVERIFY2(!bad.ok(), text);
            QCOMPARE(bad.error().message, std::string(error));
        }
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
        default: {
            auto r = parseReachability(t);
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
    }
};

QTEST_APPLESS_MAIN(TestReplies)
#include "tst_replies.moc"
