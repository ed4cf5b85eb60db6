// dmr-bench-relay: DMR's relay against a minimal baseline relay, on loopback, in one run on one
// machine. A benchmark program, not a test: it prints every figure, the ratios and the targets.
//
//   dmr-bench-relay [--datagrams 200000] [--samples 3000] [--runs 3]
//                   [--variants mac,off,encrypt,no-offload] [--directions ingress,egress,runs]
//                   [--payloads 64,1200] [--no-latency]
//
// Every relay runs in a process of its own (fork), as it would on a node: DMR's is the agent's
// RelayDataPlane (backend/agent/relay_data_plane.h) on its own io_context in loopback mode,
// given its part of a plan by hand (routes and tunnels, as the agent would give it); the
// baseline is baselineRelay() below: recvmmsg and sendmmsg in a loop, no logic at all, the
// same batch size. Both forward the same segment frames (relay::encodeSegmentFrame) on the same
// loopback segments (relay::loopbackSegment).
//
// DMR's relay in up to three variants: "mac", as an agent runs it (every tunnel datagram sealed
// and verified with AES-256-GCM, tunnel_crypto.h, and UDP offload on where the kernel has it);
// "off", the same without the MAC (the data plane's Trust::authenticate = false, which no
// configuration can set: here it shows what the MAC costs); "encrypt", with relay.encrypt (the
// payload encrypted too); "no-offload", mac with relay.udp_offload = false (one datagram per
// send: what GSO and GRO bring). The targets are the "mac" variant's.
//
// Throughput, datagrams per second through one relay process, 64 B and 1,200 B payloads:
//   ingress  a sender process blasts N segment frames on network A's segment; the relay (the
//            system leader, routing A, root of one tunnel) tunnels them to a sink that counts;
//   egress   a sender process blasts N tunnel datagrams at the relay (a leaf routing B), each
//            sealed as the root would (in the sender, before its clock-free blast: a sender that
//            sealed as it went would measure itself); the relay emits them on B's segment,
//            where the sink counts;
//   runs     egress, but the sender sends as a DMR root does where the kernel has UDP GSO: runs
//            of datagrams in one send. The baseline's socket gets them one by one as before (the
//            kernel cuts the runs at its socket); DMR's tunnel socket (UDP GRO) takes each run
//            in as one buffer.
//   The rate is what reached the sink divided by the time from its first to its last datagram
//   (a relay that cannot keep up drops at its socket: the carried rate is what counts). Best of
//   --runs runs, each direction and size.
// Latency, one datagram at a time (send, wait for it, next), from the sender on A's segment to a
// receiver on B's segment, in this process (one clock): directly (A and B the same segment: no
// relay), through one tunnel hop (A's leader -> B's leader: two relay processes) and two hops
// (A's leader -> the system leader -> B's leader: three). Added latency = the path's minus the
// direct path's, at p50 and p99; per hop: divided by the number of tunnel hops.
//
// The kernel's ceiling: a sender straight to the sink, no relay (the row "kernel").
//
// --family 6: the same runs with IPv6 networks (fd00:1::/64, ...) and an IPv6 channel
// (ff15::1:2): DMR's relay speaks the IPv6 wire format (tunnel format 3 with 16-byte addresses,
// segment frames of version 2) and the baseline forwards the same, larger, frames. The
// transport stays the loopback mode's (127.0.0.1) for both, as an agent in loopback mode runs.
//
// Targets: DMR carries at least 1.0x the baseline's datagrams at 64 B and 1.5x at 1,200 B (and
// at the least 0.8x, authenticated); its added latency per hop is at most 1.2x the baseline's at
// p50. The ratios are judged on the CPU per datagram (what one idle core would carry): on a
// 2-core machine the sender, the relay and the sink share two cores and the rate is often the
// sender's; both are printed.

#include "relay_data_plane.h"
#include "segment_io.h"
#include "tunnel_crypto.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace dmr;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kBatch = 64;
constexpr std::size_t kBufBytes = 2048;
const std::string kClusterKey = "dmr-bench-relay cluster key";

// How DMR's relay runs (see the top).
enum class Variant { Mac, Off, Encrypt, NoOffload };
const char *nameOf(Variant v)
{
    return v == Variant::Mac       ? "mac"
           : v == Variant::Off     ? "off"
           : v == Variant::Encrypt ? "encrypt"
                                   : "no-offload";
}

// --family 6 (set in main, before any child): IPv6 networks and channel.
bool &ipv6()
{
    static bool on = false;
    return on;
}
std::string channelText()
{
    return ipv6() ? "[ff15::1:2]:5000" : "239.1.2.3:5000";
}
std::string channelRange()
{
    return ipv6() ? "ff15::1:0/112:5000-5100" : "239.1.0.0/16:5000-5100";
}

// Chosen once, in the parent: every child's segments must be the parent's.
const std::string &cluster()
{
    static const std::string name = "bench-" + std::to_string(::getpid());
    return name;
}

sockaddr_in v4(std::uint32_t host, std::uint16_t port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(host);
    a.sin_port = htons(port);
    return a;
}

// A blocking UDP socket bound to 127.0.0.1:port (0: any free port).
int unicastSocket(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int big = 8 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    const sockaddr_in at = v4(INADDR_LOOPBACK, port);
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&at), sizeof at) != 0) {
        std::perror("bind");
        ::_exit(1);
    }
    return fd;
}

