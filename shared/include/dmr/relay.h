#pragma once
// The relay's pure core: channels, the tunnel wire format, the forwarding decision, the dedupe
// window and the reachability bookkeeping. No sockets and no clocks: the agent's data plane
// (backend/agent/relay_data_plane.h) feeds datagrams and the time in, and carries out what these
// functions decide. IPv4 only: channels are IPv4 multicast groups.
//
// Tunnel datagram (UDP unicast between the two ends of a tunnel), all integers big-endian:
//
//   off size field
//    0   2   magic "DR"
//    2   1   version (kTunnelVersion = 1; another version is refused, never guessed at)
//    3   1   kind: 1 data, 2 keepalive, 3 carry, 4 release (see "Handover" below)
//    4   1   ttl: tunnel hops left; the ingress sets kInitialTtl, each receiver decrements
//    5   1   origin node id length (1-64)
//    6   1   hop node id length (1-64): the node that sent this datagram into this tunnel
//    7   1   origin network prefix length (0-32)
//    8   4   origin network address: the network the datagram was first heard on
//   12   4   original source address (the sender on the origin network)
//   16   2   original source port
//   18   2   channel port (destination UDP port)
//   20   4   channel group (destination multicast group)
//   24   4   epoch: the origin's relay incarnation, so a restarted origin's sequence is new
//   28   8   sequence: per origin and epoch, from 1, one per datagram ingested
//   36   .   origin node id, then hop node id (bytes)
//    .   .   payload (data: the original UDP payload, at most kPayloadBytesMax = 2,048 bytes,
//            which covers a 1,500-byte MTU; keepalive: none). Larger datagrams are dropped and
//            counted (oversize, segment-truncated): a bound that keeps the relay's batch
//            buffers small enough to stay in cache (measured with dmr-bench-relay); carry: the
//            networks, see encodeCarry)
//
// Forwarding (a star: the system leader roots every tunnel, a group leader is a leaf):
//  - from a segment this node routes: to every tunnel it holds, and onto every other network
//    it carries (see "Handover"; without word from a root: routes);
//  - from a tunnel: onto every network this node carries except the origin network, and, at a
//    tunnel's root only, into every other tunnel it roots, with the ttl one lower (never back
//    into the tunnel it came from; a leaf never forwards tunnel to tunnel);
//  - never what this node ingested itself (origin == self), never a duplicate (DedupeWindow).
//
// Handover (exactly-once while a network moves from one routing point to another): every
// datagram the root sends is emitted on each network by exactly one node, the network's
// *carrier*. The root decides who carries what (CarryBook) and tells each leaf in-band, in the
// same stream as the data: a carry datagram (kind 3) lists the networks the leaf carries from
// that point of the stream on. A leaf emits tunnel traffic only onto what its root last said
// (Role::carried); the root emits only onto what it routes and no leaf carries. A network keeps
// its carrier while that leaf's tunnel still lists it; it moves when the old tunnel closes at
// the root (make-before-break: after the new routing point said its part is up), so the old
// leaf emits everything sent before the close and the new one everything after. A closing leaf
// keeps emitting what still arrives until the root's farewell (an empty carry) or the tunnel's
// liveness deadline. The root repeats each leaf's carry with its keepalives; a leaf keeps the
// newest by (epoch, sequence). Ingress needs no such care: both routing points may take a
// network's datagrams in for a moment, and the DedupeWindow's cross-origin check drops the
// second copy (local ingests are recorded there too).
//
// A new system leader (a drain of the old one) is a second root, whose stream the first one's
// does not order. So every node uses one root at a time:
//  - a leaf sends what it takes in into one tunnel only: its oldest, until the plan closed that
//    one and a newer root said what this leaf carries; then it sends a release (kind 4) into
//    the old one, as the last thing it sends there;
//  - the new root is a leaf of the old one until the plan closes that tunnel; then it releases
//    it, and only then says what its own leaves carry;
//  - the old root, when the plan takes its last tunnels, stays the hub for them (lingering): it
//    still takes its networks in, emits onto them and forwards between those tunnels, until
//    every leaf released it (or the liveness deadline); then its farewells.
// A leaf drops a tunnel's datagram it would emit nowhere before the dedupe window sees it, so a
// copy that comes later by the root that does carry it is not taken for a duplicate.

#include "dmr/model.h"
#include "dmr/net.h"
#include "dmr/result.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

