// Os mode's IGMP/MLD reader and querier (listen_io.h, OsListenIo): one packet socket per family
// with a socket filter and all-multicast on each interface, drained into the codec (dmr/igmp.h);
// the queries on raw IGMP and ICMPv6 sockets with the router alert; this host's memberships read
// from the kernel's tables.
#include "listen_io.h"
#include "udp_batch.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <set>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dmr::agent {

namespace {

using udp::sysError;

std::string readFile(const char *path)
{
    std::string text;
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0 && text.size() < (4u << 20);)
        text.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return text;
}

bool attach(int fd, std::vector<sock_filter> code)
{
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(code.size());
    prog.filter = code.data();
    return ::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0;
}

// A packet socket sees the IP packet at offset 0 (SOCK_DGRAM). IPv4: protocol 2 (IGMP).
std::vector<sock_filter> igmpFilter()
{
    return {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_IGMP, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0x40000),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
}
// IPv6: a hop-by-hop header first (MLD carries its router alert there), then ICMPv6.
std::vector<sock_filter> mldFilter()
{
    return {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_HOPOPTS, 0, 3),
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 40),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0x40000),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
}

std::optional<IpAddress> linkLocalOf(const std::string &iface)
{
    ifaddrs *all = nullptr;
    if (::getifaddrs(&all) != 0)
        return std::nullopt;
    std::optional<IpAddress> found;
    for (const ifaddrs *a = all; a && !found; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET6 || iface != a->ifa_name)
            continue;
        const auto *s6 = reinterpret_cast<const sockaddr_in6 *>(a->ifa_addr);
        if (!IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
            continue;
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), &s6->sin6_addr, 16);
        found = IpAddress::v6(b);
    }
    ::freeifaddrs(all);
    return found;
}

// Waits for a descriptor to be readable and calls back; owns the descriptor.
class Readable
{
public:
    Readable(asio::io_context &io, int fd, std::function<void()> onReadable)
        : fd_(io, fd)
        , on_(std::move(onReadable))
    {
        arm();
    }
    ~Readable()
    {
        *alive_ = false;
        error_code ec;
        fd_.close(ec);
    }
    Readable(const Readable &) = delete;
    Readable &operator=(const Readable &) = delete;
    int fd() { return fd_.native_handle(); }

private:
    void arm()
    {
        auto alive = alive_;
        fd_.async_wait(asio::posix::stream_descriptor::wait_read,
                       [this, alive](const error_code &ec) {
                           if (ec || !*alive)
                               return;
                           on_();
                           if (*alive)
                               arm();
                       });
    }
    asio::posix::stream_descriptor fd_;
    std::function<void()> on_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class OsListenIo final : public ListenIo
{
public:
    explicit OsListenIo(asio::io_context &io)
        : io_(io)
    {
    }
    ~OsListenIo() override { close(); }

    Result<std::monostate> open(const std::vector<SegmentSpec> &segments, Handler handler) override
    {
        close();
        handler_ = std::move(handler);
        std::set<int> ifaces4, ifaces6;
        for (const auto &spec : segments) {
            const unsigned index = ::if_nametoindex(spec.iface.c_str());
            if (index == 0)
                return fail(sysError("relay os listen: interface " + spec.iface));
            segments_.push_back({spec, static_cast<int>(index)});
            perSegment_.emplace_back();
            (spec.address.family() == Family::V4 ? ifaces4 : ifaces6)
                .insert(static_cast<int>(index));
        }
        if (!ifaces4.empty()) {
            auto r = openReader(ETH_P_IP, igmpFilter(), ifaces4, false);
            if (!r)
                return fail(r.error().message);
            raw4_ = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IGMP);
            const std::uint8_t routerAlert[4] = {0x94, 0x04, 0x00, 0x00};
            if (raw4_ < 0 || !attach(raw4_, {BPF_STMT(BPF_RET | BPF_K, 0)}) ||
                ::setsockopt(raw4_, IPPROTO_IP, IP_OPTIONS, routerAlert, sizeof routerAlert) != 0 ||
                !setInt(raw4_, IPPROTO_IP, IP_MULTICAST_TTL, 1) ||
                !setInt(raw4_, IPPROTO_IP, IP_MULTICAST_LOOP, 0))
                return fail(sysError("relay os listen: IGMP send socket"));
        }
        if (!ifaces6.empty()) {
            auto r = openReader(ETH_P_IPV6, mldFilter(), ifaces6, true);
            if (!r)
                return fail(r.error().message);
            raw6_ = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
            icmp6_filter block{};
            ICMP6_FILTER_SETBLOCKALL(&block);
            // Router alert (RFC 2711, value 0: MLD), then PadN to 8 bytes.
            const std::uint8_t hopByHop[8] = {0, 0, 5, 2, 0, 0, 1, 0};
            if (raw6_ < 0 ||
                ::setsockopt(raw6_, IPPROTO_ICMPV6, ICMP6_FILTER, &block, sizeof block) != 0 ||
                ::setsockopt(raw6_, IPPROTO_IPV6, IPV6_HOPOPTS, hopByHop, sizeof hopByHop) != 0 ||
                !setInt(raw6_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 1) ||
                !setInt(raw6_, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0))
                return fail(sysError("relay os listen: MLD send socket"));
        }
        return std::monostate{};
    }

