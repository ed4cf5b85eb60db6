// dmr-mcast: a multicast sender and receiver that numbers every datagram, for the namespace
// tests and benchmarks (run inside a namespace with `ip netns exec`), in IPv4 or IPv6 (the
// family of --group: 239.1.2.3 or ff15::1:1).
//
//   dmr-mcast send --group 239.1.2.3 --port 5000 --rate 500 --count 2000 [--iface eth0]
//                  [--ttl 1] [--sender ID]
//   dmr-mcast recv --group 239.1.2.3 --port 5000 [--iface eth0] [--count N] [--seconds S]
//
// A datagram's payload is one text line: "dmr-mcast 1 SENDER SEQ SEND_TIME_US" (SEQ from 1; the
// time is CLOCK_REALTIME in microseconds). The sender paces on an absolute schedule (datagram k
// leaves at start + k/rate, so a stall is caught up rather than stretching the run), and prints
// one JSON line at the end: {"event":"sent","count":...,"errors":...,"first_ms":...,"last_ms":...}.
//
// The receiver joins the group on one interface (--iface, or the one the kernel routes the group
// to, i.e. the default route's), with IP_MULTICAST_ALL (IPV6_MULTICAST_ALL) off so it gets only
// what that join brings. It prints {"event":"joined",...} once it is joined, then one JSON line
// per datagram, flushed at once: {"seq":17,"sender":"3","src":"10.0.1.3","iface":"eth0",
// "t_ms":...,"sent_ms":...} (t_ms: CLOCK_REALTIME at receipt, milliseconds with microsecond
// fraction; an IPv6 src in RFC 5952 form, "fd00:1::3"). In IPv6, --ttl is the hop limit
// (IPV6_MULTICAST_HOPS), and a link-local scope group (ff02::...) needs --iface. An IPv6 socket
// hears its group from every interface where the host joined it (the relay's own joins too), so
// with --iface an IPv6 receiver keeps only what arrived on that interface (the rest counted as
// "other_interface"): give --iface on a host with several.
// Datagrams that are not ours are counted, not printed. On SIGTERM/SIGINT, after --count
// datagrams, or after --seconds, it prints {"event":"summary","received":...,"foreign":...} and
// exits 0.

#include "clidoc_cli11.h"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

volatile std::sig_atomic_t g_stop = 0;

void onSignal(int)
{
    g_stop = 1;
}

std::int64_t realtimeUs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

std::string msText(std::int64_t us)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, "%" PRId64 ".%03d", us / 1000, static_cast<int>(us % 1000));
    return buf;
}

int fail(const std::string &what)
{
    std::fprintf(stderr, "dmr-mcast: %s\n", what.c_str());
    return 1;
}

struct Common
{
    std::string group;
    int port = 0;
    std::string iface;
};

// The group of --group, in either family.
struct Group
{
    int family = AF_INET;
    in_addr v4{};
    in6_addr v6{};
};

bool parseGroup(const Common &c, Group &group, std::string &error)
{
    if (::inet_pton(AF_INET, c.group.c_str(), &group.v4) == 1) {
        group.family = AF_INET;
        if ((ntohl(group.v4.s_addr) >> 28) != 0xe) {
            error = "--group " + c.group + ": not a multicast address (224.0.0.0/4)";
            return false;
        }
        return true;
    }
    if (::inet_pton(AF_INET6, c.group.c_str(), &group.v6) == 1) {
        group.family = AF_INET6;
        if (!IN6_IS_ADDR_MULTICAST(&group.v6)) {
            error = "--group " + c.group + ": not a multicast address (ff00::/8)";
            return false;
        }
        return true;
    }
    error = "--group \"" + c.group + "\": not an IPv4 or IPv6 address";
    return false;
}

// The interface index of --iface, 0 without one; false (and why) for an unknown name.
bool ifaceIndex(const Common &c, unsigned &index, std::string &error)
{
    index = 0;
    if (c.iface.empty())
        return true;
    index = ::if_nametoindex(c.iface.c_str());
    if (index == 0) {
        error = "--iface " + c.iface + ": no such interface";
        return false;
    }
    return true;
}

// IPV6_MULTICAST_ALL of <linux/in6.h> (Linux 4.20), which glibc's <netinet/in.h> may lack.
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

