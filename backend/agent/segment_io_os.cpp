// OS mode's segments (segment_io.h, OsSegmentIo): the real interfaces in both families, one
// receive socket per channel port and family, the relay's multicast joins spread over join
// sockets and bounded per family, one send socket per interface.
#include "segment_io_internal.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dmr::agent {

using namespace udp;

namespace {

constexpr std::size_t kJoinsPerSocket = 20; // igmp_max_memberships' default (and under mld_max_msf)

class OsSegmentIo final : public BatchedSegmentIo
{
    struct Segment
    {
        SegmentSpec spec;
        int ifindex = 0;
    };

public:
    OsSegmentIo(asio::io_context &io, OsChannels channels, std::uint16_t emissionPort)
        : io_(io)
        , channels_(std::move(channels))
        , emissionPort_(emissionPort)
    {
    }

    void setRelaySources(std::set<std::pair<IpAddress, std::uint16_t>> sources) override
    {
        relaySources_ = std::move(sources);
    }
    ~OsSegmentIo() override { close(); }

    Result<std::monostate> open(const std::vector<SegmentSpec> &segments, Handler handler) override
    {
        close();
        handler_ = std::move(handler);
        // Every port, and the joins they need, counted before anything is opened.
        bool hasV4 = false;
        bool hasV6 = false;
        for (const auto &s : segments)
            (s.address.family() == Family::V4 ? hasV4 : hasV6) = true;
        std::set<std::uint16_t> ports;
        if (hasV4)
            ports.insert(channels_.probe.port);
        if (hasV6)
            ports.insert(channels_.probeV6.port);
        for (const auto &r : channels_.channels) {
            const bool v4 = r.groups.address().family() == Family::V4;
            if (!(v4 ? hasV4 : hasV6))
                continue; // no segment of its family: never heard here
            for (std::uint32_t p = r.portLow; p <= r.portHigh; ++p)
                ports.insert(static_cast<std::uint16_t>(p));
        }
        if (ports.size() > kOsPortsMax)
            return Error{"relay.channels: " + std::to_string(ports.size()) + " ports; at most " +
                         std::to_string(kOsPortsMax) + " in os mode"};
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const auto &s = segments[i];
            const bool v6 = s.address.family() == Family::V6;
            const unsigned index = ::if_nametoindex(s.iface.c_str());
            if (index == 0)
                return Error{sysError("relay: interface " + s.iface)};
            ifindex_[{static_cast<int>(index), v6}] = i;
            segments_.push_back({s, static_cast<int>(index)});
            // The send socket: bound to the interface's address, multicast out of it.
            const int fd = udpSocket(v6 ? AF_INET6 : AF_INET);
            // A fixed source port (relay.port + 1): the other relays know it from this node's
            // meta, and it stays the same when the segments reopen.
            const SockAddr local(s.address, emissionPort_);
            setInt(fd, SOL_SOCKET, SO_SNDBUF, 4 << 20);
            setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            bool ok = fd >= 0;
            if (v6) {
                setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
                setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1);
                setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 1);
                const int ifindex = static_cast<int>(index);
                ok = ok && ::bind(fd, &local.sa, local.size()) == 0 &&
                     ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) ==
                         0;
            } else {
                ip_mreqn out{};
                out.imr_ifindex = static_cast<int>(index);
                out.imr_address.s_addr = htonl(s.address.v4HostOrder());
                setInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 1);
                setInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, 1);
                ok = ok && ::bind(fd, &local.sa, local.size()) == 0 &&
                     ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &out, sizeof out) == 0;
            }
            if (!ok) {
                const std::string e =
                    sysError("relay: send socket on " + s.iface + " " + s.address.toString());
                if (fd >= 0)
                    ::close(fd);
                return Error{e};
            }
            tx_.push_back(fd);
            own_.insert({s.address, boundPort(fd)});
        }
        std::vector<std::pair<std::uint32_t, std::uint16_t>> ownV4;
        for (const auto &[address, port] : own_)
            if (address.family() == Family::V4)
                ownV4.emplace_back(address.v4HostOrder(), port);
        for (std::uint16_t port : ports) {
            for (const bool v6 : {false, true}) {
                if (!(v6 ? hasV6 : hasV4))
                    continue;
                const int fd = udpSocket(v6 ? AF_INET6 : AF_INET);
                const SockAddr any =
                    v6 ? SockAddr(IpAddress::v6({}), port) : SockAddr(v4Addr(INADDR_ANY, port));
                setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
                setInt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20);
                if (v6) {
                    setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
                    setInt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
                    setInt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1); // relay.threshold
                } else {
                    setInt(fd, IPPROTO_IP, IP_PKTINFO, 1);
                    setInt(fd, IPPROTO_IP, IP_RECVTTL, 1);
                }
                if (fd < 0 || ::bind(fd, &any.sa, any.size()) != 0) {
                    const std::string e =
                        sysError("relay: UDP port " + std::to_string(port) + (v6 ? " (IPv6)" : ""));
                    if (fd >= 0)
                        ::close(fd);
                    return Error{e};
                }
                if (v6)
                    dropOwnEmissions6(fd, {own_.begin(), own_.end()});
                else
                    dropOwnEmissions(fd, ownV4);
                watches_.push_back(
                    std::make_unique<Watch>(io_, fd, [this, fd] { return readable(fd); }));
            }
        }
        // The probe groups now; the channel groups when the relay names them (setJoins).
        wanted_.assign(segments.size(), std::set<IpAddress>{});
        const std::uint64_t failed = joins_.failed;
        reconcile();
        if (joins_.failed != failed)
            return Error{joins_.lastError};
        return std::monostate{};
    }

    void setJoins(const Joins &groups) override
    {
        for (std::size_t i = 0; i < wanted_.size(); ++i)
            wanted_[i] = i < groups.size() ? groups[i] : std::set<IpAddress>{};
        reconcile();
    }

    int joined(std::size_t segment, const IpAddress &group) const override
    {
        if (segment >= segments_.size() ||
            group.family() != segments_[segment].spec.address.family())
            return 0;
        return memberships_.count({segments_[segment].ifindex, group}) != 0 ? 1 : 0;
    }

    std::size_t joinedOn(std::size_t segment) const override
    {
        if (segment >= segments_.size())
            return 0;
        const Segment &s = segments_[segment];
        std::size_t n = 0;
        for (const auto &[key, socket] : memberships_)
            if (key.first == s.ifindex && key.second.family() == s.spec.address.family())
                ++n;
        return n;
    }

    SegmentJoins joins() const override { return joins_; }

    void close() override
    {
        flush();
        watches_.clear();
        for (int fd : tx_)
            ::close(fd);
        for (auto &sockets : joinSockets_) {
            for (const JoinSocket &j : sockets)
                ::close(j.fd); // (the kernel leaves its groups)
            sockets.clear();
        }
        memberships_.clear();
        joins_.joinedV4 = joins_.joinedV6 = 0;
        joins_.beyondCap = 0;
        wanted_.clear();
        segments_.clear();
        tx_.clear();
        ifindex_.clear();
        own_.clear();
    }

    bool send(std::size_t segment, const IpAddress &group, std::uint16_t port,
              std::span<const std::uint8_t> payload) override
    {
        if (segment >= tx_.size() || payload.size() > relay::kPayloadBytesMax) {
            ++counters_.sendDropped;
            return false;
        }
        if (out_.count == kBatch)
            flush();
        std::memcpy(out_.slot(), payload.data(), payload.size());
        out_.commit(tx_[segment], SockAddr(group, port), payload.size(), IpAddress());
        return true;
    }

