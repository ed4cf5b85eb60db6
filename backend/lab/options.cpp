#include "options.h"

#include "clidoc_cli11.h"
#include "netns_lab.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

namespace dmr::lab {

std::string besideSelf(const std::string &name)
{
    char self[4096] = {};
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return name;
    std::string path(self, static_cast<std::size_t>(n));
    return path.substr(0, path.rfind('/') + 1) + name;
}

std::variant<LabOptions, int> parseOptions(int argc, char **argv)
{
    LabOptions o;
    o.agentPath = besideSelf("dmr-agent");
    o.stateDir = defaultStateDir();
    CLI::App app{"dmr-lab: runs a whole DMR cluster on this machine, one dmr-agent per node of a "
                 "topology file, on 127.0.0.1 or (--netns) in network namespaces"};
    app.set_version_flag("--version", std::string("dmr-lab ") + DMR_VERSION);
    app.add_option("topology", o.topologyPath, "Topology JSON file (resources/topologies/*.json)")
        ->check(CLI::ExistingFile);
    app.add_option("--base-port", o.basePort,
                   "Membership ports are BASE+i, control ports BASE+1000+i (i: node index)")
        ->check(CLI::Range(1024, 60000));
    app.add_option("--key", o.key, "Cluster key (16 bytes or more)");
    app.add_option("--token", o.token,
                   "Operator token the agents accept for drills (default: $DMR_TOKEN, else "
                   "dmr-lab-operator-token); the environment keeps it off the command line");
    app.add_option("--agent", o.agentPath, "The dmr-agent binary")->check(CLI::ExistingFile);
    app.add_option("--log-dir", o.logDir, "Where agent logs go (default: a new temporary folder)");
    app.add_option("--table", o.table, "Status table: all, leaders, none")
        ->check(CLI::IsMember({"all", "leaders", "none"}));
    app.add_option("--heartbeat-ms", o.heartbeatMs, "Heartbeat interval")
        ->check(CLI::Range(10, 10000));
    app.add_option("--misses", o.misses, "Heartbeats missed before failure")
        ->check(CLI::Range(1, 100));
    app.add_option("--join-timeout-ms", o.joinTimeoutMs, "How long one agent may take to join");
    app.add_flag("--once", o.once, "Start, print the table once, stop everything, exit");
    app.add_flag("--netns", o.netns,
                 "Build the topology in network namespaces (root): a namespace per node, a bridge "
                 "per network (IPv4, IPv6, or both on a dual-stack interface), a router that "
                 "forwards unicast only (in both families); agents use the OS's interfaces");
    app.add_flag("--cleanup", o.cleanup,
                 "With --netns: remove what a lab left (namespaces, processes in them, its state "
                 "file), e.g. after dmr-lab was killed; without --lab or a topology, every lab "
                 "with a state file");
    app.add_option("--lab", o.labName,
                   "With --netns: the lab's name, 1-12 of [a-z0-9] (default: the topology's name); "
                   "its namespaces are dmr-NAME-*");
    app.add_option("--state-dir", o.stateDir, "With --netns: where labs record what they made");
    app.add_option("--agent-arg", o.agentArgs,
                   "An extra argument for every agent, e.g. --agent-arg=--relay.mode "
                   "--agent-arg=os (repeatable; after dmr-lab's own, so it wins)")
        ->allow_extra_args(false);
    app.add_option("--relay", o.relayMode,
                   "The agents' relay: loopback (every network a multicast group on 127.0.0.1; "
                   "the default), os (the real interfaces; the default with --netns), or off")
        ->check(CLI::IsMember({"loopback", "os", "off"}));
    app.add_option("--cluster-name", o.clusterName,
                   "Cluster name (default: the topology's); it also picks the loopback segments, "
                   "so two labs with different names do not hear each other");
    app.add_option("--channels", o.channels,
                   "Channels the relay carries (default: 239.1.0.0/16:5000-5100 and "
                   "ff15::1:0/112:5000-5100 in loopback mode; 239.1.0.0/24:5000-5100 and "
                   "ff15::1:0/120:5000-5100 in os mode, which joins every group of a range on "
                   "every routed interface of its family, at most 1024 joins per family)")
        ->delimiter(',');
    app.add_option("--probe-interval-ms", o.probeIntervalMs, "Reachability probe interval; 0: off")
        ->check(CLI::Range(0, 60000));
    app.add_option("--membership", o.membership,
                   "Membership backend: embedded, or etcd (the lab starts an etcd on BASE+3000 "
                   "unless --etcd-endpoints names one)")
        ->check(CLI::IsMember({"embedded", "etcd"}));
    app.add_option("--etcd-endpoints", o.etcdEndpoints,
                   "HOST:PORT,... of a running etcd to use instead of starting one");
    app.add_option("--etcd-ttl-s", o.etcdTtlS, "etcd lease TTL: a killed agent is out after this")
        ->check(CLI::Range(2, 3600));
    app.add_option("--etcd-members", o.etcdMembers,
                   "With --membership etcd and no --etcd-endpoints: etcd members the lab starts "
                   "(with --netns: one in each of the first nodes' namespaces, on their first "
                   "addresses, default 3; without: 1 on 127.0.0.1)")
        ->check(CLI::Range(1, kEtcdMembersMax));
    app.add_flag("--tls", o.tls,
                 "Make a throwaway CA in the secrets folder and run the agents' control ports in "
                 "TLS 1.3 (client certificates asked for; operator.pem is an operator's); clients "
                 "need --tls-ca SECRETS/ca.pem");
    app.add_option("--secrets-dir", o.secretsDir,
                   "A private folder (0700) for the cluster key, the operator token and the TLS "
                   "files, passed to the agents by path (default: a new /tmp/dmr-lab-secrets-*, "
                   "removed when the lab stops)");
    if (auto rc = clidoc::printIfAsked(app, "dmr-lab", DMR_VERSION, argc, argv))
        return *rc;
    CLI11_PARSE(app, argc, argv);
    if (app.count("--token") == 0)
        if (const char *fromEnv = std::getenv("DMR_TOKEN"); fromEnv != nullptr && *fromEnv != 0)
            o.token = fromEnv;

    if (o.relayMode.empty())
        o.relayMode = o.netns ? "os" : "loopback";
    if (o.channels.empty())
        o.channels =
            o.relayMode == "os"
                ? std::vector<std::string>{"239.1.0.0/24:5000-5100", "ff15::1:0/120:5000-5100"}
                : std::vector<std::string>{"239.1.0.0/16:5000-5100", "ff15::1:0/112:5000-5100"};
    if (o.netns && o.relayMode == "loopback") {
        std::cerr << "dmr-lab: --relay loopback does not work with --netns (each namespace has a "
                     "127.0.0.1 of its own); use os or off\n";
        return 2;
    }
    if (o.etcdMembers == 0)
        o.etcdMembers = o.netns ? 3 : 1;
    if (!o.netns && o.etcdMembers != 1) {
        std::cerr << "dmr-lab: --etcd-members " << o.etcdMembers
                  << " needs --netns (a member per node namespace); on loopback the lab runs one\n";
        return 2;
    }
    if (o.cleanup && !o.netns) {
        std::cerr
            << "dmr-lab: --cleanup goes with --netns (a loopback lab leaves nothing behind)\n";
        return 2;
    }
    if (o.netns && ::geteuid() != 0) {
        std::cerr << "dmr-lab: --netns needs root (network namespaces, bridges and veths); euid is "
                  << ::geteuid() << "\n";
        return 2;
    }
    if (!o.topologyPath.empty()) {
        std::ifstream in(o.topologyPath);
        std::stringstream text;
        text << in.rdbuf();
        auto parsed = parseTopology(text.str());
        if (!parsed) {
            std::cerr << "dmr-lab: " << o.topologyPath << ": " << parsed.error().message << "\n";
            return 2;
        }
        o.topology = *parsed;
    } else if (!o.cleanup) {
        std::cerr << "dmr-lab: a topology file is required (resources/topologies/fig5.json)\n";
        return 2;
    }
    if (o.netns && o.labName.empty() && o.topology)
        o.labName = o.topology->name;
    if (o.netns && !o.labName.empty()) {
        auto ok = checkLabName(o.labName);
        if (!ok) {
            std::cerr << "dmr-lab: " << ok.error().message
                      << (o.topology && o.labName == o.topology->name
                              ? " (from the topology's name; give --lab)"
                              : "")
                      << "\n";
            return 2;
        }
    }
    if (o.cleanup)
        return o;
    if (o.clusterName.empty())
        o.clusterName = o.topology->name;
    if (o.basePort + 3001 > 65535 ||
        o.basePort + 2000 + static_cast<int>(o.topology->joinOrder.size()) > 65535) {
        std::cerr << "dmr-lab: --base-port " << o.basePort << " leaves no room for "
                  << o.topology->joinOrder.size() << " nodes\n";
        return 2;
    }
    return o;
}

} // namespace dmr::lab
