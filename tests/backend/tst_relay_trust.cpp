// Trust on the relay's tunnels, probed on real dmr-agent processes as an attacker on the same
// host would: Fig. 5's agents with the relay in loopback mode (every network a
// multicast group on 127.0.0.1, every tunnel UDP between 127.0.0.1 ports):
//
//   A 10.0.1.0/24: 1 [2] 3        [n] routing point; 2 the system leader
//   B 10.0.2.0/24: 4 5 [6]        tunnels (the star): 2 === 6 carries B
//   C 10.0.3.0/24: 1 [4]                              2 === 4 carries C
//
// Each attack sends datagrams to an agent's tunnel port, shaped as the wire format says (the
// attacker has everything but the cluster key: the ids, the epochs from get-state, the ports),
// and then a real stream goes through: every attack must be dropped and counted under its
// reason (get-state's relay drops, and /metrics), and the stream delivered exactly once on every
// network as if nothing happened.
//  - From an unrelated socket: forged data into 6 (as if from its root 2) and into 2 (as if
//    from its leaf 6): without authentication both came out on all three networks; now
//    wrong-source.
//  - From an unrelated socket: one datagram of 6's origin, with 6's real epoch and sequence
//    2^62, into 2: it used to blackhole B's stream on A and C (every later datagram "stale").
//  - Truncated and old-version (an agent from before the MAC) datagrams.
//  - With the source address and port of the real peer (a raw socket: root only; skipped
//    otherwise): forged data with the right epochs (bad-mac), the 2^62 sequence (bad-mac, and
//    the window does not move), real datagrams captured on the wire and sent again (replayed),
//    the same sent to another node (stale-epoch: made for 6's incarnation, not 4's; and with
//    4's epoch written in, bad-mac), and the same to 6 after it restarted (stale-epoch; with
//    its new epoch written in, bad-mac).
// Every wait is a condition with a generous deadline.

#include "agent_cluster.h"
#include "segment_streams.h"
#include "test_names.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QtTest>

#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 30000;
const dmr::GroupName kA = "10.0.1.0/24";
const dmr::GroupName kB = "10.0.2.0/24";
const dmr::GroupName kC = "10.0.3.0/24";
constexpr std::uint64_t kFarFuture = std::uint64_t{1} << 62;

using dmr::test::s;

const std::string kCluster = dmr::test::clusterName("relay-trust");

dmr::relay::Channel channel()
{
    return *dmr::relay::Channel::parse("239.1.2.3:5001");
}

// What a peer's end looks like from outside: get-state's relay port and epoch.
struct End
{
    std::uint16_t port = 0;
    std::uint64_t epoch = 0;
};

// A tunnel datagram as the wire format says, with a tag of zeros (the attacker has no key).
std::vector<std::uint8_t> forge(const std::string &origin, const std::string &hop,
                                std::uint64_t originEpoch, std::uint64_t sequence, const End &from,
                                const End &to, const dmr::GroupName &network,
                                std::vector<std::uint8_t> payload)
{
    dmr::relay::Header h;
    h.kind = dmr::relay::Kind::Data;
    h.origin = origin;
    h.hop = hop;
    const auto prefix = dmr::Prefix::parse(network);
    h.originNetwork = prefix->address();
    h.originPrefixLength = static_cast<std::uint8_t>(prefix->length());
    h.source = dmr::IpAddress::v4(prefix->address().v4HostOrder() + 9);
    h.sourcePort = 40000;
    h.group = channel().group;
    h.port = channel().port;
    h.epoch = originEpoch;
    h.sequence = sequence;
    h.hopEpoch = from.epoch;
    h.receiverEpoch = to.epoch;
    h.hopSequence = sequence;
    std::vector<std::uint8_t> out(dmr::relay::kTunnelDatagramBytesMax);
    out.resize(dmr::relay::encode(h, payload, out));
    return out;
}

