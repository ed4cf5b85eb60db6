#include "config.h"

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <sys/stat.h>

namespace dmr::agent {

namespace {

// A rejected value, thrown while one key is read and caught where its source (the file or a
// flag) is known, which then prefixes the message. It never leaves this file.
struct Invalid
{
    std::string path; // the key, with an element where there is one: "node.interfaces[1].name"
    std::string reason;
};

[[noreturn]] void invalid(std::string path, std::string reason)
{
    throw Invalid{std::move(path), std::move(reason)};
}

constexpr std::size_t kFileBytesMax = 1024 * 1024;
constexpr std::size_t kShownBytesMax = 80;

// Text from the user inside a message: quoted, control characters escaped, cut short, so the
// message stays one line.
std::string shown(std::string_view s)
{
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < kShownBytesMax; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            static const char *const kHex = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (s.size() > kShownBytesMax)
        out += "...";
    return out + "\"";
}

std::string typeName(const toml::node &n)
{
    switch (n.type()) {
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a floating-point number";
    case toml::node_type::boolean:
        return "a boolean";
    case toml::node_type::date:
        return "a date";
    case toml::node_type::time:
        return "a time";
    case toml::node_type::date_time:
        return "a date-time";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::table:
        return "a table";
    case toml::node_type::none:
        break;
    }
    return "nothing";
}

std::string indexed(std::string_view path, std::size_t i)
{
    return std::string(path) + "[" + std::to_string(i) + "]";
}

// ---- Checks of one value, shared by the file and the flags ------------------------------------

int inRange(std::int64_t v, int min, int max, std::string_view path)
{
    if (v < min || v > max)
        invalid(std::string(path), std::to_string(v) + " is out of range " + std::to_string(min) +
                                       "-" + std::to_string(max));
    return static_cast<int>(v);
}

std::int64_t integerText(std::string_view text, std::string_view path)
{
    std::int64_t v = 0;
    const char *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end)
        invalid(std::string(path), shown(text) + " is not an integer");
    return v;
}

// Node ids and cluster names show up in logs, file names and one-line messages.
std::string identifier(std::string_view s, std::string_view path)
{
    if (s.empty())
        invalid(std::string(path), "must not be empty");
    if (s.size() > kIdBytesMax)
        invalid(std::string(path),
                shown(s) + " is longer than " + std::to_string(kIdBytesMax) + " bytes");
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f)
            invalid(std::string(path), shown(s) + " has a space or a control character");
    }
    return std::string(s);
}

// Never shown: only its length is.
std::string secret(std::string_view s, std::string_view path)
{
    if (s.size() < kSecretBytesMin)
        invalid(std::string(path), "too short (" + std::to_string(s.size()) +
                                       " bytes); it needs at least " +
                                       std::to_string(kSecretBytesMin));
    if (s.size() > kSecretBytesMax)
        invalid(std::string(path), "too long (" + std::to_string(s.size()) + " bytes); at most " +
                                       std::to_string(kSecretBytesMax));
    return std::string(s);
}

HostPort endpoint(std::string_view s, std::string_view path)
{
    auto hp = HostPort::parse(s);
    if (!hp)
        invalid(std::string(path), hp.error().message);
    return *hp;
}

std::string absolutePath(std::string_view s, std::string_view path)
{
    if (s.empty())
        invalid(std::string(path), "must not be empty (leave the key out instead)");
    if (s.front() != '/')
        invalid(std::string(path), shown(s) + " is not an absolute path");
    return std::string(s);
}

std::string command(std::string_view s, std::string_view path)
{
    if (s.find_first_not_of(" \t") == std::string_view::npos)
        invalid(std::string(path), "must not be empty (leave the key out instead)");
    return std::string(s);
}

MembershipBackend parseBackend(std::string_view s, std::string_view path)
{
    for (auto b : {MembershipBackend::Embedded, MembershipBackend::Etcd})
        if (s == toString(b))
            return b;
    invalid(std::string(path), shown(s) + " is not one of \"embedded\", \"etcd\"");
}

