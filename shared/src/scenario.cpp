#include "dmr/scenario.h"

#include "membership_sim.h"
#include "node_sim.h"

#include "dmr/diff.h"
#include "dmr/render.h"

#include <charconv>

#include <functional>
#include <sstream>

namespace dmr {

bool ScenarioResult::passed() const
{
    if (error)
        return false;
    for (const auto &c : checks)
        if (!c.passed())
            return false;
    return true;
}

namespace {

std::vector<std::string> words(std::string_view line)
{
    std::vector<std::string> out;
    std::istringstream in{std::string(line)};
    std::string w;
    while (in >> w)
        out.push_back(w);
    return out;
}

std::vector<std::string_view> lines(std::string_view text)
{
    std::vector<std::string_view> out;
    while (!text.empty()) {
        auto nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

class Interpreter
{
public:
    // Returns the error reason, or an empty string.
    std::string run(const std::vector<std::string> &w, std::string &output)
    {
        const std::string &cmd = w[0];
        const std::vector<std::string> args(w.begin() + 1, w.end());
        if (cmd == "node")
            return declareNode(args);
        if (cmd == "protocol") {
            // Example: protocol   (before the first event: the events run the membership
            // protocol itself, gms::Machine on a simulated network, instead of the model)
            if (!args.empty())
                return "\"protocol\" takes no arguments";
            if (model_ || cluster_ || nodes_)
                return "\"protocol\" must come before the first event";
            protocol_ = true;
            return {};
        }
        if (cmd == "agents") {
            // Example: agents   (before the first event: every node runs the membership
            // protocol and an agent's node controller, dmr/node.h, in simulated time)
            if (!args.empty())
                return "\"agents\" takes no arguments";
            if (model_ || cluster_ || nodes_)
                return "\"agents\" must come before the first event";
            agents_ = true;
            return {};
        }
        if (!model_ && !cluster_ && !nodes_) {
            if (topology_.empty())
                return "declare nodes with \"node\" before \"" + cmd + "\"";
            if (agents_)
                nodes_.emplace(topology_);
            else if (protocol_)
                cluster_.emplace(topology_);
            else
                model_.emplace(topology_);
        }
        if (nodes_)
            return runAgents(cmd, args, output);
        if (cluster_)
            return runProtocol(cmd, args, output);
        if (cmd == "cut" || cmd == "heal" || cmd == "wait")
            return "\"" + cmd + "\" needs \"protocol\" before the first event";
        if (cmd == "hold" || cmd == "applied" || cmd == "dataplane" || cmd == "history" ||
            cmd == "kill")
            return "\"" + cmd + "\" needs \"agents\" before the first event";
        using Op = Status (ClusterModel::*)(const NodeId &);
        const std::map<std::string, Op> perNode = {
            {"join", &ClusterModel::join},    {"fail", &ClusterModel::fail},
            {"leave", &ClusterModel::leave},  {"drain", &ClusterModel::drain},
            {"restore", &ClusterModel::join},
        };
        if (auto op = perNode.find(cmd); op != perNode.end()) {
            // Example: join 2 6 4 1 3 5
            if (args.empty())
                return "\"" + cmd + "\" needs at least one node id";
            for (const auto &id : args)
                if (auto s = ((*model_).*(op->second))(id); !s)
                    return s.error().message;
            return {};
        }
        if (cmd == "fail-adapter" || cmd == "restore-adapter") {
            // Example: fail-adapter 4 eth1
            if (args.size() != 2)
                return "\"" + cmd + "\" takes a node id and an interface name";
            auto s = cmd == "fail-adapter" ? model_->failAdapter(args[0], args[1])
                                           : model_->restoreAdapter(args[0], args[1]);
            return s ? std::string() : s.error().message;
        }
        if (!args.empty() && (cmd == "views" || cmd == "plan" || cmd == "diff"))
            return "\"" + cmd + "\" takes no arguments";
        if (cmd == "views") {
            output += renderViewsText(model_->membership());
            return {};
        }
        if (cmd == "plan") {
            lastPlan_ = model_->plan();
            output += renderPlanText(lastPlan_);
            return {};
        }
        if (cmd == "diff") {
            // Example: diff   (after "fail 2": what every node does, opens first)
            Plan now = model_->plan();
            for (const Action &a : diffPlans(lastPlan_, now))
                output += a.toString() + "\n";
            lastPlan_ = std::move(now);
            return {};
        }
        if (cmd == "render")
            return render(args, output);
        return "unknown command \"" + cmd +
               "\" (expected node, protocol, agents, join, fail, leave, drain, restore, "
               "fail-adapter, "
               "restore-adapter, views, plan, diff or render)";
    }

private:
    // The events of a "protocol" scenario: every one settles before the next (membership_sim.h).
    std::string runProtocol(const std::string &cmd, const std::vector<std::string> &args,
                            std::string &output)
    {
        using Op = std::string (gms::SimulatedCluster::*)(const NodeId &);
        const std::map<std::string, Op> perNode = {{"join", &gms::SimulatedCluster::join},
                                                   {"fail", &gms::SimulatedCluster::fail},
                                                   {"leave", &gms::SimulatedCluster::leave}};
        if (auto op = perNode.find(cmd); op != perNode.end()) {
            // Example: join 2 6 4   (each node in the view before the next starts)
            if (args.empty())
                return "\"" + cmd + "\" needs at least one node id";
            for (const auto &id : args)
                if (auto e = ((*cluster_).*(op->second))(id); !e.empty())
                    return e;
            return {};
        }
        if (cmd == "cut") {
            // Example: cut 1 | 2 3   (node 1 cannot reach 2 or 3, nor they it)
            std::vector<std::set<NodeId>> sides(1);
            for (const auto &a : args) {
                if (a == "|")
                    sides.emplace_back();
                else
                    sides.back().insert(a);
            }
            return cluster_->cut(sides);
        }
        if (cmd == "heal") {
            // Example: heal   (the cut is gone; the sides merge)
            if (!args.empty())
                return "\"heal\" takes no arguments";
            return cluster_->heal();
        }
        if (cmd == "wait") {
            // Example: wait 2000   (simulated milliseconds pass; nothing settles)
            gms::Ms ms = 0;
            const auto [end, ec] =
                args.size() == 1
                    ? std::from_chars(args[0].data(), args[0].data() + args[0].size(), ms)
                    : std::from_chars_result{nullptr, std::errc::invalid_argument};
            if (ec != std::errc() || end != args[0].data() + args[0].size() || ms < 1 ||
                ms > 600000)
                return "\"wait\" takes a number of milliseconds from 1 to 600000";
            cluster_->wait(ms);
            return {};
        }
        if ((cmd == "views" || cmd == "plan" || cmd == "diff") && !args.empty())
            return "\"" + cmd + "\" takes no arguments";
        const auto held = cluster_->views();
        if (cmd == "views") {
            // Example: views   (each view the running nodes hold: its nodes, coordinator
            // first, then its groups; "held by" heads each when they hold several)
            for (const auto &h : held) {
                if (held.size() > 1) {
                    output += "held by";
                    for (const auto &id : h.holders)
                        output += " " + id;
                    output += "\n";
                }
                output += "nodes";
                for (const auto &n : h.view.nodes)
                    output += " " + n.id;
                output += "\n" + renderViewsText(h.view.groups);
            }
            return {};
        }
        if (cmd == "plan" || cmd == "diff") {
            // Example: plan   (the plan of the one view every running node holds)
            if (held.size() != 1)
                return "\"" + cmd + "\" needs every running node in one view; they hold " +
                       std::to_string(held.size());
            Plan now = makePlan(topology_, held.front().view.groups);
            if (cmd == "plan") {
                output += renderPlanText(now);
            } else {
                for (const Action &a : diffPlans(lastPlan_, now))
                    output += a.toString() + "\n";
            }
            lastPlan_ = std::move(now);
            return {};
        }
        return "\"" + cmd +
               "\" is not available with \"protocol\" (expected join, fail, leave, cut, heal, "
               "wait, views, plan or diff)";
    }

    // The events of an "agents" scenario: whole nodes, membership and node controller, in
    // simulated time (node_sim.h); every event settles before the next.
    std::string runAgents(const std::string &cmd, const std::vector<std::string> &args,
                          std::string &output)
    {
        using protocol::DrillAction;
        using sim::SimulatedNodes;
        using Op = std::function<std::string(const NodeId &)>;
        const std::map<std::string, Op> perNode = {
            {"join", [&](const NodeId &id) { return nodes_->join(id); }},
            {"fail", [&](const NodeId &id) { return nodes_->fail(id); }},
            {"leave", [&](const NodeId &id) { return nodes_->leave(id); }},
            {"drain", [&](const NodeId &id) { return nodes_->drill(id, DrillAction::Drain, {}); }},
            {"restore",
             [&](const NodeId &id) { return nodes_->drill(id, DrillAction::Restore, {}); }},
            {"kill", [&](const NodeId &id) { return nodes_->drill(id, DrillAction::Kill, {}); }},
            {"hold", [&](const NodeId &id) { return nodes_->hold(id); }},
            {"applied", [&](const NodeId &id) { return nodes_->release(id); }},
        };
        if (auto op = perNode.find(cmd); op != perNode.end()) {
            // Example: drain 2   (a drill on node 2's own control port; the cluster settles)
            // Example: hold 6    (node 6's "applied" words are held back from now on)
            // Example: applied 6 (they are delivered, and no longer held)
            if (args.empty())
                return "\"" + cmd + "\" needs at least one node id";
            for (const auto &id : args)
                if (auto e = op->second(id); !e.empty())
                    return e;
            return {};
        }
        if (cmd == "fail-adapter" || cmd == "restore-adapter") {
            // Example: fail-adapter 4 eth1   (a drill: the adapter fails)
            if (args.size() != 2)
                return "\"" + cmd + "\" takes a node id and an interface name";
            return nodes_->drill(
                args[0], cmd == "fail-adapter" ? DrillAction::FailAdapter : DrillAction::Restore,
                args[1]);
        }
        if (cmd == "wait") {
            // Example: wait 2500   (simulated milliseconds pass; nothing settles)
            gms::Ms ms = 0;
            const auto [end, ec] =
                args.size() == 1
                    ? std::from_chars(args[0].data(), args[0].data() + args[0].size(), ms)
                    : std::from_chars_result{nullptr, std::errc::invalid_argument};
            if (ec != std::errc() || end != args[0].data() + args[0].size() || ms < 1 ||
                ms > 600000)
                return "\"wait\" takes a number of milliseconds from 1 to 600000";
            nodes_->wait(ms);
            return {};
        }
        if (cmd == "dataplane") {
            // Example: dataplane   (what every data plane carried out, and every "applied"
            // said, since the last "dataplane", in order: "2: open-tunnel ...")
            if (!args.empty())
                return "\"dataplane\" takes no arguments";
            for (const auto &line : nodes_->takeLog())
                output += line + "\n";
            return {};
        }
        if (cmd == "history") {
            // Example: history 6   (node 6's failover history, with each record's phases in
            // simulated ms)
            if (args.size() != 1)
                return "\"history\" takes a node id";
            const node::Controller *c = nodes_->controller(args[0]);
            if (c == nullptr)
                return "node " + args[0] + " is not running";
            for (const auto &r : c->history()) {
                output += "failover " + std::to_string(r.id) + " node " + r.node + " " +
                          std::string(toString(r.cause)) + ":";
                for (std::size_t i = 0; i < r.roles.size(); ++i) {
                    const auto s = r.successors.find(r.roles[i]);
                    const NodeId to = s == r.successors.end() ? NodeId() : s->second;
                    output += (i == 0 ? " " : ", ") + r.roles[i] + " -> " +
                              (to.empty() ? std::string("nobody") : to);
                }
                const FailoverPhases p = r.phases();
                const auto opt = [](const std::optional<std::int64_t> &v) {
                    return v ? std::to_string(*v) : std::string("pending");
                };
                output += "\n  detection " + std::to_string(p.detectionMs) + " election " +
                          std::to_string(p.electionMs) + " tunnels " + opt(p.tunnelsMs) +
                          " total " + opt(p.totalMs) + "\n";
            }
            return {};
        }
        if (cmd == "plan" || cmd == "diff") {
            // Example: plan   (the plan every running node's controller holds)
            if (!args.empty())
                return "\"" + cmd + "\" takes no arguments";
            const auto ids = nodes_->running();
            if (ids.empty())
                return "\"" + cmd + "\" needs a running node";
            const Plan &now = nodes_->controller(ids.front())->plan();
            for (const auto &id : ids)
                if (!(nodes_->controller(id)->plan() == now))
                    return "\"" + cmd + "\": nodes " + ids.front() + " and " + id +
                           " hold different plans";
            if (cmd == "plan") {
                output += renderPlanText(now);
            } else {
                for (const Action &a : diffPlans(lastPlan_, now))
                    output += a.toString() + "\n";
            }
            lastPlan_ = now;
            return {};
        }
        return "\"" + cmd +
               "\" is not available with \"agents\" (expected join, fail, leave, drain, "
               "restore, kill, fail-adapter, restore-adapter, hold, applied, wait, dataplane, "
               "history, plan or diff)";
    }

    std::string declareNode(const std::vector<std::string> &args)
    {
        // Example: node 4 eth0=10.0.2.4/24 eth1=10.0.3.4/24
        if (model_ || cluster_ || nodes_)
            return "declare every node before the first event";
        if (args.size() < 2)
            return "\"node\" takes an id and at least one IFACE=ADDR/LEN";
        Node node{args[0], {}};
        if (topology_.count(node.id) != 0)
            return "node \"" + node.id + "\" declared twice";
        for (std::size_t i = 1; i < args.size(); ++i) {
            auto eq = args[i].find('=');
            if (eq == std::string::npos || eq == 0)
                return "expected IFACE=ADDR/LEN, found \"" + args[i] + "\"";
            auto address = InterfaceAddress::parse(args[i].substr(eq + 1));
            if (!address)
                return address.error().message;
            Interface iface{args[i].substr(0, eq), *address};
            // Once per family: a dual-stack interface is listed with each of its addresses.
            for (const Interface &other : node.interfaces)
                if (other.name == iface.name &&
                    other.address.address().family() == iface.address.address().family())
                    return "interface \"" + iface.name + "\" declared twice in one family";
            node.interfaces.push_back(std::move(iface));
        }
        topology_.emplace(node.id, std::move(node));
        return {};
    }

    std::string render(const std::vector<std::string> &args, std::string &output)
    {
        // Example: render mrouted 2
        if (args.size() == 1 && args[0] == "dot") {
            output += renderDot(makeSnapshot(*model_, "scenario", 0));
            return {};
        }
        if (args.size() != 2 || (args[0] != "mrouted" && args[0] != "smcroute"))
            return "expected \"render mrouted ID\", \"render smcroute ID\" or \"render dot\"";
        if (topology_.count(args[1]) == 0)
            return "unknown node \"" + args[1] + "\"";
        const Plan plan = model_->plan();
        output += args[0] == "mrouted" ? renderMrouted(plan, topology_, args[1])
                                       : renderSmcroute(plan, topology_, args[1]);
        return {};
    }

    Topology topology_;
    bool protocol_ = false;
    bool agents_ = false;
    std::optional<ClusterModel> model_;
    std::optional<gms::SimulatedCluster> cluster_;
    std::optional<sim::SimulatedNodes> nodes_;
    Plan lastPlan_;
};

} // namespace

ScenarioResult runScenario(std::string_view text, std::string_view fileName)
{
    ScenarioResult result;
    Interpreter interp;
    const auto all = lines(text);
    std::string pending; // output printed since the last check
    int pendingFrom = 0; // line of the first command that printed it
    std::string &out = result.rewritten;
    auto fail = [&](std::size_t index, const std::string &reason) {
        result.error =
            Error{std::string(fileName) + ":" + std::to_string(index + 1) + ": " + reason};
    };
    for (std::size_t i = 0; i < all.size(); ++i) {
        const std::string_view line = all[i];
        const auto w = words(line);
        if (w.empty() || w[0][0] == '#') {
            out += std::string(line) + "\n";
            continue;
        }
        if (line == "----") {
            ScenarioCheck check;
            check.line = static_cast<int>(i + 1);
            std::size_t j = i + 1;
            for (; j < all.size() && !all[j].empty(); ++j)
                check.expected += std::string(all[j]) + "\n";
            check.actual = pending;
            out += "----\n" + check.actual;
            result.checks.push_back(std::move(check));
            pending.clear();
            pendingFrom = 0;
            i = j - 1;
            continue;
        }
        const std::size_t before = pending.size();
        if (auto reason = interp.run(w, pending); !reason.empty()) {
            fail(i, reason);
            return result;
        }
        if (pending.size() != before && pendingFrom == 0)
            pendingFrom = static_cast<int>(i + 1);
        out += std::string(line) + "\n";
    }
    if (!pending.empty()) {
        result.error = Error{std::string(fileName) + ":" + std::to_string(pendingFrom) +
                             ": output not checked (follow the command with a ---- block)"};
    }
    return result;
}

} // namespace dmr
