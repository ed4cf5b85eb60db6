#include "agent.h"
#include "crypto.h"

#include "embedded_membership.h"
#include "etcd_membership.h"
#include "os_interfaces.h"
#include "process.h"

#include "dmr/failover.h"
#include "dmr/prometheus.h"
#include "dmr/render.h"
#include "dmr/replies.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

namespace dmr::agent {

using Json = nlohmann::json;

// A replay is queued whole behind the subscribe reply: it must fit a client's queue.
static_assert(Agent::kEventsKeptMax + 1 < ControlServer::kQueueLinesMax);

namespace {

// A string field of a peer's message; empty when absent or of another type (value() would throw).
std::string textField(const Json &j, const char *key)
{
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t wallClockUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Json tunnelJson(const Tunnel &t)
{
    auto end = [](const Endpoint &e) {
        return Json{{"node", e.node}, {"iface", e.iface}, {"address", e.address.toString()}};
    };
    return {{"root", end(t.root)}, {"leaf", end(t.leaf)}, {"networks", t.networks}};
}

Json routeJson(const Route &r)
{
    return {{"node", r.node}, {"iface", r.iface}, {"network", r.network}};
}

std::string okOrFailed(const protocol::RequestId &id, const Result<std::string> &line)
{
    return line ? *line
                : protocol::encodeError(id, protocol::ErrorCode::Failed, line.error().message);
}

// Runs a hook through /bin/sh with `input` on its standard input, without waiting for it: the
// agent's loop must not block. Children are reaped by reapChildren(). An error says why it did
// not start.
Result<pid_t> spawnCommand(const std::string &command, const std::string &input)
{
    return process::launch({process::shell(command), input, {}, false});
}

// The nodes of the view that open something in this change: the new routing points, whose
// word ("applied") closes and the history wait for.
std::set<NodeId> openers(const std::vector<Action> &change, const gms::ClusterView &view)
{
    std::set<NodeId> out;
    for (const auto &a : change) {
        if (!a.opens())
            continue;
        for (const NodeId &n : {a.route.node, a.tunnel.root.node, a.tunnel.leaf.node})
            if (!n.empty() && view.node(n) != nullptr)
                out.insert(n);
    }
    return out;
}

// When an agent that reported its part applied had computed the new plan: when it installed the
// view, or (an agent that does not say) no later than when its part was up.
template<typename Applied>
std::int64_t firstPlanned(const Applied &applied)
{
    return applied.installedMs != 0 ? std::min(applied.installedMs, applied.atMs) : applied.atMs;
}

void reapChildren()
{
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
}

} // namespace

Agent::Agent(asio::io_context &io, AgentConfig config, std::string version)
    : io_(io)
    , config_(std::move(config))
    , version_(std::move(version))
    , steady0_(std::chrono::steady_clock::now())
    , wall0Us_(wallClockUs())
    , tickTimer_(io)
    , interfacePoll_(io)
{
    instance_ = config_.node.id + "@" + std::to_string(wall0Us_);
}

Agent::~Agent()
{
    *alive_ = false;
}

std::int64_t Agent::nowMs() const
{
    // Rounded down once, from microseconds: two agents' stamps of two moments keep their order
    // (summing two millisecond-truncated parts could put them up to 1 ms out of order).
    return (wall0Us_ + std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - steady0_)
                           .count()) /
           1000;
}

void Agent::log(const std::string &line) const
{
    std::cerr << "dmr-agent[" << config_.node.id << "]: " << line << std::endl;
}

Result<std::monostate> Agent::start()
{
    if (config_.node.interfaces) {
        interfaces_ = *config_.node.interfaces;
    } else {
        auto found = readOsInterfaces();
        if (!found)
            return found.error();
        interfaces_ = *found;
        // None usable yet is not a configuration error: the link may come up later (an operator
        // starting the agent first, a veth without carrier). The agent waits for one below.
        waitingForInterface_ = interfaces_.empty();
        // A link going down or an address going away is an adapter failure; coming back, a
        // recovery (or, while waiting, the first usable interface).
        interfaceWatch_ = std::make_unique<InterfaceWatch>(io_, [this] { rereadOsInterfaces(); });
        if (auto r = interfaceWatch_->start(); !r)
            return r.error();
    }
    if (config_.relay.enabled) {
        auto segments =
            config_.relay.mode == RelayMode::Loopback
                ? makeLoopbackSegmentIo(io_, config_.cluster.name)
                : makeOsSegmentIo(
                      io_, OsChannels{config_.relay.channels, config_.relay.probeChannel},
                      relayEmissionPort(static_cast<std::uint16_t>(config_.relay.port)));
        auto relay = std::make_unique<RelayDataPlane>(
            io_, config_.node.id, config_.relay, std::move(segments),
            [this](const NodeId &node) -> std::optional<RelayDataPlane::Peer> {
                auto it = relayPort_.find(node);
                if (it == relayPort_.end())
                    return std::nullopt;
                RelayDataPlane::Peer peer{it->second, relayCarry_.count(node) != 0, 0, {}};
                if (auto e = relayEpoch_.find(node); e != relayEpoch_.end())
                    peer.epoch = e->second;
                if (auto k = known_.find(node); k != known_.end())
                    for (const auto &i : k->second.interfaces)
                        if (i.address.address().family() == Family::V4)
                            peer.addresses.push_back(i.address.address().v4HostOrder());
                return peer;
            },
            [this] { return nowMs(); }, RelayDataPlane::Trust{config_.cluster.key, true, {}});
        relay->setLog([this](const std::string &line) { log(line); });
        if (auto r = relay->start(workingInterfaces()); !r)
            return r.error();
        relay_ = relay.get();
        dataPlane_ =
            std::make_unique<RecordingDataPlane>([this] { return nowMs(); }, std::move(relay));
    } else {
        dataPlane_ = std::make_unique<RecordingDataPlane>([this] { return nowMs(); });
    }
    transport_ = std::make_unique<PeerTransport>(
        io_, config_.cluster.key,
        frame::Identity{config_.node.id, config_.membership.listen.toString()},
        PeerTransport::Handlers{[this](std::string p) { onPeerPayload(std::move(p)); },
                                [this](const std::string &a) { onPeerLost(a); },
                                [this](const std::string &w) { log(w); }});
    transport_->setUserTimeout(
        std::max(2000, 3 * config_.membership.heartbeatMs * config_.membership.misses));
    // While waiting for an interface the membership address may not exist yet (the lab puts it
    // on the node's first address): it is bound once an interface is usable.
    if (!waitingForInterface_)
        if (auto r = transport_->listen(config_.membership.listen); !r)
            return r.error();
    control_ = std::make_unique<ControlServer>(
        io_, config_.node.id, version_, config_.control,
        [this](const protocol::Request &r, const ControlSession &s, ControlServer::Reply reply) {
            handle(r, s, std::move(reply));
        },
        [this] { return roleName(); }, [this](const std::string &line) { log(line); });
    control_->setReplay([this](const protocol::Request &r) { return replay(r.cursor); });
    if (auto r = control_->listen(); !r)
        return r.error();
    if (!control_->tls() && !isLoopback(config_.control.listen.host))
        log("WARNING: the control port " + config_.control.listen.toString() +
            " is PLAINTEXT on a network address (control.allow_plaintext = true): tokens, drills "
            "and every reply cross the network in clear text and can be read or changed by "
            "anyone on the path. Configure control.tls_cert and control.tls_key.");
    if (config_.metrics.listen) {
        metrics_ = std::make_unique<MetricsServer>(
            io_, [this] { return metricsText(); },
            [this]() -> std::pair<bool, std::string> {
                if (killed_)
                    return {false, "killed by a drill"};
                if (waitingForInterface_)
                    return {false, "waiting for " + waitingFor_};
                if (!membership_ || !membership_->joined())
                    return {false, "joining the cluster"};
                if (pending_)
                    return {false, "handover in progress"};
                return {true, ""};
            });
        if (auto r = metrics_->listen(*config_.metrics.listen); !r)
            return r.error();
    }
    asio::co_spawn(io_, tickLoop(), asio::detached);
    std::string names;
    for (const auto &i : interfaces_)
        names += " " + i.name + "=" + i.address.toString();
    log("started; membership " + config_.membership.listen.toString() + ", control " +
        config_.control.listen.toString() + ", interfaces" + (names.empty() ? " none" : names));
    if (waitingForInterface_) {
        waitingFor_ = "a usable interface (up, with a carrier, not loopback, with an address)";
        log("no usable interface on this host yet: waiting for " + waitingFor_ +
            " before joining the cluster (control port serving meanwhile)");
        asio::co_spawn(io_, interfacePollLoop(), asio::detached);
    } else {
        startMembership();
    }
    return std::monostate{};
}

awaitable<void> Agent::interfacePollLoop()
{
    // rtnetlink tells of every change; reading the interfaces again every second as well costs
    // nothing and does not depend on that watch.
    auto alive = alive_;
    while (waitingForInterface_) {
        interfacePoll_.expires_after(std::chrono::milliseconds(kInterfacePollMs));
        error_code ec;
        co_await interfacePoll_.async_wait(ec_await(ec));
        if (!*alive || ec == asio::error::operation_aborted)
            co_return;
        rereadOsInterfaces();
    }
}

void Agent::joinOnceUsable()
{
    if (!waitingForInterface_ || workingInterfaces().empty())
        return;
    if (auto r = transport_->listen(config_.membership.listen); !r) {
        // Its address may come a moment after the first one, or on another interface.
        const std::string why = "its membership address: " + r.error().message;
        if (why != waitingFor_)
            log("an interface is usable, but not " + why + "; trying again on the next change");
        waitingFor_ = why;
        return;
    }
    waitingForInterface_ = false;
    waitingFor_.clear();
    interfacePoll_.cancel();
    std::string names;
    for (const auto &i : workingInterfaces())
        names += " " + i.name + "=" + i.address.toString();
    log("interface usable:" + names + "; joining the cluster");
    publishLocalChange(); // the relay's segments
    startMembership();
}

void Agent::startMembership()
{
    incarnation_ = static_cast<std::uint64_t>(nowMs());
    degraded_ = false; // a new backend reports its own
    MembershipService::Handlers handlers{
        [this](const gms::ClusterView &view) { installed(view); },
        [this](const std::string &line) { log(line); },
        [this](bool degraded, const std::string &why) { onDegraded(degraded, why); }};
    if (config_.membership.backend == MembershipBackend::Etcd) {
        EtcdMembership::Options o;
        o.self = config_.node.id;
        o.cluster = config_.cluster.name;
        o.address = config_.membership.listen.toString();
        o.endpoints = config_.membership.etcdEndpoints;
        o.ttlSeconds = config_.membership.etcdLeaseTtlS;
        o.incarnation = incarnation_;
        o.nowMs = [this] { return nowMs(); };
        membership_ =
            std::make_shared<EtcdMembership>(io_, std::move(o), std::move(handlers), etcdCounters_);
    } else {
        gms::Config c;
        c.self = config_.node.id;
        c.address = config_.membership.listen.toString();
        for (const auto &p : config_.cluster.peers)
            if (p.toString() != c.address)
                c.seeds.push_back(p.toString());
        c.heartbeatMs = config_.membership.heartbeatMs;
        c.misses = config_.membership.misses;
        c.incarnation = incarnation_;
        membership_ = std::make_shared<EmbeddedMembership>(
            io_, c, *transport_, [this] { return nowMs(); }, std::move(handlers));
    }
    membership_->start(wantedGroups(), meta());
}

void Agent::onDegraded(bool degraded, const std::string &why)
{
    // Nothing else changes: the view and the plan stay as they are, and so do the tunnels.
    (void)why; // the backend has logged it
    degraded_ = degraded;
    if (degraded)
        ++degradedTotal_;
}

void Agent::rereadOsInterfaces()
{
    auto found = readOsInterfaces();
    if (!found) {
        log("interfaces: " + found.error().message);
        return;
    }
    // Interfaces keep their place; one that vanished (down, or its address gone) is failed,
    // a new one is added at the end.
    std::set<std::string> down;
    for (const auto &known : interfaces_) {
        const bool present = std::any_of(found->begin(), found->end(), [&](const Interface &i) {
            return i.name == known.name && i.address == known.address;
        });
        if (!present)
            down.insert(known.name + "=" + known.address.toString());
    }
    for (const auto &i : *found) {
        const bool known =
            std::any_of(interfaces_.begin(), interfaces_.end(), [&](const Interface &k) {
                return k.name == i.name && k.address == i.address;
            });
        if (!known) {
            log("interface " + i.name + " " + i.address.toString() + " appeared");
            interfaces_.push_back(i);
        }
    }
    std::set<std::string> nowDown;
    for (const auto &i : interfaces_)
        if (down.count(i.name + "=" + i.address.toString()) != 0)
            nowDown.insert(i.name);
    if (nowDown != osDownAdapters_) {
        for (const auto &name : nowDown)
            if (osDownAdapters_.count(name) == 0)
                log("interface " + name + " went down or lost its address: adapter failure");
        for (const auto &name : osDownAdapters_)
            if (nowDown.count(name) == 0)
                log("interface " + name + " is back");
        osDownAdapters_ = nowDown;
        changedAtMs_ = nowMs();
        publishLocalChange();
    }
    joinOnceUsable();
}

std::set<GroupName> Agent::wantedGroups() const
{
    std::set<GroupName> groups;
    if (drained_)
        return groups;
    for (const auto &i : interfaces_)
        if (failedAdapters_.count(i.name) == 0 && osDownAdapters_.count(i.name) == 0)
            groups.insert(i.group());
    return groups;
}

std::vector<Interface> Agent::workingInterfaces() const
{
    // The relay's segments: a drained node routes nothing but still probes and hears (it is
    // still on its networks); a killed one does nothing at all.
    std::vector<Interface> out;
    if (killed_)
        return out;
    for (const auto &i : interfaces_)
        if (failedAdapters_.count(i.name) == 0 && osDownAdapters_.count(i.name) == 0)
            out.push_back(i);
    return out;
}

std::string Agent::meta() const
{
    Json ifaces = Json::array();
    for (const auto &i : interfaces_)
        ifaces.push_back({{"name", i.name}, {"address", i.address.toString()}});
    std::set<std::string> failed = failedAdapters_;
    failed.insert(osDownAdapters_.begin(), osDownAdapters_.end());
    Json j{{"interfaces", ifaces},
           {"failed", failed},
           {"state", drained_ ? "drained" : "up"},
           {"control", config_.control.listen.toString()}};
    if (changedAtMs_ != 0)
        j["changed_ms"] = changedAtMs_; // when it drained or an adapter failed: a failover's start
    if (relay_) {
        j["relay_port"] = relay_->tunnelPort(); // where the other end of a tunnel sends
        j["relay_carry"] = true;                // it speaks the carry handover (relay.h)
        j["relay_epoch"] = relay_->epoch();     // its incarnation: its tunnel keys depend on it
    }
    return j.dump();
}

void Agent::publishLocalChange()
{
    if (relay_)
        relay_->setInterfaces(workingInterfaces());
    if (membership_ && !killed_)
        membership_->update(wantedGroups(), meta());
}

awaitable<void> Agent::tickLoop()
{
    auto alive = alive_;
    // A quarter of the heartbeat interval: failure detection is late by at most this much, and
    // a hundred idle agents on one machine still leave it idle.
    const auto period = std::chrono::milliseconds(std::max(1, config_.membership.heartbeatMs / 4));
    for (;;) {
        tickTimer_.expires_after(period);
        error_code ec;
        co_await tickTimer_.async_wait(ec_await(ec));
        if (!*alive || ec == asio::error::operation_aborted)
            co_return;
        if (membership_ && !killed_)
            membership_->tick();
        flushPendingCloses(false);
        reapChildren();
    }
}

void Agent::onPeerPayload(std::string payload)
{
    // Agent-level messages ride the same authenticated transport as membership.
    if (payload.rfind(R"({"agent":)", 0) == 0) {
        // Authenticated, but still parsed defensively: a peer of another release may send a
        // field of another type, and nlohmann throws on that.
        try {
            onAgentMessage(Json::parse(payload, nullptr, false));
        } catch (const Json::exception &e) {
            log(std::string("agent message refused: ") + e.what());
        }
        return;
    }
    if (killed_ || !membership_)
        return; // a crashed process hears nothing
    membership_->receive(payload);
}

void Agent::onAgentMessage(const Json &j)
{
    if (!j.is_object() || !j["agent"].is_string())
        return;
    const std::string kind = j["agent"].get<std::string>();
    if (kind == "applied" && !killed_) {
        const auto ms = [&](const char *key) {
            const auto it = j.find(key);
            return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>()
                                                            : std::int64_t{0};
        };
        onApplied(j.value("node", ""), j.value("view", ""),
                  Applied{ms("at_ms"), ms("installed_ms")});
    } else if (kind == "drill" && j.contains("drill")) {
        // A drill for this node, taken by another agent: carry it out and tell that agent.
        Json result = {{"agent", "drill-result"}, {"corr", j.value("corr", std::uint64_t{0})}};
        const std::string error = acceptForwardedDrill(j, result);
        if (!error.empty())
            result["error"] = error;
        const std::string replyTo = j.value("reply_to", "");
        if (!replyTo.empty())
            transport_->send(replyTo, result.dump());
    } else if (kind == "drill-result") {
        onDrillResult(j);
    } else if (kind == "drill-ended") {
        onDrillEnded(j);
    } else if (kind == "reach-ask" && !killed_) {
        // Another agent gathers the reachability matrix: this agent's row.
        const std::string replyTo = j.value("reply_to", "");
        if (!replyTo.empty())
            transport_->send(replyTo, Json{{"agent", "reach-row"},
                                           {"corr", j.value("corr", std::uint64_t{0})},
                                           {"node", config_.node.id},
                                           {"row", relay_ ? relay_->reachabilityRow() : Json()}}
                                          .dump());
    } else if (kind == "reach-row") {
        onReachabilityRow(j);
    }
}

std::string Agent::acceptForwardedDrill(const Json &j, Json &result)
{
    // A forwarded drill runs on the node it names, once: its id is remembered, so the same
    // message delivered again (a peer resending it, a frame replayed past the transport) is
    // refused and counted.
    auto refuse = [&](std::string why) {
        ++drillsRefused_;
        log("forwarded drill refused: " + why);
        return why;
    };
    auto req = protocol::parseRequest(j["drill"].dump());
    if (!req || req->kind != protocol::RequestKind::Drill)
        return refuse(req ? std::string("not a drill") : req.error().message);
    if (req->drill.node != config_.node.id)
        return refuse("the drill names node " + req->drill.node + ", this is node " +
                      config_.node.id);
    const std::string drillId = j.value("drill_id", "");
    if (drillId.empty() || drillId.size() > 64)
        return refuse("a forwarded drill without a valid drill_id");
    if (drillIdsSeen_.count(drillId) != 0)
        return refuse("drill " + drillId + " already ran on this node");
    drillIdsSeen_.insert(drillId);
    drillIdOrder_.push_back(drillId);
    while (drillIdOrder_.size() > kDrillIdsMax) {
        drillIdsSeen_.erase(drillIdOrder_.front());
        drillIdOrder_.pop_front();
    }
    DrillRecord record;
    const DrillAuthor author{textField(j, "client"), textField(j, "role"),
                             textField(j, "identity")};
    const std::string err = runDrill(req->drill, author, textField(j, "via"), record);
    if (err.empty())
        result["record"] = Json::parse(drillRecordJson(record));
    return err;
}

void Agent::onPeerLost(const std::string &address)
{
    if (killed_ || !membership_)
        return;
    membership_->connectionLost(address);
}

Topology Agent::topologyOf(const gms::ClusterView &view)
{
    for (const auto &n : view.nodes) {
        // A node's meta changes rarely; a view change of a large cluster must not parse them all.
        auto cached = metaSeen_.find(n.id);
        if (cached != metaSeen_.end() && cached->second == n.meta && known_.count(n.id) != 0 &&
            knownStatus_.count(n.id) != 0) {
            auto &st = knownStatus_[n.id];
            if (st.state != NodeState::Drained)
                st.state = NodeState::Up;
            continue;
        }
        metaSeen_[n.id] = n.meta;
        auto j = Json::parse(n.meta, nullptr, false);
        if (!j.is_object())
            continue;
        Node node{n.id, {}};
        for (const auto &i : j.value("interfaces", Json::array())) {
            auto address = InterfaceAddress::parse(i.value("address", ""));
            if (address)
                node.interfaces.push_back(Interface{i.value("name", ""), *address});
        }
        known_[n.id] = node;
        NodeStatus status;
        status.state = j.value("state", "up") == "drained" ? NodeState::Drained : NodeState::Up;
        for (const auto &f : j.value("failed", Json::array()))
            if (f.is_string())
                status.failedAdapters.insert(f.get<std::string>());
        knownStatus_[n.id] = status;
        if (j.contains("control") && j["control"].is_string())
            controlAddress_[n.id] = j["control"].get<std::string>();
        if (const auto c = j.find("changed_ms"); c != j.end() && c->is_number_integer())
            knownChanged_[n.id] = c->get<std::int64_t>();
        if (j.contains("relay_port") && j["relay_port"].is_number_unsigned() &&
            j["relay_port"].get<unsigned>() <= 65535)
            relayPort_[n.id] = static_cast<std::uint16_t>(j["relay_port"].get<unsigned>());
        if (const auto c = j.find("relay_carry"); c != j.end() && c->is_boolean() && c->get<bool>())
            relayCarry_.insert(n.id);
        else
            relayCarry_.erase(n.id);
        if (const auto e = j.find("relay_epoch"); e != j.end() && e->is_number_unsigned())
            relayEpoch_[n.id] = e->get<std::uint64_t>();
        else
            relayEpoch_.erase(n.id);
    }
    if (relay_) {
        // Where the other relays send onto segments from: their interface addresses and their
        // relay.port + 1. What comes from there is forwarded traffic, never taken in again.
        std::set<std::pair<std::uint32_t, std::uint16_t>> sources;
        for (const auto &[id, port] : relayPort_) {
            if (id == config_.node.id)
                continue;
            const auto node = known_.find(id);
            if (node == known_.end())
                continue;
            for (const auto &i : node->second.interfaces)
                if (i.address.address().family() == Family::V4)
                    sources.insert({i.address.address().v4HostOrder(), relayEmissionPort(port)});
        }
        relay_->setRelaySources(std::move(sources));
        relay_->peersChanged(); // their epochs and addresses: the tunnels' keys and sources
    }
    for (auto &[id, status] : knownStatus_) {
        if (view.node(id) != nullptr)
            continue;
        if (status.state == NodeState::Up || status.state == NodeState::Drained) {
            status.state = NodeState::Failed;
            for (const auto &d : view.departed)
                if (d.node == id && d.cause == "left")
                    status.state = NodeState::Down;
        }
    }
    return known_;
}

void Agent::installed(const gms::ClusterView &view)
{
    ++viewsInstalled_;
    installedAtMs_ = nowMs();
    const gms::ClusterView before = view_;
    view_ = view;
    const Topology topology = topologyOf(view);
    Plan next = makePlan(topology, view.groups);
    const std::string viewId = view.id.toString();

    for (const auto &n : view.nodes)
        membershipAddress_[n.id] = n.address;
    for (const auto &n : before.nodes)
        if (n.id != config_.node.id && view.node(n.id) == nullptr)
            transport_->forget(n.address);
    const std::int64_t now = installedAtMs_;
    for (const auto &[group, v] : view.groups.networks) {
        auto old = before.groups.networks.find(group);
        if (old == before.groups.networks.end() || !(old->second == v))
            publish(protocol::encodeViewChanged(now, v, viewId), now);
    }
    for (const auto &[group, v] : before.groups.networks)
        if (view.groups.networks.count(group) == 0) // emptied: its last member is gone
            publish(protocol::encodeViewChanged(now, View{group, {}}, viewId), now);
    if (!(before.groups.glGroup == view.groups.glGroup))
        publish(protocol::encodeViewChanged(now, view.groups.glGroup, viewId), now);
    // The whole cluster's change, computed once: the event, the history and the handover use it.
    const auto global = diffPlans(plan_, next);
    recordFailovers(plan_, next, global, view);
    if (!global.empty())
        publish(protocol::encodePlanChanged(now, global, viewId), now);
    applyPlan(next, global, viewId);
    plan_ = std::move(next);
    viewLog_.record(snapshot(), viewId, nowMs());
}

void Agent::applyPlan(const Plan &next, const std::vector<Action> &global,
                      const std::string &viewId)
{
    // What this node does, from what its data plane holds now (not from the last plan: closes
    // may still be pending from a handover).
    Plan current;
    current.routes = dataPlane_->activeRoutes();
    current.tunnels = dataPlane_->openTunnels();
    const auto mine = actionsFor(diffPlans(current, next), config_.node.id);
    std::vector<Action> opens;
    std::vector<Action> closes;
    for (const auto &a : mine)
        (a.opens() ? opens : closes).push_back(a);
    // Waits still open from an earlier change carry over: its successors may not be up yet.
    std::set<std::pair<std::string, NodeId>> waiting;
    std::int64_t deadline = nowMs() + kHandoverTimeoutMs;
    if (pending_) {
        waiting = pending_->waitingFor;
        deadline = pending_->deadlineMs;
    }
    pending_.reset();
    for (const auto &err : dataPlane_->apply(opens))
        log("data plane: " + err);
    // A new epoch (a successor or a merge) may find this node already routing what others
    // expect it to open: it says so too, or their closes would wait for nothing.
    const bool newEpoch = view_.id.counter == 0;
    const bool routesNext =
        !next.routesOf(config_.node.id).empty() || !next.tunnelsOf(config_.node.id).empty();
    if (!opens.empty() || (newEpoch && routesNext)) {
        // Tell everyone this node's new part is up: others' closes and the history wait for it.
        const Applied applied{nowMs(), installedAtMs_};
        const std::string msg = Json{{"agent", "applied"},
                                     {"node", config_.node.id},
                                     {"view", viewId},
                                     {"at_ms", applied.atMs},
                                     {"installed_ms", applied.installedMs}}
                                    .dump();
        for (const auto &n : view_.nodes)
            if (n.id != config_.node.id)
                transport_->send(n.address, msg);
        onApplied(config_.node.id, viewId, applied);
    }
    // Make-before-break: close only once every node that opens something in this change has
    // said its part is up, or after kHandoverTimeoutMs.
    for (const NodeId &n : openers(global, view_))
        if (n != config_.node.id)
            waiting.emplace(viewId, n);
    for (auto it = waiting.begin(); it != waiting.end();) {
        auto seen = appliedSeen_.find(it->first);
        const bool gone = view_.node(it->second) == nullptr; // it failed: waiting is pointless
        if (gone || (seen != appliedSeen_.end() && seen->second.count(it->second) != 0))
            it = waiting.erase(it);
        else
            ++it;
    }
    if (!closes.empty()) {
        pending_ = PendingCloses{closes, waiting, deadline};
        flushPendingCloses(false);
    }
    writeOutputs(next, mine);
}

void Agent::flushPendingCloses(bool force)
{
    if (!pending_)
        return;
    const bool timedOut = nowMs() >= pending_->deadlineMs;
    if (!force && !pending_->waitingFor.empty() && !timedOut)
        return;
    if (timedOut && !pending_->waitingFor.empty())
        log("handover: closing without word from " + std::to_string(pending_->waitingFor.size()) +
            " successor(s) after " + std::to_string(kHandoverTimeoutMs) + " ms");
    for (const auto &err : dataPlane_->apply(pending_->actions))
        log("data plane: " + err);
    pending_.reset();
}

void Agent::onApplied(const NodeId &node, const std::string &viewId, Applied applied)
{
    auto &seen = appliedSeen_[viewId];
    seen.emplace(node, applied);
    while (appliedSeen_.size() > kAppliedViewsMax) {
        // Drop one view's reports: the view whose report from the lowest node id (each view's
        // first entry) has the earliest atMs, the time that node says its part was up. Not the
        // lowest epoch.counter: the map orders view ids as text ("1.10" before "1.9"), and the
        // time of one report per view stands in for the view's age.
        auto oldest = appliedSeen_.begin();
        for (auto it = appliedSeen_.begin(); it != appliedSeen_.end(); ++it)
            if (it->second.begin()->second.atMs < oldest->second.begin()->second.atMs)
                oldest = it;
        appliedSeen_.erase(oldest);
    }
    if (pending_ && pending_->waitingFor.erase({viewId, node}) != 0)
        flushPendingCloses(false);
    for (auto &r : history_) {
        if (r.viewId != viewId || r.awaiting.erase(node) == 0)
            continue;
        r.tunnelsUpAtMs = std::max(r.tunnelsUpAtMs, applied.atMs);
        r.electedAtMs = std::min(r.electedAtMs, firstPlanned(applied));
        r.rev = nextRev_++;
    }
}

void Agent::recordFailovers(const Plan &before, const Plan &after,
                            const std::vector<Action> &global, const gms::ClusterView &view)
{
    const Election &was = before.election;
    const Election &now = after.election;
    std::map<NodeId, FailoverRecord> records;
    auto recordFor = [&](const NodeId &node) -> FailoverRecord & {
        auto &r = records[node];
        r.node = node;
        return r;
    };
    for (const auto &[group, leader] : was.groupLeaders) {
        auto it = now.groupLeaders.find(group);
        const NodeId successor = it == now.groupLeaders.end() ? NodeId() : it->second;
        if (successor == leader)
            continue;
        auto &r = recordFor(leader);
        r.roles.push_back("leader " + group);
        r.successors["leader " + group] = successor;
    }
    if (was.systemLeader && was.systemLeader != now.systemLeader) {
        auto &r = recordFor(*was.systemLeader);
        r.roles.insert(r.roles.begin(), "system-leader");
        r.successors["system-leader"] = now.systemLeader.value_or("");
    }
    if (records.empty())
        return;
    const std::int64_t t = nowMs();
    const std::set<NodeId> up = openers(global, view);
    for (auto &[node, r] : records) {
        r.id = nextFailoverId_++;
        r.viewId = view.id.toString();
        // This agent computed the plan now; a new routing point may have done so before.
        r.electedAtMs = installedAtMs_;
        r.cause = "moved";
        for (const auto &d : view.departed) {
            if (d.node != node)
                continue;
            r.cause = d.cause;
            r.silentMs = d.silentMs;
            r.decidedAtMs = d.decidedAtMs;
        }
        if (r.cause == "moved") {
            auto st = knownStatus_.find(node);
            if (st != knownStatus_.end() && st->second.state == NodeState::Drained)
                r.cause = "drain";
            else if (st != knownStatus_.end() && !st->second.failedAdapters.empty())
                r.cause = "adapter";
        }
        if (const auto c = knownChanged_.find(node); c != knownChanged_.end())
            r.changedAtMs = c->second;
        r.awaiting = up;
        r.tunnelsUpAtMs = 0;
        if (auto seen = appliedSeen_.find(r.viewId); seen != appliedSeen_.end()) {
            for (const auto &[opener, applied] : seen->second) {
                if (r.awaiting.erase(opener) == 0)
                    continue;
                r.tunnelsUpAtMs = std::max(r.tunnelsUpAtMs, applied.atMs);
                r.electedAtMs = std::min(r.electedAtMs, firstPlanned(applied));
            }
        }
        if (r.awaiting.empty() && r.tunnelsUpAtMs == 0)
            r.tunnelsUpAtMs = t;
        for (const auto &[role, successor] : r.successors) {
            // A network's leader moved, or (as the GL_group's) the system leader did.
            const GroupName group = role.rfind("leader ", 0) == 0 ? role.substr(7) : kGlGroup;
            publish(protocol::encodeFailover(t, group, node, successor, r.cause, r.viewId), t);
        }
        log("failover: node " + node + " (" + r.cause + ") lost its roles; view " + r.viewId);
        r.rev = nextRev_++;
        if (history_.size() == kHistoryMax)
            history_.pop_front();
        history_.push_back(r);
    }
    if (!config_.output.notifyCommand.empty()) {
        Json actions = Json::array();
        for (const auto &a : global)
            actions.push_back({{"kind", toString(a.kind)}, {"text", a.toString()}});
        if (auto started = spawnCommand(config_.output.notifyCommand,
                                        Json{{"node", config_.node.id},
                                             {"view", view.id.toString()},
                                             {"system_leader", now.systemLeader.value_or("")},
                                             {"actions", actions}}
                                                .dump() +
                                            "\n");
            !started)
            log("output.notify_command: " + started.error().message);
    }
}

void Agent::writeOutputs(const Plan &plan, const std::vector<Action> &mine)
{
    if (mine.empty())
        return;
    bool changed = false;
    auto write = [&](const std::string &path, const std::string &text) {
        if (path.empty())
            return;
        const std::string tmp = path + ".dmr-tmp";
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << text;
            if (!out) {
                log("output " + path + ": cannot write " + tmp);
                return;
            }
        }
        if (std::rename(tmp.c_str(), path.c_str()) != 0) {
            log("output " + path + ": cannot rename " + tmp);
            return;
        }
        changed = true;
    };
    // The plan being applied, not the one before it.
    write(config_.output.mroutedConf, renderMrouted(plan, known_, config_.node.id));
    write(config_.output.smcrouteConf, renderSmcroute(plan, known_, config_.node.id));
    if (changed && !config_.output.reloadCommand.empty())
        if (auto started = spawnCommand(config_.output.reloadCommand, ""); !started)
            log("output.reload_command: " + started.error().message);
}

