// libFuzzer target: the embedded membership protocol's message decoder, on what a peer's frame
// carries once its MAC checked out. A decoded message must encode and decode back alike.
#include "dmr/membership.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    auto decoded = dmr::gms::decode(text);
    if (!decoded)
        return 0;
    const std::string encoded = dmr::gms::encode(*decoded);
    auto again = dmr::gms::decode(encoded);
    if (!again || dmr::gms::encode(*again) != encoded)
        std::abort(); // encode and decode disagree
    return 0;
}