// A blocking socket joined to a network's loopback segment.
int segmentSocket(const GroupName &network)
{
    const auto seg = relay::loopbackSegment(cluster(), network);
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1;
    int zero = 0;
    int big = 8 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    const sockaddr_in at = v4(seg.group, seg.port);
    ip_mreq m{};
    m.imr_multiaddr.s_addr = htonl(seg.group);
    m.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&at), sizeof at) != 0 ||
        ::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) != 0) {
        std::perror("segment socket");
        ::_exit(1);
    }
    return fd;
}

// A socket that sends to segments (multicast out of 127.0.0.1) and to unicast ports.
int senderSocket()
{
    const int fd = unicastSocket(0);
    in_addr lo{};
    lo.s_addr = htonl(INADDR_LOOPBACK);
    ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo);
    return fd;
}

sockaddr_in segmentAddress(const GroupName &network)
{
    const auto seg = relay::loopbackSegment(cluster(), network);
    return v4(seg.group, seg.port);
}

// ---- The minimal baseline relay ---------------------------------------------------------------

// recvmmsg from `in`, sendmmsg all of it to `to` through `out`. No parsing, no decision.
[[noreturn]] void baselineRelay(int in, int out, sockaddr_in to)
{
    static char buf[kBatch][kBufBytes];
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    for (;;) {
        for (std::size_t i = 0; i < kBatch; ++i) {
            iov[i] = {buf[i], kBufBytes};
            msgs[i].msg_hdr = {};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        const int n = ::recvmmsg(in, msgs, kBatch, MSG_WAITFORONE, nullptr);
        if (n <= 0)
            continue;
        for (int i = 0; i < n; ++i) {
            iov[i].iov_len = msgs[i].msg_len;
            msgs[i].msg_hdr.msg_name = &to;
            msgs[i].msg_hdr.msg_namelen = sizeof to;
        }
        for (int sent = 0; sent < n;) {
            const int k = ::sendmmsg(out, msgs + sent, static_cast<unsigned>(n - sent), 0);
            if (k <= 0)
                break;
            sent += k;
        }
    }
}

// ---- DMR's relay -------------------------------------------------------------------------------

struct DmrNode
{
    NodeId id;
    Interface iface; // the network it is on (and routes, when `routes`)
    bool routes = true;
    std::uint16_t port = 0;     // its tunnel port
    std::vector<NodeId> leaves; // it roots tunnels to these
    NodeId root;                // or is the leaf of this one
    std::uint64_t epoch = 0;    // its relay epoch (fixed here: the sender seals for it)
};

// Every node's epoch, as the agents' metas would say.
void numberEpochs(std::map<NodeId, DmrNode> &all)
{
    std::uint64_t e = 1000;
    for (auto &[id, n] : all)
        n.epoch = ++e;
}

Endpoint endpointOf(const DmrNode &n)
{
    return {n.id, n.iface.name, n.iface.address.address()};
}

[[noreturn]] void dmrRelay(const DmrNode &self, const std::map<NodeId, DmrNode> &all,
                           Variant variant)
{
    agent::asio::io_context io(1);
    agent::AgentConfig::RelaySection config;
    config.enabled = true;
    config.mode = agent::RelayMode::Loopback;
    config.channels = {*relay::ChannelRange::parse(channelRange())};
    config.port = self.port;
    config.probeIntervalMs = 0;
    config.encrypt = variant == Variant::Encrypt;
    config.udpOffload = variant != Variant::NoOffload;
    const auto t0 = Clock::now();
    // Its warning (authentication off) once per relay would clutter the table: main() says it.
    const int stderrFd = ::dup(2);
    if (variant == Variant::Off)
        if (const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC); null >= 0) {
            ::dup2(null, 2);
            ::close(null);
        }
    agent::RelayDataPlane plane(
        io, self.id, config, agent::makeLoopbackSegmentIo(io, cluster()),
        [&all](const NodeId &n) -> std::optional<agent::RelayDataPlane::Peer> {
            auto it = all.find(n);
            if (it == all.end())
                return std::nullopt;
            return agent::RelayDataPlane::Peer{
                it->second.port, true, it->second.epoch, {IpAddress::v4(INADDR_LOOPBACK)}};
        },
        [t0] {
            return static_cast<std::int64_t>(
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
        },
        agent::RelayDataPlane::Trust{kClusterKey, variant != Variant::Off,
                                     [epoch = self.epoch](std::uint64_t) { return epoch; }});
    ::dup2(stderrFd, 2);
    ::close(stderrFd);
    if (auto r = plane.start({self.iface}); !r) {
        std::cerr << "dmr relay " << self.id << ": " << r.error().message << "\n";
        ::_exit(1);
    }
    std::vector<Action> actions;
    if (self.routes) {
        Action a;
        a.kind = Action::Kind::Route;
        a.route = {self.id, self.iface.name, self.iface.group()};
        actions.push_back(a);
    }
    auto tunnel = [&](const DmrNode &root, const DmrNode &leaf) {
        Action a;
        a.kind = Action::Kind::OpenTunnel;
        a.tunnel = {endpointOf(root), endpointOf(leaf), {leaf.iface.group()}};
        actions.push_back(a);
    };
    for (const auto &leaf : self.leaves)
        tunnel(self, all.at(leaf));
    if (!self.root.empty())
        tunnel(all.at(self.root), self);
    for (const auto &e : plane.apply(actions))
        std::cerr << "dmr relay " << self.id << ": " << e << "\n";
    io.run();
    ::_exit(0);
}

// ---- Processes ---------------------------------------------------------------------------------

std::vector<pid_t> g_children;

template<typename F>
void spawn(F body)
{
    std::cout.flush();
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        body();
        ::_exit(0);
    }
    g_children.push_back(pid);
}

