#include "config_values.h"

#include <charconv>
#include <map>
#include <set>
#include <utility>

namespace dmr::agent::config_detail {

namespace {
constexpr std::size_t kShownBytesMax = 80;
} // namespace

[[noreturn]] void invalid(std::string path, std::string reason)
{
    throw Invalid{std::move(path), std::move(reason)};
}

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

const std::string &tomlString(const toml::node &n, std::string_view path)
{
    if (!n.is_string())
        invalid(std::string(path), "expected a string, found " + typeName(n));
    return n.as_string()->get();
}

const toml::array &tomlArray(const toml::node &n, std::string_view path, std::string_view what)
{
    const toml::array *array = n.as_array();
    if (array == nullptr)
        invalid(std::string(path),
                "expected an array of " + std::string(what) + ", found " + typeName(n));
    return *array;
}

TomlStrings tomlStrings(const toml::node &n, std::string_view path, std::string_view what)
{
    const toml::array &array = tomlArray(n, path, what);
    TomlStrings out;
    for (std::size_t i = 0; i < array.size(); ++i) {
        out.paths.push_back(indexed(path, i));
        out.texts.push_back(tomlString(array[i], out.paths.back()));
    }
    return out;
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

// ---- The list keys -----------------------------------------------------------------------------

namespace {

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

// Element `at` of an array of tables that have the keys `first` and `second`, both required, and
// no other ({name = ..., address = ...}, the `shape` messages show): its two values.
std::pair<const toml::node &, const toml::node &>
twoKeyTable(const toml::node &element, const std::string &at, std::string_view shape,
            std::string_view first, std::string_view second)
{
    const toml::table *t = element.as_table();
    if (t == nullptr)
        invalid(at, "expected a table " + std::string(shape) + ", found " + typeName(element));
    for (auto &&[k, v] : *t)
        if (k.str() != first && k.str() != second)
            invalid(at + "." + std::string(k.str()), "unknown key");
    const toml::node *a = t->get(first);
    const toml::node *b = t->get(second);
    if (a == nullptr)
        invalid(at + "." + std::string(first), "missing");
    if (b == nullptr)
        invalid(at + "." + std::string(second), "missing");
    return {*a, *b};
}

// A list of HOST:PORT (cluster.peers, membership.etcd_endpoints) and each element's path.
struct Endpoints
{
    std::vector<HostPort> list;
    std::vector<std::string> paths;
};

// Each element is read and checked in turn: the first bad one is the one reported.
Endpoints endpointsToml(const toml::node &n, std::string_view path)
{
    const toml::array &array = tomlArray(n, path, "\"host:port\" strings");
    Endpoints out;
    for (std::size_t i = 0; i < array.size(); ++i) {
        out.paths.push_back(indexed(path, i));
        out.list.push_back(endpoint(tomlString(array[i], out.paths.back()), out.paths.back()));
    }
    return out;
}

Endpoints endpointsFlag(const std::vector<std::string> &values, std::string_view path)
{
    Endpoints out;
    for (const std::string &v : values)
        out.list.push_back(endpoint(v, path));
    out.paths.assign(out.list.size(), std::string(path));
    return out;
}

// At most `max` of them, none twice: "3 peers; at most 2", "duplicate peer 10.0.1.1:7400".
std::vector<HostPort> distinct(Endpoints endpoints, std::string_view path, std::size_t max,
                               std::string_view noun)
{
    const std::vector<HostPort> &list = endpoints.list;
    if (list.size() > max)
        invalid(std::string(path), std::to_string(list.size()) + " " + std::string(noun) +
                                       "s; at most " + std::to_string(max));
    std::set<HostPort> seen;
    for (std::size_t i = 0; i < list.size(); ++i)
        if (!seen.insert(list[i]).second)
            invalid(endpoints.paths[i],
                    "duplicate " + std::string(noun) + " " + list[i].toString());
    return std::move(endpoints.list);
}

void setPeers(AgentConfig &c, Endpoints peers)
{
    c.cluster.peers = distinct(std::move(peers), "cluster.peers", kPeersMax, "peer");
}

void setEtcdEndpoints(AgentConfig &c, Endpoints endpoints)
{
    constexpr std::string_view path = "membership.etcd_endpoints";
    if (endpoints.list.empty())
        invalid(std::string(path), "empty; list at least one HOST:PORT of etcd");
    c.membership.etcdEndpoints =
        distinct(std::move(endpoints), path, kEtcdEndpointsMax, "endpoint");
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

Prefix groupPrefix(std::string_view text, std::string_view path)
{
    auto p = relay::parseGroupPrefix(text);
    if (!p)
        invalid(std::string(path), p.error().message);
    return *p;
}

void setBoundaries(AgentConfig &c, const std::vector<std::string> &texts,
                   const std::vector<std::string> &paths, std::string_view path)
{
    if (texts.size() > kBoundariesMax)
        invalid(std::string(path), std::to_string(texts.size()) + " prefixes; at most " +
                                       std::to_string(kBoundariesMax));
    std::vector<Prefix> out;
    for (std::size_t i = 0; i < texts.size(); ++i)
        out.push_back(groupPrefix(texts[i], paths[i]));
    c.relay.boundaries = std::move(out);
}

Prefix boundaryNetwork(std::string_view text, std::string_view path)
{
    auto p = Prefix::parse(text);
    if (!p)
        invalid(std::string(path), p.error().message);
    if (p->address().isMulticast())
        invalid(std::string(path), shown(text) + " is a multicast prefix; expected a network "
                                                 "this cluster has, as in 10.0.1.0/24");
    return *p;
}

// Adds one (network, group prefix) pair, counting them all against kNetworkBoundariesMax.
void addNetworkBoundary(std::map<Prefix, std::vector<Prefix>> &out, std::size_t &count,
                        const Prefix &network, const Prefix &groups, std::string_view path)
{
    if (++count > kNetworkBoundariesMax)
        invalid(std::string(path),
                "more than " + std::to_string(kNetworkBoundariesMax) + " prefixes in all");
    if (groups.address().family() != network.address().family())
        invalid(std::string(path), groups.toString() + " is not of the family of the network " +
                                       network.toString() + ": it would never reach it");
    out[network].push_back(groups);
}

} // namespace

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

void readChannelsToml(AgentConfig &c, const toml::node &n)
{
    constexpr std::string_view path = "relay.channels";
    const TomlStrings list = tomlStrings(n, path, "\"GROUP[/LEN]:PORT[-PORT]\" strings");
    setChannels(c, list.texts, list.paths, path);
}

void readChannelsFlag(AgentConfig &c, const std::vector<std::string> &values)
{
    constexpr std::string_view path = "relay.channels";
    setChannels(c, values, std::vector<std::string>(values.size(), std::string(path)), path);
}

void readInterfacesToml(AgentConfig &c, const toml::node &n)
{
    constexpr std::string_view path = "node.interfaces";
    const toml::array &array = tomlArray(n, path, "tables");
    std::vector<Interface> list;
    std::vector<std::string> namePaths;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const std::string at = indexed(path, i);
        const auto [ifname, address] =
            twoKeyTable(array[i], at, "{name = ..., address = ...}", "name", "address");
        list.push_back(makeInterface(tomlString(ifname, at + ".name"),
                                     tomlString(address, at + ".address"), at + ".name",
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
    setPeers(c, endpointsToml(n, "cluster.peers"));
}

void readPeersFlag(AgentConfig &c, const std::vector<std::string> &values)
{
    setPeers(c, endpointsFlag(values, "cluster.peers"));
}

void readEtcdEndpointsToml(AgentConfig &c, const toml::node &n)
{
    setEtcdEndpoints(c, endpointsToml(n, "membership.etcd_endpoints"));
}

void readEtcdEndpointsFlag(AgentConfig &c, const std::vector<std::string> &values)
{
    setEtcdEndpoints(c, endpointsFlag(values, "membership.etcd_endpoints"));
}

void readBoundariesToml(AgentConfig &c, const toml::node &n)
{
    constexpr std::string_view path = "relay.boundaries";
    const TomlStrings list = tomlStrings(n, path, "multicast prefixes (\"239.255.0.0/16\")");
    setBoundaries(c, list.texts, list.paths, path);
}

void readBoundariesFlag(AgentConfig &c, const std::vector<std::string> &values)
{
    constexpr std::string_view path = "relay.boundaries";
    if (values.size() == 1 && values.front() == "none") {
        c.relay.boundaries.clear();
        return;
    }
    setBoundaries(c, values, std::vector<std::string>(values.size(), std::string(path)), path);
}

void readNetworkBoundariesToml(AgentConfig &c, const toml::node &n)
{
    constexpr std::string_view path = "relay.network_boundaries";
    constexpr std::string_view shape = "{network = ..., groups = [...]}";
    const toml::array &array = tomlArray(n, path, "tables " + std::string(shape));
    std::map<Prefix, std::vector<Prefix>> out;
    std::size_t count = 0;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const std::string at = indexed(path, i);
        const auto [network, groups] = twoKeyTable(array[i], at, shape, "network", "groups");
        const Prefix net = boundaryNetwork(tomlString(network, at + ".network"), at + ".network");
        const toml::array &list = tomlArray(groups, at + ".groups", "multicast prefixes");
        for (std::size_t j = 0; j < list.size(); ++j) {
            const std::string gp = indexed(at + ".groups", j);
            addNetworkBoundary(out, count, net, groupPrefix(tomlString(list[j], gp), gp), gp);
        }
    }
    c.relay.networkBoundaries = std::move(out);
}

void readNetworkBoundariesFlag(AgentConfig &c, const std::vector<std::string> &values)
{
    constexpr std::string_view path = "relay.network_boundaries";
    std::map<Prefix, std::vector<Prefix>> out;
    std::size_t count = 0;
    for (const std::string &v : values) {
        const auto eq = v.find('=');
        if (eq == std::string::npos)
            invalid(std::string(path), shown(v) + " is not NETWORK=GROUP_PREFIX, as in "
                                                  "10.0.1.0/24=239.1.0.128/25");
        addNetworkBoundary(out, count, boundaryNetwork(std::string_view(v).substr(0, eq), path),
                           groupPrefix(std::string_view(v).substr(eq + 1), path), path);
    }
    c.relay.networkBoundaries = std::move(out);
}

} // namespace dmr::agent::config_detail
