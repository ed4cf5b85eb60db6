// The control protocol codec (protocol.h): one row per valid request and one per rejection,
// the line framer at and around its bound, the per-connection rules, the encoders, and
// backend/PROTOCOL.md, whose transcripts are run through the codec line by line.

#include "dmr/protocol.h"
#include "dmr/render.h"
#include "dmr/snapshot.h"
#include "dmr/topology.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <nlohmann/json.hpp>

namespace {

namespace p = dmr::protocol;
using Framed = p::LineFramer::Event;

QByteArray qb(const std::string &s)
{
    return QByteArray::fromStdString(s);
}

std::string sv(const QByteArray &b)
{
    return b.toStdString();
}

// The wire name of a protocol enum, for QCOMPARE. (QCOMPARE on the enums themselves does not
// compile: argument-dependent lookup finds the protocol's toString, which returns a
// string_view, before QTest's.)
template<typename E>
QString wire(E e)
{
    return QString::fromUtf8(dmr::protocol::toString(e));
}

// The operator token the transcripts in PROTOCOL.md use.
const char *const kDocToken = "op-7f3a9c2e51d84b06";

// Checks one encoder line: a single JSON object on one line, ending in "\n".
QString checkLine(const std::string &line, QJsonObject *out = nullptr)
{
    if (line.empty() || line.back() != '\n')
        return QStringLiteral("does not end in a newline");
    if (line.find('\n') != line.size() - 1)
        return QStringLiteral("has more than one newline");
    if (line.find('\r') != std::string::npos)
        return QStringLiteral("has a carriage return");
    QJsonParseError err;
    const auto doc = QJsonDocument::fromJson(qb(line), &err);
    if (err.error != QJsonParseError::NoError)
        return QStringLiteral("not JSON: ") + err.errorString();
    if (!doc.isObject())
        return QStringLiteral("not a JSON object");
    if (out)
        *out = doc.object();
    return {};
}

std::vector<Framed> feedAll(p::LineFramer &f, std::initializer_list<std::string_view> chunks)
{
    std::vector<Framed> out;
    for (auto c : chunks)
        for (auto &e : f.feed(c))
            out.push_back(std::move(e));
    return out;
}

Framed lineEv(std::string text)
{
    return {Framed::Kind::Line, std::move(text)};
}

bool isTooLong(const Framed &e)
{
    return e.kind == Framed::Kind::TooLong;
}

dmr::Snapshot tinySnapshot()
{
    auto topo = dmr::parseTopology(R"({"name": "tiny", "nodes": [
        {"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"}]},
        {"id": "2", "interfaces": [{"name": "eth0", "address": "10.0.1.2/24"},
                                   {"name": "eth1", "address": "10.0.2.2/24"}]}]})");
    Q_ASSERT(topo.ok());
    dmr::ClusterModel model(topo->nodes);
    for (const auto &id : topo->joinOrder)
        (void)model.join(id);
    return dmr::makeSnapshot(model, "tiny", 1700000000000);
}

// The encoders' output for the examples PROTOCOL.md shows, and the exact lines expected.
// (Expected lines with a backslash are plain literals, not raw strings: moc 6.4 loses its place
// in a raw string holding \" and then finds no Q_OBJECT class in this file.)
struct EncoderCase
{
    const char *name;
    std::string produced;
    const char *expected; // without the final newline
};

