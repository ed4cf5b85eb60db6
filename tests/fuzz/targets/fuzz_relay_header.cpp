// libFuzzer target: the relay's datagram decoders (shared/include/dmr/relay.h) on what arrives
// on a tunnel port or a network segment: the tunnel header, a carry's network list, a segment
// frame and a reachability probe. What decodes must stay within the datagram and its bounds.
#include "dmr/relay.h"

#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>

using namespace dmr::relay;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::uint8_t> bytes(data, size);
    auto decoded = decode(bytes);
    if (auto *d = std::get_if<Decoded>(&decoded)) {
        if (d->payload.size() > kPayloadBytesMax || d->header.origin.size() > kNodeIdBytesMax ||
            d->header.hop.size() > kNodeIdBytesMax)
            std::abort();
        if (d->payload.data() != nullptr &&
            (d->payload.data() < data || d->payload.data() + d->payload.size() > data + size))
            std::abort(); // the payload points outside the datagram
        if (d->header.kind == Kind::Carry)
            (void)decodeCarry(d->payload);
    }
    (void)decodeCarry(bytes);
    if (auto frame = decodeSegmentFrame(bytes)) {
        if (frame->payload.size() > size)
            std::abort();
    }
    (void)decodeProbe(bytes);
    return 0;
}
