// dmr-lab: a whole DMR cluster on one machine. It starts one dmr-agent process per node of a
// topology file, on 127.0.0.1, with the topology's interfaces configured, in the file's join
// order (each agent must be in the view before the next starts, so the join order, and with it
// every leader, is exactly the file's), then prints a live status table. Ctrl-C stops every
// agent; agents die with the lab even if it is killed (PR_SET_PDEATHSIG).
//
// With --netns (root) the topology is built for real (netns_lab.h): a namespace per node, a
// bridge per network (in IPv4, IPv6 or both), a router that forwards unicast only; each agent
// runs in its node's namespace with the OS's interfaces, its membership port on its first
// address (in brackets when it is IPv6: [fd00:1::2]:18400), its control port
// on 127.0.0.1 there, which dmr-lab proxies to the same port on the host's 127.0.0.1
// (control_proxy.h). Ctrl-C removes the namespaces too; after a crash (kill -9 of dmr-lab),
// `dmr-lab --netns --cleanup --lab NAME` (or with the topology file) removes what is left.
//
//   dmr-lab resources/topologies/fig5.json
//   dmr-lab resources/topologies/fig1.json --base-port 20000 --table leaders
//   dmr-lab --netns resources/topologies/fig5.json
//   dmr-lab --netns --cleanup --lab fig5
//
// The relay runs in loopback mode by default (--relay loopback): every network of the topology
// is a multicast group on 127.0.0.1 (relay::loopbackSegment of the cluster name and the
// network), the agents' tunnel ports are BASE+2000+i, and each agent probes every network once
// a second, so `dmrctl reachability` shows the whole matrix without root. With --netns it runs
// in os mode (the namespaces' real interfaces) by default. --relay off runs the agents without a
// data plane, as before.
//
//   dmr-lab resources/topologies/fig5.json --membership etcd
//
// With --membership etcd the lab starts its own etcd (Debian's etcd-server) on 127.0.0.1, client
// port BASE+3000 and peer port BASE+3001, its data in the log folder, and points every agent at
// it; it stops etcd after the agents. --etcd-endpoints uses an etcd that runs already instead.
//
//   dmr-lab --netns resources/topologies/fig5.json --membership etcd [--etcd-members 3]
//
// With --netns, etcd runs as hosts would run it: a cluster of --etcd-members (default 3), one
// member in the namespace of each of the first nodes of the join order, on its first address
// (client port 2379, peer port 2380, netns_lab.h's planEtcdCluster), and every agent gets all of
// them, its own node's first.
//
// Secrets never go on an agent's command line (readable by every user in /proc/PID/cmdline): the
// lab writes the cluster key and the operator token into files of mode 0600 in a private folder
// (--secrets-dir, default a new /tmp/dmr-lab-secrets-XXXXXX, removed when the lab stops, by a
// child process that outlives a kill -9 of the lab for that) and
// passes their paths. With --tls it also makes a throwaway CA there (lab_secrets.h), runs every
// agent's control port in TLS 1.3 with client certificates asked for (operator.pem is an
// operator's), and its own status table speaks TLS with the CA:
//
//   dmr-lab resources/topologies/fig5.json --tls
//   dmrctl --connect 127.0.0.1:18400 --tls-ca /tmp/dmr-lab-secrets-XXXXXX/ca.pem cluster
//
// This file is the wiring: options.h reads the command line, the secrets and the namespaces are
// made here, supervisor.h starts and stops the processes (etcd, the agents in join order) and
// status_table.h draws the table from what the agents answer.

#include "control_proxy.h"
#include "lab_secrets.h"
#include "netns_lab.h"
#include "options.h"
#include "status_table.h"
#include "supervisor.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using namespace dmr::lab;

volatile std::sig_atomic_t g_stop = 0;

void onSignal(int)
{
    g_stop = 1;
}