// ---- Drills -------------------------------------------------------------------------------

std::string Agent::runDrill(const protocol::DrillRequest &drill, const DrillAuthor &author,
                            const std::string &via, DrillRecord &record)
{
    const std::string &client = author.client;
    using protocol::DrillAction;
    record.action = std::string(protocol::toString(drill.action));
    record.node = drill.node;
    record.iface = drill.iface;
    record.reason = drill.reason;
    record.durationMs = drill.durationMs;
    record.client = client;
    record.role = author.role;
    record.identity = author.identity;
    record.via = via;
    record.startedMs = nowMs();

    auto hasIface = [&](const std::string &name) {
        return std::any_of(interfaces_.begin(), interfaces_.end(),
                           [&](const Interface &i) { return i.name == name; });
    };
    switch (drill.action) {
    case DrillAction::Kill:
        if (killed_)
            return "node " + drill.node + " is already killed";
        if (waitingForInterface_)
            return "node " + drill.node + " is not in the cluster yet (waiting for " + waitingFor_ +
                   ")";
        kill();
        break;
    case DrillAction::FailAdapter:
        if (!hasIface(drill.iface))
            return "node " + drill.node + " has no interface \"" + drill.iface + "\"";
        if (!failedAdapters_.insert(drill.iface).second)
            return "interface " + drill.iface + " of node " + drill.node + " has already failed";
        changedAtMs_ = record.startedMs;
        publishLocalChange();
        break;
    case DrillAction::Drain:
        if (drained_)
            return "node " + drill.node + " is already drained";
        drained_ = true;
        changedAtMs_ = record.startedMs;
        publishLocalChange();
        break;
    case DrillAction::Restore:
        if (!drill.iface.empty()) {
            if (failedAdapters_.erase(drill.iface) == 0)
                return "interface " + drill.iface + " of node " + drill.node + " has not failed";
        } else {
            if (!killed_ && !drained_ && failedAdapters_.empty())
                return "node " + drill.node + " has nothing to restore";
            failedAdapters_.clear();
            drained_ = false;
        }
        for (auto &d : drills_) {
            if (d.node != config_.node.id || d.endedMs != 0 || d.action == "restore")
                continue;
            if (!drill.iface.empty() && d.iface != drill.iface)
                continue;
            d.endedMs = record.startedMs;
            d.rev = nextRev_++;
            // The agent that took the drill keeps a copy: it ends there too.
            const auto taker = membershipAddress_.find(d.via);
            if (!d.via.empty() && d.via != config_.node.id && taker != membershipAddress_.end())
                // (Keys sort after "agent": agent messages are told apart by that prefix.)
                transport_->send(taker->second, Json{{"agent", "drill-ended"},
                                                   {"node", d.node},
                                                   {"what", d.action},
                                                   {"iface", d.iface},
                                                   {"started_ms", d.startedMs},
                                                   {"ended_ms", d.endedMs}}
                                                  .dump());
        }
        changedAtMs_ = record.startedMs;
        if (killed_)
            revive();
        else
            publishLocalChange();
        record.endedMs = record.startedMs;
        break;
    }
    record.id = nextDrillId_++;
    record.rev = nextRev_++;
    if (drills_.size() == kDrillsMax)
        drills_.pop_front();
    drills_.push_back(record);
    log("drill " + record.action + (record.iface.empty() ? "" : " " + record.iface) + " by " +
        (client.empty() ? std::string("?") : client) +
        (author.role.empty() ? std::string() : " (" + author.role + ", " + author.identity + ")") +
        (via.empty() ? std::string() : " via " + via) + ": " + record.reason);
    if (drill.durationMs && drill.action != DrillAction::Restore)
        scheduleRestore(record.id, *drill.durationMs);
    publish(
        protocol::encodeDrillEvent(record.startedMs, drill, client, author.role, author.identity),
        record.startedMs);
    return {};
}

