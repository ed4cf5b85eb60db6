// libFuzzer target: the cluster transport's framing (backend/agent/frame.h) on hostile bytes,
// on every path a peer's bytes take: the acceptor's reading of a hello, the dialer's reading of
// a challenge and of an answer, and the opener's reading of frames. A frame is opened only if it
// was sealed for this session: the fuzzer cannot forge one, so any frame that opens is a bug.
#include "frame.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace dmr::agent::frame;

namespace {

// Fixed nonces: the fuzzer should explore parsing, not the random source.
Nonce nonce(unsigned char fill)
{
    Nonce n{};
    n.fill(fill);
    return n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    std::string_view input(reinterpret_cast<const char *>(data), size);
    if (input.size() > 1 << 16)
        return 0;
    const std::string key = "fuzz-cluster-key";
    // Each line of the input goes to every reader.
    Acceptor acceptor(key, "b", nonce(1));
    Dialer dialer(key, {"a", "127.0.0.1:7401"}, nonce(2));
    (void)dialer.onChallenge(acceptor.challenge().substr(0, acceptor.challenge().size() - 1));
    Opener opener(SessionKey{});
    while (!input.empty()) {
        const auto nl = input.find('\n');
        const std::string_view line = input.substr(0, nl);
        input = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
        (void)acceptor.onHello(line);
        (void)acceptor.refusal();
        Dialer fresh(key, {"a", "127.0.0.1:7401"}, nonce(3));
        (void)fresh.onChallenge(line);
        (void)dialer.onAnswer(line);
        Refusal why{};
        if (opener.open(line, &why).ok())
            std::abort(); // a frame opened that nobody sealed
    }
    return 0;
}
