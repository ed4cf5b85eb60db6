#pragma once
// dmr-lab's supervisor: the processes of a lab and their lifecycle. It gives every node of the
// topology its ports (membership BASE+i, control BASE+1000+i, tunnel BASE+2000+i, i its place in
// the join order), starts an etcd when the lab runs on one it has to provide (client BASE+3000,
// peer BASE+3001), starts the agents in the join order (each must be in the view before the next
// starts, so that every leader is the file's), notices agents that exit on their own, and stops
// everything: agents with SIGTERM, then SIGKILL after 3 s; etcd after them. Every child dies with
// the lab, even on kill -9 of the lab (launch.h's dieWithParent).

#include "client.h"
#include "lab_secrets.h"
#include "netns_lab.h"
#include "options.h"

#include "dmr/protocol.h"
#include "dmr/replies.h"

#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace dmr::lab {

struct LabAgent
{
    std::string id;
    pid_t pid = -1; // -1: not running
    std::uint16_t membershipPort = 0;
    std::uint16_t controlPort = 0;
    std::uint16_t tunnelPort = 0;
    std::string logPath;
};

// What the agents are given by path, never on their command lines.
struct LabSecretFiles
{
    std::string keyFile;
    std::string tokenFile;
    std::optional<LabTls> tls; // --tls: the agents' certificate and the CA
};

// One request on a fresh connection to an agent's control port on 127.0.0.1: hello, the
// request, the reply's result as JSON text, for a typed reader (dmr/replies.h). Bounded in time
// and size; on failure `error` names the port and the reason.
std::optional<std::string> askAgent(std::uint16_t port, protocol::RequestKind kind, int timeoutMs,
                                    const dmrctl::TlsOptions &tls, std::string *error = nullptr);

class Supervisor
{
public:
    // `stop` is the lab's signal flag: a wait ends early once it is set.
    Supervisor(const LabOptions &options, const std::optional<NetnsLabPlan> &netns,
               LabSecretFiles secrets, dmrctl::TlsOptions clientTls,
               const volatile std::sig_atomic_t &stop);
    ~Supervisor();
    Supervisor(const Supervisor &) = delete;
    Supervisor &operator=(const Supervisor &) = delete;

    // With --membership etcd and no --etcd-endpoints: starts etcd and waits until it serves its
    // JSON gateway (30 s at most); with --netns, a cluster of --etcd-members in the nodes'
    // namespaces, until every member is healthy (60 s at most). False, with the reason printed,
    // when it does not come up. True at once when there is no etcd to start.
    bool startEtcd();
    // The agents' etcd: --etcd-endpoints, or the one startEtcd started.
    const std::string &etcdEndpoints() const { return etcdEndpoints_; }

    // Starts every agent in the join order, each joined before the next. False, with the reason
    // printed, when one does not join within --join-timeout-ms; true when the lab's stop flag
    // ended the start early.
    bool startAgents();
    // A line for each agent that exited on its own since the last call.
    void reapExited();
    // Agents, then etcd. Idempotent.
    void stop();

    const std::vector<LabAgent> &agents() const { return agents_; }
    // get-state of one agent, typed; nullopt when it does not answer in time or its reply does
    // not read (`error` says which).
    std::optional<reply::State> state(const LabAgent &agent, int timeoutMs,
                                      std::string *error = nullptr) const;

private:
    std::vector<std::string> agentCommand(const LabAgent &agent) const;

    const LabOptions &options_;
    const std::optional<NetnsLabPlan> &netns_;
    LabSecretFiles secrets_;
    dmrctl::TlsOptions clientTls_;
    const volatile std::sig_atomic_t &stop_;
    std::vector<LabAgent> agents_;
    std::string peers_; // every agent's --cluster.peers
    bool startEtcdCluster(const std::string &etcd);

    std::string etcdEndpoints_;
    pid_t etcdPid_ = -1;
    // --netns: the etcd cluster in the namespaces, and each agent's endpoints (its node's first).
    std::optional<EtcdClusterPlan> etcdCluster_;
    std::vector<pid_t> etcdMemberPids_;
    std::vector<std::string> etcdDataDirs_; // removed when the lab stops
};

} // namespace dmr::lab
