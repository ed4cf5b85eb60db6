#include "netns_lab.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dmr::lab {

namespace {

using Json = nlohmann::json;
using Argv = std::vector<std::string>;

std::string joined(const Argv &argv)
{
    std::string out;
    for (const auto &a : argv)
        out += (out.empty() ? "" : " ") + a;
    return out;
}

bool nameCharOk(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

} // namespace

Result<std::string> checkLabName(std::string_view name)
{
    if (name.empty() || name.size() > 12)
        return Error{"lab name \"" + std::string(name) + "\": must be 1 to 12 characters"};
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return Error{"lab name \"" + std::string(name) +
                         "\": only lower-case letters and digits (it starts every namespace name "
                         "dmr-LAB-...)"};
    return std::string(name);
}

std::string namespacePrefix(std::string_view lab)
{
    return "dmr-" + std::string(lab) + "-";
}

Result<NetnsLabPlan> planNetnsLab(const TopologyFile &topology, std::string_view lab)
{
    auto name = checkLabName(lab);
    if (!name)
        return name.error();
    NetnsLabPlan plan;
    plan.lab = *name;
    const std::string prefix = namespacePrefix(plan.lab);
    plan.switchNs = prefix + "sw";
    plan.routerNs = prefix + "rt";

    // Networks in address order; the router serves the networks of first interfaces.
    std::set<Prefix> networks;
    std::set<Prefix> routed;
    std::set<IpAddress> taken;
    for (const auto &id : topology.joinOrder) {
        const Node &node = topology.nodes.at(id);
        if (id.empty() || !std::all_of(id.begin(), id.end(), nameCharOk))
            return Error{"node \"" + id +
                         "\": a namespace lab needs node ids of letters, digits, _ . and -"};
        if (node.interfaces.empty())
            return Error{"node " + id + ": no interfaces"};
        for (const auto &i : node.interfaces) {
            if (i.address.address().family() != Family::V4)
                return Error{"node " + id + " interface " + i.name + ": " + i.address.toString() +
                             ": a namespace lab is IPv4 only"};
            if (i.address.prefixLength() > 30)
                return Error{"node " + id + " interface " + i.name + ": " + i.address.toString() +
                             ": a namespace lab needs networks of /30 or "
                             "larger (the router takes the last host "
                             "address)"};
            networks.insert(i.network());
            taken.insert(i.address.address());
        }
        routed.insert(node.interfaces.front().network());
    }
    std::map<Prefix, std::size_t> bridgeOf;
    for (const auto &n : networks) {
        bridgeOf[n] = plan.networks.size();
        plan.networks.push_back(n.toString());
    }
    std::map<Prefix, std::string> gatewayOf;
    for (const auto &n : routed) {
        const std::uint32_t hostBits = 32U - static_cast<std::uint32_t>(n.length());
        const std::uint32_t last = n.address().v4HostOrder() | ((1U << hostBits) - 2U);
        const IpAddress address = IpAddress::v4(last);
        if (taken.count(address) != 0)
            return Error{"network " + n.toString() + ": a node holds " + address.toString() +
                         ", the address the lab's router takes (the network's last host address)"};
        NetnsLabPlan::RouterLeg leg;
        leg.network = n.toString();
        leg.name = "leg" + std::to_string(bridgeOf[n]);
        leg.address = address.toString() + "/" + std::to_string(n.length());
        gatewayOf[n] = address.toString();
        plan.routerLegs.push_back(leg);
    }

    auto &cmds = plan.commands;
    auto in = [](const std::string &ns, Argv rest) {
        Argv a{"ip", "-n", ns};
        a.insert(a.end(), rest.begin(), rest.end());
        return a;
    };
    auto sysctl = [](const std::string &ns, const std::string &setting) {
        return Argv{"ip", "netns", "exec", ns, "sysctl", "-qw", setting};
    };
    auto addNamespace = [&](const std::string &ns) {
        plan.namespaces.push_back(ns);
        cmds.push_back({"ip", "netns", "add", ns});
        cmds.push_back(in(ns, {"link", "set", "lo", "up"}));
    };

    addNamespace(plan.switchNs);
    for (std::size_t b = 0; b < plan.networks.size(); ++b) {
        const std::string br = "br" + std::to_string(b);
        cmds.push_back(
            in(plan.switchNs, {"link", "add", br, "type", "bridge", "mcast_snooping", "0"}));
        cmds.push_back(in(plan.switchNs, {"link", "set", br, "up"}));
    }

    addNamespace(plan.routerNs);
    cmds.push_back(sysctl(plan.routerNs, "net.ipv4.ip_forward=1"));
    for (const auto &leg : plan.routerLegs) {
        const std::size_t b = bridgeOf[*Prefix::parse(leg.network)];
        const std::string port = "rt" + std::to_string(b);
        cmds.push_back(in(plan.switchNs, {"link", "add", port, "type", "veth", "peer", "name",
                                          leg.name, "netns", plan.routerNs}));
        cmds.push_back(
            in(plan.switchNs, {"link", "set", port, "master", "br" + std::to_string(b), "up"}));
        cmds.push_back(in(plan.routerNs, {"addr", "add", leg.address, "dev", leg.name}));
        cmds.push_back(in(plan.routerNs, {"link", "set", leg.name, "up"}));
    }

    for (std::size_t n = 0; n < topology.joinOrder.size(); ++n) {
        const NodeId &id = topology.joinOrder[n];
        const Node &node = topology.nodes.at(id);
        NetnsLabPlan::NodePlace place;
        place.netns = prefix + "n" + id;
        place.address = node.interfaces.front().address.address().toString();
        const auto gw = gatewayOf.find(node.interfaces.front().network());
        if (gw != gatewayOf.end())
            place.gateway = gw->second;
        addNamespace(place.netns);
        // A multi-homed node receives on one network what it sends from another (the agents'
        // tunnels, a relay's copies): reverse-path filtering would drop that.
        cmds.push_back(sysctl(place.netns, "net.ipv4.conf.all.rp_filter=0"));
        cmds.push_back(sysctl(place.netns, "net.ipv4.conf.default.rp_filter=0"));
        for (std::size_t k = 0; k < node.interfaces.size(); ++k) {
            const Interface &i = node.interfaces[k];
            const std::string port = "v" + std::to_string(n) + "i" + std::to_string(k);
            place.switchPorts.push_back(port);
            cmds.push_back(in(plan.switchNs, {"link", "add", port, "type", "veth", "peer", "name",
                                              i.name, "netns", place.netns}));
            cmds.push_back(in(plan.switchNs, {"link", "set", port, "master",
                                              "br" + std::to_string(bridgeOf[i.network()]), "up"}));
            cmds.push_back(in(place.netns, {"addr", "add", i.address.toString(), "dev", i.name}));
            cmds.push_back(in(place.netns, {"link", "set", i.name, "up"}));
        }
        if (!place.gateway.empty())
            cmds.push_back(in(place.netns, {"route", "add", "default", "via", place.gateway}));
        plan.nodes[id] = place;
    }
    return plan;
}

Result<EtcdClusterPlan> planEtcdCluster(const NetnsLabPlan &lab,
                                        const std::vector<NodeId> &joinOrder, int members)
{
    if (members < 1 || members > kEtcdMembersMax)
        return Error{"etcd members: " + std::to_string(members) + " is out of range 1-" +
                     std::to_string(kEtcdMembersMax)};
    if (static_cast<std::size_t>(members) > joinOrder.size())
        return Error{"etcd members: " + std::to_string(members) + " members need as many nodes; " +
                     "the topology has " + std::to_string(joinOrder.size())};
    EtcdClusterPlan plan;
    for (int i = 0; i < members; ++i) {
        const NodeId &id = joinOrder[static_cast<std::size_t>(i)];
        const auto place = lab.nodes.find(id);
        if (place == lab.nodes.end())
            return Error{"etcd members: node " + id + " is not in the lab"};
        EtcdClusterPlan::Member m;
        m.name = "etcd-" + id;
        m.node = id;
        m.netns = place->second.netns;
        m.endpoint = place->second.address + ":" + std::to_string(kEtcdClientPort);
        m.clientUrl = "http://" + m.endpoint;
        m.peerUrl = "http://" + place->second.address + ":" + std::to_string(kEtcdPeerPort);
        plan.initialCluster += (plan.initialCluster.empty() ? "" : ",") + m.name + "=" + m.peerUrl;
        plan.members.push_back(m);
    }
    for (std::size_t i = 0; i < joinOrder.size(); ++i) {
        std::size_t first = i % plan.members.size();
        for (std::size_t k = 0; k < plan.members.size(); ++k)
            if (plan.members[k].node == joinOrder[i])
                first = k;
        std::string list;
        for (std::size_t k = 0; k < plan.members.size(); ++k)
            list += (list.empty() ? "" : ",") +
                    plan.members[(first + k) % plan.members.size()].endpoint;
        plan.agentEndpoints[joinOrder[i]] = list;
    }
    return plan;
}

std::vector<std::string> EtcdClusterPlan::argv(const Member &m, const std::string &etcdBinary,
                                               const std::string &dataDir) const
{
    // Also on the namespace's 127.0.0.1: etcdctl in the namespace needs no address.
    return {etcdBinary, "--name", m.name, "--data-dir", dataDir, "--listen-client-urls",
            m.clientUrl + ",http://127.0.0.1:" + std::to_string(kEtcdClientPort),
            "--advertise-client-urls", m.clientUrl, "--listen-peer-urls", m.peerUrl,
            "--initial-advertise-peer-urls", m.peerUrl, "--initial-cluster", initialCluster,
            "--initial-cluster-state", "new", "--initial-cluster-token",
            "dmr-lab-" + m.netns.substr(0, m.netns.rfind('-')),
            // The namespaces' round trip is a fraction of a millisecond: etcd's timing for a
            // LAN (heartbeat about the round trip, election ten heartbeats and more), not its
            // defaults (100 ms, 1 s), so that a dead leader is replaced well within a lease TTL.
            "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "warn"};
}

Result<std::string> ProcessRunner::run(const std::vector<std::string> &argv)
{
    if (argv.empty())
        return Error{"empty command"};
    std::string program = argv[0];
    if (program.find('/') == std::string::npos) {
        for (const char *dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            const std::string candidate = std::string(dir) + "/" + program;
            if (::access(candidate.c_str(), X_OK) == 0) {
                program = candidate;
                break;
            }
        }
    }
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0)
        return Error{joined(argv) + ": pipe: " + std::strerror(errno)};
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(out[0]);
        ::close(out[1]);
        return Error{joined(argv) + ": fork: " + std::strerror(errno)};
    }
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::dup2(out[1], 2);
        std::vector<char *> args;
        for (const auto &a : argv)
            args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        ::execv(program.c_str(), args.data());
        std::fprintf(stderr, "exec %s: %s\n", program.c_str(), std::strerror(errno));
        ::_exit(127);
    }
    ::close(out[1]);
    constexpr std::size_t kOutputBytesMax = 64 * 1024;
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs_);
    bool timedOut = false;
    char buf[4096];
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) {
            timedOut = true;
            break;
        }
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0)
            continue;
        const ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0)
            break;
        if (text.size() < kOutputBytesMax)
            text.append(buf, std::min(static_cast<std::size_t>(n), kOutputBytesMax - text.size()));
    }
    ::close(out[0]);
    if (timedOut)
        ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (timedOut)
        return Error{joined(argv) + ": no exit within " + std::to_string(timeoutMs_) + " ms"};
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
            text.pop_back();
        return Error{joined(argv) + ": " +
                     (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                        : std::string("killed by a signal")) +
                     (text.empty() ? "" : ": " + text)};
    }
    return text;
}

