#pragma once
// UDP helpers shared by the segment I/O and the tunnel socket: recvmmsg/sendmmsg batches with
// fixed buffers (no allocation per datagram), non-blocking IPv4 sockets, and a watcher that
// calls back when a socket is readable on the agent's io_context.

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
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dmr::agent::udp {

inline constexpr std::size_t kBatch = 64;
inline constexpr std::size_t kSlotBytes =
    relay::kTunnelDatagramBytesMax + relay::kSegmentHeaderBytes + 64;

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

inline int udpSocket()
{
    return ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

inline void setInt(int fd, int level, int name, int value)
{
    ::setsockopt(fd, level, name, &value, sizeof value);
}

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
        code.push_back(BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0));
        code.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1));
        code.push_back(BPF_STMT(BPF_RET | BPF_K, 0));
    }
    code.push_back(BPF_STMT(BPF_RET | BPF_K, 0xffffffffu));
    sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
    return ::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0;
}

inline std::uint16_t boundPort(int fd)
{
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    return ntohs(a.sin_port);
}

// Receive buffers for one recvmmsg call.
struct RecvBatch
{
    std::vector<std::uint8_t> data = std::vector<std::uint8_t>(kBatch * kSlotBytes);
    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iov{};
    std::array<sockaddr_in, kBatch> from{};
    std::array<std::array<std::uint8_t, 64>, kBatch> control{};

    int receive(int fd)
    {
        for (std::size_t i = 0; i < kBatch; ++i) {
            iov[i] = {data.data() + i * kSlotBytes, kSlotBytes};
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
        return {data.data() + i * kSlotBytes, msgs[i].msg_len};
    }
    // The same bytes, to work on in place (a tunnel datagram's payload is decrypted there).
    std::span<std::uint8_t> mutableBytes(std::size_t i)
    {
        return {data.data() + i * kSlotBytes, msgs[i].msg_len};
    }
    const sockaddr_in &source(std::size_t i) const { return from[i]; }
    bool truncated(std::size_t i) const { return (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0; }
};

// Datagrams queued for one sendmmsg call.
struct SendBatch
{
    std::vector<std::uint8_t> data = std::vector<std::uint8_t>(kBatch * kSlotBytes);
    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iov{};
    std::array<sockaddr_in, kBatch> to{};
    std::array<int, kBatch> fd{};
    // IP_PKTINFO, for a datagram sent from a chosen source address.
    std::array<std::array<std::uint8_t, CMSG_SPACE(sizeof(in_pktinfo))>, kBatch> control{};
    std::size_t count = 0;

    std::uint8_t *slot() { return data.data() + count * kSlotBytes; }
    // source (host order): the local address the datagram leaves from, whatever the route's
    // preferred one (a socket bound to every address); 0: the route's.
    void commit(int socket, const sockaddr_in &dest, std::size_t bytes, std::uint32_t source = 0)
    {
        iov[count] = {data.data() + count * kSlotBytes, bytes};
        msgs[count].msg_hdr = {};
        msgs[count].msg_hdr.msg_iov = &iov[count];
        msgs[count].msg_hdr.msg_iovlen = 1;
        to[count] = dest;
        msgs[count].msg_hdr.msg_name = &to[count];
        msgs[count].msg_hdr.msg_namelen = sizeof to[count];
        if (source != 0) {
            msgs[count].msg_hdr.msg_control = control[count].data();
            msgs[count].msg_hdr.msg_controllen = control[count].size();
            cmsghdr *c = CMSG_FIRSTHDR(&msgs[count].msg_hdr);
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
            in_pktinfo info{};
            info.ipi_spec_dst.s_addr = htonl(source);
            std::memcpy(CMSG_DATA(c), &info, sizeof info);
        }
        fd[count] = socket;
        ++count;
    }
    // Sends runs of the same socket with one sendmmsg each. Returns (sent, dropped).
    std::pair<std::uint64_t, std::uint64_t> flush()
    {
        std::uint64_t sent = 0;
        std::uint64_t dropped = 0;
        std::size_t i = 0;
        while (i < count) {
            std::size_t j = i;
            while (j < count && fd[j] == fd[i])
                ++j;
            std::size_t at = i;
            while (at < j) {
                const int n = ::sendmmsg(fd[i], msgs.data() + at, static_cast<unsigned>(j - at),
                                         MSG_DONTWAIT);
                if (n <= 0) {
                    ++dropped; // this one is refused; go on with the next
                    ++at;
                    continue;
                }
                sent += static_cast<std::uint64_t>(n);
                at += static_cast<std::size_t>(n);
            }
            i = j;
        }
        count = 0;
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
        , socket_(io, asio::ip::udp::v4(), fd)
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
