#pragma once
// IGMP (RFC 1112, RFC 2236, RFC 3376) and MLD (RFC 2710, RFC 3810) on the wire, router side:
// what a routing point hears on a raw socket, read into the events the listener table
// (dmr/listeners.h) takes, and the queries it sends, built. Pure: bytes in, bytes out.
//
// Everything heard is hostile: a read checks every length, count and checksum against the
// bytes it has, refuses what an on-link host would not send (an IPv4 TTL or an IPv6 hop limit
// other than 1: a packet that crossed a router; an MLD message from beyond the link), and
// names the field it refuses.
//
// Source filters are not kept (the relay forwards a group from any source): an IGMPv3/MLDv2
// record that leaves the host listening to some source is a report, one that leaves it listening
// to none (TO_IN({}), IS_IN({})) a leave of that host. BLOCK(S) may or may not be the host's last
// source, so it is a leave naming nobody: the querier asks the group and those who still listen
// answer.

#include "dmr/net.h"
#include "dmr/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace dmr::igmp {

enum class MessageType : std::uint8_t { Report, Leave, Query };

struct Message
{
    MessageType type = MessageType::Report;
    int version = 0;                // IGMP 1 to 3, MLD 1 or 2
    IpAddress source;               // the IP source address
    std::optional<IpAddress> group; // nullopt only for a general query
    // The source is one host's own word about itself (IGMPv3, MLDv2: no report suppression), so
    // the table can track hosts; IGMPv1/v2 and MLDv1 reports are suppressed by other hosts'.
    bool namesHost = false;
    std::int64_t maxResponseMs = 0;  // queries
    int robustness = 0;              // IGMPv3/MLDv2 queries' QRV (0: not said)
    std::int64_t queryIntervalS = 0; // their QQIC, decoded (0: not said)
    std::size_t sourceCount = 0;     // a query's sources (a group-and-source-specific query)
    bool suppressRouterSide = false; // a query's S flag
};

inline constexpr std::size_t kIpv4HeaderBytesMax = 60;
// What one report may carry: a record is at least 8 (IGMPv3) or 20 (MLDv2) bytes, and a
// datagram at most 65,535 bytes; the readers check every count against the bytes they have.
inline constexpr std::size_t kPacketBytesMax = 65'535;

// An IPv4 datagram as a raw IPPROTO_IGMP socket delivers it on Linux: the IP header (with its
// options) as on the wire, then the IGMP message. Checks the IP header (version, lengths,
// protocol 2, no fragment, TTL 1) and the IGMP checksum. A v3 report gives one message per
// group record.
Result<std::vector<Message>> parseIgmp(std::span<const std::uint8_t> packet);

// An ICMPv6 message as a raw IPPROTO_ICMPV6 socket delivers it (no IPv6 header), with what
// recvmsg said of its header: the source, the destination (IPV6_PKTINFO) and the hop limit
// (IPV6_HOPLIMIT). The checksum is checked over the pseudo-header. Another ICMPv6 type is an
// error: the caller filters them out beforehand (ICMP6_FILTER, or a socket filter), so one that
// still comes is worth counting. Other IGMP types (DVMRP, mtrace) are no error: an empty list.
Result<std::vector<Message>> parseMld(std::span<const std::uint8_t> icmp6, const IpAddress &source,
                                      const IpAddress &destination, int hopLimit);

// A whole IPv6 packet as an AF_PACKET socket sees it: the header, at most one hop-by-hop options
// header (where MLD carries its router alert), then the ICMPv6 message, read by parseMld.
Result<std::vector<Message>> parseIpv6Mld(std::span<const std::uint8_t> packet);

// The 8-bit (IGMPv3 max response code in tenths of seconds, QQIC in seconds) and 16-bit (MLDv2
// max response code in milliseconds) floating-point codes of RFC 3376 4.1.1 and RFC 3810
// 5.1.3, both ways. Encoding rounds down and saturates at the largest code.
std::int64_t decodeCode8(std::uint8_t code);
std::uint8_t encodeCode8(std::int64_t value);
std::int64_t decodeCode16(std::uint16_t code);
std::uint16_t encodeCode16(std::int64_t value);

struct QueryParams
{
    std::optional<IpAddress> group; // nullopt: general query
    std::int64_t maxResponseMs = 10'000;
    int robustness = 2;                // QRV (0 or above 7 is sent as 0: "not said")
    std::int64_t queryIntervalS = 125; // QQIC
};

inline constexpr std::size_t kIgmpv3QueryBytes = 12;
inline constexpr std::size_t kMldv2QueryBytes = 28;

// The IGMPv3 query message (the kernel adds the IP header), its checksum set. A group-specific
// one goes to the group, a general one to 224.0.0.1; send with TTL 1 and the router alert option.
std::vector<std::uint8_t> encodeIgmpv3Query(const QueryParams &q);
// The MLDv2 query (ICMPv6 type 130), its checksum set over the pseudo-header of source (this
// node's link-local address) and destination (the group, or ff02::1 for a general query); send
// with hop limit 1 and the router alert hop-by-hop option.
std::vector<std::uint8_t> encodeMldv2Query(const QueryParams &q, const IpAddress &source,
                                           const IpAddress &destination);

// The Internet checksum (RFC 1071) of the bytes, and of an ICMPv6 message with its pseudo-header.
std::uint16_t internetChecksum(std::span<const std::uint8_t> bytes, std::uint32_t sum = 0);
std::uint16_t icmp6Checksum(std::span<const std::uint8_t> icmp6, const IpAddress &source,
                            const IpAddress &destination);

} // namespace dmr::igmp
