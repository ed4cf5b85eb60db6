#include "dmr/relay.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace dmr::relay {

namespace {

void put16(std::uint8_t *p, std::uint16_t v)
{
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t *p, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}
void put64(std::uint8_t *p, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
}
std::uint16_t get16(const std::uint8_t *p)
{
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t get32(const std::uint8_t *p)
{
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           p[3];
}
std::uint64_t get64(const std::uint8_t *p)
{
    return (std::uint64_t{get32(p)} << 32) | get32(p + 4);
}

Result<std::uint16_t> portNumber(std::string_view text, std::string_view whole)
{
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
        return Error{"\"" + std::string(whole) + "\": port \"" + std::string(text) +
                     "\" is not a number"};
    if (v < 1 || v > 65535)
        return Error{"\"" + std::string(whole) + "\": port " + std::to_string(v) +
                     " is out of range 1-65535"};
    return static_cast<std::uint16_t>(v);
}

// The group of a channel's text, with or without brackets ("[ff15::1]").
Result<IpAddress> multicastGroup(std::string_view text, std::string_view whole)
{
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    auto a = IpAddress::parse(text);
    if (!a)
        return Error{"\"" + std::string(whole) + "\": " + a.error().message};
    if (!a->isMulticast())
        return Error{"\"" + std::string(whole) + "\": " + a->toString() +
                     (a->family() == Family::V4 ? " is not a multicast group (224.0.0.0/4)"
                                                : " is not a multicast group (ff00::/8)")};
    return *a;
}

// An IPv6 group's scope may be relayed: not interface- or link-local, not reserved.
Result<std::monostate> relayableScope(const IpAddress &group, std::string_view whole)
{
    if (group.family() != Family::V6)
        return std::monostate{};
    const int scope = group.bytes()[1] & 0x0f;
    const std::string w = "\"" + std::string(whole) + "\": " + group.toString() + " has ";
    switch (scope) {
    case 0:
    case 15:
        return Error{w + "reserved scope " + std::to_string(scope) + " (RFC 4291)"};
    case 1:
        return Error{w + "interface-local scope (ff01::/16): it never leaves the host, so no "
                         "router forwards it"};
    case 2:
        return Error{w + "link-local scope (ff02::/16): it never leaves its link, so no router "
                         "forwards it"};
    default:
        return std::monostate{};
    }
}

// Splits "GROUP:PORT" at the last colon; the group may be bracketed.
std::pair<std::string_view, std::string_view> splitPort(std::string_view text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        return {text, {}};
    return {text.substr(0, colon), text.substr(colon + 1)};
}

constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;

std::uint64_t mix(std::uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

} // namespace

// ---- Channels ----------------------------------------------------------------------------------

std::string ipv4Text(std::uint32_t v)
{
    return IpAddress::v4(v).toString();
}

Result<ChannelRange> ChannelRange::parse(std::string_view text)
{
    auto [groupText, portText] = splitPort(text);
    if (text.find(':') == std::string_view::npos || groupText.empty())
        return Error{"\"" + std::string(text) +
                     "\": expected GROUP[/LEN]:PORT[-PORT], as in 239.1.0.0/16:5000-5100 or "
                     "ff15::1:0/112:5000-5100"};
    ChannelRange r;
    std::string_view lengthText;
    bool hasLength = false;
    if (const auto slash = groupText.find('/'); slash != std::string_view::npos) {
        hasLength = true;
        lengthText = groupText.substr(slash + 1);
        groupText = groupText.substr(0, slash);
    }
    auto group = multicastGroup(groupText, text);
    if (!group)
        return group.error();
    // IPv4: from /4 (224.0.0.0/4); IPv6: from /16, so the range has one scope.
    const int bits = group->bitCount();
    const int shortest = group->family() == Family::V4 ? 4 : 16;
    int length = bits;
    if (hasLength) {
        auto [ptr, ec] =
            std::from_chars(lengthText.data(), lengthText.data() + lengthText.size(), length);
        if (lengthText.empty() || ec != std::errc() ||
            ptr != lengthText.data() + lengthText.size() || length < shortest || length > bits)
            return Error{
                "\"" + std::string(text) + "\": prefix length \"" + std::string(lengthText) +
                "\" is not a number from " + std::to_string(shortest) + " to " +
                std::to_string(bits) +
                (group->family() == Family::V6 ? " (an IPv6 range must fix the scope)" : "")};
    }
    if (auto scope = relayableScope(*group, text); !scope)
        return scope.error();
    if (group->masked(length) != *group)
        return Error{"\"" + std::string(text) + "\": " + group->toString() + "/" +
                     std::to_string(length) + " has host bits set"};
    r.groups = Prefix(*group, length);
    const auto dash = portText.find('-');
    auto low = portNumber(portText.substr(0, dash), text);
    if (!low)
        return low.error();
    r.portLow = r.portHigh = *low;
    if (dash != std::string_view::npos) {
        auto high = portNumber(portText.substr(dash + 1), text);
        if (!high)
            return high.error();
        if (*high < *low)
            return Error{"\"" + std::string(text) + "\": port range " + std::to_string(*low) + "-" +
                         std::to_string(*high) + " ends before it starts"};
        r.portHigh = *high;
    }
    return r;
}

std::string ChannelRange::toString() const
{
    std::string s = groups.toString() + ":" + std::to_string(portLow);
    if (portHigh != portLow)
        s += "-" + std::to_string(portHigh);
    return s;
}

bool ChannelRange::contains(const IpAddress &group, std::uint16_t port) const
{
    if (port < portLow || port > portHigh || group.family() != groups.address().family())
        return false;
    return groups.contains(group);
}

std::uint64_t ChannelRange::groupCount() const
{
    const int hostBits = groups.address().bitCount() - groups.length();
    return std::uint64_t{1} << std::min(hostBits, 63);
}

Result<Channel> Channel::parse(std::string_view text)
{
    auto [groupText, portText] = splitPort(text);
    if (text.find(':') == std::string_view::npos || groupText.empty())
        return Error{"\"" + std::string(text) +
                     "\": expected GROUP:PORT, as in 239.255.77.1:7699 or [ff15::dd]:7699"};
    auto group = multicastGroup(groupText, text);
    if (!group)
        return group.error();
    if (auto scope = relayableScope(*group, text); !scope)
        return scope.error();
    auto port = portNumber(portText, text);
    if (!port)
        return port.error();
    return Channel{*group, *port};
}

std::string hostPort(const IpAddress &address, std::uint16_t port)
{
    if (address.family() == Family::V6)
        return "[" + address.toString() + "]:" + std::to_string(port);
    return address.toString() + ":" + std::to_string(port);
}

std::string Channel::toString() const
{
    return hostPort(group, port);
}

std::optional<std::size_t> matchChannel(const std::vector<ChannelRange> &ranges,
                                        const IpAddress &group, std::uint16_t port)
{
    for (std::size_t i = 0; i < ranges.size(); ++i)
        if (ranges[i].contains(group, port))
            return i;
    return std::nullopt;
}

// ---- Wire format -------------------------------------------------------------------------------

std::string_view toString(DecodeError e)
{
    switch (e) {
    case DecodeError::Truncated:
        return "truncated";
    case DecodeError::BadMagic:
        return "bad-magic";
    case DecodeError::OldVersion:
        return "old-version";
    case DecodeError::BadVersion:
        return "bad-version";
    case DecodeError::BadFamily:
        return "bad-family";
    case DecodeError::BadKind:
        return "bad-kind";
    case DecodeError::BadIdLength:
        return "bad-id-length";
    case DecodeError::BadPrefix:
        return "bad-prefix";
    case DecodeError::BadFlags:
        return "bad-flags";
    case DecodeError::Oversize:
        return "oversize";
    case DecodeError::BadCarry:
        return "bad-carry";
    case DecodeError::BadWants:
        return "bad-wants";
    }
    return "?";
}

namespace {

// Where the fields of the fixed header are (relay.h's tables), by version.
constexpr std::size_t kOffFlags = 8;
constexpr std::size_t kOffFamily = 9;
struct Layout
{
    std::size_t originNetwork, source, sourcePort, port, group;
    std::size_t epoch, sequence, hopEpoch, receiverEpoch, hopSequence;
    std::size_t fixed; // the ids start here
};
constexpr Layout kLayoutV2{12, 16, 20, 22, 24, 28, 36, 44, 52, 60, kFixedHeaderBytes};
constexpr Layout layoutV3(std::size_t a)
{
    return {56, 56 + a, 52, 54, 56 + 2 * a, 12, 20, 28, 36, 44, 56 + 3 * a};
}
constexpr Layout kLayoutV3v4 = layoutV3(4);
constexpr Layout kLayoutV3v6 = layoutV3(16);
static_assert(kLayoutV2.hopSequence + 8 == kFixedHeaderBytes);
static_assert(kLayoutV3v4.fixed == kFixedHeaderBytes && kLayoutV3v6.fixed == kFixedHeaderBytesV6);

const Layout &layoutOf(int version, Family family)
{
    if (version == 2)
        return kLayoutV2;
    return family == Family::V4 ? kLayoutV3v4 : kLayoutV3v6;
}

bool validFlags(Kind kind, std::uint8_t flags)
{
    return (flags & ~kFlagEncrypted) == 0 && (flags == 0 || kind == Kind::Data);
}

void putAddress(std::uint8_t *p, const IpAddress &a)
{
    std::memcpy(p, a.bytes().data(), a.family() == Family::V4 ? 4 : 16);
}

IpAddress getAddress(const std::uint8_t *p, Family family)
{
    if (family == Family::V4)
        return IpAddress::v4(get32(p));
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), p, 16);
    return IpAddress::v6(b);
}

} // namespace

