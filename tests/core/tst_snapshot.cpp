// Snapshots (snapshot.h): render and parse round-trip to an equal value and to the same bytes,
// and every rejection names the field. Rejections are rows of JSON Patch (RFC 6902) applied to
// a valid snapshot of Fig. 5 after node 2 fails.

#include "dmr/snapshot.h"
#include "dmr/topology.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QtTest>

using Json = nlohmann::json;

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QString qs(const Json &j)
{
    return QString::fromStdString(j.is_string() ? j.get<std::string>() : j.dump());
}

const char *const kIpv6Topology = R"({"name": "v6", "nodes": [
    {"id": "n10", "interfaces": [{"name": "eth0", "address": "fd00:2::10/64"},
                                 {"name": "eth1", "address": "fd00:3::10/64"}]},
    {"id": "n2", "interfaces": [{"name": "eth0", "address": "fd00:1::2/64"}]},
    {"id": "n1", "interfaces": [{"name": "eth0", "address": "FD00:1:0:0::1/64"},
                                {"name": "eth1", "address": "fd00:3::1/64"}]},
    {"id": "n3", "interfaces": [{"name": "eth0", "address": "fd00:2::3/64"}]}],
    "join_order": ["n2", "n10", "n1", "n3"]})";

} // namespace

class TestSnapshot : public QObject
{
    Q_OBJECT

    dmr::TopologyFile fig5_;

    // Fig. 5 started in its join order, then node 2 failed: the document the rejections mutate.
    dmr::ClusterModel fig5Fail2() const
    {
        dmr::ClusterModel model(fig5_.nodes);
        for (const auto &id : fig5_.joinOrder)
            if (!model.join(id))
                qFatal("join %s failed", id.c_str());
        if (!model.fail("2"))
            qFatal("fail 2 failed");
        return model;
    }

