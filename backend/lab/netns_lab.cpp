#include "netns_lab.h"

#include "launch.h"

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

namespace {

const char *familyName(Family f)
{
    return f == Family::V4 ? "IPv4" : "IPv6";
}

// The router's address on a network: the last host address for IPv4 (10.0.1.254/24); for
// IPv6, host part ::fffe (fd00:1::fffe/64), or the last but one for networks smaller than /112,
// since IPv6 has no broadcast address and the last 128 of a /64 are reserved for anycast.
IpAddress routerAddressOn(const Prefix &n)
{
    if (n.address().family() == Family::V4) {
        const std::uint32_t hostBits = 32U - static_cast<std::uint32_t>(n.length());
        return IpAddress::v4(n.address().v4HostOrder() | ((1U << hostBits) - 2U));
    }
    const int hostBits = std::min(128 - n.length(), 16);
    const std::uint32_t host = (1U << static_cast<std::uint32_t>(hostBits)) - 2U;
    auto bytes = n.address().bytes();
    bytes[14] = static_cast<std::uint8_t>(bytes[14] | (host >> 8));
    bytes[15] = static_cast<std::uint8_t>(bytes[15] | (host & 0xffU));
    return IpAddress::v6(bytes);
}

// A node's interfaces by link: a dual-stack interface is one name listed once per family.
struct Link
{
    std::string name;
    std::vector<InterfaceAddress> addresses; // in the file's order
};

std::vector<Link> linksOf(const Node &node)
{
    std::vector<Link> links;
    for (const auto &i : node.interfaces) {
        auto it = std::find_if(links.begin(), links.end(),
                               [&](const Link &l) { return l.name == i.name; });
        if (it == links.end())
            it = links.insert(links.end(), Link{i.name, {}});
        it->addresses.push_back(i.address);
    }
    return links;
}

} // namespace