// Kills and reaps every child; returns the first one's CPU time (user + system), seconds: in a
// throughput run, the relay's.
double stopChildren()
{
    for (pid_t p : g_children)
        ::kill(p, SIGKILL);
    double firstCpu = 0;
    for (std::size_t i = 0; i < g_children.size(); ++i) {
        rusage use{};
        ::wait4(g_children[i], nullptr, 0, &use);
        if (i == 0)
            firstCpu = static_cast<double>(use.ru_utime.tv_sec + use.ru_stime.tv_sec) +
                       static_cast<double>(use.ru_utime.tv_usec + use.ru_stime.tv_usec) / 1e6;
    }
    g_children.clear();
    return firstCpu;
}

void settle()
{
    // The relays bind and join, and the handover window after their plan change ends (relay
    // data planes check local ingests for a second routing point for a second after a change):
    // what is measured is the steady state.
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
}

// ---- Throughput --------------------------------------------------------------------------------

// Sends `count` copies of `datagram` to `to`, in sendmmsg batches, as fast as it can.
[[noreturn]] void blast(sockaddr_in to, std::vector<std::uint8_t> datagram, std::size_t count)
{
    const int fd = senderSocket();
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    for (std::size_t i = 0; i < kBatch; ++i) {
        iov[i] = {datagram.data(), datagram.size()};
        msgs[i].msg_hdr = {};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &to;
        msgs[i].msg_hdr.msg_namelen = sizeof to;
    }
    std::size_t sent = 0;
    while (sent < count) {
        const auto n = static_cast<unsigned>(std::min<std::size_t>(kBatch, count - sent));
        const int k = ::sendmmsg(fd, msgs, n, 0);
        if (k > 0)
            sent += static_cast<std::size_t>(k);
    }
    ::_exit(0);
}

struct Carried
{
    std::size_t received = 0;
    double seconds = 0;
    double relayCpuSeconds = 0; // the relay process's, over the whole run
    double rate() const { return seconds > 0 ? static_cast<double>(received) / seconds : 0; }
    // CPU the relay spent per datagram it carried: what it would cost on an idle core, which a
    // machine shared with other work shows better than the rate.
    double cpuUsPerDatagram() const
    {
        return received > 0 ? relayCpuSeconds * 1e6 / static_cast<double>(received) : 0;
    }
};

// Counts the datagrams of at least minBytes that arrive on fd, but a tunnel's keepalives and
// carries (which, with their tag, can be as long as a 64-byte datagram), until it is quiet for
// 300 ms (or 30 s pass).
Carried sink(int fd, std::size_t minBytes)
{
    static char buf[kBatch][kBufBytes];
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    Carried c;
    Clock::time_point first;
    Clock::time_point last;
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
        const auto now = Clock::now();
        if (c.received == 0 ? now - start > std::chrono::seconds(5)
                            : now - last > std::chrono::milliseconds(300))
            break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0)
            continue;
        for (std::size_t i = 0; i < kBatch; ++i) {
            iov[i] = {buf[i], kBufBytes};
            msgs[i].msg_hdr = {};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        const int n = ::recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
        std::size_t data = 0;
        for (int i = 0; i < n; ++i) {
            const auto *d = reinterpret_cast<const std::uint8_t *>(buf[i]);
            const bool tunnelControl = msgs[i].msg_len >= 4 && d[0] == 'D' && d[1] == 'R' &&
                                       d[3] != static_cast<std::uint8_t>(relay::Kind::Data);
            data += msgs[i].msg_len >= minBytes && !tunnelControl ? 1 : 0;
        }
        if (data == 0)
            continue;
        last = Clock::now();
        if (c.received == 0)
            first = last;
        c.received += data;
    }
    c.seconds = std::chrono::duration<double>(last - first).count();
    return c;
}

GroupName kA = "10.0.1.0/24";
GroupName kB = "10.0.2.0/24";
GroupName kN = "10.0.9.0/24";

// "10.0.X.Y/24", or "fd00:X::Y/64" with --family 6.
Interface ifaceOn(const char *address)
{
    auto a = *InterfaceAddress::parse(address);
    if (ipv6())
        a = *InterfaceAddress::parse("fd00:" + std::to_string(a.address().bytes()[2]) +
                                     "::" + std::to_string(a.address().bytes()[3]) + "/64");
    return Interface{"eth0", a};
}

std::vector<std::uint8_t> segmentFrame(std::size_t payloadBytes)
{
    std::vector<std::uint8_t> payload(payloadBytes, 0x5a);
    const auto ch = *relay::Channel::parse(channelText());
    std::vector<std::uint8_t> frame(relay::segmentHeaderBytes(ch.group) + payloadBytes);
    relay::encodeSegmentFrame(ch.group, ch.port, 4242, payload, frame);
    return frame;
}

