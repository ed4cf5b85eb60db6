#pragma once
// What the relay refuses to carry, sans I/O (relay::Engine applies it; time is an input):
//  - Boundaries: administratively scoped groups that never leave a network. A datagram to one,
//    heard on a network where it is bounded, is not taken in; one that comes by tunnel is not
//    emitted onto such a network. Global prefixes hold on every network, a network's own only
//    there (mrouted's `boundary` per interface).
//  - The threshold: the least IP TTL (IPv6: hop limit) a datagram heard on a network must carry
//    to be taken in (mrouted's `threshold`). An application scopes its traffic with its TTL.
//  - TokenBucket: a rate limit in bytes and in datagrams per second, each with a burst. Credit
//    is kept in thousandths (per millisecond), so that a rate below 1000 per second is exact.

#include "dmr/net.h"
#include "dmr/result.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dmr::relay {

// ---- Boundaries --------------------------------------------------------------------------------

// The scoped groups relay.boundaries holds by default: IPv4 organisation-local scope
// (239.255.0.0/16, RFC 2365) and the local network control block (224.0.0.0/24, which no router
// forwards); IPv6 link-local (ff02::/16) and site-local (ff05::/16) scopes.
std::vector<Prefix> defaultBoundaries();

// A multicast prefix: IPv4 within 224.0.0.0/4, IPv6 within ff00::/8. Errors name the text and
// the reason.
Result<Prefix> parseGroupPrefix(std::string_view text);

class Boundaries
{
public:
    Boundaries() = default;
    Boundaries(std::vector<Prefix> global, std::map<Prefix, std::vector<Prefix>> perNetwork);

    // The prefixes bounded on one network (its address and prefix length): the global ones and
    // the network's own, of the network's family (a group of the other family never reaches it).
    std::vector<Prefix> of(const IpAddress &network, int prefixLength) const;
    bool blocks(const IpAddress &network, int prefixLength, const IpAddress &group) const;

    const std::vector<Prefix> &global() const { return global_; }
    const std::map<Prefix, std::vector<Prefix>> &perNetwork() const { return perNetwork_; }
    bool operator==(const Boundaries &) const = default;

private:
    std::vector<Prefix> global_;
    std::map<Prefix, std::vector<Prefix>> perNetwork_;
};

// Whether any of the prefixes holds the group.
bool within(const std::vector<Prefix> &prefixes, const IpAddress &group);

// ---- Threshold ---------------------------------------------------------------------------------

// A datagram heard with this IP TTL is below the threshold (not taken in). nullopt: the TTL is
// not known (a loopback segment frame carries none): not checked.
inline bool belowThreshold(std::optional<std::uint8_t> ipTtl, std::uint8_t threshold)
{
    return ipTtl && *ipTtl < threshold;
}

// ---- Rate limits -------------------------------------------------------------------------------

struct RateLimit
{
    std::uint64_t bytesPerS = 0;      // 0: bytes are not limited
    std::uint64_t datagramsPerS = 0;  // 0: datagrams are not limited
    std::uint64_t burstBytes = 0;     // what may pass at once after a quiet time (bytes)
    std::uint64_t burstDatagrams = 0; // the same, in datagrams
    bool limited() const { return bytesPerS != 0 || datagramsPerS != 0; }
    // "unlimited", or "1000000 B/s (burst 100000 B), 2000 datagrams/s (burst 200)"
    std::string toString() const;
    bool operator==(const RateLimit &) const = default;
};

// A token bucket per dimension (bytes, datagrams). It starts full. A datagram passes when both
// buckets hold enough for it, and then takes from both; one refused takes nothing (what is
// dropped does not use the rate up). A datagram larger than the byte burst never passes: the
// configuration keeps the byte burst at least relay::kPayloadBytesMax.
class TokenBucket
{
public:
    TokenBucket() = default;
    explicit TokenBucket(RateLimit limit);

    bool admit(std::size_t bytes, std::int64_t nowMs);
    const RateLimit &limit() const { return limit_; }
    // What is there now, in whole bytes and datagrams (after the refill up to nowMs).
    std::uint64_t bytesAvailable(std::int64_t nowMs);
    std::uint64_t datagramsAvailable(std::int64_t nowMs);

private:
    void refill(std::int64_t nowMs);

    RateLimit limit_;
    // Credit in thousandths of a byte and of a datagram: a millisecond adds the rate's count.
    std::uint64_t milliBytes_ = 0;
    std::uint64_t milliDatagrams_ = 0;
    std::optional<std::int64_t> lastMs_; // nullopt: never used (full)
};

} // namespace dmr::relay
