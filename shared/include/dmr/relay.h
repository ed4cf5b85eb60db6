#pragma once
// The relay's pure core: channels, the tunnel wire format, the dedupe and anti-replay windows,
// the carry book and the reachability bookkeeping; the forwarding decision and each tunnel's
// lifecycle are relay::Engine's (relay_engine.h), built on these. No sockets and no clocks: the
// agent's data plane (backend/agent/relay_data_plane.h) feeds datagrams and the time in, and
// carries out what the engine decides. Both families: a channel is an IPv4 or an IPv6 multicast
// group, a network either; a datagram is emitted only onto networks of its group's family.
//
// Tunnel datagram (UDP unicast between the two ends of a tunnel), all integers big-endian.
// Versions 3 and 4 (kTunnelVersion) share one layout, in either family; 4 adds the kind
// "wants" (5, see "Pruning" below), which a version-3 datagram never holds:
//
//   off size field
//    0   2   magic "DR"
//    2   1   version (4 or 3; 2 is still spoken with a peer that lists neither, see
//            tunnelVersions; version 1, which carried no MAC, is refused as old-version,
//            another as bad-version: never guessed at)
//    3   1   kind: 1 data, 2 keepalive, 3 carry, 4 release (see "Handover" below), 5 wants
//            (version 4)
//    4   1   ttl: tunnel hops left; the ingress sets kInitialTtl, each receiver decrements
//    5   1   origin node id length (1-64)
//    6   1   hop node id length (1-64): the node that sent this datagram into this tunnel
//    7   1   origin network prefix length (0-32 for IPv4, 0-128 for IPv6)
//    8   1   flags: bit 0 (kFlagEncrypted) the payload is encrypted (data only); other bits 0
//    9   1   family of the three addresses below: 4 (4 bytes each) or 6 (16 bytes each)
//   10   2   zero
//   12   8   origin epoch: the origin's relay incarnation, so a restarted origin's sequence is new
//   20   8   origin sequence: per origin and epoch, from 1, one per datagram ingested
//   28   8   hop epoch: the sending node's relay incarnation (its membership meta's relay_epoch)
//   36   8   receiver epoch: the receiving node's relay incarnation, as the hop knows it
//   44   8   hop sequence: per hop and hop epoch, from 1, one per datagram the hop sends into
//            any tunnel: the MAC's nonce, and what the receiver's ReplayWindow numbers
//   52   2   original source port
//   54   2   channel port (destination UDP port)
//   56   A   origin network address: the network the datagram was first heard on
//  56+A  A   original source address (the sender on the origin network)
//  56+2A A   channel group (destination multicast group)
//  56+3A .   origin node id, then hop node id (bytes); the fixed part is 68 bytes for IPv4
//            (A = 4) and 104 for IPv6 (A = 16)
//
// Version 2 (IPv4 only; what a peer of the release before speaks) has the fixed part in
// another order: 12 origin network (4), 16 source (4), 20 source port, 22 port, 24 group (4),
// 28 epoch, 36 sequence, 44 hop epoch, 52 receiver epoch, 60 hop sequence, 68 the ids; byte 9
// is zero. An IPv6 datagram, or an IPv6 network in a carry, never goes into a version-2 tunnel
// (counted as needs-tunnel-v3). Then, in both versions:
//
//    .   .   payload (data: the original UDP payload, at most kPayloadBytesMax = 2,048 bytes,
//            which covers a 1,500-byte MTU; keepalive and release: none). Larger datagrams are
//            dropped and counted (oversize, segment-truncated): a bound that keeps the relay's
//            batch buffers small enough to stay in cache (measured with dmr-bench-relay);
//            carry: the networks, see encodeCarry; wants: the groups, see WantsMessage)
//  end  16   tag: the MAC of everything before it (an AEAD in authenticate-only mode, or with
//            the payload encrypted when kFlagEncrypted), under the key of this direction of the
//            tunnel (hop -> receiver) for this pair of epochs; the nonce is tunnelNonce(hop
//            epoch, hop sequence). The agent's tunnel_crypto.h holds the algorithm and the key
//            derivation (HKDF over tunnelKeyInfo).
//
// Trust (see the agent's relay_data_plane.h for the order of the checks): a datagram is taken
// only from a node of the cluster (the hop id names it), from its advertised relay address, for
// the current incarnations of both ends, with a hop sequence its ReplayWindow has not seen, and
// with a tag that verifies. Only then does it count at all: a forged or replayed datagram never
// moves a window, a tunnel's liveness or a carry.
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
// (Engine::carried); the root emits only onto what it routes and no leaf carries. A network keeps
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
//
// Pruning (version 4; relay.prune): a datagram goes only where some host listens to its group.
// Each agent knows who listens on its networks (listeners.h: IGMP/MLD in os mode, listen frames
// on loopback segments), and each end of a tunnel tells the other, in-band, which groups its
// side wants (kind 5, WantsMessage): a leaf the groups of the networks it routes or carries, the
// root its own networks' plus every other leaf's. As deltas on every change, and the whole set
// again every kWantsRefreshTicks keepalive intervals (a lost delta costs one refresh). Then:
//  - a routing point takes a datagram in only when a tunnel's peer or another of its networks
//    wants its group (else not-wanted), and sends it only into tunnels whose peer wants it;
//  - a root fans out only to leaves that want it; every node emits onto a network only what
//    it wants;
//  - a peer that said nothing yet (a new tunnel, a restart) or speaks version 3 wants every
//    group, as does one that wants more than kWantsGroupsMax: a new tunnel floods until the
//    first word, so a handover opens no gap; the dedupe window drops what a flood doubles.
// The probe channel is never pruned (reachability needs it everywhere).

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