const std::string &tomlString(const toml::node &n, std::string_view path);

RelayMode parseRelayMode(std::string_view s, std::string_view path)
{
    for (auto m : {RelayMode::Os, RelayMode::Loopback})
        if (s == toString(m))
            return m;
    invalid(std::string(path), shown(s) + " is not one of \"os\", \"loopback\"");
}

bool boolText(std::string_view s, std::string_view path)
{
    if (s == "true" || s == "1" || s == "yes")
        return true;
    if (s == "false" || s == "0" || s == "no")
        return false;
    invalid(std::string(path), shown(s) + " is not true or false");
}

void setChannels(AgentConfig &c, const std::vector<std::string> &texts,
                 const std::vector<std::string> &paths, std::string_view path)
{
    if (texts.empty())
        invalid(std::string(path), "empty; list at least one GROUP[/LEN]:PORT[-PORT]");
    if (texts.size() > kChannelRangesMax)
        invalid(std::string(path), std::to_string(texts.size()) + " ranges; at most " +
                                       std::to_string(kChannelRangesMax));
    std::vector<relay::ChannelRange> out;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        auto r = relay::ChannelRange::parse(texts[i]);
        if (!r)
            invalid(paths[i], r.error().message);
        out.push_back(*r);
    }
    c.relay.channels = std::move(out);
}

void readChannelsToml(AgentConfig &c, const toml::node &n)
{
    constexpr std::string_view path = "relay.channels";
    const toml::array *array = n.as_array();
    if (array == nullptr)
        invalid(std::string(path),
                "expected an array of \"GROUP[/LEN]:PORT[-PORT]\" strings, found " + typeName(n));
    std::vector<std::string> texts;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < array->size(); ++i) {
        paths.push_back(indexed(path, i));
        texts.push_back(tomlString((*array)[i], paths.back()));
    }
    setChannels(c, texts, paths, path);
}

void readChannelsFlag(AgentConfig &c, const std::vector<std::string> &values)
{
    constexpr std::string_view path = "relay.channels";
    setChannels(c, values, std::vector<std::string>(values.size(), std::string(path)), path);
}

Interface makeInterface(std::string_view ifname, std::string_view address,
                        std::string_view namePath, std::string_view addressPath)
{
    if (ifname.empty())
        invalid(std::string(namePath), "must not be empty");
    if (ifname.size() > kIfNameBytesMax)
        invalid(std::string(namePath), shown(ifname) + " is longer than " +
                                           std::to_string(kIfNameBytesMax) +
                                           " bytes (the kernel's limit)");
    for (char c : ifname) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '/')
            invalid(std::string(namePath),
                    shown(ifname) + " has a space, a slash or a control character");
    }
    auto a = InterfaceAddress::parse(address);
    if (!a)
        invalid(std::string(addressPath), a.error().message);
    return Interface{std::string(ifname), *a};
}

void setInterfaces(AgentConfig &c, std::vector<Interface> list, std::string_view path,
                   const std::vector<std::string> &namePaths)
{
    if (list.empty())
        invalid(std::string(path),
                "empty; list at least one interface, or leave the key out to use the OS's");
    if (list.size() > kInterfacesMax)
        invalid(std::string(path), std::to_string(list.size()) + " interfaces; at most " +
                                       std::to_string(kInterfacesMax));
    // A name at most once per family: a dual-stack interface is listed twice, with its IPv4
    // and its IPv6 address.
    std::set<std::pair<std::string, Family>> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Family f = list[i].address.address().family();
        if (!names.insert({list[i].name, f}).second)
            invalid(namePaths[i], "duplicate interface name " + shown(list[i].name) +
                                      " with a second " + (f == Family::V4 ? "IPv4" : "IPv6") +
                                      " address (an interface has at most one of each family)");
    }
    c.node.interfaces = std::move(list);
}

