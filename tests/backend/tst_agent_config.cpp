// dmr-agent's configuration (backend/agent/config.h): a complete agent.toml, the defaults, one
// row per rejection with its exact one-line message, host:port parsing, and the command line
// flags over the file.

#include "config.h"

#include <CLI/CLI.hpp>

#include <QTemporaryDir>
#include <QtTest>

namespace {

namespace a = dmr::agent;

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

const char *const kKey = "k3y-0f-sixteen-bytes+";
const char *const kToken = "op-7f3a9c2e51d84b06";

// The smallest valid file: the two required keys.
const char *const kMinimal = R"(
[node]
id = "2"
[cluster]
key = "k3y-0f-sixteen-bytes+"
)";

const char *const kFull = R"(# agent.toml for node 2 of Fig. 5
[node]
id = "2"
interfaces = [
    { name = "eth0", address = "10.0.1.2/24" },
    { name = "eth1", address = "10.0.3.2/24" },
]

[cluster]
name = "fig5"
key = "k3y-0f-sixteen-bytes+"
peers = ["10.0.1.1:7400", "10.0.2.6:7400", "[fd00::4]:7401"]

[membership]
listen = "10.0.1.2:7400"
heartbeat_ms = 50
misses = 5
backend = "etcd"
etcd_endpoints = ["10.0.9.1:2379", "10.0.9.2:2379"]
etcd_lease_ttl_s = 5

[control]
listen = "0.0.0.0:7501"
allow_plaintext = true
operator_token = "op-7f3a9c2e51d84b06"
viewer_token = "view-5e1b2c3d4a5f60"
max_clients = 8
max_unauthenticated = 4
hello_timeout_ms = 5000
idle_timeout_ms = 0
send_timeout_ms = 3000

[metrics]
listen = "[::1]:9401"

[output]
mrouted_conf = "/etc/mrouted.conf"
smcroute_conf = "/etc/smcroute.conf"
reload_command = "systemctl reload smcroute"
notify_command = "/usr/local/bin/dmr-notify"

[relay]
enabled = true
mode = "loopback"
channels = ["239.1.0.0/16:5000-5100", "239.9.9.9:7000", "ff15::1:0/112:5000"]
port = 7601
keepalive_ms = 100
keepalive_misses = 4
probe_interval_ms = 500
probe_channel = "239.255.77.2:7698"
probe_channel_v6 = "[ff18::77]:7698"
encrypt = true
udp_offload = false
)";

a::HostPort hp(const char *text)
{
    auto r = a::HostPort::parse(text);
    Q_ASSERT(r.ok());
    return *r;
}

// Runs a command line through CLI11 with the configuration flags, as dmr-agent's main does.
struct CommandLine
{
    a::ConfigOverrides overrides;
    std::string error; // CLI11's own refusal, if any

    explicit CommandLine(std::vector<std::string> args)
    {
        CLI::App app("dmr-agent");
        a::addConfigOptions(app, overrides);
        args.insert(args.begin(), "dmr-agent");
        std::vector<const char *> argv;
        for (const auto &s : args)
            argv.push_back(s.c_str());
        try {
            app.parse(static_cast<int>(argv.size()), argv.data());
        } catch (const CLI::ParseError &e) {
            error = e.what();
        }
    }

    dmr::Result<a::AgentConfig> resolve(const char *toml = nullptr) const
    {
        if (toml == nullptr)
            return a::resolveConfig(std::nullopt, overrides);
        return a::resolveConfig(a::ConfigFile{toml, "agent.toml"}, overrides);
    }
};

} // namespace

class TestAgentConfig : public QObject
{
    Q_OBJECT

private slots:
    void fullFile()
    {
        auto r = a::parseConfigToml(kFull, "agent.toml");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const a::AgentConfig &c = *r;
        QCOMPARE(c.node.id, std::string("2"));
        QVERIFY(c.node.interfaces.has_value());
        QCOMPARE(c.node.interfaces->size(), std::size_t{2});
        QCOMPARE((*c.node.interfaces)[0].name, std::string("eth0"));
        QCOMPARE((*c.node.interfaces)[0].address.toString(), std::string("10.0.1.2/24"));
        QCOMPARE((*c.node.interfaces)[1].group(), std::string("10.0.3.0/24"));
        QCOMPARE(c.cluster.name, std::string("fig5"));
        QCOMPARE(c.cluster.key, std::string(kKey));
        QCOMPARE(c.cluster.peers.size(), std::size_t{3});
        QCOMPARE(c.cluster.peers[0].toString(), std::string("10.0.1.1:7400"));
        QCOMPARE(c.cluster.peers[2].toString(), std::string("[fd00::4]:7401"));
        QCOMPARE(c.membership.listen.toString(), std::string("10.0.1.2:7400"));
        QCOMPARE(c.membership.heartbeatMs, 50);
        QCOMPARE(c.membership.misses, 5);
        QVERIFY(c.membership.backend == a::MembershipBackend::Etcd);
        QCOMPARE(c.membership.etcdEndpoints.size(), std::size_t{2});
        QCOMPARE(c.membership.etcdEndpoints[1].toString(), std::string("10.0.9.2:2379"));
        QCOMPARE(c.membership.etcdLeaseTtlS, 5);
        QCOMPARE(c.control.listen.toString(), std::string("0.0.0.0:7501"));
        QCOMPARE(c.control.operatorToken, std::string(kToken));
        QCOMPARE(c.control.maxClients, 8);
        QVERIFY(c.control.allowPlaintext);
        QCOMPARE(c.control.viewerToken, std::string("view-5e1b2c3d4a5f60"));
        QVERIFY(!c.control.anonymousViewers());
        QCOMPARE(c.control.maxUnauthenticated, 4);
        QCOMPARE(c.control.helloTimeoutMs, 5000);
        QCOMPARE(c.control.idleTimeoutMs, 0);
        QCOMPARE(c.control.sendTimeoutMs, 3000);
        QVERIFY(!c.control.tls());
        QVERIFY(c.metrics.listen.has_value());
        QCOMPARE(c.metrics.listen->toString(), std::string("[::1]:9401"));
        QCOMPARE(c.output.mroutedConf, std::string("/etc/mrouted.conf"));
        QCOMPARE(c.output.smcrouteConf, std::string("/etc/smcroute.conf"));
        QCOMPARE(c.output.reloadCommand, std::string("systemctl reload smcroute"));
        QCOMPARE(c.output.notifyCommand, std::string("/usr/local/bin/dmr-notify"));
        QVERIFY(c.relay.enabled);
        QVERIFY(c.relay.mode == a::RelayMode::Loopback);
        QCOMPARE(c.relay.channels[0].toString(), std::string("239.1.0.0/16:5000-5100"));
        QCOMPARE(c.relay.channels[1].toString(), std::string("239.9.9.9/32:7000"));
        QCOMPARE(c.relay.port, 7601);
        QCOMPARE(c.relay.keepaliveMs, 100);
        QCOMPARE(c.relay.keepaliveMisses, 4);
        QCOMPARE(c.relay.probeIntervalMs, 500);
        QCOMPARE(c.relay.probeChannel.toString(), std::string("239.255.77.2:7698"));
        QCOMPARE(c.relay.probeChannelV6.toString(), std::string("[ff18::77]:7698"));
        QCOMPARE(c.relay.channels.size(), std::size_t{3});
        QCOMPARE(c.relay.channels[2].toString(), std::string("ff15::1:0/112:5000"));
        QVERIFY(c.relay.encrypt);
        QVERIFY(!c.relay.udpOffload);
    }