bool versionCarries(int version, const Header &h)
{
    const Family f = h.group.family();
    if (h.originNetwork.family() != f || h.source.family() != f)
        return false;
    return version == 3 || version == 4 || (version == 2 && f == Family::V4);
}

std::size_t headerBytes(const Header &h, int version)
{
    return layoutOf(version, h.group.family()).fixed + h.origin.size() + h.hop.size();
}

std::size_t encode(const Header &h, std::span<const std::uint8_t> payload,
                   std::span<std::uint8_t> out, int version)
{
    if ((version < 2 || version > kTunnelVersion) || !versionCarries(version, h) ||
        (h.kind == Kind::Wants && version < 4) || h.origin.empty() ||
        h.origin.size() > kNodeIdBytesMax || h.hop.empty() || h.hop.size() > kNodeIdBytesMax ||
        payload.size() > kPayloadBytesMax || h.originPrefixLength > h.group.bitCount() ||
        !validFlags(h.kind, h.flags))
        return 0;
    const std::size_t total = datagramBytes(h, payload.size(), version);
    if (out.size() < total)
        return 0;
    const Layout &l = layoutOf(version, h.group.family());
    std::uint8_t *p = out.data();
    p[0] = 'D';
    p[1] = 'R';
    p[2] = static_cast<std::uint8_t>(version);
    p[3] = static_cast<std::uint8_t>(h.kind);
    p[4] = h.ttl;
    p[5] = static_cast<std::uint8_t>(h.origin.size());
    p[6] = static_cast<std::uint8_t>(h.hop.size());
    p[7] = h.originPrefixLength;
    p[kOffFlags] = h.flags;
    p[kOffFamily] = version == 2 ? 0 : (h.group.family() == Family::V4 ? 4 : 6);
    p[10] = p[11] = 0;
    putAddress(p + l.originNetwork, h.originNetwork);
    putAddress(p + l.source, h.source);
    put16(p + l.sourcePort, h.sourcePort);
    put16(p + l.port, h.port);
    putAddress(p + l.group, h.group);
    put64(p + l.epoch, h.epoch);
    put64(p + l.sequence, h.sequence);
    put64(p + l.hopEpoch, h.hopEpoch);
    put64(p + l.receiverEpoch, h.receiverEpoch);
    put64(p + l.hopSequence, h.hopSequence);
    std::memcpy(p + l.fixed, h.origin.data(), h.origin.size());
    std::memcpy(p + l.fixed + h.origin.size(), h.hop.data(), h.hop.size());
    const std::size_t header = l.fixed + h.origin.size() + h.hop.size();
    if (!payload.empty())
        std::memcpy(p + header, payload.data(), payload.size());
    std::memset(p + header + payload.size(), 0, kTagBytes);
    return total;
}

