#pragma once
// The checks and parsers of one configuration value, shared by the TOML file and the flags:
// used by the key table (config_keys.cpp) and the document reader (config.cpp). Internal to
// dmr_agent_config: not installed, included by nothing outside backend/agent/config*.cpp.
// Each function takes the key's path for its message and throws Invalid when it rejects.

#include "config.h"

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dmr::agent::config_detail {

// A rejected value, thrown while one key is read and caught where its source (the file or a
// flag) is known, which then prefixes the message. It never leaves the configuration library.
struct Invalid
{
    std::string path; // the key, with an element where there is one: "node.interfaces[1].name"
    std::string reason;
};

[[noreturn]] void invalid(std::string path, std::string reason);

std::string shown(std::string_view s);     // user text in a message: quoted, escaped, cut short
std::string typeName(const toml::node &n); // "a string", "an integer", ...
std::string indexed(std::string_view path, std::size_t i); // "cluster.peers[2]"
const std::string &tomlString(const toml::node &n, std::string_view path);
// The array n is, or "expected an array of <what>, found a string".
const toml::array &tomlArray(const toml::node &n, std::string_view path, std::string_view what);
// An array of strings, with each one's path ("relay.channels[2]").
struct TomlStrings
{
    std::vector<std::string> texts;
    std::vector<std::string> paths;
};
TomlStrings tomlStrings(const toml::node &n, std::string_view path, std::string_view what);

// ---- Checks of one value ----
int inRange(std::int64_t v, int min, int max, std::string_view path);
std::int64_t integerText(std::string_view text, std::string_view path);
std::string identifier(std::string_view s, std::string_view path);
std::string secret(std::string_view s, std::string_view path);
HostPort endpoint(std::string_view s, std::string_view path);
std::string absolutePath(std::string_view s, std::string_view path);
std::string command(std::string_view s, std::string_view path);
MembershipBackend parseBackend(std::string_view s, std::string_view path);
RelayMode parseRelayMode(std::string_view s, std::string_view path);
bool boolText(std::string_view s, std::string_view path);
void setCertNames(std::vector<std::string> &out, const std::vector<std::string> &texts,
                  const std::vector<std::string> &paths, std::string_view path);

// ---- The list keys: from the file's array, or from the values of the key's flag ----
void readChannelsToml(AgentConfig &c, const toml::node &n);
void readChannelsFlag(AgentConfig &c, const std::vector<std::string> &values);
void readInterfacesToml(AgentConfig &c, const toml::node &n);
void readInterfacesFlag(AgentConfig &c, const std::vector<std::string> &values);
void readPeersToml(AgentConfig &c, const toml::node &n);
void readPeersFlag(AgentConfig &c, const std::vector<std::string> &values);
void readEtcdEndpointsToml(AgentConfig &c, const toml::node &n);
void readEtcdEndpointsFlag(AgentConfig &c, const std::vector<std::string> &values);
void readBoundariesToml(AgentConfig &c, const toml::node &n);
void readBoundariesFlag(AgentConfig &c, const std::vector<std::string> &values);
void readNetworkBoundariesToml(AgentConfig &c, const toml::node &n);
void readNetworkBoundariesFlag(AgentConfig &c, const std::vector<std::string> &values);

} // namespace dmr::agent::config_detail
