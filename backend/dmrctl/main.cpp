// dmrctl: the command line client of DMR.
//
//   dmrctl plan TOPOLOGY.json [--format text|views|mrouted|smcroute|dot|json] [--node ID]
//              [--fail ID]... [--fail-adapter ID:IFACE]...
//   dmrctl [--connect HOST:PORT[,HOST:PORT...]]... [--token TOKEN] [--json] [--timeout-ms MS]
//          [--tls-ca CA.pem [--tls-cert CLIENT.pem [--tls-key CLIENT.key]]]
//          status | cluster | events [--count N] | history | drills | tunnels | listeners
//          | reachability
//          | drill ACTION NODE [IFACE] --reason TEXT [--duration-ms MS]
//          | snapshot [--format json|dot] [-o FILE] | upgrade-plan
//
// "plan" is the offline planner: it starts the topology's nodes in its join order, applies the
// given failures, and prints the election and the tunnel plan the agents would install. The
// other commands talk to a running dmr-agent's control port (backend/PROTOCOL.md).

#include "clidoc_cli11.h"
#include "commands.h"

#include "dmr/diff.h"
#include "dmr/protocol.h"
#include "dmr/render.h"
#include "dmr/snapshot.h"
#include "dmr/topology.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
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
        std::cout << "\n\n"
                  << dmr::renderViewsText(model.membership()) << "\n"
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

    // The agent's control port. These options go before or after the command.
    dmrctl::Globals g;
    g.clientName = std::string("dmrctl ") + DMR_VERSION;
    app.add_option("--connect", g.connect,
                   "Agent control port HOST:PORT (default 127.0.0.1:7500); repeat or separate "
                   "with commas to try several in turn")
        ->delimiter(',')
        ->type_name("HOST:PORT");
    app.add_option("--token", g.token, "Operator token, sent in the hello; drills need it")
        ->envname("DMR_TOKEN");
    app.add_option("--tls-ca", g.tlsCa,
                   "Speak TLS 1.3 to the agent and check its certificate against this CA (PEM); "
                   "the certificate must name the address connected to")
        ->envname("DMR_TLS_CA")
        ->type_name("FILE");
    app.add_option("--tls-cert", g.tlsCert,
                   "This client's certificate (PEM), for an agent that asks for one: its name "
                   "may grant a role (control.operator_cert_names)")
        ->envname("DMR_TLS_CERT")
        ->type_name("FILE");
    app.add_option("--tls-key", g.tlsKey, "The client certificate's private key (PEM)")
        ->envname("DMR_TLS_KEY")
        ->type_name("FILE");
    app.add_flag("--json", g.json, "Print the agent's result as JSON instead of tables");
    app.add_option("--timeout-ms", g.timeoutMs,
                   "Wait this long for a connection and for each answer (default 3000)")
        ->check(CLI::Range(1, 3600 * 1000));
    app.footer("Exit status: 0 done, 1 the agent refused, 2 usage error, 3 no agent answered.");

    auto *status = app.add_subcommand("status", "The agent's own state and roles");
    auto *cluster = app.add_subcommand(
        "cluster", "Every node, the groups with their members in join order, the tunnels");
    std::int64_t count = 0;
    auto *events = app.add_subcommand(
        "events", "Follow the agent's events (views, plans, failovers, drills) until Ctrl-C");
    events->add_option("--count", count, "Stop after this many events")
        ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
    auto *history = app.add_subcommand("history", "The failovers the agent has recorded");
    auto *drills = app.add_subcommand("drills", "The drills the agent has recorded");
    auto *tunnels = app.add_subcommand(
        "tunnels", "The agent's relay: its tunnels with state and counters, channels, drops");
    auto *listeners = app.add_subcommand(
        "listeners", "Each network's wanted groups and their age (from its routing point), and "
                     "which groups each tunnel carries");
    auto *reachability = app.add_subcommand(
        "reachability", "Who hears whom: every agent's probe reception, as a matrix");
    auto *upgradePlan = app.add_subcommand(
        "upgrade-plan", "The order to upgrade the nodes in, one at a time (drain, upgrade, "
                        "start), that moves the system leader the fewest times");

    dmrctl::DrillArgs drillArgs;
    std::int64_t durationMs = 0;
    auto *drill = app.add_subcommand(
        "drill", "Fault injection (needs --token): kill, fail-adapter, drain or restore a node");
    drill->add_option("action", drillArgs.action, "kill, fail-adapter, drain or restore")
        ->required()
        ->check(CLI::IsMember({"kill", "fail-adapter", "drain", "restore"}));
    drill->add_option("node", drillArgs.node, "The node id")->required();
    drill->add_option("iface", drillArgs.iface,
                      "The interface: required for fail-adapter; restore restores it only");
    drill->add_option("--reason", drillArgs.reason, "Why: goes into the drill record and the log")
        ->required();
    auto *duration =
        drill->add_option("--duration-ms", durationMs, "Restore automatically after this long")
            ->check(CLI::Range(std::int64_t{0}, dmr::protocol::kDrillDurationMsMax));

    std::string snapshotFormat = "json";
    std::string output;
    auto *snapshot =
        app.add_subcommand("snapshot", "The whole cluster as a snapshot document or GraphViz");
    snapshot->add_option("--format,-f", snapshotFormat, "json (default) or dot")
        ->check(CLI::IsMember({"json", "dot"}));
    snapshot->add_option("--output,-o", output, "Write to this file instead of standard output")
        ->type_name("FILE");

    for (auto *sub : {status, cluster, events, history, drills, tunnels, listeners, reachability,
                      upgradePlan, drill, snapshot})
        sub->fallthrough(); // the connection options may follow the command

    if (auto rc = dmr::clidoc::printIfAsked(app, "dmrctl", DMR_VERSION, argc, argv))
        return *rc;
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        const int rc = app.exit(e); // prints help, the version, or the error
        return rc == 0 ? 0 : dmrctl::kExitUsage;
    }
    if (plan->parsed())
        return runPlan(path, format, node, failures, adapters);
    if (status->parsed())
        return dmrctl::runStatus(g);
    if (cluster->parsed())
        return dmrctl::runCluster(g);
    if (events->parsed())
        return dmrctl::runEvents(g, events->count("--count") != 0 ? std::optional(count)
                                                                  : std::nullopt);
    if (history->parsed())
        return dmrctl::runHistory(g);
    if (drills->parsed())
        return dmrctl::runDrills(g);
    if (tunnels->parsed())
        return dmrctl::runTunnels(g);
    if (listeners->parsed())
        return dmrctl::runListeners(g);
    if (reachability->parsed())
        return dmrctl::runReachability(g);
    if (upgradePlan->parsed())
        return dmrctl::runUpgradePlan(g);
    if (drill->parsed()) {
        if (duration->count() != 0)
            drillArgs.durationMs = durationMs;
        return dmrctl::runDrill(g, drillArgs);
    }
    if (snapshot->parsed())
        return dmrctl::runSnapshot(g, snapshotFormat, output);
    return 0;
}
