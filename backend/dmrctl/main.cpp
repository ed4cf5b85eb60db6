// dmrctl: the command line client of DMR.
//
//   dmrctl plan TOPOLOGY.json [--format text|views|mrouted|smcroute|dot|json] [--node ID]
//              [--fail ID]... [--fail-adapter ID:IFACE]...
//
// "plan" is the offline planner: it starts the topology's nodes in its join order, applies the
// given failures, and prints the election and the tunnel plan the agents would install.

#include "dmr/diff.h"
#include "dmr/render.h"
#include "dmr/snapshot.h"
#include "dmr/topology.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace {

int runPlan(const std::string &path, const std::string &format, const std::string &node,
            const std::vector<std::string> &failures, const std::vector<std::string> &adapters)
{
    std::ifstream in(path);
    if (!in) {
        std::cerr << "dmrctl: " << path << ": cannot open\n";
        return 1;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto topo = dmr::parseTopology(text.str());
    if (!topo) {
        std::cerr << "dmrctl: " << path << ": " << topo.error().message << "\n";
        return 1;
    }
    dmr::ClusterModel model(topo->nodes);
    for (const auto &id : topo->joinOrder)
        (void)model.join(id); // every id is known and down: parseTopology checked
    const dmr::Plan before = model.plan();
    for (const auto &id : failures) {
        if (auto s = model.fail(id); !s) {
            std::cerr << "dmrctl: --fail " << id << ": " << s.error().message << "\n";
            return 1;
        }
    }
    for (const auto &spec : adapters) {
        const auto colon = spec.find(':');
        if (colon == std::string::npos) {
            std::cerr << "dmrctl: --fail-adapter " << spec << ": expected NODE:IFACE\n";
            return 1;
        }
        if (auto s = model.failAdapter(spec.substr(0, colon), spec.substr(colon + 1)); !s) {
            std::cerr << "dmrctl: --fail-adapter " << spec << ": " << s.error().message << "\n";
            return 1;
        }
    }
    const dmr::Plan plan = model.plan();
    const bool needsNode = format == "mrouted" || format == "smcroute";
    if (needsNode && node.empty()) {
        std::cerr << "dmrctl: --format " << format << " needs --node ID\n";
        return 1;
    }
    if (!node.empty() && topo->nodes.count(node) == 0) {
        std::cerr << "dmrctl: --node " << node << ": unknown node\n";
        return 1;
    }
    if (format == "text") {
        std::cout << "topology " << topo->name;
        if (!topo->description.empty())
            std::cout << ": " << topo->description;
        std::cout << "\njoin order:";
        for (const auto &id : topo->joinOrder)
            std::cout << " " << id;
        std::cout << "\n\n" << dmr::renderViewsText(model.membership()) << "\n"
                  << dmr::renderPlanText(plan);
        if (!failures.empty() || !adapters.empty()) {
            std::cout << "\nchanges from the plan before the failures (opens first):\n";
            for (const auto &a : dmr::diffPlans(before, plan))
                std::cout << "  " << a.toString() << "\n";
        }
    } else if (format == "views") {
        std::cout << dmr::renderViewsText(model.membership());
    } else if (format == "mrouted") {
        std::cout << dmr::renderMrouted(plan, topo->nodes, node);
    } else if (format == "smcroute") {
        std::cout << dmr::renderSmcroute(plan, topo->nodes, node);
    } else if (format == "dot") {
        std::cout << dmr::renderDot(dmr::makeSnapshot(model, topo->name, 0));
    } else {
        std::cout << dmr::toJson(dmr::makeSnapshot(model, topo->name, 0));
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"dmrctl: the command line client of DMR (Dynamic Multicast Routing)"};
    app.set_version_flag("--version", std::string("dmrctl ") + DMR_VERSION);
    app.require_subcommand(1);

    std::string path;
    std::string format = "text";
    std::string node;
    std::vector<std::string> failures;
    std::vector<std::string> adapters;
    auto *plan = app.add_subcommand(
        "plan", "Offline planner: elect leaders and plan tunnels for a topology file");
    plan->add_option("topology", path, "Topology JSON file (see resources/topologies)")
        ->required()
        ->check(CLI::ExistingFile);
    plan->add_option("--format,-f", format, "Output: text, views, mrouted, smcroute, dot, json")
        ->check(CLI::IsMember({"text", "views", "mrouted", "smcroute", "dot", "json"}));
    plan->add_option("--node,-n", node, "The node whose configuration to render");
    plan->add_option("--fail", failures, "Crash this node after the joins (repeatable)");
    plan->add_option("--fail-adapter", adapters, "Fail NODE:IFACE after the joins (repeatable)");

    CLI11_PARSE(app, argc, argv);
    if (plan->parsed())
        return runPlan(path, format, node, failures, adapters);
    return 0;
}
