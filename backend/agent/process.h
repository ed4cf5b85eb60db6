#pragma once
// What the agent runs and writes besides its sockets: the configured commands (output.notify
// and output.reload, started without waiting) and the configured files (written whole or not
// at all).

#include <string>

namespace dmr::agent {

// Runs a command with `input` on its standard input, without waiting for it: the agent's loop
// must not block. Children are reaped by reapChildren().
void spawnCommand(const std::string &command, const std::string &input);
// Collects every child that has ended (none waits).
void reapChildren();
// Writes `text` to path through a temporary file renamed over it; the error names the path.
// Returns an empty string when it was written.
std::string writeFileWhole(const std::string &path, const std::string &text);

} // namespace dmr::agent
