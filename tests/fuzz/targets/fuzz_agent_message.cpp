// libFuzzer target: the agents' own messages (dmr/agent_message.h), on what a peer's frame
// carries once its MAC checked out. Whatever decodes must encode to a line that decodes to the
// same message and encodes to the same line again.
#include "dmr/agent_message.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    (void)dmr::protocol::isAgentMessage(text);
    auto decoded = dmr::protocol::decodeAgentMessage(text);
    if (!decoded)
        return 0;
    const std::string encoded = dmr::protocol::encodeAgentMessage(*decoded);
    auto again = dmr::protocol::decodeAgentMessage(encoded);
    if (!again || dmr::protocol::encodeAgentMessage(*again) != encoded)
        std::abort(); // encode and decode disagree
    return 0;
}