void setHopFields(std::span<std::uint8_t> datagram, std::uint64_t hopEpoch,
                  std::uint64_t receiverEpoch, std::uint64_t hopSequence)
{
    std::uint8_t *p = datagram.data();
    // The hop fields lie where both IPv4 and IPv6 version-3 layouts put them.
    const Layout &l = layoutOf(p[2], Family::V4);
    put64(p + l.hopEpoch, hopEpoch);
    put64(p + l.receiverEpoch, receiverEpoch);
    put64(p + l.hopSequence, hopSequence);
}

std::array<std::uint8_t, kNonceBytes> tunnelNonce(std::uint64_t hopEpoch, std::uint64_t hopSequence)
{
    std::array<std::uint8_t, kNonceBytes> n{};
    put32(n.data(), static_cast<std::uint32_t>(hopEpoch));
    put64(n.data() + 4, hopSequence);
    return n;
}

std::vector<std::uint8_t> tunnelKeyInfo(std::string_view sender, std::string_view receiver,
                                        std::uint64_t senderEpoch, std::uint64_t receiverEpoch)
{
    std::vector<std::uint8_t> out(kTunnelKeyPurpose.begin(), kTunnelKeyPurpose.end());
    auto id = [&out](std::string_view s) {
        out.push_back(static_cast<std::uint8_t>(std::min(s.size(), std::size_t{255})));
        out.insert(out.end(), s.begin(), s.begin() + std::min(s.size(), std::size_t{255}));
    };
    id(sender);
    id(receiver);
    for (const std::uint64_t e : {senderEpoch, receiverEpoch}) {
        out.resize(out.size() + 8);
        put64(out.data() + out.size() - 8, e);
    }
    return out;
}

namespace {

// A carry payload's shape, by version; calls each(address, family, prefix length).
template<typename Each>
bool walkCarry(std::span<const std::uint8_t> pl, int version, Each each)
{
    if (pl.empty())
        return false;
    std::size_t at = 1;
    for (std::size_t i = 0; i < pl[0]; ++i) {
        Family family = Family::V4;
        if (version != 2) {
            if (at >= pl.size() || (pl[at] != 4 && pl[at] != 6))
                return false;
            family = pl[at] == 4 ? Family::V4 : Family::V6;
            ++at;
        }
        const std::size_t bytes = family == Family::V4 ? 4 : 16;
        if (pl.size() - at < bytes + 1)
            return false;
        const std::uint8_t length = pl[at + bytes];
        if (length > 8 * bytes)
            return false;
        each(pl.data() + at, family, length);
        at += bytes + 1;
    }
    return at == pl.size();
}

} // namespace

std::variant<Decoded, DecodeError> decode(std::span<const std::uint8_t> d)
{
    // The magic and the version first: a datagram of another version is named as such, however
    // long it is.
    if (d.size() >= 3 && (d[0] != 'D' || d[1] != 'R'))
        return DecodeError::BadMagic;
    if (d.size() >= 3 && (d[2] < 2 || d[2] > kTunnelVersion))
        return d[2] == 1 ? DecodeError::OldVersion : DecodeError::BadVersion;
    if (d.size() < kFixedHeaderBytes + kTagBytes)
        return DecodeError::Truncated;
    const std::uint8_t *p = d.data();
    const int version = p[2];
    if (p[3] != static_cast<std::uint8_t>(Kind::Data) &&
        p[3] != static_cast<std::uint8_t>(Kind::Keepalive) &&
        p[3] != static_cast<std::uint8_t>(Kind::Carry) &&
        p[3] != static_cast<std::uint8_t>(Kind::Release) &&
        (p[3] != static_cast<std::uint8_t>(Kind::Wants) || version < 4))
        return DecodeError::BadKind;
    const std::size_t originBytes = p[5];
    const std::size_t hopBytes = p[6];
    if (originBytes == 0 || originBytes > kNodeIdBytesMax || hopBytes == 0 ||
        hopBytes > kNodeIdBytesMax)
        return DecodeError::BadIdLength;
    Family family = Family::V4;
    if (version == 2) {
        if (p[kOffFamily] != 0)
            return DecodeError::BadFlags;
    } else if (p[kOffFamily] == 6) {
        family = Family::V6;
    } else if (p[kOffFamily] != 4) {
        return DecodeError::BadFamily;
    }
    if (p[7] > (family == Family::V4 ? 32 : 128))
        return DecodeError::BadPrefix;
    const auto kind = static_cast<Kind>(p[3]);
    if (!validFlags(kind, p[kOffFlags]) || p[10] != 0 || p[11] != 0)
        return DecodeError::BadFlags;
    const Layout &l = layoutOf(version, family);
    const std::size_t header = l.fixed + originBytes + hopBytes;
    if (d.size() < header + kTagBytes)
        return DecodeError::Truncated;
    Decoded out;
    out.version = version;
    Header &h = out.header;
    h.kind = kind;
    h.ttl = p[4];
    h.originPrefixLength = p[7];
    h.flags = p[kOffFlags];
    h.originNetwork = getAddress(p + l.originNetwork, family);
    h.source = getAddress(p + l.source, family);
    h.sourcePort = get16(p + l.sourcePort);
    h.port = get16(p + l.port);
    h.group = getAddress(p + l.group, family);
    h.epoch = get64(p + l.epoch);
    h.sequence = get64(p + l.sequence);
    h.hopEpoch = get64(p + l.hopEpoch);
    h.receiverEpoch = get64(p + l.receiverEpoch);
    h.hopSequence = get64(p + l.hopSequence);
    h.origin = std::string_view(reinterpret_cast<const char *>(p + l.fixed), originBytes);
    h.hop = std::string_view(reinterpret_cast<const char *>(p + l.fixed + originBytes), hopBytes);
    out.headerBytes = header;
    out.payload = d.subspan(header, d.size() - header - kTagBytes);
    out.tag = d.subspan(d.size() - kTagBytes);
    if (out.payload.size() > kPayloadBytesMax ||
        ((h.kind == Kind::Keepalive || h.kind == Kind::Release) && !out.payload.empty()))
        return DecodeError::Oversize;
    if (h.kind == Kind::Carry && !walkCarry(out.payload, version, [](auto...) {}))
        return DecodeError::BadCarry;
    if (h.kind == Kind::Wants && !decodeWants(out.payload))
        return DecodeError::BadWants;
    return out;
}

