#pragma once
// The MAC of relay tunnel datagrams (relay.h's wire format): AES-256-GCM in authenticate-only
// mode (the whole datagram before the tag is associated data), or with the payload encrypted
// (relay.encrypt), under one key per direction of a tunnel and pair of epochs, derived with
// HKDF-SHA256 (OpenSSL 3's EVP_KDF "HKDF") from the cluster key:
//
//   key = HKDF(salt "dmr relay", ikm cluster.key, info relay::tunnelKeyInfo(sender, receiver,
//              sender epoch, receiver epoch)), 32 bytes
//   nonce = relay::tunnelNonce(hop epoch, hop sequence)
//
// AES-GCM rather than ChaCha20-Poly1305: measured with dmr-bench-relay's figures on this
// machine's AES-NI and PCLMULQDQ, a seal of a 1,300-byte datagram costs about 1.0 us with
// AES-256-GCM and 1.4 us with ChaCha20-Poly1305 (opening: 1.1 and 1.7 us), and the encrypted
// mode 1.4 us against 3.4 us. In authenticate-only mode AES-256 costs what AES-128 does (one
// block per datagram; GHASH does the rest).
//
// A TunnelKey holds its EVP context, keyed once: sealing and opening set the nonce and run; no
// allocation per datagram (tst_tunnel_crypto counts OpenSSL's). Tags are compared by OpenSSL
// (constant time).

#include "dmr/relay.h"
#include "dmr/result.h"

#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace dmr::agent {

class TunnelKey
{
public:
    ~TunnelKey();
    TunnelKey(const TunnelKey &) = delete;
    TunnelKey &operator=(const TunnelKey &) = delete;

    // One direction (sender -> receiver) between these incarnations. Errors name what OpenSSL
    // refused.
    static Result<std::unique_ptr<TunnelKey>> derive(std::string_view clusterKey,
                                                     std::string_view sender,
                                                     std::string_view receiver,
                                                     std::uint64_t senderEpoch,
                                                     std::uint64_t receiverEpoch);

    // datagram: an encoded datagram (relay::encode) whose last kTagBytes are the tag, with
    // headerBytes of header before the payload. Writes the tag; `encrypted` (the header's
    // kFlagEncrypted) encrypts the payload in place first. False when OpenSSL fails.
    bool seal(std::span<std::uint8_t> datagram, std::size_t headerBytes, bool encrypted,
              const std::array<std::uint8_t, relay::kNonceBytes> &nonce);
    // Verifies the tag (and decrypts an encrypted payload in place). False for a wrong tag:
    // then the payload is not to be used (an encrypted one is garbage).
    bool open(std::span<std::uint8_t> datagram, std::size_t headerBytes, bool encrypted,
              const std::array<std::uint8_t, relay::kNonceBytes> &nonce);

    static std::string_view algorithm() { return "AES-256-GCM"; }

private:
    struct Contexts;
    explicit TunnelKey(std::unique_ptr<Contexts> c);
    std::unique_ptr<Contexts> c_;
};

} // namespace dmr::agent
