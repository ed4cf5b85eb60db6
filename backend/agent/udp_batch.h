#pragma once
// UDP helpers shared by the segment I/O and the tunnel socket: recvmmsg/sendmmsg batches with
// fixed buffers (no allocation per datagram), non-blocking IPv4 and IPv6 sockets, and a watcher
// that calls back when a socket is readable on the agent's io_context.

#include "asio.h"

#include "dmr/relay.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dmr::agent::udp {

inline constexpr std::size_t kBatch = 64;
inline constexpr std::size_t kSlotBytes =
    relay::kTunnelDatagramBytesMax + relay::kSegmentHeaderBytes + 64;

// UDP segmentation offload (Linux 4.18): one send of up to kGsoSegmentsMax datagrams of one size
// to one destination, cut by the kernel as late as it can (on loopback and veth: at the receiving
// socket; on a NIC with USO: in hardware). One trip through the stack instead of one each.
// UDP receive offload (Linux 5.0): such a run arrives as one buffer (a socket with UDP_GRO on,
// the cut size in a control message), up to kGroBytesMax.
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
inline constexpr std::size_t kGsoSegmentsMax = 64; // UDP_MAX_SEGMENTS before Linux 6.1
inline constexpr std::size_t kGsoBytesMax = 65000; // under IP's 65,535 with every header
inline constexpr std::size_t kGroBytesMax = 65536;

// Whether the kernel takes an offload option on a UDP socket, and why not when it does not.
struct Offload
{
    bool on = false;
    std::string why; // when off: the reason (a configuration key, or the kernel's answer)
};

inline Offload probeOffload(int level, int name, const char *what)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return {false, std::string(what) + ": " + std::strerror(errno)};
    const int value = name == UDP_SEGMENT ? 1200 : 1;
    const bool ok = ::setsockopt(fd, level, name, &value, sizeof value) == 0;
    const std::string e = ok ? std::string() : std::string(what) + ": " + std::strerror(errno);
    ::close(fd);
    return {ok, e};
}

// Asked once per process: the kernel does not change under it.
inline const Offload &kernelGso()
{
    static const Offload o = probeOffload(SOL_UDP, UDP_SEGMENT, "UDP_SEGMENT");
    return o;
}
inline const Offload &kernelGro()
{
    static const Offload o = probeOffload(SOL_UDP, UDP_GRO, "UDP_GRO");
    return o;
}

inline std::string sysError(const std::string &what)
{
    return what + ": " + std::strerror(errno);
}

inline sockaddr_in v4Addr(std::uint32_t hostOrder, std::uint16_t port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(hostOrder);
    a.sin_port = htons(port);
    return a;
}

// An IPv4 or an IPv6 socket address, as the kernel takes and gives them.
union SockAddr {
    sockaddr sa;
    sockaddr_in v4;
    sockaddr_in6 v6;

    SockAddr()
        : v6{}
    {
    }
    SockAddr(const sockaddr_in &a)
        : v6{}
    {
        v4 = a;
    }
    SockAddr(const sockaddr_in6 &a)
        : v6(a)
    {
    }
    SockAddr(const IpAddress &address, std::uint16_t port)
        : v6{}
    {
        if (address.family() == Family::V4) {
            v4 = v4Addr(address.v4HostOrder(), port);
        } else {
            v6.sin6_family = AF_INET6;
            std::memcpy(&v6.sin6_addr, address.bytes().data(), 16);
            v6.sin6_port = htons(port);
        }
    }
    bool isV6() const { return sa.sa_family == AF_INET6; }
    socklen_t size() const { return isV6() ? sizeof v6 : sizeof v4; }
    IpAddress address() const
    {
        if (!isV6())
            return IpAddress::v4(ntohl(v4.sin_addr.s_addr));
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), &v6.sin6_addr, 16);
        return IpAddress::v6(b);
    }
    std::uint16_t port() const { return ntohs(isV6() ? v6.sin6_port : v4.sin_port); }
    bool operator==(const SockAddr &o) const
    {
        if (sa.sa_family != o.sa.sa_family)
            return false;
        if (!isV6())
            return v4.sin_addr.s_addr == o.v4.sin_addr.s_addr && v4.sin_port == o.v4.sin_port;
        return std::memcmp(&v6.sin6_addr, &o.v6.sin6_addr, 16) == 0 &&
               v6.sin6_port == o.v6.sin6_port && v6.sin6_scope_id == o.v6.sin6_scope_id;
    }
};

