#pragma once
// A topology file built for real in Linux network namespaces (dmr-lab --netns, the namespace
// tests and the namespace benchmark), in IPv4, IPv6 or both:
//
//   namespace dmr-LAB-sw   one bridge per link layer (br0, br1, ...): a network, or the IPv4
//                          and IPv6 networks that dual-stack interfaces share; IGMP/MLD snooping
//                          off: a plain switch that floods multicast to every port
//   namespace dmr-LAB-rt   the router: one leg (leg0, ...) on the bridge of every node's first
//                          interface, with an address on each of its networks (IPv4: the last
//                          host address, 10.0.1.254/24; IPv6: host part ::fffe, fd00:1::fffe/64);
//                          ip_forward=1 (and net.ipv6.conf.all.forwarding=1 when it routes IPv6)
//                          and no multicast routing, so it forwards unicast between its networks
//                          and never multicast (router 520 of Fig. 5, README.md)
//   namespace dmr-LAB-nID  node ID: one veth per interface name of the topology file, named and
//                          addressed as the file says (eth0 10.0.1.2/24, and fd00:1::2/64 when
//                          dual-stack), its switch end vNiK in the switch namespace on that
//                          link's bridge; a default route in each family of its first interface
//                          via the router leg there (when there is one)
//
// IPv6 addresses are added with nodad, and accept_dad is 0 in the namespaces that have IPv6, so
// that every address is usable at once (nothing waits out duplicate address detection).
// Nothing is made in the root namespace: deleting the lab's namespaces removes every bridge,
// veth and route with them. planNetnsLab is pure (the commands, in order); buildNetnsLab runs
// them through a CommandRunner (the real one runs `ip`), recording every namespace in a state
// file before it makes it, so that teardownNetnsLab finds everything after a crash.

#include "dmr/result.h"
#include "dmr/topology.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dmr::lab {

// A lab name: 1-12 characters of [a-z0-9], so that every namespace name starts with the unique
// prefix "dmr-LAB-" (no lab's prefix is another's).
Result<std::string> checkLabName(std::string_view name);
std::string namespacePrefix(std::string_view lab); // "dmr-fig5-"

struct NetnsLabPlan
{
    struct RouterLeg
    {
        std::string network; // "10.0.1.0/24"
        std::string name;    // leg0, in the router namespace
        std::string address; // "10.0.1.254/24", "fd00:1::fffe/64"
    };
    struct NodePlace
    {
        std::string netns;                 // dmr-fig5-n2
        std::string address;               // its first interface's address without prefix: 10.0.1.2
        std::string gateway;               // the router leg `address` routes through; empty: none
        std::vector<std::string> gateways; // every default route's, one per family: 10.0.1.254
        std::vector<std::string> switchPorts; // its veths' ends on the bridges (switch namespace)
    };

    std::string lab;
    std::string switchNs;
    std::string routerNs;
    std::vector<std::string> networks;             // every network, in address order (IPv4 first)
    std::vector<std::vector<std::string>> bridges; // bridge brI carries bridges[I]'s networks
    std::vector<RouterLeg> routerLegs;             // one per routed network, in address order
    std::map<NodeId, NodePlace> nodes;
    std::vector<std::string> namespaces; // in creation order: switch, router, nodes (join order)
    // Every step, in order: argv of a command (all start with "ip").
    std::vector<std::vector<std::string>> commands;
};

// Every namespace, link, address and route of the lab. Refuses (naming the node and interface)
// networks too small for a router address (IPv4 smaller than /30, IPv6 than /126), link-local
// IPv6 addresses, two addresses of one family on one interface, and a node holding the
// router's address.
Result<NetnsLabPlan> planNetnsLab(const TopologyFile &topology, std::string_view lab);

// "10.0.1.2:2379", "[fd00:1::2]:2379": an address and a port as the agents' HOST:PORT keys take
// them.
std::string hostPort(std::string_view address, std::uint16_t port);

// etcd as a cluster of `members` (1-7) inside the lab, the way three hosts would run it: one
// member in the namespace of each of the first nodes of the join order, on that node's first
// address, client port 2379 and peer port 2380 (each namespace has ports of its own). Every
// agent gets every member's client endpoint, starting with its own node's member, or else
// rotated by its place in the join order, so that the agents spread over the members.
struct EtcdClusterPlan
{
    struct Member
    {
        std::string name;      // "etcd-2"
        NodeId node;           // the node whose namespace it runs in
        std::string netns;     // dmr-fig5-n2
        std::string clientUrl; // http://10.0.1.2:2379
        std::string peerUrl;   // http://10.0.1.2:2380
        std::string endpoint;  // 10.0.1.2:2379, what --membership.etcd_endpoints takes
    };
    std::vector<Member> members;
    std::string initialCluster;                   // etcd-2=http://10.0.1.2:2380,...
    std::map<NodeId, std::string> agentEndpoints; // node -> "10.0.1.2:2379,10.0.2.6:2379,..."

    // etcd's command line for one member, its data in dataDir.
    std::vector<std::string> argv(const Member &member, const std::string &etcdBinary,
                                  const std::string &dataDir) const;
};
inline constexpr int kEtcdMembersMax = 7;
inline constexpr std::uint16_t kEtcdClientPort = 2379;
inline constexpr std::uint16_t kEtcdPeerPort = 2380;
Result<EtcdClusterPlan> planEtcdCluster(const NetnsLabPlan &lab,
                                        const std::vector<NodeId> &joinOrder, int members);

// The seam to the OS: runs one command (argv[0] is looked up in PATH and /usr/sbin, /sbin) and
// returns what it printed, or an error with the command and its output.
class CommandRunner
{
public:
    virtual ~CommandRunner() = default;
    virtual Result<std::string> run(const std::vector<std::string> &argv) = 0;
};

// The real one: fork and exec, stdout and stderr captured (at most 64 KiB kept), killed after
// timeoutMs.
class ProcessRunner final : public CommandRunner
{
public:
    explicit ProcessRunner(int timeoutMs = 20000)
        : timeoutMs_(timeoutMs)
    {
    }
    Result<std::string> run(const std::vector<std::string> &argv) override;

private:
    int timeoutMs_;
};

// What a lab made, kept in STATE_DIR/LAB.json (default /run/dmr-lab) while it exists.
struct NetnsLabState
{
    std::string lab;
    std::int64_t ownerPid = 0;           // the dmr-lab (or test) that made it
    std::vector<std::string> namespaces; // made or about to be made
};
std::string defaultStateDir(); // /run/dmr-lab
std::string stateFilePath(std::string_view stateDir, std::string_view lab);
Result<NetnsLabState> readState(const std::string &path);
Result<bool> writeState(const std::string &path, const NetnsLabState &state);

// Runs the plan's commands in order, stopping at the first that fails (its error names the
// command). The state file lists every namespace before it is made. On failure what was made
// stays (and is in the state file): call teardownNetnsLab.
Result<bool> buildNetnsLab(const NetnsLabPlan &plan, CommandRunner &runner,
                           const std::string &stateDir, std::int64_t ownerPid);

struct TeardownReport
{
    std::vector<std::string> namespacesRemoved;
    std::vector<std::int64_t> processesKilled;
    std::vector<std::string> errors; // what could not be removed, and why
};

// Removes the lab: every namespace its state file lists and every namespace whose name starts
// with its prefix, after SIGKILL to every process still in them (agents, receivers, smcrouted),
// then the state file. Running it again when nothing is left is a no-op.
TeardownReport teardownNetnsLab(std::string_view lab, CommandRunner &runner,
                                const std::string &stateDir);

} // namespace dmr::lab
