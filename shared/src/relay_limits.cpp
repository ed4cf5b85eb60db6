#include "dmr/relay_limits.h"

#include <algorithm>
#include <array>
#include <limits>

namespace dmr::relay {

std::vector<Prefix> defaultBoundaries()
{
    std::array<std::uint8_t, 16> ff02{0xff, 0x02};
    std::array<std::uint8_t, 16> ff05{0xff, 0x05};
    return {Prefix(IpAddress::v4(0xEFFF0000), 16), Prefix(IpAddress::v4(0xE0000000), 24),
            Prefix(IpAddress::v6(ff02), 16), Prefix(IpAddress::v6(ff05), 16)};
}

Result<Prefix> parseGroupPrefix(std::string_view text)
{
    auto p = Prefix::parse(text);
    if (!p)
        return p.error();
    const IpAddress &a = p->address();
    const int shortest = a.family() == Family::V4 ? 4 : 8;
    if (!a.isMulticast() || p->length() < shortest)
        return Error{"\"" + std::string(text) + "\": not a multicast prefix (within " +
                     (a.family() == Family::V4 ? "224.0.0.0/4" : "ff00::/8") + ")"};
    return *p;
}

Boundaries::Boundaries(std::vector<Prefix> global, std::map<Prefix, std::vector<Prefix>> perNetwork)
    : global_(std::move(global))
    , perNetwork_(std::move(perNetwork))
{
}

std::vector<Prefix> Boundaries::of(const IpAddress &network, int prefixLength) const
{
    std::vector<Prefix> out;
    for (const Prefix &p : global_)
        if (p.address().family() == network.family())
            out.push_back(p);
    if (auto it = perNetwork_.find(Prefix(network, prefixLength)); it != perNetwork_.end())
        for (const Prefix &p : it->second)
            if (p.address().family() == network.family())
                out.push_back(p);
    return out;
}

bool Boundaries::blocks(const IpAddress &network, int prefixLength, const IpAddress &group) const
{
    return within(of(network, prefixLength), group);
}

bool within(const std::vector<Prefix> &prefixes, const IpAddress &group)
{
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const Prefix &p) { return p.contains(group); });
}

std::string RateLimit::toString() const
{
    if (!limited())
        return "unlimited";
    std::string out;
    if (bytesPerS != 0)
        out = std::to_string(bytesPerS) + " B/s (burst " + std::to_string(burstBytes) + " B)";
    if (datagramsPerS != 0)
        out += (out.empty() ? "" : ", ") + std::to_string(datagramsPerS) + " datagrams/s (burst " +
               std::to_string(burstDatagrams) + ")";
    return out;
}

namespace {

constexpr std::uint64_t kMilli = 1000;

// Saturating a * b.
std::uint64_t times(std::uint64_t a, std::uint64_t b)
{
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
        return std::numeric_limits<std::uint64_t>::max();
    return a * b;
}

// The credit after `ms` more milliseconds at `perS` (per second = thousandths per ms), at most
// `cap`.
std::uint64_t refilled(std::uint64_t credit, std::uint64_t perS, std::uint64_t ms,
                       std::uint64_t cap)
{
    const std::uint64_t add = times(perS, ms);
    return cap - credit <= add ? cap : credit + add;
}

} // namespace

TokenBucket::TokenBucket(RateLimit limit)
    : limit_(limit)
    , milliBytes_(times(limit.burstBytes, kMilli))
    , milliDatagrams_(times(limit.burstDatagrams, kMilli))
{
}

void TokenBucket::refill(std::int64_t now)
{
    if (lastMs_ && now > *lastMs_) {
        const auto ms = static_cast<std::uint64_t>(now - *lastMs_);
        milliBytes_ = refilled(milliBytes_, limit_.bytesPerS, ms, times(limit_.burstBytes, kMilli));
        milliDatagrams_ = refilled(milliDatagrams_, limit_.datagramsPerS, ms,
                                   times(limit_.burstDatagrams, kMilli));
    }
    // (A clock that went back adds nothing, and later time counts from the newest reading.)
    if (!lastMs_ || now > *lastMs_)
        lastMs_ = now;
}

bool TokenBucket::admit(std::size_t bytes, std::int64_t now)
{
    if (!limit_.limited())
        return true;
    refill(now);
    const std::uint64_t needBytes = times(bytes, kMilli);
    const bool bytesOk = limit_.bytesPerS == 0 || milliBytes_ >= needBytes;
    const bool datagramsOk = limit_.datagramsPerS == 0 || milliDatagrams_ >= kMilli;
    if (!bytesOk || !datagramsOk)
        return false;
    if (limit_.bytesPerS != 0)
        milliBytes_ -= needBytes;
    if (limit_.datagramsPerS != 0)
        milliDatagrams_ -= kMilli;
    return true;
}

std::uint64_t TokenBucket::bytesAvailable(std::int64_t now)
{
    refill(now);
    return milliBytes_ / kMilli;
}

std::uint64_t TokenBucket::datagramsAvailable(std::int64_t now)
{
    refill(now);
    return milliDatagrams_ / kMilli;
}

} // namespace dmr::relay