    void defaults()
    {
        // A dual-stack interface: one name, an address of each family.
        auto dual = a::parseConfigToml(
            "[node]\nid = \"2\"\ninterfaces = [{ name = \"eth0\", address = \"10.0.1.2/24\" }, "
            "{ name = \"eth0\", address = \"fd00:1::2/64\" }]\n"
            "[cluster]\nkey = \"k3y-0f-sixteen-bytes+\"\n",
            "agent.toml");
        QVERIFY2(dual.ok(), dual.ok() ? "" : dual.error().message.c_str());
        QCOMPARE(dual->node.interfaces->size(), std::size_t{2});
        auto r = a::parseConfigToml(kMinimal, "agent.toml");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const a::AgentConfig &c = *r;
        QCOMPARE(c.node.id, std::string("2"));
        QVERIFY(!c.node.interfaces.has_value()); // from the OS
        QCOMPARE(c.cluster.name, std::string("dmr"));
        QVERIFY(c.cluster.peers.empty());
        QCOMPARE(c.membership.listen.toString(), std::string("127.0.0.1:7400"));
        QCOMPARE(c.membership.heartbeatMs, 100);
        QCOMPARE(c.membership.misses, 3);
        QVERIFY(c.membership.backend == a::MembershipBackend::Embedded);
        QCOMPARE(c.membership.etcdEndpoints.size(), std::size_t{1});
        QCOMPARE(c.membership.etcdEndpoints[0].toString(), std::string("127.0.0.1:2379"));
        QCOMPARE(c.membership.etcdLeaseTtlS, 2);
        QCOMPARE(c.control.listen.toString(), std::string("127.0.0.1:7500"));
        QVERIFY(c.control.operatorToken.empty());
        QCOMPARE(c.control.maxClients, 64);
        QVERIFY(c.metrics.listen.has_value());
        QCOMPARE(c.metrics.listen->toString(), std::string("127.0.0.1:9400"));
        QVERIFY(c.output.mroutedConf.empty());
        QVERIFY(c.output.smcrouteConf.empty());
        QVERIFY(c.output.reloadCommand.empty());
        QVERIFY(c.output.notifyCommand.empty());
        QVERIFY(!c.relay.enabled);
        QVERIFY(c.relay.mode == a::RelayMode::Os);
        QCOMPARE(c.relay.channels.size(), std::size_t{2});
        QCOMPARE(c.relay.channels[0].toString(), std::string("239.1.0.0/24:5000-5100"));
        QCOMPARE(c.relay.channels[1].toString(), std::string("ff15::1:0/120:5000-5100"));
        QCOMPARE(c.relay.probeChannelV6.toString(), std::string("[ff15::4d01]:7699"));
        QCOMPARE(c.relay.port, 7600);
        QCOMPARE(c.relay.keepaliveMs, 200);
        QCOMPARE(c.relay.keepaliveMisses, 5);
        QCOMPARE(c.relay.probeIntervalMs, 1000);
        QCOMPARE(c.relay.probeChannel.toString(), std::string("239.255.77.1:7699"));
        QVERIFY(!c.relay.encrypt);
        QVERIFY(c.relay.udpOffload);
    }