// A plain UDP socket on an unrelated port of 127.0.0.1.
class UnrelatedSocket
{
public:
    UnrelatedSocket()
        : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0))
    {
    }
    ~UnrelatedSocket() { ::close(fd_); }
    bool sendTo(std::uint16_t port, std::span<const std::uint8_t> bytes) const
    {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(port);
        return ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr *>(&to),
                        sizeof to) == static_cast<ssize_t>(bytes.size());
    }
    // The datagrams as one run (UDP GSO: one send, the kernel cuts it at the first one's size);
    // a receiver with UDP GRO takes it in as one buffer. False when the kernel has no GSO.
    bool sendRun(std::uint16_t port, const std::vector<std::vector<std::uint8_t>> &run) const
    {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(port);
        std::vector<iovec> iov;
        for (const auto &d : run)
            iov.push_back({const_cast<std::uint8_t *>(d.data()), d.size()});
        alignas(cmsghdr) std::uint8_t control[CMSG_SPACE(sizeof(std::uint16_t))] = {};
        msghdr m{};
        m.msg_name = &to;
        m.msg_namelen = sizeof to;
        m.msg_iov = iov.data();
        m.msg_iovlen = iov.size();
        m.msg_control = control;
        m.msg_controllen = sizeof control;
        cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = 103; // UDP_SEGMENT
        c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
        const auto size = static_cast<std::uint16_t>(run.front().size());
        std::memcpy(CMSG_DATA(c), &size, sizeof size);
        return ::sendmsg(fd_, &m, 0) > 0;
    }

private:
    int fd_;
};

// Raw UDP on 127.0.0.1 (root): datagrams with any source port, and (capture) a copy of every
// UDP datagram from one port to another that arrives, to capture a tunnel's real traffic. The
// capture filters in the kernel: other tests and benchmarks on this host may flood loopback.
class RawUdp
{
public:
    explicit RawUdp(std::uint16_t captureFrom = 0, std::uint16_t captureTo = 0)
        : fd_(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP))
    {
        if (fd_ < 0)
            return;
        int big = 8 << 20;
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
        // Accept (from, to) only: X = the IP header's length; the UDP ports follow it.
        sock_filter code[] = {
            BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
            BPF_STMT(BPF_LD | BPF_H | BPF_IND, 0),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, captureFrom, 0, 3),
            BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, captureTo, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
            BPF_STMT(BPF_RET | BPF_K, 0),
        };
        sock_fprog prog{static_cast<unsigned short>(std::size(code)), code};
        ::setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
    }
    ~RawUdp()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    bool ok() const { return fd_ >= 0; }

    // The kernel writes the IP header (source 127.0.0.1); this writes the UDP one, with no
    // checksum (0: none, which IPv4 allows).
    bool sendFrom(std::uint16_t sourcePort, std::uint16_t port,
                  std::span<const std::uint8_t> bytes) const
    {
        std::vector<std::uint8_t> packet(sizeof(udphdr) + bytes.size());
        udphdr u{};
        u.source = htons(sourcePort);
        u.dest = htons(port);
        u.len = htons(static_cast<std::uint16_t>(packet.size()));
        std::memcpy(packet.data(), &u, sizeof u);
        std::memcpy(packet.data() + sizeof u, bytes.data(), bytes.size());
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return ::sendto(fd_, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr *>(&to),
                        sizeof to) == static_cast<ssize_t>(packet.size());
    }

    // The payloads of the datagrams captured since the last call (what the socket holds now).
    std::vector<std::vector<std::uint8_t>> take() const
    {
        std::vector<std::vector<std::uint8_t>> out;
        std::vector<std::uint8_t> buf(65536);
        for (;;) {
            const ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
            if (n < 0)
                return out;
            if (n < static_cast<ssize_t>(sizeof(iphdr)))
                continue;
            iphdr ip{};
            std::memcpy(&ip, buf.data(), sizeof ip);
            const std::size_t ihl = ip.ihl * 4u;
            if (static_cast<std::size_t>(n) >= ihl + sizeof(udphdr))
                out.emplace_back(buf.begin() + static_cast<std::ptrdiff_t>(ihl + sizeof(udphdr)),
                                 buf.begin() + n);
        }
    }

private:
    int fd_;
};

} // namespace

class TestRelayTrust : public QObject
{
    Q_OBJECT