// ---- Anti-replay
// ---------------------------------------------------------------------------------

ReplayWindow::Verdict ReplayWindow::check(std::uint64_t seq) const
{
    if (seq == 0)
        return Verdict::TooOld;
    if (seq > highest_)
        return Verdict::Fresh;
    if (highest_ - seq >= kSize)
        return Verdict::TooOld;
    const std::uint64_t block = blocks_[(seq >> 6) % kBlocks];
    return (block >> (seq & 63)) & 1 ? Verdict::Seen : Verdict::Fresh;
}

ReplayWindow::Verdict ReplayWindow::accept(std::uint64_t seq)
{
    const Verdict v = check(seq);
    if (v != Verdict::Fresh)
        return v;
    if (seq > highest_) {
        // Clear the blocks the window moves over (all of them when it jumps past the ring).
        const std::uint64_t from = highest_ >> 6;
        const std::uint64_t to = seq >> 6;
        const std::uint64_t steps = std::min<std::uint64_t>(to - from, kBlocks);
        for (std::uint64_t i = 1; i <= steps; ++i)
            blocks_[(from + i) % kBlocks] = 0;
        highest_ = seq;
    }
    blocks_[(seq >> 6) % kBlocks] |= std::uint64_t{1} << (seq & 63);
    return Verdict::Fresh;
}

void ReplayWindow::reset()
{
    highest_ = 0;
    blocks_.fill(0);
}

std::vector<std::uint8_t> encodeCarry(const std::set<GroupName> &networks, int version)
{
    std::vector<std::uint8_t> out(1);
    for (const auto &n : networks) {
        const auto p = Prefix::parse(n);
        if (!p || out[0] == kCarryNetworksMax)
            continue;
        const bool v4 = p->address().family() == Family::V4;
        if (version == 2 && !v4)
            continue;
        if (version != 2)
            out.push_back(v4 ? 4 : 6);
        const auto &bytes = p->address().bytes();
        out.insert(out.end(), bytes.begin(), bytes.begin() + (v4 ? 4 : 16));
        out.push_back(static_cast<std::uint8_t>(p->length()));
        ++out[0];
    }
    return out;
}

std::optional<std::set<GroupName>> decodeCarry(std::span<const std::uint8_t> pl, int version)
{
    std::set<GroupName> out;
    const bool ok = walkCarry(pl, version, [&](const std::uint8_t *a, Family f, int length) {
        out.insert(Prefix(getAddress(a, f), length).toString());
    });
    if (!ok)
        return std::nullopt;
    return out;
}

// ---- Listen frames -----------------------------------------------------------------------------

std::vector<std::uint8_t> encodeListenFrame(const ListenFrame &f)
{
    const bool v4 = (f.group ? f.group->family() : f.family) == Family::V4;
    std::vector<std::uint8_t> out(12 + (v4 ? 4 : 16), 0);
    out[0] = 'D';
    out[1] = 'L';
    out[2] = 1;
    out[3] = static_cast<std::uint8_t>(f.op);
    out[4] = v4 ? 4 : 6;
    put32(out.data() + 8, f.maxResponseMs);
    if (f.group)
        putAddress(out.data() + 12, *f.group);
    return out;
}

std::optional<Result<ListenFrame>> decodeListenFrame(std::span<const std::uint8_t> b)
{
    if (b.size() < 2 || b[0] != 'D' || b[1] != 'L')
        return std::nullopt;
    auto bad = [](std::string why) {
        return std::optional<Result<ListenFrame>>(Error{"listen frame: " + std::move(why)});
    };
    if (b.size() < 12)
        return bad(std::to_string(b.size()) + " bytes, shorter than its header (12)");
    if (b[2] != 1)
        return bad("version " + std::to_string(b[2]) + " (this build speaks 1)");
    if (b[3] < 1 || b[3] > 3)
        return bad("op " + std::to_string(b[3]) + " is not 1 (report), 2 (leave) or 3 (query)");
    if (b[4] != 4 && b[4] != 6)
        return bad("family " + std::to_string(b[4]));
    if (b[5] != 0 || b[6] != 0 || b[7] != 0)
        return bad("nonzero reserved bytes");
    const Family family = b[4] == 4 ? Family::V4 : Family::V6;
    const std::size_t want = 12 + (family == Family::V4 ? 4 : 16);
    if (b.size() != want)
        return bad(std::to_string(b.size()) + " bytes, not " + std::to_string(want) +
                   " for family " + std::to_string(b[4]));
    ListenFrame f;
    f.op = static_cast<ListenOp>(b[3]);
    f.family = family;
    f.maxResponseMs = get32(b.data() + 8);
    const IpAddress g = getAddress(b.data() + 12, family);
    const bool zero = g == IpAddress::v4(0) || g == IpAddress::v6({});
    if (f.op == ListenOp::Query && zero)
        return std::optional<Result<ListenFrame>>(f); // a general query
    if (!g.isMulticast())
        return bad("group " + g.toString() + " is not a multicast group");
    f.group = g;
    return std::optional<Result<ListenFrame>>(f);
}

// ---- Wants -------------------------------------------------------------------------------------

namespace {

constexpr std::uint8_t kWantsFull = 1;
constexpr std::uint8_t kWantsDelta = 2;
constexpr std::uint8_t kWantsLast = 0x01;
constexpr std::uint8_t kWantsEverything = 0x02;

std::vector<std::uint8_t> wantsPage(std::uint8_t op, std::uint8_t flags, std::uint16_t page,
                                    std::uint64_t sequence)
{
    std::vector<std::uint8_t> out(kWantsHeaderBytes);
    out[0] = op;
    out[1] = flags;
    put16(out.data() + 2, page);
    put64(out.data() + 4, sequence);
    return out;
}

std::size_t entryBytes(const IpAddress &group)
{
    return 2 + (group.family() == Family::V4 ? 4 : 16);
}

void putEntry(std::vector<std::uint8_t> &page, bool add, const IpAddress &group)
{
    page.push_back(add ? 1 : 2);
    page.push_back(group.family() == Family::V4 ? 4 : 6);
    const auto &b = group.bytes();
    page.insert(page.end(), b.begin(), b.begin() + (group.family() == Family::V4 ? 4 : 16));
    put16(page.data() + 12, static_cast<std::uint16_t>(get16(page.data() + 12) + 1));
}

} // namespace

