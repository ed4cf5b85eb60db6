// Topology files (topology.h): the shipped fig5.json, the default join order, and one row per
// rejection, each naming the field path and the reason.

#include "dmr/topology.h"

#include <QFile>
#include <QtTest>

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QStringList toList(const std::vector<std::string> &v)
{
    QStringList out;
    for (const auto &s : v)
        out << QString::fromStdString(s);
    return out;
}

// A valid document around the given "nodes" array and optional further top-level fields.
QByteArray doc(const char *nodes, const char *extra = "")
{
    return QByteArray(R"({"name": "t", "nodes": )") + nodes + extra + "}";
}

const char *const kTwoNodes = R"([
    {"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"}]},
    {"id": "2", "interfaces": [{"name": "eth0", "address": "10.0.1.2/24"}]}])";

} // namespace

class TestTopology : public QObject
{
    Q_OBJECT

private slots:
    void fig5()
    {
        QFile f(QStringLiteral(DMR_TOPOLOGIES "/fig5.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto topo = dmr::parseTopology(f.readAll().toStdString());
        QVERIFY2(topo.ok(), topo.ok() ? "" : topo.error().message.c_str());

        QCOMPARE(qs(topo->name), QStringLiteral("fig5"));
        QVERIFY(!topo->description.empty());
        QCOMPARE(topo->nodes.size(), std::size_t(6));
        QCOMPARE(toList(topo->joinOrder), QStringList({"2", "6", "4", "1", "3", "5"}));

        const dmr::Node &n1 = topo->nodes.at("1");
        QCOMPARE(qs(n1.id), QStringLiteral("1"));
        QCOMPARE(n1.interfaces.size(), std::size_t(2));
        QCOMPARE(qs(n1.interfaces[0].name), QStringLiteral("eth0"));
        QCOMPARE(qs(n1.interfaces[0].address.toString()), QStringLiteral("10.0.1.1/24"));
        QCOMPARE(qs(n1.interfaces[0].group()), QStringLiteral("10.0.1.0/24"));
        QCOMPARE(qs(n1.interfaces[1].name), QStringLiteral("eth1"));
        QCOMPARE(qs(n1.interfaces[1].address.toString()), QStringLiteral("10.0.3.1/24"));
        QCOMPARE(qs(n1.interfaces[1].group()), QStringLiteral("10.0.3.0/24"));
        QVERIFY(n1.interface("eth1") == &n1.interfaces[1]);
        QVERIFY(n1.interface("eth2") == nullptr);

        // Networks A (1, 2, 3), B (4, 5, 6) and C (1, 4).
        QStringList groups;
        for (const auto &[id, node] : topo->nodes)
            for (const auto &i : node.interfaces)
                groups << qs(id + "." + i.name + "=" + i.group());
        QCOMPARE(groups,
                 QStringList({"1.eth0=10.0.1.0/24", "1.eth1=10.0.3.0/24", "2.eth0=10.0.1.0/24",
                              "3.eth0=10.0.1.0/24", "4.eth0=10.0.2.0/24", "4.eth1=10.0.3.0/24",
                              "5.eth0=10.0.2.0/24", "6.eth0=10.0.2.0/24"}));
    }

    // A dual-stack interface: one name twice, once per family, in the file's order; each
    // address names its own network. fig5-dual.json is Fig. 5 so, fig5-v6.json IPv6 only.
    void dualStackInterface()
    {
        const auto topo = dmr::parseTopology(R"({"name": "t", "nodes": [
            {"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"},
                                       {"name": "eth0", "address": "fd00:1::1/64"},
                                       {"name": "eth1", "address": "fd00:3::1/64"}]}]})");
        QVERIFY2(topo.ok(), topo.ok() ? "" : topo.error().message.c_str());
        const dmr::Node &n = topo->nodes.at("1");
        QCOMPARE(n.interfaces.size(), std::size_t(3));
        QCOMPARE(qs(n.interfaces[0].group()), QStringLiteral("10.0.1.0/24"));
        QCOMPARE(qs(n.interfaces[1].name), QStringLiteral("eth0"));
        QCOMPARE(qs(n.interfaces[1].group()), QStringLiteral("fd00:1::/64"));
        QVERIFY(n.interface("eth0") == &n.interfaces[0]); // the first entry of that name

        const QMap<QString, QStringList> expected{
            {QStringLiteral("fig5-v6"),
             {"1.eth0=fd00:1::/64", "1.eth1=fd00:3::/64", "2.eth0=fd00:1::/64",
              "3.eth0=fd00:1::/64", "4.eth0=fd00:2::/64", "4.eth1=fd00:3::/64",
              "5.eth0=fd00:2::/64", "6.eth0=fd00:2::/64"}},
            {QStringLiteral("fig5-dual"),
             {"1.eth0=10.0.1.0/24", "1.eth0=fd00:1::/64", "1.eth1=10.0.3.0/24",
              "1.eth1=fd00:3::/64", "2.eth0=10.0.1.0/24", "2.eth0=fd00:1::/64",
              "3.eth0=10.0.1.0/24", "3.eth0=fd00:1::/64", "4.eth0=10.0.2.0/24",
              "4.eth0=fd00:2::/64", "4.eth1=10.0.3.0/24", "4.eth1=fd00:3::/64",
              "5.eth0=10.0.2.0/24", "5.eth0=fd00:2::/64", "6.eth0=10.0.2.0/24",
              "6.eth0=fd00:2::/64"}}};
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            QFile f(QStringLiteral(DMR_TOPOLOGIES "/") + it.key() + QStringLiteral(".json"));
            QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(it.key()));
            const auto fig = dmr::parseTopology(f.readAll().toStdString());
            QVERIFY2(fig.ok(), fig.ok() ? "" : fig.error().message.c_str());
            QCOMPARE(toList(fig->joinOrder), QStringList({"2", "6", "4", "1", "3", "5"}));
            QStringList groups;
            for (const auto &[id, node] : fig->nodes)
                for (const auto &i : node.interfaces)
                    groups << qs(id + "." + i.name + "=" + i.group());
            QCOMPARE(groups, it.value());
        }
    }

    // Without join_order the nodes join in the order they are declared, not in id order.
    void joinOrderDefaultsToDeclarationOrder()
    {
        const auto topo = dmr::parseTopology(R"({"name": "t", "nodes": [
            {"id": "3", "interfaces": [{"name": "eth0", "address": "10.0.1.3/24"}]},
            {"id": "10", "interfaces": [{"name": "eth0", "address": "10.0.1.10/24"}]},
            {"id": "1", "interfaces": [{"name": "eth0", "address": "fd00:1::1/64"}]}]})");
        QVERIFY2(topo.ok(), topo.ok() ? "" : topo.error().message.c_str());
        QCOMPARE(toList(topo->joinOrder), QStringList({"3", "10", "1"}));
        QVERIFY(topo->description.empty());
        QCOMPARE(qs(topo->nodes.at("1").interfaces[0].group()), QStringLiteral("fd00:1::/64"));
    }

    void explicitJoinOrder()
    {
        const auto topo = dmr::parseTopology(
            doc(kTwoNodes, R"(, "description": "", "join_order": ["2", "1"])").toStdString());
        QVERIFY2(topo.ok(), topo.ok() ? "" : topo.error().message.c_str());
        QCOMPARE(toList(topo->joinOrder), QStringList({"2", "1"}));
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("expected"); // substrings of the message

        QTest::newRow("bad JSON syntax")
            << QByteArray("{\n  \"name\": \"x\",\n  \"nodes\": [,]\n}")
            << QStringList{"topology: line 3, column 13: syntax error", "unexpected ','"};
        QTest::newRow("bad JSON syntax on line 1")
            << QByteArray(R"({"name": "x",})")
            << QStringList{"topology: line 1, column 14: syntax error"};
        QTest::newRow("not an object")
            << QByteArray("[1, 2]")
            << QStringList{"topology: document: expected an object, found array"};
        QTest::newRow("unknown top-level field") << doc(kTwoNodes, R"(, "colour": "red")")
                                                 << QStringList{"topology: colour: unknown field"};
        QTest::newRow("missing name")
            << QByteArray(
                   R"({"nodes": [{"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"}]}]})")
            << QStringList{"topology: name: missing"};
        QTest::newRow("empty name")
            << QByteArray(
                   R"({"name": "", "nodes": [{"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"}]}]})")
            << QStringList{"topology: name: must not be empty"};
        QTest::newRow("name not a string")
            << QByteArray(R"({"name": 5, "nodes": []})")
            << QStringList{"topology: name: expected a string, found number"};
        QTest::newRow("description not a string")
            << doc(kTwoNodes, R"(, "description": ["x"])")
            << QStringList{"topology: description: expected a string, found array"};
        QTest::newRow("missing nodes")
            << QByteArray(R"({"name": "t"})") << QStringList{"topology: nodes: missing"};
        QTest::newRow("nodes not an array")
            << doc(R"({"1": {}})")
            << QStringList{"topology: nodes: expected an array, found object"};
        QTest::newRow("empty nodes")
            << doc("[]") << QStringList{"topology: nodes: a topology needs at least one node"};
        QTest::newRow("node not an object")
            << doc(R"(["1"])")
            << QStringList{"topology: nodes[0]: expected an object, found string"};
        QTest::newRow("node missing id")
            << doc(R"([{"interfaces": [{"name": "eth0", "address": "10.0.1.1/24"}]}])")
            << QStringList{"topology: nodes[0].id: missing"};
        QTest::newRow("node unknown field")
            << doc(R"([{"id": "1", "role": "x", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"}]}])")
            << QStringList{"topology: nodes[0].role: unknown field"};
        QTest::newRow("duplicate node id")
            << doc(R"([{"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"}]},
                       {"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.2/24"}]}])")
            << QStringList{"topology: nodes[1].id: duplicate node id \"1\""};
        QTest::newRow("node missing interfaces")
            << doc(R"([{"id": "1"}])") << QStringList{"topology: nodes[0].interfaces: missing"};
        QTest::newRow("node with no interfaces")
            << doc(R"([{"id": "1", "interfaces": []}])")
            << QStringList{"topology: nodes[0].interfaces: a node needs at least one interface"};
        QTest::newRow("interface unknown field")
            << doc(R"([{"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24", "mtu": 1500}]}])")
            << QStringList{"topology: nodes[0].interfaces[0].mtu: unknown field"};
        QTest::newRow("interface missing name")
            << doc(R"([{"id": "1", "interfaces": [{"address": "10.0.1.1/24"}]}])")
            << QStringList{"topology: nodes[0].interfaces[0].name: missing"};
        QTest::newRow("duplicate interface name")
            << doc(R"([{"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"},
                                                  {"name": "eth0", "address": "10.0.2.1/24"}]}])")
            << QStringList{
                   "topology: nodes[0].interfaces[1].name: duplicate interface name \"eth0\" "
                   "with a second IPv4 address (an interface has at most one of each family)"};
        QTest::newRow("duplicate interface name, IPv6 twice")
            << doc(R"([{"id": "1", "interfaces": [{"name": "eth0", "address": "fd00:1::1/64"},
                                                  {"name": "eth0", "address": "10.0.1.1/24"},
                                                  {"name": "eth0", "address": "fd00:2::1/64"}]}])")
            << QStringList{
                   "topology: nodes[0].interfaces[2].name: duplicate interface name \"eth0\" "
                   "with a second IPv6 address"};
        QTest::newRow("bad address")
            << doc(R"([{"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.256/24"}]}])")
            << QStringList{"topology: nodes[0].interfaces[0].address: ",
                           "invalid interface address \"10.0.1.256/24\"",
                           "bad octet \"256\" (greater than 255)"};
        QTest::newRow("bad address in a later node")
            << doc(R"([{"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"}]},
                       {"id": "2", "interfaces": [{"name": "eth0", "address": "10.0.1.2/24"},
                                                  {"name": "eth1", "address": "10.0.3.2"}]}])")
            << QStringList{"topology: nodes[1].interfaces[1].address: ",
                           "missing '/' and prefix length"};
        QTest::newRow("address not a string")
            << doc(R"([{"id": "1", "interfaces": [{"name": "eth0", "address": 167772417}]}])")
            << QStringList{
                   "topology: nodes[0].interfaces[0].address: expected a string, found number"};
        QTest::newRow("join_order not an array")
            << doc(kTwoNodes, R"(, "join_order": "1 2")")
            << QStringList{"topology: join_order: expected an array, found string"};
        QTest::newRow("join_order unknown node")
            << doc(kTwoNodes, R"(, "join_order": ["1", "9", "2"])")
            << QStringList{"topology: join_order[1]: unknown node \"9\""};
        QTest::newRow("join_order duplicate")
            << doc(kTwoNodes, R"(, "join_order": ["2", "1", "2"])")
            << QStringList{"topology: join_order[2]: node \"2\" listed twice"};
        QTest::newRow("join_order missing node")
            << doc(kTwoNodes, R"(, "join_order": ["1"])")
            << QStringList{"topology: join_order: node \"2\" is missing"};
        QTest::newRow("join_order empty")
            << doc(kTwoNodes, R"(, "join_order": [])")
            << QStringList{"topology: join_order: node \"1\" is missing"};
        QTest::newRow("join_order non-string entry")
            << doc(kTwoNodes, R"(, "join_order": ["1", 2])")
            << QStringList{"topology: join_order[1]: expected a node id string, found number"};
    }

    void rejects()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, expected);
        const auto topo = dmr::parseTopology(json.toStdString());
        QVERIFY2(!topo.ok(), "accepted");
        const QString m = qs(topo.error().message);
        for (const QString &e : expected)
            QVERIFY2(m.contains(e), qPrintable(QStringLiteral("expected \"%1\" in: %2").arg(e, m)));
        QVERIFY(!m.contains(QLatin1Char('\n')));
    }
};

QTEST_GUILESS_MAIN(TestTopology)
#include "tst_topology.moc"
