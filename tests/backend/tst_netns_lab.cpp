// dmr-lab's namespace builder (backend/lab/netns_lab.h) without root: what it plans for Fig. 5
// in IPv4, IPv6 only and dual-stack (testdata/netns/fig5*.commands; DMR_UPDATE_GOLDEN=1 rewrites
// them, review the diff), what it refuses, the build and the teardown through a fake command
// runner, and the delivery analysis the namespace tests report with; dmr-mcast's refusals. As
// root, the IPv6 Fig. 5 built for real (fig5-v6.json):
//
//          router (fd00:1::fffe, fd00:2::fffe): IPv6 unicast forwarding, no multicast routing
//             |                                        |
//   A fd00:1::/64: 1 2 3                       B fd00:2::/64: 4 5 6      (C fd00:3::/64: 1 4)
//
// ping crosses the router; dmr-mcast's IPv6 datagrams are heard exactly once on the sender's
// network and never on the other. And the dual-stack Fig. 5 (fig5-dual.json): both families on
// one interface, unicast across the router in both.

#include "netns_cluster.h"
#include "netns_lab.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include <unistd.h>

namespace {

using dmr::lab::CommandRunner;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

dmr::TopologyFile load(const QString &path)
{
    std::ifstream in(path.toStdString());
    std::stringstream text;
    text << in.rdbuf();
    auto t = dmr::parseTopology(text.str());
    if (!t)
        qFatal("%s: %s", qPrintable(path), t.error().message.c_str());
    return *t;
}

dmr::TopologyFile fromJson(const char *json)
{
    auto t = dmr::parseTopology(json);
    if (!t)
        qFatal("%s", t.error().message.c_str());
    return *t;
}

// Records every command; answers from a script (prefix of the joined command -> output), and
// fails the command whose joined text equals failOn.
class FakeRunner final : public CommandRunner
{
public:
    std::vector<std::string> ran;
    std::map<std::string, std::vector<std::string>> answers; // consumed in order
    std::string failOn;

    dmr::Result<std::string> run(const std::vector<std::string> &argv) override
    {
        std::string line;
        for (const auto &a : argv)
            line += (line.empty() ? "" : " ") + a;
        ran.push_back(line);
        if (line == failOn)
            return dmr::Error{line + ": exit status 2: RTNETLINK answers: File exists"};
        auto it = answers.find(line);
        if (it == answers.end() || it->second.empty())
            return std::string();
        std::string out = it->second.front();
        it->second.erase(it->second.begin());
        return out;
    }
};

QString joined(const std::vector<std::vector<std::string>> &commands)
{
    QString out;
    for (const auto &c : commands) {
        QStringList words;
        for (const auto &w : c)
            words << QString::fromStdString(w);
        out += words.join(QLatin1Char(' ')) + QLatin1Char('\n');
    }
    return out;
}

} // namespace

class TestNetnsLab : public QObject
{
    Q_OBJECT

private slots:
    // The whole command list of each shipped Fig. 5, against its golden file. fig5.commands
    // predates IPv6: the IPv4 lab is built exactly as before.
    void plansAreTheGoldenOnes_data()
    {
        QTest::addColumn<QString>("topology");
        QTest::addColumn<QString>("lab");
        QTest::newRow("fig5") << s("fig5") << s("fig5");
        QTest::newRow("fig5-v6") << s("fig5-v6") << s("fig5v6");
        QTest::newRow("fig5-dual") << s("fig5-dual") << s("fig5dual");
    }