// "10.0.1.2:7600", "[fd00:1::2]:7600"; an IPv4-mapped address (an IPv6 socket's IPv4 peer) as
// the IPv4 one.
inline std::string hostPortText(const SockAddr &a)
{
    return relay::hostPort(a.address().unmapped(), a.port());
}

inline int udpSocket(int family = AF_INET)
{
    return ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

inline void setInt(int fd, int level, int name, int value)
{
    ::setsockopt(fd, level, name, &value, sizeof value);
}

namespace detail {
// The end of one entry of an own-emissions filter, after its address matched:
// if (udp.source == port) return 0 (drop); else on to the next entry.
inline void dropIfSourcePort(std::vector<sock_filter> &code, std::uint16_t port)
{
    code.push_back(BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0));
    code.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1));
    code.push_back(BPF_STMT(BPF_RET | BPF_K, 0));
}
// Keeps whatever no entry dropped, and attaches the filter to the socket.
inline bool attachFilter(int fd, std::vector<sock_filter> code)
{
    code.push_back(BPF_STMT(BPF_RET | BPF_K, 0xffffffffu));
    sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
    return ::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0;
}
} // namespace detail

// Drops, in the kernel, datagrams from any of `own` (address, port; host order) on a UDP
// socket: a relay's own emissions come back to it on a segment it also listens to, and waking
// up for them would cost as much as the datagrams it serves. Classic BPF: at offset 0 the UDP
// header (the source port), the IP header at SKF_NET_OFF.
inline bool dropOwnEmissions(int fd,
                             const std::vector<std::pair<std::uint32_t, std::uint16_t>> &own)
{
    std::vector<sock_filter> code;
    for (const auto &[address, port] : own) {
        // if (ip.saddr == address && udp.source == port) return 0;
        code.push_back(
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<std::uint32_t>(SKF_NET_OFF + 12)));
        code.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, address, 0, 3));
        detail::dropIfSourcePort(code, port);
    }
    return detail::attachFilter(fd, std::move(code));
}

// The same on an IPv6 socket: the source address is the IPv6 header's bytes 8-23, compared
// as four words.
inline bool dropOwnEmissions6(int fd, const std::vector<std::pair<IpAddress, std::uint16_t>> &own)
{
    std::vector<sock_filter> code;
    for (const auto &[address, port] : own) {
        if (address.family() != Family::V6)
            continue;
        const auto &b = address.bytes();
        for (std::uint32_t w = 0; w < 4; ++w) {
            const std::uint32_t word = std::uint32_t{b[4 * w]} << 24 |
                                       std::uint32_t{b[4 * w + 1]} << 16 |
                                       std::uint32_t{b[4 * w + 2]} << 8 | b[4 * w + 3];
            code.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                    static_cast<std::uint32_t>(SKF_NET_OFF + 8 + 4 * w)));
            // Not this word: on to the next address (the rest of this one's 11 instructions).
            code.push_back(
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, word, 0, static_cast<std::uint8_t>(9 - 2 * w)));
        }
        detail::dropIfSourcePort(code, port);
    }
    return detail::attachFilter(fd, std::move(code));
}

inline std::uint16_t boundPort(int fd)
{
    SockAddr a;
    socklen_t len = sizeof a;
    ::getsockname(fd, &a.sa, &len);
    return a.port();
}

// Receive buffers for one recvmmsg call: kBatch slots of slotBytes, allocated once (the bound of
// what a socket's reader holds). A socket with UDP_GRO on needs kGroBytesMax slots: a coalesced
// run longer than its slot would be cut short.
struct RecvBatch
{
    explicit RecvBatch(std::size_t slot = kSlotBytes)
        : slotBytes(slot)
        , data(kBatch * slot)
    {
    }
    std::size_t slotBytes;
    std::vector<std::uint8_t> data;
    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iov{};
    std::array<SockAddr, kBatch> from{};
    // Room for IP_PKTINFO or IPV6_PKTINFO with IP_TTL or IPV6_HOPLIMIT (the segment sockets), or
    // UDP_GRO (the tunnel socket).
    std::array<std::array<std::uint8_t, 96>, kBatch> control{};

