// dmr-lab: a whole DMR cluster on one machine. It starts one dmr-agent process per node of a
// topology file, on 127.0.0.1, with the topology's interfaces configured, in the file's join
// order (each agent must be in the view before the next starts, so the join order, and with it
// every leader, is exactly the file's), then prints a live status table. Ctrl-C stops every
// agent; agents die with the lab even if it is killed (PR_SET_PDEATHSIG).
//
// With --netns (root) the topology is built for real (netns_lab.h): a namespace per node, a
// bridge per network, a router that forwards unicast only; each agent runs in its node's
// namespace with the OS's interfaces, its membership port on its first address, its control port
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

#include "clidoc_cli11.h"
#include "client.h"
#include "control_proxy.h"
#include "lab_secrets.h"
#include "netns_lab.h"

#include "dmr/protocol.h"
#include "dmr/topology.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_stop = 0;

void onSignal(int)
{
    g_stop = 1;
}

// The lab's own client of its agents' control ports: read-only, in TLS when the lab runs it.
dmrctl::TlsOptions g_tls;

// One request on a fresh connection to an agent's control port: hello, the request, the reply.
// Bounded in time and size; an error names the port and the reason.
std::optional<Json> ask(std::uint16_t port, dmr::protocol::RequestKind kind, int timeoutMs,
                        std::string *error = nullptr)
{
    dmrctl::ClientOptions options;
    options.addresses.push_back(
        dmrctl::Address{"127.0.0.1", port, "127.0.0.1:" + std::to_string(port)});
    options.timeout = std::chrono::milliseconds(timeoutMs);
    options.clientName = std::string("dmr-lab ") + DMR_VERSION;
    options.tls = g_tls;
    std::vector<std::string> tried;
    auto client = dmrctl::Client::connect(options, 0, tried);
    if (!client) {
        if (error != nullptr)
            *error = client.failure().message;
        return std::nullopt;
    }
    dmr::protocol::Request request;
    request.kind = kind;
    auto result = client->call(request);
    if (!result) {
        if (error != nullptr)
            *error = "127.0.0.1:" + std::to_string(port) + ": " + result.failure().message;
        return std::nullopt;
    }
    // The client keeps the agent's field order; the lab reads fields by name.
    return Json::parse(result->dump());
}

struct Agent
{
    std::string id;
    pid_t pid = -1;
    std::uint16_t membershipPort = 0;
    std::uint16_t controlPort = 0;
    std::string logPath;
};

// A kill -9 of the lab runs no destructor: a child that waits for the lab's death
// (PR_SET_PDEATHSIG) removes the secret files and their folder then. After a normal stop the lab
// has removed them already, and the child finds nothing. False when it cannot be forked.
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

