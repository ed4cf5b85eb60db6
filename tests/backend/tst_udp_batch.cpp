// The relay's UDP batches (backend/agent/udp_batch.h) on real loopback sockets: what a batch
// sends arrives exactly, in order, whatever runs it was cut into; a kernel that refuses UDP
// segmentation costs nothing but the offload (every datagram still goes, one by one, and the
// batch says why it stopped offering runs); a receiver with UDP GRO gets a run as one buffer
// and tells its datagrams apart by the size the sender cut it at.

#include "udp_batch.h"

#include <QtTest>

#include <map>

#include <fcntl.h>

namespace {

using namespace dmr::agent;

// A bound, blocking receiver on 127.0.0.1 (a free port).
int receiver()
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    udp::setInt(fd, SOL_SOCKET, SO_RCVBUF, 8 << 20);
    const sockaddr_in at = udp::v4Addr(INADDR_LOOPBACK, 0);
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&at), sizeof at) != 0)
        qFatal("bind: %s", std::strerror(errno));
    return fd;
}

// Every datagram on fd until it is quiet for 500 ms (runs the kernel cut, one by one).
std::vector<std::vector<std::uint8_t>> drain(int fd)
{
    std::vector<std::vector<std::uint8_t>> got;
    std::vector<std::uint8_t> buf(udp::kGroBytesMax);
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 500) <= 0)
            return got;
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n >= 0)
            got.emplace_back(buf.begin(), buf.begin() + n);
    }
}

// Datagram `i` of a stream: its index in the first bytes, then a pattern, `size` in all.
std::vector<std::uint8_t> datagram(std::uint32_t i, std::size_t size)
{
    std::vector<std::uint8_t> d(size);
    for (std::size_t k = 0; k < size; ++k)
        d[k] = static_cast<std::uint8_t>((i * 31 + k) & 0xff);
    std::memcpy(d.data(), &i, sizeof i);
    return d;
}

void queue(udp::SendBatch &b, int fd, const sockaddr_in &to, const std::vector<std::uint8_t> &d,
           std::uint32_t source = 0)
{
    std::memcpy(b.slot(), d.data(), d.size());
    b.commit(fd, to, d.size(), source);
}

} // namespace