    void close() override
    {
        readers_.clear(); // closes the packet sockets, which drops their ALLMULTI memberships
        for (int *fd : {&raw4_, &raw6_}) {
            if (*fd >= 0)
                ::close(*fd);
            *fd = -1;
        }
        segments_.clear();
        perSegment_.clear();
        ++generation_;
    }

    bool sendQuery(std::size_t segment, const igmp::QueryParams &query) override
    {
        if (segment >= segments_.size())
            return sendFailed("relay os listen: no segment " + std::to_string(segment));
        const Segment &s = segments_[segment];
        const bool sent =
            s.spec.address.family() == Family::V4 ? sendV4(s, query) : sendV6(s, query);
        if (sent) {
            ++perSegment_[segment].queriesSent;
        } else {
            ++perSegment_[segment].sendFailed;
            perSegment_[segment].lastError = counters_.lastError;
        }
        return sent;
    }

    std::optional<IpAddress> querierAddress(std::size_t segment) const override
    {
        if (segment >= segments_.size())
            return std::nullopt;
        const Segment &s = segments_[segment];
        if (s.spec.address.family() == Family::V4)
            return s.spec.address;
        return linkLocalOf(s.spec.iface);
    }

    const ListenCounters &counters() const override { return counters_; }
    ListenCounters segmentCounters(std::size_t segment) const override
    {
        return segment < perSegment_.size() ? perSegment_[segment] : ListenCounters{};
    }

    std::vector<std::map<IpAddress, int>> localMemberships() const override
    {
        const auto v4 = parseProcIgmp(readFile("/proc/net/igmp"));
        const auto v6 = parseProcIgmp6(readFile("/proc/net/igmp6"));
        std::vector<std::map<IpAddress, int>> out(segments_.size());
        for (std::size_t i = 0; i < segments_.size(); ++i) {
            const auto &table = segments_[i].spec.address.family() == Family::V4 ? v4 : v6;
            if (auto it = table.find(segments_[i].spec.iface); it != table.end())
                out[i] = it->second;
        }
        return out;
    }

private:
    struct Segment
    {
        SegmentSpec spec;
        int ifindex = 0;
    };

    static Error fail(std::string message) { return Error{std::move(message)}; }
    static bool setInt(int fd, int level, int name, int value)
    {
        return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
    }
    bool sendFailed(std::string why)
    {
        ++counters_.sendFailed;
        counters_.lastError = std::move(why);
        return false;
    }

    Result<std::monostate> openReader(std::uint16_t ethType, std::vector<sock_filter> filter,
                                      const std::set<int> &ifaces, bool v6)
    {
        const std::string what =
            v6 ? "relay os listen: MLD packet socket" : "relay os listen: IGMP packet socket";
        // Protocol 0 first: nothing arrives before the filter is on; bind() then starts it.
        const int fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return fail(sysError(what));
        sockaddr_ll at{};
        at.sll_family = AF_PACKET;
        at.sll_protocol = htons(ethType);
        if (!attach(fd, std::move(filter)) ||
            ::bind(fd, reinterpret_cast<const sockaddr *>(&at), sizeof at) != 0) {
            const std::string e = sysError(what);
            ::close(fd);
            return fail(e);
        }
        for (int index : ifaces) {
            packet_mreq mr{};
            mr.mr_ifindex = index;
            mr.mr_type = PACKET_MR_ALLMULTI;
            if (::setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0) {
                char name[IF_NAMESIZE] = {};
                const std::string e = sysError(what + ", all-multicast on " +
                                               std::string(::if_indextoname(unsigned(index), name)
                                                               ? name
                                                               : std::to_string(index)));
                ::close(fd);
                return fail(e);
            }
        }
        readers_.push_back(std::make_unique<Readable>(io_, fd, [this, fd, v6] { drain(fd, v6); }));
        return std::monostate{};
    }