// Opens the sending socket in the group's family, hop limit and interface set, and fills `to`.
int openSender(const Common &c, const Group &group, int ttl, sockaddr_storage &to,
               socklen_t &toLength, std::string &error)
{
    unsigned index = 0;
    if (!ifaceIndex(c, index, error))
        return -1;
    const int fd = ::socket(group.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return -1;
    }
    auto failWith = [&](const std::string &what) {
        error = what;
        ::close(fd);
        return -1;
    };
    if (group.family == AF_INET) {
        const unsigned char ttlByte = static_cast<unsigned char>(ttl);
        if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttlByte, sizeof ttlByte) != 0)
            return failWith(std::string("IP_MULTICAST_TTL: ") + std::strerror(errno));
        if (index != 0) {
            ip_mreqn m{};
            m.imr_ifindex = static_cast<int>(index);
            if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) != 0)
                return failWith("IP_MULTICAST_IF " + c.iface + ": " + std::strerror(errno));
        }
        sockaddr_in to4{};
        to4.sin_family = AF_INET;
        to4.sin_port = htons(static_cast<std::uint16_t>(c.port));
        to4.sin_addr = group.v4;
        std::memcpy(&to, &to4, sizeof to4);
        toLength = sizeof to4;
        return fd;
    }
    const int hops = ttl;
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0)
        return failWith(std::string("IPV6_MULTICAST_HOPS: ") + std::strerror(errno));
    if (index != 0 && ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) != 0)
        return failWith("IPV6_MULTICAST_IF " + c.iface + ": " + std::strerror(errno));
    sockaddr_in6 to6{};
    to6.sin6_family = AF_INET6;
    to6.sin6_port = htons(static_cast<std::uint16_t>(c.port));
    to6.sin6_addr = group.v6;
    to6.sin6_scope_id = index;
    std::memcpy(&to, &to6, sizeof to6);
    toLength = sizeof to6;
    return fd;
}

int runSend(const Common &c, double rate, long count, int ttl, const std::string &sender)
{
    Group group;
    std::string error;
    if (!parseGroup(c, group, error))
        return fail(error);
    sockaddr_storage to{};
    socklen_t toLength = 0;
    const int fd = openSender(c, group, ttl, to, toLength, error);
    if (fd < 0)
        return fail(error);

    timespec start{};
    ::clock_gettime(CLOCK_MONOTONIC, &start);
    const std::int64_t startNs =
        static_cast<std::int64_t>(start.tv_sec) * 1000000000 + start.tv_nsec;
    const double intervalNs = 1e9 / rate;
    long errors = 0;
    std::int64_t firstUs = 0;
    std::int64_t lastUs = 0;
    std::string lastError;
    long sent = 0;
    for (long seq = 1; seq <= count && !g_stop; ++seq) {
        const std::int64_t dueNs = startNs + static_cast<std::int64_t>((seq - 1) * intervalNs);
        const timespec due{static_cast<time_t>(dueNs / 1000000000),
                           static_cast<long>(dueNs % 1000000000)};
        while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, nullptr) == EINTR &&
               !g_stop) {
        }
        const std::int64_t nowUs = realtimeUs();
        char payload[128];
        const int n = std::snprintf(payload, sizeof payload, "dmr-mcast 1 %s %ld %" PRId64 "\n",
                                    sender.c_str(), seq, nowUs);
        if (::sendto(fd, payload, static_cast<std::size_t>(n), 0,
                     reinterpret_cast<const sockaddr *>(&to), toLength) != n) {
            ++errors;
            lastError = std::strerror(errno);
            continue;
        }
        ++sent;
        if (firstUs == 0)
            firstUs = nowUs;
        lastUs = nowUs;
    }
    ::close(fd);
    std::printf(
        "{\"event\":\"sent\",\"count\":%ld,\"errors\":%ld,\"first_ms\":%s,\"last_ms\":%s%s}\n",
        sent, errors, msText(firstUs).c_str(), msText(lastUs).c_str(),
        lastError.empty() ? "" : (",\"last_error\":\"" + lastError + "\"").c_str());
    return errors == 0 ? 0 : 1;
}