std::vector<std::vector<std::uint8_t>>
encodeWantsFull(std::uint64_t sequence, const std::optional<std::set<IpAddress>> &set)
{
    std::vector<std::vector<std::uint8_t>> pages;
    if (!set || set->size() > kWantsGroupsMax) {
        pages.push_back(wantsPage(kWantsFull, kWantsLast | kWantsEverything, 0, sequence));
        return pages;
    }
    pages.push_back(wantsPage(kWantsFull, 0, 0, sequence));
    for (const IpAddress &g : *set) {
        if (pages.back().size() + entryBytes(g) > kPayloadBytesMax)
            pages.push_back(
                wantsPage(kWantsFull, 0, static_cast<std::uint16_t>(pages.size()), sequence));
        putEntry(pages.back(), true, g);
    }
    pages.back()[1] = kWantsLast;
    return pages;
}

std::vector<std::vector<std::uint8_t>> encodeWantsDelta(std::uint64_t firstSequence,
                                                        const std::set<IpAddress> &added,
                                                        const std::set<IpAddress> &removed)
{
    std::vector<std::vector<std::uint8_t>> pages;
    auto put = [&](bool add, const IpAddress &g) {
        if (pages.empty() || pages.back().size() + entryBytes(g) > kPayloadBytesMax)
            pages.push_back(wantsPage(kWantsDelta, 0, 0, firstSequence + pages.size()));
        putEntry(pages.back(), add, g);
    };
    for (const IpAddress &g : removed)
        put(false, g);
    for (const IpAddress &g : added)
        put(true, g);
    return pages;
}

Result<WantsMessage> decodeWants(std::span<const std::uint8_t> pl)
{
    auto bad = [](std::string why) { return Error{"wants: " + std::move(why)}; };
    if (pl.size() < kWantsHeaderBytes)
        return bad(std::to_string(pl.size()) + " bytes, shorter than its header (" +
                   std::to_string(kWantsHeaderBytes) + ")");
    WantsMessage m;
    if (pl[0] != kWantsFull && pl[0] != kWantsDelta)
        return bad("op " + std::to_string(pl[0]) + " is neither 1 (full) nor 2 (delta)");
    m.full = pl[0] == kWantsFull;
    const std::uint8_t flags = pl[1];
    if ((flags & ~(kWantsLast | kWantsEverything)) != 0 || (!m.full && flags != 0) ||
        ((flags & kWantsEverything) && !(flags & kWantsLast)))
        return bad("flags " + std::to_string(flags) + " not allowed with op " +
                   std::to_string(pl[0]));
    m.last = (flags & kWantsLast) != 0;
    m.everything = (flags & kWantsEverything) != 0;
    m.page = get16(pl.data() + 2);
    if (!m.full && m.page != 0)
        return bad("a delta with page " + std::to_string(m.page));
    m.sequence = get64(pl.data() + 4);
    if (m.sequence == 0)
        return bad("sequence 0");
    const std::size_t count = get16(pl.data() + 12);
    if (m.everything && count != 0)
        return bad("\"every group\" with " + std::to_string(count) + " entries");
    std::size_t at = kWantsHeaderBytes;
    for (std::size_t i = 0; i < count; ++i) {
        if (pl.size() - at < 2)
            return bad("entry " + std::to_string(i) + " truncated");
        const std::uint8_t action = pl[at];
        const std::uint8_t family = pl[at + 1];
        if (action != 1 && action != 2)
            return bad("entry " + std::to_string(i) + ": action " + std::to_string(action));
        if (m.full && action != 1)
            return bad("entry " + std::to_string(i) + ": a full set removes nothing");
        if (family != 4 && family != 6)
            return bad("entry " + std::to_string(i) + ": family " + std::to_string(family));
        const std::size_t bytes = family == 4 ? 4 : 16;
        if (pl.size() - at - 2 < bytes)
            return bad("entry " + std::to_string(i) + " truncated");
        const IpAddress g = getAddress(pl.data() + at + 2, family == 4 ? Family::V4 : Family::V6);
        if (!g.isMulticast())
            return bad("entry " + std::to_string(i) + ": " + g.toString() +
                       " is not a multicast group");
        m.entries.emplace_back(action == 1, g);
        at += 2 + bytes;
    }
    if (at != pl.size())
        return bad(std::to_string(pl.size() - at) + " bytes after the entries");
    return m;
}

bool WantsReceiver::apply(std::uint64_t epoch, const WantsMessage &m)
{
    const auto before = wants_;
    if (epoch != epoch_) { // the peer started again: its sequences did too (every group, until
        reset();           // its first full set)
        epoch_ = epoch;
    }
    if (m.full) {
        if (m.sequence < applied_ || (applied_ != 0 && m.sequence == applied_))
            return false; // older than, or the state already held
        if (m.page == 0) {
            pendingSequence_ = m.sequence;
            pendingNext_ = 0;
            pending_.clear();
            pendingEverything_ = false;
        }
        if (m.sequence != pendingSequence_ || m.page != pendingNext_) {
            pendingNext_ = -1; // a page missing: wait for the next full set
            return false;
        }
        for (const auto &[add, g] : m.entries)
            if (pending_.size() < kWantsGroupsMax)
                pending_.insert(g);
            else
                pendingEverything_ = true;
        pendingEverything_ = pendingEverything_ || m.everything;
        ++pendingNext_;
        if (!m.last)
            return false;
        if (pendingEverything_)
            wants_.reset();
        else
            wants_ = std::move(pending_);
        pending_.clear();
        pendingNext_ = -1;
        applied_ = m.sequence;
        return wants_ != before;
    }
    if (applied_ == 0 || m.sequence != applied_ + 1 || !wants_) {
        // Not on the state before it (a delta lost, or "every group" held): the next full set.
        if (applied_ != 0 && m.sequence > applied_ + 1)
            applied_ = 0;
        return false;
    }
    applied_ = m.sequence;
    for (const auto &[add, g] : m.entries) {
        if (!add)
            wants_->erase(g);
        else if (wants_->size() < kWantsGroupsMax)
            wants_->insert(g);
        else
            wants_.reset(); // too many to follow: every group, until a full set
        if (!wants_)
            break;
    }
    return wants_ != before;
}