std::string defaultStateDir()
{
    return "/run/dmr-lab";
}

std::string stateFilePath(std::string_view stateDir, std::string_view lab)
{
    return std::string(stateDir) + "/" + std::string(lab) + ".json";
}

Result<NetnsLabState> readState(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        return Error{path + ": cannot read: " + std::strerror(errno)};
    std::stringstream text;
    text << in.rdbuf();
    const auto j = Json::parse(text.str(), nullptr, false);
    if (!j.is_object() || !j.contains("lab") || !j["lab"].is_string() ||
        !j.contains("namespaces") || !j["namespaces"].is_array())
        return Error{path + ": not a dmr-lab state file (want {\"lab\": ..., \"namespaces\": "
                            "[...]})"};
    NetnsLabState st;
    st.lab = j["lab"].get<std::string>();
    st.ownerPid = j.value("owner_pid", std::int64_t{0});
    for (const auto &n : j["namespaces"])
        if (n.is_string())
            st.namespaces.push_back(n.get<std::string>());
    return st;
}

Result<bool> writeState(const std::string &path, const NetnsLabState &state)
{
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (ec)
        return Error{path + ": cannot make its folder: " + ec.message()};
    const Json j{{"format", "dmr-lab-state"},
                 {"lab", state.lab},
                 {"owner_pid", state.ownerPid},
                 {"namespaces", state.namespaces}};
    // Written beside and renamed: a crash never leaves half a file.
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << j.dump(1) << "\n";
        if (!out)
            return Error{tmp + ": cannot write: " + std::strerror(errno)};
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        return Error{path + ": cannot write: " + ec.message()};
    return true;
}