// Opens the receiving socket in the group's family: bound to the group's port, joined on
// --iface (or the kernel's choice), only that join's datagrams, with the arrival interface.
int openReceiver(const Common &c, const Group &group, std::string &error)
{
    const auto failWith = [&](int fd, const std::string &what) {
        error = what;
        if (fd >= 0)
            ::close(fd);
        return -1;
    };
    if (group.family == AF_INET) {
        const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return failWith(fd, std::string("socket: ") + std::strerror(errno));
        const int one = 1;
        const int zero = 0;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0)
            return failWith(fd, std::string("IP_PKTINFO: ") + std::strerror(errno));
        // Only what our own join brings (the default, 1, delivers every group any socket
        // joined).
        if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero) != 0)
            return failWith(fd, std::string("IP_MULTICAST_ALL: ") + std::strerror(errno));
        int rcvbuf = 1 << 20;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_port = htons(static_cast<std::uint16_t>(c.port));
        local.sin_addr = group.v4;
        if (::bind(fd, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0)
            return failWith(fd, "bind " + c.group + ":" + std::to_string(c.port) + ": " +
                                    std::strerror(errno));
        ip_mreqn m{};
        m.imr_multiaddr = group.v4;
        if (!c.iface.empty()) {
            m.imr_ifindex = static_cast<int>(::if_nametoindex(c.iface.c_str()));
            if (m.imr_ifindex == 0)
                return failWith(fd, "--iface " + c.iface + ": no such interface");
        }
        if (::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) != 0)
            return failWith(fd, "IP_ADD_MEMBERSHIP " + c.group +
                                    (c.iface.empty() ? "" : " on " + c.iface) + ": " +
                                    std::strerror(errno));
        return fd;
    }
    unsigned index = 0;
    if (!ifaceIndex(c, index, error))
        return -1;
    // Interface- and link-local scope (ff01::/16, ff02::/16): the group exists on one link.
    const bool linkScope = (group.v6.s6_addr[1] & 0x0f) <= 2;
    if (linkScope && index == 0)
        return failWith(-1, "--group " + c.group +
                                ": a link-local scope group needs --iface (which link's?)");
    const int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return failWith(fd, std::string("socket: ") + std::strerror(errno));
    const int one = 1;
    const int zero = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) != 0)
        return failWith(fd, std::string("IPV6_RECVPKTINFO: ") + std::strerror(errno));
    // As IP_MULTICAST_ALL; a kernel older than 4.20 lacks it (ENOPROTOOPT) and delivers every
    // group a socket of this port joined, which a lone receiver does not notice.
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof zero) != 0 &&
        errno != ENOPROTOOPT)
        return failWith(fd, std::string("IPV6_MULTICAST_ALL: ") + std::strerror(errno));
    int rcvbuf = 1 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in6 local{};
    local.sin6_family = AF_INET6;
    local.sin6_port = htons(static_cast<std::uint16_t>(c.port));
    local.sin6_addr = group.v6;
    local.sin6_scope_id = linkScope ? index : 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0)
        return failWith(fd, "bind [" + c.group + "]:" + std::to_string(c.port) + ": " +
                                std::strerror(errno));
    ipv6_mreq m{};
    m.ipv6mr_multiaddr = group.v6;
    m.ipv6mr_interface = index;
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m) != 0)
        return failWith(fd, "IPV6_JOIN_GROUP " + c.group +
                                (c.iface.empty() ? "" : " on " + c.iface) + ": " +
                                std::strerror(errno));
    return fd;
}