std::string hostPort(std::string_view address, std::uint16_t port)
{
    const bool v6 = address.find(':') != std::string_view::npos;
    return (v6 ? "[" : "") + std::string(address) + (v6 ? "]:" : ":") + std::to_string(port);
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

    // Networks in address order (IPv4 first); the router serves the networks of first
    // interfaces (every address of the first interface name, so both families of a dual-stack
    // one).
    std::set<Prefix> networks;
    std::set<Prefix> routed;
    std::set<IpAddress> taken;
    std::map<NodeId, std::vector<Link>> linksByNode;
    for (const auto &id : topology.joinOrder) {
        const Node &node = topology.nodes.at(id);
        if (id.empty() || !std::all_of(id.begin(), id.end(), nameCharOk))
            return Error{"node \"" + id +
                         "\": a namespace lab needs node ids of letters, digits, _ . and -"};
        if (node.interfaces.empty())
            return Error{"node " + id + ": no interfaces"};
        std::set<std::pair<std::string, Family>> seen;
        for (const auto &i : node.interfaces) {
            const IpAddress &a = i.address.address();
            const std::string what =
                "node " + id + " interface " + i.name + ": " + i.address.toString() + ": ";
            if (!seen.insert({i.name, a.family()}).second)
                return Error{what + "a second " + std::string(familyName(a.family())) +
                             " address on one interface (a namespace lab gives an interface at "
                             "most one of each family)"};
            if (a.family() == Family::V4 && i.address.prefixLength() > 30)
                return Error{what + "a namespace lab needs networks of /30 or larger (the "
                                    "router takes the last host address)"};
            if (a.family() == Family::V6) {
                if (a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80)
                    return Error{what + "a link-local address names no network a router joins "
                                        "(give a global or unique local one, such as "
                                        "fd00:1::2/64)"};
                if (i.address.prefixLength() > 126)
                    return Error{what + "a namespace lab needs IPv6 networks of /126 or larger "
                                        "(the router takes a host address of its own)"};
            }
            networks.insert(i.network());
            taken.insert(a);
        }
        linksByNode[id] = linksOf(node);
        for (const auto &a : linksByNode[id].front().addresses)
            routed.insert(a.network());
    }

    // One bridge per link layer: a network alone, or the networks that share an interface
    // (the IPv4 and IPv6 networks of dual-stack interfaces), numbered in the order of their
    // first network.
    std::map<Prefix, Prefix> parent;
    for (const auto &n : networks)
        parent[n] = n;
    const auto root = [&](Prefix n) {
        while (parent.at(n) != n)
            n = parent.at(n);
        return n;
    };
    for (const auto &[id, links] : linksByNode)
        for (const auto &l : links)
            for (const auto &a : l.addresses) {
                const Prefix r1 = root(l.addresses.front().network());
                const Prefix r2 = root(a.network());
                if (r1 != r2)
                    parent[std::max(r1, r2)] = std::min(r1, r2);
            }
    std::map<Prefix, std::size_t> bridgeOf;
    for (const auto &n : networks) {
        const Prefix r = root(n);
        if (r == n) {
            bridgeOf[n] = plan.bridges.size();
            plan.bridges.emplace_back();
        } else {
            bridgeOf[n] = bridgeOf.at(r);
        }
        plan.bridges[bridgeOf[n]].push_back(n.toString());
        plan.networks.push_back(n.toString());
    }

    std::map<Prefix, std::string> gatewayOf;
    for (const auto &n : routed) {
        const IpAddress address = routerAddressOn(n);
        if (taken.count(address) != 0)
            return Error{"network " + n.toString() + ": a node holds " + address.toString() +
                         ", the address the lab's router takes (" +
                         (n.address().family() == Family::V4
                              ? "the network's last host address"
                              : "host part ::fffe, or the last but one in networks smaller than "
                                "/112") +
                         ")"};
        NetnsLabPlan::RouterLeg leg;
        leg.network = n.toString();
        leg.name = "leg" + std::to_string(bridgeOf[n]);
        leg.address = address.toString() + "/" + std::to_string(n.length());
        gatewayOf[n] = address.toString();
        plan.routerLegs.push_back(leg);
    }
    const bool routesV6 = std::any_of(routed.begin(), routed.end(), [](const Prefix &n) {
        return n.address().family() == Family::V6;
    });

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
    // IPv6 addresses usable at once: no duplicate address detection (for the links made in this
    // namespace from now on, and "nodad" on every address), so nothing waits out a tentative
    // address. The lab's addresses are unique by construction.
    auto noDad = [&](const std::string &ns) {
        cmds.push_back(sysctl(ns, "net.ipv6.conf.all.accept_dad=0"));
        cmds.push_back(sysctl(ns, "net.ipv6.conf.default.accept_dad=0"));
    };
    auto addAddress = [&](const std::string &ns, const InterfaceAddress &a,
                          const std::string &dev) {
        Argv cmd = in(ns, {"addr", "add", a.toString(), "dev", dev});
        if (a.address().family() == Family::V6)
            cmd.push_back("nodad");
        cmds.push_back(cmd);
    };

    addNamespace(plan.switchNs);
    for (std::size_t b = 0; b < plan.bridges.size(); ++b) {
        const std::string br = "br" + std::to_string(b);
        cmds.push_back(
            in(plan.switchNs, {"link", "add", br, "type", "bridge", "mcast_snooping", "0"}));
        cmds.push_back(in(plan.switchNs, {"link", "set", br, "up"}));
    }

    // Unicast forwarding in each family it routes; no multicast routing (nothing opens the
    // kernel's multicast routing tables, so mc_forwarding stays 0 in both families).
    addNamespace(plan.routerNs);
    cmds.push_back(sysctl(plan.routerNs, "net.ipv4.ip_forward=1"));
    if (routesV6) {
        noDad(plan.routerNs);
        cmds.push_back(sysctl(plan.routerNs, "net.ipv6.conf.all.forwarding=1"));
    }
    for (std::size_t b = 0; b < plan.bridges.size(); ++b) {
        std::vector<Prefix> legNetworks;
        for (const auto &n : routed)
            if (bridgeOf[n] == b)
                legNetworks.push_back(n);
        if (legNetworks.empty())
            continue;
        const std::string port = "rt" + std::to_string(b);
        const std::string leg = "leg" + std::to_string(b);
        cmds.push_back(in(plan.switchNs, {"link", "add", port, "type", "veth", "peer", "name", leg,
                                          "netns", plan.routerNs}));
        cmds.push_back(
            in(plan.switchNs, {"link", "set", port, "master", "br" + std::to_string(b), "up"}));
        for (const auto &n : legNetworks)
            addAddress(plan.routerNs, InterfaceAddress(*IpAddress::parse(gatewayOf[n]), n.length()),
                       leg);
        cmds.push_back(in(plan.routerNs, {"link", "set", leg, "up"}));
    }

    for (std::size_t n = 0; n < topology.joinOrder.size(); ++n) {
        const NodeId &id = topology.joinOrder[n];
        const Node &node = topology.nodes.at(id);
        const std::vector<Link> &links = linksByNode.at(id);
        NetnsLabPlan::NodePlace place;
        place.netns = prefix + "n" + id;
        place.address = node.interfaces.front().address.address().toString();
        addNamespace(place.netns);
        // A multi-homed node receives on one network what it sends from another (the agents'
        // tunnels, a relay's copies): reverse-path filtering would drop that.
        cmds.push_back(sysctl(place.netns, "net.ipv4.conf.all.rp_filter=0"));
        cmds.push_back(sysctl(place.netns, "net.ipv4.conf.default.rp_filter=0"));
        if (std::any_of(node.interfaces.begin(), node.interfaces.end(), [](const Interface &i) {
                return i.address.address().family() == Family::V6;
            }))
            noDad(place.netns);
        for (std::size_t k = 0; k < links.size(); ++k) {
            const Link &l = links[k];
            const std::string port = "v" + std::to_string(n) + "i" + std::to_string(k);
            place.switchPorts.push_back(port);
            cmds.push_back(in(plan.switchNs, {"link", "add", port, "type", "veth", "peer", "name",
                                              l.name, "netns", place.netns}));
            cmds.push_back(
                in(plan.switchNs,
                   {"link", "set", port, "master",
                    "br" + std::to_string(bridgeOf[l.addresses.front().network()]), "up"}));
            for (const auto &a : l.addresses)
                addAddress(place.netns, a, l.name);
            cmds.push_back(in(place.netns, {"link", "set", l.name, "up"}));
        }
        // A default route in each family of its first interface, via the router's leg there.
        for (const auto &a : links.front().addresses) {
            const auto gw = gatewayOf.find(a.network());
            if (gw == gatewayOf.end())
                continue;
            if (a.address().family() == Family::V4)
                cmds.push_back(in(place.netns, {"route", "add", "default", "via", gw->second}));
            else
                cmds.push_back(
                    in(place.netns, {"-6", "route", "add", "default", "via", gw->second}));
            if (a == node.interfaces.front().address)
                place.gateway = gw->second;
            place.gateways.push_back(gw->second);
        }
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
        m.endpoint = hostPort(place->second.address, kEtcdClientPort);
        m.clientUrl = "http://" + m.endpoint;
        m.peerUrl = "http://" + hostPort(place->second.address, kEtcdPeerPort);
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
    process::LaunchSpec spec;
    spec.argv = argv;
    spec.argv.front() = program;
    spec.outputFd = out[1];
    const auto launched = process::launch(spec);
    if (!launched) {
        ::close(out[0]);
        ::close(out[1]);
        return Error{joined(argv) + ": " + launched.error().message};
    }
    const pid_t pid = *launched;
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
