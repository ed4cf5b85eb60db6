#include "config_keys.h"
#include "config_values.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace dmr::agent::config_detail {

namespace {

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

// An integer key that may be left out (std::nullopt: its default depends on other keys).
Key rateKey(std::string_view name, std::string_view help, int min, int max,
            std::function<std::optional<int> &(AgentConfig &)> field)
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

// A secret's two keys: the secret inline ("cluster.key") and the file that holds it
// ("cluster.key_file"). Setting one forgets the other, so a flag replaces either in the file.
using SecretFields = std::function<std::pair<std::string &, std::string &>(AgentConfig &)>;

Key secretKey(std::string_view name, std::string_view help, SecretFields fields)
{
    return textKey(name, help, [=](AgentConfig &c, std::string_view s) {
        auto [text, file] = fields(c);
        text = secret(s, name);
        file.clear();
    });
}

Key secretFileKey(std::string_view name, std::string_view help, SecretFields fields)
{
    return textKey(name, help, [=](AgentConfig &c, std::string_view s) {
        auto [text, file] = fields(c);
        file = absolutePath(s, name);
        text.clear();
    });
}

// relay.probe_channel and relay.probe_channel_v6: a channel of the family of the networks whose
// probes it carries; `other` is the key of the other family.
Key probeChannelKey(std::string_view name, std::string_view help, Family family,
                    std::string_view other, std::function<relay::Channel &(AgentConfig &)> field)
{
    return textKey(name, help, [=](AgentConfig &c, std::string_view s) {
        auto ch = relay::Channel::parse(s);
        if (!ch)
            invalid(std::string(name), ch.error().message);
        if (ch->group.family() != family) {
            const std::string ip = family == Family::V4 ? "IPv4" : "IPv6";
            const std::string otherIp = family == Family::V4 ? "IPv6" : "IPv4";
            invalid(std::string(name), "\"" + std::string(s) + "\": the probes of " + ip +
                                           " networks need an " + ip + " group (" + otherIp +
                                           " networks use " + std::string(other) + ")");
        }
        field(c) = *ch;
    });
}

// A key whose value is a list of certificate names: a TOML array of strings, or a flag's list.
Key certNamesKey(std::string_view name, std::string_view help,
                 std::function<std::vector<std::string> &(AgentConfig &)> field)
{
    return {name, help, true,
            [=](AgentConfig &c, const toml::node &n) {
                const TomlStrings list = tomlStrings(n, name, "names (strings)");
                setCertNames(field(c), list.texts, list.paths, name);
            },
            [=](AgentConfig &c, const std::vector<std::string> &v) {
                setCertNames(field(c), v, std::vector<std::string>(v.size(), std::string(name)),
                             name);
            }};
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

} // namespace

const std::vector<Key> &keys()
{
    const SecretFields clusterKey = [](AgentConfig &c) {
        return std::pair<std::string &, std::string &>(c.cluster.key, c.cluster.keyFile);
    };
    const SecretFields operatorToken = [](AgentConfig &c) {
        return std::pair<std::string &, std::string &>(c.control.operatorToken,
                                                       c.control.operatorTokenFile);
    };
    const SecretFields viewerToken = [](AgentConfig &c) {
        return std::pair<std::string &, std::string &>(c.control.viewerToken,
                                                       c.control.viewerTokenFile);
    };
    static const std::vector<Key> all = {
        textKey("node.id", "this node's id (required)",
                [](AgentConfig &c, std::string_view s) { c.node.id = identifier(s, "node.id"); }),
        {"node.interfaces", "NAME=ADDRESS/LENGTH, e.g. eth0=10.0.1.2/24 (default: the OS's)", true,
         readInterfacesToml, readInterfacesFlag},
        textKey("cluster.name", "the cluster's name (default dmr)",
                [](AgentConfig &c, std::string_view s) {
                    c.cluster.name = identifier(s, "cluster.name");
                }),
        secretKey("cluster.key",
                  "the shared HMAC key, 16 bytes or more (required, or cluster.key_file)",
                  clusterKey),
        secretFileKey("cluster.key_file",
                      "absolute path of a file (mode 0600) holding the cluster key; keeps it out "
                      "of the command line",
                      clusterKey),
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
        secretKey("control.operator_token", "token that enables drills (default: none, drills off)",
                  operatorToken),
        secretFileKey("control.operator_token_file",
                      "absolute path of a file (mode 0600) holding the operator token",
                      operatorToken),
        secretKey("control.viewer_token",
                  "token that grants reading; when set (or viewer_cert_names), a hello without "
                  "credentials is refused (default: none, anyone may read)",
                  viewerToken),
        secretFileKey("control.viewer_token_file",
                      "absolute path of a file (mode 0600) holding the viewer token", viewerToken),
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
        probeChannelKey("relay.probe_channel",
                        "GROUP:PORT of the probes (default 239.255.77.1:7699)", Family::V4,
                        "relay.probe_channel_v6",
                        [](AgentConfig &c) -> relay::Channel & { return c.relay.probeChannel; }),
        probeChannelKey("relay.probe_channel_v6",
                        "[GROUP]:PORT of the probes on IPv6 networks (default [ff15::4d01]:7699)",
                        Family::V6, "relay.probe_channel",
                        [](AgentConfig &c) -> relay::Channel & { return c.relay.probeChannelV6; }),
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
        {"relay.boundaries",
         "multicast prefixes that never leave the network they are sent on, on every network "
         "(default 239.255.0.0/16,224.0.0.0/24,ff02::/16,ff05::/16; none: no boundaries)",
         true, readBoundariesToml, readBoundariesFlag},
        {"relay.network_boundaries",
         "NETWORK=GROUP_PREFIX, e.g. 10.0.1.0/24=239.1.0.128/25: a prefix bounded on that network "
         "only (neither taken in there nor emitted there)",
         true, readNetworkBoundariesToml, readNetworkBoundariesFlag},
        intKey("relay.threshold",
               "the least IP TTL (IPv6: hop limit) a datagram heard on a network must carry to be "
               "taken in (default 1: any; os mode only, loopback segments carry none)",
               1, 255, [](AgentConfig &c) -> int & { return c.relay.threshold; }),
        rateKey(
            "relay.rate_limit_tunnel_bytes_per_s",
            "payload bytes per second into each tunnel; 0: unlimited (default: os mode "
            "12500000, loopback mode 0)",
            0, kRateMax, [](AgentConfig & c) -> auto & { return c.relay.tunnelLimit.bytesPerS; }),
        rateKey(
            "relay.rate_limit_tunnel_datagrams_per_s",
            "datagrams per second into each tunnel; 0: unlimited (default: os mode 20000, "
            "loopback mode 0)",
            0, kRateMax,
            [](AgentConfig & c) -> auto & { return c.relay.tunnelLimit.datagramsPerS; }),
        rateKey(
            "relay.rate_limit_tunnel_burst_bytes",
            "payload bytes a tunnel takes at once after a quiet time (default: 100 ms of the "
            "rate, at least 2048)",
            static_cast<int>(relay::kPayloadBytesMax), kRateMax,
            [](AgentConfig & c) -> auto & { return c.relay.tunnelLimit.burstBytes; }),
        rateKey(
            "relay.rate_limit_tunnel_burst_datagrams",
            "datagrams a tunnel takes at once after a quiet time (default: 100 ms of the "
            "rate, at least 1)",
            1, kRateMax,
            [](AgentConfig & c) -> auto & { return c.relay.tunnelLimit.burstDatagrams; }),
        rateKey(
            "relay.rate_limit_channel_bytes_per_s",
            "payload bytes per second each channel range takes in; 0: unlimited (default: "
            "os mode 6250000, loopback mode 0)",
            0, kRateMax, [](AgentConfig & c) -> auto & { return c.relay.channelLimit.bytesPerS; }),
        rateKey(
            "relay.rate_limit_channel_datagrams_per_s",
            "datagrams per second each channel range takes in; 0: unlimited (default: os "
            "mode 10000, loopback mode 0)",
            0, kRateMax,
            [](AgentConfig & c) -> auto & { return c.relay.channelLimit.datagramsPerS; }),
        rateKey(
            "relay.rate_limit_channel_burst_bytes",
            "payload bytes a channel range takes in at once after a quiet time (default: "
            "100 ms of the rate, at least 2048)",
            static_cast<int>(relay::kPayloadBytesMax), kRateMax,
            [](AgentConfig & c) -> auto & { return c.relay.channelLimit.burstBytes; }),
        rateKey(
            "relay.rate_limit_channel_burst_datagrams",
            "datagrams a channel range takes in at once after a quiet time (default: 100 ms "
            "of the rate, at least 1)",
            1, kRateMax,
            [](AgentConfig & c) -> auto & { return c.relay.channelLimit.burstDatagrams; }),
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

} // namespace dmr::agent::config_detail
