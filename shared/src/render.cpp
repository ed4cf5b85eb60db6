#include "dmr/render.h"

#include "dmr/diff.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

namespace dmr {

namespace {

const Node *findNode(const Topology &topology, const NodeId &id)
{
    auto it = topology.find(id);
    return it == topology.end() ? nullptr : &it->second;
}

std::string roleLine(const Plan &plan, const NodeId &node)
{
    const Election &e = plan.election;
    std::string role;
    if (e.systemLeader == node)
        role = "system leader";
    else if (e.leads(node))
        role = "group leader";
    else
        role = "not a routing point";
    const auto led = e.groupsLedBy(node);
    if (!led.empty()) {
        role += "; leads";
        for (const auto &g : led)
            role += " " + g;
    }
    return role;
}

bool isV4(const IpAddress &a)
{
    return a.family() == Family::V4;
}

} // namespace

std::string renderMrouted(const Plan &plan, const Topology &topology, const NodeId &node)
{
    std::ostringstream out;
    out << "# mrouted.conf for node " << node << ", written by DMR; it is rewritten on every\n"
        << "# plan change, so edit the DMR configuration instead.\n"
        << "# Role: " << roleLine(plan, node) << "\n";
    const Node *n = findNode(topology, node);
    if (n == nullptr) {
        out << "# node " << node << " is not in the topology\n";
        return out.str();
    }
    const auto routes = plan.routesOf(node);
    auto routed = [&](const Interface &i) {
        return std::any_of(routes.begin(), routes.end(),
                           [&](const Route &r) { return r.iface == i.name; });
    };
    // phyint lines must precede tunnel lines (mrouted.conf(5)).
    for (const Interface &i : n->interfaces) {
        if (!isV4(i.address.address())) {
            out << "# " << i.name << " " << i.address.toString()
                << ": IPv6, which mrouted does not route\n";
            continue;
        }
        out << "phyint " << i.name << (routed(i) ? "" : " disable") << "\n";
    }
    for (const Tunnel &t : plan.tunnelsOf(node)) {
        const bool root = t.root.node == node;
        const Endpoint &local = root ? t.root : t.leaf;
        const Endpoint &remote = root ? t.leaf : t.root;
        std::string carried;
        std::string left; // IPv6 networks: mrouted carries none of them
        for (const auto &g : t.networks) {
            auto net = Prefix::parse(g);
            (net && !isV4(net->address()) ? left : carried) += " " + g;
        }
        if (!isV4(local.address) || !isV4(remote.address)) {
            out << "# tunnel to node " << remote.node << " is IPv6, which mrouted does not route\n";
            continue;
        }
        out << "tunnel " << local.address.toString() << " " << remote.address.toString()
            << " metric 1 threshold 1  # to node " << remote.node << ", carries"
            << (carried.empty() ? " no IPv4 network" : carried) << "\n";
        if (!left.empty())
            out << "# the tunnel to node " << remote.node << " leaves out" << left
                << ": IPv6, which mrouted does not route\n";
    }
    return out.str();
}

SmcrouteOptions SmcrouteOptions::defaults()
{
    return SmcrouteOptions{{*Prefix::parse("239.0.0.0/8"), *Prefix::parse("ff0e::/16")}};
}

std::string tunnelInterfaceName(const NodeId &peer)
{
    constexpr std::size_t kIfNameMax = 15; // IFNAMSIZ - 1
    const bool plain = std::all_of(peer.begin(), peer.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
    std::string name = "dmr-" + peer;
    if (plain && !peer.empty() && name.size() <= kIfNameMax)
        return name;
    // FNV-1a, so that the short name is stable across runs and machines.
    std::uint32_t h = 2166136261U;
    for (char c : peer) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619U;
    }
    std::string stem;
    for (char c : peer) {
        if (stem.size() == 4)
            break;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            stem += c;
    }
    char hash[9];
    std::snprintf(hash, sizeof hash, "%06x", h & 0xffffffU);
    return "dmr-" + stem + "-" + hash;
}

std::string renderSmcroute(const Plan &plan, const Topology &topology, const NodeId &node,
                           const SmcrouteOptions &options)
{
    std::ostringstream out;
    out << "# smcroute.conf for node " << node << ", written by DMR; it is rewritten on every\n"
        << "# plan change, so edit the DMR configuration instead.\n"
        << "# Role: " << roleLine(plan, node) << "\n";
    if (findNode(topology, node) == nullptr) {
        out << "# node " << node << " is not in the topology\n";
        return out.str();
    }
    // Every port of this node's part of the star, with the families of what it carries: a
    // routed interface its network's (a dual-stack interface routes two networks, one port), a
    // tunnel the families of the networks it lists, whichever family its own endpoints are.
    struct Port
    {
        std::string ifname;
        std::set<Family> families;
        std::string comment;
    };
    std::vector<Port> ports;
    auto port = [&ports](const std::string &ifname) -> Port & {
        for (Port &p : ports)
            if (p.ifname == ifname)
                return p;
        ports.push_back({ifname, {}, {}});
        return ports.back();
    };
    auto familyOf = [](const GroupName &network) {
        auto net = Prefix::parse(network);
        return net ? net->address().family() : Family::V4;
    };
    for (const Route &r : plan.routesOf(node)) {
        Port &p = port(r.iface);
        p.families.insert(familyOf(r.network));
        p.comment += (p.comment.empty() ? "routes " : ", ") + r.network;
    }
    for (const Tunnel &t : plan.tunnelsOf(node)) {
        const bool root = t.root.node == node;
        const Endpoint &remote = root ? t.leaf : t.root;
        Port &p = port(tunnelInterfaceName(remote.node));
        for (const auto &n : t.networks)
            p.families.insert(familyOf(n));
        if (t.networks.empty())
            p.families.insert(remote.address.family());
        p.comment = "tunnel to node " + remote.node;
    }
    if (ports.empty()) {
        out << "# nothing to route: this node is not a routing point\n";
        return out.str();
    }
    for (const Port &p : ports)
        out << "phyint " << p.ifname << " enable  # " << p.comment << "\n";
    for (const Prefix &channel : options.channels) {
        const Family f = channel.address().family();
        for (const Port &from : ports) {
            if (from.families.count(f) == 0)
                continue;
            std::string to;
            for (const Port &p : ports)
                if (&p != &from && p.families.count(f) != 0)
                    to += " " + p.ifname;
            if (to.empty())
                continue;
            out << "mroute from " << from.ifname << " group " << channel.toString() << " to" << to
                << "\n";
        }
    }
    return out.str();
}

std::string renderPlanText(const Plan &plan)
{
    std::ostringstream out;
    const Election &e = plan.election;
    for (const auto &[group, leader] : e.groupLeaders)
        out << "leader " << group << " " << leader << "\n";
    out << "gl_group";
    for (const auto &n : e.glOrder)
        out << " " << n;
    out << "\nsystem-leader " << e.systemLeader.value_or("none") << "\n";
    for (const Route &r : plan.routes)
        out << "route " << r.node << " " << r.iface << " " << r.network << "\n";
    for (const Tunnel &t : plan.tunnels) {
        Action a{Action::Kind::OpenTunnel, {}, t};
        // "open-tunnel X" -> "tunnel X": one spelling of a tunnel everywhere.
        out << a.toString().substr(std::string_view("open-").size()) << "\n";
    }
    for (const NoTunnel &t : plan.noTunnels) {
        out << "no-tunnel " << t.root << " -> " << t.leaf << " carries";
        for (const auto &n : t.networks)
            out << " " << n;
        out << ": " << t.reason << "\n";
    }
    return out.str();
}

std::string renderViewsText(const Membership &membership)
{
    std::ostringstream out;
    auto line = [&](const View &v, const std::string &name) {
        out << "group " << name << ":";
        for (const Member &m : v.members)
            out << " " << m.node;
        out << "\n";
    };
    for (const auto &[group, view] : membership.networks)
        line(view, group);
    line(membership.glGroup, kGlGroup);
    return out.str();
}

namespace {

std::string dotQuote(const std::string &s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

} // namespace

std::string renderDot(const Snapshot &s)
{
    const Election &e = s.plan.election;
    std::ostringstream out;
    out << "graph " << dotQuote("dmr " + s.cluster) << " {\n";
    out << "  graph [label="
        << dotQuote("DMR cluster " + s.cluster + ", system leader " +
                    e.systemLeader.value_or("none"))
        << ", labelloc=t, fontname=\"Helvetica\", overlap=false, splines=true];\n";
    out << "  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n";

    // Networks: every one any node has an interface on.
    std::set<GroupName> networks;
    for (const auto &[id, node] : s.nodes)
        for (const Interface &i : node.interfaces)
            networks.insert(i.group());
    for (const GroupName &g : networks) {
        auto leader = e.groupLeaders.find(g);
        const std::string label =
            g + "\n" + (leader == e.groupLeaders.end() ? "no leader" : "leader " + leader->second);
        out << "  " << dotQuote("net:" + g) << " [shape=ellipse, style=filled, fillcolor="
            << (leader == e.groupLeaders.end() ? "\"#f2dede\"" : "\"#e8f0fe\"")
            << ", label=" << dotQuote(label) << "];\n";
    }

    std::vector<const Node *> nodes;
    for (const auto &[id, node] : s.nodes)
        nodes.push_back(&node);
    std::sort(nodes.begin(), nodes.end(),
              [](const Node *a, const Node *b) { return naturalLess(a->id, b->id); });
    for (const Node *n : nodes) {
        const auto st = s.status.count(n->id) != 0 ? s.status.at(n->id).state : NodeState::Down;
        std::string label = n->id;
        std::string style = "filled";
        std::string fill = "\"#ffffff\"";
        if (e.systemLeader == n->id) {
            label += "\nsystem leader";
            style = "filled,bold";
            fill = "\"#ffd966\"";
        } else if (e.leads(n->id)) {
            label += "\ngroup leader";
            style = "filled,bold";
            fill = "\"#b6d7a8\"";
        }
        if (st != NodeState::Up) {
            label += "\n" + std::string(toString(st));
            style = "filled,dashed";
            fill = "\"#dddddd\"";
        }
        out << "  " << dotQuote("node:" + n->id) << " [shape=box, style=\"" << style
            << "\", fillcolor=" << fill << ", label=" << dotQuote(label) << "];\n";
    }
    for (const Node *n : nodes) {
        const auto failed = s.status.count(n->id) != 0 ? s.status.at(n->id).failedAdapters
                                                       : std::set<std::string>{};
        for (const Interface &i : n->interfaces) {
            const GroupName g = i.group();
            auto view = s.membership.networks.find(g);
            std::string label = i.name + " " + i.address.address().toString();
            if (view != s.membership.networks.end()) {
                const auto &m = view->second.members;
                auto pos = std::find_if(m.begin(), m.end(),
                                        [&](const Member &x) { return x.node == n->id; });
                if (pos != m.end())
                    label += " #" + std::to_string(pos - m.begin() + 1);
            }
            std::string attrs = "label=" + dotQuote(label);
            auto leader = e.groupLeaders.find(g);
            if (leader != e.groupLeaders.end() && leader->second == n->id)
                attrs += ", penwidth=2.5";
            if (failed.count(i.name) != 0)
                attrs += ", style=dotted, color=\"#cc0000\"";
            out << "  " << dotQuote("node:" + n->id) << " -- " << dotQuote("net:" + g) << " ["
                << attrs << "];\n";
        }
    }
    for (const Tunnel &t : s.plan.tunnels) {
        std::string carried;
        for (const auto &g : t.networks)
            carried += (carried.empty() ? "" : ", ") + g;
        out << "  " << dotQuote("node:" + t.root.node) << " -- " << dotQuote("node:" + t.leaf.node)
            << " [style=dashed, color=\"#1f6feb\", penwidth=2, constraint=false, label="
            << dotQuote("tunnel " + t.root.address.toString() + " - " + t.leaf.address.toString() +
                        "\n" + carried)
            << "];\n";
    }
    out << "}\n";
    return out.str();
}

} // namespace dmr