// Tunnel datagrams as node `from` (the root) sends them to `to`: every one with its own origin
// and hop sequence (the dedupe and replay windows drop repeats), sealed for the variant.
class RootSender
{
public:
    RootSender(const DmrNode &from, const DmrNode &to, Variant variant)
        : from_(from)
        , to_(to)
        , variant_(variant)
    {
        if (variant != Variant::Off) {
            auto k = agent::TunnelKey::derive(kClusterKey, from.id, to.id, from.epoch, to.epoch);
            if (!k) {
                std::cerr << k.error().message << "\n";
                ::_exit(1);
            }
            key_ = std::move(k).value();
        }
    }

    // What a root says first: the leaf carries these networks (relay.h, "Handover").
    std::vector<std::uint8_t> carry(const std::set<GroupName> &networks)
    {
        relay::Header h = header(relay::Kind::Carry);
        const auto payload = relay::encodeCarry(networks);
        std::vector<std::uint8_t> out(relay::kTunnelDatagramBytesMax);
        out.resize(relay::encode(h, payload, out));
        seal(out, relay::headerBytes(h), false);
        return out;
    }

    // count data datagrams of payloadBytes, sealed, one after the other in `out` (stride:
    // the datagram's size).
    std::size_t data(std::size_t payloadBytes, std::size_t count, std::vector<std::uint8_t> &out)
    {
        const std::vector<std::uint8_t> payload(payloadBytes, 0x5a);
        relay::Header h = header(relay::Kind::Data);
        h.originNetwork = Prefix::parse(kN)->address();
        h.originPrefixLength = static_cast<std::uint8_t>(Prefix::parse(kN)->length());
        h.source = ifaceOn("10.0.9.7/24").address.address(); // an application on N
        h.group = relay::Channel::parse(channelText())->group;
        h.port = 5000;
        const bool encrypt = variant_ == Variant::Encrypt;
        h.flags = encrypt ? relay::kFlagEncrypted : 0;
        const std::size_t size = relay::datagramBytes(h, payloadBytes);
        out.assign(size * count, 0);
        for (std::size_t i = 0; i < count; ++i) {
            h.sequence = ++sequence_;
            std::span<std::uint8_t> d(out.data() + i * size, size);
            relay::encode(h, payload, d);
            seal(d, relay::headerBytes(h), encrypt);
        }
        return size;
    }

private:
    relay::Header header(relay::Kind kind) const
    {
        relay::Header h;
        h.kind = kind;
        h.origin = from_.id;
        h.hop = from_.id;
        h.epoch = from_.epoch;
        return h;
    }
    void seal(std::span<std::uint8_t> d, std::size_t headerBytes, bool encrypt)
    {
        ++hopSequence_;
        relay::setHopFields(d, from_.epoch, to_.epoch, hopSequence_);
        if (key_ &&
            !key_->seal(d, headerBytes, encrypt, relay::tunnelNonce(from_.epoch, hopSequence_))) {
            std::cerr << "seal failed\n";
            ::_exit(1);
        }
    }
    DmrNode from_;
    DmrNode to_;
    Variant variant_;
    std::unique_ptr<agent::TunnelKey> key_;
    std::uint64_t sequence_ = 0;
    std::uint64_t hopSequence_ = 0;
};

enum class Direction { Ingress, Egress, Runs };

const char *nameOf(Direction d)
{
    return d == Direction::Ingress ? "ingress" : d == Direction::Egress ? "egress" : "runs";
}

// Sends `count` datagrams of `size` bytes each, back to back in `data` (or `data` itself, `count`
// times, when it is one datagram), to `to` from fd: with
// runs, as DMR's relay sends where the kernel has UDP GSO (up to 64 datagrams or 65,000 bytes
// per send, one size: agent::udp::SendBatch); else one datagram per message, sendmmsg batches.
void sendAll(int fd, sockaddr_in to, const std::vector<std::uint8_t> &data, std::size_t size,
             std::size_t count, bool runs)
{
    mmsghdr msgs[kBatch];
    iovec iov[kBatch * kBatch];
    alignas(cmsghdr) std::uint8_t control[kBatch][CMSG_SPACE(sizeof(std::uint16_t))];
    const std::size_t perRun =
        runs ? std::min<std::size_t>(agent::udp::kGsoSegmentsMax, agent::udp::kGsoBytesMax / size)
             : 1;
    std::size_t sent = 0;
    while (sent < count) {
        std::size_t n = 0;
        std::size_t queued = 0;
        while (n < kBatch && sent + queued < count) {
            const std::size_t len = std::min(perRun, count - sent - queued);
            for (std::size_t i = 0; i < len; ++i)
                iov[n * kBatch + i] = {const_cast<std::uint8_t *>(data.data()) +
                                           (data.size() == size ? 0 : (sent + queued + i) * size),
                                       size};
            msgs[n].msg_hdr = {};
            msgs[n].msg_hdr.msg_iov = &iov[n * kBatch];
            msgs[n].msg_hdr.msg_iovlen = len;
            msgs[n].msg_hdr.msg_name = &to;
            msgs[n].msg_hdr.msg_namelen = sizeof to;
            if (len > 1) {
                msgs[n].msg_hdr.msg_control = control[n];
                msgs[n].msg_hdr.msg_controllen = sizeof control[n];
                cmsghdr *c = CMSG_FIRSTHDR(&msgs[n].msg_hdr);
                c->cmsg_level = SOL_UDP;
                c->cmsg_type = UDP_SEGMENT;
                c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
                const auto segment = static_cast<std::uint16_t>(size);
                std::memcpy(CMSG_DATA(c), &segment, sizeof segment);
            }
            msgs[n].msg_len = 0;
            queued += len;
            ++n;
        }
        const int k = ::sendmmsg(fd, msgs, static_cast<unsigned>(n), 0);
        for (int i = 0; i < k; ++i)
            sent += msgs[i].msg_hdr.msg_iovlen;
    }
}