void Agent::kill()
{
    // As if the process crashed: membership stops at once, every connection closes (so the
    // peers know now), and this node forwards nothing. The control port stays, so that a
    // duration or a restore can bring it back.
    killed_ = true;
    if (relay_)
        relay_->setHalted(true);
    membership_->halt();
    transport_->dropAll(true);
    pending_.reset();
    Plan current;
    current.routes = dataPlane_->activeRoutes();
    current.tunnels = dataPlane_->openTunnels();
    dataPlane_->apply(actionsFor(diffPlans(current, Plan{}), config_.node.id));
    plan_ = Plan{};
    view_ = gms::ClusterView{};
}

void Agent::revive()
{
    killed_ = false;
    if (relay_) {
        relay_->setHalted(false);
        relay_->setInterfaces(workingInterfaces());
    }
    log("coming back from a kill drill: rejoining at the end of every list");
    startMembership();
}

void Agent::scheduleRestore(std::uint64_t drillId, std::int64_t durationMs)
{
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(durationMs));
    auto alive = alive_;
    timer->async_wait([this, timer, alive, drillId](const error_code &ec) {
        if (ec || !*alive)
            return;
        for (const auto &d : drills_) {
            if (d.id != drillId || d.endedMs != 0)
                continue;
            protocol::DrillRequest restore;
            restore.action = protocol::DrillAction::Restore;
            restore.node = config_.node.id;
            restore.iface = d.action == "fail-adapter" ? d.iface : std::string();
            restore.reason = "end of drill " + std::to_string(drillId) + " (" + d.reason + ")";
            DrillRecord record;
            const std::string err =
                runDrill(restore, DrillAuthor{"dmr-agent timer", "agent", "timer"}, "", record);
            if (!err.empty())
                log("timed restore: " + err);
            return;
        }
    });
}

