// Reading a configuration: the TOML document, then the flags over it, the secrets the *_file keys
// name, and the checks that need the whole configuration; HostPort and the entry points of
// config.h. One value's checks are in config_values.cpp, the table of keys in config_keys.cpp.

#include "config.h"
#include "config_keys.h"
#include "config_values.h"

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <sys/stat.h>

namespace dmr::agent {

using namespace config_detail;

namespace {

constexpr std::size_t kFileBytesMax = 1024 * 1024;

// A secret and the key naming its file: one source sets at most one of them.
constexpr std::pair<std::string_view, std::string_view> kSecretPairs[] = {
    {"cluster.key", "cluster.key_file"},
    {"control.operator_token", "control.operator_token_file"},
    {"control.viewer_token", "control.viewer_token_file"},
};

std::string bothSet(std::string_view inlineKey, std::string_view fileKey)
{
    return "both " + std::string(inlineKey) + " and " + std::string(fileKey) +
           " are set; keep one (the file keeps the secret off the command line)";
}

// Reads every key the document sets into c; unknown keys and sections are errors.
void readDocument(const toml::table &root, AgentConfig &c)
{
    const std::vector<std::string> sections = sectionNames();
    std::vector<std::string> allKeys;
    for (const Key &k : keys())
        allKeys.emplace_back(k.name);
    for (auto &&[section, node] : root) {
        const std::string s(section.str());
        if (std::find(sections.begin(), sections.end(), s) == sections.end())
            invalid(s, unknownKey(s, sections));
        if (!node.is_table())
            invalid(s, "expected a table ([" + s + "]), found " + typeName(node));
        for (auto &&[leaf, value] : *node.as_table()) {
            const std::string full = s + "." + std::string(leaf.str());
            if (findKey(full) == nullptr)
                invalid(full, unknownKey(full, allKeys));
        }
    }
    const auto present = [&](std::string_view key) {
        const std::string_view section = sectionOf(key);
        const toml::table *t = root.get_as<toml::table>(section);
        return t != nullptr && t->get(key.substr(section.size() + 1)) != nullptr;
    };
    for (const auto &[inlineKey, fileKey] : kSecretPairs)
        if (present(inlineKey) && present(fileKey))
            invalid(std::string(fileKey), bothSet(inlineKey, fileKey));
    for (const Key &k : keys()) {
        const std::string_view section = sectionOf(k.name);
        const toml::table *t = root.get_as<toml::table>(section);
        if (t == nullptr)
            continue;
        if (const toml::node *n = t->get(k.name.substr(section.size() + 1)))
            k.fromToml(c, *n);
    }
}

std::string modeText(mode_t mode)
{
    char text[8];
    std::snprintf(text, sizeof text, "0%03o", static_cast<unsigned>(mode & 0777));
    return text;
}

// Why a file may not hold a secret: "PATH: group or others may read ..."; nullopt when it may.
std::optional<std::string> secretFileProblem(const std::string &path)
{
    struct stat st
    {
    };
    if (::stat(path.c_str(), &st) != 0)
        return path + ": " + std::strerror(errno);
    if (!S_ISREG(st.st_mode))
        return path + ": not a regular file";
    if ((st.st_mode & 077) != 0)
        return path + ": group or others may read or write it (mode " + modeText(st.st_mode) +
               "); it holds a secret: chmod 600 " + path;
    return std::nullopt;
}

// The secret in a *_file: the whole file, one final newline dropped, checked like an inline one.
std::string readSecretFile(const std::string &path, std::string_view key)
{
    if (auto problem = secretFileProblem(path))
        invalid(std::string(key), *problem);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        invalid(std::string(key), path + ": cannot open: " + std::strerror(errno));
    std::string text(kSecretBytesMax + 3, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (!text.empty() && text.back() == '\n')
        text.pop_back();
    if (!text.empty() && text.back() == '\r')
        text.pop_back();
    if (text.find('\n') != std::string::npos)
        invalid(std::string(key), path + ": more than one line; the file holds the secret only");
    try {
        return secret(text, key);
    } catch (const Invalid &e) {
        throw Invalid{e.path, path + ": " + e.reason};
    }
}

// Reads the secrets the *_file keys name, and checks the TLS key's mode.
void loadSecretFiles(AgentConfig &c)
{
    if (!c.cluster.keyFile.empty())
        c.cluster.key = readSecretFile(c.cluster.keyFile, "cluster.key_file");
    if (!c.control.operatorTokenFile.empty())
        c.control.operatorToken =
            readSecretFile(c.control.operatorTokenFile, "control.operator_token_file");
    if (!c.control.viewerTokenFile.empty())
        c.control.viewerToken =
            readSecretFile(c.control.viewerTokenFile, "control.viewer_token_file");
    if (!c.control.tlsKey.empty())
        if (auto problem = secretFileProblem(c.control.tlsKey))
            invalid("control.tls_key", *problem);
}

// Checks that need the whole configuration.
void checkWhole(const AgentConfig &c, bool haveFile)
{
    const char *const where = haveFile ? "set it in the file or with --" : "set it with --";
    if (c.node.id.empty())
        invalid("node.id", std::string("missing; ") + where + "node.id");
    if (c.cluster.key.empty() && c.cluster.keyFile.empty())
        invalid("cluster.key", std::string("missing; ") + where + "cluster.key (or " +
                                   (haveFile ? "" : "--") + "cluster.key_file)");
    const auto &control = c.control;
    if (control.tls() != !control.tlsKey.empty())
        invalid(control.tls() ? "control.tls_key" : "control.tls_cert",
                "missing; TLS needs both control.tls_cert and control.tls_key");
    if (!control.tls()) {
        for (const auto &[key, set] :
             {std::pair{"control.tls_client_ca", !control.tlsClientCa.empty()},
              std::pair{"control.tls_require_client_cert", control.tlsRequireClientCert},
              std::pair{"control.operator_cert_names", !control.operatorCertNames.empty()},
              std::pair{"control.viewer_cert_names", !control.viewerCertNames.empty()}})
            if (set)
                invalid(key, "needs TLS: set control.tls_cert and control.tls_key");
    } else if (control.tlsClientCa.empty()) {
        for (const auto &[key, set] :
             {std::pair{"control.tls_require_client_cert", control.tlsRequireClientCert},
              std::pair{"control.operator_cert_names", !control.operatorCertNames.empty()},
              std::pair{"control.viewer_cert_names", !control.viewerCertNames.empty()}})
            if (set)
                invalid(key, "needs client certificates: set control.tls_client_ca, the CA "
                             "that signs them");
    }
    if (c.relay.queryResponseMs >= c.relay.queryIntervalMs)
        invalid("relay.query_response_ms",
                std::to_string(c.relay.queryResponseMs) +
                    " is not below relay.query_interval_ms (" +
                    std::to_string(c.relay.queryIntervalMs) +
                    "): hosts would still be answering one query when the next comes");
    if (!control.tls() && !control.allowPlaintext && !isLoopback(control.listen.host))
        invalid("control.listen",
                control.listen.toString() +
                    " is not a loopback address and the control port has no TLS: tokens and "
                    "every reply would cross the network in clear text. Set control.tls_cert "
                    "and control.tls_key, or control.allow_plaintext = true to accept that");
    const std::pair<std::string_view, std::optional<HostPort>> listens[] = {
        {"membership.listen", c.membership.listen},
        {"control.listen", c.control.listen},
        {"metrics.listen", c.metrics.listen},
    };
    for (std::size_t i = 0; i < std::size(listens); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (listens[i].second && listens[i].second == listens[j].second)
                invalid(std::string(listens[i].first), listens[i].second->toString() + " is also " +
                                                           std::string(listens[j].first));
}

Result<AgentConfig> resolve(const std::optional<ConfigFile> &file, const ConfigOverrides *flags)
{
    AgentConfig c;
    const std::string prefix = file ? std::string(file->name) + ": " : std::string();
    if (file) {
        toml::table root;
        try {
            root = toml::parse(file->text, file->name);
        } catch (const toml::parse_error &e) {
            const auto &at = e.source().begin;
            return Error{std::string(file->name) + ":" + std::to_string(at.line) + ":" +
                         std::to_string(at.column) + ": " + std::string(e.description())};
        }
        try {
            readDocument(root, c);
        } catch (const Invalid &e) {
            return Error{prefix + e.path + ": " + e.reason};
        }
    }
    if (flags) {
        for (const auto &[inlineKey, fileKey] : kSecretPairs)
            if (flags->flags.count(std::string(inlineKey)) != 0 &&
                flags->flags.count(std::string(fileKey)) != 0)
                return Error{"--" + std::string(fileKey) + ": " + bothSet(inlineKey, fileKey)};
        for (const auto &[name, values] : flags->flags) {
            const Key *k = findKey(name);
            if (k == nullptr)
                return Error{"--" + name + ": unknown key"};
            if (values.empty())
                return Error{"--" + name + ": needs a value"};
            try {
                k->fromFlag(c, values);
            } catch (const Invalid &e) {
                return Error{"--" + name + ": " + e.reason};
            }
        }
    }
    try {
        checkWhole(c, file.has_value());
        loadSecretFiles(c);
    } catch (const Invalid &e) {
        return Error{prefix + e.path + ": " + e.reason};
    }
    return c;
}

} // namespace

// ---- HostPort ---------------------------------------------------------------------------------

Result<HostPort> HostPort::parse(std::string_view text)
{
    const auto fail = [&](const std::string &reason) { return Error{shown(text) + ": " + reason}; };
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos)
            return fail("no \"]\" after the IPv6 address");
        host = text.substr(1, close - 1);
        if (close + 1 >= text.size() || text[close + 1] != ':')
            return fail("expected HOST:PORT, as in [fd00::1]:7400");
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            return fail("expected HOST:PORT, as in 127.0.0.1:7400");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
            return fail("an IPv6 address needs brackets, as in [fd00::1]:7400");
    }
    auto address = IpAddress::parse(host);
    if (!address)
        return fail("host must be an IP address literal: " + address.error().message);
    if (address->family() == Family::V4 && !text.empty() && text.front() == '[')
        return fail("brackets are for IPv6 addresses only");
    int number = 0;
    const char *end = port.data() + port.size();
    auto [ptr, ec] = std::from_chars(port.data(), end, number);
    if (port.empty() || ec == std::errc::invalid_argument || ptr != end)
        return fail("port " + shown(port) + " is not a number");
    if (ec == std::errc::result_out_of_range || number < 1 || number > 65535)
        return fail("port " + std::string(port) + " is out of range 1-65535");
    return HostPort{*address, static_cast<std::uint16_t>(number)};
}

std::string HostPort::toString() const
{
    if (host.family() == Family::V6)
        return "[" + host.toString() + "]:" + std::to_string(port);
    return host.toString() + ":" + std::to_string(port);
}

relay::RateLimit AgentConfig::RelaySection::effective(const RateLimitKeys &keys,
                                                      const relay::RateLimit &osDefault) const
{
    const bool os = mode == RelayMode::Os;
    relay::RateLimit r;
    r.bytesPerS = static_cast<std::uint64_t>(
        keys.bytesPerS.value_or(os ? static_cast<int>(osDefault.bytesPerS) : 0));
    r.datagramsPerS = static_cast<std::uint64_t>(
        keys.datagramsPerS.value_or(os ? static_cast<int>(osDefault.datagramsPerS) : 0));
    r.burstBytes = keys.burstBytes
                       ? static_cast<std::uint64_t>(*keys.burstBytes)
                       : std::max<std::uint64_t>(r.bytesPerS / 10, relay::kPayloadBytesMax);
    r.burstDatagrams = keys.burstDatagrams ? static_cast<std::uint64_t>(*keys.burstDatagrams)
                                           : std::max<std::uint64_t>(r.datagramsPerS / 10, 1);
    return r;
}

relay::RateLimit AgentConfig::RelaySection::effectiveTunnelLimit() const
{
    return effective(tunnelLimit, kOsTunnelLimit);
}

relay::RateLimit AgentConfig::RelaySection::effectiveChannelLimit() const
{
    return effective(channelLimit, kOsChannelLimit);
}

std::string_view toString(RelayMode m)
{
    return m == RelayMode::Loopback ? "loopback" : "os";
}

std::string_view toString(MembershipBackend b)
{
    switch (b) {
    case MembershipBackend::Embedded:
        return "embedded";
    case MembershipBackend::Etcd:
        return "etcd";
    }
    return "?";
}

// ---- Entry points -----------------------------------------------------------------------------

Result<AgentConfig> parseConfigToml(std::string_view text, std::string_view fileName)
{
    return resolve(ConfigFile{text, fileName}, nullptr);
}

Result<AgentConfig> resolveConfig(const std::optional<ConfigFile> &file,
                                  const ConfigOverrides &overrides)
{
    return resolve(file, &overrides);
}

Result<AgentConfig> loadConfig(const ConfigOverrides &overrides)
{
    if (overrides.configPath.empty())
        return resolveConfig(std::nullopt, overrides);
    const std::string &path = overrides.configPath;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Error{path + ": cannot open: " + std::strerror(errno)};
    std::string text(kFileBytesMax + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad())
        return Error{path + ": cannot read: " + std::strerror(errno)};
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kFileBytesMax)
        return Error{path + ": larger than " + std::to_string(kFileBytesMax / 1024) + " KiB"};
    return resolveConfig(ConfigFile{text, path}, overrides);
}

