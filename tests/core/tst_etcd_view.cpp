// The pure part of membership on etcd (shared/include/dmr/etcd_view.h): base64, the key layout,
// the node record, and "keys + create revisions -> the ordered view".

#include "dmr/election.h"
#include "dmr/etcd_view.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace dmr;
using namespace dmr::etcd;

namespace {

const std::string kPrefix = clusterPrefix("fig5");

Kv nodeKv(const NodeId &id, std::int64_t rev, bool leaving = false)
{
    NodeRecord r{"127.0.0.1:740" + id, 7, R"({"state":"up"})", leaving};
    return Kv{nodeKey(kPrefix, id), encodeNodeRecord(r), rev, rev, 100};
}

Kv groupKv(const GroupName &g, const NodeId &id, std::int64_t rev)
{
    return Kv{groupKey(kPrefix, g, id), "", rev, rev, 100};
}

Kv glKv(const NodeId &id, std::int64_t rev)
{
    return Kv{glKey(kPrefix, id), "", rev, rev, 100};
}

std::vector<NodeId> ids(const std::vector<Member> &members)
{
    std::vector<NodeId> out;
    for (const auto &m : members)
        out.push_back(m.node);
    return out;
}

} // namespace

class TestEtcdView : public QObject
{
    Q_OBJECT

private slots:
    void base64Vectors_data()
    {
        QTest::addColumn<QByteArray>("plain");
        QTest::addColumn<QByteArray>("encoded");
        // RFC 4648 section 10.
        QTest::newRow("empty") << QByteArray("") << QByteArray("");
        QTest::newRow("f") << QByteArray("f") << QByteArray("Zg==");
        QTest::newRow("fo") << QByteArray("fo") << QByteArray("Zm8=");
        QTest::newRow("foo") << QByteArray("foo") << QByteArray("Zm9v");
        QTest::newRow("foob") << QByteArray("foob") << QByteArray("Zm9vYg==");
        QTest::newRow("fooba") << QByteArray("fooba") << QByteArray("Zm9vYmE=");
        QTest::newRow("foobar") << QByteArray("foobar") << QByteArray("Zm9vYmFy");
        QTest::newRow("binary") << QByteArray("\xff\x00\xfe", 3) << QByteArray("/wD+");
    }
    void base64Vectors()
    {
        QFETCH(QByteArray, plain);
        QFETCH(QByteArray, encoded);
        const std::string p(plain.constData(), static_cast<std::size_t>(plain.size()));
        QCOMPARE(QByteArray::fromStdString(base64Encode(p)), encoded);
        auto back = base64Decode(encoded.toStdString());
        QVERIFY(back.ok());
        QCOMPARE(*back, p);
    }