    int receive(int fd)
    {
        for (std::size_t i = 0; i < kBatch; ++i) {
            iov[i] = {data.data() + i * slotBytes, slotBytes};
            msgs[i].msg_hdr = {};
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_control = control[i].data();
            msgs[i].msg_hdr.msg_controllen = control[i].size();
            msgs[i].msg_len = 0;
        }
        return ::recvmmsg(fd, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    }
    std::span<const std::uint8_t> bytes(std::size_t i) const
    {
        return {data.data() + i * slotBytes, msgs[i].msg_len};
    }
    // The same bytes, to work on in place (a tunnel datagram's payload is decrypted there).
    std::span<std::uint8_t> mutableBytes(std::size_t i)
    {
        return {data.data() + i * slotBytes, msgs[i].msg_len};
    }
    const SockAddr &source(std::size_t i) const { return from[i]; }
    bool truncated(std::size_t i) const { return (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0; }
    // The size the sender's datagrams had when slot i holds a coalesced run (UDP_GRO): every
    // one of them that size but the last, which may be shorter. 0: slot i is one datagram.
    std::size_t segmentSize(std::size_t i) const
    {
        auto &h = const_cast<msghdr &>(msgs[i].msg_hdr);
        for (cmsghdr *c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c))
            if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
                c->cmsg_len >= CMSG_LEN(sizeof(int))) {
                int size = 0;
                std::memcpy(&size, CMSG_DATA(c), sizeof size);
                return size > 0 && static_cast<std::size_t>(size) < msgs[i].msg_len
                           ? static_cast<std::size_t>(size)
                           : 0;
            }
        return 0;
    }
};