// One throughput run: the relay (DMR's in `variant`, or the baseline) in a child, the sender in
// another, the sink here.
Carried throughputRun(std::optional<Variant> dmr, Direction dir, std::size_t payloadBytes,
                      std::size_t count, std::uint16_t basePort)
{
    const std::uint16_t relayPort = basePort;
    const std::uint16_t sinkPort = basePort + 1;
    if (dir == Direction::Ingress) {
        // Sender -> A's segment -> relay (routes A, roots a tunnel to the sink) -> sink.
        const int sinkFd = unicastSocket(sinkPort);
        if (dmr) {
            std::map<NodeId, DmrNode> all;
            all["r"] = {"r", ifaceOn("10.0.1.1/24"), true, relayPort, {"s"}, "", 0};
            all["s"] = {"s", ifaceOn("10.0.2.2/24"), false, sinkPort, {}, "r", 0};
            numberEpochs(all);
            spawn([&] { dmrRelay(all.at("r"), all, *dmr); });
        } else {
            spawn([&] {
                baselineRelay(segmentSocket(kA), senderSocket(), v4(INADDR_LOOPBACK, sinkPort));
            });
        }
        settle();
        const auto frame = segmentFrame(payloadBytes);
        spawn([&] { blast(segmentAddress(kA), frame, count); });
        Carried c = sink(sinkFd, payloadBytes);
        c.relayCpuSeconds = stopChildren();
        ::close(sinkFd);
        return c;
    }
    // Sender -> the relay's tunnel port -> relay (a leaf routing B) -> B's segment -> sink.
    const int sinkFd = segmentSocket(kB);
    std::unique_ptr<agent::LoopbackSegmentSocket> listener;
    if (dmr) {
        std::map<NodeId, DmrNode> all;
        all["r"] = {"r", ifaceOn("10.0.2.1/24"), true, relayPort, {}, "s", 0};
        all["s"] = {"s", ifaceOn("10.0.9.9/24"), false, sinkPort, {"r"}, "", 0};
        numberEpochs(all);
        spawn([&] { dmrRelay(all.at("r"), all, *dmr); });
        // The root's datagrams come from its tunnel port (the relay checks the source): the
        // sender binds it (nothing else does in this direction).
        RootSender root(all.at("s"), all.at("r"), *dmr);
        const auto carry = root.carry({ifaceOn("10.0.2.1/24").group()});
        std::vector<std::uint8_t> data;
        const std::size_t size = root.data(payloadBytes, count, data);
        settle();
        // The sink's host listens to the channel (relay.prune: the relay emits onto B only what
        // some host there listens to), for the whole run (closing the socket leaves).
        if (auto l = agent::LoopbackSegmentSocket::open(cluster(), kB)) {
            listener = std::move(l).value();
            listener->listen(relay::Channel::parse(channelText())->group);
        }
        spawn([&]() {
            // The root's word first (the leaf emits only what it carries), then the data, in
            // batches.
            const int fd = unicastSocket(sinkPort);
            sockaddr_in to = v4(INADDR_LOOPBACK, relayPort);
            ::sendto(fd, carry.data(), carry.size(), 0, reinterpret_cast<const sockaddr *>(&to),
                     sizeof to);
            sendAll(fd, to, data, size, count,
                    dir == Direction::Runs && *dmr != Variant::NoOffload &&
                        agent::udp::kernelGso().on);
            ::_exit(0);
        });
    } else {
        spawn([&] { baselineRelay(unicastSocket(relayPort), senderSocket(), segmentAddress(kB)); });
        settle();
        const auto datagram = segmentFrame(payloadBytes);
        if (dir == Direction::Runs) {
            // The same stream as DMR's root sends: runs, where the kernel has them.
            spawn([&] {
                sendAll(senderSocket(), v4(INADDR_LOOPBACK, relayPort), datagram, datagram.size(),
                        count, agent::udp::kernelGso().on);
                ::_exit(0);
            });
        } else {
            spawn([&] { blast(v4(INADDR_LOOPBACK, relayPort), datagram, count); });
        }
    }
    Carried c = sink(sinkFd, payloadBytes);
    c.relayCpuSeconds = stopChildren();
    ::close(sinkFd);
    return c;
}