    void base64Rejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("length") << "Zm9"
                                << "base64: length 3 is not a multiple of 4";
        QTest::newRow("character") << "Zm9*"
                                   << "base64: bad character at offset 3";
        QTest::newRow("padding inside") << "Zg==Zm9v"
                                        << "base64: bad character at offset 2";
        QTest::newRow("padding first") << "=m9v"
                                       << "base64: bad character at offset 0";
    }
    void base64Rejects()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        auto r = base64Decode(text.toStdString());
        QVERIFY(!r.ok());
        QCOMPARE(QString::fromStdString(r.error().message), message);
    }

    void keysRoundTrip()
    {
        QCOMPARE(kPrefix, std::string("dmr/fig5/"));
        QCOMPARE(prefixEnd("dmr/fig5/"), std::string("dmr/fig50"));
        QCOMPARE(prefixEnd(std::string("a\xff", 2)), std::string("b"));
        const std::string g = groupKey(kPrefix, "10.0.1.0/24", "n/1%");
        QCOMPARE(g, std::string("dmr/fig5/groups/10.0.1.0%2F24/n%2F1%25"));
        auto p = parseKey(kPrefix, g);
        QVERIFY(p.ok());
        QVERIFY(p->kind == ParsedKey::Kind::Group);
        QCOMPARE(p->group, std::string("10.0.1.0/24"));
        QCOMPARE(p->node, std::string("n/1%"));
        auto n = parseKey(kPrefix, nodeKey(kPrefix, "2"));
        QVERIFY(n.ok() && n->kind == ParsedKey::Kind::Node && n->node == "2");
        auto l = parseKey(kPrefix, glKey(kPrefix, "6"));
        QVERIFY(l.ok() && l->kind == ParsedKey::Kind::Gl && l->node == "6");
    }

    void keysRejected_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("message");
        QTest::newRow("other cluster")
            << "dmr/fig1/nodes/2"
            << R"(etcd key "dmr/fig1/nodes/2": not under the prefix "dmr/fig5/")";
        QTest::newRow("unknown kind")
            << "dmr/fig5/leases/2"
            << R"(etcd key "dmr/fig5/leases/2": expected nodes/<node>, groups/<group>/<node>, gl/<node> or down/<node>)";
        QTest::newRow("group without node")
            << "dmr/fig5/groups/10.0.1.0%2F24"
            << R"(etcd key "dmr/fig5/groups/10.0.1.0%2F24": expected nodes/<node>, groups/<group>/<node>, gl/<node> or down/<node>)";
        QTest::newRow("bad escape")
            << "dmr/fig5/nodes/a%2"
            << R"(etcd key "dmr/fig5/nodes/a%2": bad escape "%2" (only %25 and %2F are used))";
        QTest::newRow("empty node") << "dmr/fig5/gl/"
                                    << R"(etcd key "dmr/fig5/gl/": empty segment)";
    }
    void keysRejected()
    {
        QFETCH(QString, key);
        QFETCH(QString, message);
        auto r = parseKey(kPrefix, key.toStdString());
        QVERIFY(!r.ok());
        QCOMPARE(QString::fromStdString(r.error().message), message);
    }

    void nodeRecord()
    {
        NodeRecord r{"127.0.0.1:7402", 1234, R"({"interfaces":[]})", false};
        auto back = decodeNodeRecord(encodeNodeRecord(r));
        QVERIFY(back.ok());
        QVERIFY(*back == r);
        r.leaving = true;
        QVERIFY(*decodeNodeRecord(encodeNodeRecord(r)) == r);
        auto bad = decodeNodeRecord(R"({"addr":"x","inc":-1,"meta":""})");
        QVERIFY(!bad.ok());
        QCOMPARE(QString::fromStdString(bad.error().message),
                 QString("node record: inc: missing or not an unsigned integer"));
        QVERIFY(!decodeNodeRecord("not json").ok());
        QVERIFY(!decodeNodeRecord(R"({"addr":"x","inc":1,"meta":"","leaving":"yes"})").ok());
    }

    // Order is the create revision, whatever the node ids or the order keys arrive in.
    void orderIsCreateRevision()
    {
        KeySpace ks(kPrefix);
        ks.reset({nodeKv("6", 11), nodeKv("2", 10), groupKv("10.0.1.0/24", "2", 10),
                  groupKv("10.0.2.0/24", "6", 11), nodeKv("4", 12), groupKv("10.0.2.0/24", "4", 12),
                  groupKv("10.0.3.0/24", "4", 12)},
                 12);
        ks.put(nodeKv("1", 13), 13);
        ks.put(groupKv("10.0.1.0/24", "1", 13), 13);
        ks.put(groupKv("10.0.3.0/24", "1", 13), 13);
        auto v = ks.view();
        QCOMPARE(v.id.toString(), (gms::ViewId{1, 13}.toString()));
        QCOMPARE(v.nodes.size(), std::size_t{4});
        QCOMPARE(v.nodes[0].id, std::string("2"));
        QCOMPARE(v.nodes[1].id, std::string("6"));
        QCOMPARE(v.nodes[2].id, std::string("4"));
        QCOMPARE(v.nodes[3].id, std::string("1"));
        QCOMPARE(v.nodes[0].address, std::string("127.0.0.1:7402"));
        QCOMPARE(ids(v.groups.networks.at("10.0.1.0/24").members), (std::vector<NodeId>{"2", "1"}));
        QCOMPARE(ids(v.groups.networks.at("10.0.2.0/24").members), (std::vector<NodeId>{"6", "4"}));
        QCOMPARE(ids(v.groups.networks.at("10.0.3.0/24").members), (std::vector<NodeId>{"4", "1"}));
        QCOMPARE(v.groups.networks.at("10.0.3.0/24").members[1].seq, std::uint64_t{13});
        // A rejoin: new keys, new create revisions, the end of the list.
        ks.erase(nodeKey(kPrefix, "2"), 14);
        ks.erase(groupKey(kPrefix, "10.0.1.0/24", "2"), 14);
        ks.put(nodeKv("2", 15), 15);
        ks.put(groupKv("10.0.1.0/24", "2", 15), 15);
        v = ks.view();
        QCOMPARE(ids(v.groups.networks.at("10.0.1.0/24").members), (std::vector<NodeId>{"1", "2"}));
        QCOMPARE(v.nodes.back().id, std::string("2"));
    }

    void strayAndForeignKeysIgnored()
    {
        KeySpace ks(kPrefix);
        ks.reset({nodeKv("2", 10), groupKv("10.0.1.0/24", "2", 10),
                  groupKv("10.0.1.0/24", "9", 5), // no record for 9
                  glKv("9", 6), Kv{kPrefix + "junk", "", 7, 7, 0},
                  Kv{nodeKey(kPrefix, "8"), "{", 8, 8, 0}},
                 10);
        auto v = ks.view();
        QCOMPARE(v.nodes.size(), std::size_t{1});
        QCOMPARE(ids(v.groups.networks.at("10.0.1.0/24").members), (std::vector<NodeId>{"2"}));
        QVERIFY(v.groups.glGroup.members.empty());
        QCOMPARE(ks.rejectedKeys(), std::uint64_t{2});
    }

    void departures()
    {
        KeySpace ks(kPrefix);
        ks.reset({nodeKv("2", 10), nodeKv("6", 11), nodeKv("4", 12)}, 12);
        const auto before = ks.view();
        // 6 announces it is leaving (then revokes); 4's lease expires.
        ks.put(nodeKv("6", 11, true), 13);
        ks.erase(nodeKey(kPrefix, "4"), 13);
        const auto after = ks.view();
        QCOMPARE(after.nodes.size(), std::size_t{1});
        QVERIFY(ks.leaving().count("6") != 0);
        auto d = etcd::departures(before, after, ks.leaving(), 5000, 2000);
        QCOMPARE(d.size(), std::size_t{2});
        QCOMPARE(d[0].node, std::string("6"));
        QCOMPARE(d[0].cause, std::string("left"));
        QCOMPARE(d[0].silentMs, std::int64_t{0});
        QCOMPARE(d[1].node, std::string("4"));
        QCOMPARE(d[1].cause, std::string("lease-expired"));
        QCOMPARE(d[1].silentMs, std::int64_t{2000});
        QCOMPARE(d[1].decidedAtMs, std::int64_t{5000});
    }

    // A survivor's down note makes the departure "connection-lost" at the note's time, but only
    // for the lease it names: a note about an earlier incarnation, a forged or malformed one,
    // changes nothing.
    void downNotesFencedByLease()
    {
        KeySpace ks(kPrefix);
        ks.reset({nodeKv("2", 10), nodeKv("6", 11), nodeKv("4", 12), nodeKv("1", 13)}, 13);
        const auto before = ks.view();
        QCOMPARE(ks.lastLease("4"), std::int64_t{100});
        ks.put(Kv{downKey(kPrefix, "4"), encodeDownNote({100, "2", 4990}), 14, 14, 55}, 14);
        ks.put(Kv{downKey(kPrefix, "6"), encodeDownNote({99, "2", 4990}), 15, 15, 55}, 15);
        ks.put(Kv{downKey(kPrefix, "1"), "{\"lease\":\"100\"}", 16, 16, 55}, 16);
        // The down/ keys are no part of the view, and not rejected.
        const auto withNotes = ks.view();
        QVERIFY(withNotes.nodes == before.nodes && withNotes.groups == before.groups);
        QCOMPARE(ks.rejectedKeys(), std::uint64_t{0});
        ks.erase(nodeKey(kPrefix, "4"), 17);
        ks.erase(nodeKey(kPrefix, "6"), 17);
        ks.erase(nodeKey(kPrefix, "1"), 17);
        QCOMPARE(ks.lastLease("4"), std::int64_t{100}); // kept after the delete
        const auto notes = ks.downNotes();
        QCOMPARE(notes.size(), std::size_t{1});
        QCOMPARE(notes.at("4"), (DownNote{100, "2", 4990}));
        auto d = etcd::departures(before, ks.view(), ks.leaving(), 5000, 2000, notes);
        QCOMPARE(d.size(), std::size_t{3});
        QCOMPARE(d[0].node, std::string("6"));
        QCOMPARE(d[0].cause, std::string("lease-expired")); // its note named another lease
        QCOMPARE(d[1].node, std::string("4"));
        QCOMPARE(d[1].cause, std::string("connection-lost"));
        QCOMPARE(d[1].silentMs, std::int64_t{0});
        QCOMPARE(d[1].decidedAtMs, std::int64_t{4990});
        QCOMPARE(d[2].node, std::string("1"));
        QCOMPARE(d[2].cause, std::string("lease-expired")); // its note did not decode
    }

    void downNoteRejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << "{"
                                  << "down note: not a JSON object";
        QTest::newRow("no lease") << R"({"by":"2","at_ms":1})"
                                  << "down note: lease: missing or not a non-zero integer string";
        QTest::newRow("lease zero") << R"({"lease":"0","by":"2","at_ms":1})"
                                    << "down note: lease: missing or not a non-zero integer string";
        QTest::newRow("by empty") << R"({"lease":"5","by":"","at_ms":1})"
                                  << "down note: by: missing or not a node id";
        QTest::newRow("at not int") << R"({"lease":"5","by":"2","at_ms":"1"})"
                                    << "down note: at_ms: missing or not an integer";
    }
    void downNoteRejects()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        auto r = decodeDownNote(text.toStdString());
        QVERIFY(!r.ok());
        QCOMPARE(QString::fromStdString(r.error().message), message);
        auto ok = decodeDownNote(encodeDownNote({7, "6", 123}));
        QVERIFY(ok.ok());
        QCOMPARE(*ok, (DownNote{7, "6", 123}));
        auto k = parseKey(kPrefix, downKey(kPrefix, "n/1"));
        QVERIFY(k.ok() && k->kind == ParsedKey::Kind::Down && k->node == "n/1");
    }

    // The gl/ keys follow elect()'s order of pending leaders, whoever is quicker to write.
    void glKeysInElectionOrder()
    {
        KeySpace ks(kPrefix);
        // 2 leads 10.0.1.0/24 (rev 10), 6 leads 10.0.2.0/24 (rev 11), 3 leads nothing.
        ks.reset({nodeKv("2", 10), groupKv("10.0.1.0/24", "2", 10), nodeKv("6", 11),
                  groupKv("10.0.2.0/24", "6", 11), nodeKv("3", 12),
                  groupKv("10.0.1.0/24", "3", 12)},
                 12);
        auto v = ks.view();
        QVERIFY(wantGlKey(v, "2"));
        QVERIFY(!wantGlKey(v, "6")); // waits for 2
        QVERIFY(!wantGlKey(v, "3")); // leads nothing
        ks.put(glKv("2", 13), 13);
        v = ks.view();
        QVERIFY(wantGlKey(v, "6"));
        QCOMPARE(elect(v.groups).systemLeader.value_or(""), std::string("2"));
        ks.put(glKv("6", 14), 14);
        // 2 dies: 3 leads 10.0.1.0/24 and joins the GL_group after 6; 6 is system leader.
        for (const auto &k :
             {nodeKey(kPrefix, "2"), groupKey(kPrefix, "10.0.1.0/24", "2"), glKey(kPrefix, "2")})
            ks.erase(k, 15);
        v = ks.view();
        QVERIFY(wantGlKey(v, "3"));
        QVERIFY(wantGlKey(v, "6"));
        QCOMPARE(elect(v.groups).systemLeader.value_or(""), std::string("6"));
        QCOMPARE(elect(v.groups).glOrder, (std::vector<NodeId>{"6", "3"}));
    }

    void clustersShareOneEtcd()
    {
        KeySpace a(clusterPrefix("a"));
        a.reset({Kv{nodeKey(clusterPrefix("a"), "1"), encodeNodeRecord({"x:1", 1, "{}", false}), 3,
                    3, 0},
                 Kv{nodeKey(clusterPrefix("ab"), "2"), encodeNodeRecord({"x:2", 1, "{}", false}), 4,
                    4, 0}},
                4);
        QCOMPARE(a.view().nodes.size(), std::size_t{1});
        QCOMPARE(a.rejectedKeys(), std::uint64_t{1});
        // "dmr/ab/" is outside the range [dmr/a/, dmr/a0) that cluster a reads and watches.
        QVERIFY(!(clusterPrefix("ab") >= clusterPrefix("a") &&
                  clusterPrefix("ab") < prefixEnd(clusterPrefix("a"))));
    }

    void watchMessageDecodes()
    {
        const auto message = nlohmann::json::parse(
            R"({"result":{"header":{"revision":"12"},"events":[)"
            R"({"kv":{"key":")" +
            base64Encode(nodeKey(kPrefix, "2")) + R"(","value":")" + base64Encode("{}") +
            R"(","create_revision":"5","mod_revision":"12","lease":"99"}},)"
            R"({"type":"DELETE","kv":{"key":")" +
            base64Encode(glKey(kPrefix, "4")) + R"(","mod_revision":"12"}}]}})");
        const WatchResult w = decodeWatchMessage(message);
        QVERIFY(!w.canceled);
        QCOMPARE(w.revision, std::int64_t{12});
        QCOMPARE(w.events.size(), std::size_t{2});
        QVERIFY(!w.events[0].erased);
        QCOMPARE(w.events[0].kv.key, nodeKey(kPrefix, "2"));
        QCOMPARE(w.events[0].kv.createRevision, std::int64_t{5});
        QCOMPARE(w.events[0].kv.lease, std::int64_t{99});
        QVERIFY(w.events[1].erased);
        QCOMPARE(w.events[1].kv.key, glKey(kPrefix, "4"));
        KeySpace keys(kPrefix);
        apply(keys, w);
        QCOMPARE(keys.revision(), std::int64_t{12});
        QCOMPARE(keys.kvs().size(), std::size_t{1});
        QVERIFY(
            decodeWatchMessage(nlohmann::json::parse(R"({"result":{"canceled":true}})")).canceled);
    }

    void gatewayRepliesOfAnyShapeNeverThrow_data()
    {
        QTest::addColumn<QString>("json");
        QTest::newRow("array") << QStringLiteral("[1,2]");
        QTest::newRow("result a string") << QStringLiteral(R"({"result":"x"})");
        QTest::newRow("events a string") << QStringLiteral(R"({"result":{"events":"x"}})");
        QTest::newRow("event a number") << QStringLiteral(R"({"result":{"events":[1,null]}})");
        QTest::newRow("kv an array") << QStringLiteral(R"({"result":{"events":[{"kv":[]}]}})");
        QTest::newRow("type a number")
            << QStringLiteral(R"({"result":{"events":[{"type":7,"kv":{"key":"YQ=="}}]}})");
        QTest::newRow("canceled a string") << QStringLiteral(R"({"result":{"canceled":"yes"}})");
        QTest::newRow("revision an object")
            << QStringLiteral(R"({"result":{"header":{"revision":{}}}})");
        QTest::newRow("revision too large")
            << QStringLiteral(R"({"result":{"header":{"revision":"99999999999999999999999"}}})");
        QTest::newRow("revision a float") << QStringLiteral(R"({"header":{"revision":1e400}})");
        QTest::newRow("key not base64")
            << QStringLiteral(R"({"kvs":[{"key":"!!!","value":5,"lease":-1e400}]})");
        QTest::newRow("kvs an object") << QStringLiteral(R"({"kvs":{"key":"YQ=="}})");
    }

    void gatewayRepliesOfAnyShapeNeverThrow()
    {
        QFETCH(QString, json);
        const auto j = nlohmann::json::parse(json.toStdString(), nullptr, false);
        KeySpace keys(kPrefix);
        try {
            apply(keys, decodeWatchMessage(j));
            keys.reset(decodeRangeKvs(j), headerRevision(j));
            (void)keys.view();
            (void)int64Field(objectField(j, "result"), "TTL");
            (void)boolField(j, "canceled");
        } catch (const std::exception &e) {
            QFAIL(e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestEtcdView)
#include "tst_etcd_view.moc"