// ---- Forwarding --------------------------------------------------------------------------------

std::string_view toString(Drop d)
{
    switch (d) {
    case Drop::None:
        return "none";
    case Drop::NotRouted:
        return "not-routed";
    case Drop::UnknownPeer:
        return "unknown-peer";
    case Drop::OwnOrigin:
        return "own-origin";
    case Drop::TtlExpired:
        return "ttl-expired";
    case Drop::NotAChannel:
        return "not-a-channel";
    case Drop::OtherFamily:
        return "other-family";
    case Drop::RelayEmission:
        return "relay-emission";
    case Drop::Oversize:
        return "oversize";
    case Drop::CrossOriginDuplicate:
        return "cross-origin-duplicate";
    case Drop::Duplicate:
        return "duplicate";
    case Drop::Stale:
        return "stale";
    case Drop::NotCarried:
        return "not-carried";
    case Drop::OriginNotHop:
        return "origin-not-hop";
    case Drop::NotWanted:
        return "not-wanted";
    case Drop::CarryFromLeaf:
        return "carry-from-leaf";
    case Drop::Boundary:
        return "boundary";
    case Drop::BelowThreshold:
        return "below-threshold";
    case Drop::RateLimitChannel:
        return "rate-limit-channel";
    case Drop::RateLimitTunnel:
        return "rate-limit-tunnel";
    }
    return "?";
}

std::vector<NodeId> CarryBook::update(const std::map<NodeId, std::set<GroupName>> &leaves)
{
    std::map<GroupName, NodeId> next;
    // A network stays with its carrier while that leaf's tunnel still lists it.
    for (const auto &[network, leaf] : carrier_) {
        auto it = leaves.find(leaf);
        if (it != leaves.end() && it->second.count(network) != 0)
            next.emplace(network, leaf);
    }
    // One nobody carries goes to the first leaf (by id) that lists it.
    for (const auto &[leaf, networks] : leaves)
        for (const auto &n : networks)
            next.emplace(n, leaf);
    std::map<NodeId, std::set<GroupName>> carried;
    for (const auto &[leaf, networks] : leaves)
        carried[leaf];
    for (const auto &[network, leaf] : next)
        carried[leaf].insert(network);
    std::vector<NodeId> changed;
    for (const auto &[leaf, networks] : carried) {
        auto old = carried_.find(leaf);
        if (old == carried_.end() || old->second != networks)
            changed.push_back(leaf);
    }
    carrier_ = std::move(next);
    carried_ = std::move(carried);
    return changed;
}

const std::set<GroupName> &CarryBook::carriedBy(const NodeId &leaf) const
{
    static const std::set<GroupName> none;
    auto it = carried_.find(leaf);
    return it == carried_.end() ? none : it->second;
}

std::set<GroupName> CarryBook::rootCarries(const std::set<GroupName> &routed) const
{
    std::set<GroupName> out;
    for (const auto &n : routed)
        if (carrier_.count(n) == 0)
            out.insert(n);
    return out;
}

// ---- Dedupe ------------------------------------------------------------------------------------

std::uint64_t hashBytes(std::span<const std::uint8_t> bytes, std::uint64_t seed)
{
    // Four independent lanes of multiply-xor over 32 bytes per round (a 1,200-byte payload in a
    // few hundred cycles), folded with a full mix at the end.
    std::uint64_t lanes[4] = {seed ^ kMul, seed + bytes.size(), ~seed, seed * kMul + 1};
    std::size_t i = 0;
    for (; i + 32 <= bytes.size(); i += 32) {
        for (int k = 0; k < 4; ++k) {
            std::uint64_t w = 0;
            std::memcpy(&w, bytes.data() + i + 8 * static_cast<std::size_t>(k), 8);
            lanes[k] = (lanes[k] ^ w) * kMul;
            lanes[k] ^= lanes[k] >> 29;
        }
    }
    std::uint64_t h = mix(lanes[0]) ^ mix(lanes[1] + 1) ^ mix(lanes[2] + 2) ^ mix(lanes[3] + 3);
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, bytes.data() + i, 8);
        h = (h ^ mix(w)) * kMul;
    }
    std::uint64_t tail = 0;
    for (std::size_t k = 0; i + k < bytes.size(); ++k)
        tail |= std::uint64_t{bytes[i + k]} << (8 * k);
    h = (h ^ mix(tail ^ bytes.size())) * kMul;
    return mix(h);
}

DedupeWindow::DedupeWindow(std::size_t originsMax, std::size_t fingerprintSlots,
                           std::int64_t windowMs)
    : originsMax_(std::max<std::size_t>(1, originsMax))
    , windowMs_(windowMs)
    , slots_(std::max<std::size_t>(kWays, fingerprintSlots / kWays * kWays))
{
}

DedupeWindow::Verdict DedupeWindow::check(const Header &h, std::span<const std::uint8_t> payload,
                                          std::int64_t nowMs)
{
    ++uses_;
    // 1. The same tunnelled datagram again.
    auto it = origins_.find(h.origin);
    if (it == origins_.end()) {
        if (origins_.size() >= originsMax_) {
            auto oldest = origins_.begin();
            for (auto o = origins_.begin(); o != origins_.end(); ++o)
                if (o->second.lastUse < oldest->second.lastUse)
                    oldest = o;
            origins_.erase(oldest);
        }
        it = origins_.emplace(std::string(h.origin), OriginState{}).first;
        it->second.bits.assign(kSequenceWindow / 64, 0);
        it->second.epoch = h.epoch;
    }
    OriginState &o = it->second;
    o.lastUse = uses_;
    if (o.epoch != h.epoch) { // the origin restarted: a new sequence space
        o.epoch = h.epoch;
        o.highest = 0;
        std::fill(o.bits.begin(), o.bits.end(), 0);
    }
    const std::uint64_t seq = h.sequence;
    if (seq + kSequenceWindow <= o.highest)
        return Verdict::Stale;
    if (seq > o.highest) {
        // Clear the bits of the sequences skipped over.
        const std::uint64_t gap = seq - o.highest;
        if (gap >= kSequenceWindow) {
            std::fill(o.bits.begin(), o.bits.end(), 0);
        } else {
            for (std::uint64_t s = o.highest + 1; s <= seq; ++s)
                o.bits[(s % kSequenceWindow) / 64] &= ~(std::uint64_t{1} << (s % 64));
        }
        o.highest = seq;
    }
    std::uint64_t &word = o.bits[(seq % kSequenceWindow) / 64];
    const std::uint64_t bit = std::uint64_t{1} << (seq % 64);
    if ((word & bit) != 0)
        return Verdict::Duplicate;
    word |= bit;

    return checkCrossOrigin(h, payload, nowMs);
}