// Datagrams queued for one sendmmsg call. With gso on, each run of datagrams of one size to
// one destination from one source goes as one message (UDP_SEGMENT: the kernel cuts it), its
// iovecs the slots themselves: nothing is copied to join them.
struct SendBatch
{
    std::vector<std::uint8_t> data = std::vector<std::uint8_t>(kBatch * kSlotBytes);
    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iov{};
    std::array<SockAddr, kBatch> to{};
    std::array<int, kBatch> fd{};
    std::array<IpAddress, kBatch> from{}; // 0.0.0.0: the route's
    // IP_PKTINFO or IPV6_PKTINFO, for a datagram sent from a chosen source address;
    // UDP_SEGMENT, for a run.
    static constexpr std::size_t kControlBytes =
        CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(std::uint16_t));
    std::array<std::array<std::uint8_t, kControlBytes>, kBatch> control{};
    std::array<mmsghdr, kBatch> runs{};
    std::array<std::array<std::uint8_t, kControlBytes>, kBatch> runControl{};
    std::size_t count = 0;

    // Segmentation offload: on when the kernel takes it and nobody turned it off; turned off for
    // good (why says so) when a send with it fails as a kernel without it answers.
    Offload gso = kernelGso();
    std::uint64_t gsoSends = 0;     // messages that carried a run
    std::uint64_t gsoDatagrams = 0; // datagrams in them
    std::uint64_t gsoRetries = 0;   // runs refused and sent one by one instead

    std::uint8_t *slot() { return data.data() + count * kSlotBytes; }

    static std::size_t pktinfo(msghdr &h, std::uint8_t *buffer, const IpAddress &source)
    {
        if (source == IpAddress())
            return 0;
        h.msg_control = buffer;
        h.msg_controllen = kControlBytes;
        cmsghdr *c = CMSG_FIRSTHDR(&h);
        if (source.family() == Family::V6) {
            c->cmsg_level = IPPROTO_IPV6;
            c->cmsg_type = IPV6_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
            in6_pktinfo info{};
            std::memcpy(&info.ipi6_addr, source.bytes().data(), 16);
            std::memcpy(CMSG_DATA(c), &info, sizeof info);
            return CMSG_SPACE(sizeof(in6_pktinfo));
        }
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo info{};
        info.ipi_spec_dst.s_addr = htonl(source.v4HostOrder());
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
        return CMSG_SPACE(sizeof(in_pktinfo));
    }

    // source (host order): the local address the datagram leaves from, whatever the route's
    // preferred one (a socket bound to every address); 0: the route's.
    void commit(int socket, const sockaddr_in &dest, std::size_t bytes, std::uint32_t source = 0)
    {
        commit(socket, SockAddr(dest), bytes, source == 0 ? IpAddress() : IpAddress::v4(source));
    }
    // The same in either family: source of the destination's family, or 0.0.0.0 (the route's).
    void commit(int socket, const SockAddr &dest, std::size_t bytes, const IpAddress &source)
    {
        iov[count] = {data.data() + count * kSlotBytes, bytes};
        msgs[count].msg_hdr = {};
        msgs[count].msg_hdr.msg_iov = &iov[count];
        msgs[count].msg_hdr.msg_iovlen = 1;
        to[count] = dest;
        msgs[count].msg_hdr.msg_name = &to[count];
        msgs[count].msg_hdr.msg_namelen = to[count].size();
        const std::size_t used = pktinfo(msgs[count].msg_hdr, control[count].data(), source);
        msgs[count].msg_hdr.msg_controllen = used;
        if (used == 0)
            msgs[count].msg_hdr.msg_control = nullptr;
        fd[count] = socket;
        from[count] = source;
        ++count;
    }

    // Sends everything queued: runs of the same socket with one sendmmsg each. Returns (sent,
    // dropped), in datagrams.
    std::pair<std::uint64_t, std::uint64_t> flush()
    {
        std::uint64_t sent = 0;
        std::uint64_t dropped = 0;
        std::size_t i = 0;
        while (i < count) {
            std::size_t j = i;
            while (j < count && fd[j] == fd[i])
                ++j;
            const auto [s, d] = gso.on ? sendRuns(i, j) : sendEach(fd[i], i, j);
            sent += s;
            dropped += d;
            i = j;
        }
        count = 0;
        return {sent, dropped};
    }

