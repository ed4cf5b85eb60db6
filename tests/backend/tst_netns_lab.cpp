// dmr-lab's namespace builder (backend/lab/netns_lab.h) without root: what it plans for Fig. 5
// (testdata/netns/fig5.commands; DMR_UPDATE_GOLDEN=1 rewrites it, review the diff), what it
// refuses, the build and the teardown through a fake command runner, and the delivery analysis
// the namespace tests report with.

#include "netns_cluster.h"
#include "netns_lab.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <map>
#include <sstream>

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
    void fig5PlanIsTheGoldenOne()
    {
        const auto plan =
            dmr::lab::planNetnsLab(load(s(DMR_RESOURCES) + s("/topologies/fig5.json")), "fig5");
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        const QString golden = s(DMR_TESTDATA) + s("/netns/fig5.commands");
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
        // No multicast routing anywhere: the router only forwards unicast.
        QVERIFY(!got.contains(s("mc_forwarding")));
        QVERIFY(!got.contains(s("smcroute")));
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
        QTest::newRow("IPv6")
            << s("x")
            << s(R"({"name":"v6","nodes":[{"id":"1","interfaces":[{"name":"eth0","address":"fd00::1/64"}]}],"join_order":["1"]})")
            << s("node 1 interface eth0: fd00::1/64: a namespace lab is IPv4 only");
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
            << s("--group \"239.1.0.300\": not an IPv4 address");
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