namespace dmr::relay {

inline constexpr std::uint8_t kTunnelVersion = 1;
inline constexpr std::uint8_t kInitialTtl = 4; // a star needs 2 tunnel hops at most
inline constexpr std::size_t kNodeIdBytesMax = 64;
inline constexpr std::size_t kFixedHeaderBytes = 36;
inline constexpr std::size_t kHeaderBytesMax = kFixedHeaderBytes + 2 * kNodeIdBytesMax;
inline constexpr std::size_t kPayloadBytesMax = 2048;
inline constexpr std::size_t kTunnelDatagramBytesMax = kHeaderBytesMax + kPayloadBytesMax;

// ---- Channels ----------------------------------------------------------------------------------

// Multicast groups and UDP ports the relay carries: "239.1.0.0/16:5000-5100", "239.1.2.3:5000".
struct ChannelRange
{
    Prefix groups; // IPv4 multicast (within 224.0.0.0/4)
    std::uint16_t portLow = 0;
    std::uint16_t portHigh = 0;

    // Errors name the text and the reason.
    static Result<ChannelRange> parse(std::string_view text);
    std::string toString() const; // canonical: "239.1.0.0/16:5000-5100", "239.1.2.3/32:5000"
    bool contains(std::uint32_t group, std::uint16_t port) const;
    std::uint64_t groupCount() const; // 2^(32-length)
    bool operator==(const ChannelRange &) const = default;
};

// One channel: a group and a port. "239.255.77.1:7699".
struct Channel
{
    std::uint32_t group = 0; // host order
    std::uint16_t port = 0;

