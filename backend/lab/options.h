#pragma once
// dmr-lab's command line: every option with its default, and the checks that need more than
// one of them (--relay loopback with --netns, --cleanup without --netns, ports that fit, the
// topology file read and parsed).

#include "dmr/topology.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace dmr::lab {

struct LabOptions
{
    std::string topologyPath;
    std::optional<TopologyFile> topology; // read from topologyPath; absent only with --cleanup
    int basePort = 17400;
    std::string key = "dmr-lab-cluster-key-0001";
    std::string token = "dmr-lab-operator-token"; // or $DMR_TOKEN
    std::string agentPath;                        // default: dmr-agent beside dmr-lab
    std::string logDir;                           // default: a new /tmp/dmr-lab-*
    std::string table = "all";                    // all, leaders, none
    int heartbeatMs = 100;
    int misses = 3;
    bool once = false;
    int joinTimeoutMs = 10000;
    bool netns = false;
    bool cleanup = false;
    std::string labName; // --netns: default the topology's name
    std::string stateDir;
    std::vector<std::string> agentArgs;
    std::string relayMode;   // loopback, os or off (default: loopback, os with --netns)
    std::string clusterName; // default: the topology's name
    std::vector<std::string> channels;
    int probeIntervalMs = 1000;
    std::string membership = "embedded"; // or etcd
    std::string etcdEndpoints;
    int etcdTtlS = 2;
    int etcdMembers = 0; // etcd members the lab starts: 3 with --netns, 1 without
    bool tls = false;
    std::string secretsDir;
};

// The options, or the exit status when the lab should stop here (--help, --version: 0; a bad
// option or combination: 2, with the reason printed on stderr).
std::variant<LabOptions, int> parseOptions(int argc, char **argv);

// A program in the folder of the running binary ("dmr-agent" beside dmr-lab).
std::string besideSelf(const std::string &name);

} // namespace dmr::lab