inline constexpr std::uint8_t kTunnelVersion = 4;
// The tunnel formats this build speaks: kTunnelVersionMin to kTunnelVersion. Each agent lists
// its own in its membership meta ("relay_versions"), and a tunnel speaks the newest both ends
// list; with none in common there is no tunnel (and the agent says which side to upgrade). A
// release that brings a new format keeps the one before it (N and N+1 in one cluster). An agent
// from before the list speaks 2 when its meta has a relay_epoch (authenticated tunnels), else 1.
inline constexpr std::uint8_t kTunnelVersionMin = 2;
std::vector<int> tunnelVersions(); // this build's, oldest first
// A peer's, from its meta: its "relay_versions" (sane entries only), or what its age implies.
std::vector<int> tunnelVersionsOf(const std::optional<std::vector<int>> &listed, bool hasEpoch);
// The newest version in `theirs` this build speaks; nullopt: none.
std::optional<int> tunnelVersionWith(const std::vector<int> &theirs);
inline constexpr std::uint8_t kInitialTtl = 4; // a star needs 2 tunnel hops at most
inline constexpr std::size_t kNodeIdBytesMax = 64;
inline constexpr std::size_t kFixedHeaderBytes = 68;    // version 2, and version 3 for IPv4
inline constexpr std::size_t kFixedHeaderBytesV6 = 104; // version 3 for IPv6
inline constexpr std::size_t kHeaderBytesMax = kFixedHeaderBytesV6 + 2 * kNodeIdBytesMax;
inline constexpr std::size_t kPayloadBytesMax = 2048;
inline constexpr std::size_t kTagBytes = 16;
inline constexpr std::size_t kTunnelDatagramBytesMax =
    kHeaderBytesMax + kPayloadBytesMax + kTagBytes;
inline constexpr std::uint8_t kFlagEncrypted = 0x01;
inline constexpr std::size_t kNonceBytes = 12;

// ---- Channels ----------------------------------------------------------------------------------

// Multicast groups and UDP ports the relay carries: "239.1.0.0/16:5000-5100", "239.1.2.3:5000",
// "ff15::1:0/112:5000-5100", "[ff15::1]:5000" (the brackets are optional: the last colon
// starts the port).
//
// IPv6 scopes (RFC 4291: the low 4 bits of the second byte): a group of interface-local (1) or
// link-local (2) scope never leaves its link, so a range of them is refused, as are the reserved
// scopes 0 and 15; the prefix must be at least /16, so that it fixes the scope.
struct ChannelRange
{
    Prefix groups; // IPv4 multicast (within 224.0.0.0/4) or IPv6 (within ff00::/8)
    std::uint16_t portLow = 0;
    std::uint16_t portHigh = 0;