    std::unique_ptr<AgentCluster> cluster_;
    SegmentStreams streams_{kCluster, {kA, kB, kC}, channel()};
    std::map<QString, End> ends_;
    int streamNumber_ = 0;

    // (A loaded machine may hold an answer back for seconds: asked again until one comes.)
    QJsonObject relayOf(const QString &id) const
    {
        QJsonObject relay;
        AgentCluster::waitFor(
            [&] {
                relay = cluster_->state(id)[s("relay")].toObject();
                return !relay.isEmpty();
            },
            kDeadlineMs);
        return relay;
    }
    qint64 drops(const QString &id, const char *reason) const
    {
        return relayOf(id)[s("drops")].toObject()[s(reason)].toInteger(-1);
    }
    bool tunnelsUp(const QString &id, int expected) const
    {
        const auto tunnels = relayOf(id)[s("tunnels")].toArray();
        if (tunnels.size() != expected)
            return false;
        for (const auto &t : tunnels)
            if (t.toObject()[s("state")].toString() != s("up"))
                return false;
        return true;
    }
    QJsonObject tunnelTo(const QString &id, const QString &peer) const
    {
        for (const auto &t : relayOf(id)[s("tunnels")].toArray())
            if (t.toObject()[s("peer")].toString() == peer)
                return t.toObject();
        return {};
    }
    // The drop counter reaches `expected` (the agent reads its socket on its own time).
    void waitForDrops(const QString &id, const char *reason, qint64 expected)
    {
        QVERIFY2(AgentCluster::waitFor([&] { return drops(id, reason) == expected; }, kDeadlineMs),
                 qPrintable(QStringLiteral("node %1: %2 drops %3, expected %4")
                                .arg(id, s(reason))
                                .arg(drops(id, reason))
                                .arg(expected)));
    }

    // A real stream from `network` after an attack: every other network gets each datagram
    // exactly once, and no network got anything tagged `forgedTag`.
    void realStreamExactlyOnce(const dmr::GroupName &network, const std::string &forgedTag)
    {
        const std::string tag = "real" + std::to_string(++streamNumber_);
        constexpr int kCount = 200;
        QVERIFY(streams_.send(network, tag, 1, kCount));
        const auto got = streams_.collect(tag, kCount, {kA, kB, kC}, kDeadlineMs);
        for (const auto &n : {kA, kB, kC}) {
            const QStringList wrong = SegmentStreams::notOnce(got.at(n), tag, kCount);
            QVERIFY2(wrong.isEmpty(),
                     qPrintable(QString::fromStdString(n) + s(": datagrams not once: ") +
                                wrong.mid(0, 20).join(s(", "))));
            QVERIFY2(got.at(n).total(forgedTag) == 0,
                     qPrintable(QString::fromStdString(n) + s(": a forged datagram came out")));
        }
    }