void setPeers(AgentConfig &c, std::vector<HostPort> peers, const std::vector<std::string> &paths,
              std::string_view path)
{
    if (peers.size() > kPeersMax)
        invalid(std::string(path),
                std::to_string(peers.size()) + " peers; at most " + std::to_string(kPeersMax));
    std::set<HostPort> seen;
    for (std::size_t i = 0; i < peers.size(); ++i)
        if (!seen.insert(peers[i]).second)
            invalid(paths[i], "duplicate peer " + peers[i].toString());
    c.cluster.peers = std::move(peers);
}

void setEtcdEndpoints(AgentConfig &c, std::vector<HostPort> endpoints,
                      const std::vector<std::string> &paths, std::string_view path)
{
    if (endpoints.empty())
        invalid(std::string(path), "empty; list at least one HOST:PORT of etcd");
    if (endpoints.size() > kEtcdEndpointsMax)
        invalid(std::string(path), std::to_string(endpoints.size()) + " endpoints; at most " +
                                       std::to_string(kEtcdEndpointsMax));
    std::set<HostPort> seen;
    for (std::size_t i = 0; i < endpoints.size(); ++i)
        if (!seen.insert(endpoints[i]).second)
            invalid(paths[i], "duplicate endpoint " + endpoints[i].toString());
    c.membership.etcdEndpoints = std::move(endpoints);
}

// A certificate name (CN, DNS or email) a role is granted to.
std::string certName(std::string_view s, std::string_view path)
{
    constexpr std::size_t kCertNameBytesMax = 255;
    if (s.empty())
        invalid(std::string(path), "must not be empty");
    if (s.size() > kCertNameBytesMax)
        invalid(std::string(path),
                shown(s) + " is longer than " + std::to_string(kCertNameBytesMax) + " bytes");
    for (char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u == 0x7f)
            invalid(std::string(path), shown(s) + " has a control character");
    }
    return std::string(s);
}

void setCertNames(std::vector<std::string> &out, const std::vector<std::string> &texts,
                  const std::vector<std::string> &paths, std::string_view path)
{
    if (texts.size() > kCertNamesMax)
        invalid(std::string(path),
                std::to_string(texts.size()) + " names; at most " + std::to_string(kCertNamesMax));
    std::vector<std::string> names;
    for (std::size_t i = 0; i < texts.size(); ++i)
        names.push_back(certName(texts[i], paths[i]));
    out = std::move(names);
}

// ---- The keys ---------------------------------------------------------------------------------

// One configuration key: how to read it from the file and from its flag.
struct Key
{
    std::string_view name; // "membership.heartbeat_ms", also the flag: --membership.heartbeat_ms
    std::string_view help;
    bool list = false; // the flag takes several values
    std::function<void(AgentConfig &, const toml::node &)> fromToml;
    std::function<void(AgentConfig &, const std::vector<std::string> &)> fromFlag;
};

const std::string &tomlString(const toml::node &n, std::string_view path)
{
    if (!n.is_string())
        invalid(std::string(path), "expected a string, found " + typeName(n));
    return n.as_string()->get();
}

// A key whose value is a string, checked and stored by `set`.
Key textKey(std::string_view name, std::string_view help,
            std::function<void(AgentConfig &, std::string_view text)> set)
{
    return {name, help, false,
            [=](AgentConfig &c, const toml::node &n) { set(c, tomlString(n, name)); },
            [=](AgentConfig &c, const std::vector<std::string> &v) { set(c, v.back()); }};
}

Key boolKey(std::string_view name, std::string_view help,
            std::function<bool &(AgentConfig &)> field)
{
    return {name, help, false,
            [=](AgentConfig &c, const toml::node &n) {
                if (!n.is_boolean())
                    invalid(std::string(name), "expected a boolean, found " + typeName(n));
                field(c) = n.as_boolean()->get();
            },
            [=](AgentConfig &c, const std::vector<std::string> &v) {
                field(c) = boolText(v.back(), name);
            }};
}