void Agent::shutdown(std::function<void()> stopped)
{
    tickTimer_.cancel();
    interfacePoll_.cancel();
    if (membership_ && !killed_) {
        log("stopping: leaving every group");
        membership_->leave(std::move(stopped));
        return;
    }
    asio::post(io_, std::move(stopped));
}

// ---- Control ------------------------------------------------------------------------------

std::string Agent::roleName() const
{
    if (killed_)
        return "killed";
    if (waitingForInterface_)
        return "waiting-for-interface";
    if (!membership_ || !membership_->joined())
        return "joining";
    if (plan_.election.systemLeader == config_.node.id)
        return "system-leader";
    if (plan_.election.leads(config_.node.id))
        return "group-leader";
    return "member";
}

Json Agent::coordinatorJson() const
{
    // etcd's backend has no coordinator: etcd itself orders the keys.
    if (config_.membership.backend == MembershipBackend::Etcd || !view_.coordinator())
        return Json();
    return Json(view_.coordinator()->id);
}

std::string Agent::stateJson() const
{
    Json ifaces = Json::array();
    for (const auto &i : interfaces_)
        ifaces.push_back({{"name", i.name},
                          {"address", i.address.toString()},
                          {"network", i.group()},
                          {"failed", failedAdapters_.count(i.name) != 0}});
    Json tunnels = Json::array();
    for (const auto &t : dataPlane_->openTunnels())
        tunnels.push_back(tunnelJson(t));
    Json routes = Json::array();
    for (const auto &r : dataPlane_->activeRoutes())
        routes.push_back(routeJson(r));
    const Election &e = plan_.election;
    return Json{{"node", config_.node.id},
                {"cluster", config_.cluster.name},
                {"state", killed_    ? "killed"
                          : drained_ ? "drained"
                                     : "up"},
                {"role", roleName()},
                {"membership", waitingForInterface_ ? std::string("waiting-for-interface")
                               : membership_        ? membership_->stateName()
                                                    : std::string("stopped")},
                {"waiting_for", waitingForInterface_ ? Json(waitingFor_) : Json()},
                {"membership_backend", std::string(toString(config_.membership.backend))},
                {"degraded", degraded_},
                {"view_id", view_.id.toString()},
                {"coordinator", coordinatorJson()},
                {"leads", e.groupsLedBy(config_.node.id)},
                {"system_leader", e.systemLeader ? Json(*e.systemLeader) : Json()},
                {"failed_adapters", failedAdapters_},
                {"down_adapters", osDownAdapters_},
                {"interfaces", ifaces},
                {"routes", routes},
                {"tunnels", tunnels},
                {"handover_pending", pending_.has_value()},
                {"data_plane_log",
                 [&] {
                     // The last actions this node's data plane carried out, oldest first.
                     Json log = Json::array();
                     const auto &entries = dataPlane_->log();
                     const std::size_t from = entries.size() > 64 ? entries.size() - 64 : 0;
                     for (std::size_t i = from; i < entries.size(); ++i)
                         log.push_back({{"time_ms", entries[i].timeMs},
                                        {"kind", toString(entries[i].action.kind)},
                                        {"text", entries[i].action.toString()}});
                     return log;
                 }()},
                {"frames_rejected", transport_ ? transport_->framesRejected() : 0},
                {"frames_dropped", transport_ ? transport_->framesDropped() : 0},
                {"cluster_transport", transportJson()},
                {"views_installed", viewsInstalled_},
                {"relay", relay_ ? relay_->stateJson() : Json()},
                {"etcd_requests", etcdCounters_->requests},
                {"version", version_}}
        .dump();
}