std::vector<EncoderCase> encoderCases()
{
    std::vector<EncoderCase> cases;
    const auto row = [&](const char *name, const std::string &produced, const char *expected) {
        cases.push_back({name, produced, expected});
    };
    const auto ok = [](const dmr::Result<std::string> &r) {
        return r.ok() ? r.value() : "error: " + r.error().message;
    };
    row("hello reply", p::encodeHelloReply(1, "2", "0.1.0", "system-leader", false),
        R"({"type":"reply","id":1,"ok":true,"result":{"agent":"2","version":"0.1.0","protocol":1,"role":"system-leader","operator":false,"client_role":"viewer","identity":"anonymous"}})");
    row("hello reply, operator", p::encodeHelloReply(1, "2", "0.1.0", "system-leader", true),
        R"({"type":"reply","id":1,"ok":true,"result":{"agent":"2","version":"0.1.0","protocol":1,"role":"system-leader","operator":true,"client_role":"operator","identity":"token"}})");
    row("hello reply, operator by certificate",
        p::encodeHelloReply(1, "2", "0.1.0", "system-leader", p::Role::Operator, "CN=alice,O=ops"),
        R"({"type":"reply","id":1,"ok":true,"result":{"agent":"2","version":"0.1.0","protocol":1,"role":"system-leader","operator":true,"client_role":"operator","identity":"CN=alice,O=ops"}})");
    row("reply, string id",
        ok(p::encodeOk(
            std::string("q-1"),
            R"({"failovers": [], "instance": "2@1796417704935112", "more": false, "rev": 0})")),
        R"({"type":"reply","id":"q-1","ok":true,"result":{"failovers":[],"instance":"2@1796417704935112","more":false,"rev":0}})");
    row("reply without id",
        ok(p::encodeOk(
            {}, R"({"drills": [], "instance": "2@1796417704935112", "more": false, "rev": 0})")),
        R"({"type":"reply","ok":true,"result":{"drills":[],"instance":"2@1796417704935112","more":false,"rev":0}})");
    row("subscribe reply", ok(p::encodeOk(4, R"({"events": true})")),
        R"({"type":"reply","id":4,"ok":true,"result":{"events":true}})");
    row("error", p::encodeError(7, p::ErrorCode::MissingField, R"(drill: missing field "reason")"),
        "{\"type\":\"error\",\"id\":7,\"ok\":false,\"code\":\"missing-field\",\"message\":\"drill: "
        "missing field \\\"reason\\\"\"}");
    row("error without id",
        p::encodeError({}, p::ErrorCode::LineTooLong,
                       "line too long: more than 65536 bytes before a newline; dropped up to "
                       "the next newline"),
        R"({"type":"error","ok":false,"code":"line-too-long","message":"line too long: more than 65536 bytes before a newline; dropped up to the next newline"})");
    row("error, busy",
        p::encodeError({}, p::ErrorCode::Busy,
                       "busy: already serving 64 clients (control.max_clients); try later"),
        R"({"type":"error","ok":false,"code":"busy","message":"busy: already serving 64 clients (control.max_clients); try later"})");
    row("error, failed",
        p::encodeError(10, p::ErrorCode::Failed,
                       "node 9 is unknown to this agent (never in its view)"),
        R"x({"type":"error","id":10,"ok":false,"code":"failed","message":"node 9 is unknown to this agent (never in its view)"})x");
    row("snapshot reply, dot",
        ok(p::encodeSnapshotReply(12, p::SnapshotFormat::Dot, dmr::renderDot(tinySnapshot()))),
        "{\"type\":\"reply\",\"id\":12,\"ok\":true,\"result\":{\"format\":\"dot\",\"dot\":\"graph "
        "\\\"dmr tiny\\\" {\\n  graph [label=\\\"DMR cluster tiny, system leader 1\\\", "
        "labelloc=t, fontname=\\\"Helvetica\\\", overlap=false, splines=true];\\n  node "
        "[fontname=\\\"Helvetica\\\"];\\n  edge [fontname=\\\"Helvetica\\\", fontsize=10];\\n  "
        "\\\"net:10.0.1.0/24\\\" [shape=ellipse, style=filled, fillcolor=\\\"#e8f0fe\\\", "
        "label=\\\"10.0.1.0/24\\\\nleader 1\\\"];\\n  \\\"net:10.0.2.0/24\\\" [shape=ellipse, "
        "style=filled, fillcolor=\\\"#e8f0fe\\\", label=\\\"10.0.2.0/24\\\\nleader 2\\\"];\\n  "
        "\\\"node:1\\\" [shape=box, style=\\\"filled,bold\\\", fillcolor=\\\"#ffd966\\\", "
        "label=\\\"1\\\\nsystem leader\\\"];\\n  \\\"node:2\\\" [shape=box, "
        "style=\\\"filled,bold\\\", fillcolor=\\\"#b6d7a8\\\", label=\\\"2\\\\ngroup "
        "leader\\\"];\\n  \\\"node:1\\\" -- \\\"net:10.0.1.0/24\\\" [label=\\\"eth0 10.0.1.1 "
        "#1\\\", penwidth=2.5];\\n  \\\"node:2\\\" -- \\\"net:10.0.1.0/24\\\" [label=\\\"eth0 "
        "10.0.1.2 #2\\\"];\\n  \\\"node:2\\\" -- \\\"net:10.0.2.0/24\\\" [label=\\\"eth1 10.0.2.2 "
        "#1\\\", penwidth=2.5];\\n  \\\"node:1\\\" -- \\\"node:2\\\" [style=dashed, "
        "color=\\\"#1f6feb\\\", penwidth=2, constraint=false, label=\\\"tunnel 10.0.1.1 - "
        "10.0.1.2\\\\n10.0.2.0/24\\\"];\\n}\\n\"}}");
    row("snapshot reply, json",
        ok(p::encodeSnapshotReply(11, p::SnapshotFormat::Json, dmr::toJson(tinySnapshot()))),
        R"({"type":"reply","id":11,"ok":true,"result":{"format":"json","snapshot":{"cluster":"tiny","format":"dmr-snapshot","gl_group":[{"node":"1","seq":2},{"node":"2","seq":5}],"gl_order":["1","2"],"groups":[{"members":[{"node":"1","seq":1},{"node":"2","seq":3}],"name":"10.0.1.0/24"},{"members":[{"node":"2","seq":4}],"name":"10.0.2.0/24"}],"leaders":{"10.0.1.0/24":"1","10.0.2.0/24":"2"},"nodes":[{"id":"1","interfaces":[{"address":"10.0.1.1/24","failed":false,"name":"eth0","network":"10.0.1.0/24"}],"state":"up"},{"id":"2","interfaces":[{"address":"10.0.1.2/24","failed":false,"name":"eth0","network":"10.0.1.0/24"},{"address":"10.0.2.2/24","failed":false,"name":"eth1","network":"10.0.2.0/24"}],"state":"up"}],"routes":[{"iface":"eth0","network":"10.0.1.0/24","node":"1"},{"iface":"eth1","network":"10.0.2.0/24","node":"2"}],"system_leader":"1","time_ms":1700000000000,"tunnels":[{"leaf":{"address":"10.0.1.2","iface":"eth0","node":"2"},"networks":["10.0.2.0/24"],"root":{"address":"10.0.1.1","iface":"eth0","node":"1"}}],"version":1}}})");

    dmr::View view{"10.0.1.0/24", {{"3", 7}, {"1", 9}}};
    row("view-changed", p::encodeViewChanged(1700000000123, view),
        R"({"type":"event","event":"view-changed","time_ms":1700000000123,"data":{"group":"10.0.1.0/24","leader":"3","members":[{"node":"3","seq":7},{"node":"1","seq":9}]}})");
    row("view-changed, empty group",
        p::encodeViewChanged(1700000000124, dmr::View{"10.0.3.0/24", {}}),
        R"({"type":"event","event":"view-changed","time_ms":1700000000124,"data":{"group":"10.0.3.0/24","leader":null,"members":[]}})");
    {
        dmr::ClusterModel m(tinySnapshot().nodes);
        (void)m.join("1");
        (void)m.join("2");
        const auto before = m.plan();
        (void)m.fail("1");
        row("plan-changed", p::encodePlanChanged(1700000000123, dmr::diffPlans(before, m.plan())),
            R"({"type":"event","event":"plan-changed","time_ms":1700000000123,"data":{"actions":[{"kind":"route","text":"route 2 eth0 10.0.1.0/24"},{"kind":"close-tunnel","text":"close-tunnel 1 eth0 10.0.1.1 -> 2 eth0 10.0.1.2 carries 10.0.2.0/24"},{"kind":"unroute","text":"unroute 1 eth0 10.0.1.0/24"}]}})");
    }
    row("failover",
        p::encodeFailover(1700000000123, "10.0.1.0/24", "2", "3", "node 2 missed 3 heartbeats"),
        R"({"type":"event","event":"failover","time_ms":1700000000123,"data":{"group":"10.0.1.0/24","from":"2","to":"3","reason":"node 2 missed 3 heartbeats"}})");
    row("failover, group emptied",
        p::encodeFailover(1700000000125, "10.0.3.0/24", "4", "", "node 4 drained"),
        R"({"type":"event","event":"failover","time_ms":1700000000125,"data":{"group":"10.0.3.0/24","from":"4","to":null,"reason":"node 4 drained"}})");
    row("drill event",
        p::encodeDrillEvent(1700000000100, {p::DrillAction::Kill, "2", "", "failover drill", 30000},
                            "dmr-console 0.1.0"),
        R"({"type":"event","event":"drill","time_ms":1700000000100,"data":{"action":"kill","node":"2","reason":"failover drill","duration_ms":30000,"client":"dmr-console 0.1.0"}})");
    row("drill event with role",
        p::encodeDrillEvent(1700000000100, {p::DrillAction::Kill, "2", "", "failover drill", 30000},
                            "dmr-console 0.1.0", "operator", "token"),
        R"({"type":"event","event":"drill","time_ms":1700000000100,"data":{"action":"kill","node":"2","reason":"failover drill","duration_ms":30000,"client":"dmr-console 0.1.0","role":"operator","identity":"token"}})");
    // What a subscriber gets: the event numbered in the agent's stream, the view it belongs to.
    row("view-changed, numbered, with its view",
        p::sequenceEvent(p::encodeViewChanged(1700000000123, view, "3.0"), 41),
        R"({"type":"event","event":"view-changed","time_ms":1700000000123,"seq":41,"data":{"group":"10.0.1.0/24","leader":"3","members":[{"node":"3","seq":7},{"node":"1","seq":9}],"view_id":"3.0"}})");
    row("failover, numbered, with its view",
        p::sequenceEvent(
            p::encodeFailover(1700000000123, "10.0.1.0/24", "2", "3", "connection-lost", "3.0"),
            43),
        R"({"type":"event","event":"failover","time_ms":1700000000123,"seq":43,"data":{"group":"10.0.1.0/24","from":"2","to":"3","reason":"connection-lost","view_id":"3.0"}})");
    return cases;
}

} // namespace

class TestProtocol : public QObject
{
    Q_OBJECT

private slots:
    // ---- Requests ------------------------------------------------------------------------------