void addConfigOptions(CLI::App &app, ConfigOverrides &overrides)
{
    app.add_option("-c,--config", overrides.configPath, "the agent.toml to read")
        ->type_name("FILE");
    for (const Key &k : keys()) {
        const std::string key(k.name);
        if (k.list) {
            app.add_option_function<std::vector<std::string>>(
                   "--" + key,
                   [&overrides, key](const std::vector<std::string> &v) {
                       overrides.flags[key] = v;
                   },
                   std::string(k.help))
                ->delimiter(',')
                ->group("Configuration (overrides the file)");
        } else {
            app.add_option_function<std::string>(
                   "--" + key,
                   [&overrides, key](const std::string &v) { overrides.flags[key] = {v}; },
                   std::string(k.help))
                ->take_last()
                ->group("Configuration (overrides the file)");
        }
    }
}

bool isLoopback(const IpAddress &address)
{
    if (address.family() == Family::V4)
        return (address.v4HostOrder() >> 24) == 127;
    std::array<std::uint8_t, 16> one{};
    one[15] = 1;
    return address.bytes() == one;
}

std::vector<std::string_view> configKeys()
{
    std::vector<std::string_view> out;
    for (const Key &k : keys())
        out.push_back(k.name);
    return out;
}

} // namespace dmr::agent