int runRecv(const Common &c, long count, double seconds)
{
    Group group;
    std::string error;
    if (!parseGroup(c, group, error))
        return fail(error);
    const int fd = openReceiver(c, group, error);
    if (fd < 0)
        return fail(error);
    // The group as the kernel has it: an IPv6 one in RFC 5952 form.
    char groupText[INET6_ADDRSTRLEN] = {};
    if (group.family == AF_INET6)
        ::inet_ntop(AF_INET6, &group.v6, groupText, sizeof groupText);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::printf(
        "{\"event\":\"joined\",\"group\":\"%s\",\"port\":%d,\"iface\":\"%s\",\"t_ms\":%s}\n",
        group.family == AF_INET6 ? groupText : c.group.c_str(), c.port, c.iface.c_str(),
        msText(realtimeUs()).c_str());

    long received = 0;
    long foreign = 0;
    long truncated = 0;
    long otherInterface = 0; // IPv6: arrived on another interface than --iface
    unsigned joinedOn = 0;
    if (!ifaceIndex(c, joinedOn, error))
        return fail(error);
    const std::int64_t endUs =
        seconds > 0 ? realtimeUs() + static_cast<std::int64_t>(seconds * 1e6) : 0;
    char buf[2048];
    char control[256];
    while (!g_stop && (count <= 0 || received < count)) {
        int waitMs = 200;
        if (endUs != 0) {
            const std::int64_t left = endUs - realtimeUs();
            if (left <= 0)
                break;
            waitMs = static_cast<int>(std::min<std::int64_t>(200, left / 1000 + 1));
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, waitMs) <= 0)
            continue;
        sockaddr_storage from{};
        iovec iov{buf, sizeof buf - 1};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd, &msg, 0);
        if (n < 0)
            continue;
        const std::int64_t nowUs = realtimeUs();
        if ((msg.msg_flags & MSG_TRUNC) != 0) {
            ++truncated;
            continue;
        }
        buf[n] = '\0';
        char sender[65] = {};
        long seq = 0;
        std::int64_t sentUs = 0;
        if (std::sscanf(buf, "dmr-mcast 1 %64s %ld %" SCNd64, sender, &seq, &sentUs) != 3) {
            ++foreign;
            continue;
        }
        char ifname[IF_NAMESIZE + 1] = "?";
        int arrivedOn = -1;
        for (cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
            int index = -1;
            if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
                in_pktinfo info{};
                std::memcpy(&info, CMSG_DATA(cm), sizeof info);
                index = info.ipi_ifindex;
            } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
                in6_pktinfo info{};
                std::memcpy(&info, CMSG_DATA(cm), sizeof info);
                index = static_cast<int>(info.ipi6_ifindex);
            }
            if (index >= 0 && ::if_indextoname(static_cast<unsigned>(index), ifname) == nullptr)
                std::snprintf(ifname, sizeof ifname, "%d", index);
            if (index >= 0)
                arrivedOn = index;
        }
        // An IPv6 socket hears a group from every interface where the host joined it (the
        // kernel's membership check does not look at the interface): with --iface, only what
        // arrived there is this join's, as with IPv4.
        if (group.family == AF_INET6 && joinedOn != 0 && arrivedOn >= 0 &&
            static_cast<unsigned>(arrivedOn) != joinedOn) {
            ++otherInterface;
            continue;
        }
        // inet_ntop writes IPv6 in RFC 5952 form (lower case, the longest run of two or more
        // zero groups as ::, an IPv4-mapped address as ::ffff:a.b.c.d).
        char src[INET6_ADDRSTRLEN] = {};
        if (from.ss_family == AF_INET6)
            ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 *>(&from)->sin6_addr, src,
                        sizeof src);
        else
            ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in *>(&from)->sin_addr, src,
                        sizeof src);
        ++received;
        std::printf("{\"seq\":%ld,\"sender\":\"%s\",\"src\":\"%s\",\"iface\":\"%s\",\"t_ms\":%s,"
                    "\"sent_ms\":%s}\n",
                    seq, sender, src, ifname, msText(nowUs).c_str(), msText(sentUs).c_str());
    }
    std::printf("{\"event\":\"summary\",\"received\":%ld,\"foreign\":%ld,\"truncated\":%ld,"
                "\"other_interface\":%ld}\n",
                received, foreign, truncated, otherInterface);
    ::close(fd);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"dmr-mcast: numbered multicast datagrams, sent at a steady rate or received "
                 "and logged as JSON lines"};
    app.require_subcommand(1);
    Common send;
    Common recv;
    double rate = 500;
    long sendCount = 2000;
    int ttl = 1;
    std::string sender = "?";
    long recvCount = 0;
    double seconds = 0;
    auto addCommon = [](CLI::App *sub, Common &c) {
        sub->add_option("--group", c.group, "Multicast group, IPv4 (239.1.0.7) or IPv6 (ff15::1:1)")
            ->required();
        sub->add_option("--port", c.port, "UDP port")->required()->check(CLI::Range(1, 65535));
        sub->add_option("--iface", c.iface, "Interface (default: the kernel's route to the group)");
    };
    auto *s = app.add_subcommand("send", "Send COUNT numbered datagrams at RATE per second");
    addCommon(s, send);
    s->add_option("--rate", rate, "Datagrams per second")->check(CLI::Range(0.1, 1000000.0));
    s->add_option("--count", sendCount, "Datagrams to send")->check(CLI::Range(1L, 100000000L));
    s->add_option("--ttl", ttl, "Multicast TTL (IPv6: the hop limit)")->check(CLI::Range(1, 255));
    s->add_option("--sender", sender, "Sender name put in every datagram (no spaces, 64 max)")
        ->check([](const std::string &v) {
            return v.empty() || v.size() > 64 || v.find_first_of(" \t\n") != std::string::npos
                       ? std::string("1 to 64 characters, no spaces")
                       : std::string();
        });
    auto *r = app.add_subcommand("recv", "Join the group and log every numbered datagram");
    addCommon(r, recv);
    r->add_option("--count", recvCount, "Exit after this many datagrams (0: never)");
    r->add_option("--seconds", seconds, "Exit after this many seconds (0: never)");
    if (auto rc = dmr::clidoc::printIfAsked(app, "dmr-mcast", DMR_VERSION, argc, argv))
        return *rc;
    CLI11_PARSE(app, argc, argv);

    struct sigaction sa
    {
    };
    sa.sa_handler = onSignal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    if (s->parsed())
        return runSend(send, rate, sendCount, ttl, sender);
    return runRecv(recv, recvCount, seconds);
}
