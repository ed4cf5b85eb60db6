#include "segment_io.h"
#include "udp_batch.h"

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dmr::agent {

using namespace udp;

namespace {

constexpr std::size_t kJoinsPerSocket = 20; // net.ipv4.igmp_max_memberships' default
constexpr int kDrainBatchesMax = 16;        // then let the loop serve others

// What both kinds share: the batches in and out, the counters, and sending what is queued.
class BatchedSegmentIo : public SegmentIo
{
public:
    void flush() override
    {
        if (out_.count == 0)
            return;
        auto [sent, dropped] = out_.flush();
        counters_.sent += sent;
        counters_.sendDropped += dropped;
        counters_.gsoSends = out_.gsoSends;
        counters_.gsoDatagrams = out_.gsoDatagrams;
        counters_.gsoRetries = out_.gsoRetries;
    }

    const SegmentCounters &counters() const override { return counters_; }
    void allowOffload(bool allowed) override
    {
        out_.gso = allowed ? kernelGso() : Offload{false, "relay.udp_offload = false"};
    }
    Offload offload() const override { return out_.gso; }

protected:
    RecvBatch in_;
    SendBatch out_;
    std::array<SegmentPacket, kBatch> packets_{};
    SegmentCounters counters_;
};

// ---- Loopback ----------------------------------------------------------------------------------

class LoopbackSegmentIo final : public BatchedSegmentIo
{
public:
    LoopbackSegmentIo(asio::io_context &io, std::string cluster)
        : io_(io)
        , cluster_(std::move(cluster))
    {
    }
    ~LoopbackSegmentIo() override { close(); }

    Result<std::monostate> open(const std::vector<SegmentSpec> &segments, Handler handler) override
    {
        close();
        handler_ = std::move(handler);
        tx_ = udpSocket();
        if (tx_ < 0)
            return Error{sysError("relay loopback send socket")};
        const sockaddr_in local = v4Addr(INADDR_LOOPBACK, 0);
        in_addr lo{};
        lo.s_addr = htonl(INADDR_LOOPBACK);
        setInt(tx_, IPPROTO_IP, IP_MULTICAST_LOOP, 1);
        setInt(tx_, IPPROTO_IP, IP_MULTICAST_TTL, 0);
        setInt(tx_, SOL_SOCKET, SO_SNDBUF, 4 << 20);
        if (::setsockopt(tx_, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo) != 0 ||
            ::bind(tx_, reinterpret_cast<const sockaddr *>(&local), sizeof local) != 0)
            return Error{sysError("relay loopback send socket on 127.0.0.1")};
        txPort_ = boundPort(tx_);
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const auto seg = relay::loopbackSegment(cluster_, segments[i].network);
            dest_.push_back(v4Addr(seg.group, seg.port));
            const int fd = udpSocket();
            const std::string what = "relay loopback segment of " + segments[i].network + " (" +
                                     relay::ipv4Text(seg.group) + ":" + std::to_string(seg.port) +
                                     ")";
            if (fd < 0)
                return Error{sysError(what)};
            setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            setInt(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0);
            setInt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20);
            const sockaddr_in at = v4Addr(seg.group, seg.port);
            ip_mreq mreq{};
            mreq.imr_multiaddr.s_addr = htonl(seg.group);
            mreq.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
            if (::bind(fd, reinterpret_cast<const sockaddr *>(&at), sizeof at) != 0 ||
                ::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0) {
                const std::string e = sysError(what);
                ::close(fd);
                return Error{e};
            }
            // Own emissions never wake the relay (counted here only if the filter is refused).
            dropOwnEmissions(fd, {{INADDR_LOOPBACK, txPort_}});
            watches_.push_back(std::make_unique<Watch>(io_, fd, [this, i] { return readable(i); }));
        }
        return std::monostate{};
    }

    void close() override
    {
        flush();
        watches_.clear();
        dest_.clear();
        if (tx_ >= 0)
            ::close(tx_);
        tx_ = -1;
    }

    bool send(std::size_t segment, std::uint32_t group, std::uint16_t port,
              std::span<const std::uint8_t> payload) override
    {
        if (segment >= dest_.size() || tx_ < 0) {
            ++counters_.sendDropped;
            return false;
        }
        if (out_.count == kBatch)
            flush();
        const std::size_t n = relay::encodeSegmentFrame(group, port, txPort_, payload,
                                                        std::span(out_.slot(), kSlotBytes), true);
        if (n == 0) {
            ++counters_.sendDropped;
            return false;
        }
        out_.commit(tx_, dest_[segment], n);
        return true;
    }

private:
    bool readable(std::size_t segment)
    {
        const int fd = watches_[segment]->fd();
        for (int round = 0; round < kDrainBatchesMax; ++round) {
            const int n = in_.receive(fd);
            if (n <= 0)
                return true;
            std::size_t count = 0;
            for (int i = 0; i < n; ++i) {
                const auto k = static_cast<std::size_t>(i);
                ++counters_.received;
                if (in_.truncated(k)) {
                    ++counters_.truncated;
                    continue;
                }
                const std::uint32_t src = ntohl(in_.from[k].sin_addr.s_addr);
                const std::uint16_t srcPort = ntohs(in_.from[k].sin_port);
                if (srcPort == txPort_ && src == INADDR_LOOPBACK) {
                    ++counters_.ownDropped;
                    continue;
                }
                auto frame = relay::decodeSegmentFrame(in_.bytes(k));
                if (!frame) {
                    ++counters_.malformed;
                    continue;
                }
                packets_[count++] =
                    SegmentPacket{segment,        src,           srcPort, frame->group, frame->port,
                                  frame->payload, frame->relayed};
            }
            if (count != 0 && handler_)
                handler_(std::span(packets_.data(), count));
            if (static_cast<std::size_t>(n) < kBatch)
                return true;
            if (segment >= watches_.size())
                return true; // closed by the handler
        }
        return false;
    }

    asio::io_context &io_;
    std::string cluster_;
    Handler handler_;
    int tx_ = -1;
    std::uint16_t txPort_ = 0;
    std::vector<sockaddr_in> dest_;
    std::vector<std::unique_ptr<Watch>> watches_;
};

