#include "frame.h"

#include "crypto.h"

#include <charconv>
#include <optional>

namespace dmr::agent::frame {

namespace {

constexpr std::string_view kChallengeTag = "DMR-CLUSTER";
constexpr std::string_view kHelloTag = "DMR-CLUSTER-HELLO";
constexpr std::string_view kWelcomeTag = "DMR-CLUSTER-WELCOME";
constexpr std::string_view kRefusedTag = "DMR-CLUSTER-REFUSED";
constexpr std::size_t kMacHexBytes = 2 * kMacBytes;
constexpr std::size_t kSeqDigitsMax = 20;

// Splits on single spaces into at most `max` fields; the last takes the rest of the line.
std::vector<std::string_view> fields(std::string_view line, std::size_t max)
{
    std::vector<std::string_view> out;
    while (out.size() + 1 < max) {
        const auto sp = line.find(' ');
        if (sp == std::string_view::npos)
            break;
        out.push_back(line.substr(0, sp));
        line.remove_prefix(sp + 1);
    }
    out.push_back(line);
    return out;
}

// Length-prefixed, so that no two different lists of fields give the same bytes.
std::string encodeFields(std::initializer_list<std::string_view> parts)
{
    std::string s;
    for (const auto part : parts) {
        const auto n = static_cast<std::uint32_t>(part.size());
        s += static_cast<char>(n >> 24);
        s += static_cast<char>(n >> 16);
        s += static_cast<char>(n >> 8);
        s += static_cast<char>(n);
        s += part;
    }
    return s;
}

crypto::Key256 handshakeKey(std::string_view clusterKey)
{
    return crypto::hkdf(clusterKey, {}, "dmr cluster handshake v2");
}

SessionKey sessionKey(std::string_view clusterKey, const Nonce &acceptorNonce, const Nonce &dialerNonce,
               std::string_view dialer, std::string_view acceptor)
{
    std::array<unsigned char, 2 * kNonceBytes> salt{};
    std::copy(acceptorNonce.begin(), acceptorNonce.end(), salt.begin());
    std::copy(dialerNonce.begin(), dialerNonce.end(), salt.begin() + kNonceBytes);
    return crypto::hkdf(clusterKey, salt,
                        encodeFields({"dmr cluster frames v2", dialer, acceptor}));
}

std::string proof(std::string_view clusterKey, std::string_view what, std::string_view acceptor,
                  const Nonce &acceptorNonce, std::string_view dialer,
                  std::string_view dialerAddress, const Nonce &dialerNonce)
{
    const auto kh = handshakeKey(clusterKey);
    const std::string version = std::to_string(kVersion);
    return crypto::hex(crypto::hmac(
        kh, {encodeFields({what, version, acceptor, crypto::view(acceptorNonce), dialer,
                           dialerAddress, crypto::view(dialerNonce)})}));
}

// Node ids and addresses travel in space-separated lines: they must be printable, without
// spaces, and bounded.
bool wordOk(std::string_view w)
{
    if (w.empty() || w.size() > 128)
        return false;
    for (char c : w)
        if (c <= ' ' || c > '~')
            return false;
    return true;
}

bool looksLikeVersion1(std::string_view line)
{
    if (line.size() < kMacHexBytes + 1 || line[kMacHexBytes] != ' ')
        return false;
    for (std::size_t i = 0; i < kMacHexBytes; ++i) {
        const char c = line[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

Error record(HandshakeFailure &slot, HandshakeFailure failure, const std::string &text)
{
    slot = failure;
    return Error{text};
}

std::array<unsigned char, 8> seqBytes(std::uint64_t seq)
{
    std::array<unsigned char, 8> b{};
    for (int i = 7; i >= 0; --i) {
        b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(seq & 0xff);
        seq >>= 8;
    }
    return b;
}

} // namespace

Nonce freshNonce()
{
    Nonce n{};
    crypto::randomBytes(n);
    return n;
}

std::string_view toString(Refusal refusal)
{
    switch (refusal) {
    case Refusal::Malformed:
        return "malformed";
    case Refusal::BadMac:
        return "bad-mac";
    case Refusal::Replayed:
        return "replayed";
    }
    return "?";
}

// ---- Frames ------------------------------------------------------------------------------------

std::string Sealer::seal(std::string_view payload)
{
    const std::uint64_t seq = next_++;
    const auto sb = seqBytes(seq);
    const auto mac = crypto::hmac(key_, {crypto::view(sb), payload});
    std::string line = std::to_string(seq);
    line += ' ';
    line += crypto::hex(mac);
    line += ' ';
    line += payload;
    line += '\n';
    return line;
}

Result<Opener::Opened> Opener::open(std::string_view line, Refusal *why)
{
    auto refuse = [&](Refusal r, std::string text) -> Error {
        if (why != nullptr)
            *why = r;
        return Error{std::move(text)};
    };
    const auto sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp > kSeqDigitsMax)
        return refuse(Refusal::Malformed, "frame without a sequence number");
    std::uint64_t seq = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + sp, seq);
    if (ec != std::errc{} || end != line.data() + sp)
        return refuse(Refusal::Malformed, "frame with a bad sequence number");
    const std::string_view rest = line.substr(sp + 1);
    if (rest.size() < kMacHexBytes + 1 || rest[kMacHexBytes] != ' ')
        return refuse(Refusal::Malformed, "frame without a MAC");
    const std::string_view payload = rest.substr(kMacHexBytes + 1);
    const auto sb = seqBytes(seq);
    const auto mac = crypto::hex(crypto::hmac(key_, {crypto::view(sb), payload}));
    if (!crypto::equal(mac, rest.substr(0, kMacHexBytes)))
        return refuse(Refusal::BadMac,
                      "frame MAC does not verify (forged, or made for another connection)");
    if (seq != next_)
        return refuse(Refusal::Replayed, "replayed frame: sequence " + std::to_string(seq) +
                                             ", expected " + std::to_string(next_));
    ++next_;
    return Opened{std::string(payload), seq};
}

// ---- Handshake ---------------------------------------------------------------------------------

Acceptor::Acceptor(std::string_view clusterKey, NodeId self, Nonce nonce)
    : key_(clusterKey)
    , self_(std::move(self))
    , nonce_(nonce)
{
}

std::string Acceptor::challenge() const
{
    return std::string(kChallengeTag) + " " + std::to_string(kVersion) + " " + self_ + " " +
           crypto::hex(nonce_) + "\n";
}

std::string Acceptor::refusal() const
{
    std::string why = "malformed";
    if (failure_ == HandshakeFailure::Key)
        why = "key";
    else if (failure_ == HandshakeFailure::Version)
        why = "version " + std::to_string(kVersion);
    return std::string(kRefusedTag) + " " + why + "\n";
}

Result<Acceptor::Accepted> Acceptor::onHello(std::string_view line)
{
    auto fail = [&](HandshakeFailure f, std::string text) { return record(failure_, f, text); };
    if (looksLikeVersion1(line))
        return fail(HandshakeFailure::Version,
                    "it speaks cluster frame version 1 (no handshake); this node speaks version " +
                        std::to_string(kVersion) + ": upgrade it");
    const auto f = fields(line, 7);
    if (f.size() != 6 || f[0] != kHelloTag)
        return fail(HandshakeFailure::Malformed, "its first line is not a cluster hello");
    if (f[1] != std::to_string(kVersion))
        return fail(HandshakeFailure::Version,
                    "it asks for cluster frame version " + std::string(f[1].substr(0, 8)) +
                        "; this node speaks version " + std::to_string(kVersion));
    if (!wordOk(f[2]) || !wordOk(f[3]))
        return fail(HandshakeFailure::Malformed, "hello with a bad node id or address");
    Nonce dialerNonce{};
    if (!crypto::unhex(f[4], dialerNonce) || f[5].size() != kMacHexBytes)
        return fail(HandshakeFailure::Malformed, "hello with a bad nonce or proof");
    const Identity peer{std::string(f[2]), std::string(f[3])};
    const std::string expected =
        proof(key_, "hello", self_, nonce_, peer.node, peer.address, dialerNonce);
    if (!crypto::equal(expected, f[5]))
        return fail(HandshakeFailure::Key,
                    "its hello's proof does not verify: the cluster key does not match (it says "
                    "it is node " +
                        peer.node + " at " + peer.address + ")");
    failure_ = HandshakeFailure::None;
    Accepted a;
    a.peer = peer;
    a.welcome = std::string(kWelcomeTag) + " " +
                proof(key_, "welcome", self_, nonce_, peer.node, "", dialerNonce) + "\n";
    a.opener = Opener(sessionKey(key_, nonce_, dialerNonce, peer.node, self_));
    return a;
}

Dialer::Dialer(std::string_view clusterKey, Identity self, Nonce nonce)
    : key_(clusterKey)
    , self_(std::move(self))
    , nonce_(nonce)
{
}

namespace {

// A refusal line: its failure recorded, and the error naming it for the log. nullopt when the
// line is not a refusal.
std::optional<Error> readRefusal(std::string_view line, HandshakeFailure &slot)
{
    if (line.substr(0, kRefusedTag.size()) != kRefusedTag)
        return std::nullopt;
    const std::string_view why = line.substr(std::min(line.size(), kRefusedTag.size() + 1));
    if (why == "key")
        return record(slot, HandshakeFailure::Key,
                      "it refused our hello: the cluster key does not match (check cluster.key "
                      "on both)");
    if (why.substr(0, 8) == "version ")
        return record(slot, HandshakeFailure::Version,
                      "it refused our hello: it speaks cluster frame version(s) " +
                          std::string(why.substr(8, 32)) + "; this node speaks version " +
                          std::to_string(kVersion));
    return record(slot, HandshakeFailure::Malformed,
                  "it refused our hello as malformed: " + std::string(why.substr(0, 64)));
}

} // namespace

Result<Dialer::Hello> Dialer::onChallenge(std::string_view line)
{
    auto fail = [&](HandshakeFailure f, std::string text) { return record(failure_, f, text); };
    if (auto refused = readRefusal(line, failure_))
        return *refused;
    const auto f = fields(line, 5);
    if (f.size() != 4 || f[0] != kChallengeTag)
        return fail(HandshakeFailure::Malformed,
                    "it does not speak the DMR cluster protocol (or an older version without a "
                    "handshake)");
    bool speaks = false;
    for (std::string_view versions = f[1]; !versions.empty();) {
        const auto comma = versions.find(',');
        if (versions.substr(0, comma) == std::to_string(kVersion))
            speaks = true;
        versions = comma == std::string_view::npos ? std::string_view{} : versions.substr(comma + 1);
    }
    if (!speaks)
        return fail(HandshakeFailure::Version,
                    "it speaks cluster frame version(s) " + std::string(f[1].substr(0, 32)) +
                        "; this node speaks version " + std::to_string(kVersion));
    if (!wordOk(f[2]) || !crypto::unhex(f[3], peerNonce_))
        return fail(HandshakeFailure::Malformed, "its challenge has a bad node id or nonce");
    failure_ = HandshakeFailure::None;
    peer_ = std::string(f[2]);
    Hello h;
    h.peer = peer_;
    h.hello = std::string(kHelloTag) + " " + std::to_string(kVersion) + " " + self_.node + " " +
              self_.address + " " + crypto::hex(nonce_) + " " +
              proof(key_, "hello", peer_, peerNonce_, self_.node, self_.address, nonce_) + "\n";
    h.sealer = Sealer(sessionKey(key_, peerNonce_, nonce_, self_.node, peer_));
    return h;
}

Result<std::monostate> Dialer::onAnswer(std::string_view line)
{
    auto fail = [&](HandshakeFailure f, std::string text) { return record(failure_, f, text); };
    if (auto refused = readRefusal(line, failure_))
        return *refused;
    const auto f = fields(line, 3);
    if (f.size() != 2 || f[0] != kWelcomeTag)
        return fail(HandshakeFailure::Malformed,
                    "it answered our hello with something other than a welcome");
    const std::string expected = proof(key_, "welcome", peer_, peerNonce_, self_.node, "", nonce_);
    if (!crypto::equal(expected, f[1]))
        return fail(HandshakeFailure::Key,
                    "its welcome's proof does not verify: the cluster key does not match (check "
                    "cluster.key on both)");
    failure_ = HandshakeFailure::None;
    return std::monostate{};
}

} // namespace dmr::agent::frame