    // Each valid request, and the canonical line encodeRequest prints for what was parsed.
    void parsesRequests_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QByteArray>("canonical");
        const auto row = [](const char *name, const char *line, const char *canonical = nullptr) {
            QTest::newRow(name) << QByteArray(line) << QByteArray(canonical ? canonical : line);
        };
        row("hello", R"({"type":"hello","id":1,"protocol":1,"client":"dmrctl 0.1.0"})");
        row("hello with token",
            R"({"type":"hello","id":1,"protocol":1,"client":"dmrctl 0.1.0","token":"abc"})");
        row("hello without id", R"({"type":"hello","protocol":1,"client":"c"})");
        row("hello, spaces and key order",
            R"( { "client" : "c", "protocol" : 1 , "type" : "hello" } )",
            R"({"type":"hello","protocol":1,"client":"c"})");
        row("get-state", R"({"type":"get-state","id":2})");
        row("get-state, string id", R"({"type":"get-state","id":"q-17"})");
        row("get-state, negative id", R"({"type":"get-state","id":-3})");
        row("get-cluster", R"({"type":"get-cluster","id":3})");
        row("subscribe", R"({"type":"subscribe","id":4,"events":true})");
        row("subscribe, events defaults to true", R"({"type":"subscribe","id":4})",
            R"({"type":"subscribe","id":4,"events":true})");
        row("unsubscribe", R"({"type":"subscribe","id":4,"events":false})");
        row("get-history", R"({"type":"get-history","id":5})");
        row("get-drills", R"({"type":"get-drills","id":6})");
        row("get-history after a cursor",
            R"({"type":"get-history","id":5,"since":12,"instance":"2@1795756578812345","limit":50})");
        row("get-drills, a page", R"({"type":"get-drills","id":6,"limit":1})");
        row("get-history, the largest page is the default",
            R"({"type":"get-history","limit":1000})", R"({"type":"get-history"})");
        row("get-views", R"({"type":"get-views","id":16})");
        row("get-views after a cursor",
            R"({"type":"get-views","id":16,"since":40,"instance":"6@1795756578811111","limit":100})");
        row("subscribe and replay after a cursor",
            R"({"type":"subscribe","id":4,"events":true,"since":57,"instance":"2@1795756578812345"})");
        row("subscribe and replay from a time",
            R"({"type":"subscribe","id":4,"events":true,"since_ms":1795756580000})");
        row("subscribe, since 0", R"({"type":"subscribe","since":0,"instance":"x"})",
            R"({"type":"subscribe","events":true,"since":0,"instance":"x"})");
        row("drill kill",
            R"({"type":"drill","id":7,"action":"kill","node":"2","reason":"failover drill"})");
        row("drill kill with duration",
            R"({"type":"drill","id":7,"action":"kill","node":"2","reason":"r","duration_ms":30000})");
        row("drill duration 0",
            R"({"type":"drill","id":7,"action":"kill","node":"2","reason":"r","duration_ms":0})");
        row("drill duration one day",
            R"({"type":"drill","action":"kill","node":"2","reason":"r","duration_ms":86400000})");
        row("drill fail-adapter",
            R"({"type":"drill","id":8,"action":"fail-adapter","node":"4","iface":"eth1","reason":"cable pull"})");
        row("drill drain",
            R"({"type":"drill","id":9,"action":"drain","node":"6","reason":"upgrade"})");
        row("drill restore node",
            R"({"type":"drill","action":"restore","node":"6","reason":"done"})");
        row("drill restore adapter",
            R"({"type":"drill","action":"restore","node":"4","iface":"eth1","reason":"cable back"})");
        row("get-snapshot json", R"({"type":"get-snapshot","id":11,"format":"json"})");
        row("get-snapshot dot", R"({"type":"get-snapshot","id":12,"format":"dot"})");
        row("get-reachability", R"({"type":"get-reachability","id":13})");
        row("get-snapshot, format defaults to json", R"({"type":"get-snapshot"})",
            R"({"type":"get-snapshot","format":"json"})");
        row("trailing carriage return", "{\"type\":\"get-state\"}\r", R"({"type":"get-state"})");
        row("unicode in reason",
            "{\"type\":\"drill\",\"action\":\"drain\",\"node\":\"2\",\"reason\":\"Wartung "
            "\\u00fc\"}",
            "{\"type\":\"drill\",\"action\":\"drain\",\"node\":\"2\",\"reason\":\"Wartung "
            "\xc3\xbc\"}");
    }

    void parsesRequests()
    {
        QFETCH(QByteArray, line);
        QFETCH(QByteArray, canonical);
        auto r = p::parseRequest(sv(line));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE(qb(p::encodeRequest(*r)), canonical + "\n");
        // The canonical line parses back to the same request.
        auto again = p::parseRequest(sv(canonical));
        QVERIFY(again.ok());
        QVERIFY(*again == *r);
    }

    void requestFields()
    {
        auto hello = p::parseRequest(
            R"({"type":"hello","id":"h","protocol":1,"client":"dmrctl 0.1.0","token":"t0k"})");
        QVERIFY(hello.ok());
        QCOMPARE(wire(hello->kind), wire(p::RequestKind::Hello));
        QVERIFY(hello->id == p::RequestId(std::string("h")));
        QCOMPARE(hello->hello.protocol, 1);
        QCOMPARE(hello->hello.client, std::string("dmrctl 0.1.0"));
        QCOMPARE(hello->hello.token.value_or(""), std::string("t0k"));

        auto drill = p::parseRequest(
            R"({"type":"drill","id":7,"action":"fail-adapter","node":"4","iface":"eth1","reason":"pull","duration_ms":1500})");
        QVERIFY(drill.ok());
        QCOMPARE(wire(drill->kind), wire(p::RequestKind::Drill));
        QVERIFY(drill->id == p::RequestId(std::int64_t{7}));
        QCOMPARE(wire(drill->drill.action), wire(p::DrillAction::FailAdapter));
        QCOMPARE(drill->drill.node, std::string("4"));
        QCOMPARE(drill->drill.iface, std::string("eth1"));
        QCOMPARE(drill->drill.reason, std::string("pull"));
        QCOMPARE(drill->drill.durationMs.value_or(-1), std::int64_t{1500});

        auto kill = p::parseRequest(R"({"type":"drill","action":"kill","node":"2","reason":"r"})");
        QVERIFY(kill.ok());
        QVERIFY(std::holds_alternative<std::monostate>(kill->id));
        QVERIFY(!kill->drill.durationMs);
        QVERIFY(kill->drill.iface.empty());

        auto dot = p::parseRequest(R"({"type":"get-snapshot","format":"dot"})");
        QVERIFY(dot.ok());
        QCOMPARE(wire(dot->format), wire(p::SnapshotFormat::Dot));

        auto unsub = p::parseRequest(R"({"type":"subscribe","events":false})");
        QVERIFY(unsub.ok());
        QVERIFY(!unsub->subscribeEvents);
        QVERIFY(!unsub->cursor.since && !unsub->cursor.sinceMs);

        auto paged =
            p::parseRequest(R"({"type":"get-history","since":12,"instance":"2@17","limit":50})");
        QVERIFY(paged.ok());
        QCOMPARE(paged->cursor.since.value_or(-1), std::int64_t{12});
        QCOMPARE(paged->cursor.instance, std::string("2@17"));
        QCOMPARE(paged->cursor.limit, std::int64_t{50});
        auto whole = p::parseRequest(R"({"type":"get-drills"})");
        QVERIFY(whole.ok());
        QVERIFY(!whole->cursor.since);
        QCOMPARE(whole->cursor.limit, p::kPageMax);
        auto replay = p::parseRequest(R"({"type":"subscribe","since_ms":1700000000000})");
        QVERIFY(replay.ok());
        QCOMPARE(replay->cursor.sinceMs.value_or(-1), std::int64_t{1700000000000});
    }

    // Each rejection: the code, the id echoed when the line carried a valid one, and the words
    // the message must contain.
    void rejects_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("id"); // canonical JSON of the echoed id; empty: none
        QTest::addColumn<QString>("message");
        const auto row = [](const char *name, const char *line, const char *code, const char *id,
                            const char *message) {
            QTest::newRow(name) << QByteArray(line) << QString(code) << QString(id)
                                << QString(message);
        };
        // Not a request at all.
        row("empty", "", "bad-json", "", "empty request");
        row("blank", "  \t ", "bad-json", "", "empty request");
        row("malformed JSON", R"({"type":"get-state","id":2,)", "bad-json", "",
            "malformed JSON at column 27");
        row("malformed JSON, bad literal", R"({"type":tru})", "bad-json", "",
            "malformed JSON at column 12");
        row("trailing garbage", R"({"type":"get-state"} x)", "bad-json", "",
            "malformed JSON at column 22");
        row("invalid UTF-8", "{\"type\":\"get-state\",\"id\":\"\xff\"}", "bad-json", "",
            "malformed JSON");
        row("array", "[1,2]", "bad-json", "", "request: expected a JSON object, found array");
        row("string", "\"hello\"", "bad-json", "", "expected a JSON object, found string");
        row("null", "null", "bad-json", "", "expected a JSON object, found null");
        // The envelope.
        row("missing type", R"({"id":5})", "missing-field", "5",
            R"(request: missing field "type")");
        row("type not a string", R"({"type":7,"id":5})", "bad-field", "5",
            R"(request: field "type" must be a string, found number 7)");
        row("unknown type", R"({"type":"fly","id":3})", "unknown-type", "3",
            R"(unknown request type "fly"; known types: hello, get-state, get-cluster, subscribe, get-history, get-drills, drill, get-snapshot, get-reachability, get-views)");
        row("id a boolean", R"({"type":"get-state","id":true})", "bad-field", "",
            R"(request: field "id" must be a string or an integer, found boolean true)");
        row("id a float", R"({"type":"get-state","id":1.5})", "bad-field", "",
            R"(field "id" must be a string or an integer, found number 1.5)");
        row("id an object", R"({"type":"get-state","id":{}})", "bad-field", "",
            R"(field "id" must be a string or an integer, found object)");
        row("id too large", R"({"type":"get-state","id":18446744073709551615})", "bad-field", "",
            R"(field "id" must be a string or an integer)");
        // A number that overflows a double: nlohmann's parser throws out_of_range, not
        // parse_error; it must come back as an error like any other, never as an exception.
        row("id 1e400", R"({"id":1e400})", "bad-json", "", "number overflow parsing '1e400'");
        row("id -1e400", R"({"id":-1e400})", "bad-json", "", "number overflow parsing '-1e400'");
        row("id 1e400 after a type", R"({"type":"get-state","id":1e400})", "bad-json", "",
            "malformed JSON: number overflow");
        row("protocol 1e400", R"({"type":"hello","protocol":1e400,"client":"c"})", "bad-json", "",
            "number overflow");
        row("duration 1e400",
            R"({"type":"drill","action":"kill","node":"2","reason":"r","duration_ms":-1e400})",
            "bad-json", "", "number overflow");
        row("unknown field", R"({"type":"get-state","id":2,"verbose":true})", "bad-field", "2",
            R"(get-state: unknown field "verbose")");
        // hello
        row("hello: protocol 2", R"({"type":"hello","id":1,"protocol":2,"client":"c"})",
            "unsupported-protocol", "1", "protocol 2 not supported; this agent speaks 1");
        row("hello: protocol 0", R"({"type":"hello","protocol":0,"client":"c"})",
            "unsupported-protocol", "", "protocol 0 not supported; this agent speaks 1");
        row("hello: missing protocol", R"({"type":"hello","id":1,"client":"c"})", "missing-field",
            "1", R"(hello: missing field "protocol")");
        row("hello: protocol a string", R"({"type":"hello","protocol":"1","client":"c"})",
            "bad-field", "", R"(hello: field "protocol" must be an integer, found string "1")");
        row("hello: missing client", R"({"type":"hello","protocol":1})", "missing-field", "",
            R"(hello: missing field "client")");
        row("hello: empty client", R"({"type":"hello","protocol":1,"client":""})", "bad-field", "",
            R"(hello: field "client" must not be empty)");
        row("hello: token not a string", R"({"type":"hello","protocol":1,"client":"c","token":5})",
            "bad-field", "", R"(hello: field "token" must be a string, found number 5)");
        row("hello: empty token", R"({"type":"hello","protocol":1,"client":"c","token":""})",
            "bad-field", "", R"(hello: field "token" must not be empty)");
        row("hello: unknown field", R"({"type":"hello","protocol":1,"client":"c","tokn":"abc"})",
            "bad-field", "", R"(hello: unknown field "tokn")");
        // subscribe
        row("subscribe: events a string", R"({"type":"subscribe","id":4,"events":"yes"})",
            "bad-field", "4",
            R"(subscribe: field "events" must be true or false, found string "yes")");
        row("subscribe: since without instance", R"({"type":"subscribe","id":4,"since":5})",
            "missing-field", "4", R"(subscribe: missing field "instance")");
        row("subscribe: instance without since", R"({"type":"subscribe","instance":"2@1"})",
            "bad-field", "",
            R"(subscribe: field "instance" names the process "since" counts in; it needs "since")");
        row("subscribe: negative since", R"({"type":"subscribe","since":-1,"instance":"2@1"})",
            "bad-field", "", R"(subscribe: field "since" must not be negative, found -1)");
        row("subscribe: since_ms a string", R"({"type":"subscribe","since_ms":"now"})", "bad-field",
            "", R"(subscribe: field "since_ms" must be an integer, found string "now")");
        row("subscribe: replay while unsubscribing",
            R"({"type":"subscribe","events":false,"since_ms":5})", "bad-field", "",
            R"(subscribe: field "since_ms" replays events: it needs events true)");
        row("subscribe: limit", R"({"type":"subscribe","limit":5})", "bad-field", "",
            R"(subscribe: unknown field "limit")");
        // get-history, get-drills, get-views
        row("get-history: limit 0", R"({"type":"get-history","id":5,"limit":0})", "bad-field", "5",
            R"(get-history: field "limit" must be 1 to 1000, found 0)");
        row("get-drills: limit too large", R"({"type":"get-drills","limit":1001})", "bad-field", "",
            R"(get-drills: field "limit" must be 1 to 1000, found 1001)");
        row("get-history: since a float", R"({"type":"get-history","since":1.5,"instance":"x"})",
            "bad-field", "", R"(get-history: field "since" must be an integer, found number 1.5)");
        row("get-views: empty instance", R"({"type":"get-views","since":3,"instance":""})",
            "bad-field", "", R"(get-views: field "instance" must not be empty)");
        row("get-history: since_ms", R"({"type":"get-history","since_ms":5})", "bad-field", "",
            R"(get-history: unknown field "since_ms")");
        // drill
        row("drill: missing reason", R"({"type":"drill","id":7,"action":"kill","node":"2"})",
            "missing-field", "7", R"(drill: missing field "reason")");
        row("drill: empty reason",
            R"({"type":"drill","id":7,"action":"kill","node":"2","reason":""})", "bad-field", "7",
            R"(drill: field "reason" must not be empty)");
        row("drill: reason a number", R"({"type":"drill","action":"kill","node":"2","reason":42})",
            "bad-field", "", R"(drill: field "reason" must be a string, found number 42)");
        row("drill: missing action", R"({"type":"drill","node":"2","reason":"r"})", "missing-field",
            "", R"(drill: missing field "action")");
        row("drill: bad action",
            R"({"type":"drill","id":7,"action":"explode","node":"2","reason":"r"})", "bad-field",
            "7",
            R"(drill: field "action" must be one of "kill", "fail-adapter", "drain", "restore", found "explode")");
        row("drill: missing node", R"({"type":"drill","action":"kill","reason":"r"})",
            "missing-field", "", R"(drill: missing field "node")");
        row("drill: node a number", R"({"type":"drill","action":"kill","node":2,"reason":"r"})",
            "bad-field", "", R"(drill: field "node" must be a string, found number 2)");
        row("drill: fail-adapter without iface",
            R"({"type":"drill","action":"fail-adapter","node":"4","reason":"r"})", "missing-field",
            "", R"(drill: missing field "iface")");
        row("drill: empty iface",
            R"({"type":"drill","action":"fail-adapter","node":"4","iface":"","reason":"r"})",
            "bad-field", "", R"(drill: field "iface" must not be empty)");
        row("drill: iface on kill",
            R"({"type":"drill","action":"kill","node":"4","iface":"eth1","reason":"r"})",
            "bad-field", "",
            R"(drill: field "iface" is only for fail-adapter and restore, not kill)");
        row("drill: negative duration",
            R"({"type":"drill","id":7,"action":"kill","node":"2","reason":"r","duration_ms":-5})",
            "bad-field", "7", R"(drill: field "duration_ms" must not be negative, found -5)");
        row("drill: duration a float",
            R"({"type":"drill","action":"kill","node":"2","reason":"r","duration_ms":1.5})",
            "bad-field", "", R"(drill: field "duration_ms" must be an integer, found number 1.5)");
        row("drill: duration a string",
            R"({"type":"drill","action":"kill","node":"2","reason":"r","duration_ms":"5s"})",
            "bad-field", "", R"(drill: field "duration_ms" must be an integer, found string "5s")");
        row("drill: duration over a day",
            R"({"type":"drill","action":"kill","node":"2","reason":"r","duration_ms":86400001})",
            "bad-field", "", R"(drill: field "duration_ms" must be at most 86400000 (one day))");
        row("drill: duration huge",
            R"({"type":"drill","action":"kill","node":"2","reason":"r","duration_ms":99999999999999999999})",
            "bad-field", "", R"(drill: field "duration_ms")");
        row("drill: duration on restore",
            R"({"type":"drill","action":"restore","node":"2","reason":"r","duration_ms":5})",
            "bad-field", "", R"(drill: field "duration_ms" does not apply to restore)");
        row("drill: unknown field (typo)",
            R"({"type":"drill","action":"kill","node":"2","reason":"r","duraton_ms":5})",
            "bad-field", "", R"(drill: unknown field "duraton_ms")");
        // get-snapshot
        row("get-snapshot: bad format", R"({"type":"get-snapshot","id":11,"format":"svg"})",
            "bad-field", "11",
            R"(get-snapshot: field "format" must be one of "json", "dot", found "svg")");
        row("get-snapshot: format a number", R"({"type":"get-snapshot","format":1})", "bad-field",
            "", R"(get-snapshot: field "format" must be a string, found number 1)");
    }

    void rejects()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, code);
        QFETCH(QString, id);
        QFETCH(QString, message);
        auto decoded = p::decodeRequest(sv(line));
        QVERIFY2(std::holds_alternative<p::RequestError>(decoded), "accepted");
        const auto &e = std::get<p::RequestError>(decoded);
        QCOMPARE(QString::fromUtf8(p::toString(e.code)), code);
        QVERIFY2(QString::fromStdString(e.message).contains(message),
                 qPrintable("message: " + QString::fromStdString(e.message)));
        QVERIFY2(e.message.find('\n') == std::string::npos, "multi-line message");

        // The error reply echoes the id, or leaves "id" out.
        QJsonObject reply;
        const QString bad = checkLine(p::encodeError(e), &reply);
        QVERIFY2(bad.isEmpty(), qPrintable(bad));
        QCOMPARE(reply.value("type").toString(), QStringLiteral("error"));
        QCOMPARE(reply.value("code").toString(), code);
        QCOMPARE(reply.value("ok").toBool(true), false);
        if (id.isEmpty()) {
            QVERIFY(!reply.contains("id"));
        } else {
            const QByteArray shown =
                QJsonDocument(QJsonArray{reply.value("id")}).toJson(QJsonDocument::Compact);
            QCOMPARE(shown, "[" + id.toUtf8() + "]");
        }

        // The Result form carries the same message.
        auto r = p::parseRequest(sv(line));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message, e.message);
    }

    // Version negotiation: a refusal lists the versions this agent speaks, a client finds the
    // newest common one in it, and a refusal from an agent before the list means version 1.
    void negotiatesTheVersion()
    {
        const auto refused =
            p::decodeRequest(sv(R"({"type":"hello","id":1,"protocol":7,"client":"c"})"));
        QVERIFY(std::holds_alternative<p::RequestError>(refused));
        const auto &e = std::get<p::RequestError>(refused);
        QCOMPARE(e.versions, std::vector<int>{1});
        const auto line = p::encodeError(e);
        QCOMPARE(
            QString::fromStdString(line),
            QString::fromUtf8(
                R"({"type":"error","id":1,"ok":false,"code":"unsupported-protocol","message":"protocol 7 not supported; this agent speaks 1","versions":[1]})"
                "\n"));
        const auto j = nlohmann::json::parse(line);
        QCOMPARE(p::versionsOf(j), std::vector<int>{1});
        // A client of N+1 (speaks 1 and 2) finds 1; one of N+2 that dropped 1 finds none.
        QCOMPARE(p::newestCommon(p::versionsOf(j), 1, 2), std::optional<int>(1));
        QCOMPARE(p::newestCommon(p::versionsOf(j), 2, 3), std::optional<int>());
        QCOMPARE(p::newestCommon({1, 2, 3}, 1, 2), std::optional<int>(2));
        QCOMPARE(p::newestCommon({}, 1, 2), std::optional<int>());
        // An agent from before the list: its refusal has none, and it speaks 1.
        QCOMPARE(
            p::versionsOf(nlohmann::json::parse(
                R"({"type":"error","id":1,"ok":false,"code":"unsupported-protocol","message":"x"})")),
            std::vector<int>{1});
        // A hostile list: only sane integers count.
        QCOMPARE(p::versionsOf(nlohmann::json::parse(R"({"versions":[-1,0,"2",1e9,3,2.5,5000]})")),
                 std::vector<int>{3});
        // Other refusals list nothing.
        const auto other = p::decodeRequest(sv(R"({"type":"hello","id":1,"client":"c"})"));
        QVERIFY(std::get<p::RequestError>(other).versions.empty());
        // The hello reply says the session's version.
        QVERIFY(p::encodeHelloReply(p::RequestId{std::int64_t{1}}, "2", "0.1.0", "leader",
                                    p::Role::Viewer, "anonymous", 1)
                    .find(R"("protocol":1)") != std::string::npos);
    }

    // Every string a request carries into the agent's records is bounded, and the error names
    // the field; the bound itself is accepted.
    void rejectsOversizeStrings_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("bytesMax");
        QTest::newRow("drill reason") << "reason" << int(p::kDrillReasonBytesMax);
        QTest::newRow("drill node") << "node" << int(p::kNameBytesMax);
        QTest::newRow("drill iface") << "iface" << int(p::kNameBytesMax);
        QTest::newRow("hello client") << "client" << int(p::kClientNameBytesMax);
        QTest::newRow("hello token") << "token" << int(p::kTokenBytesMax);
    }

    void rejectsOversizeStrings()
    {
        QFETCH(QString, field);
        QFETCH(int, bytesMax);
        const auto line = [&](int bytes) {
            QJsonObject o;
            if (field == "client" || field == "token") {
                o = {{"type", "hello"}, {"protocol", 1}, {"client", "c"}};
            } else {
                o = {{"type", "drill"}, {"action", "restore"}, {"node", "2"}, {"reason", "r"}};
            }
            o[field] = QString(bytes, QLatin1Char('x'));
            return sv(QJsonDocument(o).toJson(QJsonDocument::Compact));
        };
        QVERIFY(p::parseRequest(line(bytesMax)).ok());
        auto decoded = p::decodeRequest(line(bytesMax + 1));
        QVERIFY(std::holds_alternative<p::RequestError>(decoded));
        const auto &e = std::get<p::RequestError>(decoded);
        QCOMPARE(wire(e.code), QStringLiteral("bad-field"));
        const QString expected = QStringLiteral("field \"%1\" is longer than %2 bytes (%3)")
                                     .arg(field)
                                     .arg(bytesMax)
                                     .arg(bytesMax + 1);
        QVERIFY2(QString::fromStdString(e.message).contains(expected),
                 qPrintable(QString::fromStdString(e.message)));
    }

    // 300 drills with the longest reasons fit in one reply line many times over.
    void drillRecordsStaySmall()
    {
        QVERIFY(1000 * (p::kDrillReasonBytesMax + p::kClientNameBytesMax + 4 * 1024) <
                p::kReplyLineBytesMax);
    }

    // Whatever the line, decoding gives a request or an error, and the error is one short line.
    void decodingNeverThrows()
    {
        const std::string digits(60000, '9');
        for (const std::string &text :
             {std::string(R"({"id":)") + digits + "e99999}", "[" + digits + "e400]",
              std::string(R"({"type":"get-state","id":-)") + digits + "e400}",
              std::string(R"({"type":"hello","protocol":1,"client":"c","token":1e400})"),
              std::string(R"(1e400)"), std::string(R"({"a":[[[[[[[[[[1e400]]]]]]]]]]})")}) {
            std::variant<p::Request, p::RequestError> decoded;
            try {
                decoded = p::decodeRequest(text);
            } catch (const std::exception &e) {
                QFAIL(qPrintable(QStringLiteral("threw: ") + e.what()));
            }
            QVERIFY(std::holds_alternative<p::RequestError>(decoded));
            const auto &e = std::get<p::RequestError>(decoded);
            QVERIFY2(e.message.size() < 300, e.message.c_str());
            QVERIFY(checkLine(p::encodeError(e)).isEmpty());
        }
    }

    void encodeRequestRoundTrips()
    {
        p::Request r;
        r.kind = p::RequestKind::Drill;
        r.id = std::string("with \"quotes\" and \\ and \n newline");
        r.drill = {p::DrillAction::Restore, "node-7", "eth2", "back from lunch", std::nullopt};
        const std::string line = p::encodeRequest(r);
        QVERIFY(checkLine(line).isEmpty());
        auto back = p::parseRequest(line.substr(0, line.size() - 1));
        QVERIFY(back.ok());
        QVERIFY(*back == r);

        p::Request page;
        page.kind = p::RequestKind::GetViews;
        page.cursor.since = 7;
        page.cursor.instance = "4@1700000000000000";
        page.cursor.limit = 20;
        const std::string pageLine = p::encodeRequest(page);
        auto pageBack = p::parseRequest(pageLine.substr(0, pageLine.size() - 1));
        QVERIFY(pageBack.ok());
        QVERIFY(*pageBack == page);
    }

    // A number in the stream goes after time_ms; a line that is not an event object is left.
    void sequenceEventPlacesTheNumber()
    {
        QCOMPARE(qb(p::sequenceEvent(R"({"type":"event","event":"x","time_ms":5,"data":{}})", 9)),
                 QByteArray(R"({"type":"event","event":"x","time_ms":5,"seq":9,"data":{}})"
                            "\n"));
        QCOMPARE(qb(p::sequenceEvent(R"({"type":"event","time_ms":5,"seq":2})", 3)),
                 QByteArray(R"({"type":"event","time_ms":5,"seq":3})"
                            "\n"));
        QCOMPARE(qb(p::sequenceEvent("not json", 3)), QByteArray("not json"));
    }

    // ---- Framing -------------------------------------------------------------------------------

    void framerSplitsAcrossFeeds()
    {
        p::LineFramer f(64);
        auto ev = feedAll(f, {"{\"type\":", "\"get-st", "ate\"}", "\n"});
        QCOMPARE(ev.size(), std::size_t{1});
        QVERIFY(ev[0] == lineEv(R"({"type":"get-state"})"));
        QCOMPARE(f.pendingBytes(), std::size_t{0});
    }

    void framerManyLinesInOneFeed()
    {
        p::LineFramer f(64);
        auto ev = f.feed("a\nbb\nccc\nunfinished");
        QCOMPARE(ev.size(), std::size_t{3});
        QVERIFY(ev[0] == lineEv("a"));
        QVERIFY(ev[1] == lineEv("bb"));
        QVERIFY(ev[2] == lineEv("ccc"));
        QCOMPARE(f.pendingBytes(), std::size_t{10});
        ev = f.feed(" now\n");
        QCOMPARE(ev.size(), std::size_t{1});
        QVERIFY(ev[0] == lineEv("unfinished now"));
    }

    void framerCrLf()
    {
        p::LineFramer f(64);
        auto ev = f.feed("one\r\ntwo\r\n");
        QCOMPARE(ev.size(), std::size_t{2});
        QVERIFY(ev[0] == lineEv("one"));
        QVERIFY(ev[1] == lineEv("two"));
        // "\r" and "\n" in different feeds.
        ev = feedAll(f, {"three\r", "\n"});
        QCOMPARE(ev.size(), std::size_t{1});
        QVERIFY(ev[0] == lineEv("three"));
        // Only one "\r" is a terminator; a bare "\r" inside a line stays.
        ev = f.feed("a\rb\r\r\n");
        QCOMPARE(ev.size(), std::size_t{1});
        QVERIFY(ev[0] == lineEv("a\rb\r"));
    }

    void framerSkipsEmptyLines()
    {
        p::LineFramer f(64);
        auto ev = f.feed("\n\r\n\nx\n\n");
        QCOMPARE(ev.size(), std::size_t{1});
        QVERIFY(ev[0] == lineEv("x"));
    }

    void framerBound_data()
    {
        QTest::addColumn<int>("contentBytes");
        QTest::addColumn<QByteArray>("terminator");
        QTest::addColumn<int>("chunkBytes"); // 0: all in one feed
        QTest::addColumn<bool>("accepted");
        for (const char *term : {"\n", "\r\n"}) {
            const QByteArray t(term);
            const QByteArray tn = t == "\n" ? "LF" : "CRLF";
            for (int chunk : {0, 1, 7}) {
                const QByteArray cn =
                    chunk == 0 ? "one feed" : "chunks of " + QByteArray::number(chunk);
                QTest::newRow("limit-1, " + tn + ", " + cn) << 15 << t << chunk << true;
                QTest::newRow("exactly the limit, " + tn + ", " + cn) << 16 << t << chunk << true;
                QTest::newRow("limit+1, " + tn + ", " + cn) << 17 << t << chunk << false;
                QTest::newRow("limit+2, " + tn + ", " + cn) << 18 << t << chunk << false;
                QTest::newRow("far over, " + tn + ", " + cn) << 100 << t << chunk << false;
            }
        }
    }

    void framerBound()
    {
        QFETCH(int, contentBytes);
        QFETCH(QByteArray, terminator);
        QFETCH(int, chunkBytes);
        QFETCH(bool, accepted);
        const std::size_t kLimit = 16;
        p::LineFramer f(kLimit);
        const std::string content(std::size_t(contentBytes), 'x');
        const std::string stream = content + sv(terminator) + "next\n";
        std::vector<Framed> ev;
        if (chunkBytes == 0) {
            ev = f.feed(stream);
        } else {
            for (std::size_t i = 0; i < stream.size(); i += std::size_t(chunkBytes)) {
                for (auto &e : f.feed(std::string_view(stream).substr(i, std::size_t(chunkBytes))))
                    ev.push_back(std::move(e));
                QVERIFY(f.pendingBytes() <= kLimit + 1);
            }
        }
        QCOMPARE(ev.size(), std::size_t{2});
        if (accepted) {
            QVERIFY(ev[0] == lineEv(content));
        } else {
            QVERIFY(isTooLong(ev[0]));
            QVERIFY2(ev[0].text.find("16 bytes") != std::string::npos, ev[0].text.c_str());
            QVERIFY(ev[0].text.find("line too long") != std::string::npos);
        }
        // Either way the connection carries on with the next line.
        QVERIFY(ev[1] == lineEv("next"));
        QVERIFY(!f.discarding());
        QCOMPARE(f.pendingBytes(), std::size_t{0});
    }

    void framerRecoversAfterTooLong()
    {
        p::LineFramer f(8);
        // The error comes as soon as the bound is passed, before any newline.
        auto ev = f.feed("0123456789");
        QCOMPARE(ev.size(), std::size_t{1});
        QVERIFY(isTooLong(ev[0]));
        QVERIFY(f.discarding());
        QCOMPARE(f.pendingBytes(), std::size_t{0});
        // The rest of that line is dropped quietly, however long, with one error only.
        for (int i = 0; i < 1000; ++i)
            QVERIFY(f.feed("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").empty());
        QCOMPARE(f.pendingBytes(), std::size_t{0});
        ev = f.feed("tail\nok\n");
        QCOMPARE(ev.size(), std::size_t{1});
        QVERIFY(ev[0] == lineEv("ok"));
        QVERIFY(!f.discarding());
        // Two over-long lines and good ones between them, in one feed.
        ev = f.feed("a\n0123456789\nb\n0123456789abcdef\r\nc\n");
        QCOMPARE(ev.size(), std::size_t{5});
        QVERIFY(ev[0] == lineEv("a"));
        QVERIFY(isTooLong(ev[1]));
        QVERIFY(ev[2] == lineEv("b"));
        QVERIFY(isTooLong(ev[3]));
        QVERIFY(ev[4] == lineEv("c"));
    }

    // Feeding a stream at once or byte by byte gives the same events.
    void framerChunkingDoesNotMatter()
    {
        const std::string stream = "{\"a\":1}\r\n\nxxxxxxxxxxxxxxxxxxxxxxxx\nyy\r\n12345678\r\n"
                                   "123456789\r\n1234567\r\r\nlast";
        p::LineFramer whole(8);
        const auto expected = whole.feed(stream);
        QCOMPARE(expected.size(), std::size_t{6});
        for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
            p::LineFramer f(8);
            std::vector<Framed> ev;
            for (std::size_t i = 0; i < stream.size(); i += chunk)
                for (auto &e : f.feed(std::string_view(stream).substr(i, chunk)))
                    ev.push_back(std::move(e));
            QVERIFY2(ev == expected, qPrintable(QString("chunk %1").arg(chunk)));
            QCOMPARE(f.pendingBytes(), std::size_t{4});
        }
    }

    void framerDefaultBound()
    {
        p::LineFramer f;
        QCOMPARE(f.lineBytesMax(), std::size_t{65536});
        const std::string exact(65536, 'x');
        auto ev = f.feed(exact + "\n" + exact + "y\n");
        QCOMPARE(ev.size(), std::size_t{2});
        QCOMPARE(ev[0].text.size(), std::size_t{65536});
        QVERIFY(isTooLong(ev[1]));
        QVERIFY(ev[1].text.find("65536") != std::string::npos);
        const QString bad = checkLine(p::encodeError({}, p::ErrorCode::LineTooLong, ev[1].text));
        QVERIFY2(bad.isEmpty(), qPrintable(bad));
    }

    // ---- Per-connection rules ------------------------------------------------------------------

    void gateHelloFirst()
    {
        p::SessionGate g("0123456789abcdef");
        auto state = *p::parseRequest(R"({"type":"get-state","id":2})");
        auto refused = g.admit(state);
        QVERIFY(refused);
        QCOMPARE(wire(refused->code), wire(p::ErrorCode::HelloFirst));
        QVERIFY(refused->id == p::RequestId(std::int64_t{2}));
        QVERIFY(!g.closeAfterReply());
        QVERIFY(!g.admit(*p::parseRequest(R"({"type":"hello","protocol":1,"client":"c"})")));
        QVERIFY(g.greeted());
        QVERIFY(!g.isOperator());
        QVERIFY(!g.admit(state));
        auto again = g.admit(*p::parseRequest(R"({"type":"hello","protocol":1,"client":"c"})"));
        QVERIFY(again);
        QCOMPARE(wire(again->code), wire(p::ErrorCode::HelloAgain));
    }

    void gateDrillsNeedTheToken()
    {
        const auto drill =
            *p::parseRequest(R"({"type":"drill","id":7,"action":"kill","node":"2","reason":"r"})");
        {
            p::SessionGate g("0123456789abcdef");
            QVERIFY(!g.admit(*p::parseRequest(R"({"type":"hello","protocol":1,"client":"c"})")));
            auto refused = g.admit(drill);
            QVERIFY(refused);
            QCOMPARE(wire(refused->code), wire(p::ErrorCode::NotAuthorized));
            QVERIFY(refused->message.find("operator") != std::string::npos);
            QVERIFY(!g.closeAfterReply()); // a read-only session goes on
            QVERIFY(!g.admit(*p::parseRequest(R"({"type":"get-drills"})")));
        }
        {
            p::SessionGate g("0123456789abcdef");
            QVERIFY(!g.admit(*p::parseRequest(
                R"({"type":"hello","protocol":1,"client":"c","token":"0123456789abcdef"})")));
            QVERIFY(g.isOperator());
            QVERIFY(!g.admit(drill));
        }
        {
            p::SessionGate g("0123456789abcdef");
            for (const char *wrong : {"0123456789abcdeF", "0123456789abcde", "0123456789abcdef0"}) {
                p::SessionGate fresh("0123456789abcdef");
                p::Request hello =
                    *p::parseRequest(R"({"type":"hello","protocol":1,"client":"c"})");
                hello.hello.token = wrong;
                auto refused = fresh.admit(hello);
                QVERIFY(refused);
                QCOMPARE(wire(refused->code), wire(p::ErrorCode::NotAuthorized));
                QVERIFY(fresh.closeAfterReply());
                QVERIFY(!fresh.greeted());
                QVERIFY(!fresh.isOperator());
            }
        }
        {
            // An agent without a token refuses every token: drills are off.
            p::SessionGate g("");
            auto refused = g.admit(*p::parseRequest(
                R"({"type":"hello","protocol":1,"client":"c","token":"anything-at-all"})"));
            QVERIFY(refused);
            QCOMPARE(wire(refused->code), wire(p::ErrorCode::NotAuthorized));
            QVERIFY(refused->message.find("no operator token") != std::string::npos);
        }
    }

    // One guess per connection: after a refused hello nothing is admitted, not even the right
    // hello, and not a drill behind it.
    void gateOneGuessPerConnection()
    {
        p::SessionGate g("0123456789abcdef");
        auto wrong = *p::parseRequest(
            R"({"type":"hello","id":1,"protocol":1,"client":"c","token":"0123456789abcdeX"})");
        auto right = *p::parseRequest(
            R"({"type":"hello","id":2,"protocol":1,"client":"c","token":"0123456789abcdef"})");
        auto drill =
            *p::parseRequest(R"({"type":"drill","id":3,"action":"kill","node":"2","reason":"r"})");
        auto refused = g.admit(wrong);
        QVERIFY(refused);
        QCOMPARE(wire(refused->code), wire(p::ErrorCode::NotAuthorized));
        QVERIFY(g.closeAfterReply());
        for (const auto &r : {wrong, right, drill}) {
            auto after = g.admit(r);
            QVERIFY2(after, "admitted after a refused hello");
            QCOMPARE(wire(after->code), wire(p::ErrorCode::NotAuthorized));
            QVERIFY(after->id == r.id);
        }
        QVERIFY(!g.greeted());
        QVERIFY(!g.isOperator());
        QCOMPARE(wire(g.role()), QStringLiteral("none"));
    }

    // Roles: a token grants its role, a certificate the role its name is mapped to; the higher
    // wins, and identity says what granted it.
    void gateRoles()
    {
        const p::Credentials creds{"operator-token-0123", "viewer-token-01234", false};
        const auto hello = [](const char *token) {
            auto r = *p::parseRequest(R"({"type":"hello","protocol":1,"client":"c"})");
            if (token != nullptr)
                r.hello.token = token;
            return r;
        };
        const auto drill =
            *p::parseRequest(R"({"type":"drill","action":"kill","node":"2","reason":"r"})");
        const auto read = *p::parseRequest(R"({"type":"get-drills"})");
        {
            p::SessionGate g(creds);
            QVERIFY(!g.admit(hello("viewer-token-01234")));
            QCOMPARE(wire(g.role()), QStringLiteral("viewer"));
            QCOMPARE(QString::fromStdString(g.identity()), QStringLiteral("token"));
            QVERIFY(!g.admit(read));
            auto refused = g.admit(drill);
            QVERIFY(refused);
            QCOMPARE(wire(refused->code), wire(p::ErrorCode::NotAuthorized));
            QVERIFY(!g.closeAfterReply());
        }
        {
            p::SessionGate g(creds);
            QVERIFY(!g.admit(hello("operator-token-0123")));
            QCOMPARE(wire(g.role()), QStringLiteral("operator"));
            QVERIFY(!g.admit(drill));
        }
        {
            // No anonymous viewers on this agent: a hello without credentials is refused, and
            // the connection closes.
            p::SessionGate g(creds);
            auto refused = g.admit(hello(nullptr));
            QVERIFY(refused);
            QVERIFY(refused->message.find("needs a token or a client certificate") !=
                    std::string::npos);
            QVERIFY(g.closeAfterReply());
        }
        {
            // An operator's certificate: an operator without a token, named by its subject.
            p::SessionGate g(creds);
            g.setCertificate(p::Role::Operator, "CN=alice,O=ops");
            QVERIFY(!g.admit(hello(nullptr)));
            QVERIFY(g.isOperator());
            QCOMPARE(QString::fromStdString(g.identity()), QStringLiteral("CN=alice,O=ops"));
            QVERIFY(!g.admit(drill));
        }
        {
            // A viewer's certificate and the operator token: the higher role, from the token.
            p::SessionGate g(creds);
            g.setCertificate(p::Role::Viewer, "CN=monitor");
            QVERIFY(!g.admit(hello("operator-token-0123")));
            QVERIFY(g.isOperator());
            QCOMPARE(QString::fromStdString(g.identity()), QStringLiteral("token"));
        }
        {
            // A certificate whose name has no role, on an agent with anonymous viewers: a viewer
            // named by its subject. A wrong token still closes the connection.
            p::SessionGate g(p::Credentials{"operator-token-0123", "", true});
            g.setCertificate(p::Role::None, "CN=stranger");
            QVERIFY(!g.admit(hello(nullptr)));
            QCOMPARE(wire(g.role()), QStringLiteral("viewer"));
            QCOMPARE(QString::fromStdString(g.identity()), QStringLiteral("CN=stranger"));
            p::SessionGate h(p::Credentials{"operator-token-0123", "", true});
            QVERIFY(h.admit(hello("viewer-token-01234")));
            QVERIFY(h.closeAfterReply());
        }
    }

    // ---- Replies and events --------------------------------------------------------------------

    // Each encoder, and its exact line; every one of these lines is also in PROTOCOL.md.
    void encoders_data()
    {
        QTest::addColumn<QByteArray>("produced");
        QTest::addColumn<QByteArray>("expected");
        for (const auto &c : encoderCases())
            QTest::newRow(c.name) << qb(c.produced) << QByteArray(c.expected) + "\n";
    }

    void encoders()
    {
        QFETCH(QByteArray, produced);
        QFETCH(QByteArray, expected);
        const QString bad = checkLine(sv(produced));
        QVERIFY2(bad.isEmpty(), qPrintable(bad + ": " + produced));
        QCOMPARE(produced, expected);
    }

    void encodeOkTakesAnyJson()
    {
        QCOMPARE(qb(p::encodeOk(std::int64_t{3}).value()),
                 QByteArray(R"({"type":"reply","id":3,"ok":true,"result":{}})"
                            "\n"));
        QCOMPARE(qb(p::encodeOk({}, " [1, 2,\n 3] ").value()),
                 QByteArray(R"({"type":"reply","ok":true,"result":[1,2,3]})"
                            "\n"));
        QCOMPARE(qb(p::encodeEvent(p::EventKind::Drill, 5, "{\n  \"x\": [1,\n 2]\n}\n").value()),
                 QByteArray(R"({"type":"event","event":"drill","time_ms":5,"data":{"x":[1,2]}})"
                            "\n"));
        QCOMPARE(qb(p::encodeEvent(p::EventKind::PlanChanged, -1).value()),
                 QByteArray(R"({"type":"event","event":"plan-changed","time_ms":-1,"data":{}})"
                            "\n"));
    }

    // The core's pretty snapshot goes in once parsed, on one line, and comes out equal.
    void encodeOkEmbedsSnapshotText()
    {
        const dmr::Snapshot snap = tinySnapshot();
        const std::string pretty = dmr::toJson(snap);
        QVERIFY(pretty.find('\n') < pretty.size() - 1); // it is multi-line
        auto line = p::encodeOk(9, pretty);
        QVERIFY(line.ok());
        QJsonObject reply;
        const QString bad = checkLine(*line, &reply);
        QVERIFY2(bad.isEmpty(), qPrintable(bad));
        const QByteArray inner =
            QJsonDocument(reply.value("result").toObject()).toJson(QJsonDocument::Indented);
        auto back = dmr::parseSnapshot(sv(inner));
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QVERIFY(*back == snap);
    }

    void encodeRejectsTextThatIsNotJson()
    {
        auto r = p::encodeOk(1, "{\"a\": 1,\n  \"b\": }");
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("result: not JSON at line 2, column 8") == 0,
                 r.error().message.c_str());
        auto e = p::encodeEvent(p::EventKind::ViewChanged, 1, "");
        QVERIFY(!e.ok());
        QVERIFY(e.error().message.find("event data: not JSON") == 0);
        auto s = p::encodeSnapshotReply(1, p::SnapshotFormat::Json, "digraph {}");
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.find("snapshot: not JSON") == 0);
    }

    // Text from outside (a node name, a reason) cannot break the line: quotes, newlines,
    // control bytes and bytes that are not UTF-8 are all escaped or replaced.
    void encodersEscape()
    {
        const std::string nasty = "a\"b\\c\nd\re\tf\x01g\xff";
        for (const std::string &line :
             {p::encodeError(nasty, p::ErrorCode::Failed, nasty),
              p::encodeHelloReply(nasty, nasty, nasty, nasty, true),
              p::encodeFailover(1, nasty, nasty, nasty, nasty),
              p::encodeDrillEvent(1, {p::DrillAction::Drain, nasty, "", nasty, {}}, nasty)}) {
            const QString bad = checkLine(line);
            QVERIFY2(bad.isEmpty(), qPrintable(bad + ": " + qb(line)));
        }
    }

    // ---- PROTOCOL.md ---------------------------------------------------------------------------

    // The reference's transcripts run through the codec. In a ``` block (a fence without a
    // language; a "```text" block is other text), "> " lines are what a client sends and "< "
    // lines what the agent prints; "#" lines are comments. A block is one
    // connection that has already said hello with the operator token, unless it starts with
    // "# new connection". A request the codec refuses must be followed by exactly the error line
    // the codec prints; a request it accepts must be shown in its canonical form; every "< " line
    // must be one valid JSON object.
    void protocolDocTranscripts()
    {
        QFile file(QStringLiteral(DMR_PROTOCOL_DOC));
        QVERIFY2(file.open(QIODevice::ReadOnly), DMR_PROTOCOL_DOC);
        const QList<QByteArray> lines = file.readAll().split('\n');
        bool inBlock = false;
        int requests = 0;
        int replies = 0;
        std::optional<p::SessionGate> gate;
        std::optional<std::string> expectedNext; // the exact line the next "< " must be
        std::optional<p::RequestId> expectedId;  // the id the next reply must carry
        const auto where = [](int i) { return QStringLiteral("PROTOCOL.md:%1: ").arg(i + 1); };
        bool otherBlock = false; // a fence with a language ("```text"): not a transcript
        for (int i = 0; i < lines.size(); ++i) {
            const QByteArray &l = lines[i];
            if (l.startsWith("```")) {
                if (!inBlock && !otherBlock && l != "```") {
                    otherBlock = true;
                    continue;
                }
                if (otherBlock) {
                    otherBlock = false;
                    continue;
                }
                inBlock = !inBlock;
                QVERIFY2(!expectedNext, qPrintable(where(i) + "a refused request has no reply"));
                gate.reset();
                expectedId.reset();
                continue;
            }
            if (!inBlock)
                continue;
            if (!gate) {
                gate.emplace(kDocToken);
                if (l != "# new connection")
                    QVERIFY(!gate->admit(*p::parseRequest(
                        R"({"type":"hello","protocol":1,"client":"doc","token":"op-7f3a9c2e51d84b06"})")));
            }
            if (l.startsWith("> ")) {
                QVERIFY2(!expectedNext, qPrintable(where(i) + "a refused request has no reply"));
                ++requests;
                const std::string text = sv(l.mid(2));
                auto decoded = p::decodeRequest(text);
                if (auto *e = std::get_if<p::RequestError>(&decoded)) {
                    expectedNext = p::encodeError(*e);
                    continue;
                }
                const auto &r = std::get<p::Request>(decoded);
                QCOMPARE(qb(p::encodeRequest(r)), qb(text + "\n"));
                if (auto refused = gate->admit(r))
                    expectedNext = p::encodeError(*refused);
                else
                    expectedId = r.id;
            } else if (l.startsWith("< ")) {
                ++replies;
                const std::string text = sv(l.mid(2)) + "\n";
                QJsonObject o;
                const QString bad = checkLine(text, &o);
                QVERIFY2(bad.isEmpty(), qPrintable(where(i) + bad));
                const QString type = o.value("type").toString();
                QVERIFY2(type == "reply" || type == "error" || type == "event",
                         qPrintable(where(i) + "unknown type " + type));
                if (expectedNext) {
                    QVERIFY2(text == *expectedNext,
                             qPrintable(where(i) + "the codec prints " + qb(*expectedNext)));
                    expectedNext.reset();
                } else if (expectedId && type != "event") {
                    // The answer to an admitted request: a reply, or an error the agent raised
                    // (such as "failed"), carrying the request's id.
                    QVERIFY2(type == "reply" || type == "error", qPrintable(where(i) + type));
                    if (const auto *n = std::get_if<std::int64_t>(&*expectedId))
                        QCOMPARE(o.value("id").toInteger(-1), qint64(*n));
                    else if (const auto *str = std::get_if<std::string>(&*expectedId))
                        QCOMPARE(o.value("id").toString(), QString::fromStdString(*str));
                    else
                        QVERIFY2(!o.contains("id"), qPrintable(where(i) + "an id nobody sent"));
                    expectedId.reset();
                }
            } else {
                QVERIFY2(l.isEmpty() || l.startsWith('#'),
                         qPrintable(where(i) + "a transcript line starts with >, < or #"));
            }
        }
        QVERIFY(!inBlock);
        QVERIFY(requests >= 20);
        QVERIFY(replies >= 20);
    }

    // Every line of the encoder table above is shown in PROTOCOL.md as printed.
    void protocolDocShowsEncoderOutput()
    {
        QFile file(QStringLiteral(DMR_PROTOCOL_DOC));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> shown = file.readAll().split('\n');
        for (const auto &c : encoderCases())
            QVERIFY2(shown.contains("< " + QByteArray(c.expected)),
                     qPrintable(QStringLiteral("PROTOCOL.md lacks the %1 example: < %2")
                                    .arg(c.name, c.expected)));
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