Snapshot Agent::snapshot() const
{
    Snapshot s;
    s.cluster = config_.cluster.name;
    s.timeMs = nowMs();
    s.nodes = known_;
    s.status = knownStatus_;
    s.membership = view_.groups;
    s.plan = plan_;
    return s;
}

std::string Agent::clusterJson() const
{
    Json nodes = Json::array();
    for (const auto &n : view_.nodes)
        nodes.push_back({{"id", n.id},
                         {"seq", n.seq},
                         {"membership", n.address},
                         {"control", controlAddress_.count(n.id) != 0 ? controlAddress_.at(n.id)
                                                                      : std::string()}});
    Json controls = Json::object();
    for (const auto &[id, address] : controlAddress_)
        controls[id] = address;
    return Json{{"view_id", view_.id.toString()},
                {"coordinator", coordinatorJson()},
                {"agents", nodes},
                {"control_addresses", controls},
                {"snapshot", Json::parse(toJson(snapshot()))}}
        .dump();
}

namespace {

// The records a cursor asks for: those changed after `since`, the earliest changes first, at
// most `limit`; listed oldest first (by id), with the cursor for the next page.
template<typename Record>
std::vector<const Record *> page(const std::deque<Record> &records, std::int64_t since,
                                 std::int64_t limit, std::int64_t *rev, bool *more)
{
    std::vector<const Record *> changed;
    for (const auto &r : records)
        if (r.rev > since)
            changed.push_back(&r);
    std::sort(changed.begin(), changed.end(),
              [](const Record *a, const Record *b) { return a->rev < b->rev; });
    *more = changed.size() > static_cast<std::size_t>(limit);
    if (*more) {
        changed.resize(static_cast<std::size_t>(limit));
        *rev = changed.back()->rev;
    }
    std::sort(changed.begin(), changed.end(),
              [](const Record *a, const Record *b) { return a->id < b->id; });
    return changed;
}

} // namespace

