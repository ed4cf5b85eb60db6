#pragma once
// The segment seam of the relay: how multicast datagrams are heard on, and emitted onto, the
// networks a node is attached to. Two implementations:
//
//  - OsSegmentIo: the real interfaces, in both families. Per channel port one socket per family
//    that has segments, bound to the wildcard address and the port with IP_PKTINFO or
//    IPV6_RECVPKTINFO (which interface, which group); the family's probe group is joined on
//    every interface, and on each segment the channel groups the relay names (setJoins: what it
//    takes in there, which with pruning is what some other network wants; IGMP or MLD:
//    IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP), spread over join sockets of at most 20 memberships
//    each (the kernel's default igmp_max_memberships and mld_max_msf). At most kOsJoinsMax
//    joins per family: what is wanted beyond is not joined, and counted (joins()). Joins follow
//    setJoins at once (leaves first), without reopening anything. One send socket per
//    interface, bound to its address, the multicast interface set to it (IP_MULTICAST_IF,
//    IPV6_MULTICAST_IF), a TTL or hop limit of 1, loop on (so that programs on the relay's own
//    host hear too) and own emissions recognised by their source address and port.
//
//  - LoopbackSegmentIo: no root, no real interfaces. Every network is a multicast group on
//    127.0.0.1, derived from the cluster name and the network (relay::loopbackSegment); a
//    datagram on it is a segment frame carrying the channel (group, port) and the sender's
//    port. One receive socket per network (bound to the segment's group and port,
//    IP_MULTICAST_ALL off), one send socket for all (its port tells own emissions apart).
//    LoopbackSegmentSocket below is what applications, tests and benchmarks use to send and
//    receive on a network's segment.
//
// Both batch: recvmmsg on a readable socket (kBatch datagrams at most per call), sendmmsg for
// what send() queued, at flush() or when kBatch are queued. Nothing queues without bound: a send
// the kernel refuses (full buffer) is dropped and counted.

#include "asio.h"
#include "udp_batch.h"

#include "dmr/listeners.h"
#include "dmr/model.h"
#include "dmr/relay.h"
#include "dmr/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dmr::agent {

struct SegmentSpec
{
    GroupName network;  // "10.0.1.0/24"
    std::string iface;  // "eth0"
    IpAddress address;  // this node's address on it (its family is the segment's)
    bool relay = false; // this node routes it: hear the channels there (OS mode joins them)
    bool operator==(const SegmentSpec &) const = default;
};

struct SegmentPacket
{
    std::size_t segment = 0; // index into the specs given to open()
    IpAddress source;
    std::uint16_t sourcePort = 0;
    IpAddress group;
    std::uint16_t port = 0;
    std::span<const std::uint8_t> payload;
    // Sent by a DMR relay (loopback: the frame's flag; os: from another agent's emission
    // address, setRelaySources), not by an application.
    bool relayed = false;
    // The IP TTL or hop limit it came with (os mode: IP_RECVTTL, IPV6_RECVHOPLIMIT); nullopt in
    // loopback mode (a segment frame carries none): relay.threshold is then not checked.
    std::optional<std::uint8_t> ipTtl;
};

// OS mode: the relay's own multicast joins (the probe groups and the channel groups).
struct SegmentJoins
{
    std::size_t joinedV4 = 0, joinedV6 = 0; // memberships now, by family
    // Groups setJoins asked for that are not joined: beyond kOsJoinsMax in their family (a
    // whole range counts in full, up to 2^63).
    std::uint64_t beyondCap = 0;
    std::uint64_t overCapTotal = 0; // times beyondCap went from 0 to more
    std::uint64_t failed = 0;       // joins or leaves the kernel refused
    std::string lastError;          // the last of them: "relay: join 239.1.0.7 on eth0: ..."
};

struct SegmentCounters
{
    std::uint64_t received = 0;
    std::uint64_t ownDropped = 0;     // own emissions heard back
    std::uint64_t malformed = 0;      // loopback: not a segment frame
    std::uint64_t otherInterface = 0; // os: heard on an interface not given to open() (another
                                      // agent of this host joined the group there)
    std::uint64_t truncated = 0;      // larger than the receive buffer
    std::uint64_t sent = 0;
    std::uint64_t sendDropped = 0; // the kernel refused (full buffer, no route)
    // Segmentation offload on the sends (udp_batch.h): messages that carried a run, the
    // datagrams in them, runs refused and sent one by one.
    std::uint64_t gsoSends = 0;
    std::uint64_t gsoDatagrams = 0;
    std::uint64_t gsoRetries = 0;
};

class SegmentIo
{
public:
    static constexpr std::size_t kBatch = 64;
    using Handler = std::function<void(std::span<const SegmentPacket>)>;