class TestUdpBatch : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!udp::kernelGso().on)
            qInfo("this kernel has no UDP GSO (%s): runs go one by one",
                  udp::kernelGso().why.c_str());
    }

    // Three receivers, datagrams to them interleaved in runs of equal sizes with a shorter last
    // one, a lone one between: each receiver gets its own, exactly, in order.
    void runsArriveExactlyAndInOrder()
    {
        const int tx = udp::udpSocket();
        std::array<int, 3> rx{receiver(), receiver(), receiver()};
        std::array<sockaddr_in, 3> to{};
        for (std::size_t r = 0; r < rx.size(); ++r)
            to[r] = udp::v4Addr(INADDR_LOOPBACK, udp::boundPort(rx[r]));
        udp::SendBatch b;
        std::map<std::size_t, std::vector<std::vector<std::uint8_t>>> sent;
        std::uint32_t n = 0;
        // (receiver, count, size): runs of 20 and 30, a shorter tail, a lone datagram, and a
        // run of small ones longer than one send may carry (more than kGsoBytesMax bytes).
        const std::vector<std::tuple<std::size_t, int, std::size_t>> plan = {
            {0, 20, 1200}, {0, 1, 700}, {1, 1, 64},  {2, 5, 1400},
            {1, 30, 100},  {1, 1, 99},  {0, 3, 1200}};
        for (const auto &[r, count, size] : plan)
            for (int k = 0; k < count; ++k) {
                if (b.count == udp::kBatch) {
                    const auto [ok, dropped] = b.flush();
                    QCOMPARE(dropped, 0u);
                    Q_UNUSED(ok);
                }
                const auto d = datagram(n++, size);
                queue(b, tx, to[r], d);
                sent[r].push_back(d);
            }
        const auto [ok, dropped] = b.flush();
        Q_UNUSED(ok);
        QCOMPARE(dropped, 0u);
        for (std::size_t r = 0; r < rx.size(); ++r) {
            const auto got = drain(rx[r]);
            QCOMPARE(got.size(), sent[r].size());
            for (std::size_t i = 0; i < got.size(); ++i)
                QVERIFY2(
                    got[i] == sent[r][i],
                    qPrintable(
                        QString::fromLatin1("receiver %1, datagram %2 differs").arg(r).arg(i)));
            ::close(rx[r]);
        }
        if (udp::kernelGso().on) {
            QVERIFY(b.gso.on);
            QVERIFY2(b.gsoSends >= 4, qPrintable(QString::number(b.gsoSends)));
            QVERIFY(b.gsoDatagrams >= 50);
            QCOMPARE(b.gsoRetries, 0u);
        }
        ::close(tx);
    }

    // A socket the kernel will not segment for (no UDP checksum: SO_NO_CHECK): the first run is
    // refused, it and the rest are sent one by one, and no run is offered again; every datagram
    // arrives.
    void aRefusedRunIsSentOneByOne()
    {
        if (!udp::kernelGso().on)
            QSKIP("this kernel has no UDP GSO: nothing to refuse");
        const int tx = udp::udpSocket();
        udp::setInt(tx, SOL_SOCKET, SO_NO_CHECK, 1);
        const int rx = receiver();
        const sockaddr_in to = udp::v4Addr(INADDR_LOOPBACK, udp::boundPort(rx));
        udp::SendBatch b;
        std::vector<std::vector<std::uint8_t>> sent;
        // Two runs: the first refusal sends both one by one; the second is not tried as a run.
        for (std::uint32_t i = 0; i < 40; ++i) {
            sent.push_back(datagram(i, i < 30 ? 500 : 300));
            queue(b, tx, to, sent.back());
        }
        const auto [ok, dropped] = b.flush();
        QCOMPARE(ok, 40u);
        QCOMPARE(dropped, 0u);
        QVERIFY(!b.gso.on);
        QVERIFY2(b.gso.why.find("UDP_SEGMENT refused") != std::string::npos, b.gso.why.c_str());
        QCOMPARE(b.gsoRetries, 1u);
        QCOMPARE(b.gsoSends, 0u);
        // The next flush does not try again.
        for (std::uint32_t i = 40; i < 60; ++i) {
            sent.push_back(datagram(i, 500));
            queue(b, tx, to, sent.back());
        }
        QCOMPARE(b.flush().first, 20u);
        QCOMPARE(b.gsoRetries, 1u);
        QCOMPARE(drain(rx), sent);
        ::close(rx);
        ::close(tx);
    }

    // A run sent from a chosen source address (IP_PKTINFO and UDP_SEGMENT in one message).
    void aRunFromAChosenSource()
    {
        const int tx = udp::udpSocket();
        const int rx = receiver();
        const sockaddr_in to = udp::v4Addr(INADDR_LOOPBACK, udp::boundPort(rx));
        udp::SendBatch b;
        std::vector<std::vector<std::uint8_t>> sent;
        for (std::uint32_t i = 0; i < 10; ++i) {
            sent.push_back(datagram(i, 300));
            queue(b, tx, to, sent.back(), 0x7f000005); // 127.0.0.5
        }
        QCOMPARE(b.flush().first, 10u);
        std::vector<std::uint8_t> buf(2048);
        for (const auto &d : sent) {
            pollfd p{rx, POLLIN, 0};
            QVERIFY(::poll(&p, 1, 5000) == 1);
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const ssize_t n = ::recvfrom(rx, buf.data(), buf.size(), 0,
                                         reinterpret_cast<sockaddr *>(&from), &len);
            QCOMPARE(std::vector<std::uint8_t>(buf.begin(), buf.begin() + n), d);
            QCOMPARE(ntohl(from.sin_addr.s_addr), 0x7f000005u);
        }
        ::close(rx);
        ::close(tx);
    }

    // The kernel filter that keeps a relay's own emissions from waking it: what comes from a
    // listed (address, port) is dropped, what comes from another port of the same address is
    // not. In both families (IPv6: the source compared as four words).
    void ownEmissionsAreDroppedInTheKernel_data()
    {
        QTest::addColumn<bool>("v6");
        QTest::newRow("IPv4") << false;
        QTest::newRow("IPv6") << true;
    }
    void ownEmissionsAreDroppedInTheKernel()
    {
        QFETCH(bool, v6);
        const int family = v6 ? AF_INET6 : AF_INET;
        const dmr::IpAddress lo =
            v6 ? *dmr::IpAddress::parse("::1") : dmr::IpAddress::v4(INADDR_LOOPBACK);
        auto bound = [&](int fd) {
            const udp::SockAddr at(lo, 0);
            if (fd < 0 || ::bind(fd, &at.sa, at.size()) != 0)
                return false;
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            return true;
        };
        const int rx = udp::udpSocket(family);
        const int own = udp::udpSocket(family);
        const int other = udp::udpSocket(family);
        if (!bound(rx) || !bound(own) || !bound(other))
            QSKIP(v6 ? "no IPv6 on loopback (::1)" : "cannot bind 127.0.0.1");
        // Another address's entry with the same port must not match (the words are compared).
        const dmr::IpAddress elsewhere =
            v6 ? *dmr::IpAddress::parse("::2") : dmr::IpAddress::v4(0x7f000002);
        QVERIFY(v6 ? udp::dropOwnEmissions6(
                         rx, {{elsewhere, udp::boundPort(other)}, {lo, udp::boundPort(own)}})
                   : udp::dropOwnEmissions(rx, {{elsewhere.v4HostOrder(), udp::boundPort(other)},
                                                {lo.v4HostOrder(), udp::boundPort(own)}}));
        const udp::SockAddr to(lo, udp::boundPort(rx));
        for (int i = 0; i < 5; ++i) {
            QVERIFY(::sendto(own, "own", 3, 0, &to.sa, to.size()) == 3);
            QVERIFY(::sendto(other, "app", 3, 0, &to.sa, to.size()) == 3);
        }
        const auto got = drain(rx);
        QCOMPARE(got.size(), std::size_t{5});
        for (const auto &d : got)
            QCOMPARE(std::string(d.begin(), d.end()), std::string("app"));
        for (int fd : {rx, own, other})
            ::close(fd);
    }

    // The relay's os-mode tunnel socket: IPv6 that takes IPv4 too (v4-mapped), with the source
    // chosen per datagram in either family.
    void aDualStackSocketSendsFromAChosenSource()
    {
        const int tx = udp::udpSocket(AF_INET6);
        udp::setInt(tx, IPPROTO_IPV6, IPV6_V6ONLY, 0);
        const udp::SockAddr any(dmr::IpAddress::v6({}), 0);
        if (tx < 0 || ::bind(tx, &any.sa, any.size()) != 0)
            QSKIP("no IPv6 socket here");
        const int rx4 = receiver();
        udp::SendBatch b;
        const auto d = datagram(1, 200);
        std::memcpy(b.slot(), d.data(), d.size());
        const udp::SockAddr to4(dmr::IpAddress::v4(INADDR_LOOPBACK).v4Mapped(),
                                udp::boundPort(rx4));
        b.commit(tx, to4, d.size(), dmr::IpAddress::v4(0x7f000007).v4Mapped()); // 127.0.0.7
        QCOMPARE(b.flush().first, 1u);
        std::vector<std::uint8_t> buf(2048);
        pollfd p{rx4, POLLIN, 0};
        QVERIFY(::poll(&p, 1, 5000) == 1);
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const ssize_t n =
            ::recvfrom(rx4, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr *>(&from), &len);
        QCOMPARE(std::vector<std::uint8_t>(buf.begin(), buf.begin() + n), d);
        QCOMPARE(ntohl(from.sin_addr.s_addr), 0x7f000007u);
        ::close(rx4);
        ::close(tx);
    }

    // UDP GRO: a run arrives as one buffer; segmentSize says where to cut it. A datagram that
    // came alone says 0.
    void aReceiverWithGroGetsARunWhole()
    {
        if (!udp::kernelGso().on || !udp::kernelGro().on)
            QSKIP("this kernel lacks UDP GSO or GRO");
        const int tx = udp::udpSocket();
        const int rx = receiver();
        const int one = 1;
        QCOMPARE(::setsockopt(rx, SOL_UDP, UDP_GRO, &one, sizeof one), 0);
        const sockaddr_in to = udp::v4Addr(INADDR_LOOPBACK, udp::boundPort(rx));
        udp::SendBatch b;
        std::vector<std::uint8_t> all;
        for (std::uint32_t i = 0; i < 30; ++i) {
            const auto d = datagram(i, i == 29 ? 333 : 1000);
            queue(b, tx, to, d);
            all.insert(all.end(), d.begin(), d.end());
        }
        const auto lone = datagram(99, 64);
        queue(b, tx, to, lone);
        QCOMPARE(b.flush().first, 31u);
        udp::RecvBatch in(udp::kGroBytesMax);
        std::vector<std::uint8_t> got;
        std::vector<std::size_t> sizes;
        std::vector<std::size_t> cuts;
        QVERIFY(readable(rx));
        for (int tries = 0; tries < 50 && sizes.size() < 2; ++tries) {
            const int n = in.receive(rx);
            for (int i = 0; i < n; ++i) {
                const auto k = static_cast<std::size_t>(i);
                QVERIFY(!in.truncated(k));
                sizes.push_back(in.bytes(k).size());
                cuts.push_back(in.segmentSize(k));
                const auto bytes = in.bytes(k);
                got.insert(got.end(), bytes.begin(), bytes.end());
            }
            if (n <= 0)
                readable(rx);
        }
        QCOMPARE(sizes, (std::vector<std::size_t>{all.size(), lone.size()}));
        QCOMPARE(cuts, (std::vector<std::size_t>{1000, 0}));
        all.insert(all.end(), lone.begin(), lone.end());
        QCOMPARE(got, all);
        ::close(rx);
        ::close(tx);
    }

private:
    static bool readable(int fd)
    {
        pollfd p{fd, POLLIN, 0};
        return ::poll(&p, 1, 5000) == 1;
    }
};

QTEST_GUILESS_MAIN(TestUdpBatch)
#include "tst_udp_batch.moc"