// A kill -9 of the lab runs no destructor: a child that waits for the lab's death
// (PR_SET_PDEATHSIG) removes the secret files and their folder then. After a normal stop the lab
// has removed them already, and the child finds nothing. False when it cannot be forked. (Not
// launch.h's launch(): this child runs no program, it only waits and unlinks.)
bool startSecretsReaper(const std::vector<std::string> &files, const std::string &dir)
{
    const pid_t lab = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
        return false;
    if (pid != 0)
        return true;
    sigset_t wait;
    ::sigemptyset(&wait);
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        ::sigaddset(&wait, sig);
    ::sigprocmask(SIG_BLOCK, &wait, nullptr);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() == lab) {
        int sig = 0;
        ::sigwait(&wait, &sig);
    }
    for (const auto &f : files)
        ::unlink(f.c_str());
    if (!dir.empty())
        ::rmdir(dir.c_str());
    ::_exit(0);
}

int cleanupLab(const std::string &lab, const std::string &stateDir)
{
    ProcessRunner runner;
    const auto report = teardownNetnsLab(lab, runner, stateDir);
    for (const auto pid : report.processesKilled)
        std::cout << "dmr-lab: killed process " << pid << " left in lab " << lab << "\n";
    for (const auto &ns : report.namespacesRemoved)
        std::cout << "dmr-lab: removed namespace " << ns << "\n";
    for (const auto &e : report.errors)
        std::cerr << "dmr-lab: cleanup of lab " << lab << ": " << e << "\n";
    if (report.errors.empty())
        std::cout << "dmr-lab: lab " << lab << " is gone ("
                  << (report.namespacesRemoved.empty()
                          ? "nothing was left"
                          : std::to_string(report.namespacesRemoved.size()) + " namespaces removed")
                  << ")" << std::endl;
    return report.errors.empty() ? 0 : 1;
}

// Every lab with a state file in stateDir.
std::vector<std::string> labsIn(const std::string &stateDir)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto &e : std::filesystem::directory_iterator(stateDir, ec)) {
        const auto name = e.path().filename().string();
        if (e.path().extension() == ".json")
            out.push_back(name.substr(0, name.size() - 5));
    }
    std::sort(out.begin(), out.end());
    return out;
}

int cleanup(const LabOptions &o)
{
    if (!o.labName.empty())
        return cleanupLab(o.labName, o.stateDir);
    const auto labs = labsIn(o.stateDir);
    if (labs.empty())
        std::cout << "dmr-lab: no lab state files in " << o.stateDir << "; nothing to clean up"
                  << std::endl;
    int rc = 0;
    for (const auto &l : labs)
        rc |= cleanupLab(l, o.stateDir);
    return rc;
}

// How to reach the lab, once every agent joined.
void printWelcome(const LabOptions &o, const std::vector<LabAgent> &agents,
                  const std::optional<NetnsLabPlan> &lab, const std::optional<LabTls> &labTls)
{
    const std::string tlsArgs = labTls ? " --tls-ca " + labTls->caCert : std::string();
    std::cout
        << "dmr-lab: all " << agents.size() << " agents joined. Control ports "
        << agents.front().controlPort << "-" << agents.back().controlPort << " (node "
        << agents.front().id << " first)" << (lab ? ", proxied into the namespaces" : "")
        << (labTls ? ", TLS 1.3 (CA " + labTls->caCert + ")" : std::string()) << "; for example:\n"
        << "  dmrctl --connect 127.0.0.1:" << agents.front().controlPort << tlsArgs
        << " cluster\n  dmrctl --connect 127.0.0.1:" << agents.front().controlPort << tlsArgs
        << " --token " << o.token << " drill kill " << agents.front().id
        << " --reason test --duration-ms 5000\n"
        << (labTls ? "  dmrctl --connect 127.0.0.1:" + std::to_string(agents.front().controlPort) +
                         tlsArgs + " --tls-cert " + labTls->operatorCert + " --tls-key " +
                         labTls->operatorKey + " drills   (an operator by its certificate)\n"
                   : std::string())
        << (o.relayMode == "off"
                ? std::string()
                : "  dmrctl --connect 127.0.0.1:" + std::to_string(agents.front().controlPort) +
                      tlsArgs + " reachability   (who hears whom; relay in " + o.relayMode +
                      " mode)\n")
        << (o.relayMode == "loopback" ? "  dmr-segment send --cluster " + o.clusterName +
                                            " --network NETWORK --count 3   (send on a network)\n"
                                      : std::string());
    if (lab)
        std::cout << "  ip netns exec " << lab->nodes.at(agents.back().id).netns << " "
                  << besideSelf("dmr-mcast")
                  // An IPv6-only node has no IPv4 route for 239.1.0.7: an IPv6 group there.
                  << (lab->nodes.at(agents.back().id).address.find(':') == std::string::npos
                          ? " send --group 239.1.0.7 --port 5007 --count 100   (send on node "
                          : " send --group ff15::1:7 --port 5007 --iface eth0 --count 100   (send "
                            "on node ")
                  << agents.back().id << "'s network)\n"
                  << "Namespaces: " << lab->switchNs << " (bridges br0-br"
                  << lab->bridges.size() - 1 << "), " << lab->routerNs << " (the unicast router), "
                  << namespacePrefix(lab->lab) << "nID (node ID); "
                  << "a shell on node " << agents.back().id << ": ip netns exec "
                  << lab->nodes.at(agents.back().id).netns << " bash\n"
                  << "If dmr-lab dies without Ctrl-C: dmr-lab --netns --cleanup --lab " << o.labName
                  << "\n";
    std::cout << "Ctrl-C stops every agent" << (lab ? " and removes the namespaces." : ".")
              << std::endl;
}

} // namespace

