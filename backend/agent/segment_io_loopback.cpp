// Loopback mode's segments (segment_io.h): every network a multicast group on 127.0.0.1, its
// datagrams segment frames; LoopbackSegmentIo is the relay's side, LoopbackSegmentSocket an
// application's (tests, benchmarks, dmr-segment).
#include "segment_io_internal.h"

#include <cstring>
#include <set>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dmr::agent {

using namespace udp;

namespace {

// Binds a receive socket to a loopback segment's group and port and joins the group on 127.0.0.1,
// hearing that group only (IP_MULTICAST_ALL off); false, errno set, when the kernel refuses. The
// relay's segments and an application's LoopbackSegmentSocket differ only in the buffer.
bool joinSegment(int fd, const relay::LoopbackSegment &seg, int receiveBufferBytes)
{
    setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    setInt(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0);
    setInt(fd, SOL_SOCKET, SO_RCVBUF, receiveBufferBytes);
    const sockaddr_in at = v4Addr(seg.group, seg.port);
    ip_mreq mreq{};
    mreq.imr_multiaddr.s_addr = htonl(seg.group);
    mreq.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
    return ::bind(fd, reinterpret_cast<const sockaddr *>(&at), sizeof at) == 0 &&
           ::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) == 0;
}

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
            if (!joinSegment(fd, seg, 4 << 20)) {
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

    bool send(std::size_t segment, const IpAddress &group, std::uint16_t port,
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

    void setListenHandler(ListenHandler handler) override { listenHandler_ = std::move(handler); }

    bool sendListen(std::size_t segment, const relay::ListenFrame &frame) override
    {
        if (segment >= dest_.size() || tx_ < 0)
            return false;
        if (out_.count == kBatch)
            flush();
        const auto bytes = relay::encodeListenFrame(frame);
        std::memcpy(out_.slot(), bytes.data(), bytes.size());
        out_.commit(tx_, dest_[segment], bytes.size());
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
                const std::uint32_t src = ntohl(in_.from[k].v4.sin_addr.s_addr);
                const std::uint16_t srcPort = ntohs(in_.from[k].v4.sin_port);
                if (srcPort == txPort_ && src == INADDR_LOOPBACK) {
                    ++counters_.ownDropped;
                    continue;
                }
                if (auto listen = relay::decodeListenFrame(in_.bytes(k))) {
                    if (!listen->ok())
                        ++counters_.malformed;
                    else if (listenHandler_)
                        listenHandler_(segment, listen->value(),
                                       listen::Reporter{IpAddress::v4(src), srcPort});
                    if (segment >= watches_.size())
                        return true; // closed by the handler
                    continue;
                }
                auto frame = relay::decodeSegmentFrame(in_.bytes(k));
                if (!frame) {
                    ++counters_.malformed;
                    continue;
                }
                packets_[count++] = SegmentPacket{
                    segment,        IpAddress::v4(src), srcPort,     frame->group, frame->port,
                    frame->payload, frame->relayed,     std::nullopt}; // a frame carries no TTL
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
    ListenHandler listenHandler_;
    int tx_ = -1;
    std::uint16_t txPort_ = 0;
    std::vector<sockaddr_in> dest_;
    std::vector<std::unique_ptr<Watch>> watches_;
};

} // namespace

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
    if (!joinSegment(s->rx_, s->seg_, 8 << 20))
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
    for (const IpAddress &g : std::set<IpAddress>(listening_))
        unlisten(g);
    if (rx_ >= 0)
        ::close(rx_);
    if (tx_ >= 0)
        ::close(tx_);
}

bool LoopbackSegmentSocket::send(const relay::Channel &channel,
                                 std::span<const std::uint8_t> payload)
{
    std::vector<std::uint8_t> frame(relay::segmentHeaderBytes(channel.group) + payload.size());
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
        const auto bytes = std::span(buf.data(), static_cast<std::size_t>(n));
        if (const auto listen = relay::decodeListenFrame(bytes)) {
            if (listen->ok() && listen->value().op == relay::ListenOp::Query)
                answer(listen->value());
            continue;
        }
        auto f = relay::decodeSegmentFrame(bytes);
        if (!f)
            continue;
        return Datagram{relay::Channel{f->group, f->port}, ntohs(from.sin_port),
                        std::vector<std::uint8_t>(f->payload.begin(), f->payload.end())};
    }
}

bool LoopbackSegmentSocket::sendListen(const relay::ListenFrame &frame)
{
    const auto bytes = relay::encodeListenFrame(frame);
    const sockaddr_in to = v4Addr(seg_.group, seg_.port);
    return ::sendto(tx_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr *>(&to),
                    sizeof to) == static_cast<ssize_t>(bytes.size());
}

bool LoopbackSegmentSocket::listen(const IpAddress &group)
{
    if (!group.isMulticast())
        return false;
    listening_.insert(group);
    relay::ListenFrame f;
    f.op = relay::ListenOp::Report;
    f.group = group;
    // Unsolicited reports go out twice (IGMP's robustness): one lost costs nothing.
    return sendListen(f) && sendListen(f);
}

bool LoopbackSegmentSocket::unlisten(const IpAddress &group)
{
    if (listening_.erase(group) == 0)
        return false;
    relay::ListenFrame f;
    f.op = relay::ListenOp::Leave;
    f.group = group;
    return sendListen(f);
}

void LoopbackSegmentSocket::answer(const relay::ListenFrame &query)
{
    // At once rather than after a random delay up to the max response time: one host per
    // socket, and the querier counts every reporter (no suppression to wait for).
    for (const IpAddress &g : listening_)
        if (query.group ? *query.group == g : g.family() == query.family) {
            relay::ListenFrame f;
            f.op = relay::ListenOp::Report;
            f.group = g;
            sendListen(f);
        }
}

} // namespace dmr::agent
