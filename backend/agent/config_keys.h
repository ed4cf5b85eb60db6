#pragma once
// The configuration keys: one table, in file order, that says how each key is read from the
// file and from its flag, with its help text. Internal to dmr_agent_config (see
// config_values.h).

#include "config.h"

#include <toml++/toml.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace dmr::agent::config_detail {

// One configuration key: how to read it from the file and from its flag.
struct Key
{
    std::string_view name; // "membership.heartbeat_ms", also the flag: --membership.heartbeat_ms
    std::string_view help;
    bool list = false; // the flag takes several values
    std::function<void(AgentConfig &, const toml::node &)> fromToml;
    std::function<void(AgentConfig &, const std::vector<std::string> &)> fromFlag;
};

const std::vector<Key> &keys(); // every key, in file order
const Key *findKey(std::string_view name);
std::string_view sectionOf(std::string_view key); // "membership"
std::vector<std::string> sectionNames();          // in file order
// "unknown key", with the nearest known name when one is close.
std::string unknownKey(std::string_view given, const std::vector<std::string> &known);

} // namespace dmr::agent::config_detail