Key intKey(std::string_view name, std::string_view help, int min, int max,
           std::function<int &(AgentConfig &)> field)
{
    return {name, help, false,
            [=](AgentConfig &c, const toml::node &n) {
                if (!n.is_integer())
                    invalid(std::string(name), "expected an integer, found " + typeName(n));
                field(c) = inRange(n.as_integer()->get(), min, max, name);
            },
            [=](AgentConfig &c, const std::vector<std::string> &v) {
                field(c) = inRange(integerText(v.back(), name), min, max, name);
            }};
}

// A key whose value is a list of certificate names: a TOML array of strings, or a flag's list.
Key certNamesKey(std::string_view name, std::string_view help,
                 std::function<std::vector<std::string> &(AgentConfig &)> field)
{
    return {name, help, true,
            [=](AgentConfig &c, const toml::node &n) {
                const toml::array *array = n.as_array();
                if (array == nullptr)
                    invalid(std::string(name),
                            "expected an array of names (strings), found " + typeName(n));
                std::vector<std::string> texts;
                std::vector<std::string> paths;
                for (std::size_t i = 0; i < array->size(); ++i) {
                    paths.push_back(indexed(name, i));
                    texts.push_back(tomlString((*array)[i], paths.back()));
                }
                setCertNames(field(c), texts, paths, name);
            },
            [=](AgentConfig &c, const std::vector<std::string> &v) {
                setCertNames(field(c), v, std::vector<std::string>(v.size(), std::string(name)),
                             name);
            }};
}

void readInterfacesToml(AgentConfig &c, const toml::node &n)
{
    constexpr std::string_view path = "node.interfaces";
    const toml::array *array = n.as_array();
    if (array == nullptr)
        invalid(std::string(path), "expected an array of tables, found " + typeName(n));
    std::vector<Interface> list;
    std::vector<std::string> namePaths;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string at = indexed(path, i);
        const toml::table *t = (*array)[i].as_table();
        if (t == nullptr)
            invalid(at,
                    "expected a table {name = ..., address = ...}, found " + typeName((*array)[i]));
        for (auto &&[k, v] : *t)
            if (k.str() != "name" && k.str() != "address")
                invalid(at + "." + std::string(k.str()), "unknown key");
        const toml::node *ifname = t->get("name");
        const toml::node *address = t->get("address");
        if (ifname == nullptr)
            invalid(at + ".name", "missing");
        if (address == nullptr)
            invalid(at + ".address", "missing");
        list.push_back(makeInterface(tomlString(*ifname, at + ".name"),
                                     tomlString(*address, at + ".address"), at + ".name",
                                     at + ".address"));
        namePaths.push_back(at + ".name");
    }
    setInterfaces(c, std::move(list), path, namePaths);
}

void readInterfacesFlag(AgentConfig &c, const std::vector<std::string> &values)
{
    constexpr std::string_view path = "node.interfaces";
    std::vector<Interface> list;
    for (const std::string &v : values) {
        const auto eq = v.find('=');
        if (eq == std::string::npos)
            invalid(std::string(path), shown(v) + " is not NAME=ADDRESS/LENGTH, as in "
                                                  "eth0=10.0.1.2/24");
        list.push_back(makeInterface(std::string_view(v).substr(0, eq),
                                     std::string_view(v).substr(eq + 1), path, path));
    }
    const std::vector<std::string> namePaths(list.size(), std::string(path));
    setInterfaces(c, std::move(list), path, namePaths);
}

void readPeersToml(AgentConfig &c, const toml::node &n)
{
    constexpr std::string_view path = "cluster.peers";
    const toml::array *array = n.as_array();
    if (array == nullptr)
        invalid(std::string(path),
                "expected an array of \"host:port\" strings, found " + typeName(n));
    std::vector<HostPort> peers;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < array->size(); ++i) {
        paths.push_back(indexed(path, i));
        peers.push_back(endpoint(tomlString((*array)[i], paths.back()), paths.back()));
    }
    setPeers(c, std::move(peers), paths, path);
}