    // Errors name the text and the reason.
    static Result<ChannelRange> parse(std::string_view text);
    // canonical: "239.1.0.0/16:5000-5100", "239.1.2.3/32:5000", "ff15::1:0/112:5000"
    std::string toString() const;
    bool contains(const IpAddress &group, std::uint16_t port) const;
    std::uint64_t groupCount() const; // 2^(bits-length), at most 2^63
    bool operator==(const ChannelRange &) const = default;
};

// One channel: a group and a port. "239.255.77.1:7699", "[ff15::dd]:7699".
struct Channel
{
    IpAddress group;
    std::uint16_t port = 0;

    static Result<Channel> parse(std::string_view text);
    std::string toString() const; // "239.255.77.1:7699", "[ff15::dd]:7699"
    auto operator<=>(const Channel &) const = default;
};

// The index of the first range holding (group, port), or nullopt.
std::optional<std::size_t> matchChannel(const std::vector<ChannelRange> &ranges,
                                        const IpAddress &group, std::uint16_t port);

std::string ipv4Text(std::uint32_t hostOrder);
// "[ff15::1]:5000" for IPv6, "239.1.2.3:5000" for IPv4.
std::string hostPort(const IpAddress &address, std::uint16_t port);

// ---- Wire format -------------------------------------------------------------------------------

enum class Kind : std::uint8_t { Data = 1, Keepalive = 2, Carry = 3, Release = 4, Wants = 5 };

struct Header
{
    Kind kind = Kind::Data;
    std::uint8_t ttl = kInitialTtl;
    std::uint8_t flags = 0; // kFlagEncrypted
    // One family for the three (decode refuses a mix; encode writes 0 bytes for one).
    IpAddress originNetwork;
    std::uint8_t originPrefixLength = 0;
    IpAddress source;
    std::uint16_t sourcePort = 0;
    IpAddress group;
    std::uint16_t port = 0;
    std::uint64_t epoch = 0; // the origin's
    std::uint64_t sequence = 0;
    std::uint64_t hopEpoch = 0;
    std::uint64_t receiverEpoch = 0;
    std::uint64_t hopSequence = 0;
    std::string_view origin; // views into the decoded buffer, or the caller's strings
    std::string_view hop;
    bool operator==(const Header &) const = default;
};

enum class DecodeError : std::uint8_t {
    Truncated,   // fewer bytes than the fixed header, or than its ids and the tag say
    BadMagic,    // not "DR"
    OldVersion,  // version 1 (no MAC): an agent from before tunnels were authenticated
    BadVersion,  // another version
    BadFamily,   // version 3: a family other than 4 or 6
    BadKind,     // not data, keepalive, carry or release
    BadIdLength, // an id of 0 or more than 64 bytes
    BadPrefix,   // prefix length over the family's bit count
    BadFlags,    // an unknown flag, nonzero reserved bytes, or encryption of a control datagram
    Oversize,    // payload over kPayloadBytesMax, or a keepalive or release with a payload
    BadCarry,    // a carry whose network list does not add up
    BadWants,    // a wants datagram whose groups do not add up (decodeWants says which field)
};
std::string_view toString(DecodeError error); // "truncated", also the drop counter's name

// Writes header + payload + kTagBytes of zeros (the tag, filled by whoever seals it) into out
// (at least datagramBytes(h, payload.size()) bytes), in the given version (2 or 3). Returns the
// bytes written, or 0 when an id's length, the payload's size, the flags, the addresses'
// families (mixed, or IPv6 in version 2) or the version are out of bounds.
std::size_t encode(const Header &h, std::span<const std::uint8_t> payload,
                   std::span<std::uint8_t> out, int version = kTunnelVersion);
std::size_t headerBytes(const Header &h, int version = kTunnelVersion);
inline std::size_t datagramBytes(const Header &h, std::size_t payloadBytes,
                                 int version = kTunnelVersion)
{
    return headerBytes(h, version) + payloadBytes + kTagBytes;
}
// Whether a version can carry the header's addresses (version 2: IPv4 only).
bool versionCarries(int version, const Header &h);