    static Result<Channel> parse(std::string_view text);
    std::string toString() const;
    auto operator<=>(const Channel &) const = default;
};

// The index of the first range holding (group, port), or nullopt.
std::optional<std::size_t> matchChannel(const std::vector<ChannelRange> &ranges,
                                        std::uint32_t group, std::uint16_t port);

std::string ipv4Text(std::uint32_t hostOrder);

// ---- Wire format -------------------------------------------------------------------------------

enum class Kind : std::uint8_t { Data = 1, Keepalive = 2, Carry = 3, Release = 4 };

struct Header
{
    Kind kind = Kind::Data;
    std::uint8_t ttl = kInitialTtl;
    std::uint32_t originNetwork = 0; // host order
    std::uint8_t originPrefixLength = 0;
    std::uint32_t source = 0;
    std::uint16_t sourcePort = 0;
    std::uint32_t group = 0;
    std::uint16_t port = 0;
    std::uint32_t epoch = 0;
    std::uint64_t sequence = 0;
    std::string_view origin; // views into the decoded buffer, or the caller's strings
    std::string_view hop;
    bool operator==(const Header &) const = default;
};

enum class DecodeError : std::uint8_t {
    TooShort,    // fewer bytes than the fixed header, or than its ids say
    BadMagic,    // not "DR"
    BadVersion,  // another version
    BadKind,     // not data, keepalive, carry or release
    BadIdLength, // an id of 0 or more than 64 bytes
    BadPrefix,   // prefix length over 32
    Oversize,    // payload over kPayloadBytesMax, or a keepalive with a payload
    BadCarry,    // a carry whose network list does not add up
};
std::string_view toString(DecodeError error); // "too-short", also the drop counter's name

// Writes header + payload into out (at least headerBytes(h) + payload.size() bytes). Returns
// the bytes written, or 0 when an id's length or the payload's size is out of bounds.
std::size_t encode(const Header &h, std::span<const std::uint8_t> payload,
                   std::span<std::uint8_t> out);
std::size_t headerBytes(const Header &h);

struct Decoded
{
    Header header;
    std::span<const std::uint8_t> payload;
};
// The header's ids and the payload point into `datagram`.
std::variant<Decoded, DecodeError> decode(std::span<const std::uint8_t> datagram);

// A carry datagram's payload: count (1 byte), then per network its address (4) and prefix
// length (1), in the set's order. IPv4 networks only (others are not relayed and left out); at
// most kCarryNetworksMax. decode() checks the shape; decodeCarry returns the networks as group
// names ("10.0.2.0/24").
inline constexpr std::size_t kCarryNetworksMax = 255;
std::vector<std::uint8_t> encodeCarry(const std::set<GroupName> &networks);
std::optional<std::set<GroupName>> decodeCarry(std::span<const std::uint8_t> payload);

// ---- Forwarding --------------------------------------------------------------------------------

// What this node holds now, from the plan's actions.
struct Role
{
    NodeId self;
    std::set<GroupName> routed;     // networks this node routes (takes datagrams in from)
    std::map<NodeId, bool> tunnels; // peer -> true when this node is the tunnel's root
    // Networks this node emits onto (see "Handover"): at a leaf what its root last said, at a
    // root CarryBook::rootCarries. nullopt: everything it routes (a root that predates carry).
    std::optional<std::set<GroupName>> carried;
};

struct From
{
    enum class Where : std::uint8_t { Segment, Tunnel };
    Where where = Where::Segment;
    GroupName network; // Segment: the network heard on
    NodeId peer;       // Tunnel: the other end
    GroupName origin;  // Tunnel: the header's origin network
    NodeId originNode; // Tunnel: the header's origin node
    std::uint8_t ttl = kInitialTtl;
};

enum class Drop : std::uint8_t {
    None,
    NotRouted,   // heard on a segment this node does not route
    UnknownPeer, // from a node this node holds no tunnel with
    OwnOrigin,   // this node ingested it itself: it came back round
    TtlExpired,  // ttl 0
};
std::string_view toString(Drop drop); // "not-routed", ...

struct Decision
{
    Drop drop = Drop::None;
    std::vector<GroupName> segments; // emit on these networks
    std::vector<NodeId> tunnels;     // send into these tunnels
    std::uint8_t ttl = 0;            // the ttl to send with
};

Decision decide(const Role &role, const From &from);

// At a root: which leaf carries each network, so that at every point of the root's stream one
// node emits it (see "Handover"). A network stays with the leaf that carries it while that
// leaf's tunnel still lists it; a network no leaf carries goes to the first leaf (by id) whose
// tunnel lists it. Deterministic; no clock.
class CarryBook
{
public:
    // The root's leaf tunnels now: leaf -> the networks its tunnel's plan lists. Returns the
    // leaves (present ones) whose carried set changed, in id order: each is to be told.
    std::vector<NodeId> update(const std::map<NodeId, std::set<GroupName>> &leaves);
    const std::set<GroupName> &carriedBy(const NodeId &leaf) const;
    // What the root emits on: what it routes that no leaf carries.
    std::set<GroupName> rootCarries(const std::set<GroupName> &routed) const;
    const std::map<GroupName, NodeId> &carriers() const { return carrier_; }

private:
    std::map<GroupName, NodeId> carrier_;
    std::map<NodeId, std::set<GroupName>> carried_;
};

// ---- Dedupe ------------------------------------------------------------------------------------

// Two kinds of duplicate, both in bounded memory with no allocation per datagram:
//  - the same tunnelled datagram again (origin, epoch, sequence): a sliding bitmap of the last
//    kSequenceWindow sequences per origin, for at most originsMax origins (least recently seen
//    evicted). A sequence older than the window counts as a duplicate (stale);
//  - the same datagram ingested by two nodes that both routed its network for a moment: a
//    fingerprint (origin network, source, channel, payload hash) seen from another origin node
//    within windowMs. A fixed table of fingerprintSlots in buckets of kWays: a
//    fingerprint goes into its bucket's free or oldest entry, so a burst of datagrams whose
//    fingerprints share a bucket does not evict the one a second copy is about to match (with
//    one entry per slot, 10 datagrams in a handover burst lost a match in 2.4% of bursts).
class DedupeWindow
{
public:
    static constexpr std::uint64_t kSequenceWindow = 4096;
    static constexpr std::size_t kWays = 4;
    explicit DedupeWindow(std::size_t originsMax = 256, std::size_t fingerprintSlots = 4096,
                          std::int64_t windowMs = 500);

    enum class Verdict : std::uint8_t { Fresh, Duplicate, Stale, CrossOrigin };
    // Records it; Fresh when it should be delivered.
    Verdict check(const Header &h, std::span<const std::uint8_t> payload, std::int64_t nowMs);
    // Only the cross-origin part (Fresh or CrossOrigin), for a datagram this node takes in
    // itself: its own sequence needs no window.
    Verdict checkCrossOrigin(const Header &h, std::span<const std::uint8_t> payload,
                             std::int64_t nowMs);