    // Renders, parses back and renders again: an equal value and the same bytes.
    static void checkRoundTrip(const dmr::Snapshot &s)
    {
        const std::string text = dmr::toJson(s);
        QVERIFY(!text.empty());
        QVERIFY(text.back() == '\n');
        QCOMPARE(qs(dmr::toJson(s)), qs(text)); // deterministic

        const auto parsed = dmr::parseSnapshot(text);
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        // Field by field first, so that a failure says where.
        QCOMPARE(qs(parsed->cluster), qs(s.cluster));
        QCOMPARE(parsed->timeMs, s.timeMs);
        QVERIFY(parsed->nodes == s.nodes);
        QVERIFY(parsed->status == s.status);
        QVERIFY(parsed->membership == s.membership);
        QVERIFY(parsed->plan.election == s.plan.election);
        QVERIFY(parsed->plan.routes == s.plan.routes);
        QVERIFY(parsed->plan.tunnels == s.plan.tunnels);
        QVERIFY(*parsed == s);
        QCOMPARE(qs(dmr::toJson(*parsed)), qs(text));
    }

private slots:
    void initTestCase()
    {
        QFile f(QStringLiteral(DMR_TOPOLOGIES "/fig5.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        auto topo = dmr::parseTopology(f.readAll().toStdString());
        QVERIFY2(topo.ok(), topo.ok() ? "" : topo.error().message.c_str());
        fig5_ = std::move(topo).value();
    }

    // A what-if from a live snapshot gives what the planner gives when the same happens to the
    // model that snapshot came from (dmrctl plan --fail).
    void whatIfFromASnapshot()
    {
        dmr::ClusterModel live(fig5_.nodes);
        for (const auto &id : fig5_.joinOrder)
            QVERIFY(live.join(id).ok());
        QVERIFY(live.failAdapter("4", "eth1").ok());
        const auto snapshot = dmr::makeSnapshot(live, "fig5", 1);
        for (const std::string node : {"2", "6", "1"}) {
            dmr::ClusterModel expected = live;
            QVERIFY(expected.fail(node).ok());
            dmr::ClusterModel asked = dmr::modelOf(snapshot);
            QVERIFY(asked.fail(node).ok());
            QVERIFY2(asked.plan() == expected.plan(), node.c_str());
            QVERIFY(asked.membership() == expected.membership());
        }
        // The adapter that failed stays failed; a node that rejoins goes after everyone.
        dmr::ClusterModel asked = dmr::modelOf(snapshot);
        QVERIFY(asked.failedAdapters("4") == std::set<std::string>{"eth1"});
        QVERIFY(asked.fail("1").ok());
        QVERIFY(asked.join("1").ok());
        dmr::ClusterModel expected = live;
        QVERIFY(expected.fail("1").ok());
        QVERIFY(expected.join("1").ok());
        QVERIFY(asked.membership() == expected.membership());
    }

    void fig5RoundTrip()
    {
        const auto s = dmr::makeSnapshot(fig5Fail2(), "fig5", 1764218000123);
        // A snapshot with something in every part, or the round trip proves little.
        QCOMPARE(s.nodes.size(), std::size_t(6));
        QCOMPARE(s.membership.networks.size(), std::size_t(3));
        QCOMPARE(s.membership.glGroup.members.size(), std::size_t(3));
        QCOMPARE(s.plan.routes.size(), std::size_t(3));
        QCOMPARE(s.plan.tunnels.size(), std::size_t(2));
        checkRoundTrip(s);
    }

    void fig5JsonFacts()
    {
        const std::string text = dmr::toJson(dmr::makeSnapshot(fig5Fail2(), "fig5", 1764218000123));
        const Json j = Json::parse(text);
        // Pretty-printed with sorted keys and two-space indentation.
        QCOMPARE(qs(j.dump(2) + "\n"), qs(text));

        QCOMPARE(qs(j.at("format")), QStringLiteral("dmr-snapshot"));
        QCOMPARE(j.at("version").get<int>(), 1);
        QCOMPARE(qs(j.at("cluster")), QStringLiteral("fig5"));
        QVERIFY(j.at("time_ms").is_number_integer());
        QCOMPARE(j.at("time_ms").get<std::int64_t>(), std::int64_t(1764218000123));

        // Node 2 led network A and the GL_group; node 6 (next in the GL_group) takes over
        // as system leader and node 1 (next in A) as leader of A.
        QCOMPARE(qs(j.at("system_leader")), QStringLiteral("6"));
        QCOMPARE(qs(j.at("gl_order")), QStringLiteral(R"(["6","4","1"])"));
        QCOMPARE(qs(j.at("leaders").at("10.0.1.0/24")), QStringLiteral("1"));
        QCOMPARE(qs(j.at("leaders").at("10.0.2.0/24")), QStringLiteral("6"));
        QCOMPARE(qs(j.at("leaders").at("10.0.3.0/24")), QStringLiteral("4"));

        QStringList ids;
        QStringList states;
        for (const Json &n : j.at("nodes")) {
            ids << qs(n.at("id"));
            states << qs(n.at("state"));
        }
        QCOMPARE(ids, QStringList({"1", "2", "3", "4", "5", "6"}));
        QCOMPARE(states, QStringList({"up", "failed", "up", "up", "up", "up"}));

        const Json &a = j.at("groups").at(0);
        QCOMPARE(qs(a.at("name")), QStringLiteral("10.0.1.0/24"));
        QCOMPARE(a.at("members").size(), std::size_t(2));
        QCOMPARE(qs(a.at("members").at(0).at("node")), QStringLiteral("1"));
        QCOMPARE(qs(a.at("members").at(1).at("node")), QStringLiteral("3"));

        const Json &iface = j.at("nodes").at(0).at("interfaces").at(1);
        QCOMPARE(qs(iface.at("name")), QStringLiteral("eth1"));
        QCOMPARE(qs(iface.at("address")), QStringLiteral("10.0.3.1/24"));
        QCOMPARE(qs(iface.at("network")), QStringLiteral("10.0.3.0/24"));
        QCOMPARE(iface.at("failed").get<bool>(), false);
    }

    // Nothing started: no groups, no leaders, system_leader null.
    void emptyClusterRoundTrip()
    {
        const dmr::ClusterModel model(fig5_.nodes);
        const auto s = dmr::makeSnapshot(model, "idle", 0);
        QVERIFY(s.membership.networks.empty());
        QVERIFY(!s.plan.election.systemLeader);
        checkRoundTrip(s);
        const Json j = Json::parse(dmr::toJson(s));
        QVERIFY(j.at("system_leader").is_null());
        QVERIFY(j.at("groups").empty());
        QCOMPARE(qs(j.at("nodes").at(0).at("state")), QStringLiteral("down"));
    }

    void ipv6RoundTrip()
    {
        const auto topo = dmr::parseTopology(kIpv6Topology);
        QVERIFY2(topo.ok(), topo.ok() ? "" : topo.error().message.c_str());
        dmr::ClusterModel model(topo->nodes);
        for (const auto &id : topo->joinOrder)
            QVERIFY(model.join(id).ok());
        const auto s = dmr::makeSnapshot(model, "v6", 1764218000123);
        QVERIFY(!s.plan.tunnels.empty());
        checkRoundTrip(s);

        const Json j = Json::parse(dmr::toJson(s));
        QStringList ids;
        for (const Json &n : j.at("nodes"))
            ids << qs(n.at("id"));
        QCOMPARE(ids, QStringList({"n1", "n2", "n3", "n10"})); // natural order
        QStringList groups;
        for (const Json &g : j.at("groups"))
            groups << qs(g.at("name"));
        QCOMPARE(groups, QStringList({"fd00:1::/64", "fd00:2::/64", "fd00:3::/64"}));
        // Addresses in canonical form, whatever the topology file said.
        const Json &n1eth0 = j.at("nodes").at(0).at("interfaces").at(0);
        QCOMPARE(qs(n1eth0.at("address")), QStringLiteral("fd00:1::1/64"));
        QCOMPARE(qs(n1eth0.at("network")), QStringLiteral("fd00:1::/64"));
        const QString root = qs(j.at("tunnels").at(0).at("root").at("address"));
        QVERIFY2(root.startsWith(QLatin1String("fd00:")), qPrintable(root));
        QVERIFY(!root.contains(QLatin1Char('/')));
    }

    // Adapter failures and every node state survive the round trip.
    void failedAdapterRoundTrip()
    {
        dmr::ClusterModel model(fig5_.nodes);
        for (const auto &id : fig5_.joinOrder)
            if (id != "5")
                QVERIFY(model.join(id).ok());
        QVERIFY(model.failAdapter("4", "eth1").ok()); // while up
        QVERIFY(model.failAdapter("5", "eth0").ok()); // while down
        QVERIFY(model.drain("3").ok());
        QVERIFY(model.fail("2").ok());
        const auto s = dmr::makeSnapshot(model, "fig5", 1764218000123);
        QCOMPARE(s.status.at("4").failedAdapters, std::set<std::string>{"eth1"});
        checkRoundTrip(s);

        const auto parsed = dmr::parseSnapshot(dmr::toJson(s));
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->status.at("4").failedAdapters, std::set<std::string>{"eth1"});
        QCOMPARE(parsed->status.at("5").failedAdapters, std::set<std::string>{"eth0"});
        QVERIFY(parsed->status.at("1").failedAdapters.empty());
        QVERIFY(parsed->status.at("1").state == dmr::NodeState::Up);
        QVERIFY(parsed->status.at("2").state == dmr::NodeState::Failed);
        QVERIFY(parsed->status.at("3").state == dmr::NodeState::Drained);
        QVERIFY(parsed->status.at("5").state == dmr::NodeState::Down);

        const Json j = Json::parse(dmr::toJson(s));
        const Json &node4 = j.at("nodes").at(3);
        QCOMPARE(qs(node4.at("id")), QStringLiteral("4"));
        QCOMPARE(node4.at("interfaces").at(0).at("failed").get<bool>(), false);
        QCOMPARE(node4.at("interfaces").at(1).at("failed").get<bool>(), true);
        QCOMPARE(qs(j.at("nodes").at(2).at("state")), QStringLiteral("drained"));
        QCOMPARE(qs(j.at("nodes").at(4).at("state")), QStringLiteral("down"));
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("patch");     // JSON Patch; empty: edit the text instead
        QTest::addColumn<QByteArray>("textFrom");  // text edit: replace this...
        QTest::addColumn<QByteArray>("textTo");    // ...with this
        QTest::addColumn<QStringList>("expected"); // substrings of the message

        auto patch = [](const char *name, const char *p, const QStringList &expected) {
            QTest::newRow(name) << QByteArray(p) << QByteArray() << QByteArray() << expected;
        };
        auto text = [](const char *name, const char *from, const char *to,
                       const QStringList &expected) {
            QTest::newRow(name) << QByteArray() << QByteArray(from) << QByteArray(to) << expected;
        };

        // Format and version
        patch("version 2", R"([{"op": "replace", "path": "/version", "value": 2}])",
              {"snapshot: version: snapshot format version 2 is newer than this program reads (1)",
               "upgrade"});
        patch("version 0", R"([{"op": "replace", "path": "/version", "value": 0}])",
              {"snapshot: version: unknown snapshot format version 0"});
        patch("version negative", R"([{"op": "replace", "path": "/version", "value": -1}])",
              {"snapshot: version: unknown snapshot format version -1"});
        patch("version a string", R"([{"op": "replace", "path": "/version", "value": "1"}])",
              {"snapshot: version: expected an integer, found string"});
        patch("version not whole", R"([{"op": "replace", "path": "/version", "value": 1.5}])",
              {"snapshot: version: expected an integer, found number"});
        patch("wrong format name", R"([{"op": "replace", "path": "/format", "value": "dmr-snap"}])",
              {"snapshot: format: expected \"dmr-snapshot\""});
        patch("missing format", R"([{"op": "remove", "path": "/format"}])",
              {"snapshot: format: missing"});

        // Unknown and missing fields
        patch("unknown top-level field", R"([{"op": "add", "path": "/comment", "value": "x"}])",
              {"snapshot: comment: unknown field"});
        patch("unknown node field", R"([{"op": "add", "path": "/nodes/0/role", "value": "x"}])",
              {"snapshot: nodes[0].role: unknown field"});
        patch("unknown interface field",
              R"([{"op": "add", "path": "/nodes/0/interfaces/1/mtu", "value": 1500}])",
              {"snapshot: nodes[0].interfaces[1].mtu: unknown field"});
        patch("unknown endpoint field",
              R"([{"op": "add", "path": "/tunnels/0/leaf/port", "value": 1}])",
              {"snapshot: tunnels[0].leaf.port: unknown field"});
        patch("missing time_ms", R"([{"op": "remove", "path": "/time_ms"}])",
              {"snapshot: time_ms: missing"});
        patch("missing gl_order", R"([{"op": "remove", "path": "/gl_order"}])",
              {"snapshot: gl_order: missing"});
        patch("missing tunnels", R"([{"op": "remove", "path": "/tunnels"}])",
              {"snapshot: tunnels: missing"});
        patch("missing interface failed",
              R"([{"op": "remove", "path": "/nodes/0/interfaces/0/failed"}])",
              {"snapshot: nodes[0].interfaces[0].failed: missing"});
        patch("missing member seq", R"([{"op": "remove", "path": "/groups/2/members/1/seq"}])",
              {"snapshot: groups[2].members[1].seq: missing"});

        // References to unknown nodes
        patch("member unknown node",
              R"([{"op": "replace", "path": "/groups/0/members/0/node", "value": "9"}])",
              {"snapshot: groups[0].members[0].node: unknown node \"9\""});
        patch("gl_group unknown node",
              R"([{"op": "replace", "path": "/gl_group/2/node", "value": "9"}])",
              {"snapshot: gl_group[2].node: unknown node \"9\""});
        patch("leader unknown node",
              R"([{"op": "replace", "path": "/leaders/10.0.1.0~124", "value": "9"}])",
              {"snapshot: leaders.10.0.1.0/24: unknown node \"9\""});
        patch("gl_order unknown node",
              R"([{"op": "replace", "path": "/gl_order/1", "value": "9"}])",
              {"snapshot: gl_order[1]: unknown node \"9\""});
        patch("route unknown node",
              R"([{"op": "replace", "path": "/routes/0/node", "value": "9"}])",
              {"snapshot: routes[0].node: unknown node \"9\""});
        patch("system_leader unknown node",
              R"([{"op": "replace", "path": "/system_leader", "value": "9"}])",
              {"snapshot: system_leader: unknown node \"9\""});
        patch("tunnel endpoint unknown node",
              R"([{"op": "replace", "path": "/tunnels/1/root/node", "value": "9"}])",
              {"snapshot: tunnels[1].root.node: unknown node \"9\""});

        patch("route unknown interface",
              R"([{"op": "replace", "path": "/routes/0/iface", "value": "eth7"}])",
              {"snapshot: routes[0].iface: node \"1\" has no interface \"eth7\""});
        patch("group name not canonical",
              R"([{"op": "replace", "path": "/groups/0/name", "value": "10.0.01.0/24"}])",
              {"snapshot: groups[0].name:"});
        patch("tunnel network not canonical",
              R"([{"op": "replace", "path": "/tunnels/0/networks/0", "value": "10.0.2.0/024"}])",
              {"snapshot: tunnels[0].networks[0]:"});

        // Membership order
        patch("seq not increasing",
              R"([{"op": "copy", "from": "/groups/1/members/0/seq",
                   "path": "/groups/1/members/1/seq"}])",
              {"snapshot: groups[1].members[1].seq: join sequence must increase along the list"});
        patch("gl_group seq not increasing",
              R"([{"op": "copy", "from": "/gl_group/2/seq", "path": "/gl_group/1/seq"}])",
              {"snapshot: gl_group[2].seq: join sequence must increase along the list"});
        patch("negative seq",
              R"([{"op": "replace", "path": "/groups/0/members/0/seq", "value": -1}])",
              {"snapshot: groups[0].members[0].seq: expected a non-negative integer, found a "
               "negative one"});
        patch("member not an object",
              R"([{"op": "replace", "path": "/groups/0/members/0", "value": "1"}])",
              {"snapshot: groups[0].members[0]: expected an object, found string"});

        // Leaders
        patch("system_leader not first of gl_order",
              R"([{"op": "copy", "from": "/gl_order/1", "path": "/system_leader"}])",
              {"snapshot: system_leader: must be the first of gl_order"});
        patch("system_leader null with a gl_order",
              R"([{"op": "replace", "path": "/system_leader", "value": null}])",
              {"snapshot: system_leader: must be the first of gl_order"});
        patch("system_leader set with an empty gl_order",
              R"([{"op": "replace", "path": "/gl_order", "value": []}])",
              {"snapshot: system_leader: must be the first of gl_order"});
        patch("system_leader a number",
              R"([{"op": "replace", "path": "/system_leader", "value": 6}])",
              {"snapshot: system_leader: expected a node id string or null, found number"});
        patch("leaders key not a network",
              R"([{"op": "add", "path": "/leaders/bogus", "value": "1"}])",
              {"snapshot: leaders.bogus: invalid network \"bogus\""});

        // Tunnels
        patch("tunnel endpoint unknown interface",
              R"([{"op": "replace", "path": "/tunnels/0/leaf/iface", "value": "eth9"}])",
              {"snapshot: tunnels[0].leaf.iface: node \"4\" has no interface \"eth9\""});
        patch("tunnel endpoint bad address",
              R"([{"op": "replace", "path": "/tunnels/0/root/address", "value": "10.0.2.6/24"}])",
              {"snapshot: tunnels[0].root.address: invalid IPv4 address \"10.0.2.6/24\""});
        patch("tunnel network with host bits",
              R"([{"op": "replace", "path": "/tunnels/0/networks/0", "value": "10.0.3.1/24"}])",
              {"snapshot: tunnels[0].networks[0]: invalid network \"10.0.3.1/24\"",
               "host bits set (the network is 10.0.3.0/24)"});

        // Nodes and interfaces
        patch("interface network not matching address",
              R"([{"op": "replace", "path": "/nodes/0/interfaces/0/network",
                   "value": "10.0.9.0/24"}])",
              {"snapshot: nodes[0].interfaces[0].network: does not match the address (expected "
               "10.0.1.0/24)"});
        patch(
            "interface bad address",
            R"([{"op": "replace", "path": "/nodes/2/interfaces/0/address", "value": "10.0.1.3"}])",
            {"snapshot: nodes[2].interfaces[0].address: invalid interface address \"10.0.1.3\"",
             "missing '/'"});
        patch("interface failed not a boolean",
              R"([{"op": "replace", "path": "/nodes/0/interfaces/0/failed", "value": "no"}])",
              {"snapshot: nodes[0].interfaces[0].failed: expected a boolean, found string"});
        patch("bad state string",
              R"([{"op": "replace", "path": "/nodes/1/state", "value": "crashed"}])",
              {"snapshot: nodes[1].state: unknown node state \"crashed\"",
               "expected down, up, failed or drained"});
        patch("duplicate node id", R"([{"op": "replace", "path": "/nodes/1/id", "value": "1"}])",
              {"snapshot: nodes[1].id: duplicate node id \"1\""});
        patch("nodes not an array", R"([{"op": "replace", "path": "/nodes", "value": {}}])",
              {"snapshot: nodes: expected an array, found object"});

        // Groups
        patch("group name with host bits",
              R"([{"op": "replace", "path": "/groups/0/name", "value": "10.0.1.1/24"}])",
              {"snapshot: groups[0].name: invalid network \"10.0.1.1/24\"", "host bits set"});
        patch("duplicate group", R"([{"op": "copy", "from": "/groups/0", "path": "/groups/1"}])",
              {"snapshot: groups[1].name: duplicate group \"10.0.1.0/24\""});

        // Not a snapshot document at all
        text("malformed JSON text", "\"cluster\": \"fig5\",", "\"cluster\": \"fig5\",,",
             {"snapshot: line 2, column 21: syntax error"});
        text("truncated JSON text", "\"version\": 1\n}", "\"version\": 1\n",
             {"snapshot: line ", "syntax error", "unexpected end of input"});
    }

    void rejects()
    {
        QFETCH(QByteArray, patch);
        QFETCH(QByteArray, textFrom);
        QFETCH(QByteArray, textTo);
        QFETCH(QStringList, expected);

        const std::string base = dmr::toJson(dmr::makeSnapshot(fig5Fail2(), "fig5", 1764218000123));
        QVERIFY2(dmr::parseSnapshot(base).ok(), "the unmodified document must parse");

        std::string mutated;
        if (!patch.isEmpty()) {
            try {
                mutated = Json::parse(base).patch(Json::parse(patch.toStdString())).dump(2);
            } catch (const Json::exception &e) {
                QFAIL(e.what());
            }
        } else {
            QByteArray t = QByteArray::fromStdString(base);
            QVERIFY2(t.contains(textFrom), textFrom.constData());
            mutated = t.replace(textFrom, textTo).toStdString();
        }
        QVERIFY(mutated != base);

        const auto r = dmr::parseSnapshot(mutated);
        QVERIFY2(!r.ok(), "accepted");
        const QString m = qs(r.error().message);
        for (const QString &e : expected)
            QVERIFY2(m.contains(e), qPrintable(QStringLiteral("expected \"%1\" in: %2").arg(e, m)));
        QVERIFY(!m.contains(QLatin1Char('\n')));
    }

    void rejectsOtherDocuments_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QByteArray() << "snapshot: line 1, column 1: syntax error";
        QTest::newRow("array") << QByteArray("[]")
                               << "snapshot: document: expected an object, found array";
        QTest::newRow("null") << QByteArray("null")
                              << "snapshot: document: expected an object, found null";
        QTest::newRow("empty object") << QByteArray("{}") << "snapshot: format: missing";
        QTest::newRow("topology file")
            << QByteArray(R"({"name": "t", "nodes": []})") << "snapshot: name: unknown field";
    }

    void rejectsOtherDocuments()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        const auto r = dmr::parseSnapshot(text.toStdString());
        QVERIFY2(!r.ok(), "accepted");
        const QString m = qs(r.error().message);
        QVERIFY2(m.contains(expected), qPrintable(m));
    }
};

QTEST_GUILESS_MAIN(TestSnapshot)
#include "tst_snapshot.moc"
