// The relay in os mode, on real interfaces (root only; skipped otherwise): one network
// namespace with two veth links, two agents in it, each on one network:
//
//     namespace dmr-relay-os-PID:  v1 10.81.0.1/24 (agent 1)    v2 10.82.0.2/24 (agent 2)
//
// The tunnel between them comes up (keepalives over unicast between the two addresses), each
// hears the other's probes, and an application's datagrams sent on v1 are emitted by agent 2
// on v2 exactly once each (told apart from the originals, which this one host also hears, by
// the interface they arrive on and their source address). Tunnel datagrams from another
// address or port than agent 1 advertises are refused (wrong-source). The agents run with
// relay.threshold 2: the application's datagrams sent with TTL 2 cross, those sent with TTL 1
// (the default) stay on their network and are counted as below-threshold (the TTL as the
// kernel reports it, IP_RECVTTL).

#include "agent_cluster.h"
#include "test_names.h"

#include "dmr/relay.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QThread>
#include <QtTest>

#include <map>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 30000;

using dmr::test::s;

bool run(const QStringList &args)
{
    QProcess p;
    p.start(args.first(), args.mid(1));
    return p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QJsonObject relayOf(const AgentCluster &c, const QString &id)
{
    return c.state(id)[s("relay")].toObject();
}

bool tunnelUp(const AgentCluster &c, const QString &id)
{
    const auto t = relayOf(c, id)[s("tunnels")].toArray();
    return t.size() == 1 && t[0].toObject()[s("state")].toString() == s("up");
}

bool hears(const AgentCluster &c, const QString &listener, const QString &from)
{
    const auto r =
        c.ask(listener, {{s("type"), s("get-reachability")}}, false, 5000)[s("result")].toObject();
    for (const auto &row : r[s("rows")].toArray()) {
        if (row.toObject()[s("node")].toString() != listener)
            continue;
        for (const auto &cell : row.toObject()[s("heard")].toArray())
            if (cell.toObject()[s("from")].toString() == from)
                return cell.toObject()[s("heard")].toBool();
    }
    return false;
}

} // namespace

class TestRelayOs : public QObject
{
    Q_OBJECT

    QString ns_ = QStringLiteral("dmr-relay-os-%1").arg(QCoreApplication::applicationPid());
    std::unique_ptr<AgentCluster> cluster_;

    QStringList relayArgs(int port)
    {
        return {s("--relay.enabled"),
                s("true"),
                s("--relay.mode"),
                s("os"),
                s("--relay.channels"),
                s("239.1.0.0/28:5000-5001"),
                s("--relay.port"),
                QString::number(port),
                s("--relay.keepalive_ms"),
                s("100"),
                s("--relay.probe_interval_ms"),
                s("250"),
                s("--relay.threshold"),
                s("2")};
    }

