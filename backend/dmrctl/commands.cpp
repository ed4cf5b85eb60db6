#include "commands.h"

#include "client.h"
#include "format.h"

#include "dmr/replies.h"
#include "dmr/snapshot.h"
#include "dmr/upgrade.h"

#include <fstream>
#include <functional>
#include <iostream>
#include <map>

namespace dmrctl {

namespace {

namespace protocol = dmr::protocol;

// The exit code for a failure, after saying what it was on standard error.
int report(const Failure &f, const std::string &where)
{
    switch (f.kind) {
    case Failure::Kind::Refused:
        std::cerr << "dmrctl: " << f.code << ": " << f.message << "\n";
        return kExitRefused;
    case Failure::Kind::BadReply:
        std::cerr << "dmrctl: " << (where.empty() ? std::string() : where + ": ")
                  << "unexpected answer: " << f.message << "\n";
        return kExitRefused;
    case Failure::Kind::Unreachable:
        std::cerr << "dmrctl: " << (where.empty() ? std::string() : where + ": ") << f.message
                  << "\n";
        return kExitUnreachable;
    case Failure::Kind::Interrupted:
        return kExitOk;
    }
    return kExitRefused;
}

int badReply(const Client &client, const std::string &message)
{
    return report(Failure{Failure::Kind::BadReply, {}, message}, client.address().text);
}

// The node id of the agent that answered (its hello's "agent"), "-" when its hello does not read.
std::string agentOf(const Client &client)
{
    auto hello = dmr::reply::parseHello(client.hello().dump());
    return hello ? hello->agent : std::string("-");
}

// Reads a result with a typed parser (dmr/replies.h) and prints it with `format`; a result that
// does not read is a bad reply, its message naming the field.
template<typename Parse, typename Format>
int show(const Json &result, const Client &client, Parse &&parse, Format &&format)
{
    auto typed = parse(result.dump());
    if (!typed)
        return badReply(client, typed.error().message);
    std::cout << format(*typed);
    return kExitOk;
}

// The client options from the shared ones; a bad --connect is a usage error (nullopt).
std::optional<ClientOptions> clientOptions(const Globals &g)
{
    ClientOptions o;
    o.token = g.token.empty() ? std::nullopt : std::optional(g.token);
    o.timeout = std::chrono::milliseconds(g.timeoutMs);
    o.clientName = g.clientName;
    o.tls = TlsOptions{g.tlsCa, g.tlsCert, g.tlsKey};
    if (!g.tlsCa.empty() || !g.tlsCert.empty() || !g.tlsKey.empty()) {
        if (g.tlsCa.empty()) {
            std::cerr << "dmrctl: --tls-cert and --tls-key go with --tls-ca (the CA that signed "
                         "the agents' certificates)\n";
            return std::nullopt;
        }
        if (!g.tlsKey.empty() && g.tlsCert.empty()) {
            std::cerr << "dmrctl: --tls-key goes with --tls-cert\n";
            return std::nullopt;
        }
    }
    const std::vector<std::string> texts =
        g.connect.empty() ? std::vector<std::string>{kDefaultAddress} : g.connect;
    for (const auto &text : texts) {
        auto parsed = parseAddress(text);
        if (const auto *why = std::get_if<std::string>(&parsed)) {
            std::cerr << "dmrctl: --connect \"" << text << "\": " << *why << "\n";
            return std::nullopt;
        }
        o.addresses.push_back(std::get<Address>(parsed));
    }
    return o;
}

// An operator wants to know when the first address did not answer, even if another did.
void notePassedOver(const std::vector<std::string> &tried, const Client &client)
{
    if (tried.empty())
        return;
    std::cerr << "dmrctl: note: answered by " << client.address().text << "; passed over ";
    for (std::size_t i = 0; i < tried.size(); ++i)
        std::cerr << (i == 0 ? "" : ", ") << tried[i];
    std::cerr << "\n";
}

void printJson(const Json &j)
{
    std::cout << j.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

// Sends one request to the first agent that answers and hands its result to `show`.
int request(const Globals &g, const protocol::Request &r, bool retryable,
            const std::function<int(const Json &, const Client &)> &show)
{
    auto options = clientOptions(g);
    if (!options)
        return kExitUsage;
    std::optional<Client> client;
    std::vector<std::string> tried;
    auto result = callFirst(*options, r, retryable, client, tried);
    if (!result)
        return report(result.failure(), {});
    notePassedOver(tried, *client);
    if (g.json && r.kind != protocol::RequestKind::GetSnapshot) {
        printJson(*result);
        return kExitOk;
    }
    return show(*result, *client);
}

protocol::Request requestOf(protocol::RequestKind kind)
{
    protocol::Request r;
    r.kind = kind;
    return r;
}

int writeOut(const std::string &text, const std::string &output)
{
    if (output.empty() || output == "-") {
        std::cout << text << std::flush;
        return std::cout ? kExitOk : kExitRefused;
    }
    std::ofstream out(output, std::ios::trunc | std::ios::binary);
    out << text;
    out.close();
    if (!out) {
        std::cerr << "dmrctl: " << output << ": cannot write\n";
        return kExitRefused;
    }
    return kExitOk;
}

} // namespace

int runStatus(const Globals &g)
{
    return request(g, requestOf(protocol::RequestKind::GetState), true,
                   [](const Json &state, const Client &client) {
                       return show(state, client, dmr::reply::parseState, formatStatus);
                   });
}

int runCluster(const Globals &g)
{
    return request(g, requestOf(protocol::RequestKind::GetCluster), true,
                   [](const Json &cluster, const Client &client) {
                       return show(cluster, client, dmr::reply::parseCluster, formatCluster);
                   });
}

int runUpgradePlan(const Globals &g)
{
    Globals plain = g;
    plain.json = false; // the plan's JSON, not get-cluster's
    return request(
        plain, requestOf(protocol::RequestKind::GetCluster), true,
        [&](const Json &result, const Client &client) {
            auto cluster = dmr::reply::parseCluster(result.dump());
            if (!cluster)
                return badReply(client, cluster.error().message);
            const dmr::Snapshot &snapshot = cluster->snapshot;
            const auto plan = dmr::planUpgrade(dmr::modelOf(snapshot));
            if (g.json) {
                std::cout << dmr::renderUpgradePlanJson(plan);
                return kExitOk;
            }
            std::cout << "upgrade order for cluster " << snapshot.cluster << ", as agent "
                      << agentOf(client)
                      << " sees it\nfor each node in turn: drain it (dmrctl drill drain NODE "
                         "--reason upgrade), stop its agent, install the new version, start it,\n"
                         "and wait until dmrctl cluster shows it up again; then the next\n"
                      << dmr::renderUpgradePlanText(plan);
            return kExitOk;
        });
}

int runHistory(const Globals &g)
{
    return request(g, requestOf(protocol::RequestKind::GetHistory), true,
                   [](const Json &history, const Client &client) {
                       return show(history, client, dmr::reply::parseHistory, formatHistory);
                   });
}

int runDrills(const Globals &g)
{
    return request(g, requestOf(protocol::RequestKind::GetDrills), true,
                   [](const Json &drills, const Client &client) {
                       return show(drills, client, dmr::reply::parseDrills, formatDrills);
                   });
}

int runTunnels(const Globals &g)
{
    return request(g, requestOf(protocol::RequestKind::GetState), true,
                   [](const Json &state, const Client &client) {
                       return show(state, client, dmr::reply::parseRelayState, formatTunnels);
                   });
}

int runReachability(const Globals &g)
{
    return request(g, requestOf(protocol::RequestKind::GetReachability), true,
                   [](const Json &reachability, const Client &client) {
                       return show(reachability, client, dmr::reply::parseReachability,
                                   formatReachability);
                   });
}

int runListeners(const Globals &g)
{
    Globals plain = g;
    plain.json = false; // every node's get-state below, not get-cluster's
    auto options = clientOptions(g);
    if (!options)
        return kExitUsage;
    return request(plain, requestOf(protocol::RequestKind::GetCluster), true,
                   [&](const Json &clusterResult, const Client &client) {
                       auto cluster = dmr::reply::parseCluster(clusterResult.dump());
                       if (!cluster)
                           return badReply(client, cluster.error().message);
                       const dmr::Snapshot &snapshot = cluster->snapshot;
                       const auto &controls = cluster->controlAddresses;
                       std::map<dmr::NodeId, ListenerAnswer> answers;
                       Json states = Json::object();
                       // One get-state per node, asked only when the nodes before it on a network
                       // did not answer.
                       auto ask = [&](const dmr::NodeId &id) {
                           if (answers.count(id) != 0)
                               return answers[id].state.has_value();
                           ListenerAnswer &a = answers[id];
                           auto c = controls.find(id);
                           if (c == controls.end()) {
                               a.why = "no control address in get-cluster";
                               return false;
                           }
                           auto address = parseAddress(c->second);
                           if (const auto *why = std::get_if<std::string>(&address)) {
                               a.why = "control address \"" + c->second + "\": " + *why;
                               return false;
                           }
                           ClientOptions one = *options;
                           one.addresses = {std::get<Address>(address)};
                           std::optional<Client> session;
                           std::vector<std::string> tried;
                           auto result = callFirst(one, requestOf(protocol::RequestKind::GetState),
                                                   true, session, tried);
                           if (!result) {
                               a.why = "no answer: " + result.failure().message;
                               return false;
                           }
                           auto typed = dmr::reply::parseRelayState(result->dump());
                           if (!typed) {
                               a.why = "unexpected answer: " + typed.error().message;
                               return false;
                           }
                           a.state = std::move(*typed);
                           states[id] = *result;
                           return true;
                       };
                       for (const auto &[network, view] : snapshot.membership.networks)
                           for (const auto &id : listenerSources(snapshot, network))
                               if (ask(id))
                                   break;
                       if (g.json) {
                           Json unanswered = Json::object();
                           for (const auto &[id, a] : answers)
                               if (!a.state)
                                   unanswered[id] = a.why;
                           printJson(Json{{"states", states}, {"unanswered", unanswered}});
                           return kExitOk;
                       }
                       std::cout << formatListeners(snapshot, answers);
                       return kExitOk;
                   });
}

int runDrill(const Globals &g, const DrillArgs &args)
{
    using protocol::DrillAction;
    protocol::Request r = requestOf(protocol::RequestKind::Drill);
    auto &d = r.drill;
    if (args.action == "kill") {
        d.action = DrillAction::Kill;
    } else if (args.action == "fail-adapter") {
        d.action = DrillAction::FailAdapter;
    } else if (args.action == "drain") {
        d.action = DrillAction::Drain;
    } else if (args.action == "restore") {
        d.action = DrillAction::Restore;
    } else {
        std::cerr << "dmrctl: drill: ACTION must be kill, fail-adapter, drain or restore, not \""
                  << args.action << "\"\n";
        return kExitUsage;
    }
    if (d.action == DrillAction::FailAdapter && args.iface.empty()) {
        std::cerr << "dmrctl: drill fail-adapter: needs IFACE (drill fail-adapter NODE IFACE)\n";
        return kExitUsage;
    }
    if ((d.action == DrillAction::Kill || d.action == DrillAction::Drain) && !args.iface.empty()) {
        std::cerr << "dmrctl: drill " << args.action << ": takes no IFACE (got \"" << args.iface
                  << "\")\n";
        return kExitUsage;
    }
    if (d.action == DrillAction::Restore && args.durationMs) {
        std::cerr << "dmrctl: drill restore: --duration-ms does not apply\n";
        return kExitUsage;
    }
    if (args.reason.empty()) {
        std::cerr << "dmrctl: drill: --reason must not be empty: every drill says why\n";
        return kExitUsage;
    }
    d.node = args.node;
    d.iface = args.iface;
    d.reason = args.reason;
    d.durationMs = args.durationMs;
    // Never sent twice: a drill whose answer is lost may have been carried out.
    return request(g, r, false, [](const Json &record, const Client &client) {
        return show(record, client, dmr::reply::parseDrill, [&](const dmr::reply::Drill &ran) {
            return formatDrillReply(ran, agentOf(client));
        });
    });
}

int runEvents(const Globals &g, std::optional<std::int64_t> count)
{
    auto options = clientOptions(g);
    if (!options)
        return kExitUsage;
    protocol::Request subscribe = requestOf(protocol::RequestKind::Subscribe);
    subscribe.subscribeEvents = true;
    std::optional<Client> client;
    std::vector<std::string> tried;
    auto subscribed = callFirst(*options, subscribe, true, client, tried);
    if (!subscribed)
        return report(subscribed.failure(), {});
    notePassedOver(tried, *client);
    // From here on Ctrl-C ends the wait for the next event, not the process.
    blockStopSignals();
    std::cerr << "dmrctl: following the events of agent " << agentOf(*client) << " at "
              << client->address().text << " (Ctrl-C stops)" << std::endl;
    for (std::int64_t seen = 0; !count || seen < *count; ++seen) {
        auto event = client->nextEvent();
        if (!event) {
            if (event.failure().kind == Failure::Kind::Interrupted)
                return kExitOk;
            return report(event.failure(), client->address().text);
        }
        const std::string line = event->dump(-1, ' ', false, Json::error_handler_t::replace);
        if (g.json) {
            std::cout << line << "\n";
        } else if (auto typed = dmr::reply::parseEvent(line)) {
            std::cout << formatEvent(*typed);
        } else {
            // A line that is not an event as PROTOCOL.md says: named, and the stream goes on.
            std::cerr << "dmrctl: " << client->address().text
                      << ": unexpected answer: " << typed.error().message << "\n";
        }
        std::cout << std::flush;
    }
    return kExitOk;
}

int runSnapshot(const Globals &g, const std::string &format, const std::string &output)
{
    protocol::Request r = requestOf(protocol::RequestKind::GetSnapshot);
    r.format = format == "dot" ? protocol::SnapshotFormat::Dot : protocol::SnapshotFormat::Json;
    return request(g, r, true, [&](const Json &result, const Client &client) {
        if (g.json)
            return writeOut(result.dump(2, ' ', false, Json::error_handler_t::replace) + "\n",
                            output);
        if (r.format == protocol::SnapshotFormat::Dot) {
            if (!result.is_object() || !result.contains("dot") || !result["dot"].is_string())
                return badReply(client, "get-snapshot: no \"dot\" text in the result");
            return writeOut(result["dot"].get<std::string>(), output);
        }
        if (!result.is_object() || !result.contains("snapshot"))
            return badReply(client, "get-snapshot: no \"snapshot\" in the result");
        // Parsed and rendered again, so that what is printed is a valid snapshot document.
        auto snapshot = dmr::parseSnapshot(result["snapshot"].dump());
        if (!snapshot)
            return badReply(client, "get-snapshot: snapshot: " + snapshot.error().message);
        return writeOut(dmr::toJson(*snapshot), output);
    });
}

} // namespace dmrctl
