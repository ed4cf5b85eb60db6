#pragma once
// The IGMP/MLD seam of os mode (relay.mode = "os"): what the hosts on this node's networks say
// about their groups (reports, leaves, other routers' queries, read by dmr/igmp.h into events
// for the listener table, dmr/listeners.h), and the queries this node sends where it is the
// querier.
//
// Hearing. A kernel without multicast routing (CONFIG_IP_MROUTE off, as on the machines this
// was measured on: no MRT_INIT, no mc_forwarding) hands an IGMP or MLD message to a raw socket
// only when the host itself joined the message's destination. Joined to 224.0.0.22 and ff02::16
// a raw socket hears IGMPv3/MLDv2 reports, and queries (224.0.0.1, ff02::1), but never an
// IGMPv2/MLDv1 report: it goes to the reported group itself, which the router cannot join before
// it knows it (measured in two network namespaces, tst_listen_io's first row). So the reader is
// one packet socket per family (AF_PACKET, SOCK_DGRAM: the IP packet and the interface it came
// in on), with a socket filter that keeps IPv4 protocol 2 and IPv6 hop-by-hop + ICMPv6 (MLD
// always carries the router alert there), and on each interface a PACKET_MR_ALLMULTI
// membership: a NIC that filters multicast by address then passes every group (the kernel
// counts these memberships and drops them when the socket closes; a veth filters nothing).
// Packets this host sent are not heard: the kernel hands a socket bound to one protocol
// neither its outgoing packets nor their multicast loopback (PACKET_OUTGOING, PACKET_LOOPBACK:
// the reader drops those too, should it ever see them). They are this node's own queries and the
// reports of its own joins, and the relay's joins must not make a group wanted. Programs on a
// routing point's own host are therefore not heard by its own table (the other agents of the
// network hear them).
//
// Sending: IGMPv3 queries on a raw IPPROTO_IGMP socket with the router alert option
// (IP_OPTIONS), TTL 1, from the interface's address (IP_MULTICAST_IF); MLDv2 queries on a raw
// ICMPv6 socket with the router alert hop-by-hop option (IPV6_HOPOPTS), hop limit 1, from the
// interface's link-local address (IPV6_PKTINFO); the kernel fills the ICMPv6 checksum. Neither
// send socket reads (a filter that drops all, ICMP6_FILTER blocking every type). A general query
// goes to 224.0.0.1 or ff02::1, a group-specific one to the group.
//
// Everything heard is hostile: the codec checks lengths, checksums, TTL/hop limit 1 and the
// source; a refusal is counted with its reason (lastError names the interface and the field).
// Bounded: a readable socket is drained kDrainMax packets at a time, each read into a buffer of
// igmp::kPacketBytesMax (a larger one is counted truncated).

#include "asio.h"
#include "segment_io.h"

#include "dmr/igmp.h"
#include "dmr/listeners.h"
#include "dmr/result.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dmr::agent {

struct HeardListen
{
    std::size_t segment = 0; // index into the specs given to open()
    igmp::Message message;
};

struct ListenCounters
{
    std::uint64_t received = 0;       // packets read into messages
    std::uint64_t messages = 0;       // messages handed on (a v3 report can carry several)
    std::uint64_t malformed = 0;      // refused by the codec
    std::uint64_t truncated = 0;      // larger than the buffer
    std::uint64_t otherInterface = 0; // heard on an interface no segment is on
    std::uint64_t queriesSent = 0;
    std::uint64_t sendFailed = 0;
    std::string lastError; // the last refusal or send failure: "eth0: IGMP checksum 0x1234 wrong"
};

class ListenIo
{
public:
    static constexpr int kDrainMax = 64;
    using Handler = std::function<void(const HeardListen &)>;