private:
    bool joins(std::size_t first, std::size_t k, std::size_t runBytes) const
    {
        const std::size_t size = iov[first].iov_len;
        return fd[k] == fd[first] && to[k] == to[first] && from[k] == from[first] &&
               iov[k].iov_len <= size && iov[k - 1].iov_len == size &&
               k - first < kGsoSegmentsMax && runBytes + iov[k].iov_len <= kGsoBytesMax;
    }

    std::pair<std::uint64_t, std::uint64_t> sendEach(int socket, std::size_t i, std::size_t j)
    {
        std::uint64_t sent = 0;
        std::uint64_t dropped = 0;
        std::size_t at = i;
        while (at < j) {
            const int n =
                ::sendmmsg(socket, msgs.data() + at, static_cast<unsigned>(j - at), MSG_DONTWAIT);
            if (n <= 0) {
                ++dropped; // this one is refused; go on with the next
                ++at;
                continue;
            }
            sent += static_cast<std::uint64_t>(n);
            at += static_cast<std::size_t>(n);
        }
        return {sent, dropped};
    }

    // [i, j): one socket's datagrams, as runs.
    std::pair<std::uint64_t, std::uint64_t> sendRuns(std::size_t i, std::size_t j)
    {
        const int socket = fd[i];
        std::array<std::size_t, kBatch> start{};
        std::size_t nRuns = 0;
        for (std::size_t k = i; k < j;) {
            std::size_t end = k + 1;
            std::size_t bytes = iov[k].iov_len;
            while (end < j && joins(k, end, bytes))
                bytes += iov[end++].iov_len;
            mmsghdr &m = runs[nRuns];
            m = {};
            m.msg_hdr.msg_iov = &iov[k];
            m.msg_hdr.msg_iovlen = end - k;
            m.msg_hdr.msg_name = &to[k];
            m.msg_hdr.msg_namelen = to[k].size();
            std::uint8_t *buffer = runControl[nRuns].data();
            std::size_t used = pktinfo(m.msg_hdr, buffer, from[k]);
            if (end - k > 1) {
                m.msg_hdr.msg_control = buffer;
                m.msg_hdr.msg_controllen = kControlBytes;
                cmsghdr *c = reinterpret_cast<cmsghdr *>(buffer + used);
                c->cmsg_level = SOL_UDP;
                c->cmsg_type = UDP_SEGMENT;
                c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
                const auto size = static_cast<std::uint16_t>(iov[k].iov_len);
                std::memcpy(CMSG_DATA(c), &size, sizeof size);
                used += CMSG_SPACE(sizeof(std::uint16_t));
            }
            m.msg_hdr.msg_controllen = used;
            if (used == 0)
                m.msg_hdr.msg_control = nullptr;
            start[nRuns++] = k;
            k = end;
        }
        std::uint64_t sent = 0;
        std::uint64_t dropped = 0;
        std::size_t r = 0;
        while (r < nRuns) {
            const int n =
                ::sendmmsg(socket, runs.data() + r, static_cast<unsigned>(nRuns - r), MSG_DONTWAIT);
            if (n > 0) {
                for (std::size_t k = r; k < r + static_cast<std::size_t>(n); ++k) {
                    const std::size_t len = runs[k].msg_hdr.msg_iovlen;
                    sent += len;
                    if (len > 1) {
                        ++gsoSends;
                        gsoDatagrams += len;
                    }
                }
                r += static_cast<std::size_t>(n);
                continue;
            }
            // Run r is refused. One datagram: dropped. A run: sent one by one; and when the
            // refusal says this kernel or route cannot segment, the rest of the socket's
            // datagrams too, and runs are not offered again.
            const int e = errno;
            const std::size_t len = runs[r].msg_hdr.msg_iovlen;
            if (len == 1) {
                ++dropped;
                ++r;
                continue;
            }
            ++gsoRetries;
            const bool cannot = e == EIO || e == ENOPROTOOPT || e == EOPNOTSUPP || e == EINVAL;
            if (cannot)
                gso = {false,
                       std::string("UDP_SEGMENT refused by the kernel: ") + std::strerror(e)};
            const auto [s, d] = sendEach(socket, start[r], cannot ? j : start[r] + len);
            sent += s;
            dropped += d;
            if (cannot)
                break;
            ++r;
        }
        return {sent, dropped};
    }
};

// A readable-socket watcher: calls onReadable until the socket is closed. onReadable drains a
// bounded number of batches (so that one busy socket cannot starve the loop) and returns true
// when it emptied the socket (a recvmmsg returned less than a full batch). When it did not, the
// next call is posted rather than awaited: the reactor's edge for that data is consumed already.
class Watch
{
public:
    Watch(asio::io_context &io, int fd, std::function<bool()> onReadable)
        : io_(io)
        , socket_(io, familyOf(fd) == AF_INET6 ? asio::ip::udp::v6() : asio::ip::udp::v4(), fd)
        , onReadable_(std::move(onReadable))
    {
        arm();
    }
    ~Watch()
    {
        *alive_ = false;
        error_code ec;
        socket_.close(ec);
    }
    int fd() { return socket_.native_handle(); }

private:
    static int familyOf(int fd)
    {
        SockAddr a;
        socklen_t len = sizeof a;
        ::getsockname(fd, &a.sa, &len);
        return a.sa.sa_family;
    }
    void arm()
    {
        auto alive = alive_;
        socket_.async_wait(asio::ip::udp::socket::wait_read, [this, alive](const error_code &ec) {
            if (ec || !*alive)
                return;
            serve(alive);
        });
    }
    void serve(const std::shared_ptr<bool> &alive)
    {
        const bool drained = onReadable_();
        if (!*alive)
            return;
        if (!drained) {
            asio::post(io_, [this, alive] {
                if (*alive)
                    serve(alive);
            });
            return;
        }
        arm();
    }
    asio::io_context &io_;
    asio::ip::udp::socket socket_;
    std::function<bool()> onReadable_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent::udp
