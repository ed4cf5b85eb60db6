// libFuzzer target: the control port's request path as the agent runs it on a client's bytes:
// the line framer, the request decoder and the per-connection gate. Every decoded request must
// encode and decode back to itself.
#include "dmr/protocol.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace dmr::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    LineFramer framer(4096);
    SessionGate gate("fuzz-operator-token");
    for (const auto &event : framer.feed(bytes)) {
        if (event.kind != LineFramer::Event::Kind::Line)
            continue;
        auto decoded = decodeRequest(event.text);
        if (auto *err = std::get_if<RequestError>(&decoded)) {
            (void)encodeError(*err);
            continue;
        }
        const Request &request = std::get<Request>(decoded);
        auto again = decodeRequest(encodeRequest(request));
        if (!std::holds_alternative<Request>(again) || std::get<Request>(again) != request)
            std::abort(); // encodeRequest and decodeRequest disagree
        (void)gate.admit(request);
    }
    if (framer.pendingBytes() > framer.lineBytesMax() + 1)
        std::abort(); // the framer holds more than its bound
    return 0;
}
