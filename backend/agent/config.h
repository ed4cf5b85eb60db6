#pragma once
// dmr-agent's configuration: a TOML file (agent.toml) and a command line flag for every key,
// named after it (--membership.heartbeat_ms 50), which overrides the file. Every rejection is one
// line naming the source, the key and the reason:
//
//   agent.toml: membership.heartbeat_ms: 5 is out of range 10-10000
//   agent.toml:3:7: <the TOML parser's message>
//   agent.toml: membership.hearbeat_ms: unknown key (did you mean membership.heartbeat_ms?)
//   --control.listen: "localhost:7500": host must be an IP address literal: ...
//
// Secrets (cluster.key, control.operator_token, control.viewer_token) are never echoed in a
// message. Keep them in files of their own, named by the *_file keys: a command line is visible
// to every user of the machine (ps, /proc/PID/cmdline), and a secrets file that group or others
// may read (or write) is refused, naming its path. A secret inline and its *_file together are
// an error in one source; a flag for one of them replaces the file's other.
//
//   [node]
//   id = "2"                                  # required
//   interfaces = [ { name = "eth0", address = "10.0.1.2/24" } ]   # absent: the OS's
//   [cluster]
//   name = "fig5"
//   key = "a shared secret of 16+ characters" # required (or key_file): the membership HMAC key
//   key_file = "/etc/dmr/cluster.key"         # the key in a file of mode 0600 (or 0400)
//   peers = ["10.0.1.1:7400", "10.0.2.6:7400"]
//   [membership]
//   listen = "127.0.0.1:7400"
//   heartbeat_ms = 100                        # 10-10000
//   misses = 3                                # 1-100
//   backend = "embedded"                      # or "etcd"
//   etcd_endpoints = ["127.0.0.1:2379"]       # backend "etcd": its client URLs' HOST:PORT
//   etcd_lease_ttl_s = 2                      # 2-3600: a dead node's keys go after this
//   [control]
//   listen = "127.0.0.1:7500"                 # not loopback: needs TLS or allow_plaintext
//   operator_token = "..."                    # absent: drills are off (or operator_token_file)
//   viewer_token = "..."                      # present: reading needs it (or viewer_token_file)
//   max_clients = 64                          # 1-1024
//   max_unauthenticated = 16                  # 1-1024: connections before their hello
//   hello_timeout_ms = 10000                  # 100-600000: TLS handshake and hello within this
//   idle_timeout_ms = 300000                  # 0-86400000 (0: none): a session without a
//                                             # request for this long is closed (not subscribers)
//   send_timeout_ms = 15000                   # 100-600000: a client that takes nothing the
//                                             # agent sends for this long is dropped
//   tls_cert = "/etc/dmr/control.crt"         # TLS 1.3 on the control port: the chain (PEM)
//   tls_key = "/etc/dmr/control.key"          # its private key (PEM, mode 0600)
//   tls_client_ca = "/etc/dmr/clients-ca.crt" # asks clients for certificates signed by this CA
//   tls_require_client_cert = false           # true: refuse a client without one
//   operator_cert_names = ["alice"]           # a client certificate with this CN, DNS or email
//   viewer_cert_names = ["monitor"]           # name is an operator, or a viewer
//   allow_plaintext = false                   # true: serve a non-loopback listen without TLS
//   [metrics]
//   listen = "127.0.0.1:9400"                 # "" turns metrics off
//   [output]
//   mrouted_conf = "/etc/mrouted.conf"        # absolute paths; absent: not written
//   smcroute_conf = "/etc/smcroute.conf"
//   reload_command = "systemctl reload smcroute"
//   notify_command = "/usr/local/bin/dmr-notify"
//   [relay]                                   # the user-space relay (relay_data_plane.h)
//   enabled = false                           # true: forward multicast over the tunnels
//   mode = "os"                               # "os": real interfaces; "loopback": every
//                                             # network is a multicast group on 127.0.0.1
//   channels = ["239.1.0.0/24:5000-5100",     # GROUP[/LEN]:PORT[-PORT], IPv4 multicast,
//               "ff15::1:0/120:5000-5100"]    # or IPv6 (not of link-local scope, at least /16)
//   port = 7600                               # this node's tunnel UDP port (advertised)
//   keepalive_ms = 200                        # 10-10000
//   keepalive_misses = 5                      # 1-100: a tunnel is down after this many
//   probe_interval_ms = 1000                  # 0-60000; 0 turns the reachability probe off
//   probe_channel = "239.255.77.1:7699"       # GROUP:PORT the probes use (always relayed)
//   probe_channel_v6 = "[ff15::4d01]:7699"    # the probes' on IPv6 networks
//   encrypt = false                           # true: tunnel payloads are encrypted too (every
//                                             # tunnel datagram is authenticated either way)
//   udp_offload = true                        # UDP GSO on sends, GRO on the tunnel socket,
//                                             # where the kernel has them