void readPeersFlag(AgentConfig &c, const std::vector<std::string> &values)
{
    constexpr std::string_view path = "cluster.peers";
    std::vector<HostPort> peers;
    for (const std::string &v : values)
        peers.push_back(endpoint(v, path));
    const std::vector<std::string> paths(peers.size(), std::string(path));
    setPeers(c, std::move(peers), paths, path);
}

void readEtcdEndpointsToml(AgentConfig &c, const toml::node &n)
{
    constexpr std::string_view path = "membership.etcd_endpoints";
    const toml::array *array = n.as_array();
    if (array == nullptr)
        invalid(std::string(path),
                "expected an array of \"host:port\" strings, found " + typeName(n));
    std::vector<HostPort> endpoints;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < array->size(); ++i) {
        paths.push_back(indexed(path, i));
        endpoints.push_back(endpoint(tomlString((*array)[i], paths.back()), paths.back()));
    }
    setEtcdEndpoints(c, std::move(endpoints), paths, path);
}

void readEtcdEndpointsFlag(AgentConfig &c, const std::vector<std::string> &values)
{
    constexpr std::string_view path = "membership.etcd_endpoints";
    std::vector<HostPort> endpoints;
    for (const std::string &v : values)
        endpoints.push_back(endpoint(v, path));
    const std::vector<std::string> paths(endpoints.size(), std::string(path));
    setEtcdEndpoints(c, std::move(endpoints), paths, path);
}