    virtual ~SegmentIo() = default;
    // (Re)opens the segments; the handler gets what they hear, in batches. Errors name the
    // segment and the reason.
    virtual Result<std::monostate> open(const std::vector<SegmentSpec> &segments,
                                        Handler handler) = 0;
    virtual void close() = 0;
    // Queues a datagram for a segment; false when dropped (unknown segment, oversize).
    virtual bool send(std::size_t segment, const IpAddress &group, std::uint16_t port,
                      std::span<const std::uint8_t> payload) = 0;
    virtual void flush() = 0;
    virtual const SegmentCounters &counters() const = 0;
    // UDP segmentation offload on the sends: allowed unless relay.udp_offload = false; on when
    // allowed and the kernel takes it; the reason when off.
    virtual void allowOffload(bool allowed) = 0;
    virtual udp::Offload offload() const = 0;
    // OS mode: the (address, port) pairs other agents' relays send from onto segments (their
    // interface addresses, their relay.port + 1); what comes from them is marked relayed.
    // Loopback frames carry the mark themselves.
    virtual void setRelaySources(std::set<std::pair<IpAddress, std::uint16_t>> sources)
    {
        (void)sources;
    }
    // OS mode: the channel groups to join on each segment given to open() (one entry per
    // segment; nullopt: every group of the channel ranges of its family; none before the first
    // call, and after open()). The probe group is joined on every segment regardless. Loopback
    // segments hear every channel: nothing to join there.
    using Joins = std::vector<std::optional<std::set<IpAddress>>>;
    virtual void setJoins(const Joins &groups) { (void)groups; }
    // How many of the relay's own sockets joined the group on the segment's interface (in the
    // group's family): 0 or 1. What the kernel's membership tables hold beyond is someone else's.
    virtual int joined(std::size_t segment, const IpAddress &group) const
    {
        (void)segment;
        (void)group;
        return 0;
    }
    // The groups joined on the segment's interface in its family (the probe group included).
    virtual std::size_t joinedOn(std::size_t segment) const
    {
        (void)segment;
        return 0;
    }
    virtual SegmentJoins joins() const { return {}; }
    // Loopback mode: the listen frames the hosts on a segment send (reports, leaves, and
    // queries of other agents), and this node's queries. Os mode hears IGMP and MLD instead
    // (listen_io.h): none here.
    using ListenHandler = std::function<void(std::size_t segment, const relay::ListenFrame &,
                                             const listen::Reporter &)>;
    virtual void setListenHandler(ListenHandler handler) { (void)handler; }
    virtual bool sendListen(std::size_t segment, const relay::ListenFrame &frame)
    {
        (void)segment;
        (void)frame;
        return false;
    }
};

// OS mode: a relay sends onto its segments from its interface address and this port, so that
// the other relays know its emissions (and do not take them in again).
inline std::uint16_t relayEmissionPort(std::uint16_t relayPort)
{
    return static_cast<std::uint16_t>(relayPort + 1);
}

// The channels a node hears in OS mode: every port of every range, the groups of each.
struct OsChannels
{
    std::vector<relay::ChannelRange> channels;
    relay::Channel probe;   // on IPv4 segments
    relay::Channel probeV6; // on IPv6 segments
};
inline constexpr std::size_t kOsJoinsMax = 1024;
inline constexpr std::size_t kOsPortsMax = 1024;

std::unique_ptr<SegmentIo> makeOsSegmentIo(asio::io_context &io, OsChannels channels,
                                           std::uint16_t emissionPort);
std::unique_ptr<SegmentIo> makeLoopbackSegmentIo(asio::io_context &io, std::string cluster);

// A blocking socket on one network's loopback segment, for applications, tests and benchmarks:
// send a datagram on a channel, receive what the segment carries (with its channel).
class LoopbackSegmentSocket
{
public:
    // Joins (cluster, network)'s segment. Errors name the segment and the reason.
    static Result<std::unique_ptr<LoopbackSegmentSocket>> open(const std::string &cluster,
                                                               const GroupName &network);
    ~LoopbackSegmentSocket();
    LoopbackSegmentSocket(const LoopbackSegmentSocket &) = delete;
    LoopbackSegmentSocket &operator=(const LoopbackSegmentSocket &) = delete;

    bool send(const relay::Channel &channel, std::span<const std::uint8_t> payload);
    struct Datagram
    {
        relay::Channel channel;
        std::uint16_t sourcePort = 0;
        std::vector<std::uint8_t> payload;
    };
    // Waits up to timeoutMs; nullopt on timeout. Skips its own sends and malformed frames, and
    // answers the segment querier's queries for the groups it listens to.
    std::optional<Datagram> receive(int timeoutMs);
    // Listens to a group, as a host's IGMP would for an application that joins it: a report
    // now (robustness: twice), one whenever a query asks, and a leave at unlisten() or when
    // the socket closes. With relay.prune (the default) the relays bring a group only to
    // networks where some host listens to it.
    bool listen(const IpAddress &group);
    bool unlisten(const IpAddress &group);
    const std::set<IpAddress> &listening() const { return listening_; }
    int receiveFd() const { return rx_; }
    relay::LoopbackSegment segment() const { return seg_; }

private:
    LoopbackSegmentSocket() = default;
    bool sendListen(const relay::ListenFrame &frame);
    void answer(const relay::ListenFrame &query);
    int rx_ = -1;
    int tx_ = -1;
    std::uint16_t txPort_ = 0;
    relay::LoopbackSegment seg_;
    std::set<IpAddress> listening_;
};

} // namespace dmr::agent
