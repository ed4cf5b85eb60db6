#include "supervisor.h"

#include "asio.h"
#include "control_proxy.h"
#include "etcd_client.h"
#include "launch.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dmr::lab {

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string ipCommand()
{
    for (const char *p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
        if (::access(p, X_OK) == 0)
            return p;
    return "ip";
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

// One maintenance/status call through the agents' own etcd client (Boost.Beast): etcd answers
// it once it serves the JSON gateway the agents use.
agent::awaitable<void> askStatus(std::shared_ptr<agent::EtcdClient> client, bool &serving)
{
    auto reply = co_await client->call("/v3/maintenance/status", Json::object());
    serving = reply && reply->status == 200;
    client->close();
}

// True once the etcd on 127.0.0.1:port serves its gateway; within about a second.
bool etcdServing(std::uint16_t port)
{
    auto endpoint = agent::HostPort::parse("127.0.0.1:" + std::to_string(port));
    if (!endpoint)
        return false;
    agent::asio::io_context io;
    auto client = std::make_shared<agent::EtcdClient>(
        io, std::vector<agent::HostPort>{*endpoint}, 1000, std::make_shared<agent::EtcdCounters>());
    bool serving = false;
    agent::asio::co_spawn(io, askStatus(client, serving), agent::asio::detached);
    io.run();
    return serving;
}

// GET /health on 127.0.0.1:port inside a lab namespace: true once the member says
// {"health":"true"} (it has a cluster leader). The agents' Beast client connects from the lab's
// own namespace, so a member that listens only inside a node's namespace is asked with a socket
// made there.
bool etcdHealthyIn(const std::string &netns, std::uint16_t port)
{
    const int fd = ControlProxy::socketInNetns(netns, SOCK_STREAM);
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

// A child of the lab: its output in a log file, dying with the lab. -1 when it cannot be
// started (the reason printed).
pid_t spawn(const std::vector<std::string> &args, const std::string &logPath)
{
    auto pid = process::launch({args, std::nullopt, logPath, true});
    if (!pid) {
        std::cerr << "dmr-lab: " << pid.error().message << "\n";
        return -1;
    }
    return *pid;
}

} // namespace

std::optional<std::string> askAgent(std::uint16_t port, protocol::RequestKind kind, int timeoutMs,
                                    const dmrctl::TlsOptions &tls, std::string *error)
{
    dmrctl::ClientOptions options;
    options.addresses.push_back(
        dmrctl::Address{"127.0.0.1", port, "127.0.0.1:" + std::to_string(port)});
    options.timeout = std::chrono::milliseconds(timeoutMs);
    options.clientName = std::string("dmr-lab ") + DMR_VERSION;
    options.tls = tls;
    std::vector<std::string> tried;
    auto client = dmrctl::Client::connect(options, 0, tried);
    if (!client) {
        if (error != nullptr)
            *error = client.failure().message;
        return std::nullopt;
    }
    protocol::Request request;
    request.kind = kind;
    auto result = client->call(request);
    if (!result) {
        if (error != nullptr)
            *error = "127.0.0.1:" + std::to_string(port) + ": " + result.failure().message;
        return std::nullopt;
    }
    return result->dump();
}

Supervisor::Supervisor(const LabOptions &options, const std::optional<NetnsLabPlan> &netns,
                       LabSecretFiles secrets, dmrctl::TlsOptions clientTls,
                       const volatile std::sig_atomic_t &stop)
    : options_(options)
    , netns_(netns)
    , secrets_(std::move(secrets))
    , clientTls_(std::move(clientTls))
    , stop_(stop)
    , etcdEndpoints_(options.etcdEndpoints)
{
    // Ports by position in the join order.
    const auto &order = options_.topology->joinOrder;
    for (std::size_t i = 0; i < order.size(); ++i) {
        LabAgent a;
        a.id = order[i];
        a.membershipPort = static_cast<std::uint16_t>(options_.basePort + static_cast<int>(i));
        a.controlPort = static_cast<std::uint16_t>(options_.basePort + 1000 + static_cast<int>(i));
        a.tunnelPort = static_cast<std::uint16_t>(options_.basePort + 2000 + static_cast<int>(i));
        a.logPath = options_.logDir + "/agent-" + a.id + ".log";
        const std::string host = netns_ ? netns_->nodes.at(a.id).address : std::string("127.0.0.1");
        peers_ += (peers_.empty() ? "" : ",") + hostPort(host, a.membershipPort);
        agents_.push_back(a);
    }
}

Supervisor::~Supervisor()
{
    stop();
}

bool Supervisor::startEtcd()
{
    if (options_.membership != "etcd" || !etcdEndpoints_.empty())
        return true;
    const std::string etcd = findEtcd();
    if (etcd.empty()) {
        std::cerr << "dmr-lab: --membership etcd: no etcd binary on PATH or in /usr/bin "
                     "(./dmr installs Debian's etcd-server)\n";
        return false;
    }
    if (netns_)
        return startEtcdCluster(etcd);
    const auto clientPort = static_cast<std::uint16_t>(options_.basePort + 3000);
    const std::string client = "http://127.0.0.1:" + std::to_string(clientPort);
    const std::string peer = "http://127.0.0.1:" + std::to_string(options_.basePort + 3001);
    const std::string data = options_.logDir + "/etcd-data";
    const std::string log = options_.logDir + "/etcd.log";
    etcdDataDirs_.push_back(data);
    etcdPid_ = spawn({etcd, "--name", "dmr-lab", "--data-dir", data, "--listen-client-urls", client,
                      "--advertise-client-urls", client, "--listen-peer-urls", peer,
                      "--initial-advertise-peer-urls", peer, "--initial-cluster", "dmr-lab=" + peer,
                      "--log-level", "warn"},
                     log);
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    bool up = false;
    while (etcdPid_ > 0 && !stop_ && Clock::now() < deadline) {
        if (etcdServing(clientPort)) {
            up = true;
            break;
        }
        if (::waitpid(etcdPid_, nullptr, WNOHANG) == etcdPid_) {
            etcdPid_ = -1;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!up) {
        // Its last line usually says why ("bind: address already in use").
        std::ifstream in(log);
        std::string line;
        std::string last;
        while (std::getline(in, line))
            if (!line.empty())
                last = line;
        std::cerr << "dmr-lab: etcd did not come up on " << client << " (" << last << "); see "
                  << log << "; --base-port moves its ports\n";
        stopProcess(etcdPid_);
        return false;
    }
    etcdEndpoints_ = "127.0.0.1:" + std::to_string(clientPort);
    std::cout << "dmr-lab: etcd " << etcd << " up on " << client << " (data in " << data << ")"
              << std::endl;
    return true;
}

// --netns: etcd as hosts run it, one member in each of the first nodes' namespaces.
bool Supervisor::startEtcdCluster(const std::string &etcd)
{
    auto planned = planEtcdCluster(*netns_, options_.topology->joinOrder, options_.etcdMembers);
    if (!planned) {
        std::cerr << "dmr-lab: --membership etcd: " << planned.error().message << "\n";
        return false;
    }
    etcdCluster_ = *planned;
    for (const auto &m : etcdCluster_->members) {
        std::vector<std::string> args{ipCommand(), "netns", "exec", m.netns};
        etcdDataDirs_.push_back(options_.logDir + "/" + m.name + "-data");
        for (auto &a : etcdCluster_->argv(m, etcd, etcdDataDirs_.back()))
            args.push_back(std::move(a));
        etcdMemberPids_.push_back(spawn(args, options_.logDir + "/" + m.name + ".log"));
    }
    // Every member healthy: the cluster has a leader and each member follows it.
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    std::size_t healthy = 0;
    while (!stop_ && Clock::now() < deadline && healthy < etcdCluster_->members.size()) {
        healthy = 0;
        for (const auto &m : etcdCluster_->members)
            healthy += etcdHealthyIn(m.netns, kEtcdClientPort) ? 1 : 0;
        if (healthy < etcdCluster_->members.size())
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (healthy < etcdCluster_->members.size()) {
        std::cerr << "dmr-lab: the etcd cluster did not come up (" << healthy << " of "
                  << etcdCluster_->members.size() << " members healthy); see " << options_.logDir
                  << "/etcd-*.log\n";
        for (auto &pid : etcdMemberPids_)
            stopProcess(pid);
        return false;
    }
    std::cout << "dmr-lab: etcd cluster of " << etcdCluster_->members.size() << " members up:";
    for (std::size_t i = 0; i < etcdCluster_->members.size(); ++i) {
        const auto &m = etcdCluster_->members[i];
        std::cout << " " << m.name << " (" << m.endpoint << " in " << m.netns << ", pid "
                  << etcdMemberPids_[i] << ")";
    }
    std::cout << std::endl;
    return true;
}

std::vector<std::string> Supervisor::agentCommand(const LabAgent &a) const
{
    const LabOptions &o = options_;
    std::vector<std::string> args;
    if (netns_) {
        // The agent reads its interfaces from the OS of its namespace.
        const auto &place = netns_->nodes.at(a.id);
        args = {ipCommand(),
                "netns",
                "exec",
                place.netns,
                o.agentPath,
                "--node.id",
                a.id,
                "--membership.listen",
                hostPort(place.address, a.membershipPort)};
    } else {
        std::string ifaces;
        for (const auto &i : o.topology->nodes.at(a.id).interfaces)
            ifaces += (ifaces.empty() ? "" : ",") + i.name + "=" + i.address.toString();
        args = {o.agentPath,
                "--node.id",
                a.id,
                "--node.interfaces",
                ifaces,
                "--membership.listen",
                "127.0.0.1:" + std::to_string(a.membershipPort)};
    }
    if (o.relayMode != "off") {
        std::string list;
        for (const auto &c : o.channels)
            list += (list.empty() ? "" : ",") + c;
        for (const std::string &arg :
             {std::string("--relay.enabled"), std::string("true"), std::string("--relay.mode"),
              o.relayMode, std::string("--relay.port"), std::to_string(a.tunnelPort),
              std::string("--relay.channels"), list, std::string("--relay.probe_interval_ms"),
              std::to_string(o.probeIntervalMs)})
            args.push_back(arg);
    }
    for (const std::string &arg :
         {std::string("--cluster.name"), o.clusterName, std::string("--cluster.key_file"),
          secrets_.keyFile, std::string("--cluster.peers"), peers_,
          std::string("--membership.heartbeat_ms"), std::to_string(o.heartbeatMs),
          std::string("--membership.misses"), std::to_string(o.misses),
          std::string("--control.listen"), "127.0.0.1:" + std::to_string(a.controlPort),
          std::string("--control.operator_token_file"), secrets_.tokenFile,
          std::string("--metrics.listen"), std::string()})
        args.push_back(arg);
    if (secrets_.tls)
        for (const std::string &arg :
             {std::string("--control.tls_cert"), secrets_.tls->agentCert,
              std::string("--control.tls_key"), secrets_.tls->agentKey,
              std::string("--control.tls_client_ca"), secrets_.tls->caCert,
              std::string("--control.operator_cert_names"), std::string("dmr-lab-operator")})
            args.push_back(arg);
    args.insert(args.end(), o.agentArgs.begin(), o.agentArgs.end());
    if (o.membership == "etcd") {
        for (const char *arg : {"--membership.backend", "etcd", "--membership.etcd_endpoints"})
            args.emplace_back(arg);
        args.push_back(etcdCluster_ ? etcdCluster_->agentEndpoints.at(a.id) : etcdEndpoints_);
        args.emplace_back("--membership.etcd_lease_ttl_s");
        args.push_back(std::to_string(o.etcdTtlS));
    }
    return args;
}

bool Supervisor::startAgents()
{
    for (auto &a : agents_) {
        if (stop_)
            return true;
        a.pid = spawn(agentCommand(a), a.logPath);
        // Wait until it is in the view: the next one must join after it.
        const auto deadline = Clock::now() + std::chrono::milliseconds(options_.joinTimeoutMs);
        bool joined = false;
        std::string lastError = a.pid < 0 ? "it could not be started" : "";
        while (a.pid > 0 && !stop_ && Clock::now() < deadline) {
            auto s = state(a, 500, &lastError);
            if (s && s->inView()) {
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
        if (!joined && !stop_) {
            std::cerr << "dmr-lab: node " << a.id << " did not join within "
                      << options_.joinTimeoutMs << " ms (" << lastError << ")\n";
            return false;
        }
    }
    return true;
}

void Supervisor::reapExited()
{
    for (auto &a : agents_) {
        int status = 0;
        if (a.pid > 0 && ::waitpid(a.pid, &status, WNOHANG) == a.pid) {
            std::cout << "dmr-lab: agent " << a.id << " exited (status " << status << "); log "
                      << a.logPath << std::endl;
            a.pid = -1;
        }
    }
}

void Supervisor::stop()
{
    for (auto &a : agents_)
        if (a.pid > 0)
            ::kill(a.pid, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(3);
    for (auto &a : agents_) {
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
    if (etcdPid_ > 0) {
        stopProcess(etcdPid_);
        std::cout << "dmr-lab: etcd stopped" << std::endl;
    }
    if (!etcdMemberPids_.empty()) {
        for (auto &pid : etcdMemberPids_)
            stopProcess(pid);
        etcdMemberPids_.clear();
        std::cout << "dmr-lab: etcd cluster stopped" << std::endl;
    }
    // The lab's etcd is a scratch store, made new at every start (about 120 MB a member): its
    // data goes with it, the logs stay.
    for (const auto &dir : etcdDataDirs_) {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
        if (ec)
            std::cerr << "dmr-lab: could not remove " << dir << ": " << ec.message() << "\n";
    }
    etcdDataDirs_.clear();
}

std::optional<reply::State> Supervisor::state(const LabAgent &agent, int timeoutMs,
                                              std::string *error) const
{
    auto result =
        askAgent(agent.controlPort, protocol::RequestKind::GetState, timeoutMs, clientTls_, error);
    if (!result)
        return std::nullopt;
    auto state = reply::parseState(*result);
    if (!state) {
        if (error != nullptr)
            *error =
                "127.0.0.1:" + std::to_string(agent.controlPort) + ": " + state.error().message;
        return std::nullopt;
    }
    return std::move(state).value();
}

} // namespace dmr::lab