    // Sends `count` datagrams "TAG:N" to 239.1.0.5:5000 on v1 with this multicast TTL and
    // counts, by N, what agent 2 put onto v2 (from its address there, 10.82.0.2; the originals,
    // which this one host hears too, come from 10.81.0.1), reading until `count` came or
    // waitMs passed, then until quiet.
    void sendOnV1(const QByteArray &tag, int count, int ttl, int waitMs,
                  std::map<int, int> &relayed)
    {
        const int rx = AgentCluster::socketInNetns(ns_, SOCK_DGRAM);
        const int tx = AgentCluster::socketInNetns(ns_, SOCK_DGRAM);
        QVERIFY(rx >= 0 && tx >= 0);
        const std::uint32_t group = 0xEF010005; // 239.1.0.5
        int one = 1;
        ::setsockopt(rx, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in any{};
        any.sin_family = AF_INET;
        any.sin_port = htons(5000);
        QVERIFY(::bind(rx, reinterpret_cast<sockaddr *>(&any), sizeof any) == 0);
        ip_mreq m{};
        m.imr_multiaddr.s_addr = htonl(group);
        m.imr_interface.s_addr = htonl(0x0A520002); // 10.82.0.2 (v2)
        QVERIFY(::setsockopt(rx, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) == 0);
        sockaddr_in from{};
        from.sin_family = AF_INET;
        from.sin_addr.s_addr = htonl(0x0A510001); // 10.81.0.1 (v1)
        QVERIFY(::bind(tx, reinterpret_cast<sockaddr *>(&from), sizeof from) == 0);
        QVERIFY(::setsockopt(tx, IPPROTO_IP, IP_MULTICAST_IF, &from.sin_addr,
                             sizeof from.sin_addr) == 0);
        QVERIFY(::setsockopt(tx, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) == 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(group);
        to.sin_port = htons(5000);
        for (int i = 1; i <= count; ++i) {
            const QByteArray text = tag + ":" + QByteArray::number(i);
            QVERIFY(::sendto(tx, text.data(), static_cast<std::size_t>(text.size()), 0,
                             reinterpret_cast<sockaddr *>(&to), sizeof to) == text.size());
            QThread::msleep(2);
        }
        auto readOne = [&](int timeoutMs) {
            pollfd p{rx, POLLIN, 0};
            if (::poll(&p, 1, timeoutMs) <= 0)
                return false;
            char buf[256];
            sockaddr_in src{};
            socklen_t len = sizeof src;
            const ssize_t n =
                ::recvfrom(rx, buf, sizeof buf, 0, reinterpret_cast<sockaddr *>(&src), &len);
            const QByteArray text(buf, static_cast<int>(std::max<ssize_t>(n, 0)));
            if (text.startsWith(tag + ":") && ntohl(src.sin_addr.s_addr) == 0x0A520002)
                ++relayed[text.mid(tag.size() + 1).toInt()];
            return true;
        };
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < waitMs && static_cast<int>(relayed.size()) < count)
            readOne(500);
        while (readOne(500)) { // late duplicates, if any
        }
        ::close(rx);
        ::close(tx);
    }

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to create a network namespace");
        if (!run({s("ip"), s("netns"), s("add"), ns_}))
            QSKIP("cannot create a network namespace here");
        const QStringList in{s("ip"), s("netns"), s("exec"), ns_, s("ip")};
        QVERIFY(run(in + QStringList{s("link"), s("set"), s("lo"), s("up")}));
        for (const char *pair : {"1", "2"}) {
            const QString v = s("v") + s(pair);
            QVERIFY(run(in + QStringList{s("link"), s("add"), v, s("type"), s("veth"), s("peer"),
                                         s("name"), v + s("p")}));
            QVERIFY(run(in + QStringList{s("link"), s("set"), v, s("up")}));
            QVERIFY(run(in + QStringList{s("link"), s("set"), v + s("p"), s("up")}));
        }
        QVERIFY(run(in + QStringList{s("addr"), s("add"), s("10.81.0.1/24"), s("dev"), s("v1")}));
        QVERIFY(run(in + QStringList{s("addr"), s("add"), s("10.82.0.2/24"), s("dev"), s("v2")}));

        cluster_ = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        // Two agents in one namespace: each relay takes relay.port (tunnels) and relay.port + 1
        // (its emissions onto segments), so their ports are two apart at least.
        cluster_->addNode(s("1"), {s("v1=10.81.0.1/24")}, relayArgs(7601));
        cluster_->addNode(s("2"), {s("v2=10.82.0.2/24")}, relayArgs(7611));
        cluster_->placeInNetns(s("1"), ns_, s("127.0.0.1"));
        cluster_->placeInNetns(s("2"), ns_, s("127.0.0.1"));
        QVERIFY(cluster_->startAll());
    }

    void tunnelUpAndProbesHeard()
    {
        QVERIFY2(AgentCluster::waitFor([&] { return tunnelUp(*cluster_, s("1")); }, kDeadlineMs),
                 qPrintable(QJsonDocument(relayOf(*cluster_, s("1"))).toJson()));
        QVERIFY(AgentCluster::waitFor([&] { return tunnelUp(*cluster_, s("2")); }, kDeadlineMs));
        // The tunnel runs between the interfaces' addresses, on the advertised ports.
        const auto t = relayOf(*cluster_, s("1"))[s("tunnels")].toArray()[0].toObject();
        QCOMPARE(t[s("address")].toString(), s("10.82.0.2:7611"));
        QVERIFY(
            AgentCluster::waitFor([&] { return hears(*cluster_, s("1"), s("2")); }, kDeadlineMs));
        QVERIFY(
            AgentCluster::waitFor([&] { return hears(*cluster_, s("2"), s("1")); }, kDeadlineMs));
    }

