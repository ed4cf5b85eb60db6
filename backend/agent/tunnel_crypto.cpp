#include "tunnel_crypto.h"

#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>

namespace dmr::agent {

namespace {

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

Result<std::unique_ptr<TunnelKey>>
TunnelKey::derive(std::string_view clusterKey, std::string_view sender, std::string_view receiver,
                  std::uint64_t senderEpoch, std::uint64_t receiverEpoch)
{
    if (cipher() == nullptr)
        return Error{openSslError("AES-256-GCM is not available")};
    const std::vector<std::uint8_t> info =
        relay::tunnelKeyInfo(sender, receiver, senderEpoch, receiverEpoch);
    crypto::Key256 key = crypto::hkdf(
        clusterKey, std::span(reinterpret_cast<const unsigned char *>(kSalt.data()), kSalt.size()),
        crypto::view(info));
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