struct Decoded
{
    Header header;
    std::span<const std::uint8_t> payload; // as on the wire (ciphertext when encrypted)
    std::span<const std::uint8_t> tag;     // the last kTagBytes
    std::size_t headerBytes = 0;           // the fixed header and the ids
    int version = kTunnelVersion;          // 2 or 3
};
// The header's ids, the payload and the tag point into `datagram`. Checks the shape only: the
// tag is the agent's to verify.
std::variant<Decoded, DecodeError> decode(std::span<const std::uint8_t> datagram);

// The per-hop fields of an encoded datagram, written in place: a datagram encoded once goes
// into several tunnels, each with its own receiver epoch and hop sequence (and then its tag).
// datagram must hold at least kFixedHeaderBytes; its version byte says where they are.
void setHopFields(std::span<std::uint8_t> datagram, std::uint64_t hopEpoch,
                  std::uint64_t receiverEpoch, std::uint64_t hopSequence);

// The AEAD nonce of a datagram: the low 32 bits of the hop epoch, then the hop sequence (96
// bits). Unique under one key: the key is bound to the whole hop epoch (tunnelKeyInfo), and a
// hop never sends one sequence twice in one epoch.
std::array<std::uint8_t, kNonceBytes> tunnelNonce(std::uint64_t hopEpoch,
                                                  std::uint64_t hopSequence);

// HKDF's info for one direction of a tunnel: the purpose ("dmr relay tunnel v2"), then the
// sender's and the receiver's ids (each after its length byte) and their epochs (8 bytes each).
// A key opens one direction between two incarnations only: a datagram made for an earlier
// incarnation of either end, or for another node, does not verify.
std::vector<std::uint8_t> tunnelKeyInfo(std::string_view sender, std::string_view receiver,
                                        std::uint64_t senderEpoch, std::uint64_t receiverEpoch);
inline constexpr std::string_view kTunnelKeyPurpose = "dmr relay tunnel v2";

// ---- Anti-replay
// ---------------------------------------------------------------------------------

// The receiver's anti-replay window over one sender's hop sequences in one epoch, as IPsec's
// (RFC 4303) with the bitmap of RFC 6479: the highest sequence accepted and a ring of kBlocks
// 64-bit blocks behind it, so moving forward clears whole blocks (no loop over skipped
// sequences). A sequence is fresh when it is above the highest, or within the last kSize and
// not seen; 0 never is. check() only looks: the caller verifies the MAC first, then accept()s,
// so a forged sequence (however far ahead) never moves the window.
class ReplayWindow
{
public:
    static constexpr std::size_t kBlocks = 64;
    static constexpr std::uint64_t kSize = (kBlocks - 1) * 64; // 4,032 sequences behind the top

    enum class Verdict : std::uint8_t { Fresh, Seen, TooOld };
    Verdict check(std::uint64_t sequence) const;
    // Records a sequence whose datagram verified; the same verdict as check() (only Fresh
    // records anything).
    Verdict accept(std::uint64_t sequence);
    void reset();
    std::uint64_t highest() const { return highest_; }

private:
    std::uint64_t highest_ = 0;
    std::array<std::uint64_t, kBlocks> blocks_{};
};

// A carry datagram's payload: count (1 byte), then per network, in the set's order:
//  - version 3: its family (4 or 6), its address (4 or 16 bytes) and prefix length (1);
//  - version 2: its address (4) and prefix length (1), IPv4 networks only (an IPv6 one is
//    left out: a peer of the release before relays none).
// At most kCarryNetworksMax. decode() checks the shape; decodeCarry returns the networks as
// group names ("10.0.2.0/24", "fd00:2::/64"), nullopt when the shape is wrong.
inline constexpr std::size_t kCarryNetworksMax = 255;
std::vector<std::uint8_t> encodeCarry(const std::set<GroupName> &networks,
                                      int version = kTunnelVersion);
std::optional<std::set<GroupName>> decodeCarry(std::span<const std::uint8_t> payload,
                                               int version = kTunnelVersion);

