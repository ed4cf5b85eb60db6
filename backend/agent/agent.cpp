#include "agent.h"

#include "embedded_membership.h"
#include "etcd_membership.h"
#include "os_interfaces.h"
#include "process.h"

#include "dmr/render.h"

#include <nlohmann/json.hpp> // the relay's reachability row, sent as text

#include <iostream>

namespace dmr::agent {

// A replay is queued whole behind the subscribe reply: it must fit a client's queue.
static_assert(Agent::kEventsKeptMax + 1 < ControlServer::kQueueLinesMax);

namespace {

std::int64_t wallClockUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

Agent::Agent(asio::io_context &io, AgentConfig config, std::string version)
    : io_(io)
    , config_(std::move(config))
    , version_(std::move(version))
    , steady0_(std::chrono::steady_clock::now())
    , wall0Us_(wallClockUs())
    , tickTimer_(io)
    , wakeTimer_(io)
    , interfacePoll_(io)
    , logSink_(LogSink::fromEnvironment("dmr-agent"))
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

void Agent::log(const std::string &line, std::string_view cause) const
{
    LogFields fields{{"DMR_NODE", config_.node.id}};
    if (node_ && !node_->view().nodes.empty())
        fields.emplace_back("DMR_VIEW", node_->view().id.toString());
    if (!cause.empty())
        fields.emplace_back("DMR_CAUSE", std::string(cause));
    logSink_.write("dmr-agent[" + config_.node.id + "]", line,
                   cause.empty() ? kPriorityInfo : kPriorityNotice, fields);
}

Result<std::monostate> Agent::start()
{
    std::vector<Interface> interfaces;
    if (config_.node.interfaces) {
        interfaces = *config_.node.interfaces;
    } else {
        auto found = readOsInterfaces();
        if (!found)
            return found.error();
        interfaces = *found;
        // None usable yet is not a configuration error: the link may come up later (an operator
        // starting the agent first, a veth without carrier). The agent waits for one below.
        waitingForInterface_ = interfaces.empty();
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
                      io_,
                      OsChannels{config_.relay.channels, config_.relay.probeChannel,
                                 config_.relay.probeChannelV6},
                      relayEmissionPort(static_cast<std::uint16_t>(config_.relay.port)));
        auto relay = std::make_unique<RelayDataPlane>(
            io_, config_.node.id, config_.relay, std::move(segments),
            [this](const NodeId &node) -> std::optional<RelayDataPlane::Peer> {
                const auto &peers = node_->peers();
                auto it = peers.find(node);
                if (it == peers.end() || !it->second.relayPort)
                    return std::nullopt;
                RelayDataPlane::Peer peer{*it->second.relayPort,
                                          it->second.relayCarry,
                                          it->second.relayEpoch.value_or(0),
                                          {},
                                          it->second.relayVersions};
                if (auto k = node_->known().find(node); k != node_->known().end())
                    for (const auto &i : k->second.interfaces)
                        peer.addresses.push_back(i.address.address());
                return peer;
            },
            [this] { return nowMs(); }, RelayDataPlane::Trust{config_.cluster.key, true, {}});
        relay->setLog([this](const std::string &line) { log(line); });
        if (auto r = relay->start(interfaces); !r)
            return r.error();
        relay_ = relay.get();
        if (config_.relay.mode == RelayMode::Os) {
            ListenSink sink;
            sink.report = [this](std::size_t segment, const IpAddress &group,
                                 std::optional<listen::Reporter> reporter) {
                if (relay_)
                    relay_->hearReport(segment, group, reporter);
            };
            sink.leave = [this](std::size_t segment, const IpAddress &group,
                                std::optional<listen::Reporter> reporter) {
                if (relay_)
                    relay_->hearLeave(segment, group, reporter);
            };
            sink.query = [this](std::size_t segment, const IpAddress &from,
                                std::optional<IpAddress> group) {
                if (relay_)
                    relay_->hearQuery(segment, from, group);
            };
            listening_ =
                std::make_unique<OsListening>(io_, makeOsListenIo(io_), std::move(sink),
                                              [this](std::size_t segment, const IpAddress &group) {
                                                  return relayJoins(segment, group);
                                              });
            relayInterfaces(interfaces);
            // Without the reader (no CAP_NET_RAW, say) the relay floods, and says why.
            if (listening_) {
                relay_->setQuerySender([this](std::size_t segment, const listen::Query &q) {
                    if (listening_)
                        listening_->sendQuery(segment, q, relay_->listeners().config());
                });
                RelayDataPlane::ReaderInfo info;
                info.querierAddress = [this](std::size_t segment) -> std::optional<IpAddress> {
                    return listening_ ? listening_->reader().querierAddress(segment) : std::nullopt;
                };
                info.counters = [this](std::size_t segment) -> std::optional<ListenCounters> {
                    if (!listening_ || segment >= listeningOn_.size())
                        return std::nullopt;
                    return listening_->reader().segmentCounters(segment);
                };
                relay_->setReaderInfo(std::move(info));
            }
        }
        dataPlane_ =
            std::make_unique<RecordingDataPlane>([this] { return nowMs(); }, std::move(relay));
    } else {
        dataPlane_ = std::make_unique<RecordingDataPlane>([this] { return nowMs(); });
    }
    node::Config nc;
    nc.self = config_.node.id;
    nc.interfaces = interfaces;
    nc.membershipAddress = config_.membership.listen.toString();
    nc.controlAddress = config_.control.listen.toString();
    if (relay_) {
        nc.relay = true;
        nc.relayPort = relay_->tunnelPort();
        nc.relayEpoch = relay_->epoch();
    }
    nc.notify = !config_.output.notifyCommand.empty();
    nc.handoverTimeoutMs = kHandoverTimeoutMs;
    node_ = std::make_unique<node::Controller>(std::move(nc));
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
                if (node_->killed())
                    return {false, "killed by a drill"};
                if (waitingForInterface_)
                    return {false, "waiting for " + waitingFor_};
                if (!membership_ || !membership_->joined())
                    return {false, "joining the cluster"};
                if (node_->handoverPending())
                    return {false, "handover in progress"};
                return {true, ""};
            });
        if (auto r = metrics_->listen(*config_.metrics.listen); !r)
            return r.error();
    }
    asio::co_spawn(io_, tickLoop(), asio::detached);
    std::string names;
    for (const auto &i : interfaces)
        names += " " + i.name + "=" + i.address.toString();
    log("started; membership " + config_.membership.listen.toString() + ", control " +
        config_.control.listen.toString() + ", interfaces" + (names.empty() ? " none" : names));
    if (waitingForInterface_) {
        waitingFor_ = "a usable interface (up, with a carrier, not loopback, with an address)";
        node_->setWaitingFor(waitingFor_);
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
    if (!waitingForInterface_ || node_->workingInterfaces().empty())
        return;
    if (auto r = transport_->listen(config_.membership.listen); !r) {
        // Its address may come a moment after the first one, or on another interface.
        const std::string why = "its membership address: " + r.error().message;
        if (why != waitingFor_)
            log("an interface is usable, but not " + why + "; trying again on the next change");
        waitingFor_ = why;
        node_->setWaitingFor(waitingFor_);
        return;
    }
    waitingForInterface_ = false;
    waitingFor_.clear();
    node_->setWaitingFor({});
    interfacePoll_.cancel();
    std::string names;
    for (const auto &i : node_->workingInterfaces())
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
        o.clusterKey = config_.cluster.key;
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
    membership_->start(node_->wantedGroups(), node_->meta());
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
    node_->interfacesRead(nowMs(), *found);
    pump();
    joinOnceUsable();
}