Result<bool> buildNetnsLab(const NetnsLabPlan &plan, CommandRunner &runner,
                           const std::string &stateDir, std::int64_t ownerPid)
{
    NetnsLabState st{plan.lab, ownerPid, plan.namespaces};
    const std::string path = stateFilePath(stateDir, plan.lab);
    auto w = writeState(path, st);
    if (!w)
        return w.error();
    for (const auto &cmd : plan.commands) {
        auto r = runner.run(cmd);
        if (!r)
            return Error{"building lab " + plan.lab + ": " + r.error().message};
    }
    return true;
}

TeardownReport teardownNetnsLab(std::string_view lab, CommandRunner &runner,
                                const std::string &stateDir)
{
    TeardownReport report;
    const std::string prefix = namespacePrefix(lab);
    const std::string path = stateFilePath(stateDir, lab);
    std::vector<std::string> targets;
    if (::access(path.c_str(), F_OK) == 0) {
        auto st = readState(path);
        if (st)
            targets = st->namespaces;
        else
            report.errors.push_back(st.error().message);
    }
    auto list = runner.run({"ip", "netns", "list"});
    if (!list) {
        report.errors.push_back(list.error().message);
    } else {
        std::istringstream lines(*list);
        std::string line;
        while (std::getline(lines, line)) {
            const std::string name = line.substr(0, line.find(' '));
            if (name.rfind(prefix, 0) == 0 &&
                std::find(targets.begin(), targets.end(), name) == targets.end())
                targets.push_back(name);
        }
    }
    std::set<std::string> existing;
    if (list) {
        std::istringstream lines(*list);
        std::string line;
        while (std::getline(lines, line))
            existing.insert(line.substr(0, line.find(' ')));
    }
    // Nodes first, the switch last (the reverse of creation): the order does not matter to the
    // kernel, but a reader of the output sees the lab taken down as it was built.
    std::reverse(targets.begin(), targets.end());
    for (const auto &ns : targets) {
        if (list && existing.count(ns) == 0)
            continue; // listed in the state file, never made or already gone
        for (int round = 0; round < 3; ++round) {
            auto pids = runner.run({"ip", "netns", "pids", ns});
            if (!pids || pids->empty())
                break;
            std::istringstream ids(*pids);
            std::string id;
            while (ids >> id) {
                std::int64_t pid = 0;
                const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), pid);
                if (ec != std::errc() || end != id.data() + id.size() || pid <= 1) {
                    report.errors.push_back("ip netns pids " + ns + ": not a process id: \"" + id +
                                            "\"");
                    continue;
                }
                auto k = runner.run({"kill", "-KILL", id});
                if (k)
                    report.processesKilled.push_back(pid);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        auto del = runner.run({"ip", "netns", "del", ns});
        if (del)
            report.namespacesRemoved.push_back(ns);
        else
            report.errors.push_back(del.error().message);
    }
    if (report.errors.empty())
        std::filesystem::remove(path);
    return report;
}

} // namespace dmr::lab