// ---- OS ----------------------------------------------------------------------------------------

class OsSegmentIo final : public BatchedSegmentIo
{
public:
    OsSegmentIo(asio::io_context &io, OsChannels channels, std::uint16_t emissionPort)
        : io_(io)
        , channels_(std::move(channels))
        , emissionPort_(emissionPort)
    {
    }

    void setRelaySources(std::set<std::pair<std::uint32_t, std::uint16_t>> sources) override
    {
        relaySources_ = std::move(sources);
    }
    ~OsSegmentIo() override { close(); }

    Result<std::monostate> open(const std::vector<SegmentSpec> &segments, Handler handler) override
    {
        close();
        handler_ = std::move(handler);
        // Every port, and the joins they need, counted before anything is opened.
        std::set<std::uint16_t> ports{channels_.probe.port};
        std::uint64_t groupsPerRelayIface = 0;
        for (const auto &r : channels_.channels) {
            for (std::uint32_t p = r.portLow; p <= r.portHigh; ++p)
                ports.insert(static_cast<std::uint16_t>(p));
            groupsPerRelayIface += r.groupCount();
        }
        std::uint64_t relayIfaces = 0;
        for (const auto &s : segments)
            relayIfaces += s.relay ? 1 : 0;
        const std::uint64_t joins = groupsPerRelayIface * relayIfaces + segments.size();
        if (joins > kOsJoinsMax)
            return Error{"relay.channels: " + std::to_string(groupsPerRelayIface) + " groups on " +
                         std::to_string(relayIfaces) + " routed interface(s) need " +
                         std::to_string(joins) + " multicast joins; at most " +
                         std::to_string(kOsJoinsMax) +
                         " in os mode: narrow the ranges (or use mode = \"loopback\")"};
        if (ports.size() > kOsPortsMax)
            return Error{"relay.channels: " + std::to_string(ports.size()) + " ports; at most " +
                         std::to_string(kOsPortsMax) + " in os mode"};
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const auto &s = segments[i];
            if (s.address.family() != Family::V4)
                return Error{"relay: interface " + s.iface + " " + s.address.toString() +
                             ": the relay carries IPv4 only"};
            const unsigned index = ::if_nametoindex(s.iface.c_str());
            if (index == 0)
                return Error{sysError("relay: interface " + s.iface)};
            ifindex_[static_cast<int>(index)] = i;
            // The send socket: bound to the interface's address, multicast out of it.
            const int fd = udpSocket();
            // A fixed source port (relay.port + 1): the other relays know it from this node's
            // meta, and it stays the same when the segments reopen.
            const sockaddr_in local = v4Addr(s.address.v4HostOrder(), emissionPort_);
            ip_mreqn out{};
            out.imr_ifindex = static_cast<int>(index);
            out.imr_address.s_addr = htonl(s.address.v4HostOrder());
            setInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 1);
            setInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, 1);
            setInt(fd, SOL_SOCKET, SO_SNDBUF, 4 << 20);
            setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            if (fd < 0 ||
                ::bind(fd, reinterpret_cast<const sockaddr *>(&local), sizeof local) != 0 ||
                ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &out, sizeof out) != 0) {
                const std::string e =
                    sysError("relay: send socket on " + s.iface + " " + s.address.toString());
                if (fd >= 0)
                    ::close(fd);
                return Error{e};
            }
            tx_.push_back(fd);
            own_.insert({s.address.v4HostOrder(), boundPort(fd)});
        }
        for (std::uint16_t port : ports) {
            const int fd = udpSocket();
            const sockaddr_in any = v4Addr(INADDR_ANY, port);
            setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            setInt(fd, IPPROTO_IP, IP_PKTINFO, 1);
            setInt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20);
            if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr *>(&any), sizeof any) != 0) {
                const std::string e = sysError("relay: UDP port " + std::to_string(port));
                if (fd >= 0)
                    ::close(fd);
                return Error{e};
            }
            dropOwnEmissions(fd, {own_.begin(), own_.end()});
            watches_.push_back(
                std::make_unique<Watch>(io_, fd, [this, fd] { return readable(fd); }));
        }
        // The joins, 20 to a socket.
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const auto &s = segments[i];
            auto join = [&](std::uint32_t group) -> Result<std::monostate> {
                if (joinCount_ % kJoinsPerSocket == 0) {
                    const int fd = udpSocket();
                    if (fd < 0)
                        return Error{sysError("relay: join socket")};
                    joinSockets_.push_back(fd);
                }
                ++joinCount_;
                ip_mreqn m{};
                m.imr_multiaddr.s_addr = htonl(group);
                m.imr_address.s_addr = htonl(s.address.v4HostOrder());
                m.imr_ifindex = static_cast<int>(::if_nametoindex(s.iface.c_str()));
                if (::setsockopt(joinSockets_.back(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &m,
                                 sizeof m) != 0)
                    return Error{
                        sysError("relay: join " + relay::ipv4Text(group) + " on " + s.iface)};
                return std::monostate{};
            };
            if (auto r = join(channels_.probe.group); !r)
                return r.error();
            if (!s.relay)
                continue;
            for (const auto &r : channels_.channels) {
                const std::uint32_t base = r.groups.address().v4HostOrder();
                for (std::uint64_t g = 0; g < r.groupCount(); ++g) {
                    const auto group = static_cast<std::uint32_t>(base + g);
                    if (group == channels_.probe.group)
                        continue;
                    if (auto j = join(group); !j)
                        return j.error();
                }
            }
        }
        return std::monostate{};
    }

    void close() override
    {
        flush();
        watches_.clear();
        for (int fd : tx_)
            ::close(fd);
        for (int fd : joinSockets_)
            ::close(fd);
        tx_.clear();
        joinSockets_.clear();
        joinCount_ = 0;
        ifindex_.clear();
        own_.clear();
    }

    bool send(std::size_t segment, std::uint32_t group, std::uint16_t port,
              std::span<const std::uint8_t> payload) override
    {
        if (segment >= tx_.size() || payload.size() > relay::kPayloadBytesMax) {
            ++counters_.sendDropped;
            return false;
        }
        if (out_.count == kBatch)
            flush();
        std::memcpy(out_.slot(), payload.data(), payload.size());
        out_.commit(tx_[segment], v4Addr(group, port), payload.size());
        return true;
    }