std::int64_t Agent::sinceOf(const protocol::Cursor &cursor) const
{
    return cursor.since && cursor.instance == instance_ ? *cursor.since : 0;
}

std::string Agent::historyJson(const protocol::Cursor &cursor) const
{
    reply::History history;
    history.page = {instance_, nextRev_ - 1, false};
    for (const FailoverRecord *record :
         page(history_, sinceOf(cursor), cursor.limit, &history.page.rev, &history.page.more)) {
        const FailoverRecord &r = *record;
        const auto p = failoverPhases(
            {r.cause, r.silentMs, r.decidedAtMs, r.changedAtMs, r.electedAtMs,
             r.awaiting.empty() ? std::optional<std::int64_t>(r.tunnelsUpAtMs) : std::nullopt});
        reply::Failover f;
        f.id = static_cast<std::int64_t>(r.id);
        f.node = r.node;
        f.cause = r.cause;
        f.roles = r.roles;
        for (const auto &[role, node] : r.successors)
            f.successors.emplace_back(role, node.empty() ? std::nullopt
                                                         : std::optional<NodeId>(node));
        f.viewId = r.viewId;
        f.silentMs = r.silentMs;
        f.failedMs = p.failedAtMs;
        f.detectedMs = p.detectedAtMs;
        f.electedMs = p.electedAtMs;
        f.tunnelsUpMs = p.tunnelsUpAtMs;
        f.detectionMs = p.detectionMs;
        f.electionMs = p.electionMs;
        f.tunnelsMs = p.tunnelsMs;
        f.totalMs = p.totalMs;
        f.skewMs = p.skewMs;
        f.rev = r.rev;
        history.failovers.push_back(std::move(f));
    }
    return reply::encodeHistory(history);
}

std::string Agent::viewsJson(const protocol::Cursor &cursor) const
{
    // A client that holds this log from the base on gets what came after; any other one (new,
    // of another instance, or behind what was folded into the base) gets the base again.
    const std::int64_t since = sinceOf(cursor);
    const bool withBase = !viewLog_.empty() && since < viewLog_.baseRev();
    Json base;
    if (withBase)
        base = Json{{"rev", viewLog_.baseRev()},
                    {"view_id", viewLog_.baseViewId()},
                    {"snapshot", Json::parse(toJson(viewLog_.base()))}};
    const std::int64_t after = withBase ? viewLog_.baseRev() : since;
    Json views = Json::array();
    std::int64_t rev = std::max(viewLog_.lastRev(), since);
    bool more = false;
    for (const auto &d : viewLog_.deltas()) {
        if (d.rev <= after)
            continue;
        if (static_cast<std::int64_t>(views.size()) == cursor.limit) {
            more = true;
            break;
        }
        views.push_back(Json::parse(toJson(d)));
        rev = d.rev;
    }
    if (views.empty() && withBase)
        rev = viewLog_.baseRev();
    return Json{{"instance", instance_},
                {"rev", rev},
                {"more", more},
                {"base", base},
                {"views", views}}
        .dump();
}

void Agent::publish(const std::string &eventLine, std::int64_t timeMs)
{
    KeptEvent e{nextEventSeq_++, timeMs, protocol::sequenceEvent(eventLine, nextEventSeq_ - 1)};
    control_->publish(e.line);
    eventBytes_ += e.line.size();
    events_.push_back(std::move(e));
    while (events_.size() > kEventsKeptMax || eventBytes_ > kEventBytesKeptMax) {
        eventBytes_ -= events_.front().line.size();
        events_.pop_front();
        eventsDropped_ = true;
    }
}

std::pair<std::string, std::vector<std::string>> Agent::replay(const protocol::Cursor &cursor) const
{
    // Another instance's sequence numbers say nothing here: everything kept is news to it.
    const bool sameInstance = cursor.since && cursor.instance == instance_;
    const bool asked = cursor.since.has_value() || cursor.sinceMs.has_value();
    const std::int64_t since = sameInstance ? *cursor.since : 0;
    std::vector<std::string> lines;
    bool missed = false;
    if (asked) {
        for (const auto &e : events_)
            if (e.seq > since && (!cursor.sinceMs || e.timeMs >= *cursor.sinceMs))
                lines.push_back(e.line);
        // Events the client has not seen were dropped before it came back.
        const std::int64_t firstKept = events_.empty() ? nextEventSeq_ : events_.front().seq;
        if (sameInstance)
            missed = firstKept > since + 1;
        else
            missed = eventsDropped_ &&
                     (!cursor.sinceMs || events_.empty() || events_.front().timeMs > *cursor.sinceMs);
    }
    return {Json{{"events", true},
                 {"instance", instance_},
                 {"seq", nextEventSeq_ - 1},
                 {"replayed", lines.size()},
                 {"missed", missed}}
                .dump(),
            std::move(lines)};
}

