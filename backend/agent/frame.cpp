#include "frame.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace dmr::agent {

namespace {

constexpr std::size_t kMacBytes = 32;
constexpr std::size_t kHexBytes = 2 * kMacBytes;

std::array<unsigned char, kMacBytes> mac(std::string_view key, std::string_view payload)
{
    std::array<unsigned char, kMacBytes> out{};
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char *>(payload.data()), payload.size(), out.data(), &len);
    return out;
}

std::string hex(const std::array<unsigned char, kMacBytes> &bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    s.reserve(kHexBytes);
    for (unsigned char b : bytes) {
        s += kDigits[b >> 4];
        s += kDigits[b & 0xf];
    }
    return s;
}

} // namespace

std::string seal(std::string_view key, std::string_view payload)
{
    std::string line = hex(mac(key, payload));
    line += ' ';
    line += payload;
    line += '\n';
    return line;
}

Result<std::string> open(std::string_view key, std::string_view line)
{
    if (line.size() < kHexBytes + 1 || line[kHexBytes] != ' ')
        return Error{"frame without an HMAC"};
    const std::string_view payload = line.substr(kHexBytes + 1);
    const std::string expected = hex(mac(key, payload));
    if (CRYPTO_memcmp(expected.data(), line.data(), kHexBytes) != 0)
        return Error{"bad HMAC (wrong cluster key?)"};
    return std::string(payload);
}

} // namespace dmr::agent