std::string ipCommand()
{
    for (const char *p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
        if (::access(p, X_OK) == 0)
            return p;
    return "ip";
}

pid_t spawn(const std::vector<std::string> &args, const std::string &logPath)
{
    const pid_t pid = ::fork();
    if (pid != 0)
        return pid;
    // The child: die with the lab, log to a file, become dmr-agent.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log >= 0) {
        ::dup2(log, 1);
        ::dup2(log, 2);
    }
    std::vector<char *> argv;
    for (const auto &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "dmr-lab: exec %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
}

std::string besideSelf(const std::string &name)
{
    char self[4096] = {};
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return name;
    std::string path(self, static_cast<std::size_t>(n));
    return path.substr(0, path.rfind('/') + 1) + name;
}

void stopAll(std::vector<Agent> &agents)
{
    for (auto &a : agents)
        if (a.pid > 0)
            ::kill(a.pid, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(3);
    for (auto &a : agents) {
        while (a.pid > 0) {
            const pid_t r = ::waitpid(a.pid, nullptr, WNOHANG);
            if (r == a.pid || r < 0) {
                a.pid = -1;
                break;
            }
            if (Clock::now() > deadline) {
                ::kill(a.pid, SIGKILL);
                ::waitpid(a.pid, nullptr, 0);
                a.pid = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
}

// The etcd binary: on PATH, or Debian's /usr/bin/etcd; empty when neither.
std::string findEtcd()
{
    if (const char *path = std::getenv("PATH")) {
        std::stringstream dirs(path);
        std::string dir;
        while (std::getline(dirs, dir, ':'))
            if (!dir.empty() && ::access((dir + "/etcd").c_str(), X_OK) == 0)
                return dir + "/etcd";
    }
    return ::access("/usr/bin/etcd", X_OK) == 0 ? "/usr/bin/etcd" : "";
}

// GET /health on 127.0.0.1:port (of a lab namespace when netns is given): true once etcd says
// {"health":"true"} (a member says so once its cluster has a leader).
bool etcdHealthy(std::uint16_t port, const std::string &netns = {})
{
    const int fd = netns.empty() ? ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)
                                 : dmr::lab::ControlProxy::socketInNetns(netns, SOCK_STREAM);
    if (fd < 0)
        return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string reply;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
        const std::string req = "GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
            char buf[4096];
            const auto deadline = Clock::now() + std::chrono::milliseconds(1000);
            while (Clock::now() < deadline && reply.size() < 64 * 1024) {
                pollfd p{fd, POLLIN, 0};
                if (::poll(&p, 1, 100) <= 0)
                    continue;
                const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n <= 0)
                    break;
                reply.append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    ::close(fd);
    return reply.find("\"health\":\"true\"") != std::string::npos;
}

void stopProcess(pid_t &pid)
{
    if (pid <= 0)
        return;
    ::kill(pid, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid, nullptr, WNOHANG) == 0) {
        if (Clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid = -1;
}

std::string namespacePrefixOf(const dmr::lab::NetnsLabPlan &lab)
{
    return dmr::lab::namespacePrefix(lab.lab);
}

std::string pad(std::string s, std::size_t width)
{
    if (s.size() > width)
        s = s.substr(0, width - 1) + "~";
    return s + std::string(width - s.size(), ' ');
}

std::string statusTable(const std::vector<Agent> &agents, const std::string &mode,
                        const std::string &topologyName)
{
    std::ostringstream out;
    int up = 0;
    std::map<std::string, int> views;
    std::string systemLeader = "?";
    std::ostringstream rows;
    rows << pad("node", 8) << pad("role", 15) << pad("view", 8) << pad("leads", 34) << "tunnels\n";
    for (const auto &a : agents) {
        std::string err;
        auto s = ask(a.controlPort, dmr::protocol::RequestKind::GetState, 500, &err);
        if (!s) {
            if (mode == "all" || mode == "leaders")
                rows << pad(a.id, 8) << pad(a.pid > 0 ? "no answer" : "stopped", 15) << "\n";
            continue;
        }
        ++up;
        ++views[s->value("view_id", "?")];
        const std::string role = s->value("role", "?");
        if (role == "system-leader")
            systemLeader = a.id;
        if (mode == "leaders" && role != "system-leader" && role != "group-leader")
            continue;
        std::string leads;
        for (const auto &g : s->value("leads", Json::array()))
            leads += (leads.empty() ? "" : " ") + g.get<std::string>();
        std::string tunnels;
        for (const auto &t : s->value("tunnels", Json::array()))
            tunnels += (tunnels.empty() ? "" : " ") + t["root"]["node"].get<std::string>() + "-" +
                       t["leaf"]["node"].get<std::string>();
        rows << pad(a.id, 8) << pad(role, 15) << pad(s->value("view_id", "?"), 8)
             << pad(leads.empty() ? "-" : leads, 34) << (tunnels.empty() ? "-" : tunnels) << "\n";
    }
    out << "dmr-lab " << topologyName << ": " << up << "/" << agents.size()
        << " agents answering, system leader " << systemLeader << ", "
        << (views.size() == 1 ? "all in one view" : std::to_string(views.size()) + " views") << "\n"
        << rows.str();
    return out.str();
}

} // namespace

namespace {

int cleanupLab(const std::string &lab, const std::string &stateDir)
{
    dmr::lab::ProcessRunner runner;
    const auto report = dmr::lab::teardownNetnsLab(lab, runner, stateDir);
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

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"dmr-lab: runs a whole DMR cluster on this machine, one dmr-agent per node of a "
                 "topology file, on 127.0.0.1 or (--netns) in network namespaces"};
    app.set_version_flag("--version", std::string("dmr-lab ") + DMR_VERSION);
    std::string topologyPath;
    int basePort = 17400;
    std::string key = "dmr-lab-cluster-key-0001";
    std::string token = "dmr-lab-operator-token";
    std::string agentPath = besideSelf("dmr-agent");
    std::string logDir;
    std::string table = "all";
    int heartbeatMs = 100;
    int misses = 3;
    bool once = false;
    int joinTimeoutMs = 10000;
    bool netns = false;
    bool cleanup = false;
    std::string labName;
    std::string stateDir = dmr::lab::defaultStateDir();
    std::vector<std::string> agentArgs;
    std::string relayMode; // default: loopback, or os with --netns
    std::string clusterName;
    std::vector<std::string> channels; // default: by relay mode, below
    int probeIntervalMs = 1000;
    std::string membership = "embedded";
    std::string etcdEndpoints;
    int etcdTtlS = 2;
    int etcdMembers = 0; // default: 3 with --netns, 1 without
    bool tls = false;
    std::string secretsDir;
    app.add_option("topology", topologyPath, "Topology JSON file (resources/topologies/*.json)")
        ->check(CLI::ExistingFile);
    app.add_option("--base-port", basePort,
                   "Membership ports are BASE+i, control ports BASE+1000+i (i: node index)")
        ->check(CLI::Range(1024, 60000));
    app.add_option("--key", key, "Cluster key (16 bytes or more)");
    app.add_option("--token", token,
                   "Operator token the agents accept for drills (default: $DMR_TOKEN, else "
                   "dmr-lab-operator-token); the environment keeps it off the command line");
    app.add_option("--agent", agentPath, "The dmr-agent binary")->check(CLI::ExistingFile);
    app.add_option("--log-dir", logDir, "Where agent logs go (default: a new temporary folder)");
    app.add_option("--table", table, "Status table: all, leaders, none")
        ->check(CLI::IsMember({"all", "leaders", "none"}));
    app.add_option("--heartbeat-ms", heartbeatMs, "Heartbeat interval")
        ->check(CLI::Range(10, 10000));
    app.add_option("--misses", misses, "Heartbeats missed before failure")
        ->check(CLI::Range(1, 100));
    app.add_option("--join-timeout-ms", joinTimeoutMs, "How long one agent may take to join");
    app.add_flag("--once", once, "Start, print the table once, stop everything, exit");
    app.add_flag("--netns", netns,
                 "Build the topology in network namespaces (root): a namespace per node, a bridge "
                 "per network, a router that forwards unicast only; agents use the OS's "
                 "interfaces");
    app.add_flag("--cleanup", cleanup,
                 "With --netns: remove what a lab left (namespaces, processes in them, its state "
                 "file), e.g. after dmr-lab was killed; without --lab or a topology, every lab "
                 "with a state file");
    app.add_option("--lab", labName,
                   "With --netns: the lab's name, 1-12 of [a-z0-9] (default: the topology's name); "
                   "its namespaces are dmr-NAME-*");
    app.add_option("--state-dir", stateDir, "With --netns: where labs record what they made");
    app.add_option("--agent-arg", agentArgs,
                   "An extra argument for every agent, e.g. --agent-arg=--relay.mode "
                   "--agent-arg=os (repeatable; after dmr-lab's own, so it wins)")
        ->allow_extra_args(false);
    app.add_option("--relay", relayMode,
                   "The agents' relay: loopback (every network a multicast group on 127.0.0.1; "
                   "the default), os (the real interfaces; the default with --netns), or off")
        ->check(CLI::IsMember({"loopback", "os", "off"}));
    app.add_option("--cluster-name", clusterName,
                   "Cluster name (default: the topology's); it also picks the loopback segments, "
                   "so two labs with different names do not hear each other");
    app.add_option("--channels", channels,
                   "Channels the relay carries (default: 239.1.0.0/16:5000-5100 in loopback mode; "
                   "239.1.0.0/24:5000-5100 in os mode, which joins every group of the range on "
                   "every routed interface, at most 1024 joins)")
        ->delimiter(',');
    app.add_option("--probe-interval-ms", probeIntervalMs, "Reachability probe interval; 0: off")
        ->check(CLI::Range(0, 60000));
    app.add_option("--membership", membership,
                   "Membership backend: embedded, or etcd (the lab starts an etcd on BASE+3000 "
                   "unless --etcd-endpoints names one)")
        ->check(CLI::IsMember({"embedded", "etcd"}));
    app.add_option("--etcd-endpoints", etcdEndpoints,
                   "HOST:PORT,... of a running etcd to use instead of starting one");
    app.add_option("--etcd-ttl-s", etcdTtlS, "etcd lease TTL: a killed agent is out after this")
        ->check(CLI::Range(2, 3600));
    app.add_option("--etcd-members", etcdMembers,
                   "With --membership etcd and no --etcd-endpoints: etcd members the lab starts "
                   "(with --netns: one in each of the first nodes' namespaces, on their first "
                   "addresses, default 3; without: 1 on 127.0.0.1)")
        ->check(CLI::Range(1, dmr::lab::kEtcdMembersMax));
    app.add_flag("--tls", tls,
                 "Make a throwaway CA in the secrets folder and run the agents' control ports in "
                 "TLS 1.3 (client certificates asked for; operator.pem is an operator's); clients "
                 "need --tls-ca SECRETS/ca.pem");
    app.add_option("--secrets-dir", secretsDir,
                   "A private folder (0700) for the cluster key, the operator token and the TLS "
                   "files, passed to the agents by path (default: a new /tmp/dmr-lab-secrets-*, "
                   "removed when the lab stops)");
    if (auto rc = dmr::clidoc::printIfAsked(app, "dmr-lab", DMR_VERSION, argc, argv))
        return *rc;
    CLI11_PARSE(app, argc, argv);
    if (app.count("--token") == 0)
        if (const char *fromEnv = std::getenv("DMR_TOKEN"); fromEnv != nullptr && *fromEnv != 0)
            token = fromEnv;

    if (relayMode.empty())
        relayMode = netns ? "os" : "loopback";
    if (channels.empty())
        channels = {relayMode == "os" ? "239.1.0.0/24:5000-5100" : "239.1.0.0/16:5000-5100"};
    if (netns && relayMode == "loopback") {
        std::cerr << "dmr-lab: --relay loopback does not work with --netns (each namespace has a "
                     "127.0.0.1 of its own); use os or off\n";
        return 2;
    }

    if (etcdMembers == 0)
        etcdMembers = netns ? 3 : 1;
    if (!netns && etcdMembers != 1) {
        std::cerr << "dmr-lab: --etcd-members " << etcdMembers
                  << " needs --netns (a member per node namespace); on loopback the lab runs one\n";
        return 2;
    }

    if (cleanup && !netns) {
        std::cerr
            << "dmr-lab: --cleanup goes with --netns (a loopback lab leaves nothing behind)\n";
        return 2;
    }
    if (netns && ::geteuid() != 0) {
        std::cerr << "dmr-lab: --netns needs root (network namespaces, bridges and veths); euid is "
                  << ::geteuid() << "\n";
        return 2;
    }
    std::optional<dmr::TopologyFile> topo;
    if (!topologyPath.empty()) {
        std::ifstream in(topologyPath);
        std::stringstream text;
        text << in.rdbuf();
        auto parsed = dmr::parseTopology(text.str());
        if (!parsed) {
            std::cerr << "dmr-lab: " << topologyPath << ": " << parsed.error().message << "\n";
            return 2;
        }
        topo = *parsed;
    } else if (!cleanup) {
        std::cerr << "dmr-lab: a topology file is required (resources/topologies/fig5.json)\n";
        return 2;
    }
    if (netns && labName.empty() && topo)
        labName = topo->name;
    if (netns && !labName.empty()) {
        auto ok = dmr::lab::checkLabName(labName);
        if (!ok) {
            std::cerr << "dmr-lab: " << ok.error().message
                      << (topo && labName == topo->name ? " (from the topology's name; give --lab)"
                                                        : "")
                      << "\n";
            return 2;
        }
    }
    if (cleanup) {
        if (!labName.empty())
            return cleanupLab(labName, stateDir);
        const auto labs = labsIn(stateDir);
        if (labs.empty())
            std::cout << "dmr-lab: no lab state files in " << stateDir << "; nothing to clean up"
                      << std::endl;
        int rc = 0;
        for (const auto &l : labs)
            rc |= cleanupLab(l, stateDir);
        return rc;
    }
    if (clusterName.empty())
        clusterName = topo->name;
    if (basePort + 3001 > 65535 ||
        basePort + 2000 + static_cast<int>(topo->joinOrder.size()) > 65535) {
        std::cerr << "dmr-lab: --base-port " << basePort << " leaves no room for "
                  << topo->joinOrder.size() << " nodes\n";
        return 2;
    }
    if (logDir.empty()) {
        char tmpl[] = "/tmp/dmr-lab-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) {
            std::cerr << "dmr-lab: mkdtemp: " << std::strerror(errno) << "\n";
            return 1;
        }
        logDir = tmpl;
    }

    // The secrets: files of mode 0600 in a private folder, passed to the agents by path.
    bool madeSecretsDir = false;
    if (secretsDir.empty()) {
        char tmpl[] = "/tmp/dmr-lab-secrets-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) {
            std::cerr << "dmr-lab: mkdtemp: " << std::strerror(errno) << "\n";
            return 1;
        }
        secretsDir = tmpl;
        madeSecretsDir = true;
    } else {
        struct stat st
        {
        };
        madeSecretsDir = ::stat(secretsDir.c_str(), &st) != 0;
        if (auto made = dmr::lab::makePrivateDir(secretsDir); !made) {
            std::cerr << "dmr-lab: --secrets-dir " << made.error().message << "\n";
            return 2;
        }
    }
    const std::string keyFile = secretsDir + "/cluster.key";
    const std::string tokenFile = secretsDir + "/operator.token";
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
    } removeSecrets{secretFiles, secretsDir, madeSecretsDir};
    for (const auto &[path, value] : {std::pair{keyFile, key}, std::pair{tokenFile, token}})
        if (auto written = dmr::lab::writePrivateFile(path, value + "\n"); !written) {
            std::cerr << "dmr-lab: " << written.error().message << "\n";
            return 1;
        }
    std::optional<dmr::lab::LabTls> labTls;
    if (tls) {
        auto made = dmr::lab::makeLabTls(secretsDir, {}, "dmr-lab-operator");
        if (!made) {
            std::cerr << "dmr-lab: --tls: " << made.error().message << "\n";
            return 1;
        }
        labTls = *made;
        for (const auto &f : {labTls->caCert, labTls->agentCert, labTls->agentKey,
                              labTls->operatorCert, labTls->operatorKey})
            secretFiles.push_back(f);
        g_tls.caFile = labTls->caCert;
    }
    if (!startSecretsReaper(secretFiles, madeSecretsDir ? secretsDir : std::string()))
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

    // etcd, when asked for and not given: one member on loopback, its data in the log folder.
    pid_t etcdPid = -1;
    if (membership == "etcd" && etcdEndpoints.empty() && !netns) {
        const std::string etcd = findEtcd();
        if (etcd.empty()) {
            std::cerr << "dmr-lab: --membership etcd: no etcd binary on PATH or in /usr/bin "
                         "(./dmr installs Debian's etcd-server)\n";
            return 1;
        }
        const auto clientPort = static_cast<std::uint16_t>(basePort + 3000);
        const std::string client = "http://127.0.0.1:" + std::to_string(clientPort);
        const std::string peer = "http://127.0.0.1:" + std::to_string(basePort + 3001);
        const std::string data = logDir + "/etcd-data";
        etcdPid = spawn({etcd, "--name", "dmr-lab", "--data-dir", data, "--listen-client-urls",
                         client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                         "--initial-advertise-peer-urls", peer, "--initial-cluster",
                         "dmr-lab=" + peer, "--log-level", "warn"},
                        logDir + "/etcd.log");
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        bool up = false;
        while (!g_stop && Clock::now() < deadline) {
            if (etcdHealthy(clientPort)) {
                up = true;
                break;
            }
            if (::waitpid(etcdPid, nullptr, WNOHANG) == etcdPid) {
                etcdPid = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (!up) {
            // Its last line usually says why ("bind: address already in use").
            std::ifstream log(logDir + "/etcd.log");
            std::string line;
            std::string last;
            while (std::getline(log, line))
                if (!line.empty())
                    last = line;
            std::cerr << "dmr-lab: etcd did not come up on " << client << " (" << last << "); see "
                      << logDir << "/etcd.log; --base-port moves its ports\n";
            stopProcess(etcdPid);
            return 1;
        }
        etcdEndpoints = "127.0.0.1:" + std::to_string(clientPort);
        std::cout << "dmr-lab: etcd " << etcd << " up on " << client << " (data in " << data << ")"
                  << std::endl;
    }
    // --netns: build the namespaces and the control proxy first.
    std::optional<dmr::lab::NetnsLabPlan> lab;
    std::unique_ptr<dmr::lab::ControlProxy> proxy;
    dmr::lab::ProcessRunner runner;
    if (netns) {
        auto plan = dmr::lab::planNetnsLab(*topo, labName);
        if (!plan) {
            std::cerr << "dmr-lab: " << topologyPath << ": " << plan.error().message << "\n";
            return 2;
        }
        lab = *plan;
        const std::string statePath = dmr::lab::stateFilePath(stateDir, labName);
        if (auto st = dmr::lab::readState(statePath); st) {
            if (st->ownerPid > 0 && ::kill(static_cast<pid_t>(st->ownerPid), 0) == 0) {
                std::cerr << "dmr-lab: lab " << labName << " is running (dmr-lab process "
                          << st->ownerPid << ", " << statePath
                          << "); stop it, or pick another --lab\n";
                return 1;
            }
            std::cout << "dmr-lab: lab " << labName << " was left behind by process "
                      << st->ownerPid << "; removing it first" << std::endl;
            if (cleanupLab(labName, stateDir) != 0)
                return 1;
        }
        std::cout << "dmr-lab: building lab " << labName << " in network namespaces ("
                  << lab->commands.size() << " steps)" << std::endl;
        if (auto built = dmr::lab::buildNetnsLab(*lab, runner, stateDir, ::getpid()); !built) {
            std::cerr << "dmr-lab: " << built.error().message << "\n";
            cleanupLab(labName, stateDir);
            return 1;
        }
    }
    // --netns --membership etcd: an etcd cluster in the namespaces, as on real hosts.
    std::optional<dmr::lab::EtcdClusterPlan> etcdCluster;
    std::vector<pid_t> etcdMemberPids;
    if (lab && membership == "etcd" && etcdEndpoints.empty()) {
        auto stopMembers = [&] {
            for (auto &pid : etcdMemberPids)
                stopProcess(pid);
        };
        const std::string etcd = findEtcd();
        auto planned = dmr::lab::planEtcdCluster(*lab, topo->joinOrder, etcdMembers);
        if (etcd.empty() || !planned) {
            std::cerr << "dmr-lab: --membership etcd: "
                      << (etcd.empty() ? "no etcd binary on PATH or in /usr/bin (./dmr installs "
                                         "Debian's etcd-server)"
                                       : planned.error().message)
                      << "\n";
            cleanupLab(labName, stateDir);
            return 1;
        }
        etcdCluster = *planned;
        for (const auto &m : etcdCluster->members) {
            std::vector<std::string> args{ipCommand(), "netns", "exec", m.netns};
            for (auto &a : etcdCluster->argv(m, etcd, logDir + "/" + m.name + "-data"))
                args.push_back(std::move(a));
            etcdMemberPids.push_back(spawn(args, logDir + "/" + m.name + ".log"));
        }
        // Every member healthy: the cluster has a leader and each member follows it.
        const auto deadline = Clock::now() + std::chrono::seconds(60);
        std::size_t healthy = 0;
        while (!g_stop && Clock::now() < deadline && healthy < etcdCluster->members.size()) {
            healthy = 0;
            for (const auto &m : etcdCluster->members)
                healthy += etcdHealthy(dmr::lab::kEtcdClientPort, m.netns) ? 1 : 0;
            if (healthy < etcdCluster->members.size())
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (healthy < etcdCluster->members.size()) {
            std::cerr << "dmr-lab: the etcd cluster did not come up (" << healthy << " of "
                      << etcdCluster->members.size() << " members healthy); see " << logDir
                      << "/etcd-*.log\n";
            stopMembers();
            cleanupLab(labName, stateDir);
            return 1;
        }
        std::cout << "dmr-lab: etcd cluster of " << etcdCluster->members.size() << " members up:";
        for (std::size_t i = 0; i < etcdCluster->members.size(); ++i) {
            const auto &m = etcdCluster->members[i];
            std::cout << " " << m.name << " (" << m.endpoint << " in " << m.netns << ", pid "
                      << etcdMemberPids[i] << ")";
        }
        std::cout << std::endl;
    }

    // Ports by position in the join order.
    std::vector<Agent> agents;
    std::string peers;
    std::vector<dmr::lab::ControlProxy::Route> routes;
    for (std::size_t i = 0; i < topo->joinOrder.size(); ++i) {
        Agent a;
        a.id = topo->joinOrder[i];
        a.membershipPort = static_cast<std::uint16_t>(basePort + static_cast<int>(i));
        a.controlPort = static_cast<std::uint16_t>(basePort + 1000 + static_cast<int>(i));
        a.logPath = logDir + "/agent-" + a.id + ".log";
        const std::string host = lab ? lab->nodes.at(a.id).address : std::string("127.0.0.1");
        peers += (peers.empty() ? "" : ",") + host + ":" + std::to_string(a.membershipPort);
        if (lab)
            routes.push_back({a.controlPort, lab->nodes.at(a.id).netns});
        agents.push_back(a);
    }
    if (lab) {
        auto started = dmr::lab::ControlProxy::start(routes);
        if (!started) {
            std::cerr << "dmr-lab: " << started.error().message
                      << " (another lab on these ports? try --base-port)\n";
            cleanupLab(labName, stateDir);
            return 1;
        }
        proxy = std::move(started).value();
    }
    auto finish = [&](int rc) {
        stopAll(agents);
        if (etcdPid > 0) {
            stopProcess(etcdPid);
            std::cout << "dmr-lab: etcd stopped" << std::endl;
        }
        for (auto &pid : etcdMemberPids)
            stopProcess(pid);
        if (proxy && (proxy->connectionsRefused() != 0 || proxy->upstreamFailures() != 0))
            std::cout << "dmr-lab: control proxy: " << proxy->connectionsRefused()
                      << " connections refused at the bound of "
                      << dmr::lab::ControlProxy::kConnectionsMax << ", "
                      << proxy->upstreamFailures()
                      << " that could not reach the agent in its namespace" << std::endl;
        proxy.reset();
        if (lab && cleanupLab(labName, stateDir) != 0)
            rc = 1;
        return rc;
    };

    std::cout << "dmr-lab: starting " << agents.size() << " agents of " << topo->name
              << " in join order; logs in " << logDir << std::endl;
    for (auto &a : agents) {
        if (g_stop)
            break;
        std::vector<std::string> args;
        if (lab) {
            // The agent reads its interfaces from the OS of its namespace.
            const auto &place = lab->nodes.at(a.id);
            args = {ipCommand(),
                    "netns",
                    "exec",
                    place.netns,
                    agentPath,
                    "--node.id",
                    a.id,
                    "--membership.listen",
                    place.address + ":" + std::to_string(a.membershipPort)};
        } else {
            std::string ifaces;
            for (const auto &i : topo->nodes.at(a.id).interfaces)
                ifaces += (ifaces.empty() ? "" : ",") + i.name + "=" + i.address.toString();
            args = {agentPath,
                    "--node.id",
                    a.id,
                    "--node.interfaces",
                    ifaces,
                    "--membership.listen",
                    "127.0.0.1:" + std::to_string(a.membershipPort)};
        }
        if (relayMode != "off") {
            std::string list;
            for (const auto &c : channels)
                list += (list.empty() ? "" : ",") + c;
            for (const std::string &arg :
                 {std::string("--relay.enabled"), std::string("true"), std::string("--relay.mode"),
                  relayMode, std::string("--relay.port"),
                  std::to_string(basePort + 2000 + static_cast<int>(&a - agents.data())),
                  std::string("--relay.channels"), list, std::string("--relay.probe_interval_ms"),
                  std::to_string(probeIntervalMs)})
                args.push_back(arg);
        }
        for (const std::string &arg :
             {std::string("--cluster.name"), clusterName, std::string("--cluster.key_file"),
              keyFile, std::string("--cluster.peers"), peers,
              std::string("--membership.heartbeat_ms"), std::to_string(heartbeatMs),
              std::string("--membership.misses"), std::to_string(misses),
              std::string("--control.listen"), "127.0.0.1:" + std::to_string(a.controlPort),
              std::string("--control.operator_token_file"), tokenFile,
              std::string("--metrics.listen"), std::string()})
            args.push_back(arg);
        if (labTls)
            for (const std::string &arg :
                 {std::string("--control.tls_cert"), labTls->agentCert,
                  std::string("--control.tls_key"), labTls->agentKey,
                  std::string("--control.tls_client_ca"), labTls->caCert,
                  std::string("--control.operator_cert_names"), std::string("dmr-lab-operator")})
                args.push_back(arg);
        args.insert(args.end(), agentArgs.begin(), agentArgs.end());
        if (membership == "etcd") {
            for (const char *arg : {"--membership.backend", "etcd", "--membership.etcd_endpoints"})
                args.emplace_back(arg);
            args.push_back(etcdCluster ? etcdCluster->agentEndpoints.at(a.id) : etcdEndpoints);
            args.emplace_back("--membership.etcd_lease_ttl_s");
            args.push_back(std::to_string(etcdTtlS));
        }
        a.pid = spawn(args, a.logPath);
        // Wait until it is in the view: the next one must join after it.
        const auto deadline = Clock::now() + std::chrono::milliseconds(joinTimeoutMs);
        bool joined = false;
        std::string lastError;
        while (!g_stop && Clock::now() < deadline) {
            auto s = ask(a.controlPort, dmr::protocol::RequestKind::GetState, 500, &lastError);
            const std::string m = s ? s->value("membership", "") : "";
            if (m == "member" || m == "coordinator") {
                joined = true;
                break;
            }
            if (::waitpid(a.pid, nullptr, WNOHANG) == a.pid) {
                a.pid = -1;
                lastError = "the agent exited; see " + a.logPath;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!joined && !g_stop) {
            std::cerr << "dmr-lab: node " << a.id << " did not join within " << joinTimeoutMs
                      << " ms (" << lastError << ")\n";
            return finish(1);
        }
    }
    if (!g_stop) {
        const std::string tlsArgs = labTls ? " --tls-ca " + labTls->caCert : std::string();
        std::cout
            << "dmr-lab: all " << agents.size() << " agents joined. Control ports "
            << agents.front().controlPort << "-" << agents.back().controlPort << " (node "
            << agents.front().id << " first)" << (lab ? ", proxied into the namespaces" : "")
            << (labTls ? ", TLS 1.3 (CA " + labTls->caCert + ")" : std::string())
            << "; for example:\n"
            << "  dmrctl --connect 127.0.0.1:" << agents.front().controlPort << tlsArgs
            << " cluster\n  dmrctl --connect 127.0.0.1:" << agents.front().controlPort << tlsArgs
            << " --token " << token << " drill kill " << agents.front().id
            << " --reason test --duration-ms 5000\n"
            << (labTls
                    ? "  dmrctl --connect 127.0.0.1:" + std::to_string(agents.front().controlPort) +
                          tlsArgs + " --tls-cert " + labTls->operatorCert + " --tls-key " +
                          labTls->operatorKey + " drills   (an operator by its certificate)\n"
                    : std::string())
            << (relayMode == "off"
                    ? std::string()
                    : "  dmrctl --connect 127.0.0.1:" + std::to_string(agents.front().controlPort) +
                          tlsArgs + " reachability   (who hears whom; relay in " + relayMode +
                          " mode)\n")
            << (relayMode == "loopback" ? "  dmr-segment send --cluster " + clusterName +
                                              " --network NETWORK --count 3   (send on a network)\n"
                                        : std::string());
        if (lab)
            std::cout << "  ip netns exec " << lab->nodes.at(agents.back().id).netns << " "
                      << besideSelf("dmr-mcast")
                      << " send --group 239.1.0.7 --port 5007 --count 100   (send on "
                         "node "
                      << agents.back().id << "'s network)\n"
                      << "Namespaces: " << lab->switchNs << " (bridges br0-br"
                      << lab->networks.size() - 1 << "), " << lab->routerNs
                      << " (the unicast router), " << namespacePrefixOf(*lab) << "nID (node ID); "
                      << "a shell on node " << agents.back().id << ": ip netns exec "
                      << lab->nodes.at(agents.back().id).netns << " bash\n"
                      << "If dmr-lab dies without Ctrl-C: dmr-lab --netns --cleanup --lab "
                      << labName << "\n";
        std::cout << "Ctrl-C stops every agent" << (lab ? " and removes the namespaces." : ".")
                  << std::endl;
    }

    const bool tty = ::isatty(1) != 0;
    std::string last;
    while (!g_stop) {
        if (table != "none") {
            const std::string now = statusTable(agents, table, topo->name);
            if (now != last) {
                if (tty)
                    std::cout << "\x1b[H\x1b[2J";
                std::cout << now << std::flush;
                last = now;
            }
        }
        if (once)
            break;
        // Reap agents that died on their own (a crash is worth a line).
        for (auto &a : agents) {
            int status = 0;
            if (a.pid > 0 && ::waitpid(a.pid, &status, WNOHANG) == a.pid) {
                std::cout << "dmr-lab: agent " << a.id << " exited (status " << status << "); log "
                          << a.logPath << std::endl;
                a.pid = -1;
            }
        }
        for (int i = 0; i < 10 && !g_stop; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::cout << "dmr-lab: stopping " << agents.size() << " agents" << std::endl;
    const int rc = finish(0);
    std::cout << "dmr-lab: stopped; no agent left running" << std::endl;
    return rc;
}
