#include "tunnel_crypto.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <array>

namespace dmr::agent {

namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::string_view kSalt = "dmr relay";

std::string openSslError(std::string_view what)
{
    const unsigned long e = ERR_get_error();
    std::array<char, 256> text{};
    if (e != 0)
        ERR_error_string_n(e, text.data(), text.size());
    ERR_clear_error();
    return std::string("relay tunnel keys: ") + std::string(what) +
           (e != 0 ? std::string(": ") + text.data() : std::string());
}

// Fetched once per process: a fetch looks the algorithm up in the providers (microseconds).
EVP_CIPHER *cipher()
{
    static EVP_CIPHER *c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return c;
}

EVP_KDF *hkdf()
{
    static EVP_KDF *k = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    return k;
}

} // namespace

struct TunnelKey::Contexts
{
    EVP_CIPHER_CTX *seal = nullptr;
    EVP_CIPHER_CTX *open = nullptr;
    ~Contexts()
    {
        EVP_CIPHER_CTX_free(seal);
        EVP_CIPHER_CTX_free(open);
    }
};

TunnelKey::TunnelKey(std::unique_ptr<Contexts> c)
    : c_(std::move(c))
{
}

TunnelKey::~TunnelKey() = default;

Result<std::unique_ptr<TunnelKey>> TunnelKey::derive(std::string_view clusterKey,
                                                     std::string_view sender,
                                                     std::string_view receiver,
                                                     std::uint64_t senderEpoch,
                                                     std::uint64_t receiverEpoch)
{
    if (cipher() == nullptr)
        return Error{openSslError("AES-256-GCM is not available")};
    if (hkdf() == nullptr)
        return Error{openSslError("HKDF is not available")};
    std::vector<std::uint8_t> info =
        relay::tunnelKeyInfo(sender, receiver, senderEpoch, receiverEpoch);
    std::array<std::uint8_t, kKeyBytes> key{};
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(hkdf());
    if (kctx == nullptr)
        return Error{openSslError("EVP_KDF_CTX_new")};
    char digest[] = "SHA256";
    std::string ikm(clusterKey);
    std::string salt(kSalt);
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm.data(), ikm.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
        OSSL_PARAM_construct_end()};
    const int derived = EVP_KDF_derive(kctx, key.data(), key.size(), params);
    EVP_KDF_CTX_free(kctx);
    OPENSSL_cleanse(ikm.data(), ikm.size());
    if (derived != 1)
        return Error{openSslError("HKDF-SHA256")};
    auto c = std::make_unique<Contexts>();
    c->seal = EVP_CIPHER_CTX_new();
    c->open = EVP_CIPHER_CTX_new();
    const bool ok = c->seal != nullptr && c->open != nullptr &&
                    EVP_EncryptInit_ex2(c->seal, cipher(), key.data(), nullptr, nullptr) == 1 &&
                    EVP_DecryptInit_ex2(c->open, cipher(), key.data(), nullptr, nullptr) == 1;
    OPENSSL_cleanse(key.data(), key.size());
    if (!ok)
        return Error{openSslError("AES-256-GCM key setup")};
    return std::unique_ptr<TunnelKey>(new TunnelKey(std::move(c)));
}

bool TunnelKey::seal(std::span<std::uint8_t> d, std::size_t headerBytes, bool encrypted,
                     const std::array<std::uint8_t, relay::kNonceBytes> &nonce)
{
    if (d.size() < headerBytes + relay::kTagBytes)
        return false;
    EVP_CIPHER_CTX *ctx = c_->seal;
    const std::size_t body = d.size() - relay::kTagBytes;
    const std::size_t aad = encrypted ? headerBytes : body;
    int n = 0;
    if (EVP_EncryptInit_ex2(ctx, nullptr, nullptr, nonce.data(), nullptr) != 1 ||
        EVP_EncryptUpdate(ctx, nullptr, &n, d.data(), static_cast<int>(aad)) != 1)
        return false;
    if (encrypted && body > headerBytes &&
        EVP_EncryptUpdate(ctx, d.data() + headerBytes, &n, d.data() + headerBytes,
                          static_cast<int>(body - headerBytes)) != 1)
        return false;
    return EVP_EncryptFinal_ex(ctx, nullptr, &n) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(relay::kTagBytes),
                               d.data() + body) == 1;
}

bool TunnelKey::open(std::span<std::uint8_t> d, std::size_t headerBytes, bool encrypted,
                     const std::array<std::uint8_t, relay::kNonceBytes> &nonce)
{
    if (d.size() < headerBytes + relay::kTagBytes)
        return false;
    EVP_CIPHER_CTX *ctx = c_->open;
    const std::size_t body = d.size() - relay::kTagBytes;
    const std::size_t aad = encrypted ? headerBytes : body;
    int n = 0;
    if (EVP_DecryptInit_ex2(ctx, nullptr, nullptr, nonce.data(), nullptr) != 1 ||
        EVP_DecryptUpdate(ctx, nullptr, &n, d.data(), static_cast<int>(aad)) != 1)
        return false;
    if (encrypted && body > headerBytes &&
        EVP_DecryptUpdate(ctx, d.data() + headerBytes, &n, d.data() + headerBytes,
                          static_cast<int>(body - headerBytes)) != 1)
        return false;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(relay::kTagBytes),
                            d.data() + body) != 1)
        return false;
    const bool ok = EVP_DecryptFinal_ex(ctx, nullptr, &n) == 1;
    if (!ok)
        ERR_clear_error();
    return ok;
}

} // namespace dmr::agent