void Agent::relayInterfaces(const std::vector<Interface> &working)
{
    if (!relay_)
        return;
    relay_->setInterfaces(working);
    if (!listening_)
        return;
    // The relay's segments: one per working interface, in their order.
    std::vector<SegmentSpec> specs;
    for (const auto &i : working)
        specs.push_back({i.group(), i.name, i.address.address(), false});
    if (specs == listeningOn_)
        return;
    listeningOn_ = specs;
    if (auto r = listening_->open(specs); !r) {
        log("relay: IGMP/MLD reader: " + r.error().message +
            "; this node does not prune (it floods every channel). The reader needs CAP_NET_RAW "
            "and packet sockets: under systemd, the relay-prune.conf drop-in grants them");
        listening_.reset();
        listeningOn_.clear();
        relay_->setQuerySender({}); // nobody tells it who listens now: flood
        relay_->setReaderInfo({});
    }
}

int Agent::relayJoins(std::size_t segment, const IpAddress &group) const
{
    // The relay's segments and the reader's are the same working interfaces, in one order.
    return relay_ && segment < listeningOn_.size() ? relay_->ownJoins(segment, group) : 0;
}

void Agent::publishLocalChange()
{
    if (relay_)
        relayInterfaces(node_->workingInterfaces());
    if (membership_ && !node_->killed())
        membership_->update(node_->wantedGroups(), node_->meta());
}

