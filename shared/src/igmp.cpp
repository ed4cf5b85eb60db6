#include "dmr/igmp.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <string>

namespace dmr::igmp {

namespace {

std::uint16_t get16(const std::uint8_t *p)
{
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t get32(const std::uint8_t *p)
{
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           p[3];
}
void put16(std::uint8_t *p, std::uint16_t v)
{
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
IpAddress v6At(const std::uint8_t *p)
{
    std::array<std::uint8_t, 16> b{};
    for (std::size_t i = 0; i < b.size(); ++i)
        b[i] = p[i];
    return IpAddress::v6(b);
}
std::string hex16(std::uint16_t v)
{
    char text[8];
    std::snprintf(text, sizeof text, "0x%04x", v);
    return text;
}
std::string n(std::size_t v)
{
    return std::to_string(v);
}
Error fail(std::string what)
{
    return Error{std::move(what)};
}

bool isUnspecified(const IpAddress &a)
{
    return a == IpAddress() || a == IpAddress::v6({});
}
bool isLinkLocalV6(const IpAddress &a)
{
    return a.family() == Family::V6 && a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80;
}

// A source-filter record (IGMPv3 4.2.12, MLDv2 5.2.12) as the relay sees it: without sources.
// Returns false for a record that says nothing (ALLOW({}), BLOCK({})).
Result<bool> recordMessage(int recordType, std::size_t sources, Message &m, const char *proto,
                           std::size_t index)
{
    switch (recordType) {
    case 1: // MODE_IS_INCLUDE
    case 3: // CHANGE_TO_INCLUDE_MODE
        m.type = sources == 0 ? MessageType::Leave : MessageType::Report;
        return true;
    case 2: // MODE_IS_EXCLUDE
    case 4: // CHANGE_TO_EXCLUDE_MODE
        m.type = MessageType::Report;
        return true;
    case 5: // ALLOW_NEW_SOURCES
        m.type = MessageType::Report;
        return sources != 0;
    case 6: // BLOCK_OLD_SOURCES: perhaps the host's last source, perhaps not
        m.type = MessageType::Leave;
        m.namesHost = false;
        return sources != 0;
    default:
        return fail(std::string(proto) + " report record " + n(index + 1) + ": record type " +
                    n(static_cast<std::size_t>(recordType)) + " unknown (1 to 6)");
    }
}

} // namespace

std::uint16_t internetChecksum(std::span<const std::uint8_t> bytes, std::uint32_t sum)
{
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2)
        sum += get16(bytes.data() + i);
    if (i < bytes.size())
        sum += std::uint32_t{bytes[i]} << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::uint16_t icmp6Checksum(std::span<const std::uint8_t> icmp6, const IpAddress &source,
                            const IpAddress &destination)
{
    std::uint32_t sum = 0;
    for (const IpAddress *a : {&source, &destination})
        for (std::size_t i = 0; i < 16; i += 2)
            sum += get16(a->bytes().data() + i);
    sum += static_cast<std::uint32_t>(icmp6.size() >> 16);
    sum += static_cast<std::uint32_t>(icmp6.size() & 0xffff);
    sum += 58; // next header: ICMPv6
    return internetChecksum(icmp6, sum);
}

namespace {

// The floating-point codes of RFC 3376 4.1.1 (8 bits) and RFC 3810 5.1.3 (16 bits), one shape:
// a code below 2^(bits-1) is the value itself; above, it reads 1|exp(3 bits)|mant(bits-4 bits)
// and means (mant | 2^(bits-4)) << (exp + 3). Code is the unsigned type of the width.
template<typename Code>
struct FloatCode
{
    static constexpr int kBits = std::numeric_limits<Code>::digits;
    static constexpr int kMantBits = kBits - 4;
    // The largest code that is its own value: 127 or 32767.
    static constexpr std::int64_t kLinearMax = (std::int64_t{1} << (kBits - 1)) - 1;
    // The mantissa's implied top bit, 0x10 or 0x1000, and the mask of its stored bits.
    static constexpr std::int64_t kMantHidden = std::int64_t{1} << kMantBits;
    static constexpr std::int64_t kMantMask = kMantHidden - 1;

    static std::int64_t decode(Code code)
    {
        if (code <= kLinearMax)
            return code;
        const int exp = (code >> kMantBits) & 7;
        return ((code & kMantMask) | kMantHidden) << (exp + 3);
    }

    // Rounds down; saturates at the largest code (all ones).
    static Code encode(std::int64_t value)
    {
        if (value <= 0)
            return 0;
        if (value <= kLinearMax)
            return static_cast<Code>(value);
        for (int exp = 0; exp < 8; ++exp) {
            const std::int64_t mant = value >> (exp + 3);
            if (mant <= (kMantHidden | kMantMask))
                return static_cast<Code>((kLinearMax + 1) | (exp << kMantBits) |
                                         (mant - kMantHidden));
        }
        return std::numeric_limits<Code>::max();
    }
};

} // namespace

std::int64_t decodeCode8(std::uint8_t code)
{
    return FloatCode<std::uint8_t>::decode(code);
}

std::uint8_t encodeCode8(std::int64_t value)
{
    return FloatCode<std::uint8_t>::encode(value);
}

std::int64_t decodeCode16(std::uint16_t code)
{
    return FloatCode<std::uint16_t>::decode(code);
}

std::uint16_t encodeCode16(std::int64_t value)
{
    return FloatCode<std::uint16_t>::encode(value);
}

Result<std::vector<Message>> parseIgmp(std::span<const std::uint8_t> packet)
{
    const std::uint8_t *p = packet.data();
    const std::size_t size = packet.size();
    if (size < 20)
        return fail("IPv4 header: " + n(size) + " bytes, at least 20");
    if ((p[0] >> 4) != 4)
        return fail("IPv4 version " + n(p[0] >> 4u) + ", expected 4");
    const std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
    if (ihl < 20 || ihl > size)
        return fail("IPv4 header length " + n(ihl) + " (20 to " +
                    n(std::min<std::size_t>(size, 60)) + ")");
    const std::size_t total = get16(p + 2);
    if (total < ihl || total > size)
        return fail("IPv4 total length " + n(total) + ", the packet has " + n(size) + " bytes");
    if ((get16(p + 6) & 0x3fff) != 0)
        return fail("IPv4 fragment (flags and offset " + hex16(get16(p + 6)) +
                    "): IGMP is never fragmented");
    if (p[8] != 1)
        return fail("IPv4 TTL " + n(p[8]) + ", expected 1: IGMP never crosses a router");
    if (p[9] != 2)
        return fail("IPv4 protocol " + n(p[9]) + ", expected 2 (IGMP)");
    if (internetChecksum(packet.subspan(0, ihl)) != 0)
        return fail("IPv4 header checksum " + hex16(get16(p + 10)) + " wrong");
    const IpAddress source = IpAddress::v4(get32(p + 12));

    const std::span<const std::uint8_t> msg = packet.subspan(ihl, total - ihl);
    const std::uint8_t *m = msg.data();
    const std::size_t len = msg.size();
    if (len < 8)
        return fail("IGMP message: " + n(len) + " bytes, at least 8");
    if (internetChecksum(msg) != 0)
        return fail("IGMP checksum " + hex16(get16(m + 2)) + " wrong");
    const std::uint8_t type = m[0];
    std::vector<Message> out;

    auto multicastGroup = [&](const char *what) -> Result<IpAddress> {
        const IpAddress g = IpAddress::v4(get32(m + 4));
        if (!g.isMulticast())
            return fail(std::string(what) + " group " + g.toString() + " is not multicast");
        return g;
    };

    switch (type) {
    case 0x11: { // membership query
        Message q;
        q.type = MessageType::Query;
        q.source = source;
        if (source == IpAddress())
            return fail("IGMP query from 0.0.0.0: no querier has that address");
        if (len > 8 && len < 12)
            return fail("IGMP query length " + n(len) + " (8 for v1/v2, 12 or more for v3)");
        if (const std::uint32_t g = get32(m + 4); g != 0) {
            auto group = multicastGroup("IGMP query");
            if (!group)
                return group.error();
            q.group = *group;
        }
        if (len == 8) {
            q.version = m[1] == 0 ? 1 : 2;
            q.maxResponseMs = m[1] == 0 ? 10'000 : std::int64_t{m[1]} * 100;
        } else {
            q.version = 3;
            q.maxResponseMs = decodeCode8(m[1]) * 100;
            q.suppressRouterSide = (m[8] & 0x08) != 0;
            q.robustness = m[8] & 0x07;
            q.queryIntervalS = decodeCode8(m[9]);
            q.sourceCount = get16(m + 10);
            if (12 + 4 * q.sourceCount > len)
                return fail("IGMPv3 query: " + n(q.sourceCount) + " sources need " +
                            n(12 + 4 * q.sourceCount) + " bytes, the message has " + n(len));
        }
        out.push_back(q);
        return out;
    }
    case 0x12:   // IGMPv1 report
    case 0x16:   // IGMPv2 report
    case 0x17: { // IGMPv2 leave
        const char *what = type == 0x17   ? "IGMPv2 leave"
                           : type == 0x16 ? "IGMPv2 report"
                                          : "IGMPv1 report";
        auto group = multicastGroup(what);
        if (!group)
            return group.error();
        Message r;
        r.type = type == 0x17 ? MessageType::Leave : MessageType::Report;
        r.version = type == 0x12 ? 1 : 2;
        r.source = source;
        r.group = *group;
        out.push_back(r);
        return out;
    }
    case 0x22: { // IGMPv3 report
        const std::size_t records = get16(m + 6);
        std::size_t at = 8;
        for (std::size_t i = 0; i < records; ++i) {
            const std::string rec = "IGMPv3 report record " + n(i + 1) + " of " + n(records);
            if (len - at < 8)
                return fail(rec + ": " + n(len - at) + " bytes left, a record needs 8");
            const std::uint8_t *r = m + at;
            const std::size_t sources = get16(r + 2);
            const std::size_t bytes = 8 + 4 * sources + 4 * std::size_t{r[1]};
            if (len - at < bytes)
                return fail(rec + ": " + n(sources) + " sources and " + n(r[1]) +
                            " words of auxiliary data need " + n(bytes) + " bytes, " + n(len - at) +
                            " left");
            const IpAddress g = IpAddress::v4(get32(r + 4));
            if (!g.isMulticast())
                return fail(rec + ": group " + g.toString() + " is not multicast");
            Message e;
            e.version = 3;
            e.source = source;
            e.group = g;
            e.namesHost = source != IpAddress();
            auto said = recordMessage(r[0], sources, e, "IGMPv3", i);
            if (!said)
                return said.error();
            if (*said)
                out.push_back(e);
            at += bytes;
        }
        return out;
    }
    default:
        // DVMRP, mtrace, PIMv1 and other IGMP-protocol messages: not for the listener table.
        return out;
    }
}

Result<std::vector<Message>> parseMld(std::span<const std::uint8_t> icmp6, const IpAddress &source,
                                      const IpAddress &destination, int hopLimit)
{
    const std::uint8_t *m = icmp6.data();
    const std::size_t len = icmp6.size();
    if (source.family() != Family::V6 || destination.family() != Family::V6)
        return fail("MLD addresses " + source.toString() + " -> " + destination.toString() +
                    " are not IPv6");
    if (hopLimit != 1)
        return fail("MLD hop limit " + std::to_string(hopLimit) +
                    ", expected 1: MLD never crosses a router");
    if (!isLinkLocalV6(source) && !isUnspecified(source))
        return fail("MLD source " + source.toString() + " is not link-local");
    if (len < 4)
        return fail("ICMPv6 message: " + n(len) + " bytes, at least 4");
    if (len > kPacketBytesMax)
        return fail("ICMPv6 message: " + n(len) + " bytes, at most " + n(kPacketBytesMax));
    if (icmp6Checksum(icmp6, source, destination) != 0)
        return fail("ICMPv6 checksum " + hex16(get16(m + 2)) + " wrong");
    const std::uint8_t type = m[0];
    std::vector<Message> out;

    auto groupAt = [&](std::size_t offset, const char *what) -> Result<IpAddress> {
        const IpAddress g = v6At(m + offset);
        if (!g.isMulticast())
            return fail(std::string(what) + " group " + g.toString() + " is not multicast");
        return g;
    };

    switch (type) {
    case 130: { // multicast listener query
        if (len < 24 || (len > 24 && len < 28))
            return fail("MLD query length " + n(len) + " (24 for v1, 28 or more for v2)");
        if (isUnspecified(source))
            return fail("MLD query from ::: no querier has that address");
        Message q;
        q.type = MessageType::Query;
        q.source = source;
        if (v6At(m + 8) != IpAddress::v6({})) {
            auto g = groupAt(8, "MLD query");
            if (!g)
                return g.error();
            q.group = *g;
        }
        if (len == 24) {
            q.version = 1;
            q.maxResponseMs = get16(m + 4);
        } else {
            q.version = 2;
            q.maxResponseMs = decodeCode16(get16(m + 4));
            q.suppressRouterSide = (m[24] & 0x08) != 0;
            q.robustness = m[24] & 0x07;
            q.queryIntervalS = decodeCode8(m[25]);
            q.sourceCount = get16(m + 26);
            if (28 + 16 * q.sourceCount > len)
                return fail("MLDv2 query: " + n(q.sourceCount) + " sources need " +
                            n(28 + 16 * q.sourceCount) + " bytes, the message has " + n(len));
        }
        out.push_back(q);
        return out;
    }
    case 131:   // MLDv1 report
    case 132: { // MLDv1 done
        const char *what = type == 131 ? "MLDv1 report" : "MLDv1 done";
        if (len < 24)
            return fail(std::string(what) + ": " + n(len) + " bytes, at least 24");
        auto g = groupAt(8, what);
        if (!g)
            return g.error();
        Message r;
        r.type = type == 131 ? MessageType::Report : MessageType::Leave;
        r.version = 1;
        r.source = source;
        r.group = *g;
        out.push_back(r);
        return out;
    }
    case 143: { // MLDv2 report
        if (len < 8)
            return fail("MLDv2 report: " + n(len) + " bytes, at least 8");
        const std::size_t records = get16(m + 6);
        std::size_t at = 8;
        for (std::size_t i = 0; i < records; ++i) {
            const std::string rec = "MLDv2 report record " + n(i + 1) + " of " + n(records);
            if (len - at < 20)
                return fail(rec + ": " + n(len - at) + " bytes left, a record needs 20");
            const std::uint8_t *r = m + at;
            const std::size_t sources = get16(r + 2);
            const std::size_t bytes = 20 + 16 * sources + 4 * std::size_t{r[1]};
            if (len - at < bytes)
                return fail(rec + ": " + n(sources) + " sources and " + n(r[1]) +
                            " words of auxiliary data need " + n(bytes) + " bytes, " + n(len - at) +
                            " left");
            const IpAddress g = v6At(r + 4);
            if (!g.isMulticast())
                return fail(rec + ": group " + g.toString() + " is not multicast");
            Message e;
            e.version = 2;
            e.source = source;
            e.group = g;
            e.namesHost = !isUnspecified(source);
            auto said = recordMessage(r[0], sources, e, "MLDv2", i);
            if (!said)
                return said.error();
            if (*said)
                out.push_back(e);
            at += bytes;
        }
        return out;
    }
    default:
        return fail("ICMPv6 type " + n(type) + " is not MLD (130, 131, 132, 143)");
    }
}

Result<std::vector<Message>> parseIpv6Mld(std::span<const std::uint8_t> packet)
{
    const std::uint8_t *p = packet.data();
    const std::size_t size = packet.size();
    if (size < 40)
        return fail("IPv6 header: " + n(size) + " bytes, at least 40");
    if ((p[0] >> 4) != 6)
        return fail("IPv6 version " + n(p[0] >> 4u) + ", expected 6");
    const std::size_t payload = get16(p + 4);
    if (40 + payload > size)
        return fail("IPv6 payload length " + n(payload) + ", the packet has " + n(size - 40) +
                    " bytes after the header");
    std::size_t at = 40;
    std::uint8_t next = p[6];
    if (next == 0) { // hop-by-hop options
        if (payload < 8)
            return fail("IPv6 hop-by-hop header: " + n(payload) + " bytes, at least 8");
        const std::size_t hbh = (std::size_t{p[41]} + 1) * 8;
        if (hbh > payload)
            return fail("IPv6 hop-by-hop header length " + n(hbh) + ", the payload has " +
                        n(payload) + " bytes");
        next = p[40];
        at += hbh;
    }
    if (next != 58)
        return fail("IPv6 next header " + n(next) + ", expected 58 (ICMPv6)");
    return parseMld(packet.subspan(at, 40 + payload - at), v6At(p + 8), v6At(p + 24), p[7]);
}

std::vector<std::uint8_t> encodeIgmpv3Query(const QueryParams &q)
{
    std::vector<std::uint8_t> b(kIgmpv3QueryBytes, 0);
    b[0] = 0x11;
    b[1] = encodeCode8(q.maxResponseMs / 100);
    if (q.group && q.group->family() == Family::V4)
        for (std::size_t i = 0; i < 4; ++i)
            b[4 + i] = q.group->bytes()[i];
    b[8] = static_cast<std::uint8_t>(q.robustness >= 1 && q.robustness <= 7 ? q.robustness : 0);
    b[9] = encodeCode8(q.queryIntervalS);
    put16(b.data() + 2, internetChecksum(b));
    return b;
}

std::vector<std::uint8_t> encodeMldv2Query(const QueryParams &q, const IpAddress &source,
                                           const IpAddress &destination)
{
    std::vector<std::uint8_t> b(kMldv2QueryBytes, 0);
    b[0] = 130;
    put16(b.data() + 4, encodeCode16(q.maxResponseMs));
    if (q.group && q.group->family() == Family::V6)
        for (std::size_t i = 0; i < 16; ++i)
            b[8 + i] = q.group->bytes()[i];
    b[24] = static_cast<std::uint8_t>(q.robustness >= 1 && q.robustness <= 7 ? q.robustness : 0);
    b[25] = encodeCode8(q.queryIntervalS);
    put16(b.data() + 2, icmp6Checksum(b, source, destination));
    return b;
}

} // namespace dmr::igmp