std::uint64_t DedupeWindow::fingerprint(const Header &h, std::span<const std::uint8_t> payload)
{
    // An address folded to 64 bits (IPv4: its 4 bytes; IPv6: both halves mixed).
    auto fold = [](const IpAddress &a) {
        std::uint64_t hi = 0, lo = 0;
        std::memcpy(&hi, a.bytes().data(), 8);
        std::memcpy(&lo, a.bytes().data() + 8, 8);
        return a.family() == Family::V4 ? hi : mix(hi) ^ lo;
    };
    std::uint64_t fp = hashBytes(payload, fold(h.originNetwork));
    fp = mix(fp ^ (fold(h.source) << 16 ^ h.sourcePort) * kMul);
    return mix(fp ^ (fold(h.group) << 16 ^ h.port) ^ h.originPrefixLength);
}

DedupeWindow::Verdict DedupeWindow::checkCrossOrigin(const Header &h,
                                                     std::span<const std::uint8_t> payload,
                                                     std::int64_t nowMs)
{
    // 2. The same datagram ingested by another node of its network.
    const std::uint64_t fp = fingerprint(h, payload);
    const std::uint64_t tag = hashBytes(
        std::span(reinterpret_cast<const std::uint8_t *>(h.origin.data()), h.origin.size()));
    Slot *bucket = slots_.data() + (fp % (slots_.size() / kWays)) * kWays;
    Slot *victim = bucket;
    for (std::size_t i = 0; i < kWays; ++i) {
        Slot &slot = bucket[i];
        if (slot.used && slot.fingerprint == fp) {
            if (nowMs - slot.timeMs <= windowMs_ && slot.originTag != tag)
                return Verdict::CrossOrigin;
            victim = &slot;
            break;
        }
        // The first free entry, else the oldest.
        if (victim->used && (!slot.used || slot.timeMs < victim->timeMs))
            victim = &slot;
    }
    *victim = Slot{fp, tag, nowMs, true};
    return Verdict::Fresh;
}

// ---- Loopback segments -------------------------------------------------------------------------

LoopbackSegment loopbackSegment(std::string_view cluster, const GroupName &network)
{
    std::string key(cluster);
    key += '\n';
    key += network;
    const std::uint64_t h =
        hashBytes(std::span(reinterpret_cast<const std::uint8_t *>(key.data()), key.size()));
    LoopbackSegment s;
    const auto x = static_cast<std::uint32_t>((h >> 8) & 0xff);
    const auto y = static_cast<std::uint32_t>(1 + (h & 0xff) % 254);
    s.group = (239u << 24) | (255u << 16) | (x << 8) | y;
    s.port = static_cast<std::uint16_t>(20000 + (h >> 16) % 20000);
    return s;
}

std::size_t encodeSegmentFrame(const IpAddress &group, std::uint16_t port, std::uint16_t sourcePort,
                               std::span<const std::uint8_t> payload, std::span<std::uint8_t> out,
                               bool relayed)
{
    const std::size_t header = segmentHeaderBytes(group);
    if (payload.size() > kPayloadBytesMax || out.size() < header + payload.size())
        return 0;
    std::uint8_t *p = out.data();
    p[0] = 'D';
    p[1] = 'S';
    p[3] = relayed ? kSegmentRelayed : 0;
    if (group.family() == Family::V4) {
        p[2] = 1;
        put32(p + 4, group.v4HostOrder());
        put16(p + 8, port);
        put16(p + 10, sourcePort);
    } else {
        p[2] = 2;
        put16(p + 4, port);
        put16(p + 6, sourcePort);
        std::memcpy(p + 8, group.bytes().data(), 16);
    }
    if (!payload.empty())
        std::memcpy(p + header, payload.data(), payload.size());
    return header + payload.size();
}

std::optional<SegmentFrame> decodeSegmentFrame(std::span<const std::uint8_t> b)
{
    if (b.size() < kSegmentHeaderBytes || b[0] != 'D' || b[1] != 'S' || (b[2] != 1 && b[2] != 2))
        return std::nullopt;
    const std::size_t header = b[2] == 1 ? kSegmentHeaderBytes : kSegmentHeaderBytesV6;
    if (b.size() < header || b.size() - header > kPayloadBytesMax)
        return std::nullopt;
    const bool relayed = (b[3] & kSegmentRelayed) != 0;
    if (b[2] == 1)
        return SegmentFrame{IpAddress::v4(get32(b.data() + 4)), get16(b.data() + 8),
                            get16(b.data() + 10), b.subspan(header), relayed};
    return SegmentFrame{getAddress(b.data() + 8, Family::V6), get16(b.data() + 4),
                        get16(b.data() + 6), b.subspan(header), relayed};
}

// ---- Reachability ------------------------------------------------------------------------------

std::vector<std::uint8_t> encodeProbe(const Probe &p)
{
    const std::size_t idBytes = std::min(p.node.size(), kNodeIdBytesMax);
    const std::size_t addressBytes = p.network.family() == Family::V4 ? 4 : 16;
    const std::size_t fixed = 18 + addressBytes;
    std::vector<std::uint8_t> out(fixed + idBytes);
    out[0] = 'D';
    out[1] = 'P';
    out[2] = p.network.family() == Family::V4 ? 1 : 2;
    out[3] = static_cast<std::uint8_t>(idBytes);
    out[4] = p.prefixLength;
    out[5] = 0;
    putAddress(out.data() + 6, p.network);
    put32(out.data() + 6 + addressBytes, p.epoch);
    put64(out.data() + 10 + addressBytes, p.sequence);
    std::memcpy(out.data() + fixed, p.node.data(), idBytes);
    return out;
}