awaitable<void> Agent::tickLoop()
{
    auto alive = alive_;
    // Now and then only: every deadline has a timer of its own, exact to the millisecond (the
    // membership protocol's next heartbeat or failure timeout, EmbeddedMembership::armDeadline;
    // the controller's handover timeouts and timed drills, its WakeAt). This tick reaps the
    // hooks' children and is the backstop for a deadline nobody announced. A 25 ms tick cost
    // 128 idle agents on one machine 40 wake-ups a second each.
    const auto period = std::chrono::milliseconds(kSafetyTickMs);
    for (;;) {
        tickTimer_.expires_after(period);
        error_code ec;
        co_await tickTimer_.async_wait(ec_await(ec));
        if (!*alive || ec == asio::error::operation_aborted)
            co_return;
        if (membership_ && !node_->killed())
            membership_->tick();
        node_->tick(nowMs());
        pump();
        reapChildren();
    }
}

void Agent::wakeAt(std::int64_t atMs)
{
    // The controller's deadlines (a timed drill's end, a handover's timeout), to the
    // millisecond; the tick loop's backstop comes only every kSafetyTickMs.
    if (wakeAtMs_ != 0 && wakeAtMs_ <= atMs)
        return;
    wakeAtMs_ = atMs;
    wakeTimer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, atMs - nowMs())));
    auto alive = alive_;
    wakeTimer_.async_wait([this, alive](const error_code &ec) {
        if (ec || !*alive)
            return;
        wakeAtMs_ = 0;
        node_->tick(nowMs());
        pump();
    });
}

void Agent::onPeerPayload(std::string payload)
{
    // Agent messages ride the same authenticated transport as membership. Authenticated, but
    // still decoded defensively: a peer of another release may send a field of another type.
    if (protocol::isAgentMessage(payload)) {
        auto message = protocol::decodeAgentMessage(payload);
        if (!message) {
            log("agent message refused: " + message.error().message);
            return;
        }
        onAgentMessage(std::move(message).value());
        return;
    }
    if (node_->killed() || !membership_)
        return; // a crashed process hears nothing
    membership_->receive(payload);
}

void Agent::onAgentMessage(protocol::AgentMessage message)
{
    const std::int64_t now = nowMs();
    if (auto *applied = std::get_if<protocol::AppliedMessage>(&message)) {
        node_->applied(now, *applied);
    } else if (auto *drill = std::get_if<protocol::ForwardedDrillMessage>(&message)) {
        // A drill for this node, taken by another agent: the controller decides whether it runs
        // and answers that agent.
        node_->forwardedDrill(now, *drill);
    } else if (auto *result = std::get_if<protocol::DrillResultMessage>(&message)) {
        onDrillResult(*result);
    } else if (auto *ended = std::get_if<protocol::DrillEndedMessage>(&message)) {
        node_->drillEnded(now, *ended);
    } else if (auto *ask = std::get_if<protocol::ReachAskMessage>(&message)) {
        // Another agent gathers the reachability matrix: this agent's row.
        if (!node_->killed() && !ask->replyTo.empty())
            transport_->send(ask->replyTo,
                             protocol::encodeAgentMessage(protocol::ReachRowMessage{
                                 ask->corr, config_.node.id,
                                 relay_ ? relay_->reachabilityRow().dump() : "null"}));
    } else if (auto *row = std::get_if<protocol::ReachRowMessage>(&message)) {
        onReachabilityRow(*row);
    } else if (auto *told = std::get_if<protocol::FailoversMessage>(&message)) {
        node_->failoversTold(now, *told);
    }
    pump();
}

