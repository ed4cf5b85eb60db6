#include "dmr/net.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <vector>

namespace dmr {
namespace {

std::string quoted(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

Error parseError(std::string_view what, std::string_view text, const std::string &reason)
{
    return Error{"invalid " + std::string(what) + " " + quoted(text) + ": " + reason};
}

// Parses a decimal number made only of digits, with no sign and no leading zero.
bool parseDecimal(std::string_view s, int max, int &out)
{
    if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0'))
        return false;
    int v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || v > max)
        return false;
    out = v;
    return true;
}

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            parts.push_back(s.substr(start));
            return parts;
        }
        parts.push_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

// Returns an empty string on success, or the reason.
std::string parseV4(std::string_view text, std::array<std::uint8_t, 16> &bytes)
{
    auto parts = split(text, '.');
    if (parts.size() != 4)
        return "expected 4 dotted octets, found " + std::to_string(parts.size());
    for (std::size_t i = 0; i < 4; ++i) {
        const auto part = parts[i];
        if (part.empty())
            return "empty octet " + std::to_string(i + 1);
        if (!std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return "bad octet " + quoted(part) + " (not a decimal number)";
        if (part.size() > 1 && part[0] == '0')
            return "bad octet " + quoted(part) + " (leading zero)";
        int v = 0;
        if (!parseDecimal(part, 255, v))
            return "bad octet " + quoted(part) + " (greater than 255)";
        bytes[i] = static_cast<std::uint8_t>(v);
    }
    return {};
}

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string parseV6(std::string_view text, std::array<std::uint8_t, 16> &bytes)
{
    if (text.find('%') != std::string_view::npos)
        return "zone index (%) is not allowed";
    // ":::" first: it also contains two overlapping "::", which would hide this reason.
    if (text.find(":::") != std::string_view::npos)
        return "\":::\" is not allowed";
    const auto gap = text.find("::");
    if (gap != std::string_view::npos && text.find("::", gap + 1) != std::string_view::npos)
        return "more than one \"::\"";

    // Groups before and after the "::" gap, as 16-bit words; an IPv4 tail counts as two.
    auto parseGroups = [&](std::string_view part, std::vector<std::uint16_t> &words,
                           bool allowV4Tail) -> std::string {
        if (part.empty())
            return {};
        auto groups = split(part, ':');
        for (std::size_t i = 0; i < groups.size(); ++i) {
            const auto g = groups[i];
            if (g.empty())
                return "empty group (a single ':' at the start or end)";
            if (allowV4Tail && i + 1 == groups.size() && g.find('.') != std::string_view::npos) {
                std::array<std::uint8_t, 16> v4{};
                auto reason = parseV4(g, v4);
                if (!reason.empty())
                    return "embedded IPv4: " + reason;
                words.push_back(static_cast<std::uint16_t>(v4[0] << 8 | v4[1]));
                words.push_back(static_cast<std::uint16_t>(v4[2] << 8 | v4[3]));
                continue;
            }
            if (g.size() > 4)
                return "bad group " + quoted(g) + " (more than 4 hex digits)";
            if (!std::all_of(g.begin(), g.end(), isHex))
                return "bad group " + quoted(g) + " (not hexadecimal)";
            unsigned v = 0;
            std::from_chars(g.data(), g.data() + g.size(), v, 16);
            words.push_back(static_cast<std::uint16_t>(v));
        }
        return {};
    };

    std::vector<std::uint16_t> head;
    std::vector<std::uint16_t> tail;
    if (gap == std::string_view::npos) {
        auto reason = parseGroups(text, head, true);
        if (!reason.empty())
            return reason;
        if (head.size() != 8)
            return "expected 8 groups, found " + std::to_string(head.size());
    } else {
        auto reason = parseGroups(text.substr(0, gap), head, false);
        if (reason.empty())
            reason = parseGroups(text.substr(gap + 2), tail, true);
        if (!reason.empty())
            return reason;
        if (head.size() + tail.size() > 7)
            return "too many groups for \"::\"";
    }
    std::array<std::uint16_t, 8> words{};
    std::copy(head.begin(), head.end(), words.begin());
    std::copy(tail.begin(), tail.end(), words.end() - static_cast<std::ptrdiff_t>(tail.size()));
    for (std::size_t i = 0; i < 8; ++i) {
        bytes[2 * i] = static_cast<std::uint8_t>(words[i] >> 8);
        bytes[2 * i + 1] = static_cast<std::uint8_t>(words[i] & 0xff);
    }
    return {};
}

struct Split
{
    std::string_view address;
    std::string_view length;
};

Result<int> parsePrefixLength(std::string_view what, std::string_view text, std::string_view s,
                              int max, int min)
{
    if (s.empty())
        return parseError(what, text, "empty prefix length after '/'");
    if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return parseError(what, text, "prefix length " + quoted(s) + " is not a number");
    if (s.size() > 1 && s[0] == '0')
        return parseError(what, text, "prefix length " + quoted(s) + " has a leading zero");
    int v = 0;
    if (s.size() > 3 || !parseDecimal(s, 999, v) || v > max || v < min)
        return parseError(what, text,
                          "prefix length " + std::string(s) + " out of range " +
                              std::to_string(min) + "-" + std::to_string(max));
    return v;
}

Result<Split> splitSlash(std::string_view what, std::string_view text)
{
    if (text.empty())
        return parseError(what, text, "empty");
    const auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return parseError(what, text, "missing '/' and prefix length");
    if (text.find('/', slash + 1) != std::string_view::npos)
        return parseError(what, text, "more than one '/'");
    return Split{text.substr(0, slash), text.substr(slash + 1)};
}

} // namespace

IpAddress IpAddress::v4(std::uint32_t hostOrder)
{
    IpAddress a;
    a.family_ = Family::V4;
    a.bytes_[0] = static_cast<std::uint8_t>(hostOrder >> 24);
    a.bytes_[1] = static_cast<std::uint8_t>(hostOrder >> 16);
    a.bytes_[2] = static_cast<std::uint8_t>(hostOrder >> 8);
    a.bytes_[3] = static_cast<std::uint8_t>(hostOrder);
    return a;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16> &bytes)
{
    IpAddress a;
    a.family_ = Family::V6;
    a.bytes_ = bytes;
    return a;
}

Result<IpAddress> IpAddress::parse(std::string_view text)
{
    if (text.empty())
        return parseError("address", text, "empty");
    if (text.find_first_of(" \t\r\n") != std::string_view::npos)
        return parseError("address", text, "contains white space");
    IpAddress a;
    std::string reason;
    if (text.find(':') != std::string_view::npos) {
        a.family_ = Family::V6;
        reason = parseV6(text, a.bytes_);
    } else {
        a.family_ = Family::V4;
        reason = parseV4(text, a.bytes_);
    }
    if (!reason.empty())
        return parseError(a.family_ == Family::V6 ? "IPv6 address" : "IPv4 address", text, reason);
    return a;
}

std::uint32_t IpAddress::v4HostOrder() const
{
    return std::uint32_t{bytes_[0]} << 24 | std::uint32_t{bytes_[1]} << 16 |
           std::uint32_t{bytes_[2]} << 8 | std::uint32_t{bytes_[3]};
}

IpAddress IpAddress::masked(int prefixLength) const
{
    IpAddress r = *this;
    const int bits = bitCount();
    for (int i = 0; i < bits / 8; ++i) {
        const int keep = std::clamp(prefixLength - i * 8, 0, 8);
        const auto mask = static_cast<std::uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
        r.bytes_[static_cast<std::size_t>(i)] &= mask;
    }
    return r;
}

IpAddress IpAddress::v4Mapped() const
{
    if (family_ == Family::V6)
        return *this;
    std::array<std::uint8_t, 16> b{};
    b[10] = b[11] = 0xff;
    std::copy_n(bytes_.begin(), 4, b.begin() + 12);
    return v6(b);
}

IpAddress IpAddress::unmapped() const
{
    static constexpr std::array<std::uint8_t, 12> kPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (family_ != Family::V6 || !std::equal(kPrefix.begin(), kPrefix.end(), bytes_.begin()))
        return *this;
    IpAddress r;
    std::copy_n(bytes_.begin() + 12, 4, r.bytes_.begin());
    return r;
}

bool IpAddress::isMulticast() const
{
    return family_ == Family::V4 ? (bytes_[0] & 0xf0) == 0xe0 : bytes_[0] == 0xff;
}

std::string IpAddress::toString() const
{
    char buf[64];
    if (family_ == Family::V4) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", bytes_[0], bytes_[1], bytes_[2], bytes_[3]);
        return buf;
    }
    std::array<unsigned, 8> w{};
    for (std::size_t i = 0; i < 8; ++i)
        w[i] = static_cast<unsigned>(bytes_[2 * i] << 8 | bytes_[2 * i + 1]);
    // RFC 5952: compress the longest run of two or more zero words, the first one on a tie.
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8;) {
        if (w[static_cast<std::size_t>(i)] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && w[static_cast<std::size_t>(j)] == 0)
            ++j;
        if (j - i > bestLen && j - i >= 2) {
            bestStart = i;
            bestLen = j - i;
        }
        i = j;
    }
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == bestStart) {
            out += "::";
            i += bestLen - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':')
            out += ':';
        std::snprintf(buf, sizeof buf, "%x", w[static_cast<std::size_t>(i)]);
        out += buf;
    }
    return out;
}