std::string Agent::metricsText() const
{
    // The node label escaped by the writer: a node id may hold a quote or a backslash.
    prometheus::Writer out;
    auto metric = [&](const char *name, const char *type, const char *help, auto value) {
        out.metric(name, type, help, {{"node", config_.node.id}}, value);
    };
    const std::string role = roleName();
    metric("dmr_up", "gauge", "1 while the agent is in a view (not joining, not killed)",
           membership_ && !killed_ && membership_->joined() ? 1 : 0);
    metric("dmr_system_leader", "gauge", "1 on the system leader", role == "system-leader" ? 1 : 0);
    metric("dmr_group_leader", "gauge", "networks this node leads",
           plan_.election.groupsLedBy(config_.node.id).size());
    metric("dmr_coordinator", "gauge", "1 on the membership coordinator",
           membership_ && membership_->coordinates() ? 1 : 0);
    metric("dmr_membership_degraded", "gauge",
           "1 while the membership backend cannot reach its service (last view and plan kept)",
           degraded_ ? 1 : 0);
    metric("dmr_membership_degraded_total", "counter", "times the membership backend degraded",
           degradedTotal_);
    metric("dmr_etcd_requests_total", "counter",
           "HTTP requests to etcd's gateway (0 with the embedded backend)",
           etcdCounters_->requests);
    metric("dmr_etcd_request_failures_total", "counter", "etcd requests that no endpoint answered",
           etcdCounters_->failures);
    metric("dmr_etcd_endpoint_moves_total", "counter", "moves to the next etcd endpoint",
           etcdCounters_->endpointMoves);
    metric("dmr_etcd_watch_lines_dropped_total", "counter",
           "etcd watch lines dropped (too long, not JSON); each forces a resync",
           etcdCounters_->linesDropped);
    metric("dmr_view_members", "gauge", "agents in the current view", view_.nodes.size());
    metric("dmr_view_epoch", "gauge", "epoch of the current view id", view_.id.epoch);
    metric("dmr_views_installed_total", "counter", "views installed since start", viewsInstalled_);
    metric("dmr_tunnels_open", "gauge", "tunnels this node's data plane holds open",
           dataPlane_->openTunnels().size());
    metric("dmr_routes_active", "gauge", "networks this node's data plane routes",
           dataPlane_->activeRoutes().size());
    metric("dmr_failovers_total", "counter", "failovers recorded (a node lost its roles)",
           nextFailoverId_ - 1);
    metric("dmr_drills_total", "counter", "drills recorded", nextDrillId_ - 1);
    metric("dmr_handover_pending", "gauge", "1 while closes wait for successors", pending_ ? 1 : 0);
    const auto &tc = transport_->counters();
    metric("dmr_cluster_frames_rejected_total", "counter",
           "cluster frames refused: bad MAC, malformed, oversize, replayed",
           transport_->framesRejected());
    metric("dmr_cluster_frames_replayed_total", "counter",
           "cluster frames refused as replays (valid MAC, old sequence number)",
           tc.framesReplayed);
    metric("dmr_cluster_frames_dropped_total", "counter",
           "cluster frames dropped at a full peer queue", transport_->framesDropped());
    metric("dmr_cluster_handshakes_refused_total", "counter",
           "cluster connections this node refused in their handshake", tc.handshakesRefused);
    metric("dmr_cluster_key_mismatches_total", "counter",
           "cluster handshakes, either side, whose proof was made with another key",
           tc.keyMismatches);
    metric("dmr_cluster_version_mismatches_total", "counter",
           "cluster handshakes with a peer of another frame version", tc.versionMismatches);
    metric("dmr_cluster_drills_refused_total", "counter",
           "forwarded drills refused (another node's, or one that already ran)", drillsRefused_);
    metric("dmr_control_clients", "gauge", "control connections", control_->clients());
    metric("dmr_control_requests_total", "counter", "control requests served",
           control_->requestsServed());
    metric("dmr_control_requests_rejected_total", "counter",
           "control requests answered with an error", control_->requestsRejected());
    metric("dmr_control_evicted_total", "counter",
           "control connections closed before their hello to make room for a newer one",
           control_->connectionsEvicted());
    metric("dmr_control_timeouts_total", "counter",
           "control connections closed by the hello or the idle deadline",
           control_->connectionsTimedOut());
    metric("dmr_control_dropped_total", "counter",
           "control clients dropped for not reading what the agent sent them",
           control_->clientsDropped());
    metric("dmr_control_tls_handshake_failures_total", "counter",
           "control connections whose TLS handshake failed", control_->handshakesFailed());
    metric("dmr_control_accept_errors_total", "counter",
           "failed accepts on the control port (e.g. out of descriptors)",
           control_->acceptErrors());
    metric("dmr_control_log_lines_suppressed_total", "counter",
           "control port log lines left out by the rate limit", control_->logLinesSuppressed());
    if (relay_)
        relay_->writeMetrics(out, config_.node.id);
    return std::move(out).text();
}

Json Agent::transportJson() const
{
    if (!transport_)
        return Json();
    const auto &c = transport_->counters();
    return Json{{"frame_version", frame::kVersion},
                {"sessions", c.sessions},
                {"connections", transport_->connections()},
                {"frames_rejected", c.framesRejected},
                {"frames_replayed", c.framesReplayed},
                {"frames_dropped", c.framesDropped},
                {"handshakes_refused", c.handshakesRefused},
                {"handshake_timeouts", c.handshakeTimeouts},
                {"key_mismatches", c.keyMismatches},
                {"version_mismatches", c.versionMismatches},
                {"pending_refused", c.pendingRefused},
                {"accept_errors", c.acceptErrors},
                {"drills_refused", drillsRefused_}};
}

std::string Agent::drillRecordJson(const DrillRecord &d) const
{
    reply::Drill r;
    r.id = static_cast<std::int64_t>(d.id);
    r.action = d.action;
    r.node = d.node;
    r.iface = d.iface;
    r.reason = d.reason;
    r.durationMs = d.durationMs;
    r.client = d.client;
    r.role = d.role;
    r.identity = d.identity;
    r.via = d.via;
    r.startedMs = d.startedMs;
    if (d.endedMs != 0)
        r.endedMs = d.endedMs;
    r.rev = d.rev;
    return reply::encodeDrill(r);
}

std::string Agent::drillsJson(const protocol::Cursor &cursor) const
{
    std::int64_t rev = nextRev_ - 1;
    bool more = false;
    Json list = Json::array();
    for (const DrillRecord *d : page(drills_, sinceOf(cursor), cursor.limit, &rev, &more))
        list.push_back(Json::parse(drillRecordJson(*d)));
    return Json{{"drills", list}, {"instance", instance_}, {"rev", rev}, {"more", more}}.dump();
}

