// dmr-mcast: a multicast sender and receiver that numbers every datagram, for the namespace
// tests and benchmarks (run inside a namespace with `ip netns exec`).
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
// to, i.e. the default route's), with IP_MULTICAST_ALL off so it gets only what that join
// brings. It prints {"event":"joined",...} once it is joined, then one JSON line per datagram,
// flushed at once: {"seq":17,"sender":"3","src":"10.0.1.3","iface":"eth0","t_ms":...,
// "sent_ms":...} (t_ms: CLOCK_REALTIME at receipt, milliseconds with microsecond fraction).
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

bool parseGroup(const Common &c, in_addr &group, std::string &error)
{
    if (::inet_pton(AF_INET, c.group.c_str(), &group) != 1) {
        error = "--group \"" + c.group + "\": not an IPv4 address";
        return false;
    }
    if ((ntohl(group.s_addr) >> 28) != 0xe) {
        error = "--group " + c.group + ": not a multicast address (224.0.0.0/4)";
        return false;
    }
    return true;
}

int runSend(const Common &c, double rate, long count, int ttl, const std::string &sender)
{
    in_addr group{};
    std::string error;
    if (!parseGroup(c, group, error))
        return fail(error);
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(std::string("socket: ") + std::strerror(errno));
    const unsigned char ttlByte = static_cast<unsigned char>(ttl);
    if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttlByte, sizeof ttlByte) != 0)
        return fail(std::string("IP_MULTICAST_TTL: ") + std::strerror(errno));
    if (!c.iface.empty()) {
        ip_mreqn m{};
        m.imr_ifindex = static_cast<int>(::if_nametoindex(c.iface.c_str()));
        if (m.imr_ifindex == 0)
            return fail("--iface " + c.iface + ": no such interface");
        if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) != 0)
            return fail("IP_MULTICAST_IF " + c.iface + ": " + std::strerror(errno));
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(c.port));
    to.sin_addr = group;

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
                     reinterpret_cast<const sockaddr *>(&to), sizeof to) != n) {
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

int runRecv(const Common &c, long count, double seconds)
{
    in_addr group{};
    std::string error;
    if (!parseGroup(c, group, error))
        return fail(error);
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(std::string("socket: ") + std::strerror(errno));
    const int one = 1;
    const int zero = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0)
        return fail(std::string("IP_PKTINFO: ") + std::strerror(errno));
    // Only what our own join brings (the default, 1, delivers every group any socket joined).
    if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero) != 0)
        return fail(std::string("IP_MULTICAST_ALL: ") + std::strerror(errno));
    int rcvbuf = 1 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(static_cast<std::uint16_t>(c.port));
    local.sin_addr = group;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0)
        return fail("bind " + c.group + ":" + std::to_string(c.port) + ": " + std::strerror(errno));
    ip_mreqn m{};
    m.imr_multiaddr = group;
    if (!c.iface.empty()) {
        m.imr_ifindex = static_cast<int>(::if_nametoindex(c.iface.c_str()));
        if (m.imr_ifindex == 0)
            return fail("--iface " + c.iface + ": no such interface");
    }
    if (::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) != 0)
        return fail("IP_ADD_MEMBERSHIP " + c.group + (c.iface.empty() ? "" : " on " + c.iface) +
                    ": " + std::strerror(errno));
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::printf(
        "{\"event\":\"joined\",\"group\":\"%s\",\"port\":%d,\"iface\":\"%s\",\"t_ms\":%s}\n",
        c.group.c_str(), c.port, c.iface.c_str(), msText(realtimeUs()).c_str());

    long received = 0;
    long foreign = 0;
    long truncated = 0;
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
        sockaddr_in from{};
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
        for (cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
                in_pktinfo info{};
                std::memcpy(&info, CMSG_DATA(cm), sizeof info);
                if (::if_indextoname(static_cast<unsigned>(info.ipi_ifindex), ifname) == nullptr)
                    std::snprintf(ifname, sizeof ifname, "%d", info.ipi_ifindex);
            }
        }
        char src[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &from.sin_addr, src, sizeof src);
        ++received;
        std::printf("{\"seq\":%ld,\"sender\":\"%s\",\"src\":\"%s\",\"iface\":\"%s\",\"t_ms\":%s,"
                    "\"sent_ms\":%s}\n",
                    seq, sender, src, ifname, msText(nowUs).c_str(), msText(sentUs).c_str());
    }
    std::printf("{\"event\":\"summary\",\"received\":%ld,\"foreign\":%ld,\"truncated\":%ld}\n",
                received, foreign, truncated);
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
        sub->add_option("--group", c.group, "IPv4 multicast group")->required();
        sub->add_option("--port", c.port, "UDP port")->required()->check(CLI::Range(1, 65535));
        sub->add_option("--iface", c.iface, "Interface (default: the kernel's route to the group)");
    };
    auto *s = app.add_subcommand("send", "Send COUNT numbered datagrams at RATE per second");
    addCommon(s, send);
    s->add_option("--rate", rate, "Datagrams per second")->check(CLI::Range(0.1, 1000000.0));
    s->add_option("--count", sendCount, "Datagrams to send")->check(CLI::Range(1L, 100000000L));
    s->add_option("--ttl", ttl, "Multicast TTL")->check(CLI::Range(1, 255));
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