    void plansAreTheGoldenOnes()
    {
        QFETCH(QString, topology);
        QFETCH(QString, lab);
        const auto plan = dmr::lab::planNetnsLab(
            load(s(DMR_RESOURCES) + s("/topologies/") + topology + s(".json")), lab.toStdString());
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        const QString golden = s(DMR_TESTDATA) + s("/netns/") + topology + s(".commands");
        const QString got = joined(plan->commands);
        if (qEnvironmentVariableIsSet("DMR_UPDATE_GOLDEN")) {
            QDir().mkpath(QFileInfo(golden).path());
            QFile f(golden);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(got.toUtf8());
        }
        QFile f(golden);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(golden));
        QCOMPARE(got, QString::fromUtf8(f.readAll()));
        // No multicast routing anywhere, in either family.
        QVERIFY(!got.contains(s("mc_forwarding")));
        QVERIFY(!got.contains(s("smcroute")));
    }

    void fig5Plan()
    {
        const auto plan =
            dmr::lab::planNetnsLab(load(s(DMR_RESOURCES) + s("/topologies/fig5.json")), "fig5");
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        const QString got = joined(plan->commands);

        // What the agents and the router get, in words.
        QCOMPARE(plan->networks,
                 (std::vector<std::string>{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"}));
        QCOMPARE(plan->routerLegs.size(), std::size_t{2}); // A and B; C is nobody's first network
        QCOMPARE(plan->routerLegs[0].address, std::string("10.0.1.254/24"));
        QCOMPARE(plan->routerLegs[1].address, std::string("10.0.2.254/24"));
        QCOMPARE(plan->nodes.at("1").gateway, std::string("10.0.1.254"));
        QCOMPARE(plan->nodes.at("4").gateway, std::string("10.0.2.254"));
        QCOMPARE(plan->nodes.at("4").address, std::string("10.0.2.4"));
        QCOMPARE(plan->nodes.at("4").netns, std::string("dmr-fig5-n4"));
        QCOMPARE(plan->nodes.at("4").switchPorts, (std::vector<std::string>{"v2i0", "v2i1"}));
        QCOMPARE(plan->namespaces.front(), std::string("dmr-fig5-sw"));
        QCOMPARE(plan->nodes.at("4").gateways, (std::vector<std::string>{"10.0.2.254"}));
        // An IPv4 lab has no IPv6 step.
        QVERIFY(!got.contains(s("ipv6")));
        QVERIFY(!got.contains(s(" -6 ")));
        QVERIFY(!got.contains(s("nodad")));
    }

    // Fig. 5 on IPv6 only: the router on A and B at ::fffe, forwarding IPv6 unicast; every
    // address without duplicate address detection; default routes in IPv6.
    void fig5V6Plan()
    {
        const auto plan = dmr::lab::planNetnsLab(
            load(s(DMR_RESOURCES) + s("/topologies/fig5-v6.json")), "fig5v6");
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        const QString got = joined(plan->commands);
        QCOMPARE(plan->networks,
                 (std::vector<std::string>{"fd00:1::/64", "fd00:2::/64", "fd00:3::/64"}));
        QCOMPARE(plan->bridges, (std::vector<std::vector<std::string>>{
                                    {"fd00:1::/64"}, {"fd00:2::/64"}, {"fd00:3::/64"}}));
        QCOMPARE(plan->routerLegs.size(), std::size_t{2});
        QCOMPARE(plan->routerLegs[0].address, std::string("fd00:1::fffe/64"));
        QCOMPARE(plan->routerLegs[0].name, std::string("leg0"));
        QCOMPARE(plan->routerLegs[1].address, std::string("fd00:2::fffe/64"));
        QCOMPARE(plan->nodes.at("4").address, std::string("fd00:2::4"));
        QCOMPARE(plan->nodes.at("4").gateway, std::string("fd00:2::fffe"));
        QCOMPARE(plan->nodes.at("1").gateways, (std::vector<std::string>{"fd00:1::fffe"}));
        QCOMPARE(plan->nodes.at("4").switchPorts, (std::vector<std::string>{"v2i0", "v2i1"}));
        const QStringList lines = got.split(QLatin1Char('\n'));
        auto at = [&](const QString &line) { return lines.indexOf(line); };
        // The router forwards IPv6; no DAD in its namespace from before its legs exist.
        const int forwarding = at(s("ip netns exec dmr-fig5v6-rt sysctl -qw "
                                    "net.ipv6.conf.all.forwarding=1"));
        QVERIFY(forwarding > 0);
        const int routerNoDad = at(s("ip netns exec dmr-fig5v6-rt sysctl -qw "
                                     "net.ipv6.conf.default.accept_dad=0"));
        const int leg0 = at(s("ip -n dmr-fig5v6-sw link add rt0 type veth peer name leg0 netns "
                              "dmr-fig5v6-rt"));
        QVERIFY(routerNoDad > 0 && leg0 > routerNoDad);
        QVERIFY(at(s("ip -n dmr-fig5v6-rt addr add fd00:1::fffe/64 dev leg0 nodad")) > leg0);
        // A node: no DAD, its address at once, its default route via the router in IPv6.
        const int nodeNoDad = at(s("ip netns exec dmr-fig5v6-n2 sysctl -qw "
                                   "net.ipv6.conf.default.accept_dad=0"));
        const int addr = at(s("ip -n dmr-fig5v6-n2 addr add fd00:1::2/64 dev eth0 nodad"));
        const int up = at(s("ip -n dmr-fig5v6-n2 link set eth0 up"));
        const int route = at(s("ip -n dmr-fig5v6-n2 -6 route add default via fd00:1::fffe"));
        QVERIFY(nodeNoDad > 0 && addr > nodeNoDad && up > addr && route > up);
        // Node 1's second interface is on C, which the router does not serve: one route.
        QCOMPARE(got.count(s("ip -n dmr-fig5v6-n1 -6 route add default")), 1);
        QVERIFY(got.contains(s("ip -n dmr-fig5v6-n1 addr add fd00:3::1/64 dev eth1 nodad")));
        QVERIFY(!got.contains(s("ip -n dmr-fig5v6-n1 route add")));
    }

    // Dual-stack Fig. 5: one bridge per link carrying both families, one router leg per bridge
    // with an address in each, both addresses on one veth, a default route in each family.
    void fig5DualPlan()
    {
        const auto plan = dmr::lab::planNetnsLab(
            load(s(DMR_RESOURCES) + s("/topologies/fig5-dual.json")), "fig5dual");
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        const QString got = joined(plan->commands);
        QCOMPARE(plan->networks,
                 (std::vector<std::string>{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24",
                                           "fd00:1::/64", "fd00:2::/64", "fd00:3::/64"}));
        QCOMPARE(plan->bridges,
                 (std::vector<std::vector<std::string>>{{"10.0.1.0/24", "fd00:1::/64"},
                                                        {"10.0.2.0/24", "fd00:2::/64"},
                                                        {"10.0.3.0/24", "fd00:3::/64"}}));
        QCOMPARE(got.count(s(" type bridge ")), 3);
        QCOMPARE(plan->routerLegs.size(), std::size_t{4});
        QCOMPARE(plan->routerLegs[0].address, std::string("10.0.1.254/24"));
        QCOMPARE(plan->routerLegs[2].address, std::string("fd00:1::fffe/64"));
        QCOMPARE(plan->routerLegs[0].name, plan->routerLegs[2].name); // one leg, two addresses
        QCOMPARE(got.count(s("peer name leg")), 2);
        QVERIFY(got.contains(s("ip -n dmr-fig5dual-rt addr add 10.0.1.254/24 dev leg0\n")));
        QVERIFY(got.contains(s("ip -n dmr-fig5dual-rt addr add fd00:1::fffe/64 dev leg0 nodad")));
        QVERIFY(got.contains(s("net.ipv4.ip_forward=1")));
        QVERIFY(got.contains(s("net.ipv6.conf.all.forwarding=1")));
        // Node 4: two veths (eth0 on B, eth1 on C), each with both families.
        const auto &n4 = plan->nodes.at("4");
        QCOMPARE(n4.switchPorts, (std::vector<std::string>{"v2i0", "v2i1"}));
        QCOMPARE(got.count(s("peer name eth0 netns dmr-fig5dual-n4")), 1);
        QVERIFY(got.contains(s("ip -n dmr-fig5dual-n4 addr add 10.0.2.4/24 dev eth0\n")));
        QVERIFY(got.contains(s("ip -n dmr-fig5dual-n4 addr add fd00:2::4/64 dev eth0 nodad")));
        QVERIFY(got.contains(s("ip -n dmr-fig5dual-n4 addr add fd00:3::4/64 dev eth1 nodad")));
        QVERIFY(got.contains(s("ip -n dmr-fig5dual-sw link set v2i1 master br2 up")));
        QCOMPARE(n4.address, std::string("10.0.2.4"));
        QCOMPARE(n4.gateway, std::string("10.0.2.254"));
        QCOMPARE(n4.gateways, (std::vector<std::string>{"10.0.2.254", "fd00:2::fffe"}));
        QVERIFY(got.contains(s("ip -n dmr-fig5dual-n4 route add default via 10.0.2.254")));
        QVERIFY(got.contains(s("ip -n dmr-fig5dual-n4 -6 route add default via fd00:2::fffe")));
    }

    // Addresses with a port as the agents' HOST:PORT keys take them; etcd in an IPv6 lab.
    void hostPortsAndEtcdInIpv6()
    {
        QCOMPARE(dmr::lab::hostPort("10.0.1.2", 2379), std::string("10.0.1.2:2379"));
        QCOMPARE(dmr::lab::hostPort("fd00:1::2", 2379), std::string("[fd00:1::2]:2379"));
        const auto topo = load(s(DMR_RESOURCES) + s("/topologies/fig5-v6.json"));
        const auto lab = dmr::lab::planNetnsLab(topo, "fig5v6");
        QVERIFY(lab.ok());
        const auto plan = dmr::lab::planEtcdCluster(*lab, topo.joinOrder, 3);
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        QCOMPARE(QString::fromStdString(plan->initialCluster),
                 s("etcd-2=http://[fd00:1::2]:2380,etcd-6=http://[fd00:2::6]:2380,"
                   "etcd-4=http://[fd00:2::4]:2380"));
        QCOMPARE(plan->members[0].clientUrl, std::string("http://[fd00:1::2]:2379"));
        QCOMPARE(plan->agentEndpoints.at("6"),
                 std::string("[fd00:2::6]:2379,[fd00:2::4]:2379,[fd00:1::2]:2379"));
    }

    // What the topology parser lets through but a lab cannot build: two addresses of one
    // family on one interface (a TopologyFile made in code).
    void refusesTwoAddressesOfOneFamilyOnOneInterface()
    {
        dmr::TopologyFile t;
        t.name = "t";
        dmr::Node n;
        n.id = "1";
        n.interfaces = {{"eth0", *dmr::InterfaceAddress::parse("fd00:1::1/64")},
                        {"eth0", *dmr::InterfaceAddress::parse("fd00:2::1/64")}};
        t.nodes["1"] = n;
        t.joinOrder = {"1"};
        const auto plan = dmr::lab::planNetnsLab(t, "x");
        QVERIFY(!plan.ok());
        QCOMPARE(QString::fromStdString(plan.error().message),
                 s("node 1 interface eth0: fd00:2::1/64: a second IPv6 address on one interface "
                   "(a namespace lab gives an interface at most one of each family)"));
    }

    // Every interface name fits IFNAMSIZ, on the 128 nodes of Fig. 1 too.
    void namesFit()
    {
        const auto plan =
            dmr::lab::planNetnsLab(load(s(DMR_RESOURCES) + s("/topologies/fig1.json")), "fig1");
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        QCOMPARE(plan->nodes.size(), std::size_t{128});
        int links = 0;
        for (const auto &c : plan->commands) {
            for (std::size_t i = 0; i + 1 < c.size(); ++i) {
                if (c[i] == "add" && i >= 1 && c[i - 1] == "link") {
                    QVERIFY2(c[i + 1].size() <= 15, c[i + 1].c_str());
                    ++links;
                }
                if (c[i] == "name")
                    QVERIFY2(c[i + 1].size() <= 15, c[i + 1].c_str());
            }
        }
        QVERIFY(links > 128);
    }

    // etcd as a three-member cluster in Fig. 5's namespaces: the first three nodes of the join
    // order host a member on their first address; every agent lists all three, its own first,
    // else rotated by its place in the join order.
    void etcdCluster()
    {
        const auto topo = load(s(DMR_RESOURCES) + s("/topologies/fig5.json"));
        const auto lab = dmr::lab::planNetnsLab(topo, "fig5");
        QVERIFY(lab.ok());
        const auto plan = dmr::lab::planEtcdCluster(*lab, topo.joinOrder, 3);
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        QCOMPARE(plan->members.size(), std::size_t{3});
        QCOMPARE(QString::fromStdString(plan->initialCluster),
                 s("etcd-2=http://10.0.1.2:2380,etcd-6=http://10.0.2.6:2380,"
                   "etcd-4=http://10.0.2.4:2380"));
        QCOMPARE(QString::fromStdString(plan->members[1].netns), s("dmr-fig5-n6"));
        const std::map<std::string, std::string> expected{
            {"2", "10.0.1.2:2379,10.0.2.6:2379,10.0.2.4:2379"},
            {"6", "10.0.2.6:2379,10.0.2.4:2379,10.0.1.2:2379"},
            {"4", "10.0.2.4:2379,10.0.1.2:2379,10.0.2.6:2379"},
            {"1", "10.0.1.2:2379,10.0.2.6:2379,10.0.2.4:2379"}, // 4th: 3 % 3 = 0
            {"3", "10.0.2.6:2379,10.0.2.4:2379,10.0.1.2:2379"},
            {"5", "10.0.2.4:2379,10.0.1.2:2379,10.0.2.6:2379"}};
        QVERIFY(plan->agentEndpoints == expected);
        // The member's command line: its own URLs, the whole cluster, LAN timing.
        const auto argv = plan->argv(plan->members[0], "/usr/bin/etcd", "/tmp/d");
        const std::string line = [&] {
            std::string out;
            for (const auto &a : argv)
                out += a + " ";
            return out;
        }();
        QVERIFY2(line.find("--name etcd-2 ") != std::string::npos, line.c_str());
        QVERIFY2(line.find("--listen-client-urls http://10.0.1.2:2379,http://127.0.0.1:2379 ") !=
                     std::string::npos,
                 line.c_str());
        QVERIFY2(line.find("--initial-cluster " + plan->initialCluster + " ") != std::string::npos,
                 line.c_str());
        QVERIFY2(line.find("--election-timeout 500 ") != std::string::npos, line.c_str());
        // Refusals name the count.
        for (int bad : {0, 8, 7}) {
            const auto r = dmr::lab::planEtcdCluster(*lab, topo.joinOrder, bad);
            QVERIFY2(!r.ok(), qPrintable(QString::number(bad)));
            QVERIFY2(r.error().message.find(std::to_string(bad)) != std::string::npos,
                     r.error().message.c_str());
        }
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("lab");
        QTest::addColumn<QString>("topology");
        QTest::addColumn<QString>("error");
        const QString fig5 = s("fig5");
        QTest::newRow("upper case lab name")
            << s("Fig5") << fig5 << s("lab name \"Fig5\": only lower-case letters and digits");
        QTest::newRow("empty lab name") << s("") << fig5 << s("must be 1 to 12 characters");
        QTest::newRow("long lab name")
            << s("abcdefghijklm") << fig5 << s("lab name \"abcdefghijklm\": must be 1 to 12");
        QTest::newRow("IPv6 link-local")
            << s("x")
            << s(R"({"name":"v6","nodes":[{"id":"1","interfaces":[{"name":"eth0","address":"fe80::1/64"}]}],"join_order":["1"]})")
            << s("node 1 interface eth0: fe80::1/64: a link-local address names no network a "
                 "router joins");
        QTest::newRow("IPv6 network too small")
            << s("x")
            << s(R"({"name":"v6","nodes":[{"id":"1","interfaces":[{"name":"eth0","address":"fd00::1/127"}]}],"join_order":["1"]})")
            << s("node 1 interface eth0: fd00::1/127: a namespace lab needs IPv6 networks of "
                 "/126 or larger");
        QTest::newRow("node on the router's IPv6 address")
            << s("x")
            << s(R"({"name":"t","nodes":[{"id":"1","interfaces":[{"name":"eth0","address":"fd00:9::fffe/64"}]}],"join_order":["1"]})")
            << s("network fd00:9::/64: a node holds fd00:9::fffe, the address the lab's router "
                 "takes (host part ::fffe");
        QTest::newRow("node on the router's address in a small IPv6 network")
            << s("x")
            << s(R"({"name":"t","nodes":[{"id":"1","interfaces":[{"name":"eth0","address":"fd00:9::fe/120"}]}],"join_order":["1"]})")
            << s("network fd00:9::/120: a node holds fd00:9::fe, the address the lab's router "
                 "takes");
        QTest::newRow("node on the router's IPv6 address, second family of its interface")
            << s("x")
            << s(R"({"name":"t","nodes":[{"id":"1","interfaces":[{"name":"eth0","address":"10.9.0.1/24"},{"name":"eth0","address":"fd00:9::fffe/64"}]}],"join_order":["1"]})")
            << s("network fd00:9::/64: a node holds fd00:9::fffe");
        QTest::newRow("network too small")
            << s("x")
            << s(R"({"name":"p2p","nodes":[{"id":"1","interfaces":[{"name":"eth0","address":"10.9.0.1/31"}]}],"join_order":["1"]})")
            << s("needs networks of /30 or larger");
        QTest::newRow("node on the router's address")
            << s("x")
            << s(R"({"name":"t","nodes":[{"id":"1","interfaces":[{"name":"eth0","address":"10.9.0.254/24"}]}],"join_order":["1"]})")
            << s("network 10.9.0.0/24: a node holds 10.9.0.254, the address the lab's router "
                 "takes");
        QTest::newRow("node id with a slash")
            << s("x")
            << s(R"({"name":"t","nodes":[{"id":"a/b","interfaces":[{"name":"eth0","address":"10.9.0.1/24"}]}],"join_order":["a/b"]})")
            << s("node \"a/b\": a namespace lab needs node ids of letters, digits");
    }

    void refusals()
    {
        QFETCH(QString, lab);
        QFETCH(QString, topology);
        QFETCH(QString, error);
        const auto topo = topology == s("fig5")
                              ? load(s(DMR_RESOURCES) + s("/topologies/fig5.json"))
                              : fromJson(topology.toUtf8().constData());
        const auto plan = dmr::lab::planNetnsLab(topo, lab.toStdString());
        QVERIFY(!plan.ok());
        QVERIFY2(QString::fromStdString(plan.error().message).contains(error),
                 plan.error().message.c_str());
    }

    // The state file lists every namespace before the first is made; the first failing command
    // stops the build and is named.
    void buildStopsAtTheFirstFailure()
    {
        QTemporaryDir dir;
        const auto plan =
            dmr::lab::planNetnsLab(load(s(DMR_RESOURCES) + s("/topologies/fig5.json")), "fig5");
        QVERIFY(plan.ok());
        FakeRunner fake;
        fake.failOn = "ip -n dmr-fig5-sw link add br1 type bridge mcast_snooping 0";
        const auto built = dmr::lab::buildNetnsLab(*plan, fake, dir.path().toStdString(), 4242);
        QVERIFY(!built.ok());
        QCOMPARE(QString::fromStdString(built.error().message),
                 s("building lab fig5: ip -n dmr-fig5-sw link add br1 type bridge mcast_snooping "
                   "0: exit status 2: RTNETLINK answers: File exists"));
        QCOMPARE(fake.ran.back(), fake.failOn);
        const auto st =
            dmr::lab::readState(dmr::lab::stateFilePath(dir.path().toStdString(), "fig5"));
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        QCOMPARE(st->ownerPid, std::int64_t{4242});
        QCOMPARE(st->namespaces, plan->namespaces);
    }

    // Teardown: the state file's namespaces and every one with the lab's prefix (but not another
    // lab's), processes in them killed first, the state file removed; a second run finds nothing.
    void teardownFindsEverything()
    {
        QTemporaryDir dir;
        const std::string stateDir = dir.path().toStdString();
        QVERIFY(dmr::lab::writeState(dmr::lab::stateFilePath(stateDir, "fig5"),
                                     {"fig5", 99999999, {"dmr-fig5-sw", "dmr-fig5-n2"}})
                    .ok());
        FakeRunner fake;
        fake.answers["ip netns list"] = {
            "dmr-fig5-n2 (id: 4)\ndmr-fig5x-n1\ndmr-fig5-n7 (id: 9)\ndmr-fig5-sw\nother\n"};
        fake.answers["ip netns pids dmr-fig5-n2"] = {"4711\n4712\n", ""};
        const auto report = dmr::lab::teardownNetnsLab("fig5", fake, stateDir);
        QVERIFY(report.errors.empty());
        QCOMPARE(report.namespacesRemoved,
                 (std::vector<std::string>{"dmr-fig5-n7", "dmr-fig5-n2", "dmr-fig5-sw"}));
        QCOMPARE(report.processesKilled, (std::vector<std::int64_t>{4711, 4712}));
        QVERIFY(std::find(fake.ran.begin(), fake.ran.end(), "kill -KILL 4711") != fake.ran.end());
        for (const auto &line : fake.ran)
            QVERIFY2(line.find("fig5x") == std::string::npos, line.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(dmr::lab::stateFilePath(stateDir, "fig5"))));

        FakeRunner again;
        again.answers["ip netns list"] = {"other\n"};
        const auto second = dmr::lab::teardownNetnsLab("fig5", again, stateDir);
        QVERIFY(second.errors.empty());
        QVERIFY(second.namespacesRemoved.empty());
    }

    // dmr-mcast refuses what it cannot send to or join, saying what and why.
    void mcastRefusals_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("error");
        QTest::newRow("unicast group")
            << QStringList{s("send"), s("--group"), s("10.0.0.1"), s("--port"), s("5000")}
            << s("--group 10.0.0.1: not a multicast address (224.0.0.0/4)");
        QTest::newRow("not an address")
            << QStringList{s("recv"), s("--group"), s("239.1.0.300"), s("--port"), s("5000")}
            << s("--group \"239.1.0.300\": not an IPv4 or IPv6 address");
        QTest::newRow("IPv6 unicast group")
            << QStringList{s("send"), s("--group"), s("fd00:1::2"), s("--port"), s("5000")}
            << s("--group fd00:1::2: not a multicast address (ff00::/8)");
        QTest::newRow("IPv6 link-local scope without an interface")
            << QStringList{s("recv"), s("--group"), s("ff02::1:3"), s("--port"), s("5000")}
            << s("--group ff02::1:3: a link-local scope group needs --iface");
        QTest::newRow("IPv6, no such interface")
            << QStringList{s("send"), s("--group"), s("ff15::1:1"), s("--port"),
                           s("5000"), s("--iface"), s("nosuchif0")}
            << s("--iface nosuchif0: no such interface");
        QTest::newRow("no such interface")
            << QStringList{s("recv"), s("--group"), s("239.1.0.7"), s("--port"),
                           s("5007"), s("--iface"), s("nosuchif0")}
            << s("--iface nosuchif0: no such interface");
        QTest::newRow("zero rate")
            << QStringList{s("send"), s("--group"), s("239.1.0.7"), s("--port"),
                           s("5007"), s("--rate"),  s("0")}
            << s("--rate");
    }

    void mcastRefusals()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, error);
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(s(DMR_MCAST_PATH), args);
        QVERIFY(p.waitForFinished(10000));
        const QString out = QString::fromUtf8(p.readAll());
        QVERIFY2(p.exitCode() != 0, qPrintable(out));
        QVERIFY2(out.contains(error), qPrintable(out));
    }

    // As root, Fig. 5 on IPv6 only, built for real: unicast crosses the router (ping from A to
    // B, through the router's leg), dmr-mcast's IPv6 datagrams are heard exactly once on the
    // sender's network and never on the other, with a hop limit the router would honour if it
    // routed multicast. Then the other way round, from B.
    void ipv6LabRoutesUnicastNotMulticast()
    {
        if (const QString why = NetnsCluster::whyUnavailable(); !why.isEmpty())
            QSKIP(qPrintable(why));
        if (const QString why = NetnsCluster::whyNoIpv6(); !why.isEmpty())
            QSKIP(qPrintable(why));
        const QString ping = QStandardPaths::findExecutable(s("ping"));
        QVERIFY2(!ping.isEmpty(), "no ping (iputils-ping, which ./dmr installs)");
        NetnsCluster lab(s("v6l%1").arg(::getpid() % 100000),
                         s(DMR_RESOURCES) + s("/topologies/fig5-v6.json"), QString(),
                         s(DMR_MCAST_PATH), 47400);
        const QString built = lab.build();
        QVERIFY2(built.isEmpty(), qPrintable(built));

        // Unicast: A to B and back, through the router (its leg is the first hop).
        QString route;
        QVERIFY2(NetnsCluster::runIn(lab.netnsOf(s("3")),
                                     {s("ip"), s("-6"), s("route"), s("get"), s("fd00:2::5")},
                                     &route)
                     .isEmpty(),
                 qPrintable(route));
        QVERIFY2(route.contains(s("via fd00:1::fffe dev eth0")), qPrintable(route));
        for (const auto &[from, to] :
             {std::pair{s("3"), s("fd00:2::5")}, std::pair{s("6"), s("fd00:1::2")}}) {
            QString out;
            QVERIFY2(AgentCluster::waitFor(
                         [&] {
                             return NetnsCluster::runIn(
                                        lab.netnsOf(from),
                                        {ping, s("-6"), s("-c"), s("1"), s("-W"), s("2"), to}, &out)
                                 .isEmpty();
                         },
                         30000),
                     qPrintable(s("node %1 to %2: ").arg(from, to) + out));
        }

        // Multicast: every datagram once on the sender's network, none on the other.
        const long count = 200;
        const QString group = s("ff15::1:1");
        struct Stream
        {
            QString sender, senderAddress;
            QStringList hear, deaf;
        };
        const Stream streams[] = {{s("2"), s("fd00:1::2"), {s("1"), s("3")}, {s("5"), s("6")}},
                                  {s("4"), s("fd00:2::4"), {s("5"), s("6")}, {s("2"), s("3")}}};
        for (const Stream &st : streams) {
            for (const QString &id : st.hear + st.deaf) {
                const QString r = lab.startReceiver(id, group, 5000, 20000, s("eth0"));
                QVERIFY2(r.isEmpty(), qPrintable(r));
            }
            QVERIFY2(lab.startSender(st.sender, group, 5000, 400, count, 8, s("eth0")).isEmpty(),
                     "the sender did not start");
            const QString sent = lab.waitSender(30000);
            QVERIFY2(sent.isEmpty(), qPrintable(sent));
            for (const QString &id : st.hear)
                QVERIFY2(AgentCluster::waitFor(
                             [&] { return lab.arrivals(id).size() >= std::size_t(count); }, 20000),
                         qPrintable(s("node %1 heard %2 of %3 datagrams from node %4")
                                        .arg(id)
                                        .arg(lab.arrivals(id).size())
                                        .arg(count)
                                        .arg(st.sender)));
            // A datagram forwarded to the other network would have arrived within a millisecond
            // of the sender's own network's copy; half a second more is generous.
            QThread::msleep(500);
            lab.stopReceivers();
            for (const QString &id : st.hear) {
                const auto got = lab.arrivals(id);
                const Delivery d = analyse(got, count, std::nullopt, got.back().tMs);
                QVERIFY2(d.received == count && d.unique == count && d.duplicates == 0 &&
                             d.foreign == 0,
                         qPrintable(s("node %1: ").arg(id) + d.text()));
                for (const Arrival &a : got) {
                    QCOMPARE(a.source, st.senderAddress); // RFC 5952 text
                    QCOMPARE(a.iface, s("eth0"));
                }
            }
            for (const QString &id : st.deaf)
                QVERIFY2(lab.arrivals(id).empty(),
                         qPrintable(s("node %1, across the router, heard %2 IPv6 multicast "
                                      "datagrams from node %3: the router routes multicast")
                                        .arg(id)
                                        .arg(lab.arrivals(id).size())
                                        .arg(st.sender)));
        }
    }

    // As root, the dual-stack Fig. 5 built for real: each interface holds both addresses at
    // once (neither tentative), and unicast crosses the router in both families.
    void dualStackLabRoutesBothFamilies()
    {
        if (const QString why = NetnsCluster::whyUnavailable(); !why.isEmpty())
            QSKIP(qPrintable(why));
        if (const QString why = NetnsCluster::whyNoIpv6(); !why.isEmpty())
            QSKIP(qPrintable(why));
        const QString ping = QStandardPaths::findExecutable(s("ping"));
        QVERIFY2(!ping.isEmpty(), "no ping (iputils-ping, which ./dmr installs)");
        NetnsCluster lab(s("ds%1").arg(::getpid() % 100000),
                         s(DMR_RESOURCES) + s("/topologies/fig5-dual.json"), QString(),
                         s(DMR_MCAST_PATH), 47400);
        const QString built = lab.build();
        QVERIFY2(built.isEmpty(), qPrintable(built));
        QString addrs;
        QVERIFY(NetnsCluster::runIn(lab.netnsOf(s("4")),
                                    {s("ip"), s("-o"), s("addr"), s("show"), s("dev"), s("eth0")},
                                    &addrs)
                    .isEmpty());
        QVERIFY2(addrs.contains(s("inet 10.0.2.4/24")), qPrintable(addrs));
        QVERIFY2(addrs.contains(s("inet6 fd00:2::4/64")), qPrintable(addrs));
        QVERIFY2(!addrs.contains(s("tentative")), qPrintable(addrs));
        for (const QString &target : {s("10.0.2.5"), s("fd00:2::5")}) {
            QString out;
            QVERIFY2(AgentCluster::waitFor(
                         [&] {
                             return NetnsCluster::runIn(
                                        lab.netnsOf(s("3")),
                                        {ping, s("-c"), s("1"), s("-W"), s("2"), target}, &out)
                                 .isEmpty();
                         },
                         30000),
                     qPrintable(target + s(": ") + out));
        }
    }

    void analysis_data()
    {
        QTest::addColumn<QString>("arrivals"); // "seq@ms ..."
        QTest::addColumn<double>("eventMs");   // < 0: none
        QTest::addColumn<double>("endMs");
        QTest::addColumn<QString>("expected");
        QTest::newRow("every one once")
            << s("1@0 2@2 3@4 4@6") << -1.0 << 7.0
            << s("received 4, lost 0, duplicates 0, longest gap 2.0 ms");
        QTest::newRow("a duplicate and a loss")
            << s("1@0 2@2 2@2.5 4@6") << -1.0 << 7.0
            << s("received 4, lost 1, duplicates 1, longest gap 3.5 ms");
        QTest::newRow("outage around the event")
            << s("1@0 2@2 3@200 4@202") << 1.0 << 203.0
            << s("received 4, lost 0, duplicates 0, outage 198.0 ms");
        QTest::newRow("never recovered")
            << s("1@0 2@2") << 3.0 << 1000.0
            << s("received 2, lost 2, duplicates 0, no datagram for the last 998.0 ms (not "
                 "recovered)");
        QTest::newRow("heard what was in flight, then nothing")
            << s("1@0 2@2 3@3.5") << 3.0 << 1000.0
            << s("received 3, lost 1, duplicates 0, no datagram for the last 996.5 ms (not "
                 "recovered)");
    }

    void analysis()
    {
        QFETCH(double, endMs);
        QFETCH(QString, arrivals);
        QFETCH(double, eventMs);
        QFETCH(QString, expected);
        std::vector<Arrival> in;
        for (const auto &a : arrivals.split(QLatin1Char(' ')))
            in.push_back({a.section(QLatin1Char('@'), 0, 0).toLong(),
                          a.section(QLatin1Char('@'), 1, 1).toDouble(), s("eth0"), QString()});
        const Delivery d =
            analyse(in, 4, eventMs < 0 ? std::nullopt : std::optional(eventMs), endMs);
        QCOMPARE(d.text(), expected);
    }
};

QTEST_GUILESS_MAIN(TestNetnsLab)
#include "tst_netns_lab.moc"