    void boundsAccepted()
    {
        const auto with = [](const std::string &extra) {
            return a::parseConfigToml(std::string(kMinimal) + extra, "agent.toml");
        };
        QVERIFY(with("[membership]\nheartbeat_ms = 10\nmisses = 1\n").ok());
        QVERIFY(with("[membership]\nheartbeat_ms = 10000\nmisses = 100\n").ok());
        QVERIFY(with("[control]\nmax_clients = 1\n").ok());
        QVERIFY(with("[control]\nmax_clients = 1024\n").ok());
        auto off = with("[metrics]\nlisten = \"\"\n");
        QVERIFY(off.ok());
        QVERIFY(!off->metrics.listen.has_value());
        // Dotted keys and [[array of tables]] are the same TOML.
        auto dotted = a::parseConfigToml(R"(node.id = "n1"
cluster.key = "k3y-0f-sixteen-bytes+"
membership.heartbeat_ms = 20
[[node.interfaces]]
name = "eth0"
address = "fd00:1::7/64"
)",
                                         "agent.toml");
        QVERIFY2(dotted.ok(), dotted.ok() ? "" : dotted.error().message.c_str());
        QCOMPARE(dotted->membership.heartbeatMs, 20);
        QCOMPARE(dotted->node.interfaces->at(0).group(), std::string("fd00:1::/64"));
    }

    // Each rejection, with its exact message. A message ending in "..." is matched as a prefix.
    void rejects_data()
    {
        QTest::addColumn<QString>("toml");
        QTest::addColumn<QString>("message");
        const auto row = [](const char *name, const std::string &toml, const char *message) {
            QTest::newRow(name) << qs(toml) << QString(message);
        };
        const std::string m = kMinimal;
        // TOML syntax: file, line and column.
        row("syntax: unterminated table header", "[node\nid = \"2\"\n", "agent.toml:1:6: ...");
        row("syntax: bad value", m + "[membership]\nheartbeat_ms = fast\n",
            "agent.toml:7:18: Error while parsing boolean: expected 'false', saw 'fas'");
        row("syntax: duplicate table", m + "[cluster]\nname = \"x\"\n",
            "agent.toml:6:1: Error while parsing table header: cannot redefine existing table "
            "'cluster'");
        // Keys the agent does not know.
        row("unknown key, close to a known one", m + "[membership]\nhearbeat_ms = 100\n",
            "agent.toml: membership.hearbeat_ms: unknown key (did you mean "
            "membership.heartbeat_ms?)");
        row("unknown key", m + "[membership]\ncolour = \"red\"\n",
            "agent.toml: membership.colour: unknown key");
        row("unknown section", m + "[logging]\nlevel = 3\n", "agent.toml: logging: unknown key");
        row("unknown section, close to a known one", m + "[metric]\nlisten = \"\"\n",
            "agent.toml: metric: unknown key (did you mean metrics?)");
        row("top-level key", "id = \"2\"\n" + m, "agent.toml: id: unknown key");
        row("section not a table", "membership = 5\n" + m,
            "agent.toml: membership: expected a table ([membership]), found an integer");
        // Required keys.
        row("node.id missing", "[cluster]\nkey = \"k3y-0f-sixteen-bytes+\"\n",
            "agent.toml: node.id: missing; set it in the file or with --node.id");
        row("cluster.key missing", "[node]\nid = \"2\"\n",
            "agent.toml: cluster.key: missing; set it in the file or with --cluster.key (or "
            "cluster.key_file)");
        row("cluster.key and key_file",
            "[node]\nid = \"2\"\n[cluster]\nkey = \"k3y-0f-sixteen-bytes+\"\nkey_file = "
            "\"/etc/dmr/cluster.key\"\n",
            "agent.toml: cluster.key_file: both cluster.key and cluster.key_file are set; keep one "
            "(the file keeps the secret off the command line)");
        row("cluster.key_file relative", "[node]\nid = \"2\"\n[cluster]\nkey_file = \"k\"\n",
            "agent.toml: cluster.key_file: \"k\" is not an absolute path");
        row("cluster.key_file missing",
            "[node]\nid = \"2\"\n[cluster]\nkey_file = \"/nonexistent/k\"\n",
            "agent.toml: cluster.key_file: /nonexistent/k: No such file or directory");
        row("empty file", "", "agent.toml: node.id: missing; set it in the file or with --node.id");
        // node
        row("node.id empty", "[node]\nid = \"\"\n", "agent.toml: node.id: must not be empty");
        row("node.id a number", "[node]\nid = 2\n",
            "agent.toml: node.id: expected a string, found an integer");
        row("node.id with a space", "[node]\nid = \"node 2\"\n",
            "agent.toml: node.id: \"node 2\" has a space or a control character");
        row("node.id too long", "[node]\nid = \"" + std::string(65, 'n') + "\"\n",
            "agent.toml: node.id: \"nnnn...");
        row("interfaces a table", m + "[node.interfaces]\n",
            "agent.toml: node.interfaces: expected an array of tables, found a table");
        row("interfaces a string", "[node]\nid = \"2\"\ninterfaces = \"eth0\"\n",
            "agent.toml: node.interfaces: expected an array of tables, found a string");
        row("interfaces empty", "[node]\nid = \"2\"\ninterfaces = []\n",
            "agent.toml: node.interfaces: empty; list at least one interface, or leave the key "
            "out to use the OS's");
        row("interface not a table", "[node]\nid = \"2\"\ninterfaces = [\"eth0\"]\n",
            "agent.toml: node.interfaces[0]: expected a table {name = ..., address = ...}, "
            "found a string");
        row("interface without address", "[node]\nid = \"2\"\ninterfaces = [{ name = \"eth0\" }]\n",
            "agent.toml: node.interfaces[0].address: missing");
        row("interface without name",
            "[node]\nid = \"2\"\ninterfaces = [{ address = \"10.0.1.2/24\" }]\n",
            "agent.toml: node.interfaces[0].name: missing");
        row("interface unknown key",
            "[node]\nid = \"2\"\ninterfaces = [{ name = \"eth0\", address = \"10.0.1.2/24\", "
            "mtu = 1500 }]\n",
            "agent.toml: node.interfaces[0].mtu: unknown key");
        row("interface bad address",
            "[node]\nid = \"2\"\ninterfaces = [{ name = \"eth0\", address = \"10.0.300.2/24\" "
            "}]\n",
            "agent.toml: node.interfaces[0].address: invalid interface address \"10.0.300.2/24\": "
            "invalid IPv4 address \"10.0.300.2\": bad octet \"300\" (greater than 255)");
        row("interface address without length",
            "[node]\nid = \"2\"\ninterfaces = [{ name = \"eth0\", address = \"10.0.1.2\" }]\n",
            "agent.toml: node.interfaces[0].address: ...");
        row("interface name too long",
            "[node]\nid = \"2\"\ninterfaces = [{ name = \"a-very-long-ifname\", address = "
            "\"10.0.1.2/24\" }]\n",
            "agent.toml: node.interfaces[0].name: \"a-very-long-ifname\" is longer than 15 bytes "
            "(the kernel's limit)");
        row("interface names twice",
            "[node]\nid = \"2\"\ninterfaces = [{ name = \"eth0\", address = \"10.0.1.2/24\" }, "
            "{ name = \"eth0\", address = \"10.0.3.2/24\" }]\n",
            "agent.toml: node.interfaces[1].name: duplicate interface name \"eth0\" with a second "
            "IPv4 address (an interface has at most one of each family)");
        // cluster
        row("cluster.key too short", "[node]\nid = \"2\"\n[cluster]\nkey = \"hunter2\"\n",
            "agent.toml: cluster.key: too short (7 bytes); it needs at least 16");
        row("cluster.key a number", "[node]\nid = \"2\"\n[cluster]\nkey = 1234567890123456\n",
            "agent.toml: cluster.key: expected a string, found an integer");
        row("cluster.name with a tab",
            "[node]\nid = \"2\"\n[cluster]\nkey = \"" + std::string(kKey) +
                "\"\nname = \"a\\tb\"\n",
            "agent.toml: cluster.name: \"a\\x09b\" has a space or a control character");
        row("peers not an array",
            "[node]\nid=\"2\"\n[cluster]\nkey = \"" + std::string(kKey) +
                "\"\npeers = \"10.0.1.1:7400\"\n",
            "agent.toml: cluster.peers: expected an array of \"host:port\" strings, found a "
            "string");
        const auto peers = [](const char *list) {
            return "[node]\nid=\"2\"\n[cluster]\nkey = \"" + std::string(kKey) +
                   "\"\npeers = " + list + "\n";
        };
        row("peer a host name", peers(R"(["10.0.1.1:7400", "localhost:7400"])"),
            "agent.toml: cluster.peers[1]: \"localhost:7400\": host must be an IP address "
            "literal: ...");
        row("peer without port", peers(R"(["10.0.1.1"])"),
            "agent.toml: cluster.peers[0]: \"10.0.1.1\": expected HOST:PORT, as in "
            "127.0.0.1:7400");
        row("peer port 0", peers(R"(["10.0.1.1:0"])"),
            "agent.toml: cluster.peers[0]: \"10.0.1.1:0\": port 0 is out of range 1-65535");
        row("peer port 65536", peers(R"(["10.0.1.1:65536"])"),
            "agent.toml: cluster.peers[0]: \"10.0.1.1:65536\": port 65536 is out of range "
            "1-65535");
        row("peer port not a number", peers(R"(["10.0.1.1:http"])"),
            "agent.toml: cluster.peers[0]: \"10.0.1.1:http\": port \"http\" is not a number");
        row("peer IPv6 without brackets", peers(R"(["fd00::1:7400"])"),
            "agent.toml: cluster.peers[0]: \"fd00::1:7400\": an IPv6 address needs brackets, "
            "as in [fd00::1]:7400");
        row("peer a number", peers("[7400]"),
            "agent.toml: cluster.peers[0]: expected a string, found an integer");
        row("peer twice", peers(R"(["10.0.1.1:7400", "10.0.2.6:7400", "10.0.1.1:7400"])"),
            "agent.toml: cluster.peers[2]: duplicate peer 10.0.1.1:7400");
        // membership
        row("heartbeat too small", m + "[membership]\nheartbeat_ms = 5\n",
            "agent.toml: membership.heartbeat_ms: 5 is out of range 10-10000");
        row("heartbeat too large", m + "[membership]\nheartbeat_ms = 10001\n",
            "agent.toml: membership.heartbeat_ms: 10001 is out of range 10-10000");
        row("heartbeat negative", m + "[membership]\nheartbeat_ms = -100\n",
            "agent.toml: membership.heartbeat_ms: -100 is out of range 10-10000");
        row("heartbeat huge", m + "[membership]\nheartbeat_ms = 9223372036854775807\n",
            "agent.toml: membership.heartbeat_ms: 9223372036854775807 is out of range 10-10000");
        row("heartbeat a float", m + "[membership]\nheartbeat_ms = 100.0\n",
            "agent.toml: membership.heartbeat_ms: expected an integer, found a floating-point "
            "number");
        row("heartbeat a string", m + "[membership]\nheartbeat_ms = \"100\"\n",
            "agent.toml: membership.heartbeat_ms: expected an integer, found a string");
        row("misses 0", m + "[membership]\nmisses = 0\n",
            "agent.toml: membership.misses: 0 is out of range 1-100");
        row("misses 101", m + "[membership]\nmisses = 101\n",
            "agent.toml: membership.misses: 101 is out of range 1-100");
        row("backend unknown", m + "[membership]\nbackend = \"zookeeper\"\n",
            "agent.toml: membership.backend: \"zookeeper\" is not one of \"embedded\", \"etcd\"");
        row("etcd ttl 1", m + "[membership]\netcd_lease_ttl_s = 1\n",
            "agent.toml: membership.etcd_lease_ttl_s: 1 is out of range 2-3600");
        row("etcd endpoints empty", m + "[membership]\netcd_endpoints = []\n",
            "agent.toml: membership.etcd_endpoints: empty; list at least one HOST:PORT of etcd");
        row("etcd endpoint duplicate",
            m + "[membership]\netcd_endpoints = [\"127.0.0.1:2379\", \"127.0.0.1:2379\"]\n",
            "agent.toml: membership.etcd_endpoints[1]: duplicate endpoint 127.0.0.1:2379");
        row("etcd endpoint a URL", m + "[membership]\netcd_endpoints = [\"http://x:2379\"]\n",
            "agent.toml: membership.etcd_endpoints[0]: \"http://x:2379\": an IPv6 address needs "
            "brackets, as in [fd00::1]:7400");
        row("listen a host name", m + "[membership]\nlisten = \"node2:7400\"\n",
            "agent.toml: membership.listen: \"node2:7400\": host must be an IP address "
            "literal: ...");
        row("listen IPv4 in brackets", m + "[membership]\nlisten = \"[10.0.1.2]:7400\"\n",
            "agent.toml: membership.listen: \"[10.0.1.2]:7400\": brackets are for IPv6 addresses "
            "only");
        // control
        row("operator token too short", m + "[control]\noperator_token = \"secret\"\n",
            "agent.toml: control.operator_token: too short (6 bytes); it needs at least 16");
        row("max_clients 0", m + "[control]\nmax_clients = 0\n",
            "agent.toml: control.max_clients: 0 is out of range 1-1024");
        row("max_clients 2000", m + "[control]\nmax_clients = 2000\n",
            "agent.toml: control.max_clients: 2000 is out of range 1-1024");
        row("control on a network address without TLS",
            m + "[control]\nlisten = \"10.0.1.2:7500\"\n",
            "agent.toml: control.listen: 10.0.1.2:7500 is not a loopback address and the control "
            "port has no TLS: tokens and every reply would cross the network in clear text. Set "
            "control.tls_cert and control.tls_key, or control.allow_plaintext = true to accept "
            "that");
        row("control on every address without TLS", m + "[control]\nlisten = \"[::]:7500\"\n",
            "agent.toml: control.listen: [::]:7500 is not a loopback address...");
        row("tls_cert without tls_key", m + "[control]\ntls_cert = \"/etc/dmr/c.pem\"\n",
            "agent.toml: control.tls_key: missing; TLS needs both control.tls_cert and "
            "control.tls_key");
        row("client CA without TLS", m + "[control]\ntls_client_ca = \"/etc/dmr/ca.pem\"\n",
            "agent.toml: control.tls_client_ca: needs TLS: set control.tls_cert and "
            "control.tls_key");
        row("certificate names without a client CA",
            m + "[control]\ntls_cert = \"/etc/dmr/c.pem\"\ntls_key = \"/etc/dmr/c.key\"\n"
                "operator_cert_names = [\"alice\"]\n",
            "agent.toml: control.operator_cert_names: needs client certificates: set "
            "control.tls_client_ca, the CA that signs them");
        row("certificate name empty", m + "[control]\nviewer_cert_names = [\"ok\", \"\"]\n",
            "agent.toml: control.viewer_cert_names[1]: must not be empty");
        row("hello timeout too short", m + "[control]\nhello_timeout_ms = 50\n",
            "agent.toml: control.hello_timeout_ms: 50 is out of range 100-600000");
        row("viewer token too short", m + "[control]\nviewer_token = \"v\"\n",
            "agent.toml: control.viewer_token: too short (1 bytes); it needs at least 16");
        row("control on the membership port", m + "[control]\nlisten = \"127.0.0.1:7400\"\n",
            "agent.toml: control.listen: 127.0.0.1:7400 is also membership.listen");
        row("metrics on the control port", m + "[metrics]\nlisten = \"127.0.0.1:7500\"\n",
            "agent.toml: metrics.listen: 127.0.0.1:7500 is also control.listen");
        row("metrics port 0", m + "[metrics]\nlisten = \"127.0.0.1:0\"\n",
            "agent.toml: metrics.listen: \"127.0.0.1:0\": port 0 is out of range 1-65535");
        // output
        row("relative path", m + "[output]\nmrouted_conf = \"mrouted.conf\"\n",
            "agent.toml: output.mrouted_conf: \"mrouted.conf\" is not an absolute path");
        row("empty path", m + "[output]\nsmcroute_conf = \"\"\n",
            "agent.toml: output.smcroute_conf: must not be empty (leave the key out instead)");
        row("blank command", m + "[output]\nreload_command = \"  \"\n",
            "agent.toml: output.reload_command: must not be empty (leave the key out instead)");
        // The relay.
        row("relay: query response not below the interval",
            m + "[relay]\nquery_interval_ms = 5000\nquery_response_ms = 5000\n",
            "agent.toml: relay.query_response_ms: 5000 is not below relay.query_interval_ms "
            "(5000): hosts would still be answering one query when the next comes");
        row("relay: robustness 0", m + "[relay]\nrobustness = 0\n",
            "agent.toml: relay.robustness: 0 is out of range 1-7");
        row("relay: enabled not a boolean", m + "[relay]\nenabled = \"yes\"\n",
            "agent.toml: relay.enabled: expected a boolean, found a string");
        row("relay: bad mode", m + "[relay]\nmode = \"kernel\"\n",
            "agent.toml: relay.mode: \"kernel\" is not one of \"os\", \"loopback\"");
        row("relay: channel not multicast", m + "[relay]\nchannels = [\"10.1.0.0/16:5000\"]\n",
            "agent.toml: relay.channels[0]: \"10.1.0.0/16:5000\": 10.1.0.0 is not a multicast "
            "group (224.0.0.0/4)");
        row("relay: channel ports backwards",
            m + "[relay]\nchannels = [\"239.1.0.0/16:5000\", \"239.2.0.0/16:6000-5999\"]\n",
            "agent.toml: relay.channels[1]: \"239.2.0.0/16:6000-5999\": port range 6000-5999 "
            "ends before it starts");
        row("relay: no channels", m + "[relay]\nchannels = []\n",
            "agent.toml: relay.channels: empty; list at least one GROUP[/LEN]:PORT[-PORT]");
        row("relay: channels a string", m + "[relay]\nchannels = \"239.1.0.0/16:5000\"\n",
            "agent.toml: relay.channels: expected an array of \"GROUP[/LEN]:PORT[-PORT]\" "
            "strings, found a string");
        row("relay: port 0", m + "[relay]\nport = 0\n",
            "agent.toml: relay.port: 0 is out of range 1-65534");
        row("relay: port 65535 (no room for its emission port)", m + "[relay]\nport = 65535\n",
            "agent.toml: relay.port: 65535 is out of range 1-65534");
        row("relay: keepalive too fast", m + "[relay]\nkeepalive_ms = 5\n",
            "agent.toml: relay.keepalive_ms: 5 is out of range 10-10000");
        row("relay: probe interval negative", m + "[relay]\nprobe_interval_ms = -1\n",
            "agent.toml: relay.probe_interval_ms: -1 is out of range 0-60000");
        row("relay: probe channel without port", m + "[relay]\nprobe_channel = \"239.255.77.1\"\n",
            "agent.toml: relay.probe_channel: \"239.255.77.1\": expected GROUP:PORT, as in "
            "239.255.77.1:7699 or [ff15::dd]:7699");
        row("relay: IPv4 probes on an IPv6 group",
            m + "[relay]\nprobe_channel = \"[ff15::1]:7699\"\n",
            "agent.toml: relay.probe_channel: \"[ff15::1]:7699\": the probes of IPv4 networks "
            "need an IPv4 group (IPv6 networks use relay.probe_channel_v6)");
        row("relay: IPv6 probes on an IPv4 group",
            m + "[relay]\nprobe_channel_v6 = \"239.1.1.1:7699\"\n",
            "agent.toml: relay.probe_channel_v6: \"239.1.1.1:7699\": the probes of IPv6 "
            "networks need an IPv6 group (IPv4 networks use relay.probe_channel)");
        row("relay: a link-local IPv6 channel",
            m + "[relay]\nchannels = [\"ff02::1:0/112:5000\"]\n",
            "agent.toml: relay.channels[0]: \"ff02::1:0/112:5000\": ff02::1:0 has link-local "
            "scope (ff02::/16): it never leaves its link, so no router forwards it");
        row("command a list", m + "[output]\nnotify_command = [\"/bin/true\"]\n",
            "agent.toml: output.notify_command: expected a string, found an array");
    }

    void rejects()
    {
        QFETCH(QString, toml);
        QFETCH(QString, message);
        auto r = a::parseConfigToml(toml.toStdString(), "agent.toml");
        QVERIFY2(!r.ok(), "accepted");
        const QString got = qs(r.error().message);
        if (message.endsWith("..."))
            QVERIFY2(got.startsWith(message.chopped(3)), qPrintable(got));
        else
            QCOMPARE(got, message);
        QVERIFY2(!got.contains('\n'), "more than one line");
        // Secrets are never echoed.
        QVERIFY(!got.contains("hunter2"));
        QVERIFY(!got.contains("secret\""));
        QVERIFY(!got.contains(kKey));
    }

    void hostPort_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical"); // empty: rejected
        QTest::newRow("IPv4") << "10.0.1.2:7400"
                              << "10.0.1.2:7400";
        QTest::newRow("IPv4 any") << "0.0.0.0:1"
                                  << "0.0.0.0:1";
        QTest::newRow("port 65535") << "127.0.0.1:65535"
                                    << "127.0.0.1:65535";
        QTest::newRow("port with a leading zero") << "127.0.0.1:07500"
                                                  << "127.0.0.1:7500";
        QTest::newRow("IPv6") << "[fd00:1::7]:7400"
                              << "[fd00:1::7]:7400";
        QTest::newRow("IPv6, long form") << "[FD00:0001:0:0:0:0:0:7]:7400"
                                         << "[fd00:1::7]:7400";
        QTest::newRow("IPv6 any") << "[::]:9400"
                                  << "[::]:9400";
        for (const char *bad : {"", ":", "10.0.1.2", "10.0.1.2:", ":7400", "10.0.1.2:+80",
                                "10.0.1.2:80x", "10.0.1.2:-1", "10.0.1.2:99999999999999999999",
                                "[fd00::1]", "[fd00::1]7400", "[fd00::1:7400", "fd00::1:7400",
                                "localhost:80", "10.0.1.256:80", "[10.0.1.2]:80", " 10.0.1.2:80"})
            QTest::newRow(qPrintable(QStringLiteral("bad: \"%1\"").arg(bad))) << bad << "";
    }

    void hostPort()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        auto r = a::HostPort::parse(text.toStdString());
        if (canonical.isEmpty()) {
            QVERIFY2(!r.ok(), "accepted");
            // The message names the text, quoted.
            QVERIFY2(qs(r.error().message).startsWith("\"" + text + "\": "),
                     qPrintable(qs(r.error().message)));
        } else {
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
            QCOMPARE(qs(r->toString()), canonical);
            auto again = a::HostPort::parse(r->toString());
            QVERIFY(again.ok());
            QVERIFY(*again == *r);
        }
    }

    // ---- The command line ----------------------------------------------------------------------

    void everyKeyHasAFlag()
    {
        CLI::App app("dmr-agent");
        a::ConfigOverrides o;
        a::addConfigOptions(app, o);
        const auto keys = a::configKeys();
        QCOMPARE(keys.size(), std::size_t{50});
        for (auto k : keys) {
            const std::string flag = "--" + std::string(k);
            QVERIFY2(app.get_option_no_throw(flag) != nullptr, flag.c_str());
        }
        QVERIFY(app.get_option_no_throw("--config") != nullptr);
        // Every key is also accepted by the file (checked by a file that sets all but those that
        // name files, which secretsFromFiles covers).
        QVERIFY(a::parseConfigToml(kFull, "agent.toml").ok());
    }

    void flagsOverrideTheFile()
    {
        // File alone, flags alone, both: the flag wins.
        CommandLine none({});
        QCOMPARE(none.resolve(kFull).value().membership.heartbeatMs, 50);
        CommandLine flag({"--membership.heartbeat_ms", "20"});
        QVERIFY2(flag.error.empty(), flag.error.c_str());
        QCOMPARE(flag.resolve(kFull).value().membership.heartbeatMs, 20);
        QCOMPARE(flag.resolve(kMinimal).value().membership.heartbeatMs, 20);
        QCOMPARE(none.resolve(kMinimal).value().membership.heartbeatMs, 100);

        // Every other key keeps the file's value.
        auto merged = flag.resolve(kFull).value();
        auto fromFile = a::parseConfigToml(kFull, "agent.toml").value();
        merged.membership.heartbeatMs = fromFile.membership.heartbeatMs;
        QVERIFY(merged == fromFile);

        // "--key=value", and a repeated scalar flag keeps its last value.
        CommandLine twice({"--membership.misses=4", "--membership.misses", "7"});
        QVERIFY2(twice.error.empty(), twice.error.c_str());
        QCOMPARE(twice.resolve(kFull).value().membership.misses, 7);

        // List flags replace the file's list: repeated, or comma-separated.
        CommandLine peers({"--cluster.peers", "10.0.9.9:7400,10.0.9.10:7400", "--cluster.peers",
                           "[fd00::9]:7400"});
        QVERIFY2(peers.error.empty(), peers.error.c_str());
        const auto p = peers.resolve(kFull).value().cluster.peers;
        QCOMPARE(p.size(), std::size_t{3});
        QVERIFY(p[0] == hp("10.0.9.9:7400"));
        QVERIFY(p[1] == hp("10.0.9.10:7400"));
        QVERIFY(p[2] == hp("[fd00::9]:7400"));

        CommandLine ifaces({"--node.interfaces", "eth5=10.0.5.2/24"});
        const auto i = ifaces.resolve(kFull).value().node.interfaces.value();
        QCOMPARE(i.size(), std::size_t{1});
        QCOMPARE(i[0].name, std::string("eth5"));
        QCOMPARE(i[0].address.toString(), std::string("10.0.5.2/24"));

        // An empty value turns metrics off over the file's address.
        CommandLine off({"--metrics.listen", ""});
        QVERIFY2(off.error.empty(), off.error.c_str());
        QVERIFY(!off.resolve(kFull).value().metrics.listen.has_value());

        // Secrets and paths.
        CommandLine rest({"--cluster.key", "another-key-of-16-bytes", "--control.operator_token",
                          "another-token-16-bytes", "--output.mrouted_conf",
                          "/run/dmr/mrouted.conf", "--membership.backend", "embedded",
                          "--control.max_clients", "2", "--cluster.name", "lab", "--node.id",
                          "n7"});
        QVERIFY2(rest.error.empty(), rest.error.c_str());
        const auto c = rest.resolve(kFull).value();
        QCOMPARE(c.cluster.key, std::string("another-key-of-16-bytes"));
        QCOMPARE(c.control.operatorToken, std::string("another-token-16-bytes"));
        QCOMPARE(c.output.mroutedConf, std::string("/run/dmr/mrouted.conf"));
        QVERIFY(c.membership.backend == a::MembershipBackend::Embedded);
        QCOMPARE(c.control.maxClients, 2);
        QCOMPARE(c.cluster.name, std::string("lab"));
        QCOMPARE(c.node.id, std::string("n7"));
    }

    // The *_file keys: a secret read from a file of mode 0600 (one final newline dropped), a
    // file that group or others may read refused with its path and mode, a flag for one of a pair
    // replacing the file's other, and both of a pair in one source refused.
    void secretsFromFiles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto write = [&](const char *name, const QByteArray &content,
                               QFile::Permissions mode) {
            const QString path = dir.filePath(QString::fromUtf8(name));
            QFile f(path);
            f.open(QIODevice::WriteOnly);
            f.write(content);
            f.close();
            f.setPermissions(mode);
            return path.toStdString();
        };
        const auto owner = QFile::ReadOwner | QFile::WriteOwner;
        const std::string key = write("key", "k3y-fr0m-a-file-0123\n", owner);
        const std::string token = write("token", "t0ken-fr0m-a-file-0123", QFile::ReadOwner);
        const std::string viewer = write("viewer", "v1ewer-fr0m-a-file-01\r\n", owner);
        const std::string open = write("open", "k3y-fr0m-a-file-0123\n", owner | QFile::ReadOther);
        const std::string group =
            write("group", "k3y-fr0m-a-file-0123\n", owner | QFile::ReadGroup);
        const std::string lines = write("lines", "k3y-fr0m-a-file-0123\nmore\n", owner);
        const std::string tlsKey = write("tls.key", "not read here", owner | QFile::ReadGroup);

        const std::string toml = "[node]\nid = \"2\"\n[cluster]\nkey_file = \"" + key +
                                 "\"\n[control]\noperator_token_file = \"" + token +
                                 "\"\nviewer_token_file = \"" + viewer + "\"\n";
        auto c = a::parseConfigToml(toml, "agent.toml");
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().message.c_str());
        QCOMPARE(c->cluster.key, std::string("k3y-fr0m-a-file-0123"));
        QCOMPARE(c->cluster.keyFile, key);
        QCOMPARE(c->control.operatorToken, std::string("t0ken-fr0m-a-file-0123"));
        QCOMPARE(c->control.viewerToken, std::string("v1ewer-fr0m-a-file-01"));

        const auto refused = [&](const std::string &path, const char *mode) {
            auto r = a::parseConfigToml(
                "[node]\nid = \"2\"\n[cluster]\nkey_file = \"" + path + "\"\n", "agent.toml");
            QVERIFY(!r.ok());
            QCOMPARE(r.error().message, "agent.toml: cluster.key_file: " + path +
                                            ": group or others may read or write it (mode " + mode +
                                            "); it holds a secret: chmod 600 " + path);
        };
        refused(open, "0604");
        refused(group, "0640");
        auto twoLines = a::parseConfigToml(
            "[node]\nid = \"2\"\n[cluster]\nkey_file = \"" + lines + "\"\n", "agent.toml");
        QVERIFY(!twoLines.ok());
        QVERIFY(twoLines.error().message.find("more than one line") != std::string::npos);
        auto loose = a::parseConfigToml(std::string(kMinimal) + "[control]\ntls_cert = \"" + key +
                                            "\"\ntls_key = \"" + tlsKey + "\"\n",
                                        "agent.toml");
        QVERIFY(!loose.ok());
        QVERIFY2(loose.error().message.rfind(
                     "agent.toml: control.tls_key: " + tlsKey + ": group or others may read", 0) ==
                     0,
                 loose.error().message.c_str());

        // A flag for the key replaces the file's key_file, and the other way round.
        CommandLine inlineFlag({"--cluster.key", "an-inline-key-0123456"});
        auto over = inlineFlag.resolve(toml.c_str());
        QVERIFY(over.ok());
        QCOMPARE(over->cluster.key, std::string("an-inline-key-0123456"));
        QVERIFY(over->cluster.keyFile.empty());
        CommandLine fileFlag({"--cluster.key_file", key});
        auto fromFile = fileFlag.resolve(kMinimal);
        QVERIFY(fromFile.ok());
        QCOMPARE(fromFile->cluster.key, std::string("k3y-fr0m-a-file-0123"));
        CommandLine both({"--node.id", "2", "--cluster.key", "an-inline-key-0123456",
                          "--cluster.key_file", key});
        auto r = both.resolve();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 std::string("--cluster.key_file: both cluster.key and cluster.key_file are set; "
                             "keep one (the file keeps the secret off the command line)"));
    }

    void flagsAlone()
    {
        // Without a file the required keys come from flags.
        CommandLine ok({"--node.id", "2", "--cluster.key", kKey});
        auto c = ok.resolve();
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().message.c_str());
        QCOMPARE(c->node.id, std::string("2"));
        QCOMPARE(c->membership.heartbeatMs, 100);

        CommandLine noKey({"--node.id", "2"});
        QCOMPARE(qs(noKey.resolve().error().message),
                 QStringLiteral(
                     "cluster.key: missing; set it with --cluster.key (or --cluster.key_file)"));
        // A flag can supply what the file lacks.
        CommandLine keyOnly({"--cluster.key", kKey});
        QVERIFY(keyOnly.resolve("[node]\nid = \"2\"\n").ok());
    }

    void flagErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("out of range") << QStringList{"--membership.heartbeat_ms", "5"}
                                      << "--membership.heartbeat_ms: 5 is out of range 10-10000";
        QTest::newRow("not an integer") << QStringList{"--membership.heartbeat_ms", "fast"}
                                        << "--membership.heartbeat_ms: \"fast\" is not an integer";
        QTest::newRow("integer with junk") << QStringList{"--control.max_clients", "12x"}
                                           << "--control.max_clients: \"12x\" is not an integer";
        QTest::newRow("bad peer")
            << QStringList{"--cluster.peers", "10.0.1.1:7400,10.0.1.2"}
            << "--cluster.peers: \"10.0.1.2\": expected HOST:PORT, as in 127.0.0.1:7400";
        QTest::newRow("duplicate peer")
            << QStringList{"--cluster.peers", "10.0.1.1:7400", "--cluster.peers", "10.0.1.1:7400"}
            << "--cluster.peers: duplicate peer 10.0.1.1:7400";
        QTest::newRow("interface without =")
            << QStringList{"--node.interfaces", "eth0"}
            << "--node.interfaces: \"eth0\" is not NAME=ADDRESS/LENGTH, as in eth0=10.0.1.2/24";
        QTest::newRow("interface bad address")
            << QStringList{"--node.interfaces", "eth0=10.0.1.2"} << "--node.interfaces: ...";
        QTest::newRow("short key") << QStringList{"--cluster.key", "hunter2"}
                                   << "--cluster.key: too short (7 bytes); it needs at least 16";
        QTest::newRow("bad backend") << QStringList{"--membership.backend", "zk"}
                                     << "--membership.backend: \"zk\" is not one of \"embedded\", "
                                        "\"etcd\"";
        QTest::newRow("relative path") << QStringList{"--output.smcroute_conf", "smcroute.conf"}
                                       << "--output.smcroute_conf: \"smcroute.conf\" is not an "
                                          "absolute path";
        QTest::newRow("relay enabled not a boolean")
            << QStringList{"--relay.enabled", "maybe"}
            << "--relay.enabled: \"maybe\" is not true or false";
        QTest::newRow("relay bad channel")
            << QStringList{"--relay.channels", "239.1.0.0/16:5000,239.1.0.0/16"}
            << "--relay.channels: \"239.1.0.0/16\": expected GROUP[/LEN]:PORT[-PORT], as in "
               "239.1.0.0/16:5000-5100 or ff15::1:0/112:5000-5100";
        QTest::newRow("listen clash")
            << QStringList{"--control.listen", "127.0.0.1:9400"}
            << "agent.toml: metrics.listen: 127.0.0.1:9400 is also control.listen";
    }

    void flagErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        std::vector<std::string> v;
        for (const QString &s : args)
            v.push_back(s.toStdString());
        CommandLine cl(v);
        QVERIFY2(cl.error.empty(), cl.error.c_str());
        auto r = cl.resolve(kMinimal);
        QVERIFY2(!r.ok(), "accepted");
        const QString got = qs(r.error().message);
        if (message.endsWith("..."))
            QVERIFY2(got.startsWith(message.chopped(3)), qPrintable(got));
        else
            QCOMPARE(got, message);
        QVERIFY(!got.contains("hunter2"));
    }

    void unknownFlagIsRefusedByCli11()
    {
        CommandLine cl({"--membership.hearbeat_ms", "100"});
        QVERIFY(!cl.error.empty());
        // Overrides built by hand still name unknown keys.
        a::ConfigOverrides o;
        o.flags["membership.hearbeat_ms"] = {"100"};
        QCOMPARE(qs(a::resolveConfig(std::nullopt, o).error().message),
                 QStringLiteral("--membership.hearbeat_ms: unknown key"));
    }

    void loadsTheFileNamedByConfig()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath("agent.toml");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(kFull);
        }
        CommandLine cl({"--config", path.toStdString(), "--membership.misses", "9"});
        QVERIFY2(cl.error.empty(), cl.error.c_str());
        auto c = a::loadConfig(cl.overrides);
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().message.c_str());
        QCOMPARE(c->node.id, std::string("2"));
        QCOMPARE(c->membership.misses, 9);

        // Errors name the path as given.
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Append));
            f.write("[extra]\n");
        }
        auto bad = a::loadConfig(cl.overrides);
        QVERIFY(!bad.ok());
        QCOMPARE(qs(bad.error().message), path + ": extra: unknown key");

        CommandLine missing({"-c", dir.filePath("nope.toml").toStdString()});
        auto gone = a::loadConfig(missing.overrides);
        QVERIFY(!gone.ok());
        QCOMPARE(qs(gone.error().message),
                 dir.filePath("nope.toml") + ": cannot open: No such file or directory");
    }
};

QTEST_GUILESS_MAIN(TestAgentConfig)
#include "tst_agent_config.moc"