// A wants datagram's payload (version 4), all integers big-endian:
//    0  1  op: 1 full (the whole set, in pages), 2 delta (changes since the state before)
//    1  1  flags: bit 0 last page of a full set; bit 1 "every group" (a full set only: the
//          sender's side wants everything: it feeds a peer that does not prune); others 0
//    2  2  page: a full set's page index, from 0; a delta's: 0
//    4  8  sequence: per sender and epoch, from 1. A full set's pages all say the sequence of
//          the state they describe; each delta the state it makes (it applies to sequence - 1)
//   12  2  count of entries
//   14  .  entries: action (1 add, 2 remove; a full set: 1), family (4 or 6), the group (4 or 16
//          bytes, a multicast address)
// A receiver applies a full set once its pages 0..last came in order, and a delta only on the
// state right before it; anything else waits for the next full set.
inline constexpr std::size_t kWantsHeaderBytes = 14;
inline constexpr std::size_t kWantsGroupsMax = 4096; // more: "every group"
inline constexpr int kWantsRefreshTicks = 5;
struct WantsMessage
{
    bool full = false;
    bool last = false; // full: the last page
    bool everything = false;
    std::uint16_t page = 0;
    std::uint64_t sequence = 0;
    std::vector<std::pair<bool, IpAddress>> entries; // (add, group)
    bool operator==(const WantsMessage &) const = default;
};
// A full set as pages (nullopt: every group); at least one page.
std::vector<std::vector<std::uint8_t>>
encodeWantsFull(std::uint64_t sequence, const std::optional<std::set<IpAddress>> &set);
// A change as deltas, one sequence each from firstSequence on; empty when nothing changed.
std::vector<std::vector<std::uint8_t>> encodeWantsDelta(std::uint64_t firstSequence,
                                                        const std::set<IpAddress> &added,
                                                        const std::set<IpAddress> &removed);
// The shape: op, flags, counts, families, multicast groups, the bytes adding up. The error
// names the field.
Result<WantsMessage> decodeWants(std::span<const std::uint8_t> payload);

// What one end knows of its peer's wants: the full sets and deltas applied in order.
class WantsReceiver
{
public:
    // nullopt: every group (no word yet, or the peer said so).
    const std::optional<std::set<IpAddress>> &wants() const { return wants_; }
    // Applies a message of the peer's epoch; true when its wants changed.
    bool apply(std::uint64_t epoch, const WantsMessage &m);
    std::uint64_t sequence() const { return applied_; }
    void reset() { *this = WantsReceiver(); }

private:
    std::optional<std::set<IpAddress>> wants_;
    std::uint64_t epoch_ = 0;
    std::uint64_t applied_ = 0; // 0: no full set yet
    // A full set coming in pages.
    std::uint64_t pendingSequence_ = 0;
    int pendingNext_ = -1; // the page expected next; -1: none
    std::set<IpAddress> pending_;
    bool pendingEverything_ = false;
};

// ---- Forwarding --------------------------------------------------------------------------------

// Why a datagram goes nowhere (relay_engine.h decides; the data plane counts them by name).
enum class Drop : std::uint8_t {
    None,
    NotRouted,            // heard on a segment another node routes: not this node's (not counted)
    UnknownPeer,          // from a node this node holds no tunnel with
    OwnOrigin,            // this node ingested it itself: it came back round
    TtlExpired,           // ttl 0
    NotAChannel,          // a group and port no channel range holds
    OtherFamily,          // a group of the other family than the network it was heard on
    RelayEmission,        // another relay put it onto the segment: already on its way
    Oversize,             // a payload over kPayloadBytesMax
    CrossOriginDuplicate, // another routing point of its network took it in first
    Duplicate,            // the same tunnelled datagram again
    Stale,                // older than the dedupe window
    NotCarried,           // a leaf that carries nothing of its root's stream
    OriginNotHop,         // a leaf's datagram that speaks for another origin
    CarryFromLeaf,        // a carry at the tunnel's root
    // Boundaries and limits (relay_limits.h):
    Boundary,         // a group bounded on the network it was heard on (relay.boundaries)
    BelowThreshold,   // heard with an IP TTL below relay.threshold
    RateLimitChannel, // over its channel range's rate limit, at ingest
    RateLimitTunnel,  // over a tunnel's rate limit (Forward::tunnelsLimited counts them)
    NotWanted,        // no network anywhere listens to its group (pruning)
};
std::string_view toString(Drop drop); // "not-routed", ...
// Whether the data plane counts it: NotRouted is another node's datagram, not a loss.
inline bool counted(Drop drop)
{
    return drop != Drop::None && drop != Drop::NotRouted;
}

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
//    evicted). A sequence older than the window counts as a duplicate (stale). The data plane
//    feeds it only datagrams whose MAC verified, from the origin itself or its root: the
//    highest sequence it keeps is one the origin really sent (a forged one used to make every
//    later datagram stale);
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
    // What the cross-origin check matches on: the payload, its network, source and channel
    // (not the origin or sequence, which differ between two routing points' copies).
    static std::uint64_t fingerprint(const Header &h, std::span<const std::uint8_t> payload);