const std::vector<Key> &keys()
{
    static const std::vector<Key> all = {
        textKey("node.id", "this node's id (required)",
                [](AgentConfig &c, std::string_view s) { c.node.id = identifier(s, "node.id"); }),
        {"node.interfaces", "NAME=ADDRESS/LENGTH, e.g. eth0=10.0.1.2/24 (default: the OS's)", true,
         readInterfacesToml, readInterfacesFlag},
        textKey("cluster.name", "the cluster's name (default dmr)",
                [](AgentConfig &c, std::string_view s) {
                    c.cluster.name = identifier(s, "cluster.name");
                }),
        textKey("cluster.key",
                "the shared HMAC key, 16 bytes or more (required, or cluster.key_file)",
                [](AgentConfig &c, std::string_view s) {
                    c.cluster.key = secret(s, "cluster.key");
                    c.cluster.keyFile.clear();
                }),
        textKey("cluster.key_file",
                "absolute path of a file (mode 0600) holding the cluster key; keeps it out of "
                "the command line",
                [](AgentConfig &c, std::string_view s) {
                    c.cluster.keyFile = absolutePath(s, "cluster.key_file");
                    c.cluster.key.clear();
                }),
        {"cluster.peers", "HOST:PORT of other agents' membership ports", true, readPeersToml,
         readPeersFlag},
        textKey("membership.listen", "HOST:PORT (default 127.0.0.1:7400)",
                [](AgentConfig &c, std::string_view s) {
                    c.membership.listen = endpoint(s, "membership.listen");
                }),
        intKey("membership.heartbeat_ms", "heartbeat interval, ms (default 100)", kHeartbeatMsMin,
               kHeartbeatMsMax, [](AgentConfig &c) -> int & { return c.membership.heartbeatMs; }),
        intKey("membership.misses",
               "heartbeats missed before a peer is failed (default 3): a silent peer is out after "
               "heartbeat_ms x misses; 25 ms x 5 fails one in about 130 ms",
               kMissesMin, kMissesMax, [](AgentConfig &c) -> int & { return c.membership.misses; }),
        textKey("membership.backend", "embedded or etcd (default embedded)",
                [](AgentConfig &c, std::string_view s) {
                    c.membership.backend = parseBackend(s, "membership.backend");
                }),
        {"membership.etcd_endpoints",
         "HOST:PORT of etcd's client endpoints, tried in turn (default 127.0.0.1:2379)", true,
         readEtcdEndpointsToml, readEtcdEndpointsFlag},
        intKey("membership.etcd_lease_ttl_s",
               "etcd lease TTL, s: a crashed node is out after this (default 2)", kEtcdLeaseTtlSMin,
               kEtcdLeaseTtlSMax,
               [](AgentConfig &c) -> int & { return c.membership.etcdLeaseTtlS; }),
        textKey("control.listen", "HOST:PORT (default 127.0.0.1:7500)",
                [](AgentConfig &c, std::string_view s) {
                    c.control.listen = endpoint(s, "control.listen");
                }),
        textKey("control.operator_token", "token that enables drills (default: none, drills off)",
                [](AgentConfig &c, std::string_view s) {
                    c.control.operatorToken = secret(s, "control.operator_token");
                    c.control.operatorTokenFile.clear();
                }),
        textKey("control.operator_token_file",
                "absolute path of a file (mode 0600) holding the operator token",
                [](AgentConfig &c, std::string_view s) {
                    c.control.operatorTokenFile = absolutePath(s, "control.operator_token_file");
                    c.control.operatorToken.clear();
                }),
        textKey("control.viewer_token",
                "token that grants reading; when set (or viewer_cert_names), a hello without "
                "credentials is refused (default: none, anyone may read)",
                [](AgentConfig &c, std::string_view s) {
                    c.control.viewerToken = secret(s, "control.viewer_token");
                    c.control.viewerTokenFile.clear();
                }),
        textKey("control.viewer_token_file",
                "absolute path of a file (mode 0600) holding the viewer token",
                [](AgentConfig &c, std::string_view s) {
                    c.control.viewerTokenFile = absolutePath(s, "control.viewer_token_file");
                    c.control.viewerToken.clear();
                }),
        intKey("control.max_clients", "control connections at once (default 64)", kMaxClientsMin,
               kMaxClientsMax, [](AgentConfig &c) -> int & { return c.control.maxClients; }),
        intKey("control.max_unauthenticated",
               "connections before their hello, at most max_clients; past it the oldest of the "
               "address with the most goes (default 16)",
               kMaxClientsMin, kMaxClientsMax,
               [](AgentConfig &c) -> int & { return c.control.maxUnauthenticated; }),
        intKey("control.hello_timeout_ms",
               "time from the connection to the end of its hello, TLS handshake included "
               "(default 10000)",
               kHelloTimeoutMsMin, kHelloTimeoutMsMax,
               [](AgentConfig &c) -> int & { return c.control.helloTimeoutMs; }),
        intKey("control.idle_timeout_ms",
               "a session that sent no request for this long is closed, unless subscribed; 0: "
               "never (default 300000)",
               0, kIdleTimeoutMsMax,
               [](AgentConfig &c) -> int & { return c.control.idleTimeoutMs; }),
        intKey("control.send_timeout_ms",
               "a client that takes nothing the agent sends it for this long (its replies or "
               "events unread) is dropped (default 15000)",
               kHelloTimeoutMsMin, kHelloTimeoutMsMax,
               [](AgentConfig &c) -> int & { return c.control.sendTimeoutMs; }),
        textKey("control.tls_cert",
                "absolute path of the control port's certificate chain (PEM): TLS 1.3 on",
                [](AgentConfig &c, std::string_view s) {
                    c.control.tlsCert = absolutePath(s, "control.tls_cert");
                }),
        textKey("control.tls_key", "absolute path of its private key (PEM, mode 0600)",
                [](AgentConfig &c, std::string_view s) {
                    c.control.tlsKey = absolutePath(s, "control.tls_key");
                }),
        textKey("control.tls_client_ca",
                "absolute path of the CA (PEM) client certificates must be signed by; clients "
                "are asked for one",
                [](AgentConfig &c, std::string_view s) {
                    c.control.tlsClientCa = absolutePath(s, "control.tls_client_ca");
                }),
        boolKey("control.tls_require_client_cert",
                "true: refuse a TLS client without a certificate (default false)",
                [](AgentConfig &c) -> bool & { return c.control.tlsRequireClientCert; }),
        certNamesKey("control.operator_cert_names",
                     "client certificate names (CN, DNS or email) that are operators",
                     [](AgentConfig &c) -> std::vector<std::string> & {
                         return c.control.operatorCertNames;
                     }),
        certNamesKey(
            "control.viewer_cert_names",
            "client certificate names (CN, DNS or email) that are viewers",
            [](AgentConfig &c) -> std::vector<std::string> & { return c.control.viewerCertNames; }),
        boolKey("control.allow_plaintext",
                "true: serve a control.listen that is not loopback without TLS, tokens in clear "
                "text (default false: refused)",
                [](AgentConfig &c) -> bool & { return c.control.allowPlaintext; }),
        textKey("metrics.listen", "HOST:PORT, \"\" for none (default 127.0.0.1:9400)",
                [](AgentConfig &c, std::string_view s) {
                    c.metrics.listen =
                        s.empty() ? std::nullopt : std::optional(endpoint(s, "metrics.listen"));
                }),
        textKey("output.mrouted_conf", "absolute path of the mrouted.conf to write",
                [](AgentConfig &c, std::string_view s) {
                    c.output.mroutedConf = absolutePath(s, "output.mrouted_conf");
                }),
        textKey("output.smcroute_conf", "absolute path of the smcroute.conf to write",
                [](AgentConfig &c, std::string_view s) {
                    c.output.smcrouteConf = absolutePath(s, "output.smcroute_conf");
                }),
        textKey("output.reload_command", "command run after a configuration file changed",
                [](AgentConfig &c, std::string_view s) {
                    c.output.reloadCommand = command(s, "output.reload_command");
                }),
        textKey("output.notify_command", "command run on every failover",
                [](AgentConfig &c, std::string_view s) {
                    c.output.notifyCommand = command(s, "output.notify_command");
                }),
        boolKey("relay.enabled", "true: forward multicast over the tunnels (default false)",
                [](AgentConfig &c) -> bool & { return c.relay.enabled; }),
        textKey("relay.mode", "os or loopback (default os)",
                [](AgentConfig &c, std::string_view s) {
                    c.relay.mode = parseRelayMode(s, "relay.mode");
                }),
        {"relay.channels",
         "GROUP[/LEN]:PORT[-PORT] ranges to relay, IPv4 or IPv6 (default 239.1.0.0/24:5000-5100 "
         "and ff15::1:0/120:5000-5100)",
         true, readChannelsToml, readChannelsFlag},
        intKey("relay.port",
               "this node's tunnel UDP port (default 7600); in os mode the relay also sends onto "
               "its segments from port + 1",
               1, 65534, [](AgentConfig &c) -> int & { return c.relay.port; }),
        intKey("relay.keepalive_ms", "tunnel keepalive interval, ms (default 200)", kKeepaliveMsMin,
               kKeepaliveMsMax, [](AgentConfig &c) -> int & { return c.relay.keepaliveMs; }),
        intKey("relay.keepalive_misses", "keepalives missed before a tunnel is down (default 5)",
               kMissesMin, kMissesMax,
               [](AgentConfig &c) -> int & { return c.relay.keepaliveMisses; }),
        intKey("relay.probe_interval_ms", "reachability probe interval, ms; 0: off (default 1000)",
               0, kProbeIntervalMsMax,
               [](AgentConfig &c) -> int & { return c.relay.probeIntervalMs; }),
        textKey("relay.probe_channel", "GROUP:PORT of the probes (default 239.255.77.1:7699)",
                [](AgentConfig &c, std::string_view s) {
                    auto ch = relay::Channel::parse(s);
                    if (!ch)
                        invalid("relay.probe_channel", ch.error().message);
                    if (ch->group.family() != Family::V4)
                        invalid("relay.probe_channel",
                                "\"" + std::string(s) +
                                    "\": the probes of IPv4 networks need an IPv4 group (IPv6 "
                                    "networks use relay.probe_channel_v6)");
                    c.relay.probeChannel = *ch;
                }),
        textKey("relay.probe_channel_v6",
                "[GROUP]:PORT of the probes on IPv6 networks (default [ff15::4d01]:7699)",
                [](AgentConfig &c, std::string_view s) {
                    auto ch = relay::Channel::parse(s);
                    if (!ch)
                        invalid("relay.probe_channel_v6", ch.error().message);
                    if (ch->group.family() != Family::V6)
                        invalid("relay.probe_channel_v6",
                                "\"" + std::string(s) +
                                    "\": the probes of IPv6 networks need an IPv6 group (IPv4 "
                                    "networks use relay.probe_channel)");
                    c.relay.probeChannelV6 = *ch;
                }),
        boolKey("relay.encrypt",
                "true: encrypt tunnel payloads as well (every tunnel datagram is authenticated "
                "with the cluster key either way; default false)",
                [](AgentConfig &c) -> bool & { return c.relay.encrypt; }),
        boolKey("relay.prune",
                "true: forward a group only to networks where some host listens to it (IGMP or "
                "MLD reports in os mode, listen frames in loopback mode); false: every channel "
                "to every network (default true)",
                [](AgentConfig &c) -> bool & { return c.relay.prune; }),
        intKey("relay.query_interval_ms",
               "how often the querier of a network asks who listens, ms (IGMP's query "
               "interval; default 125000)",
               1'000, 3'600'000, [](AgentConfig &c) -> int & { return c.relay.queryIntervalMs; }),
        intKey("relay.query_response_ms",
               "how long hosts may take to answer a general query, ms (IGMP's query response "
               "interval; below relay.query_interval_ms; default 10000)",
               100, 3'600'000, [](AgentConfig &c) -> int & { return c.relay.queryResponseMs; }),
        intKey("relay.last_member_query_ms",
               "after a host left: the interval of the queries that ask whether others still "
               "listen, ms (default 1000)",
               100, 25'500, [](AgentConfig &c) -> int & { return c.relay.lastMemberQueryMs; }),
        intKey("relay.robustness",
               "IGMP's robustness variable: how many queries and reports may be lost (default 2)",
               1, 7, [](AgentConfig &c) -> int & { return c.relay.robustness; }),
        boolKey("relay.udp_offload",
                "true: send runs of same-size datagrams to one destination as one (UDP GSO) and "
                "take such runs in as one on the tunnel socket (UDP GRO), where the kernel has "
                "them; false: one datagram per send and receive (default true)",
                [](AgentConfig &c) -> bool & { return c.relay.udpOffload; }),
    };
    return all;
}

const Key *findKey(std::string_view name)
{
    for (const Key &k : keys())
        if (k.name == name)
            return &k;
    return nullptr;
}

std::string_view sectionOf(std::string_view key)
{
    return key.substr(0, key.find('.'));
}

// Levenshtein distance, for "did you mean".
std::size_t distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// "unknown key", with the nearest known name when one is close.
std::string unknownKey(std::string_view given, const std::vector<std::string> &known)
{
    constexpr std::size_t kCloseEditsMax = 2;
    std::string best;
    std::size_t bestDistance = kCloseEditsMax + 1;
    for (const std::string &k : known) {
        const std::size_t d = distance(given, k);
        if (d < bestDistance) {
            best = k;
            bestDistance = d;
        }
    }
    return best.empty() ? "unknown key" : "unknown key (did you mean " + best + "?)";
}

std::vector<std::string> sectionNames()
{
    std::vector<std::string> out;
    for (const Key &k : keys())
        if (out.empty() || out.back() != sectionOf(k.name))
            out.emplace_back(sectionOf(k.name));
    return out;
}

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
