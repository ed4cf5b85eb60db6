#pragma once
// The few cryptographic primitives the agent uses, over OpenSSL 3.0: HKDF-SHA256 to derive one
// key per purpose from the cluster key, HMAC-SHA256, random bytes and a constant-time compare.

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace dmr::agent::crypto {

using Key256 = std::array<unsigned char, 32>;

// HKDF-SHA256 (RFC 5869) of the input key material, with a salt (may be empty) and an info
// string that names the purpose and the parties, so that a key made for one thing opens no other.
Key256 hkdf(std::string_view ikm, std::span<const unsigned char> salt, std::string_view info);
void hkdf(std::string_view ikm, std::span<const unsigned char> salt, std::string_view info,
          std::span<unsigned char> out);

// HMAC-SHA256 of the parts, concatenated.
Key256 hmac(std::span<const unsigned char> key, std::initializer_list<std::string_view> parts);

// Fills the buffer from the OS's random source (aborts if it cannot: no key is better than a
// guessable one).
void randomBytes(std::span<unsigned char> out);

// Constant-time equality of two byte strings of the same length; false when lengths differ.
bool equal(std::string_view a, std::string_view b);

std::string hex(std::span<const unsigned char> bytes);
// The bytes of a hex string of exactly out.size() * 2 digits; false when it is not one.
bool unhex(std::string_view text, std::span<unsigned char> out);

inline std::string_view view(std::span<const unsigned char> bytes)
{
    return {reinterpret_cast<const char *>(bytes.data()), bytes.size()};
}

} // namespace dmr::agent::crypto