    virtual ~ListenIo() = default;
    // (Re)opens on the segments' interfaces (several segments may share one: each hears what
    // comes in there in its family). Errors name the interface and the reason.
    virtual Result<std::monostate> open(const std::vector<SegmentSpec> &segments,
                                        Handler handler) = 0;
    virtual void close() = 0;
    // Sends a query onto the segment; false (counted, lastError) when it could not.
    virtual bool sendQuery(std::size_t segment, const igmp::QueryParams &query) = 0;
    // The address this node's queries on the segment come from, which the listener table must
    // compare heard queriers with: the segment's address for IPv4, the interface's link-local
    // address for IPv6 (nullopt while it has none).
    virtual std::optional<IpAddress> querierAddress(std::size_t segment) const = 0;
    virtual const ListenCounters &counters() const = 0;
    // The same for one segment (what came in on its interface in its family, its queries);
    // otherInterface is counted in counters() only.
    virtual ListenCounters segmentCounters(std::size_t segment) const
    {
        (void)segment;
        return {};
    }
    // The groups programs on this host joined on each segment's interface, in its family, with
    // how many sockets joined each (the kernel's /proc/net/igmp and /proc/net/igmp6): this host's
    // own listeners, which the reader never hears. The relay's own joins are among them: the
    // caller takes those off. One map per segment given to open().
    virtual std::vector<std::map<IpAddress, int>> localMemberships() const = 0;
};

// A group that never leaves its link (224.0.0.0/24; IPv6 interface- and link-local scope,
// ff01::/16 and ff02::/16): nobody routes it, so no listener table keeps it (the kernel joins
// several on every interface: 224.0.0.1, ff02::1, the solicited-node groups).
bool linkScoped(const IpAddress &group);

// The kernel's membership tables as text: /proc/net/igmp ("Idx Device : Count Querier", then one
// indented "Group Users Timer Reporter" line per group, the group in hex as the host stores the
// network-order address) and /proc/net/igmp6 ("ifindex device group-hex users flags timer").
// Per device, the groups and their users; lines that do not read are skipped.
std::map<std::string, std::map<IpAddress, int>> parseProcIgmp(std::string_view text);
std::map<std::string, std::map<IpAddress, int>> parseProcIgmp6(std::string_view text);

// What a listener table's query becomes on the wire, with the table's robustness and interval.
igmp::QueryParams queryParams(const listen::Query &query, const listen::Config &config);

// Where a heard message goes: the relay's entry points (RelayDataPlane::hearReport, hearLeave,
// hearQuery), which feed the segment's listener table.
struct ListenSink
{
    std::function<void(std::size_t segment, const IpAddress &group,
                       std::optional<listen::Reporter> reporter)>
        report, leave;
    std::function<void(std::size_t segment, const IpAddress &from, std::optional<IpAddress> group)>
        query;
};
// A message as the table takes it: the reporter named only where the protocol names its host
// (IGMPv3, MLDv2); a group-and-source-specific query, or one with the S flag (suppress
// router-side processing), counts for the querier election only, as a general query: it must not
// lower the group's timer.
void deliver(const HeardListen &heard, const ListenSink &sink);

std::unique_ptr<ListenIo> makeOsListenIo(asio::io_context &io);

// Os mode's listening as the relay data plane runs it: what the reader hears goes to the sink
// (deliver), and so do the groups this host's own programs joined on each segment, which the
// reader never hears: every kLocalPollMs the kernel's tables (ListenIo::localMemberships) less
// the relay's own joins (ownJoins: how many sockets of the relay joined the group there) are
// reported in the segment address's name, and a group that went is a leave of that name (a
// fast leave where no other host listens). Link-scoped groups are left out, heard or local.
class OsListening
{
public:
    static constexpr int kLocalPollMs = 1000;
    using OwnJoins = std::function<int(std::size_t segment, const IpAddress &group)>;

    OsListening(asio::io_context &io, std::unique_ptr<ListenIo> reader, ListenSink sink,
                OwnJoins ownJoins);
    ~OsListening();
    OsListening(const OsListening &) = delete;
    OsListening &operator=(const OsListening &) = delete;

    Result<std::monostate> open(const std::vector<SegmentSpec> &segments);
    void close();
    // A listener table's query onto its segment.
    bool sendQuery(std::size_t segment, const listen::Query &query, const listen::Config &config);
    // Reads the kernel's tables now (the timer does it every kLocalPollMs).
    void pollLocal();
    ListenIo &reader() { return *reader_; }
    // The groups reported for this host's own programs, per segment.
    const std::vector<std::set<IpAddress>> &localGroups() const { return local_; }

private:
    void arm();

    asio::io_context &io_;
    std::unique_ptr<ListenIo> reader_;
    ListenSink sink_;
    OwnJoins ownJoins_;
    std::vector<SegmentSpec> segments_;
    std::vector<std::set<IpAddress>> local_;
    asio::steady_timer timer_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