private:
    bool readable(int fd)
    {
        for (int round = 0; round < kDrainBatchesMax; ++round) {
            const int n = in_.receive(fd);
            if (n <= 0)
                return true;
            const std::uint16_t port = boundPort(fd);
            std::size_t count = 0;
            for (int i = 0; i < n; ++i) {
                const auto k = static_cast<std::size_t>(i);
                ++counters_.received;
                if (in_.truncated(k)) {
                    ++counters_.truncated;
                    continue;
                }
                const std::uint32_t src = ntohl(in_.from[k].sin_addr.s_addr);
                const std::uint16_t srcPort = ntohs(in_.from[k].sin_port);
                if (own_.count({src, srcPort}) != 0) {
                    ++counters_.ownDropped;
                    continue;
                }
                int ifindex = -1;
                std::uint32_t group = 0;
                for (cmsghdr *c = CMSG_FIRSTHDR(&in_.msgs[k].msg_hdr); c != nullptr;
                     c = CMSG_NXTHDR(&in_.msgs[k].msg_hdr, c)) {
                    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                        in_pktinfo info{};
                        std::memcpy(&info, CMSG_DATA(c), sizeof info);
                        ifindex = info.ipi_ifindex;
                        group = ntohl(info.ipi_addr.s_addr);
                    }
                }
                auto seg = ifindex_.find(ifindex);
                if (seg == ifindex_.end() || (group >> 28) != 0xE) {
                    ++counters_.otherInterface; // an interface not ours, or not multicast
                    continue;
                }
                packets_[count++] = SegmentPacket{seg->second,
                                                  src,
                                                  srcPort,
                                                  group,
                                                  port,
                                                  in_.bytes(k),
                                                  relaySources_.count({src, srcPort}) != 0};
            }
            if (count != 0 && handler_)
                handler_(std::span(packets_.data(), count));
            if (static_cast<std::size_t>(n) < kBatch)
                return true;
        }
        return false;
    }

    asio::io_context &io_;
    OsChannels channels_;
    Handler handler_;
    std::vector<int> tx_;
    std::vector<int> joinSockets_;
    std::size_t joinCount_ = 0;
    std::map<int, std::size_t> ifindex_;
    std::set<std::pair<std::uint32_t, std::uint16_t>> own_;
    std::uint16_t emissionPort_ = 0;
    std::set<std::pair<std::uint32_t, std::uint16_t>> relaySources_;
    std::vector<std::unique_ptr<Watch>> watches_;
};

} // namespace