void Agent::onPeerLost(const std::string &address)
{
    if (node_->killed() || !membership_)
        return;
    membership_->connectionLost(address);
}

void Agent::installed(const gms::ClusterView &view)
{
    node_->installView(nowMs(), view);
    pump();
    viewLog_.record(snapshot(), view.id.toString(), nowMs());
}

void Agent::pump()
{
    // In the order the controller gave them: opens before the word that they are up, closes
    // after it; an event after the change it tells of.
    for (auto &out : node_->takeOutputs()) {
        if (auto *batch = std::get_if<node::DataPlaneBatch>(&out)) {
            for (const auto &err : dataPlane_->apply(batch->actions))
                log("data plane: " + err);
        } else if (auto *send = std::get_if<node::SendMessage>(&out)) {
            transport_->send(send->to, protocol::encodeAgentMessage(send->message));
        } else if (auto *event = std::get_if<node::PublishEvent>(&out)) {
            publish(event->line, event->timeMs);
        } else if (std::holds_alternative<node::LocalChanged>(out)) {
            publishLocalChange();
        } else if (std::holds_alternative<node::Halt>(out)) {
            // As if the process crashed: membership stops, every connection closes (so the
            // peers know now), the relay forwards nothing.
            if (relay_)
                relay_->setHalted(true);
            if (membership_)
                membership_->halt();
            transport_->dropAll(true);
        } else if (std::holds_alternative<node::Resume>(out)) {
            if (relay_) {
                relay_->setHalted(false); // a new relay epoch: new tunnel keys
                node_->setRelayEpoch(relay_->epoch());
                relayInterfaces(node_->workingInterfaces());
            }
            startMembership();
        } else if (auto *peers = std::get_if<node::PeersChanged>(&out)) {
            if (relay_) {
                relay_->setRelaySources(std::move(peers->relaySources));
                relay_->peersChanged(); // their epochs and addresses: the tunnels' keys, sources
            }
        } else if (auto *forget = std::get_if<node::ForgetPeer>(&out)) {
            transport_->forget(forget->address);
        } else if (auto *files = std::get_if<node::WriteFiles>(&out)) {
            // The plan being applied, not the one before it.
            bool changed = false;
            const auto write = [&](const std::string &path, const std::string &text) {
                if (path.empty())
                    return;
                const std::string err = writeFileWhole(path, text);
                if (err.empty())
                    changed = true;
                else
                    log(err);
            };
            const Topology &known = node_->known();
            write(config_.output.mroutedConf, renderMrouted(files->plan, known, config_.node.id));
            write(config_.output.smcrouteConf, renderSmcroute(files->plan, known, config_.node.id));
            if (changed && !config_.output.reloadCommand.empty())
                spawnCommand(config_.output.reloadCommand, "");
        } else if (auto *notify = std::get_if<node::NotifyChange>(&out)) {
            spawnCommand(config_.output.notifyCommand, notify->json);
        } else if (auto *line = std::get_if<node::Log>(&out)) {
            log(line->text, line->cause);
        } else if (auto *wake = std::get_if<node::WakeAt>(&out)) {
            wakeAt(wake->atMs);
        }
        // FailoverRecorded and DrillRecorded: the controller keeps the records the control
        // port serves; nothing more to do with them here.
    }
}

void Agent::shutdown(std::function<void()> stopped)
{
    tickTimer_.cancel();
    wakeTimer_.cancel();
    interfacePoll_.cancel();
    if (membership_ && !node_->killed()) {
        log("stopping: leaving every group");
        membership_->leave(std::move(stopped));
        return;
    }
    asio::post(io_, std::move(stopped));
}

} // namespace dmr::agent
