#include "loopback_capture.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

LoopbackCapture::LoopbackCapture(std::uint16_t port)
    : port_(port)
{
    fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd_ < 0) {
        error_ = QStringLiteral("AF_PACKET socket: %1 (needs root)").arg(QString::fromUtf8(std::strerror(errno)));
        return;
    }
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = static_cast<int>(::if_nametoindex("lo"));
    const int rcvbuf = 8 * 1024 * 1024;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
    if (::bind(fd_, reinterpret_cast<sockaddr *>(&sll), sizeof sll) != 0) {
        error_ = QStringLiteral("bind to lo: %1").arg(QString::fromUtf8(std::strerror(errno)));
        ::close(fd_);
        fd_ = -1;
        return;
    }
    thread_ = std::thread([this] { run(); });
}

LoopbackCapture::~LoopbackCapture()
{
    stop_ = true;
    if (thread_.joinable())
        thread_.join();
    if (fd_ >= 0)
        ::close(fd_);
}

void LoopbackCapture::run()
{
    std::vector<unsigned char> buf(256 * 1024);
    while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0)
            continue;
        sockaddr_ll from{};
        socklen_t fromLen = sizeof from;
        const ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), MSG_DONTWAIT,
                                     reinterpret_cast<sockaddr *>(&from), &fromLen);
        if (n <= 0)
            continue;
        // On lo each packet shows twice: going out and coming in. Keep one.
        if (from.sll_pkttype == PACKET_OUTGOING)
            continue;
        take(buf.data(), static_cast<std::size_t>(n));
    }
}

void LoopbackCapture::take(const unsigned char *frame, std::size_t len)
{
    if (len < ETH_HLEN + sizeof(iphdr))
        return;
    std::uint16_t ethertype = 0;
    std::memcpy(&ethertype, frame + 12, 2);
    if (ntohs(ethertype) != ETH_P_IP)
        return;
    const unsigned char *ipStart = frame + ETH_HLEN;
    iphdr ip{};
    std::memcpy(&ip, ipStart, sizeof ip);
    if (ip.protocol != IPPROTO_TCP)
        return;
    const std::size_t ipLen = static_cast<std::size_t>(ip.ihl) * 4;
    const std::size_t total = std::min<std::size_t>(ntohs(ip.tot_len), len - ETH_HLEN);
    if (total < ipLen + sizeof(tcphdr))
        return;
    tcphdr tcp{};
    std::memcpy(&tcp, ipStart + ipLen, sizeof tcp);
    if (ntohs(tcp.dest) != port_)
        return;
    const std::size_t tcpLen = static_cast<std::size_t>(tcp.doff) * 4;
    if (total < ipLen + tcpLen)
        return;
    const std::uint64_t key = (std::uint64_t{ntohl(ip.saddr)} << 16) | ntohs(tcp.source);
    const std::uint32_t seq = ntohl(tcp.seq);
    std::lock_guard lock(mutex_);
    auto [it, fresh] = streams_.try_emplace(key);
    Stream &s = it->second;
    if (fresh)
        s.order = next_++;
    if (tcp.syn) {
        // A new connection from a reused port starts a new stream.
        if (s.haveIsn && !s.segments.empty()) {
            streams_.erase(it);
            auto [again, _] = streams_.try_emplace(key);
            again->second.order = next_++;
            again->second.isn = seq;
            again->second.haveIsn = true;
            return;
        }
        s.isn = seq;
        s.haveIsn = true;
        return;
    }
    const std::size_t payload = total - ipLen - tcpLen;
    if (payload == 0 || !s.haveIsn)
        return;
    const std::uint32_t offset = seq - s.isn - 1;
    s.segments.try_emplace(offset, reinterpret_cast<const char *>(ipStart + ipLen + tcpLen),
                           static_cast<qsizetype>(payload));
}

std::vector<QByteArray> LoopbackCapture::streams() const
{
    std::lock_guard lock(mutex_);
    std::vector<std::pair<int, QByteArray>> ordered;
    for (const auto &[key, s] : streams_) {
        QByteArray bytes;
        for (const auto &[offset, data] : s.segments) {
            if (offset > static_cast<std::uint32_t>(bytes.size()))
                break; // a gap: what follows cannot be placed
            const qsizetype skip = bytes.size() - static_cast<qsizetype>(offset);
            if (skip < data.size())
                bytes += data.mid(skip);
        }
        ordered.emplace_back(s.order, bytes);
    }
    std::sort(ordered.begin(), ordered.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    std::vector<QByteArray> out;
    for (auto &o : ordered)
        out.push_back(std::move(o.second));
    return out;
}