Prefix::Prefix(IpAddress address, int length)
    : address_(address.masked(length))
    , length_(length)
{
}

Result<Prefix> Prefix::parse(std::string_view text)
{
    auto parts = splitSlash("network", text);
    if (!parts)
        return parts.error();
    auto address = IpAddress::parse(parts->address);
    if (!address)
        return parseError("network", text, address.error().message);
    auto length = parsePrefixLength("network", text, parts->length, address->bitCount(), 0);
    if (!length)
        return length.error();
    Prefix p(*address, *length);
    if (p.address() != *address)
        return parseError("network", text, "host bits set (the network is " + p.toString() + ")");
    return p;
}

bool Prefix::contains(const IpAddress &a) const
{
    return a.family() == address_.family() && a.masked(length_) == address_;
}

std::string Prefix::toString() const
{
    return address_.toString() + "/" + std::to_string(length_);
}

Result<InterfaceAddress> InterfaceAddress::parse(std::string_view text)
{
    auto parts = splitSlash("interface address", text);
    if (!parts)
        return parts.error();
    auto address = IpAddress::parse(parts->address);
    if (!address)
        return parseError("interface address", text, address.error().message);
    auto length =
        parsePrefixLength("interface address", text, parts->length, address->bitCount(), 1);
    if (!length)
        return length.error();
    if (address->isMulticast())
        return parseError("interface address", text,
                          "a multicast address cannot be an interface's");
    return InterfaceAddress(*address, *length);
}

std::string InterfaceAddress::toString() const
{
    return address_.toString() + "/" + std::to_string(length_);
}

} // namespace dmr
