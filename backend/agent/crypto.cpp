#include "crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace dmr::agent::crypto {

void hkdf(std::string_view ikm, std::span<const unsigned char> salt, std::string_view info,
          std::span<unsigned char> out)
{
    struct KdfFree
    {
        void operator()(EVP_KDF *k) const { EVP_KDF_free(k); }
        void operator()(EVP_KDF_CTX *c) const { EVP_KDF_CTX_free(c); }
    };
    // Fetched once: the lookup walks OpenSSL's provider tables.
    static const std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    std::unique_ptr<EVP_KDF_CTX, KdfFree> ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    char digest[] = "SHA256";
    OSSL_PARAM params[5];
    std::size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_KEY, const_cast<char *>(ikm.data()), ikm.size());
    if (!salt.empty())
        params[n++] = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_SALT, const_cast<unsigned char *>(salt.data()), salt.size());
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, const_cast<char *>(info.data()), info.size());
    params[n] = OSSL_PARAM_construct_end();
    if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
        std::fputs("dmr: OpenSSL HKDF-SHA256 failed; cannot derive keys\n", stderr);
        std::abort();
    }
}

Key256 hkdf(std::string_view ikm, std::span<const unsigned char> salt, std::string_view info)
{
    Key256 out{};
    hkdf(ikm, salt, info, out);
    return out;
}

Key256 hmac(std::span<const unsigned char> key, std::initializer_list<std::string_view> parts)
{
    Key256 out{};
    struct MacFree
    {
        void operator()(EVP_MAC *m) const { EVP_MAC_free(m); }
        void operator()(EVP_MAC_CTX *c) const { EVP_MAC_CTX_free(c); }
    };
    static const std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    std::unique_ptr<EVP_MAC_CTX, MacFree> ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    std::size_t len = 0;
    bool ok = ctx && EVP_MAC_init(ctx.get(), key.data(), key.size(), params) == 1;
    for (const auto part : parts)
        ok = ok && EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char *>(part.data()),
                                  part.size()) == 1;
    ok = ok && EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) == 1;
    if (!ok) {
        std::fputs("dmr: OpenSSL HMAC-SHA256 failed\n", stderr);
        std::abort();
    }
    return out;
}

void randomBytes(std::span<unsigned char> out)
{
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
        std::fputs("dmr: the OS's random source failed; cannot make nonces\n", stderr);
        std::abort();
    }
}

bool equal(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hex(std::span<const unsigned char> bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    s.reserve(2 * bytes.size());
    for (unsigned char b : bytes) {
        s += kDigits[b >> 4];
        s += kDigits[b & 0xf];
    }
    return s;
}

bool unhex(std::string_view text, std::span<unsigned char> out)
{
    if (text.size() != 2 * out.size())
        return false;
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = digit(text[2 * i]);
        const int lo = digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
    return true;
}

} // namespace dmr::agent::crypto
