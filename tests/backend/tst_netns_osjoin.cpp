// The os-mode relay's own joins, its MLD querier election and its IGMP/MLD reader's counters,
// in network namespaces with real dmr-agent processes (root only; skipped otherwise):
//
//   A 10.0.1.0/24 + fd00:1::/64: [1] 4      B 10.0.2.0/24: [2] 3      (router between A and B)
//   tunnel: 1 (system leader, routes A) === 2 (routes B); senders on 4, receivers on 3
//
// relay.channels is 239.1.0.0/20:5000, 4,096 groups: four times the 1,024 joins per family a
// routing point may hold. With pruning, node 1 joins on A only what B wants (plus its probe
// group), and its joins follow B's listeners as they come and go; the 4,096 groups it would
// need while B's wants are not known yet go past the cap, which get-state counts and the
// process survives. A graft (a receiver on node 3 joining, to its first datagram) is measured
// over trials and printed, not asserted.
//
// MLD queriers speak from link-local addresses: node 1 steps back for a query from a lower
// link-local address than its own, and not for a higher one (a query from fe80::1 is lower
// than any link-local address the kernel makes, but higher than the network's fd00:1::1).
// A forged IGMP packet sent on A is counted malformed in node 1's get-state and /metrics.

#include "in_namespace.h"
#include "netns_cluster.h"

#include "dmr/igmp.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 60000;
constexpr int kPort = 5000;
constexpr int kMetricsPort = 9409; // in each node's own namespace

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

const char *kTopology = R"({
  "name": "osj",
  "description": "two networks and a router; A dual-stack",
  "nodes": [
    {"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"},
                               {"name": "eth0", "address": "fd00:1::1/64"}]},
    {"id": "2", "interfaces": [{"name": "eth0", "address": "10.0.2.2/24"}]},
    {"id": "3", "interfaces": [{"name": "eth0", "address": "10.0.2.3/24"}]},
    {"id": "4", "interfaces": [{"name": "eth0", "address": "10.0.1.4/24"},
                               {"name": "eth0", "address": "fd00:1::4/64"}]}
  ],
  "join_order": ["1", "2", "3", "4"]
})";

QJsonObject objectIn(const QJsonArray &array, const QString &key, const QString &value)
{
    for (const auto &v : array)
        if (v.toObject()[key].toString() == value)
            return v.toObject();
    return {};
}

} // namespace

class TestNetnsOsJoin : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<NetnsCluster> lab_;
    QString skip_;

    AgentCluster &c() { return lab_->agents(); }
    QJsonObject relay(const QString &id) { return c().state(id)[s("relay")].toObject(); }
    // Node 1's joins: get-state's relay joins and its segment on A.
    int joinsOnA()
    {
        const auto seg =
            objectIn(relay(s("1"))[s("segments")].toArray(), s("network"), s("10.0.1.0/24"));
        return seg.contains(s("joined")) ? seg[s("joined")].toInt() : -1;
    }
    // The IPv4 groups joined on node 1's eth0, as its kernel says (/proc/net/igmp).
    QStringList kernelGroupsOnA()
    {
        QString out;
        NetnsCluster::runIn(lab_->netnsOf(s("1")), {s("cat"), s("/proc/net/igmp")}, &out);
        QStringList groups;
        bool eth0 = false;
        for (const QString &line : out.split(QLatin1Char('\n'))) {
            if (!line.startsWith(QLatin1Char('\t')) && !line.startsWith(QLatin1Char(' '))) {
                eth0 = line.contains(s("eth0"));
                continue;
            }
            const QStringList w = line.split(QRegularExpression(s("\\s+")), Qt::SkipEmptyParts);
            bool ok = false;
            const quint32 hex = w.value(0).toUInt(&ok, 16);
            if (eth0 && ok) { // the address's bytes in memory, printed as a native number
                const quint32 v = ntohl(hex);
                groups << QStringLiteral("%1.%2.%3.%4")
                              .arg(v >> 24)
                              .arg((v >> 16) & 0xff)
                              .arg((v >> 8) & 0xff)
                              .arg(v & 0xff);
            }
        }
        groups.sort();
        return groups;
    }
    std::unique_ptr<QProcess> receive(const QString &id, const QString &group)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::SeparateChannels);
        p->start(s("ip"), {s("netns"), s("exec"), lab_->netnsOf(id), s(DMR_MCAST_PATH), s("recv"),
                           s("--group"), group, s("--port"), QString::number(kPort), s("--iface"),
                           s("eth0")});
        p->waitForStarted(10000);
        return p;
    }
    // The t_ms of the receiver's first line holding `what`; -1 on timeout.
    static double lineTime(QProcess &p, const char *what, int timeoutMs)
    {
        double t = -1;
        AgentCluster::waitFor(
            [&] {
                p.waitForReadyRead(20);
                while (p.canReadLine()) {
                    const QByteArray line = p.readLine();
                    if (line.contains(what)) {
                        t = QJsonDocument::fromJson(line).object()[s("t_ms")].toDouble(-1);
                        return true;
                    }
                }
                return false;
            },
            timeoutMs);
        return t;
    }
    static void stop(QProcess &p)
    {
        p.terminate();
        if (!p.waitForFinished(10000))
            p.kill();
    }
    // GET /metrics from an agent in its namespace.
    QByteArray metrics(const QString &id)
    {
        const int fd = AgentCluster::socketInNetns(lab_->netnsOf(id), SOCK_STREAM);
        if (fd < 0)
            return {};
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(kMetricsPort);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QByteArray out;
        const QByteArray get = "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n";
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) == 0 &&
            ::send(fd, get.constData(), static_cast<std::size_t>(get.size()), 0) == get.size()) {
            char buf[16384];
            for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0 && out.size() < (8 << 20);)
                out.append(buf, static_cast<int>(n));
        }
        ::close(fd);
        return out;
    }