int main(int argc, char **argv)
{
    auto parsed = parseOptions(argc, argv);
    if (const int *rc = std::get_if<int>(&parsed))
        return *rc;
    LabOptions &o = std::get<LabOptions>(parsed);
    if (o.cleanup)
        return cleanup(o);
    const dmr::TopologyFile &topo = *o.topology;
    if (o.logDir.empty()) {
        char tmpl[] = "/tmp/dmr-lab-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) {
            std::cerr << "dmr-lab: mkdtemp: " << std::strerror(errno) << "\n";
            return 1;
        }
        o.logDir = tmpl;
    }
    // The secrets: files of mode 0600 in a private folder, passed to the agents by path.
    bool madeSecretsDir = false;
    if (o.secretsDir.empty()) {
        char tmpl[] = "/tmp/dmr-lab-secrets-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) {
            std::cerr << "dmr-lab: mkdtemp: " << std::strerror(errno) << "\n";
            return 1;
        }
        o.secretsDir = tmpl;
        madeSecretsDir = true;
    } else {
        struct stat st
        {
        };
        madeSecretsDir = ::stat(o.secretsDir.c_str(), &st) != 0;
        if (auto made = makePrivateDir(o.secretsDir); !made) {
            std::cerr << "dmr-lab: --secrets-dir " << made.error().message << "\n";
            return 2;
        }
    }
    const std::string keyFile = o.secretsDir + "/cluster.key";
    const std::string tokenFile = o.secretsDir + "/operator.token";
    std::vector<std::string> secretFiles = {keyFile, tokenFile};
    // However the lab ends from here on, the secrets go with it.
    struct RemoveSecrets
    {
        const std::vector<std::string> &files;
        const std::string &dir;
        bool removeDir;
        ~RemoveSecrets()
        {
            for (const auto &f : files)
                ::unlink(f.c_str());
            if (removeDir)
                ::rmdir(dir.c_str());
        }
    } removeSecrets{secretFiles, o.secretsDir, madeSecretsDir};
    for (const auto &[path, value] : {std::pair{keyFile, o.key}, std::pair{tokenFile, o.token}})
        if (auto written = writePrivateFile(path, value + "\n"); !written) {
            std::cerr << "dmr-lab: " << written.error().message << "\n";
            return 1;
        }
    std::optional<LabTls> labTls;
    dmrctl::TlsOptions clientTls;
    if (o.tls) {
        auto made = makeLabTls(o.secretsDir, {}, "dmr-lab-operator");
        if (!made) {
            std::cerr << "dmr-lab: --tls: " << made.error().message << "\n";
            return 1;
        }
        labTls = *made;
        for (const auto &f : {labTls->caCert, labTls->agentCert, labTls->agentKey,
                              labTls->operatorCert, labTls->operatorKey})
            secretFiles.push_back(f);
        clientTls.caFile = labTls->caCert;
    }
    if (!startSecretsReaper(secretFiles, madeSecretsDir ? o.secretsDir : std::string()))
        std::cerr << "dmr-lab: note: cannot fork the process that removes the secrets if the lab "
                     "is killed: "
                  << std::strerror(errno) << "\n";

    struct sigaction sa
    {
    };
    sa.sa_handler = onSignal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    // --netns: build the namespaces and the control proxy first.
    std::optional<NetnsLabPlan> lab;
    std::unique_ptr<ControlProxy> proxy;
    ProcessRunner runner;
    if (o.netns) {
        auto plan = planNetnsLab(topo, o.labName);
        if (!plan) {
            std::cerr << "dmr-lab: " << o.topologyPath << ": " << plan.error().message << "\n";
            return 2;
        }
        lab = *plan;
        const std::string statePath = stateFilePath(o.stateDir, o.labName);
        if (auto st = readState(statePath); st) {
            if (st->ownerPid > 0 && ::kill(static_cast<pid_t>(st->ownerPid), 0) == 0) {
                std::cerr << "dmr-lab: lab " << o.labName << " is running (dmr-lab process "
                          << st->ownerPid << ", " << statePath
                          << "); stop it, or pick another --lab\n";
                return 1;
            }
            std::cout << "dmr-lab: lab " << o.labName << " was left behind by process "
                      << st->ownerPid << "; removing it first" << std::endl;
            if (cleanupLab(o.labName, o.stateDir) != 0)
                return 1;
        }
        std::cout << "dmr-lab: building lab " << o.labName << " in network namespaces ("
                  << lab->commands.size() << " steps)" << std::endl;
        if (auto built = buildNetnsLab(*lab, runner, o.stateDir, ::getpid()); !built) {
            std::cerr << "dmr-lab: " << built.error().message << "\n";
            cleanupLab(o.labName, o.stateDir);
            return 1;
        }
    }

    Supervisor supervisor(o, lab, LabSecretFiles{keyFile, tokenFile, labTls}, clientTls, g_stop);
    if (!supervisor.startEtcd())
        return 1;
    const auto &agents = supervisor.agents();
    if (lab) {
        std::vector<ControlProxy::Route> routes;
        for (const auto &a : agents)
            routes.push_back({a.controlPort, lab->nodes.at(a.id).netns});
        auto started = ControlProxy::start(routes);
        if (!started) {
            std::cerr << "dmr-lab: " << started.error().message
                      << " (another lab on these ports? try --base-port)\n";
            supervisor.stop();
            cleanupLab(o.labName, o.stateDir);
            return 1;
        }
        proxy = std::move(started).value();
    }
    auto finish = [&](int rc) {
        supervisor.stop();
        if (proxy && (proxy->connectionsRefused() != 0 || proxy->upstreamFailures() != 0))
            std::cout << "dmr-lab: control proxy: " << proxy->connectionsRefused()
                      << " connections refused at the bound of " << ControlProxy::kConnectionsMax
                      << ", " << proxy->upstreamFailures()
                      << " that could not reach the agent in its namespace" << std::endl;
        proxy.reset();
        if (lab && cleanupLab(o.labName, o.stateDir) != 0)
            rc = 1;
        return rc;
    };

    std::cout << "dmr-lab: starting " << agents.size() << " agents of " << topo.name
              << " in join order; logs in " << o.logDir << std::endl;
    if (o.relayMode != "off") {
        std::string channels;
        for (const auto &c : o.channels)
            channels += (channels.empty() ? "" : ", ") + c;
        std::cout << "dmr-lab: relay in " << o.relayMode << " mode, channels " << channels
                  << std::endl;
    }
    if (!supervisor.startAgents())
        return finish(1);
    if (!g_stop)
        printWelcome(o, agents, lab, labTls);

    const bool tty = ::isatty(1) != 0;
    std::string last;
    while (!g_stop) {
        if (o.table != "none") {
            std::vector<AgentStatus> status;
            for (const auto &a : agents)
                status.push_back({a.id, a.pid > 0, supervisor.state(a, 500)});
            const std::string now = statusTable(status, o.table, topo.name);
            if (now != last) {
                if (tty)
                    std::cout << "\x1b[H\x1b[2J";
                std::cout << now << std::flush;
                last = now;
            }
        }
        if (o.once)
            break;
        // Agents that died on their own (a crash is worth a line).
        supervisor.reapExited();
        for (int i = 0; i < 10 && !g_stop; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::cout << "dmr-lab: stopping " << agents.size() << " agents" << std::endl;
    const int rc = finish(0);
    std::cout << "dmr-lab: stopped; no agent left running" << std::endl;
    return rc;
}