std::optional<Probe> decodeProbe(std::span<const std::uint8_t> b)
{
    if (b.size() < 22 || b[0] != 'D' || b[1] != 'P' || (b[2] != 1 && b[2] != 2))
        return std::nullopt;
    const Family family = b[2] == 1 ? Family::V4 : Family::V6;
    const std::size_t addressBytes = family == Family::V4 ? 4 : 16;
    const std::size_t fixed = 18 + addressBytes;
    const std::size_t idBytes = b[3];
    if (idBytes == 0 || idBytes > kNodeIdBytesMax || b.size() != fixed + idBytes ||
        b[4] > 8 * addressBytes)
        return std::nullopt;
    Probe p;
    p.prefixLength = b[4];
    p.network = getAddress(b.data() + 6, family);
    p.epoch = get32(b.data() + 6 + addressBytes);
    p.sequence = get64(b.data() + 10 + addressBytes);
    p.node.assign(reinterpret_cast<const char *>(b.data() + fixed), idBytes);
    return p;
}

Reachability::Reachability(std::size_t streamsMax, std::uint64_t recentWindow)
    : streamsMax_(std::max<std::size_t>(1, streamsMax))
    , recentWindow_(std::clamp<std::uint64_t>(recentWindow, 1, 64))
{
}

void Reachability::heard(const Probe &p, const GroupName &heardOn, std::int64_t nowMs)
{
    const GroupName sentOn = Prefix(p.network, p.prefixLength).toString();
    Key key{p.node, sentOn, heardOn};
    auto it = streams_.find(key);
    if (it == streams_.end()) {
        if (streams_.size() >= streamsMax_) {
            auto oldest = streams_.begin();
            for (auto s = streams_.begin(); s != streams_.end(); ++s)
                if (s->second.lastSeenMs < oldest->second.lastSeenMs)
                    oldest = s;
            streams_.erase(oldest);
        }
        Stream s;
        s.epoch = p.epoch;
        s.first = s.highest = p.sequence;
        s.received = 1;
        s.window = 1;
        s.lastSeenMs = nowMs;
        streams_.emplace(std::move(key), s);
        return;
    }
    Stream &s = it->second;
    s.lastSeenMs = nowMs;
    if (s.epoch != p.epoch) {
        // The sender restarted: keep its totals, start a new sequence space.
        s.lostBefore += (s.highest - s.first + 1) - std::min(s.received, s.highest - s.first + 1);
        s.receivedBefore += s.received;
        s.epoch = p.epoch;
        s.first = s.highest = p.sequence;
        s.received = 1;
        s.window = 1;
        return;
    }
    if (p.sequence > s.highest) {
        const std::uint64_t shift = p.sequence - s.highest;
        s.window = shift >= 64 ? 0 : s.window << shift;
        s.window |= 1;
        s.highest = p.sequence;
        ++s.received;
    } else if (p.sequence < s.first) {
        s.first = p.sequence; // late and earlier than the first one heard
        ++s.received;
    } else {
        const std::uint64_t back = s.highest - p.sequence;
        if (back < 64 && (s.window & (std::uint64_t{1} << back)) != 0) {
            ++s.duplicates;
        } else {
            if (back < 64)
                s.window |= std::uint64_t{1} << back;
            ++s.received;
        }
    }
}

std::vector<Reachability::Cell> Reachability::row(std::int64_t nowMs, std::int64_t intervalMs) const
{
    std::map<NodeId, Cell> cells;
    std::map<NodeId, std::pair<std::uint64_t, std::uint64_t>> recent; // missing, expected
    for (const auto &[key, s] : streams_) {
        const auto &[node, sentOn, heardOn] = key;
        Cell &c = cells[node];
        c.from = node;
        const std::uint64_t span = s.highest - s.first + 1;
        c.received += s.received + s.receivedBefore;
        c.lost += s.lostBefore + (span > s.received ? span - s.received : 0);
        c.duplicates += s.duplicates;
        c.lastSeenMs = std::max(c.lastSeenMs, s.lastSeenMs);
        const bool fresh = nowMs - s.lastSeenMs <= 3 * intervalMs + intervalMs / 2;
        c.heard = c.heard || fresh;
        c.via.push_back(sentOn + ">" + heardOn);
        if (!fresh)
            continue; // a stream that stopped (its network left) does not count as loss
        const std::uint64_t expected = std::min(recentWindow_, span);
        std::uint64_t have = 0;
        for (std::uint64_t i = 0; i < expected; ++i)
            have += (s.window >> i) & 1;
        recent[node].first += expected - have;
        recent[node].second += expected;
    }
    std::vector<Cell> out;
    for (auto &[node, c] : cells) {
        const auto &[missing, expected] = recent[node];
        c.recentLoss = expected == 0 ? (c.heard ? 0.0 : 1.0)
                                     : static_cast<double>(missing) / static_cast<double>(expected);
        out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(),
              [](const Cell &a, const Cell &b) { return naturalLess(a.from, b.from); });
    return out;
}

std::vector<int> tunnelVersions()
{
    std::vector<int> out;
    for (int v = kTunnelVersionMin; v <= kTunnelVersion; ++v)
        out.push_back(v);
    return out;
}

std::vector<int> tunnelVersionsOf(const std::optional<std::vector<int>> &listed, bool hasEpoch)
{
    if (!listed)
        return {hasEpoch ? 2 : 1};
    std::vector<int> out;
    for (int v : *listed)
        if (v >= 1 && v <= 255)
            out.push_back(v);
    return out;
}

std::optional<int> tunnelVersionWith(const std::vector<int> &theirs)
{
    std::optional<int> best;
    for (int v : theirs)
        if (v >= kTunnelVersionMin && v <= kTunnelVersion && (!best || v > *best))
            best = v;
    return best;
}

} // namespace dmr::relay
