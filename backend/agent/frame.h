#pragma once
// Cluster traffic framing: one line per message, "<hex HMAC-SHA256 of the payload> <payload>\n".
// The HMAC key is the cluster key, so a node without it cannot join or forge a message.

#include "dmr/result.h"

#include <string>
#include <string_view>

namespace dmr::agent {

// Bound on one cluster frame: a view of a few thousand nodes fits well within it.
inline constexpr std::size_t kFrameBytesMax = 4 * 1024 * 1024;

std::string seal(std::string_view key, std::string_view payload);
// Checks and strips the HMAC of one line (without its "\n"): the payload, or why not.
Result<std::string> open(std::string_view key, std::string_view line);

} // namespace dmr::agent
