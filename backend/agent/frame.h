#pragma once
// Cluster traffic framing (version 2): an authenticated session per TCP connection, then one
// line per message. The cluster key never travels; each connection gets keys of its own.
//
// A connection carries messages one way, from the dialer D to the acceptor A:
//
//   A -> D   "DMR-CLUSTER <versions> <A's node id> <nonceA>\n"
//            the versions A speaks ("2"; a later one lists several: "2,3"), and 16 fresh random
//            bytes in hex that make this connection's keys unlike any other's
//   D -> A   "DMR-CLUSTER-HELLO <version> <D's node id> <D's address> <nonceD> <proof>\n"
//            proof = HMAC(Kh, "hello" | version | A | nonceA | D | D's address | nonceD)
//   A -> D   "DMR-CLUSTER-WELCOME <proof>\n"     A holds the key too:
//            proof = HMAC(Kh, "welcome" | version | A | nonceA | D | nonceD)
//        or  "DMR-CLUSTER-REFUSED <reason>\n"   and A closes
//   D -> A   frames: "<seq> <mac> <payload>\n", seq = 1, 2, 3, ... in decimal,
//            mac = HMAC-SHA256(Ks, seq as 8 bytes big-endian | payload) in hex
//
// Kh = HKDF-SHA256(cluster key, info "dmr cluster handshake v2"); Ks = HKDF-SHA256(cluster key,
// salt nonceA | nonceD, info "dmr cluster frames v2" | D | A). So a frame is accepted once
// (its seq is the next one), on the connection it was made for (another connection has another
// nonceA, so another Ks), by the node it was made for, and only from a peer that holds the key.
// D may send its frames right after its hello, without waiting for the welcome: A reads none
// before the hello checked out, and D closes the connection if the welcome's proof is wrong.
//
// Every line before the session is up is bounded (kHandshakeLineBytesMax); a frame by
// kFrameBytesMax. Version 1 (a bare "<hex HMAC of the payload> <payload>" with no handshake) is
// recognised and refused with a message naming both versions.

#include "dmr/model.h"
#include "dmr/result.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dmr::agent::frame {

inline constexpr int kVersion = 2;
// Bound on one cluster frame: a view of a few thousand nodes fits well within it.
inline constexpr std::size_t kFrameBytesMax = 4 * 1024 * 1024;
// Bound on each handshake line, and on what a peer may send before it is authenticated.
inline constexpr std::size_t kHandshakeLineBytesMax = 512;
inline constexpr std::size_t kNonceBytes = 16;
inline constexpr std::size_t kMacBytes = 32;

using Nonce = std::array<unsigned char, kNonceBytes>;
using SessionKey = std::array<unsigned char, 32>;

// 16 bytes from the OS's random source.
Nonce freshNonce();

// What a node calls itself on the cluster transport.
struct Identity
{
    NodeId node;
    std::string address; // its membership address, "10.0.1.2:7400"
};

// Why a frame was not taken.
enum class Refusal : std::uint8_t {
    Malformed, // not "<seq> <mac> <payload>"
    BadMac,    // not made with this connection's key: forged, or made for another connection
    Replayed,  // a valid MAC but not the next sequence number: sent before on this connection
};
std::string_view toString(Refusal refusal); // "malformed", "bad-mac", "replayed"

// Why a handshake failed.
enum class HandshakeFailure : std::uint8_t {
    None,
    Malformed, // not the DMR cluster protocol, or a line out of place
    Version,   // a peer of another frame version
    Key,       // a proof made with another cluster key
};

// The sending half of a session: seals payloads in order.
class Sealer
{
public:
    Sealer() = default;
    explicit Sealer(const SessionKey &key)
        : key_(key)
    {
    }
    // One line with its "\n". Each call takes the next sequence number.
    std::string seal(std::string_view payload);
    std::uint64_t sent() const { return next_ - 1; }

private:
    SessionKey key_{};
    std::uint64_t next_ = 1;
};

// The receiving half: opens lines in order.
class Opener
{
public:
    Opener() = default;
    explicit Opener(const SessionKey &key)
        : key_(key)
    {
    }
    struct Opened
    {
        std::string payload;
        std::uint64_t seq = 0;
    };
    // One line without its "\n". On success the sequence moves on; a refused line changes
    // nothing (a replayed one names the sequence it carried in `seq` of the error text).
    Result<Opened> open(std::string_view line, Refusal *why = nullptr);
    std::uint64_t expected() const { return next_; }

private:
    SessionKey key_{};
    std::uint64_t next_ = 1;
};

// The acceptor's side of the handshake.
class Acceptor
{
public:
    Acceptor(std::string_view clusterKey, NodeId self, Nonce nonce);
    std::string challenge() const; // the first line to send, with "\n"

    struct Accepted
    {
        Identity peer;
        std::string welcome; // the line to send back, with "\n"
        Opener opener;
    };
    // The dialer's hello (without "\n"). On an error the message says why, for the log,
    // failure() what kind of failure it was, and refusal() is the line to send before closing:
    // "DMR-CLUSTER-REFUSED key|version <versions>|malformed".
    Result<Accepted> onHello(std::string_view line);
    std::string refusal() const;
    HandshakeFailure failure() const { return failure_; }

private:
    std::string key_;
    NodeId self_;
    Nonce nonce_;
    HandshakeFailure failure_ = HandshakeFailure::None;
};

// The dialer's side.
class Dialer
{
public:
    Dialer(std::string_view clusterKey, Identity self, Nonce nonce);

    struct Hello
    {
        NodeId peer;       // the acceptor's node id, as it says
        std::string hello; // the line to send, with "\n"
        Sealer sealer;
    };
    // The acceptor's challenge (without "\n"): the hello to send and the frame sealer, or why
    // not (another version, not a DMR agent).
    Result<Hello> onChallenge(std::string_view line);
    // The acceptor's answer (without "\n"): its proof checks out, or why not (a refusal with its
    // reason, or a proof made with another key).
    Result<std::monostate> onAnswer(std::string_view line);
    HandshakeFailure failure() const { return failure_; }

private:
    std::string key_;
    Identity self_;
    Nonce nonce_;
    NodeId peer_;
    Nonce peerNonce_{};
    HandshakeFailure failure_ = HandshakeFailure::None;
};

} // namespace dmr::agent::frame