private:
    struct OriginState
    {
        std::uint64_t epoch = 0;
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

// Segment frame, for an IPv4 channel: magic "DS", version 1, flags, channel group (4), channel
// port (2), source port (2), then the payload: 12 bytes (what every release speaks). For an
// IPv6 channel: magic "DS", version 2, flags, channel port (2), source port (2), the group (16),
// then the payload: 24 bytes. The source address is the sender's (127.0.0.1 on loopback); the
// source port is the sender's own UDP port, also carried so that a relay can tell its own
// emissions apart. Flags bit 0 (kSegmentRelayed): a relay sent it (a datagram it forwards, or
// its own probe), not an application: another relay that routes the same network must not take
// it in again, or two routing points of one network (a moment of a handover) would loop it back.
inline constexpr std::size_t kSegmentHeaderBytes = 12;
inline constexpr std::size_t kSegmentHeaderBytesV6 = 24;
struct SegmentFrame
{
    IpAddress group;
    std::uint16_t port = 0;
    std::uint16_t sourcePort = 0;
    std::span<const std::uint8_t> payload;
    bool relayed = false;
};
inline constexpr std::uint8_t kSegmentRelayed = 0x01;
inline std::size_t segmentHeaderBytes(const IpAddress &group)
{
    return group.family() == Family::V4 ? kSegmentHeaderBytes : kSegmentHeaderBytesV6;
}
std::size_t encodeSegmentFrame(const IpAddress &group, std::uint16_t port, std::uint16_t sourcePort,
                               std::span<const std::uint8_t> payload, std::span<std::uint8_t> out,
                               bool relayed = false);
std::optional<SegmentFrame> decodeSegmentFrame(std::span<const std::uint8_t> bytes);

// Listen frame: how a host on a loopback segment says which groups it listens to, and how the
// segment's querier asks (IGMP's part, for loopback mode, where every network shares the
// host's one IGMP): magic "DL", version 1, op (1 report, 2 leave, 3 query), family (4 or 6),
// three zero bytes, max response time in ms (4; a query's, else 0), then the group (4 or 16
// bytes; a general query: all zeros). 16 bytes for IPv4, 28 for IPv6. The reporter is the
// sender (its port on 127.0.0.1).
enum class ListenOp : std::uint8_t { Report = 1, Leave = 2, Query = 3 };
struct ListenFrame
{
    ListenOp op = ListenOp::Report;
    std::optional<IpAddress> group; // nullopt: a general query (op Query only)
    Family family = Family::V4;     // of the group, or of the networks a general query asks
    std::uint32_t maxResponseMs = 0;
    bool operator==(const ListenFrame &) const = default;
};
inline constexpr std::size_t kListenFrameBytesMax = 28;
std::vector<std::uint8_t> encodeListenFrame(const ListenFrame &f);
// nullopt: not a listen frame (the magic); an error names the field.
std::optional<Result<ListenFrame>> decodeListenFrame(std::span<const std::uint8_t> bytes);

// ---- Reachability ------------------------------------------------------------------------------

// A probe datagram, sent on the probe channel of its network's family on each of a node's
// networks: magic "DP", version 1 (an IPv4 network) or 2 (IPv6), node id length, network prefix
// length, zero, network (4 or 16), epoch (4), sequence (8), node id.
struct Probe
{
    NodeId node;
    IpAddress network;
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