    void applicationDatagramsCrossOnce()
    {
        const int rx = AgentCluster::socketInNetns(ns_, SOCK_DGRAM);
        const int tx = AgentCluster::socketInNetns(ns_, SOCK_DGRAM);
        QVERIFY(rx >= 0 && tx >= 0);
        const std::uint32_t group = 0xEF010005; // 239.1.0.5
        int one = 1;
        ::setsockopt(rx, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in any{};
        any.sin_family = AF_INET;
        any.sin_port = htons(5000);
        QVERIFY(::bind(rx, reinterpret_cast<sockaddr *>(&any), sizeof any) == 0);
        ip_mreq m{};
        m.imr_multiaddr.s_addr = htonl(group);
        m.imr_interface.s_addr = htonl(0x0A520002); // 10.82.0.2 (v2)
        QVERIFY(::setsockopt(rx, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) == 0);
        // The relays prune: agent 2 brings the group onto v2 once it knows someone there listens.
        // This socket is on agent 2's own host, whose reports its IGMP reader never hears: the
        // kernel's membership table tells it, read every second.
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         for (const auto &n : relayOf(*cluster_, s("2"))[s("listeners")].toArray())
                             for (const auto &g : n.toObject()[s("groups")].toArray())
                                 if (n.toObject()[s("network")].toString() == s("10.82.0.0/24") &&
                                     g.toObject()[s("group")].toString() == s("239.1.0.5"))
                                     return true;
                         return false;
                     },
                     kDeadlineMs),
                 qPrintable(QJsonDocument(relayOf(*cluster_, s("2"))[s("listeners")].toArray())
                                .toJson(QJsonDocument::Compact)));
        sockaddr_in from{};
        from.sin_family = AF_INET;
        from.sin_addr.s_addr = htonl(0x0A510001); // 10.81.0.1 (v1)
        QVERIFY(::bind(tx, reinterpret_cast<sockaddr *>(&from), sizeof from) == 0);
        QVERIFY(::setsockopt(tx, IPPROTO_IP, IP_MULTICAST_IF, &from.sin_addr,
                             sizeof from.sin_addr) == 0);
        const int ttl = 2; // relay.threshold
        QVERIFY(::setsockopt(tx, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) == 0);
        constexpr int kCount = 50;
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(group);
        to.sin_port = htons(5000);
        for (int i = 1; i <= kCount; ++i) {
            const QByteArray text = "os:" + QByteArray::number(i);
            QVERIFY(::sendto(tx, text.data(), static_cast<std::size_t>(text.size()), 0,
                             reinterpret_cast<sockaddr *>(&to), sizeof to) == text.size());
            QThread::msleep(2);
        }
        // What agent 2 put onto v2 comes from its address there, 10.82.0.2; the originals (this
        // one host hears them too) from 10.81.0.1.
        std::map<int, int> relayed;
        int originals = 0; // only reported
        // Reads one datagram (false: none within timeoutMs) and counts it.
        auto readOne = [&](int timeoutMs) {
            pollfd p{rx, POLLIN, 0};
            if (::poll(&p, 1, timeoutMs) <= 0)
                return false;
            char buf[256];
            sockaddr_in src{};
            socklen_t len = sizeof src;
            const ssize_t n =
                ::recvfrom(rx, buf, sizeof buf, 0, reinterpret_cast<sockaddr *>(&src), &len);
            const QByteArray text(buf, static_cast<int>(std::max<ssize_t>(n, 0)));
            if (!text.startsWith("os:"))
                return true;
            if (ntohl(src.sin_addr.s_addr) == 0x0A520002)
                ++relayed[text.mid(3).toInt()];
            else
                ++originals;
            return true;
        };
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < kDeadlineMs && static_cast<int>(relayed.size()) < kCount)
            readOne(500);
        while (readOne(500)) { // late duplicates, if any
        }
        ::close(rx);
        ::close(tx);
        for (int i = 1; i <= kCount; ++i)
            QVERIFY2(relayed[i] == 1, qPrintable(QStringLiteral("datagram %1 relayed %2 times "
                                                                "(%3 originals heard)")
                                                     .arg(i)
                                                     .arg(relayed[i])
                                                     .arg(originals)));
        const auto channels = relayOf(*cluster_, s("2"))[s("channels")].toArray();
        QVERIFY(channels[0].toObject()[s("emitted")].toInteger() >= kCount);
    }

    void belowThresholdStaysOnItsNetwork()
    {
        const auto drops = [&] {
            return relayOf(*cluster_, s("1"))[s("drops")]
                .toObject()[s("below-threshold")]
                .toInteger(-1);
        };
        const qint64 before = drops();
        QCOMPARE(before, 0);
        constexpr int kCount = 20;
        std::map<int, int> relayed;
        sendOnV1("low", kCount, 1, 2000, relayed);
        QVERIFY2(AgentCluster::waitFor([&] { return drops() - before == kCount; }, kDeadlineMs),
                 qPrintable(QJsonDocument(relayOf(*cluster_, s("1"))).toJson()));
        QVERIFY2(relayed.empty(), "datagrams below the threshold were relayed");
        // Counted by channel range too: all on the first (the group's), none on the probe's.
        const auto channels = relayOf(*cluster_, s("1"))[s("channels")].toArray();
        QCOMPARE(channels[0].toObject()[s("below_threshold_packets")].toInteger(-1),
                 qint64(kCount));
        QCOMPARE(channels.last().toObject()[s("below_threshold_packets")].toInteger(-1), qint64(0));
        // And at the threshold they cross.
        sendOnV1("at", kCount, 2, kDeadlineMs, relayed);
        for (int i = 1; i <= kCount; ++i)
            QCOMPARE(relayed[i], 1);
        QCOMPARE(drops() - before, kCount);
    }

    void tunnelDatagramsOnlyFromThePeersAddress()
    {
        // Agent 2 takes tunnel datagrams only from what agent 1 advertises: one of its interface
        // addresses (10.81.0.1) and its relay port (7601). (Agent 1 sends from its address in
        // the plan: in this one namespace the route to 10.82.0.2 would pick 10.82.0.2 itself.)
        const qint64 before =
            relayOf(*cluster_, s("2"))[s("drops")].toObject()[s("wrong-source")].toInteger(-1);
        QCOMPARE(before, 0);
        const auto relay1 = relayOf(*cluster_, s("1"));
        dmr::relay::Header h;
        h.origin = "1";
        h.hop = "1";
        h.epoch = h.hopEpoch = static_cast<std::uint64_t>(relay1[s("epoch")].toInteger());
        h.receiverEpoch =
            static_cast<std::uint64_t>(relayOf(*cluster_, s("2"))[s("epoch")].toInteger());
        h.originNetwork = dmr::IpAddress::v4(0x0A510000);
        h.originPrefixLength = 24;
        h.group = dmr::IpAddress::v4(0xEF010005);
        h.port = 5000;
        h.sequence = h.hopSequence = 1u << 30;
        const std::string payload = "forged";
        std::vector<std::uint8_t> d(dmr::relay::kTunnelDatagramBytesMax);
        d.resize(dmr::relay::encode(
            h, std::span(reinterpret_cast<const std::uint8_t *>(payload.data()), payload.size()),
            d));
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(0x0A520002); // 10.82.0.2: agent 2
        to.sin_port = htons(7611);
        // From agent 2's own address, and from agent 1's address but another port.
        for (const std::uint32_t address : {0x0A520002u, 0x0A510001u}) {
            const int fd = AgentCluster::socketInNetns(ns_, SOCK_DGRAM);
            QVERIFY(fd >= 0);
            sockaddr_in from{};
            from.sin_family = AF_INET;
            from.sin_addr.s_addr = htonl(address);
            QVERIFY(::bind(fd, reinterpret_cast<sockaddr *>(&from), sizeof from) == 0);
            QVERIFY(::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr *>(&to),
                             sizeof to) == static_cast<ssize_t>(d.size()));
            ::close(fd);
        }
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         return relayOf(*cluster_, s("2"))[s("drops")]
                                    .toObject()[s("wrong-source")]
                                    .toInteger() == 2;
                     },
                     kDeadlineMs),
                 qPrintable(QJsonDocument(relayOf(*cluster_, s("2"))).toJson()));
        // The real tunnel is still up, and its datagrams were never refused.
        QVERIFY(tunnelUp(*cluster_, s("2")));
        const auto drops = relayOf(*cluster_, s("2"))[s("drops")].toObject();
        for (const char *reason : {"bad-mac", "replayed", "stale-epoch"})
            QCOMPARE(drops[s(reason)].toInteger(), 0);
    }

    void cleanupTestCase()
    {
        cluster_.reset();
        run({s("ip"), s("netns"), s("del"), ns_});
    }
};

QTEST_GUILESS_MAIN(TestRelayOs)
#include "tst_relay_os.moc"