// The kernel's ceiling on this machine: the sender straight to the sink (a unicast socket), no
// relay between.
Carried kernelRun(std::size_t payloadBytes, std::size_t count, std::uint16_t basePort)
{
    const std::uint16_t sinkPort = basePort + 1;
    const int sinkFd = unicastSocket(sinkPort);
    const auto datagram = segmentFrame(payloadBytes);
    spawn([&] { blast(v4(INADDR_LOOPBACK, sinkPort), datagram, count); });
    Carried c = sink(sinkFd, payloadBytes);
    stopChildren();
    ::close(sinkFd);
    return c;
}

// ---- Latency -----------------------------------------------------------------------------------

struct Latency
{
    std::vector<double> us;
    std::size_t lost = 0;
    double at(double q) const
    {
        if (us.empty())
            return 0;
        std::vector<double> v = us;
        std::sort(v.begin(), v.end());
        return v[std::min(v.size() - 1,
                          static_cast<std::size_t>(q * static_cast<double>(v.size())))];
    }
};

// Sends one frame on `from`'s segment, waits for it on `to`'s, samples times.
Latency measureLatency(const GroupName &from, const GroupName &to, std::size_t samples)
{
    const int tx = senderSocket();
    const int rx = segmentSocket(to);
    const sockaddr_in dest = segmentAddress(from);
    Latency l;
    char buf[kBufBytes];
    const std::size_t header =
        relay::segmentHeaderBytes(relay::Channel::parse(channelText())->group);
    for (std::size_t i = 0; i < samples + 200; ++i) {
        auto frame = segmentFrame(64);
        std::memcpy(frame.data() + header, &i, sizeof i);
        const auto t0 = Clock::now();
        ::sendto(tx, frame.data(), frame.size(), 0, reinterpret_cast<const sockaddr *>(&dest),
                 sizeof dest);
        bool got = false;
        while (!got) {
            pollfd p{rx, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0)
                break;
            const ssize_t n = ::recv(rx, buf, sizeof buf, MSG_DONTWAIT);
            if (n < static_cast<ssize_t>(header + sizeof i))
                continue;
            std::size_t j = 0;
            std::memcpy(&j, buf + header, sizeof j);
            got = j == i;
        }
        const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        if (i < 200)
            continue; // warm-up
        if (got)
            l.us.push_back(us);
        else
            ++l.lost;
    }
    ::close(tx);
    ::close(rx);
    return l;
}

// A relay path from A to B with `hops` tunnel hops (1 or 2), DMR's (in `variant`) or the
// baseline's.
Latency latencyRun(std::optional<Variant> dmr, int hops, std::size_t samples,
                   std::uint16_t basePort)
{
    const std::uint16_t p1 = basePort;
    const std::uint16_t p2 = basePort + 1;
    const std::uint16_t p3 = basePort + 2;
    if (dmr) {
        std::map<NodeId, DmrNode> all;
        if (hops == 1) {
            all["1"] = {"1", ifaceOn("10.0.1.1/24"), true, p1, {"2"}, "", 0};
            all["2"] = {"2", ifaceOn("10.0.2.2/24"), true, p2, {}, "1", 0};
        } else {
            all["1"] = {"1", ifaceOn("10.0.1.1/24"), true, p1, {}, "9", 0};
            all["9"] = {"9", ifaceOn("10.0.9.9/24"), true, p3, {"1", "2"}, "", 0};
            all["2"] = {"2", ifaceOn("10.0.2.2/24"), true, p2, {}, "9", 0};
        }
        numberEpochs(all);
        for (const auto &[id, n] : all)
            spawn([&, id = id] { dmrRelay(all.at(id), all, *dmr); });
    } else if (hops == 1) {
        const sockaddr_in toEgress = v4(INADDR_LOOPBACK, p2);
        spawn([&] { baselineRelay(segmentSocket(kA), senderSocket(), toEgress); });
        spawn([&] { baselineRelay(unicastSocket(p2), senderSocket(), segmentAddress(kB)); });
    } else {
        const sockaddr_in toMiddle = v4(INADDR_LOOPBACK, p3);
        const sockaddr_in toEgress = v4(INADDR_LOOPBACK, p2);
        spawn([&] { baselineRelay(segmentSocket(kA), senderSocket(), toMiddle); });
        spawn([&] { baselineRelay(unicastSocket(p3), senderSocket(), toEgress); });
        spawn([&] { baselineRelay(unicastSocket(p2), senderSocket(), segmentAddress(kB)); });
    }
    settle();
    Latency l = measureLatency(kA, kB, samples);
    stopChildren();
    return l;
}