void Agent::onDrillEnded(const Json &message)
{
    // The target of a drill this agent forwarded ended it (a restore, or its own timer).
    const auto text = [&](const char *key) {
        const auto it = message.find(key);
        return it != message.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const auto ms = [&](const char *key) {
        const auto it = message.find(key);
        return it != message.end() && it->is_number_integer() ? it->get<std::int64_t>()
                                                              : std::int64_t{0};
    };
    const std::int64_t ended = ms("ended_ms");
    if (ended == 0)
        return;
    for (auto &d : drills_)
        if (d.endedMs == 0 && d.node == text("node") && d.action == text("what") &&
            d.iface == text("iface") && d.startedMs == ms("started_ms")) {
            d.endedMs = ended;
            d.rev = nextRev_++;
        }
}

void Agent::handle(const protocol::Request &request, const ControlSession &session,
                   ControlServer::Reply reply)
{
    using protocol::RequestKind;
    const auto &id = request.id;
    switch (request.kind) {
    case RequestKind::GetState:
        return reply(okOrFailed(id, protocol::encodeOk(id, stateJson())));
    case RequestKind::GetCluster:
        return reply(okOrFailed(id, protocol::encodeOk(id, clusterJson())));
    case RequestKind::GetHistory:
        return reply(okOrFailed(id, protocol::encodeOk(id, historyJson(request.cursor))));
    case RequestKind::GetDrills:
        return reply(okOrFailed(id, protocol::encodeOk(id, drillsJson(request.cursor))));
    case RequestKind::GetViews:
        return reply(okOrFailed(id, protocol::encodeOk(id, viewsJson(request.cursor))));
    case RequestKind::GetSnapshot: {
        const Snapshot snap = snapshot();
        const std::string text =
            request.format == protocol::SnapshotFormat::Dot ? renderDot(snap) : toJson(snap);
        return reply(okOrFailed(id, protocol::encodeSnapshotReply(id, request.format, text)));
    }
    case RequestKind::Drill: {
        const DrillAuthor author{session.client.empty() ? session.peer : session.client,
                                 std::string(protocol::toString(session.role)), session.identity};
        if (request.drill.node != config_.node.id)
            return forwardDrill(request, author, std::move(reply));
        DrillRecord record;
        const std::string err = runDrill(request.drill, author, "", record);
        if (!err.empty())
            return reply(protocol::encodeError(id, protocol::ErrorCode::Failed, err));
        return reply(okOrFailed(id, protocol::encodeOk(id, drillRecordJson(record))));
    }
    case RequestKind::GetReachability:
        return gatherReachability(id, std::move(reply));
    case RequestKind::Hello:
    case RequestKind::Subscribe:
        break;
    }
    reply(protocol::encodeError(id, protocol::ErrorCode::Failed, "not handled here"));
}

void Agent::forwardDrill(const protocol::Request &request, const DrillAuthor &author,
                         ControlServer::Reply reply)
{
    // Another node's drill goes over the authenticated cluster transport, to the address that
    // node last had (a killed node keeps listening there, so a restore reaches it too). The
    // client hears the target's own answer.
    const auto &id = request.id;
    auto address = membershipAddress_.find(request.drill.node);
    if (address == membershipAddress_.end())
        return reply(protocol::encodeError(id, protocol::ErrorCode::Failed,
                                           "node " + request.drill.node +
                                               " is unknown to this agent (never in its view)"));
    const std::uint64_t corr = nextForwardId_++;
    protocol::Request forwarded = request;
    forwarded.id = {};
    transport_->send(address->second,
                     Json{{"agent", "drill"},
                          {"drill", Json::parse(protocol::encodeRequest(forwarded))},
                          {"client", author.client},
                          {"role", author.role},
                          {"identity", author.identity},
                          {"via", config_.node.id},
                          {"corr", corr},
                          {"drill_id", [] {
                               std::array<unsigned char, 16> drillId{};
                               crypto::randomBytes(drillId);
                               return crypto::hex(drillId);
                           }()},
                          {"reply_to", config_.membership.listen.toString()}}
                         .dump());
    auto timer =
        std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(kForwardTimeoutMs));
    forwarded_[corr] = ForwardedDrill{std::move(reply), id, timer, request.drill, author};
    auto alive = alive_;
    const NodeId target = request.drill.node;
    timer->async_wait([this, alive, corr, target](const error_code &ec) {
        if (ec || !*alive)
            return;
        auto it = forwarded_.find(corr);
        if (it == forwarded_.end())
            return;
        it->second.reply(protocol::encodeError(it->second.id, protocol::ErrorCode::Failed,
                                               "node " + target +
                                                   " did not answer the forwarded drill within " +
                                                   std::to_string(kForwardTimeoutMs) + " ms"));
        forwarded_.erase(it);
    });
}

void Agent::onDrillResult(const Json &message)
{
    auto it = forwarded_.find(message.value("corr", std::uint64_t{0}));
    if (it == forwarded_.end())
        return;
    it->second.timeout->cancel();
    if (message.contains("record") && message["record"].is_object()) {
        Json record = message["record"];
        // Keep it in this agent's record too: the operator asked here.
        DrillRecord copy;
        copy.id = nextDrillId_++;
        copy.action = record.value("action", "");
        copy.node = record.value("node", "");
        copy.iface = record.value("iface", "");
        copy.reason = record.value("reason", "");
        if (record.contains("duration_ms") && record["duration_ms"].is_number_integer())
            copy.durationMs = record["duration_ms"].get<std::int64_t>();
        copy.client = textField(record, "client");
        copy.role = textField(record, "role");
        copy.identity = textField(record, "identity");
        copy.via = config_.node.id;
        copy.startedMs = record.value("started_ms", std::int64_t{0});
        if (const auto ended = record.find("ended_ms");
            ended != record.end() && ended->is_number_integer())
            copy.endedMs = ended->get<std::int64_t>(); // a restore ends as it starts
        copy.rev = nextRev_++;
        if (drills_.size() == kDrillsMax)
            drills_.pop_front();
        drills_.push_back(copy);
        // This agent's subscribers hear of it too, at the target's time: the target's own
        // event and this one are one drill to a client that hears both.
        const DrillAuthor &author = it->second.author;
        publish(protocol::encodeDrillEvent(copy.startedMs, it->second.drill, author.client,
                                           author.role, author.identity),
                copy.startedMs);
        record["forwarded_to"] = record.value("node", "");
        auto line = protocol::encodeOk(it->second.id, record.dump());
        it->second.reply(okOrFailed(it->second.id, line));
    } else {
        it->second.reply(protocol::encodeError(it->second.id, protocol::ErrorCode::Failed,
                                               message.value("error", "refused by its target")));
    }
    forwarded_.erase(it);
}

// ---- Reachability -------------------------------------------------------------------------

void Agent::gatherReachability(const protocol::RequestId &id, ControlServer::Reply reply)
{
    if (!relay_)
        return reply(protocol::encodeError(id, protocol::ErrorCode::Failed,
                                           "the relay is off on node " + config_.node.id +
                                               " (relay.enabled = false)"));
    if (reachGathers_.size() >= kReachGathersMax)
        return reply(protocol::encodeError(id, protocol::ErrorCode::Busy,
                                           "too many reachability requests in progress"));
    const std::uint64_t corr = nextForwardId_++;
    ReachabilityGather g;
    g.reply = std::move(reply);
    g.id = id;
    g.rows[config_.node.id] = relay_->reachabilityRow();
    const std::string ask = Json{{"agent", "reach-ask"},
                                 {"corr", corr},
                                 {"reply_to", config_.membership.listen.toString()}}
                                .dump();
    for (const auto &n : view_.nodes) {
        if (n.id == config_.node.id)
            continue;
        g.waiting.insert(n.id);
        transport_->send(n.address, ask);
    }
    g.timeout =
        std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(kReachabilityWaitMs));
    auto alive = alive_;
    g.timeout->async_wait([this, alive, corr](const error_code &ec) {
        if (ec || !*alive)
            return;
        finishReachability(corr);
    });
    const bool done = g.waiting.empty();
    reachGathers_[corr] = std::move(g);
    if (done)
        finishReachability(corr);
}

void Agent::onReachabilityRow(const Json &message)
{
    const std::uint64_t corr = message.value("corr", std::uint64_t{0});
    auto it = reachGathers_.find(corr);
    if (it == reachGathers_.end())
        return;
    const NodeId node = message.value("node", "");
    if (it->second.waiting.erase(node) == 0)
        return;
    Json row = message.contains("row") ? message["row"] : Json();
    if (row.is_object())
        it->second.rows[node] = std::move(row);
    else
        it->second.rows[node] =
            Json{{"node", node}, {"answered", true}, {"probing", false}, {"heard", Json::array()}};
    if (it->second.waiting.empty())
        finishReachability(corr);
}

void Agent::finishReachability(std::uint64_t corr)
{
    auto it = reachGathers_.find(corr);
    if (it == reachGathers_.end())
        return;
    ReachabilityGather g = std::move(it->second);
    reachGathers_.erase(it);
    g.timeout->cancel();
    // Every node this agent knows, in natural order: those in the view that did not answer in
    // time, and those out of the view (failed, killed), have answered = false.
    std::vector<NodeId> nodes;
    for (const auto &[id, node] : known_)
        nodes.push_back(id);
    if (std::find(nodes.begin(), nodes.end(), config_.node.id) == nodes.end())
        nodes.push_back(config_.node.id);
    std::sort(nodes.begin(), nodes.end(), naturalLess);
    Json rows = Json::array();
    for (const auto &n : nodes) {
        auto row = g.rows.find(n);
        if (row != g.rows.end()) {
            rows.push_back(std::move(row->second));
        } else {
            rows.push_back({{"node", n},
                            {"answered", false},
                            {"in_view", view_.node(n) != nullptr},
                            {"heard", Json::array()}});
        }
    }
    g.reply(okOrFailed(g.id,
                       protocol::encodeOk(g.id, Json{{"nodes", nodes},
                                                     {"interval_ms", config_.relay.probeIntervalMs},
                                                     {"asked_by", config_.node.id},
                                                     {"time_ms", nowMs()},
                                                     {"rows", rows}}
                                                    .dump())));
}

} // namespace dmr::agent
