#pragma once
// Addresses, prefixes and interface addresses, IPv4 and IPv6, parsed by hand so that the core
// needs no socket headers and every rejection names the input and the reason.

#include "dmr/result.h"

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace dmr {

enum class Family : std::uint8_t { V4, V6 };

class IpAddress
{
public:
    IpAddress() = default;
    static IpAddress v4(std::uint32_t hostOrder);
    static IpAddress v6(const std::array<std::uint8_t, 16> &bytes);

    // "10.1.0.7" or "fd00:1::7". Errors name the text and the reason.
    static Result<IpAddress> parse(std::string_view text);

    Family family() const { return family_; }
    int bitCount() const { return family_ == Family::V4 ? 32 : 128; }
    // Network byte order; IPv4 uses the first four bytes.
    const std::array<std::uint8_t, 16> &bytes() const { return bytes_; }
    std::uint32_t v4HostOrder() const;

    // ::ffff:a.b.c.d for an IPv4 address (how an IPv6 socket names an IPv4 peer); an IPv6 one
    // as it is. And back: the IPv4 address of an IPv4-mapped one, any other as it is.
    IpAddress v4Mapped() const;
    IpAddress unmapped() const;

    // Keeps the first prefixLength bits, zeroes the rest: the paper's "address & mask".
    IpAddress masked(int prefixLength) const;
    bool isMulticast() const;

    // Canonical text: dotted quad, or RFC 5952 for IPv6 (lower case, longest zero run as ::).
    std::string toString() const;

    auto operator<=>(const IpAddress &) const = default;
    bool operator==(const IpAddress &) const = default;

private:
    Family family_ = Family::V4;
    std::array<std::uint8_t, 16> bytes_{};
};

// A network: an address with its host bits zero, and a prefix length. "10.1.0.0/24".
class Prefix
{
public:
    Prefix() = default;
    Prefix(IpAddress address, int length); // masks the address

    // Accepts only canonical networks: "10.1.0.7/24" is rejected (host bits set).
    static Result<Prefix> parse(std::string_view text);

    const IpAddress &address() const { return address_; }
    int length() const { return length_; }
    bool contains(const IpAddress &a) const;
    std::string toString() const;

    auto operator<=>(const Prefix &) const = default;
    bool operator==(const Prefix &) const = default;

private:
    IpAddress address_;
    int length_ = 0;
};

// An interface's address with its prefix length: "10.1.0.7/24".
class InterfaceAddress
{
public:
    InterfaceAddress() = default;
    InterfaceAddress(IpAddress address, int prefixLength)
        : address_(address)
        , length_(prefixLength)
    {
    }

    // Any address with a prefix length from 1 to the family's bit count. /0 is rejected: it
    // would put every node of the world on one network.
    static Result<InterfaceAddress> parse(std::string_view text);

    const IpAddress &address() const { return address_; }
    int prefixLength() const { return length_; }
    // network ID = address & mask; its canonical text is the group name.
    Prefix network() const { return {address_, length_}; }
    std::string toString() const;

    auto operator<=>(const InterfaceAddress &) const = default;
    bool operator==(const InterfaceAddress &) const = default;

private:
    IpAddress address_;
    int length_ = 0;
};

} // namespace dmr