    std::size_t origins() const { return origins_.size(); }

private:
    struct OriginState
    {
        std::uint32_t epoch = 0;
        std::uint64_t highest = 0;
        std::vector<std::uint64_t> bits; // kSequenceWindow bits, ring indexed by sequence
        std::uint64_t lastUse = 0;
    };
    struct Slot
    {
        std::uint64_t fingerprint = 0;
        std::uint64_t originTag = 0;
        std::int64_t timeMs = 0;
        bool used = false;
    };
    std::size_t originsMax_;
    std::int64_t windowMs_;
    std::uint64_t uses_ = 0;
    std::map<std::string, OriginState, std::less<>> origins_;
    std::vector<Slot> slots_;
};

// A fast 64-bit hash of bytes (8 bytes at a time), for fingerprints and loopback mapping.
std::uint64_t hashBytes(std::span<const std::uint8_t> bytes, std::uint64_t seed = 0);

// ---- Loopback segments -------------------------------------------------------------------------

// In loopback mode every network is a multicast group on 127.0.0.1 (its "segment"), derived
// from the cluster name and the network: group 239.255.X.Y, port 20000-39999 (X.Y and the port
// from a hash, so two clusters on one machine do not hear each other). Datagrams on a segment
// are segment frames: the channel and the sender are in a small header, since every network
// shares the host.
struct LoopbackSegment
{
    std::uint32_t group = 0;
    std::uint16_t port = 0;
};
LoopbackSegment loopbackSegment(std::string_view cluster, const GroupName &network);

// Segment frame: magic "DS", version 1, flags, channel group (4), channel port (2),
// source port (2), then the payload. 12 bytes. The source address is the sender's
// (127.0.0.1 on loopback); the source port is the sender's own UDP port, also carried so that a
// relay can tell its own emissions apart. Flags bit 0 (kSegmentRelayed): a relay sent it (a
// datagram it forwards, or its own probe), not an application: another relay that routes the
// same network must not take it in again, or two routing points of one network (a moment of a
// handover) would loop it back.
inline constexpr std::size_t kSegmentHeaderBytes = 12;
struct SegmentFrame
{
    std::uint32_t group = 0;
    std::uint16_t port = 0;
    std::uint16_t sourcePort = 0;
    std::span<const std::uint8_t> payload;
    bool relayed = false;
};
inline constexpr std::uint8_t kSegmentRelayed = 0x01;
std::size_t encodeSegmentFrame(std::uint32_t group, std::uint16_t port, std::uint16_t sourcePort,
                               std::span<const std::uint8_t> payload, std::span<std::uint8_t> out,
                               bool relayed = false);
std::optional<SegmentFrame> decodeSegmentFrame(std::span<const std::uint8_t> bytes);

// ---- Reachability ------------------------------------------------------------------------------

// A probe datagram, sent on the probe channel on each of a node's networks: magic "DP",
// version 1, node id length, network prefix length, network (4), epoch (4), sequence (8), node id.
struct Probe
{
    NodeId node;
    std::uint32_t network = 0;
    std::uint8_t prefixLength = 0;
    std::uint32_t epoch = 0;
    std::uint64_t sequence = 0;
    bool operator==(const Probe &) const = default;
};
std::vector<std::uint8_t> encodeProbe(const Probe &p);
std::optional<Probe> decodeProbe(std::span<const std::uint8_t> bytes);

// Who this node hears: per sender, over every stream (the network it was sent on x the network
// it was heard on). Loss comes from sequence gaps; "recent" covers the last recentWindow
// sequences of each stream. Bounded: at most streamsMax streams (the least recently heard is
// evicted).
class Reachability
{
public:
    struct Cell
    {
        NodeId from;
        bool heard = false; // some stream heard within 3 probe intervals
        std::uint64_t received = 0;
        std::uint64_t lost = 0;       // sequence gaps, over the streams' lifetimes
        std::uint64_t duplicates = 0; // a sequence heard twice on one stream
        double recentLoss = 0;        // fraction missing of the last recentWindow sequences
        std::int64_t lastSeenMs = 0;
        std::vector<std::string> via; // "10.0.2.0/24>10.0.1.0/24": sent on > heard on
    };

    explicit Reachability(std::size_t streamsMax = 4096, std::uint64_t recentWindow = 10);

    void heard(const Probe &p, const GroupName &heardOn, std::int64_t nowMs);
    // Every sender heard so far, by node id (natural order); intervalMs says what "recent" is.
    std::vector<Cell> row(std::int64_t nowMs, std::int64_t intervalMs) const;
    void clear() { streams_.clear(); }

private:
    struct Stream
    {
        std::uint32_t epoch = 0;
        std::uint64_t first = 0;
        std::uint64_t highest = 0;
        std::uint64_t received = 0;
        std::uint64_t lostBefore = 0; // from earlier epochs
        std::uint64_t receivedBefore = 0;
        std::uint64_t duplicates = 0;
        std::uint64_t window = 0; // bit i: sequence highest - i heard
        std::int64_t lastSeenMs = 0;
    };
    // (sender, sent on, heard on)
    using Key = std::tuple<NodeId, GroupName, GroupName>;
    std::size_t streamsMax_;
    std::uint64_t recentWindow_;
    std::map<Key, Stream> streams_;
};

} // namespace dmr::relay