    QByteArray metricsOf(const QString &id) const
    {
        return AgentCluster::metricsAt(cluster_->membershipPort(id) + 50);
    }

private slots:
    void initTestCase()
    {
        cluster_ = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        cluster_->addFig5();
        for (const auto &id : cluster_->ids())
            cluster_->appendArgs(
                id, cluster_->loopbackRelayArgs(id, kCluster) +
                        QStringList{
                            s("--relay.channels"), s("239.1.0.0/16:5000-5100"),
                            s("--relay.keepalive_ms"), s("100"), s("--relay.probe_interval_ms"),
                            s("250"), s("--metrics.listen"),
                            QStringLiteral("127.0.0.1:%1").arg(cluster_->membershipPort(id) + 50)});
        std::string error;
        QVERIFY2(streams_.open(&error), error.c_str());
        QVERIFY(cluster_->startAll());
        QVERIFY2(AgentCluster::waitFor([&] { return tunnelsUp(s("2"), 2); }, kDeadlineMs),
                 qPrintable(QJsonDocument(relayOf(s("2"))).toJson()));
        QVERIFY(AgentCluster::waitFor([&] { return tunnelsUp(s("6"), 1); }, kDeadlineMs));
        QVERIFY(AgentCluster::waitFor([&] { return tunnelsUp(s("4"), 1); }, kDeadlineMs));
        for (const auto &id : {s("2"), s("4"), s("6")}) {
            const auto relay = relayOf(id);
            ends_[id] = End{static_cast<std::uint16_t>(relay[s("port")].toInteger()),
                            static_cast<std::uint64_t>(relay[s("epoch")].toInteger())};
            QVERIFY(ends_[id].port != 0 && ends_[id].epoch != 0);
        }
        // The reasons are there from the start, at 0.
        for (const char *reason :
             {"wrong-source", "bad-mac", "replayed", "stale-epoch", "truncated", "old-version"})
            QCOMPARE(drops(s("2"), reason), 0);
        // The receivers listen (relay.prune): what they said before the agents ran reached
        // nobody, so again, until every agent knows and every tunnel's peer wants the group.
        streams_.announce();
        QString why;
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         streams_.receiveAll(20);
                         return cluster_->relayListening(
                             cluster_->ids(), QString::fromStdString(channel().group.toString()),
                             &why);
                     },
                     kDeadlineMs),
                 qPrintable(why));
        realStreamExactlyOnce(kA, "none");
    }

    void forgedFromAnUnrelatedSocket()
    {
        const qint64 at6 = drops(s("6"), "wrong-source");
        const qint64 at2 = drops(s("2"), "wrong-source");
        UnrelatedSocket attacker;
        // Into 6 as its root 2 would send a datagram of A; into 2 as its leaf 6 would send one
        // of B (2 would put it onto A and forward it to 4, onto C).
        QVERIFY(attacker.sendTo(ends_[s("6")].port,
                                forge("2", "2", ends_[s("2")].epoch, 1000000, ends_[s("2")],
                                      ends_[s("6")], kA, SegmentStreams::payload("forged", 1))));
        QVERIFY(attacker.sendTo(ends_[s("2")].port,
                                forge("6", "6", ends_[s("6")].epoch, 1000000, ends_[s("6")],
                                      ends_[s("2")], kB, SegmentStreams::payload("forged", 2))));
        realStreamExactlyOnce(kA, "forged");
        realStreamExactlyOnce(kB, "forged");
        waitForDrops(s("6"), "wrong-source", at6 + 1);
        waitForDrops(s("2"), "wrong-source", at2 + 1);
        // The agent says so itself, naming the source and the node the datagram claims.
        const QString log = cluster_->logOf(s("6"));
        QVERIFY2(log.contains(QRegularExpression(
                     s("relay: refused a tunnel datagram from 127\\.0\\.0\\.1:\\d+: "
                       "wrong-source \\(it names node 2 as its sender\\)"))),
                 qPrintable(log.right(2000)));
    }

    // A run of forged datagrams in one send (UDP GSO), which 6's tunnel socket (UDP GRO) takes
    // in as one buffer: each datagram in it is checked on its own and refused, none is let
    // through with the run, and the stream goes on.
    void aForgedRunIsRefusedDatagramByDatagram()
    {
        const auto offload = relayOf(s("6"))[s("offload")].toObject();
        QVERIFY2(offload.contains(s("tunnel_gro")), "get-state's relay has no offload");
        if (!offload[s("tunnel_gro")].toObject()[s("on")].toBool())
            QSKIP("no UDP GRO on 6's tunnel socket on this kernel");
        const qint64 wrongSource = drops(s("6"), "wrong-source");
        const qint64 truncated = drops(s("6"), "truncated");
        const qint64 groBefore = offload[s("tunnel_gro_datagrams")].toInteger();
        std::vector<std::vector<std::uint8_t>> run;
        for (std::uint64_t i = 0; i < 30; ++i)
            run.push_back(forge("2", "2", ends_[s("2")].epoch, 2000000 + i, ends_[s("2")],
                                ends_[s("6")], kA, SegmentStreams::payload("forged", 10 + i)));
        // The last one shorter, cut in the middle of its header: truncated, not a datagram.
        run.push_back(std::vector<std::uint8_t>(run.front().begin(), run.front().begin() + 20));
        QVERIFY(UnrelatedSocket().sendRun(ends_[s("6")].port, run));
        waitForDrops(s("6"), "wrong-source", wrongSource + 30);
        waitForDrops(s("6"), "truncated", truncated + 1);
        QVERIFY(relayOf(s("6"))[s("offload")].toObject()[s("tunnel_gro_datagrams")].toInteger() >=
                groBefore + 31);
        realStreamExactlyOnce(kA, "forged");
    }

    void farFutureSequenceFromAnUnrelatedSocket()
    {
        // 6's origin with its real epoch and sequence 2^62, into 2: B's stream must still reach
        // A and C.
        const qint64 at2 = drops(s("2"), "wrong-source");
        UnrelatedSocket attacker;
        QVERIFY(attacker.sendTo(ends_[s("2")].port,
                                forge("6", "6", ends_[s("6")].epoch, kFarFuture, ends_[s("6")],
                                      ends_[s("2")], kB, SegmentStreams::payload("future", 1))));
        realStreamExactlyOnce(kB, "future");
        waitForDrops(s("2"), "wrong-source", at2 + 1);
    }

    void truncatedAndOldVersion()
    {
        const qint64 truncated = drops(s("6"), "truncated");
        const qint64 oldVersion = drops(s("6"), "old-version");
        const auto good = forge("2", "2", ends_[s("2")].epoch, 2000000, ends_[s("2")],
                                ends_[s("6")], kA, SegmentStreams::payload("cut", 1));
        UnrelatedSocket attacker;
        // Cut inside the fixed header, inside the ids, and so short that the tag is missing.
        for (const std::size_t bytes :
             {std::size_t{3}, dmr::relay::kFixedHeaderBytes - 1, dmr::relay::kFixedHeaderBytes + 1,
              dmr::relay::kFixedHeaderBytes + 2})
            QVERIFY(attacker.sendTo(ends_[s("6")].port, std::span(good).first(bytes)));
        // A version 1 datagram (the relay before the MAC), as long as it ever was.
        auto v1 = good;
        v1[2] = 1;
        QVERIFY(attacker.sendTo(ends_[s("6")].port, v1));
        realStreamExactlyOnce(kA, "cut");
        waitForDrops(s("6"), "truncated", truncated + 4);
        waitForDrops(s("6"), "old-version", oldVersion + 1);
    }

    void aFloodCostsAFewLogLines()
    {
        // 2,000 refused datagrams: each counted, and the log says it at most once more (one
        // line per reason per 10 s, with how many were held back).
        const auto lines = [&] {
            return cluster_->logOf(s("4")).count(QRegularExpression(s(": truncated")));
        };
        const qint64 before = drops(s("4"), "truncated");
        const int linesBefore = static_cast<int>(lines());
        UnrelatedSocket attacker;
        const std::vector<std::uint8_t> shortOne{'D', 'R', dmr::relay::kTunnelVersion, 1};
        // In rounds the agent's socket buffer holds (the kernel would drop a longer burst
        // uncounted while a loaded machine holds the agent back).
        for (int round = 1; round <= 20; ++round) {
            for (int i = 0; i < 100; ++i)
                QVERIFY(attacker.sendTo(ends_[s("4")].port, shortOne));
            waitForDrops(s("4"), "truncated", before + 100 * round);
        }
        QVERIFY2(lines() - linesBefore <= 1,
                 qPrintable(QStringLiteral("%1 more lines").arg(lines() - linesBefore)));
        QVERIFY(lines() >= 1);
        realStreamExactlyOnce(kC, "flood");
    }

    // ---- With the real peer's source address and port (root) ----------------------------------

    void forgedWithThePeersSource()
    {
        RawUdp raw;
        if (!raw.ok())
            QSKIP("a raw socket needs root (CAP_NET_RAW): the spoofed-source attacks are skipped");
        const qint64 at6 = drops(s("6"), "bad-mac");
        const qint64 at2 = drops(s("2"), "bad-mac");
        // Everything right but the tag: from 2's tunnel port into 6, and from 6's into 2.
        QVERIFY(raw.sendFrom(ends_[s("2")].port, ends_[s("6")].port,
                             forge("2", "2", ends_[s("2")].epoch, 3000000, ends_[s("2")],
                                   ends_[s("6")], kA, SegmentStreams::payload("spoofed", 1))));
        QVERIFY(raw.sendFrom(ends_[s("6")].port, ends_[s("2")].port,
                             forge("6", "6", ends_[s("6")].epoch, 3000000, ends_[s("6")],
                                   ends_[s("2")], kB, SegmentStreams::payload("spoofed", 2))));
        realStreamExactlyOnce(kA, "spoofed");
        realStreamExactlyOnce(kB, "spoofed");
        waitForDrops(s("6"), "bad-mac", at6 + 1);
        waitForDrops(s("2"), "bad-mac", at2 + 1);
    }

    void farFutureWithThePeersSource()
    {
        RawUdp raw;
        if (!raw.ok())
            QSKIP("a raw socket needs root (CAP_NET_RAW): the spoofed-source attacks are skipped");
        const qint64 at2 = drops(s("2"), "bad-mac");
        QVERIFY(raw.sendFrom(ends_[s("6")].port, ends_[s("2")].port,
                             forge("6", "6", ends_[s("6")].epoch, kFarFuture, ends_[s("6")],
                                   ends_[s("2")], kB, SegmentStreams::payload("future", 2))));
        realStreamExactlyOnce(kB, "future");
        waitForDrops(s("2"), "bad-mac", at2 + 1);
        // The window of 6's hop sequences at 2 never saw it.
        const auto highest =
            static_cast<std::uint64_t>(tunnelTo(s("2"), s("6"))[s("replay_highest")].toInteger());
        QVERIFY2(highest > 0 && highest < 1000000, qPrintable(QString::number(highest)));
    }

    void replayedAndRedirected()
    {
        RawUdp raw(ends_[s("2")].port, ends_[s("6")].port);
        if (!raw.ok())
            QSKIP("a raw socket needs root (CAP_NET_RAW): the spoofed-source attacks are skipped");
        // Capture 2's datagrams into the tunnel to 6 while a stream from A goes through.
        raw.take(); // what arrived before
        const std::string tag = "captured";
        constexpr int kCount = 100;
        QVERIFY(streams_.send(kA, tag, 1, kCount));
        const auto first = streams_.collect(tag, kCount, {kB, kC}, kDeadlineMs);
        const auto captured = raw.take();
        QVERIFY2(captured.size() >= kCount, qPrintable(QString::number(captured.size())));

        // The same bytes again, from the same source: every one is a replay, none comes out.
        const qint64 replayed = drops(s("6"), "replayed");
        for (const auto &d : captured)
            QVERIFY(raw.sendFrom(ends_[s("2")].port, ends_[s("6")].port, d));
        waitForDrops(s("6"), "replayed", replayed + static_cast<qint64>(captured.size()));

        // To another node of the same root: made for 6's incarnation, not 4's; and with 4's
        // epoch written in, the tag (under the key of 2 -> 6) does not verify.
        const qint64 stale = drops(s("4"), "stale-epoch");
        const qint64 badMac = drops(s("4"), "bad-mac");
        for (auto d : captured) {
            QVERIFY(raw.sendFrom(ends_[s("2")].port, ends_[s("4")].port, d));
            const auto decoded = dmr::relay::decode(d);
            QVERIFY(std::holds_alternative<dmr::relay::Decoded>(decoded));
            const auto &h = std::get<dmr::relay::Decoded>(decoded).header;
            dmr::relay::setHopFields(d, h.hopEpoch, ends_[s("4")].epoch, h.hopSequence);
            QVERIFY(raw.sendFrom(ends_[s("2")].port, ends_[s("4")].port, d));
        }
        waitForDrops(s("4"), "stale-epoch", stale + static_cast<qint64>(captured.size()));
        waitForDrops(s("4"), "bad-mac", badMac + static_cast<qint64>(captured.size()));

        // Nothing came out twice: B and C got the captured stream exactly once in all.
        auto after = streams_.receiveAll(500);
        for (const auto &n : {kB, kC}) {
            for (int i = 1; i <= kCount; ++i) {
                const int times = first.at(n).times(tag, i) + after[n].times(tag, i);
                QVERIFY2(times == 1, qPrintable(QStringLiteral("%1: datagram %2 x%3")
                                                    .arg(QString::fromStdString(n))
                                                    .arg(i)
                                                    .arg(times)));
            }
        }
        realStreamExactlyOnce(kA, "captured-again");
    }

    void dropsInMetrics()
    {
        const QByteArray metrics = metricsOf(s("6"));
        QVERIFY2(metrics.contains("dmr_relay_authenticated{node=\"6\"} 1"), metrics.constData());
        for (const char *reason :
             {"wrong-source", "bad-mac", "replayed", "stale-epoch", "truncated", "old-version"}) {
            const QByteArray line = QByteArray("dmr_relay_drops_total{node=\"6\",reason=\"") +
                                    reason + "\"} " + QByteArray::number(drops(s("6"), reason));
            QVERIFY2(metrics.contains(line), line.constData());
        }
        QVERIFY(drops(s("6"), "wrong-source") > 0);
        QVERIFY(drops(s("6"), "truncated") > 0);
    }

    void replayAfterTheReceiverRestarts()
    {
        // Datagrams captured before 6 restarted, sent to its new incarnation: made for the old
        // one (stale-epoch), and with the new epoch written in, under a key of the old pair of
        // epochs (bad-mac). Last here: 6 comes back last in every list, and 4 keeps B (2 roots
        // one tunnel, to 4, for B and C).
        RawUdp raw(ends_[s("2")].port, ends_[s("6")].port);
        if (!raw.ok())
            QSKIP("a raw socket needs root (CAP_NET_RAW): the spoofed-source attacks are skipped");
        raw.take();
        const std::string tag = "before-restart";
        constexpr int kCount = 50;
        QVERIFY(streams_.send(kA, tag, 1, kCount));
        streams_.collect(tag, kCount, {kB}, kDeadlineMs);
        const auto captured = raw.take();
        QVERIFY2(captured.size() >= kCount, qPrintable(QString::number(captured.size())));

        cluster_->kill9(s("6"));
        QVERIFY(cluster_->start(s("6")));
        std::uint64_t epoch = 0;
        QVERIFY(AgentCluster::waitFor(
            [&] {
                epoch = static_cast<std::uint64_t>(relayOf(s("6"))[s("epoch")].toInteger());
                return epoch != 0 && epoch != ends_[s("6")].epoch;
            },
            kDeadlineMs));
        QVERIFY(AgentCluster::waitFor(
            [&] { return cluster_->agree(cluster_->ids(), s("2")) && tunnelsUp(s("2"), 1); },
            kDeadlineMs));
        streams_.receiveAll(200);
        for (auto d : captured) {
            QVERIFY(raw.sendFrom(ends_[s("2")].port, ends_[s("6")].port, d));
            const auto decoded = dmr::relay::decode(d);
            QVERIFY(std::holds_alternative<dmr::relay::Decoded>(decoded));
            const auto &h = std::get<dmr::relay::Decoded>(decoded).header;
            dmr::relay::setHopFields(d, h.hopEpoch, epoch, h.hopSequence);
            QVERIFY(raw.sendFrom(ends_[s("2")].port, ends_[s("6")].port, d));
        }
        waitForDrops(s("6"), "stale-epoch", static_cast<qint64>(captured.size()));
        waitForDrops(s("6"), "bad-mac", static_cast<qint64>(captured.size()));
        const auto after = streams_.receiveAll(500);
        for (const auto &n : {kA, kB, kC})
            QVERIFY2(after.at(n).total(tag) == 0,
                     qPrintable(QString::fromStdString(n) + s(": a replayed datagram came out")));
        realStreamExactlyOnce(kB, "before-restart");
    }

    void cleanupTestCase() { cluster_.reset(); }
};

QTEST_GUILESS_MAIN(TestRelayTrust)
#include "tst_relay_trust.moc"