#include "dmr/model.h"
#include "dmr/net.h"
#include "dmr/relay.h"
#include "dmr/result.h"

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
} // namespace CLI

namespace dmr::agent {

// "127.0.0.1:7400" or "[fd00::1]:7400": an IP address literal (no names: resolving one would
// make the configuration depend on DNS at start-up) and a port from 1 to 65535.
struct HostPort
{
    IpAddress host;
    std::uint16_t port = 0;

    static Result<HostPort> parse(std::string_view text);
    std::string toString() const; // IPv6 in brackets
    auto operator<=>(const HostPort &) const = default;
    bool operator==(const HostPort &) const = default;
};

enum class MembershipBackend : std::uint8_t { Embedded, Etcd };
std::string_view toString(MembershipBackend backend); // "embedded", "etcd"

enum class RelayMode : std::uint8_t { Os, Loopback };
std::string_view toString(RelayMode mode); // "os", "loopback"

// The bounds the configuration enforces.
inline constexpr int kHeartbeatMsMin = 10;
inline constexpr int kHeartbeatMsMax = 10000;
inline constexpr int kMissesMin = 1;
inline constexpr int kMissesMax = 100;
inline constexpr int kMaxClientsMin = 1;
inline constexpr int kMaxClientsMax = 1024;
inline constexpr int kHelloTimeoutMsMin = 100;
inline constexpr int kHelloTimeoutMsMax = 600000;
inline constexpr int kIdleTimeoutMsMax = 86400000;
inline constexpr std::size_t kCertNamesMax = 256;
inline constexpr std::size_t kSecretBytesMin = 16; // cluster.key and the control tokens
inline constexpr std::size_t kSecretBytesMax = 1024;
inline constexpr std::size_t kIdBytesMax = 64;     // node.id and cluster.name
inline constexpr std::size_t kIfNameBytesMax = 15; // Linux IFNAMSIZ - 1
inline constexpr std::size_t kInterfacesMax = 64;
inline constexpr std::size_t kPeersMax = 256;
inline constexpr std::size_t kChannelRangesMax = 64;
inline constexpr int kKeepaliveMsMin = 10;
inline constexpr int kKeepaliveMsMax = 10000;
inline constexpr int kProbeIntervalMsMax = 60000;
inline constexpr int kEtcdLeaseTtlSMin = 2; // etcd grants no shorter lease
inline constexpr int kEtcdLeaseTtlSMax = 3600;
inline constexpr std::size_t kEtcdEndpointsMax = 16;

struct AgentConfig
{
    struct NodeSection
    {
        NodeId id; // required: printable, no spaces, at most 64 bytes
        // In configuration order; nullopt: the agent reads the OS's interfaces.
        std::optional<std::vector<Interface>> interfaces;
        bool operator==(const NodeSection &) const = default;
    };
    struct ClusterSection
    {
        std::string name = "dmr";
        std::string key;             // required: the shared HMAC key, at least 16 bytes
        std::string keyFile;         // where key was read from; empty: given inline
        std::vector<HostPort> peers; // other agents' membership ports, no duplicates
        bool operator==(const ClusterSection &) const = default;
    };
    struct MembershipSection
    {
        HostPort listen{IpAddress::v4(0x7f000001), 7400};
        int heartbeatMs = 100; // interval between heartbeats, milliseconds
        int misses = 3;        // heartbeats missed before a peer counts as failed
        MembershipBackend backend = MembershipBackend::Embedded;
        // etcd's client endpoints (plain HTTP to its JSON gateway), tried in turn.
        std::vector<HostPort> etcdEndpoints{HostPort{IpAddress::v4(0x7f000001), 2379}};
        int etcdLeaseTtlS = 2; // a crashed node's keys expire after this
        bool operator==(const MembershipSection &) const = default;
    };
    struct ControlSection
    {
        HostPort listen{IpAddress::v4(0x7f000001), 7500};
        std::string operatorToken;     // empty: no token grants operator
        std::string operatorTokenFile; // where operatorToken was read from; empty: inline
        std::string viewerToken;       // empty: no token grants viewer
        std::string viewerTokenFile;
        int maxClients = 64;         // control connections served at once
        int maxUnauthenticated = 16; // of them before their hello (at most maxClients)
        int helloTimeoutMs = 10000;  // from accept to the end of the hello (TLS included)
        int idleTimeoutMs = 300000;  // a session with no request for this long; 0: none
        int sendTimeoutMs = 15000;   // a send that makes no progress for this long: dropped
        std::string tlsCert;         // PEM chain; empty: no TLS
        std::string tlsKey;          // PEM private key
        std::string tlsClientCa;     // empty: no client certificates asked for
        bool tlsRequireClientCert = false;
        std::vector<std::string> operatorCertNames; // CN, DNS or email names
        std::vector<std::string> viewerCertNames;
        bool allowPlaintext = false; // a non-loopback listen without TLS
        bool tls() const { return !tlsCert.empty(); }
        // A hello with neither a token nor a certificate role may read: no viewer token and no
        // viewer certificate names are configured.
        bool anonymousViewers() const { return viewerToken.empty() && viewerCertNames.empty(); }
        bool operator==(const ControlSection &) const = default;
    };
    struct MetricsSection
    {
        std::optional<HostPort> listen = HostPort{IpAddress::v4(0x7f000001), 9400}; // none: off
        bool operator==(const MetricsSection &) const = default;
    };
    struct OutputSection
    {
        std::string mroutedConf;   // absolute path; empty: not written
        std::string smcrouteConf;  // absolute path; empty: not written
        std::string reloadCommand; // run after a configuration file changed; empty: none
        std::string notifyCommand; // run on every failover; empty: none
        bool operator==(const OutputSection &) const = default;
    };