    void drain(int fd, bool v6)
    {
        const std::uint64_t generation = generation_;
        for (int i = 0; i < kDrainMax; ++i) {
            sockaddr_ll from{};
            socklen_t fromLen = sizeof from;
            const ssize_t n = ::recvfrom(fd, buffer_.data(), buffer_.size(), MSG_TRUNC,
                                         reinterpret_cast<sockaddr *>(&from), &fromLen);
            if (n < 0)
                return; // EAGAIN: drained (an error: the next wait says it again)
            // This host's own packets: its queries, and the reports of its own joins.
            if (from.sll_pkttype == PACKET_OUTGOING || from.sll_pkttype == PACKET_LOOPBACK)
                continue;
            const Family family = v6 ? Family::V6 : Family::V4;
            std::vector<std::size_t> on;
            for (std::size_t s = 0; s < segments_.size(); ++s)
                if (segments_[s].ifindex == from.sll_ifindex &&
                    segments_[s].spec.address.family() == family)
                    on.push_back(s);
            if (static_cast<std::size_t>(n) > buffer_.size()) {
                ++counters_.truncated;
                for (std::size_t s : on)
                    ++perSegment_[s].truncated;
                continue;
            }
            if (on.empty()) {
                ++counters_.otherInterface;
                continue;
            }
            ++counters_.received;
            for (std::size_t s : on)
                ++perSegment_[s].received;
            const std::span<const std::uint8_t> packet(buffer_.data(), static_cast<std::size_t>(n));
            auto parsed = v6 ? igmp::parseIpv6Mld(packet) : igmp::parseIgmp(packet);
            if (!parsed) {
                ++counters_.malformed;
                counters_.lastError =
                    segments_[on.front()].spec.iface + ": " + parsed.error().message;
                for (std::size_t s : on) {
                    ++perSegment_[s].malformed;
                    perSegment_[s].lastError = counters_.lastError;
                }
                continue;
            }
            for (const auto &m : *parsed) {
                for (std::size_t s : on) {
                    ++counters_.messages;
                    ++perSegment_[s].messages;
                    handler_(HeardListen{s, m});
                    if (generation != generation_)
                        return; // the handler closed or reopened this
                }
            }
        }
    }

    bool sendV4(const Segment &s, const igmp::QueryParams &q)
    {
        if (raw4_ < 0)
            return sendFailed(s.spec.iface + ": IGMP send socket not open");
        const auto msg = igmp::encodeIgmpv3Query(q);
        ip_mreqn via{};
        via.imr_address.s_addr = htonl(s.spec.address.v4HostOrder());
        via.imr_ifindex = s.ifindex;
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = q.group && q.group->family() == Family::V4
                                 ? htonl(q.group->v4HostOrder())
                                 : htonl(0xe0000001); // 224.0.0.1, all systems
        if (::setsockopt(raw4_, IPPROTO_IP, IP_MULTICAST_IF, &via, sizeof via) != 0 ||
            ::sendto(raw4_, msg.data(), msg.size(), 0, reinterpret_cast<const sockaddr *>(&to),
                     sizeof to) != static_cast<ssize_t>(msg.size()))
            return sendFailed(sysError(s.spec.iface + ": IGMP query"));
        ++counters_.queriesSent;
        return true;
    }

    bool sendV6(const Segment &s, const igmp::QueryParams &q)
    {
        if (raw6_ < 0)
            return sendFailed(s.spec.iface + ": MLD send socket not open");
        const auto source = linkLocalOf(s.spec.iface);
        if (!source)
            return sendFailed(s.spec.iface + ": MLD query: no link-local address (yet)");
        std::array<std::uint8_t, 16> allNodes{};
        allNodes[0] = 0xff;
        allNodes[1] = 0x02;
        allNodes[15] = 1;
        const IpAddress dest =
            q.group && q.group->family() == Family::V6 ? *q.group : IpAddress::v6(allNodes);
        const auto msg = igmp::encodeMldv2Query(q, *source, dest);
        sockaddr_in6 to{};
        to.sin6_family = AF_INET6;
        std::memcpy(&to.sin6_addr, dest.bytes().data(), 16);
        to.sin6_scope_id = static_cast<std::uint32_t>(s.ifindex);
        in6_pktinfo info{};
        std::memcpy(&info.ipi6_addr, source->bytes().data(), 16);
        info.ipi6_ifindex = static_cast<unsigned>(s.ifindex);
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
        iovec iov{const_cast<std::uint8_t *>(msg.data()), msg.size()};
        msghdr mh{};
        mh.msg_name = &to;
        mh.msg_namelen = sizeof to;
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = control;
        mh.msg_controllen = sizeof control;
        cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
        if (::sendmsg(raw6_, &mh, 0) != static_cast<ssize_t>(msg.size()))
            return sendFailed(sysError(s.spec.iface + ": MLD query"));
        ++counters_.queriesSent;
        return true;
    }

    asio::io_context &io_;
    Handler handler_;
    std::vector<Segment> segments_;
    std::vector<ListenCounters> perSegment_; // by segment
    std::vector<std::unique_ptr<Readable>> readers_;
    int raw4_ = -1;
    int raw6_ = -1;
    std::uint64_t generation_ = 0;
    std::array<std::uint8_t, igmp::kPacketBytesMax> buffer_{};
    ListenCounters counters_;
};

} // namespace

std::unique_ptr<ListenIo> makeOsListenIo(asio::io_context &io)
{
    return std::make_unique<OsListenIo>(io);
}

} // namespace dmr::agent