std::string fixed(double v, int decimals = 1)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"dmr-bench-relay: DMR's relay against a minimal recvmmsg/sendmmsg relay, on "
                 "loopback: throughput (64 B, 1,200 B) and added latency (1 and 2 tunnel hops)"};
    std::size_t datagrams = 200000;
    std::size_t samples = 3000;
    int runs = 3;
    int basePort = 31000 + static_cast<int>(::getpid() % 500) * 10;
    app.add_option("--datagrams", datagrams, "Datagrams per throughput run");
    app.add_option("--samples", samples, "Latency samples per path");
    app.add_option("--runs", runs, "Throughput runs per case (the best counts)");
    app.add_option("--base-port", basePort, "First of the 10 UDP ports used");
    std::vector<std::string> variantNames{"mac", "off", "encrypt", "no-offload"};
    app.add_option("--variants", variantNames,
                   "DMR's relay as agents run it (mac), without the MAC (off), with "
                   "relay.encrypt (encrypt), with relay.udp_offload = false (no-offload)")
        ->delimiter(',')
        ->check(CLI::IsMember({"mac", "off", "encrypt", "no-offload"}));
    std::vector<std::string> directions{"ingress", "egress", "runs"};
    app.add_option("--directions", directions,
                   "Throughput directions to measure (runs: egress from a root that sends runs)")
        ->delimiter(',')
        ->check(CLI::IsMember({"ingress", "egress", "runs"}));
    std::vector<std::size_t> payloads{64, 1200};
    app.add_option("--payloads", payloads, "Payload sizes, bytes (1-2048)")
        ->delimiter(',')
        ->check(CLI::Range(1, 2048));
    bool noLatency = false;
    app.add_flag("--no-latency", noLatency, "Throughput only (for a profile of one case)");
    int family = 4;
    app.add_option("--family", family,
                   "4: IPv4 networks and channel; 6: IPv6 ones (the IPv6 wire format)")
        ->check(CLI::IsMember({4, 6}));
    CLI11_PARSE(app, argc, argv);
    if (family == 6) {
        ipv6() = true;
        kA = "fd00:1::/64";
        kB = "fd00:2::/64";
        kN = "fd00:9::/64";
    }
    std::vector<Variant> variants;
    for (const auto &n : variantNames)
        variants.push_back(n == "mac"       ? Variant::Mac
                           : n == "off"     ? Variant::Off
                           : n == "encrypt" ? Variant::Encrypt
                                            : Variant::NoOffload);
    ::signal(SIGPIPE, SIG_IGN);
    const auto port = static_cast<std::uint16_t>(basePort);
    (void)cluster(); // named by this process, before any child

    std::cout << "dmr-bench-relay: " << std::thread::hardware_concurrency()
              << " cores; every relay a process of its own; loopback segments of cluster "
              << cluster() << "; " << (ipv6() ? "IPv6" : "IPv4") << " networks, channel "
              << channelText() << "\n";
    const auto &gso = agent::udp::kernelGso();
    const auto &gro = agent::udp::kernelGro();
    std::cout << "UDP offload on this kernel: GSO " << (gso.on ? "yes" : "no (" + gso.why + ")")
              << ", GRO " << (gro.on ? "yes" : "no (" + gro.why + ")") << "\n\n";

    std::cout << "Throughput through one relay process, datagrams/s (best of " << runs
              << " runs of " << datagrams
              << "); DMR's relay: mac = as agents run it (every "
                 "tunnel datagram sealed and verified), off = without the MAC, encrypt = "
                 "relay.encrypt, no-offload = mac with relay.udp_offload = false\n";
    std::printf("%-8s %-7s %12s", "dir", "payload", "baseline/s");
    for (Variant v : variants)
        std::printf(" %12s %6s", (std::string(nameOf(v)) + "/s").c_str(), "ratio");
    std::printf("\n");
    bool throughputOk = true;    // the targets: 1.0x at 64 B, 1.5x at 1,200 B
    bool authenticatedOk = true; // at the least 0.8x
    std::map<std::size_t, double> kernelRate;
    std::map<std::pair<Direction, std::size_t>, double> macRate;
    // The least CPU per datagram of the runs, per case: (dir, bytes) -> baseline, variants.
    std::map<std::pair<Direction, std::size_t>, std::pair<double, std::map<Variant, double>>> cpu;
    auto fewer = [](double &least, const Carried &c) {
        if (c.cpuUsPerDatagram() > 0 && (least == 0 || c.cpuUsPerDatagram() < least))
            least = c.cpuUsPerDatagram();
    };
    for (const auto &dirName : directions) {
        const Direction dir = dirName == "ingress"  ? Direction::Ingress
                              : dirName == "egress" ? Direction::Egress
                                                    : Direction::Runs;
        for (std::size_t bytes : payloads) {
            Carried base;
            std::map<Variant, Carried> best;
            auto &[baseCpu, variantCpu] = cpu[{dir, bytes}];
            for (int r = 0; r < runs; ++r) {
                const Carried c = throughputRun(std::nullopt, dir, bytes, datagrams, port);
                if (c.rate() > base.rate())
                    base = c;
                fewer(baseCpu, c);
                for (Variant v : variants) {
                    const Carried d = throughputRun(v, dir, bytes, datagrams, port);
                    if (d.rate() > best[v].rate())
                        best[v] = d;
                    fewer(variantCpu[v], d);
                }
            }
            std::printf("%-8s %5zu B %12.0f", nameOf(dir), bytes, base.rate());
            for (Variant v : variants) {
                const double ratio = base.rate() > 0 ? best[v].rate() / base.rate() : 0;
                if (v == Variant::Mac)
                    macRate[{dir, bytes}] = best[v].rate();
                std::printf(" %12.0f %5.2fx", best[v].rate(), ratio);
            }
            std::printf("   (recv: baseline %zu", base.received);
            for (Variant v : variants)
                std::printf(", %s %zu", nameOf(v), best[v].received);
            std::printf(")\n");
        }
    }
    for (std::size_t bytes : payloads) {
        Carried k;
        for (int r = 0; r < runs; ++r)
            if (const Carried c = kernelRun(bytes, datagrams, port); c.rate() > k.rate())
                k = c;
        kernelRate[bytes] = k.rate();
        std::printf("%-8s %5zu B %12.0f   (sender straight to the sink, no relay: the kernel's "
                    "ceiling; recv %zu)",
                    "kernel", bytes, k.rate(), k.received);
        for (const auto &[key, rate] : macRate)
            if (key.second == bytes && k.rate() > 0)
                std::printf("; dmr mac %s %.2fx of it", nameOf(key.first), rate / k.rate());
        std::printf("\n");
    }
    std::cout << "  ingress: segment -> tunnel (a group leader's side); egress: tunnel -> segment "
                 "(the other end's); runs: egress from a root that sends runs (UDP GSO). recv: "
                 "datagrams that reached the sink of "
              << datagrams << " sent.\n\n";

    std::cout << "Relay CPU per datagram carried, microseconds (user + system time of the relay "
                 "process / datagrams that reached the sink; the least of the runs). On a "
                 "machine shared with other work this shows the cost better than the rate; "
                 "ratio: baseline's / DMR's, the share of the baseline's rate an idle core "
                 "would carry\n";
    std::printf("%-8s %-7s %12s", "dir", "payload", "baseline");
    for (Variant v : variants)
        std::printf(" %12s %6s", nameOf(v), "ratio");
    std::printf("\n");
    for (const auto &[key, values] : cpu) {
        const auto &[baseCpu, variantCpu] = values;
        std::printf("%-8s %5zu B %12.2f", nameOf(key.first), key.second, baseCpu);
        for (Variant v : variants) {
            const double d = variantCpu.count(v) != 0 ? variantCpu.at(v) : 0;
            const double ratio = d > 0 ? baseCpu / d : 0;
            if (v == Variant::Mac) {
                throughputOk = throughputOk && ratio >= (key.second >= 1200 ? 1.5 : 1.0);
                authenticatedOk = authenticatedOk && ratio >= 0.8;
            }
            std::printf(" %12.2f %5.2fx", d, ratio);
        }
        std::printf("\n");
    }
    std::cout << "\n";
    const std::string throughputVerdict =
        std::string("throughput (CPU per datagram) >= 1.0x the baseline at 64 B and >= 1.5x at "
                    "1,200 B: ") +
        (throughputOk ? "met" : "MISSED") +
        "; >= 0.8x with every datagram authenticated: " + (authenticatedOk ? "met" : "MISSED");

    if (noLatency) {
        std::cout << "Targets (dmr mac): " << throughputVerdict << "\n";
        return 0;
    }
    std::cout << "Latency, A's segment to B's segment, one datagram at a time (" << samples
              << " samples, microseconds)\n";
    const Latency direct = measureLatency(kB, kB, samples);
    std::printf("%-22s %9s %9s %9s %9s %6s\n", "path", "p50", "p99", "+p50", "+p99", "lost");
    std::printf("%-22s %9s %9s %9s %9s %6zu\n", "direct (no relay)", fixed(direct.at(0.5)).c_str(),
                fixed(direct.at(0.99)).c_str(), "-", "-", direct.lost);
    bool latencyOk = true;
    for (int hops : {1, 2}) {
        const Latency base = latencyRun(std::nullopt, hops, samples, port);
        const double baseAdded = base.at(0.5) - direct.at(0.5);
        std::map<Variant, Latency> dmr;
        for (Variant v : variants)
            dmr[v] = latencyRun(v, hops, samples, port);
        auto row = [&](const std::string &name, const Latency &l) {
            const std::string label =
                name + ", " + std::to_string(hops) + (hops == 1 ? " hop" : " hops");
            std::printf("%-22s %9s %9s %9s %9s %6zu\n", label.c_str(), fixed(l.at(0.5)).c_str(),
                        fixed(l.at(0.99)).c_str(), fixed(l.at(0.5) - direct.at(0.5)).c_str(),
                        fixed(l.at(0.99) - direct.at(0.99)).c_str(), l.lost);
        };
        row("baseline", base);
        for (Variant v : variants)
            row(std::string("dmr ") + nameOf(v), dmr[v]);
        std::printf("  %d hop%s: added per hop p50: baseline %s us", hops, hops == 1 ? "" : "s",
                    fixed(baseAdded / hops).c_str());
        for (Variant v : variants) {
            const double added = dmr[v].at(0.5) - direct.at(0.5);
            const double ratio = baseAdded > 0 ? added / baseAdded : 0;
            if (v == Variant::Mac)
                latencyOk = latencyOk && ratio <= 1.2;
            std::printf(", dmr %s %s us (%.2fx)", nameOf(v), fixed(added / hops).c_str(), ratio);
        }
        std::printf("; p99 added per hop: baseline %s us",
                    fixed((base.at(0.99) - direct.at(0.99)) / hops).c_str());
        for (Variant v : variants)
            std::printf(", dmr %s %s us", nameOf(v),
                        fixed((dmr[v].at(0.99) - direct.at(0.99)) / hops).c_str());
        std::printf("\n");
    }
    std::cout << "\nTargets (dmr mac): " << throughputVerdict
              << "; added latency per hop <= 1.2x the baseline at p50: "
              << (latencyOk ? "met" : "MISSED") << "\n";
    return 0;
}