private:
    // The base address plus n (n below 2^63: a range's groupCount()).
    static IpAddress nth(const IpAddress &base, std::uint64_t n)
    {
        if (base.family() == Family::V4)
            return IpAddress::v4(base.v4HostOrder() + static_cast<std::uint32_t>(n));
        auto b = base.bytes();
        for (int i = 15; i >= 0 && n != 0; --i) {
            const std::uint64_t sum = b[static_cast<std::size_t>(i)] + (n & 0xff);
            b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(sum);
            n = (n >> 8) + (sum >> 8);
        }
        return IpAddress::v6(b);
    }

    // Brings the memberships to what is wanted: the probe group on every segment first, then
    // each segment's channel groups in the segments' order, at most kOsJoinsMax per family; the
    // ones no longer wanted are left before the new ones are joined.
    void reconcile()
    {
        std::set<std::pair<int, IpAddress>> target;
        std::size_t count[2] = {0, 0};
        std::uint64_t beyond = 0;
        auto want = [&](int ifindex, const IpAddress &group) {
            if (target.contains({ifindex, group}))
                return true;
            const int f = group.family() == Family::V4 ? 0 : 1;
            if (count[f] >= kOsJoinsMax) {
                ++beyond;
                return false;
            }
            target.insert({ifindex, group});
            ++count[f];
            return true;
        };
        for (const Segment &s : segments_)
            want(s.ifindex, probeOf(s));
        for (std::size_t i = 0; i < segments_.size() && i < wanted_.size(); ++i) {
            const Segment &s = segments_[i];
            const Family family = s.spec.address.family();
            if (wanted_[i]) {
                for (const IpAddress &g : *wanted_[i])
                    if (g.family() == family && g.isMulticast() && g != probeOf(s))
                        want(s.ifindex, g);
                continue;
            }
            for (const auto &r : channels_.channels) {
                if (r.groups.address().family() != family)
                    continue;
                for (std::uint64_t g = 0; g < r.groupCount(); ++g) {
                    const IpAddress group = nth(r.groups.address(), g);
                    if (group != probeOf(s) && !want(s.ifindex, group)) {
                        // The rest of the range is beyond the cap too (saturating at 2^63).
                        beyond += std::min<std::uint64_t>(r.groupCount() - g - 1,
                                                          (std::uint64_t{1} << 63) - beyond);
                        break;
                    }
                }
            }
        }
        for (auto it = memberships_.begin(); it != memberships_.end();)
            it = target.contains(it->first) ? std::next(it) : leave(it);
        for (const auto &[ifindex, group] : target)
            if (!memberships_.contains({ifindex, group}))
                join(ifindex, group);
        if (beyond != 0 && joins_.beyondCap == 0)
            ++joins_.overCapTotal;
        joins_.beyondCap = beyond;
        joins_.joinedV4 = joins_.joinedV6 = 0;
        for (const auto &[key, fd] : memberships_)
            ++(key.second.family() == Family::V4 ? joins_.joinedV4 : joins_.joinedV6);
    }

    const IpAddress &probeOf(const Segment &s) const
    {
        return s.spec.address.family() == Family::V6 ? channels_.probeV6.group
                                                     : channels_.probe.group;
    }

    const Segment *segmentOf(int ifindex, Family family) const
    {
        for (const Segment &s : segments_)
            if (s.ifindex == ifindex && s.spec.address.family() == family)
                return &s;
        return nullptr;
    }

    bool refused(const std::string &what)
    {
        ++joins_.failed;
        joins_.lastError = sysError(what);
        return false;
    }

    // Joins (or leaves) `group` on the interface, from `local` when given (IPv4).
    static bool membership(int fd, bool join, int ifindex, const IpAddress &group,
                           const IpAddress *local)
    {
        if (group.family() == Family::V6) {
            ipv6_mreq m{};
            std::memcpy(&m.ipv6mr_multiaddr, group.bytes().data(), 16);
            m.ipv6mr_interface = static_cast<unsigned>(ifindex);
            return ::setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m,
                                sizeof m) == 0;
        }
        ip_mreqn m{};
        m.imr_multiaddr.s_addr = htonl(group.v4HostOrder());
        if (local != nullptr)
            m.imr_address.s_addr = htonl(local->v4HostOrder());
        m.imr_ifindex = ifindex;
        return ::setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m,
                            sizeof m) == 0;
    }

    bool join(int ifindex, const IpAddress &group)
    {
        const bool v6 = group.family() == Family::V6;
        const Segment *s = segmentOf(ifindex, group.family());
        const std::string what = "relay: join " + group.toString() + " on " +
                                 (s ? s->spec.iface : std::to_string(ifindex));
        auto &sockets = joinSockets_[v6 ? 1 : 0];
        auto slot = std::find_if(sockets.begin(), sockets.end(), [](const JoinSocket &j) {
            return j.memberships < kJoinsPerSocket;
        });
        if (slot == sockets.end()) {
            const int fd = udpSocket(v6 ? AF_INET6 : AF_INET);
            if (fd < 0)
                return refused(what + ": join socket");
            sockets.push_back({fd, 0});
            slot = std::prev(sockets.end());
        }
        if (!membership(slot->fd, true, ifindex, group, s ? &s->spec.address : nullptr))
            return refused(what);
        ++slot->memberships;
        memberships_[{ifindex, group}] = slot->fd;
        return true;
    }

    std::map<std::pair<int, IpAddress>, int>::iterator
    leave(std::map<std::pair<int, IpAddress>, int>::iterator it)
    {
        const auto &[ifindex, group] = it->first;
        if (!membership(it->second, false, ifindex, group, nullptr))
            refused("relay: leave " + group.toString() + " on interface " +
                    std::to_string(ifindex));
        // Whatever the kernel said, the socket's slot is free again; an empty socket closes.
        auto &sockets = joinSockets_[group.family() == Family::V6 ? 1 : 0];
        for (auto j = sockets.begin(); j != sockets.end(); ++j)
            if (j->fd == it->second) {
                if (--j->memberships == 0) {
                    ::close(j->fd);
                    sockets.erase(j);
                }
                break;
            }
        return memberships_.erase(it);
    }

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
                const IpAddress src = in_.from[k].address();
                const std::uint16_t srcPort = in_.from[k].port();
                if (own_.count({src, srcPort}) != 0) {
                    ++counters_.ownDropped;
                    continue;
                }
                int ifindex = -1;
                IpAddress group;
                std::optional<std::uint8_t> ttl;
                for (cmsghdr *c = CMSG_FIRSTHDR(&in_.msgs[k].msg_hdr); c != nullptr;
                     c = CMSG_NXTHDR(&in_.msgs[k].msg_hdr, c)) {
                    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                        in_pktinfo info{};
                        std::memcpy(&info, CMSG_DATA(c), sizeof info);
                        ifindex = info.ipi_ifindex;
                        group = IpAddress::v4(ntohl(info.ipi_addr.s_addr));
                    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                        in6_pktinfo info{};
                        std::memcpy(&info, CMSG_DATA(c), sizeof info);
                        ifindex = static_cast<int>(info.ipi6_ifindex);
                        std::array<std::uint8_t, 16> b{};
                        std::memcpy(b.data(), &info.ipi6_addr, 16);
                        group = IpAddress::v6(b);
                    } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                               (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
                        int value = 0;
                        std::memcpy(&value, CMSG_DATA(c), sizeof value);
                        if (value >= 0 && value <= 255)
                            ttl = static_cast<std::uint8_t>(value);
                    }
                }
                auto seg = ifindex_.find({ifindex, group.family() == Family::V6});
                if (seg == ifindex_.end() || !group.isMulticast()) {
                    ++counters_.otherInterface; // an interface not ours, or not multicast
                    continue;
                }
                packets_[count++] = SegmentPacket{seg->second,
                                                  src,
                                                  srcPort,
                                                  group,
                                                  port,
                                                  in_.bytes(k),
                                                  relaySources_.count({src, srcPort}) != 0,
                                                  ttl};
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
    std::vector<Segment> segments_; // as given to open()
    // What the relay asked to join on each segment (nullopt: every channel group).
    Joins wanted_;
    struct JoinSocket
    {
        int fd = -1;
        std::size_t memberships = 0; // at most kJoinsPerSocket
    };
    std::vector<JoinSocket> joinSockets_[2]; // IPv4, IPv6
    // Each membership by (interface index, group) (a group's family is its table's), with the
    // socket holding it.
    std::map<std::pair<int, IpAddress>, int> memberships_;
    SegmentJoins joins_;
    std::map<std::pair<int, bool>, std::size_t> ifindex_; // (ifindex, IPv6) -> segment
    std::set<std::pair<IpAddress, std::uint16_t>> own_;
    std::uint16_t emissionPort_ = 0;
    std::set<std::pair<IpAddress, std::uint16_t>> relaySources_;
    std::vector<std::unique_ptr<Watch>> watches_;
};

} // namespace

std::unique_ptr<SegmentIo> makeOsSegmentIo(asio::io_context &io, OsChannels channels,
                                           std::uint16_t emissionPort)
{
    return std::make_unique<OsSegmentIo>(io, std::move(channels), emissionPort);
}

} // namespace dmr::agent
