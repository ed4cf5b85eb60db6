// libFuzzer target: the relay's datagram decoders (shared/include/dmr/relay.h) on what arrives
// on a tunnel port or a network segment: the tunnel header, a carry's network list, a segment
// frame and a reachability probe. What decodes must stay within the datagram and its bounds.
#include "dmr/relay.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
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
        if (d->header.kind == Kind::Carry && !decodeCarry(d->payload, d->version))
            std::abort(); // decode() took a carry whose networks do not decode
        // What decodes encodes back to the same bytes (the tag aside), in its own version: the
        // two layouts (version 2, version 3 in either family) agree with each other.
        static std::uint8_t again[kTunnelDatagramBytesMax];
        const std::size_t n = encode(d->header, d->payload, again, d->version);
        if (n != size || std::memcmp(again, data, size - kTagBytes) != 0)
            std::abort();
    }
    (void)decodeCarry(bytes);
    (void)decodeCarry(bytes, 2);
    if (auto frame = decodeSegmentFrame(bytes)) {
        if (frame->payload.size() > size)
            std::abort();
    }
    (void)decodeProbe(bytes);
    return 0;
}