private slots:
    void initTestCase()
    {
        skip_ = NetnsCluster::whyUnavailable();
        if (!skip_.isEmpty())
            QSKIP(qPrintable(skip_));
        QString noRelay;
        const QStringList relayArgs =
            NetnsCluster::relayArgs(s(DMR_AGENT_PATH), &noRelay) +
            QStringList{s("--relay.channels"), s("239.1.0.0/20:5000"),
                        // Tables complete 1 s after a query; queries every 2 s, so that a
                        // querier that steps back is seen to stop within seconds.
                        s("--relay.query_response_ms"), s("1000"), s("--relay.query_interval_ms"),
                        s("2000"), s("--metrics.listen"),
                        QStringLiteral("127.0.0.1:%1").arg(kMetricsPort)};
        if (!noRelay.isEmpty())
            QSKIP(qPrintable(noRelay));
        dir_ = std::make_unique<QTemporaryDir>();
        QFile topology(dir_->filePath(s("osj.json")));
        QVERIFY(topology.open(QIODevice::WriteOnly));
        topology.write(kTopology);
        topology.close();
        lab_ =
            std::make_unique<NetnsCluster>(s("osj%1").arg(::getpid() % 100000), topology.fileName(),
                                           s(DMR_AGENT_PATH), s(DMR_MCAST_PATH), 47600, relayArgs);
        const QString built = lab_->build();
        QVERIFY2(built.isEmpty(), qPrintable(built));
        const QString started = lab_->startAgents();
        QVERIFY2(started.isEmpty(), qPrintable(started));
        QVERIFY2(AgentCluster::waitFor([&] { return c().relayTunnelsUp(s("1"), 1); }, kDeadlineMs),
                 "node 1 has no tunnel to node 2");
        QString notYet;
        QVERIFY2(AgentCluster::waitFor([&] { return c().relayPruning(c().ids(), &notYet); },
                                       kDeadlineMs),
                 qPrintable(notYet));
    }

    void cleanupTestCase() { lab_.reset(); }

    // The routing point of A joins what B wants, and nothing else of the 4,096 groups.
    void joinsFollowWants()
    {
        const QStringList groups = {s("239.1.0.5"), s("239.1.7.77"), s("239.1.15.200")};
        // Nobody on B listens: the probe group alone.
        QVERIFY2(AgentCluster::waitFor([&] { return joinsOnA() == 1; }, kDeadlineMs),
                 qPrintable(s("node 1 holds %1 joins on A with nobody listening").arg(joinsOnA())));
        QVERIFY(!kernelGroupsOnA().contains(groups[0]));
        // While B's wants were not known (the tunnel's first moments) it wanted every group:
        // past the cap, counted, not fatal.
        const QJsonObject joins = relay(s("1"))[s("joins")].toObject();
        QVERIFY2(joins[s("over_cap_total")].toInt() >= 1,
                 qPrintable(QJsonDocument(joins).toJson(QJsonDocument::Compact)));
        QCOMPARE(joins[s("beyond_cap")].toInt(), 0);
        QCOMPARE(joins[s("max_per_family")].toInt(), 1024);

        std::vector<std::unique_ptr<QProcess>> receivers;
        for (const QString &g : groups)
            receivers.push_back(receive(s("3"), g));
        QVERIFY2(AgentCluster::waitFor([&] { return joinsOnA() == 4; }, kDeadlineMs),
                 qPrintable(s("node 1 holds %1 joins on A for 3 wanted groups").arg(joinsOnA())));
        QStringList kernel = kernelGroupsOnA();
        for (const QString &g : groups)
            QVERIFY2(kernel.contains(g), qPrintable(g + s(" not joined: ") + kernel.join(' ')));
        qInfo("joins on node 1's eth0 with 3 of 4,096 groups wanted: %d by the relay (get-state), "
              "%lld IPv4 groups in the kernel's table: %s",
              joinsOnA(), static_cast<long long>(kernel.size()), qPrintable(kernel.join(' ')));
        QVERIFY(kernel.size() <= 6); // the 4 and the kernel's own (224.0.0.1), nothing else

        // One leaves: its join goes.
        stop(*receivers[1]);
        QVERIFY2(AgentCluster::waitFor([&] { return joinsOnA() == 3; }, kDeadlineMs),
                 qPrintable(s("node 1 holds %1 joins on A after a leave").arg(joinsOnA())));
        QVERIFY(
            AgentCluster::waitFor([&] { return !kernelGroupsOnA().contains(groups[1]); }, 5000));
        for (auto &r : receivers)
            stop(*r);
        QVERIFY(AgentCluster::waitFor([&] { return joinsOnA() == 1; }, kDeadlineMs));
    }

    // A receiver's first datagram after its join, over trials (printed, not asserted).
    void graftLatency()
    {
        const QString group = s("239.1.9.9");
        const QString sent = lab_->startSender(s("4"), group, kPort, 1000, 10'000'000);
        QVERIFY2(sent.isEmpty(), qPrintable(sent));
        std::vector<double> ms;
        for (int trial = 0; trial < 12; ++trial) {
            QVERIFY(AgentCluster::waitFor([&] { return joinsOnA() == 1; }, kDeadlineMs));
            auto p = receive(s("3"), group);
            const double joined = lineTime(*p, "\"joined\"", 20000);
            const double first = lineTime(*p, "\"seq\"", 20000);
            QVERIFY2(joined > 0 && first > 0, "the receiver on B got nothing");
            ms.push_back(first - joined);
            stop(*p);
        }
        lab_->stopSender();
        std::sort(ms.begin(), ms.end());
        QString all;
        for (double v : ms)
            all += QString::number(v, 'f', 1) + s(" ");
        qInfo("graft, os mode (join on B to the first datagram, 1,000 datagrams/s on A), %zu "
              "trials: min %.1f ms, median %.1f ms, max %.1f ms (%s)",
              ms.size(), ms.front(), ms[ms.size() / 2], ms.back(), qPrintable(all.trimmed()));
    }

    // MLD: the election compares link-local addresses.
    void mldQuerierElection()
    {
        const QString v6 = s("fd00:1::/64");
        auto table = [&] {
            return objectIn(relay(s("1"))[s("listeners")].toArray(), s("network"), v6);
        };
        // Node 1's own address there is its link-local one, and it is the querier.
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         const auto t = table();
                         return t[s("own_address")].toString().startsWith(s("fe80:")) &&
                                t[s("querier")].toString() == t[s("own_address")].toString();
                     },
                     kDeadlineMs),
                 qPrintable(QJsonDocument(table()).toJson(QJsonDocument::Compact)));
        const QString own = table()[s("own_address")].toString();

        // Queries from node 4's namespace, from a chosen link-local address.
        const QString ns4 = lab_->netnsOf(s("4"));
        for (const char *a : {"fe80::1", "fe80::ffff:ffff:ffff:fffe"})
            QVERIFY(NetnsCluster::runIn(ns4, {s("ip"), s("addr"), s("add"), s(a) + s("/64"),
                                              s("dev"), s("eth0"), s("nodad")})
                        .isEmpty());
        auto query = [&](const char *from) {
            int fd = -1;
            unsigned ifindex = 0;
            {
                InNamespace in(ns4);
                if (!in.ok())
                    return false;
                fd = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
                ifindex = ::if_nametoindex("eth0");
            }
            if (fd < 0)
                return false;
            const std::uint8_t hopByHop[8] = {0, 0, 5, 2, 0, 0, 1, 0}; // router alert (MLD)
            const int one = 1;
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_HOPOPTS, hopByHop, sizeof hopByHop);
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &one, sizeof one);
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex);
            sockaddr_in6 at{};
            at.sin6_family = AF_INET6;
            ::inet_pton(AF_INET6, from, &at.sin6_addr);
            at.sin6_scope_id = ifindex;
            sockaddr_in6 to{};
            to.sin6_family = AF_INET6;
            ::inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
            to.sin6_scope_id = ifindex;
            dmr::igmp::QueryParams q;
            q.maxResponseMs = 1000;
            q.robustness = 2;
            q.queryIntervalS = 2;
            const auto msg = dmr::igmp::encodeMldv2Query(q, *dmr::IpAddress::parse(from),
                                                         *dmr::IpAddress::parse("ff02::1"));
            const bool ok =
                ::bind(fd, reinterpret_cast<sockaddr *>(&at), sizeof at) == 0 &&
                ::sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr *>(&to),
                         sizeof to) == static_cast<ssize_t>(msg.size());
            ::close(fd);
            return ok;
        };
        auto sent = [&] { return table()[s("reader")].toObject()[s("queries_sent")].toInt(); };

        // A higher one: node 1 stays the querier, and goes on querying.
        const int before = sent();
        for (int i = 0; i < 6; ++i) {
            QVERIFY2(query("fe80::ffff:ffff:ffff:fffe"), std::strerror(errno));
            QTest::qWait(500);
        }
        QCOMPARE(table()[s("querier")].toString(), own);
        QVERIFY2(sent() > before, "node 1 stopped querying after a higher querier's query");

        // A lower one: it steps back, and stops querying while that one goes on.
        QVERIFY(query("fe80::1"));
        QVERIFY2(AgentCluster::waitFor(
                     [&] { return table()[s("querier")].toString() == s("fe80::1"); }, 10000),
                 qPrintable(QJsonDocument(table()).toJson(QJsonDocument::Compact)));
        const int stepped = sent();
        for (int i = 0; i < 8; ++i) {
            QVERIFY(query("fe80::1"));
            QTest::qWait(500);
        }
        QCOMPARE(table()[s("querier")].toString(), s("fe80::1"));
        QVERIFY2(sent() <= stepped + 1,
                 qPrintable(s("node 1 sent %1 queries after stepping back").arg(sent() - stepped)));
    }

    // A forged IGMP packet on A: counted malformed by node 1's reader, in get-state and /metrics.
    void malformedCounted()
    {
        auto reader = [&] {
            return objectIn(relay(s("1"))[s("listeners")].toArray(), s("network"),
                            s("10.0.1.0/24"))[s("reader")]
                .toObject();
        };
        const int before = reader()[s("malformed")].toInt(-1);
        QVERIFY2(before >= 0, qPrintable(QJsonDocument(reader()).toJson(QJsonDocument::Compact)));
        int fd = -1;
        {
            InNamespace in(lab_->netnsOf(s("4")));
            QVERIFY(in.ok());
            fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
        }
        QVERIFY(fd >= 0);
        // An IGMPv3 report of 239.1.4.1 from 10.0.1.4 whose IGMP checksum is wrong.
        std::vector<std::uint8_t> report = {
            0x46, 0xc0, 0, 40, 0,    0, 0x40, 0, 1, 2, 0, 0, 10, 0, 1, 4, 224, 0, 0, 22,
            0x94, 4,    0, 0,  0x22, 0, 0,    0, 0, 0, 0, 1, 4,  0, 0, 0, 239, 1, 4, 1};
        const auto sum = dmr::igmp::internetChecksum(std::span(report).subspan(24));
        report[26] = static_cast<std::uint8_t>((sum >> 8) ^ 0xff);
        report[27] = static_cast<std::uint8_t>(sum);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(0xe0000016);
        const ip_mreqn via{{}, {htonl(0x0a000104)}, 0};
        ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &via, sizeof via);
        QVERIFY(::sendto(fd, report.data(), report.size(), 0, reinterpret_cast<sockaddr *>(&to),
                         sizeof to) == static_cast<ssize_t>(report.size()));
        ::close(fd);
        QVERIFY2(AgentCluster::waitFor(
                     [&] { return reader()[s("malformed")].toInt() == before + 1; }, 10000),
                 qPrintable(QJsonDocument(reader()).toJson(QJsonDocument::Compact)));
        QVERIFY2(reader()[s("last_error")].toString().contains(s("checksum")),
                 qPrintable(reader()[s("last_error")].toString()));
        const QByteArray text = metrics(s("1"));
        const QByteArray line = QByteArray("dmr_relay_listen_malformed_total{node=\"1\",network="
                                           "\"10.0.1.0/24\"} ") +
                                QByteArray::number(before + 1);
        QVERIFY2(text.contains(line), text.right(3000).constData());
        QVERIFY(text.contains("dmr_relay_os_joins{node=\"1\",family=\"ipv4\"}"));
        // And the reader goes on: the group of a well-formed report is heard after it.
        auto r = receive(s("4"), s("239.1.4.2"));
        QVERIFY(AgentCluster::waitFor(
            [&] { return c().relayListens(s("1"), s("10.0.1.0/24"), s("239.1.4.2")); }, 10000));
        stop(*r);
    }
};

QTEST_GUILESS_MAIN(TestNetnsOsJoin)
#include "tst_netns_osjoin.moc"