std::unique_ptr<SegmentIo> makeOsSegmentIo(asio::io_context &io, OsChannels channels,
                                           std::uint16_t emissionPort)
{
    return std::make_unique<OsSegmentIo>(io, std::move(channels), emissionPort);
}

std::unique_ptr<SegmentIo> makeLoopbackSegmentIo(asio::io_context &io, std::string cluster)
{
    return std::make_unique<LoopbackSegmentIo>(io, std::move(cluster));
}

// ---- LoopbackSegmentSocket ---------------------------------------------------------------------

Result<std::unique_ptr<LoopbackSegmentSocket>>
LoopbackSegmentSocket::open(const std::string &cluster, const GroupName &network)
{
    std::unique_ptr<LoopbackSegmentSocket> s(new LoopbackSegmentSocket);
    s->seg_ = relay::loopbackSegment(cluster, network);
    const std::string what = "loopback segment of " + network + " (" +
                             relay::ipv4Text(s->seg_.group) + ":" + std::to_string(s->seg_.port) +
                             ")";
    s->rx_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    s->tx_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s->rx_ < 0 || s->tx_ < 0)
        return Error{sysError(what)};
    setInt(s->rx_, SOL_SOCKET, SO_REUSEADDR, 1);
    setInt(s->rx_, IPPROTO_IP, IP_MULTICAST_ALL, 0);
    setInt(s->rx_, SOL_SOCKET, SO_RCVBUF, 8 << 20);
    const sockaddr_in at = v4Addr(s->seg_.group, s->seg_.port);
    ip_mreq mreq{};
    mreq.imr_multiaddr.s_addr = htonl(s->seg_.group);
    mreq.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(s->rx_, reinterpret_cast<const sockaddr *>(&at), sizeof at) != 0 ||
        ::setsockopt(s->rx_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0)
        return Error{sysError(what)};
    in_addr lo{};
    lo.s_addr = htonl(INADDR_LOOPBACK);
    const sockaddr_in local = v4Addr(INADDR_LOOPBACK, 0);
    setInt(s->tx_, IPPROTO_IP, IP_MULTICAST_LOOP, 1);
    setInt(s->tx_, SOL_SOCKET, SO_SNDBUF, 8 << 20);
    if (::setsockopt(s->tx_, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo) != 0 ||
        ::bind(s->tx_, reinterpret_cast<const sockaddr *>(&local), sizeof local) != 0)
        return Error{sysError(what)};
    s->txPort_ = boundPort(s->tx_);
    return s;
}

LoopbackSegmentSocket::~LoopbackSegmentSocket()
{
    if (rx_ >= 0)
        ::close(rx_);
    if (tx_ >= 0)
        ::close(tx_);
}

bool LoopbackSegmentSocket::send(const relay::Channel &channel,
                                 std::span<const std::uint8_t> payload)
{
    std::vector<std::uint8_t> frame(relay::kSegmentHeaderBytes + payload.size());
    const std::size_t n =
        relay::encodeSegmentFrame(channel.group, channel.port, txPort_, payload, frame);
    if (n == 0)
        return false;
    const sockaddr_in to = v4Addr(seg_.group, seg_.port);
    return ::sendto(tx_, frame.data(), n, 0, reinterpret_cast<const sockaddr *>(&to), sizeof to) ==
           static_cast<ssize_t>(n);
}

std::optional<LoopbackSegmentSocket::Datagram> LoopbackSegmentSocket::receive(int timeoutMs)
{
    std::vector<std::uint8_t> buf(kSlotBytes);
    for (;;) {
        pollfd p{rx_, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0)
            return std::nullopt;
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(rx_, buf.data(), buf.size(), MSG_DONTWAIT,
                                     reinterpret_cast<sockaddr *>(&from), &len);
        if (n <= 0)
            continue;
        if (ntohs(from.sin_port) == txPort_)
            continue;
        auto f = relay::decodeSegmentFrame(std::span(buf.data(), static_cast<std::size_t>(n)));
        if (!f)
            continue;
        return Datagram{relay::Channel{f->group, f->port}, ntohs(from.sin_port),
                        std::vector<std::uint8_t>(f->payload.begin(), f->payload.end())};
    }
}

} // namespace dmr::agent