    struct RelaySection
    {
        bool enabled = false;
        RelayMode mode = RelayMode::Os;
        std::vector<relay::ChannelRange> channels = {
            relay::ChannelRange{Prefix(IpAddress::v4(0xEF010000), 24), 5000, 5100},
            relay::ChannelRange{
                Prefix(IpAddress::v6({0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}), 120),
                5000, 5100}};
        int port = 7600; // the tunnel's UDP port on this node
        int keepaliveMs = 200;
        int keepaliveMisses = 5;
        int probeIntervalMs = 1000;                                   // 0: no probe
        relay::Channel probeChannel{IpAddress::v4(0xEFFF4D01), 7699}; // 239.255.77.1:7699
        relay::Channel probeChannelV6{
            IpAddress::v6({0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x4d, 0x01}),
            7699};              // [ff15::4d01]:7699
        bool encrypt = false;   // AES-256-GCM over the payload as well as the MAC
        bool udpOffload = true; // GSO on tunnel and segment sends, GRO on the tunnel socket
        // Pruning: forward only the groups some host listens to (IGMP/MLD in os mode, listen
        // frames on loopback segments); the listener timers are IGMP's (RFC 3376 8).
        bool prune = true;
        int queryIntervalMs = 125'000;
        int queryResponseMs = 10'000;
        int lastMemberQueryMs = 1'000;
        int robustness = 2;
        bool operator==(const RelaySection &) const = default;
    };

    NodeSection node;
    ClusterSection cluster;
    MembershipSection membership;
    ControlSection control;
    MetricsSection metrics;
    OutputSection output;
    RelaySection relay;
    bool operator==(const AgentConfig &) const = default;
};

// Parses a whole configuration file: defaults for what it leaves out, required keys checked.
// fileName starts every error message.
Result<AgentConfig> parseConfigToml(std::string_view text, std::string_view fileName);

// What the command line said: the file to read, and the flags given, by key, as typed.
struct ConfigOverrides
{
    std::string configPath;                                // --config; empty: no file
    std::map<std::string, std::vector<std::string>> flags; // "membership.heartbeat_ms" -> {"50"}
};

// Adds --config (-c) and one flag per key to an agent's command line. List keys take several
// values, repeated or comma-separated: --cluster.peers 10.0.1.1:7400,10.0.2.6:7400, and
// --node.interfaces eth0=10.0.1.2/24. A repeated scalar flag keeps its last value.
void addConfigOptions(CLI::App &app, ConfigOverrides &overrides);

// The file's text (when there is one), then the flags over it, then the required keys.
struct ConfigFile
{
    std::string_view text;
    std::string_view name; // for messages: "agent.toml"
};
Result<AgentConfig> resolveConfig(const std::optional<ConfigFile> &file,
                                  const ConfigOverrides &overrides);

// resolveConfig with the file named by --config read from disk.
Result<AgentConfig> loadConfig(const ConfigOverrides &overrides);

// Every key, in file order: "node.id", ..., "relay.probe_channel".
std::vector<std::string_view> configKeys();

// Whether an address is a loopback one (127.0.0.0/8, ::1): a control port there may be plaintext.
bool isLoopback(const IpAddress &address);

} // namespace dmr::agent
