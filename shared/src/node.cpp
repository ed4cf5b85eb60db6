#include "dmr/node.h"
#include "dmr/relay.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

namespace dmr::node {

using Json = nlohmann::json;
using protocol::DrillAction;

namespace {

bool sameEnds(const Tunnel &a, const Tunnel &b)
{
    return a.root == b.root && a.leaf == b.leaf;
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

// When a node that reported its part applied had computed the new plan: when it installed the
// view, or (a node that does not say) no later than when its part was up.
Ms firstPlanned(Ms atMs, Ms installedMs)
{
    return installedMs != 0 ? std::min(installedMs, atMs) : atMs;
}

} // namespace

FailoverPhases FailoverRecord::phases() const
{
    return failoverPhases({cause, silentMs, decidedAtMs, changedAtMs, electedAtMs,
                           awaiting.empty() ? std::optional<Ms>(tunnelsUpAtMs) : std::nullopt});
}

void applyActions(Plan &held, const std::vector<Action> &actions)
{
    for (const Action &a : actions) {
        switch (a.kind) {
        case Action::Kind::Route:
            held.routes.push_back(a.route);
            break;
        case Action::Kind::Unroute:
            held.routes.erase(std::remove(held.routes.begin(), held.routes.end(), a.route),
                              held.routes.end());
            break;
        case Action::Kind::OpenTunnel:
            held.tunnels.push_back(a.tunnel);
            break;
        case Action::Kind::UpdateTunnel:
            for (Tunnel &t : held.tunnels)
                if (sameEnds(t, a.tunnel))
                    t = a.tunnel;
            break;
        case Action::Kind::CloseTunnel:
            held.tunnels.erase(
                std::remove_if(held.tunnels.begin(), held.tunnels.end(),
                               [&](const Tunnel &t) { return sameEnds(t, a.tunnel); }),
                held.tunnels.end());
            break;
        }
    }
}

Controller::Controller(Config config)
    : config_(std::move(config))
    , interfaces_(config_.interfaces)
{
}

std::vector<Output> Controller::takeOutputs()
{
    std::vector<Output> out;
    out.swap(outputs_);
    return out;
}

void Controller::dataPlane(std::vector<Action> actions)
{
    if (actions.empty())
        return;
    applyActions(held_, actions);
    emit(DataPlaneBatch{std::move(actions)});
}

void Controller::wake()
{
    std::optional<Ms> at;
    if (pending_)
        at = pending_->deadlineMs;
    for (const auto &[id, when] : restoreAt_)
        at = at ? std::min(*at, when) : when;
    if (at)
        emit(WakeAt{*at});
}

// ---- Local state ------------------------------------------------------------------------------

std::set<GroupName> Controller::wantedGroups() const
{
    std::set<GroupName> groups;
    if (drained_)
        return groups;
    for (const auto &i : interfaces_)
        if (failedAdapters_.count(i.name) == 0 && osDownAdapters_.count(i.name) == 0)
            groups.insert(i.group());
    return groups;
}

std::vector<Interface> Controller::workingInterfaces() const
{
    // A drained node routes nothing but still probes and hears (it is still on its networks); a
    // killed one does nothing at all.
    std::vector<Interface> out;
    if (killed_)
        return out;
    for (const auto &i : interfaces_)
        if (failedAdapters_.count(i.name) == 0 && osDownAdapters_.count(i.name) == 0)
            out.push_back(i);
    return out;
}

std::string Controller::meta() const
{
    Json ifaces = Json::array();
    for (const auto &i : interfaces_)
        ifaces.push_back({{"name", i.name}, {"address", i.address.toString()}});
    std::set<std::string> failed = failedAdapters_;
    failed.insert(osDownAdapters_.begin(), osDownAdapters_.end());
    Json j{{"interfaces", ifaces},
           {"failed", failed},
           {"state", drained_ ? "drained" : "up"},
           {"control", config_.controlAddress}};
    if (changedAtMs_ != 0)
        j["changed_ms"] = changedAtMs_; // when it drained or an adapter failed: a failover's start
    if (config_.relay) {
        j["relay_port"] = config_.relayPort;   // where the other end of a tunnel sends
        j["relay_carry"] = true;               // it speaks the carry handover (relay.h)
        j["relay_epoch"] = config_.relayEpoch; // its incarnation: its tunnel keys depend on it
        j["relay_versions"] = relay::tunnelVersions(); // the tunnel formats it speaks
    }
    return j.dump();
}

void Controller::interfacesRead(Ms now, const std::vector<Interface> &found)
{
    // Interfaces keep their place; one that vanished (down, or its address gone) is failed, a
    // new one is added at the end.
    std::set<std::string> down;
    for (const auto &known : interfaces_) {
        const bool present = std::any_of(found.begin(), found.end(), [&](const Interface &i) {
            return i.name == known.name && i.address == known.address;
        });
        if (!present)
            down.insert(known.name + "=" + known.address.toString());
    }
    for (const auto &i : found) {
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
    if (nowDown == osDownAdapters_)
        return;
    for (const auto &name : nowDown)
        if (osDownAdapters_.count(name) == 0)
            log("interface " + name + " went down or lost its address: adapter failure", "adapter");
    for (const auto &name : osDownAdapters_)
        if (nowDown.count(name) == 0)
            log("interface " + name + " is back");
    osDownAdapters_ = nowDown;
    changedAtMs_ = now;
    emit(LocalChanged{});
}

// ---- Views and plans ----------------------------------------------------------------------------

void Controller::learnPeers(const gms::ClusterView &view)
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
        const auto j = Json::parse(n.meta, nullptr, false);
        if (!j.is_object())
            continue;
        Node node{n.id, {}};
        if (const auto list = j.find("interfaces"); list != j.end() && list->is_array())
            for (const auto &i : *list) {
                if (!i.is_object())
                    continue;
                const auto name = i.find("name");
                const auto text = i.find("address");
                if (text == i.end() || !text->is_string())
                    continue;
                auto address = InterfaceAddress::parse(text->get<std::string>());
                if (address)
                    node.interfaces.push_back(Interface{
                        name != i.end() && name->is_string() ? name->get<std::string>() : "",
                        *address});
            }
        known_[n.id] = node;
        NodeStatus status;
        const auto state = j.find("state");
        status.state = state != j.end() && state->is_string() && *state == "drained"
                           ? NodeState::Drained
                           : NodeState::Up;
        if (const auto failed = j.find("failed"); failed != j.end() && failed->is_array())
            for (const auto &f : *failed)
                if (f.is_string())
                    status.failedAdapters.insert(f.get<std::string>());
        knownStatus_[n.id] = status;
        PeerInfo &peer = peers_[n.id];
        if (const auto c = j.find("control"); c != j.end() && c->is_string())
            peer.controlAddress = c->get<std::string>();
        if (const auto c = j.find("changed_ms"); c != j.end() && c->is_number_integer())
            peer.changedAtMs = c->get<Ms>();
        if (const auto p = j.find("relay_port");
            p != j.end() && p->is_number_unsigned() && p->get<unsigned>() <= 65535)
            peer.relayPort = static_cast<std::uint16_t>(p->get<unsigned>());
        const auto carry = j.find("relay_carry");
        peer.relayCarry = carry != j.end() && carry->is_boolean() && carry->get<bool>();
        if (const auto e = j.find("relay_epoch"); e != j.end() && e->is_number_unsigned())
            peer.relayEpoch = e->get<std::uint64_t>();
        else
            peer.relayEpoch.reset();
        std::optional<std::vector<int>> listed;
        if (const auto v = j.find("relay_versions"); v != j.end() && v->is_array()) {
            listed.emplace();
            for (const auto &x : *v)
                if (x.is_number_integer() && listed->size() < 16)
                    listed->push_back(static_cast<int>(
                        std::clamp<std::int64_t>(x.get<std::int64_t>(), -1, 1000)));
        }
        peer.relayVersions = relay::tunnelVersionsOf(listed, peer.relayEpoch.has_value());
    }
    if (config_.relay) {
        // Where the other relays send onto segments from: their interface addresses and their
        // relay port + 1. What comes from there is forwarded traffic, never taken in again.
        PeersChanged changed;
        for (const auto &[id, peer] : peers_) {
            if (id == config_.self || !peer.relayPort)
                continue;
            const auto node = known_.find(id);
            if (node == known_.end())
                continue;
            for (const auto &i : node->second.interfaces)
                changed.relaySources.insert(
                    {i.address.address(), static_cast<std::uint16_t>(*peer.relayPort + 1)});
        }
        emit(std::move(changed));
    }
    for (auto &[id, status] : knownStatus_) {
        if (view.node(id) != nullptr)
            continue;
        if (status.state == NodeState::Up || status.state == NodeState::Drained) {
            status.state = NodeState::Failed;
            for (const auto &d : view.departed)
                if (d.node == id && parseFailoverCause(d.cause) == FailoverCause::Left)
                    status.state = NodeState::Down;
        }
    }
}

void Controller::installView(Ms now, const gms::ClusterView &view)
{
    ++viewsInstalled_;
    installedAtMs_ = now;
    const gms::ClusterView before = view_;
    view_ = view;
    if (const gms::NodeInfo *self = view.node(config_.self)) {
        if (selfSeq_ != 0 && self->seq != selfSeq_) {
            ++rejoins_;
            log("this node was taken out of the view while running and joined again at the end "
                "of every list (join sequence " +
                    std::to_string(selfSeq_) + " -> " + std::to_string(self->seq) + ")",
                "rejoin");
        }
        selfSeq_ = self->seq;
    }
    learnPeers(view);
    // Failover records told before this node installed the view their sender is in.
    for (auto &[from, told] : std::exchange(toldPending_, {})) {
        if (view.node(from) != nullptr) {
            keepTold(told);
        } else {
            ++toldRefused_;
            log("failover records refused: from " + from + ", not in the view");
        }
    }
    Plan next = makePlan(known_, view.groups);
    const std::string viewId = view.id.toString();

    for (const auto &n : view.nodes)
        membershipAddress_[n.id] = n.address;
    for (const auto &n : before.nodes)
        if (n.id != config_.self && view.node(n.id) == nullptr)
            emit(ForgetPeer{n.address});
    for (const auto &[group, v] : view.groups.networks) {
        auto old = before.groups.networks.find(group);
        if (old == before.groups.networks.end() || !(old->second == v))
            emit(PublishEvent{now, protocol::encodeViewChanged(now, v, viewId)});
    }
    for (const auto &[group, v] : before.groups.networks)
        if (view.groups.networks.count(group) == 0) // emptied: its last member is gone
            emit(PublishEvent{now, protocol::encodeViewChanged(now, View{group, {}}, viewId)});
    if (!(before.groups.glGroup == view.groups.glGroup))
        emit(PublishEvent{now, protocol::encodeViewChanged(now, view.groups.glGroup, viewId)});
    // The whole cluster's change, computed once: the event, the history and the handover use it.
    const auto global = diffPlans(plan_, next);
    for (const auto &n : before.nodes)
        if (n.id != config_.self && view.node(n.id) == nullptr)
            absentSinceRev_.emplace(n.id, nextRev_); // (the earliest, if it left twice)
    recordFailovers(now, plan_, next, global, view);
    tellRejoined(before, view);
    if (!global.empty())
        emit(PublishEvent{now, protocol::encodePlanChanged(now, global, viewId)});
    applyPlan(now, next, global, viewId);
    plan_ = std::move(next);
    wake();
}

void Controller::applyPlan(Ms now, const Plan &next, const std::vector<Action> &global,
                           const std::string &viewId)
{
    // What this node does, from what its data plane holds now (not from the last plan: closes
    // may still be pending from a handover).
    const auto mine = actionsFor(diffPlans(held_, next), config_.self);
    std::vector<Action> opens;
    std::vector<Action> closes;
    for (const auto &a : mine)
        (a.opens() ? opens : closes).push_back(a);
    // Waits still open from an earlier change carry over: its successors may not be up yet.
    std::set<std::pair<std::string, NodeId>> waiting;
    Ms deadline = now + config_.handoverTimeoutMs;
    if (pending_) {
        waiting = pending_->waitingFor;
        deadline = pending_->deadlineMs;
    }
    pending_.reset();
    dataPlane(opens);
    // A new epoch (a successor or a merge) may find this node already routing what others
    // expect it to open: it says so too, or their closes would wait for nothing.
    const bool newEpoch = view_.id.counter == 0;
    const bool routesNext =
        !next.routesOf(config_.self).empty() || !next.tunnelsOf(config_.self).empty();
    if (!opens.empty() || (newEpoch && routesNext)) {
        // Tell everyone this node's new part is up: others' closes and the history wait for it.
        const protocol::AppliedMessage applied{config_.self, viewId, now, installedAtMs_};
        for (const auto &n : view_.nodes)
            if (n.id != config_.self)
                emit(SendMessage{n.address, applied});
        noteApplied(config_.self, viewId, Applied{now, installedAtMs_});
    }
    // Make-before-break: close only once every node that opens something in this change has
    // said its part is up, or after handoverTimeoutMs.
    for (const NodeId &n : openers(global, view_))
        if (n != config_.self)
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
        flushPendingCloses(now, false);
    }
    if (!mine.empty())
        emit(WriteFiles{next});
}

void Controller::flushPendingCloses(Ms now, bool force)
{
    if (!pending_)
        return;
    const bool timedOut = now >= pending_->deadlineMs;
    if (!force && !pending_->waitingFor.empty() && !timedOut)
        return;
    if (timedOut && !pending_->waitingFor.empty())
        log("handover: closing without word from " + std::to_string(pending_->waitingFor.size()) +
            " successor(s) after " + std::to_string(config_.handoverTimeoutMs) + " ms");
    auto actions = std::move(pending_->actions);
    pending_.reset();
    dataPlane(std::move(actions));
}

void Controller::applied(Ms now, const protocol::AppliedMessage &message)
{
    if (killed_)
        return; // a crashed process hears nothing
    noteApplied(message.node, message.viewId, Applied{message.atMs, message.installedMs});
    if (pending_)
        flushPendingCloses(now, false);
    wake();
}

void Controller::noteApplied(const NodeId &node, const std::string &viewId, Applied applied)
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
    if (pending_)
        pending_->waitingFor.erase({viewId, node});
    for (auto &r : history_) {
        if (r.viewId != viewId || r.awaiting.erase(node) == 0)
            continue;
        r.tunnelsUpAtMs = std::max(r.tunnelsUpAtMs, applied.atMs);
        r.electedAtMs = std::min(r.electedAtMs, firstPlanned(applied.atMs, applied.installedMs));
        r.rev = nextRev_++;
        emit(FailoverRecorded{r});
    }
}

void Controller::recordFailovers(Ms now, const Plan &before, const Plan &after,
                                 const std::vector<Action> &global, const gms::ClusterView &view)
{
    const Election &was = before.election;
    const Election &next = after.election;
    std::map<NodeId, FailoverRecord> records;
    auto recordFor = [&](const NodeId &node) -> FailoverRecord & {
        auto &r = records[node];
        r.node = node;
        return r;
    };
    for (const auto &[group, leader] : was.groupLeaders) {
        auto it = next.groupLeaders.find(group);
        const NodeId successor = it == next.groupLeaders.end() ? NodeId() : it->second;
        if (successor == leader)
            continue;
        auto &r = recordFor(leader);
        r.roles.push_back("leader " + group);
        r.successors["leader " + group] = successor;
    }
    if (was.systemLeader && was.systemLeader != next.systemLeader) {
        auto &r = recordFor(*was.systemLeader);
        r.roles.insert(r.roles.begin(), "system-leader");
        r.successors["system-leader"] = next.systemLeader.value_or("");
    }
    if (records.empty())
        return;
    const std::set<NodeId> up = openers(global, view);
    for (auto &[node, r] : records) {
        r.id = nextFailoverId_++;
        r.viewId = view.id.toString();
        // This node computed the plan now; a new routing point may have done so before.
        r.electedAtMs = installedAtMs_;
        r.cause = FailoverCause::Moved;
        for (const auto &d : view.departed) {
            if (d.node != node)
                continue;
            r.cause = parseFailoverCause(d.cause);
            r.silentMs = d.silentMs;
            r.decidedAtMs = d.decidedAtMs;
        }
        if (r.cause == FailoverCause::Moved) {
            auto st = knownStatus_.find(node);
            if (st != knownStatus_.end() && st->second.state == NodeState::Drained)
                r.cause = FailoverCause::Drain;
            else if (st != knownStatus_.end() && !st->second.failedAdapters.empty())
                r.cause = FailoverCause::Adapter;
        }
        if (const auto p = peers_.find(node); p != peers_.end() && p->second.changedAtMs)
            r.changedAtMs = *p->second.changedAtMs;
        r.awaiting = up;
        r.tunnelsUpAtMs = 0;
        if (auto seen = appliedSeen_.find(r.viewId); seen != appliedSeen_.end()) {
            for (const auto &[opener, applied] : seen->second) {
                if (r.awaiting.erase(opener) == 0)
                    continue;
                r.tunnelsUpAtMs = std::max(r.tunnelsUpAtMs, applied.atMs);
                r.electedAtMs =
                    std::min(r.electedAtMs, firstPlanned(applied.atMs, applied.installedMs));
            }
        }
        if (r.awaiting.empty() && r.tunnelsUpAtMs == 0)
            r.tunnelsUpAtMs = now;
        for (const auto &[role, successor] : r.successors) {
            // A network's leader moved, or (as the GL_group's) the system leader did.
            const GroupName group = role.rfind("leader ", 0) == 0 ? role.substr(7) : kGlGroup;
            emit(PublishEvent{now, protocol::encodeFailover(now, group, node, successor,
                                                            toString(r.cause), r.viewId)});
        }
        log("failover: node " + node + " (" + std::string(toString(r.cause)) +
                ") lost its roles; view " + r.viewId,
            std::string(toString(r.cause)));
        addFailover(r);
    }
    if (config_.notify) {
        Json actions = Json::array();
        for (const auto &a : global)
            actions.push_back({{"kind", toString(a.kind)}, {"text", a.toString()}});
        emit(NotifyChange{Json{{"node", config_.self},
                               {"view", view.id.toString()},
                               {"system_leader", next.systemLeader.value_or("")},
                               {"actions", actions}}
                              .dump() +
                          "\n"});
    }
}

void Controller::addFailover(FailoverRecord record)
{
    record.rev = nextRev_++;
    if (history_.size() == kHistoryMax)
        history_.pop_front();
    history_.push_back(record);
    emit(FailoverRecorded{std::move(record)});
}

void Controller::tellRejoined(const gms::ClusterView &before, const gms::ClusterView &view)
{
    // One node tells: the coordinator of the view the node came back in. What it recorded of
    // the node while it was out, the newest kToldFailoversMax.
    const bool coordinator = view.coordinator() && view.coordinator()->id == config_.self;
    for (const auto &n : view.nodes) {
        if (n.id == config_.self || before.node(n.id) != nullptr)
            continue;
        auto since = absentSinceRev_.find(n.id);
        if (since == absentSinceRev_.end())
            continue; // never seen here before: nothing happened to it that this node saw
        protocol::FailoversMessage m{config_.self, n.id, {}};
        for (auto r = history_.rbegin(); r != history_.rend() && r->rev >= since->second &&
                                         m.records.size() < protocol::kToldFailoversMax;
             ++r) {
            if (r->node != n.id)
                continue;
            protocol::ToldFailover f{
                r->viewId,      r->cause,       r->roles,        {}, r->silentMs, r->decidedAtMs,
                r->changedAtMs, r->electedAtMs, r->tunnelsUpAtMs};
            for (const auto &[role, successor] : r->successors)
                f.successors.emplace_back(role, successor);
            m.records.insert(m.records.begin(), std::move(f));
        }
        absentSinceRev_.erase(since);
        if (coordinator && !m.records.empty())
            emit(SendMessage{n.address, std::move(m)});
    }
}

void Controller::failoversTold(Ms now, const protocol::FailoversMessage &m)
{
    (void)now;
    if (killed_)
        return;
    if (m.node != config_.self) {
        ++toldRefused_;
        log("failover records refused: from " + m.from + " about node " + m.node +
            " (not this node)");
        return;
    }
    if (view_.node(m.from) == nullptr) {
        // Sent when the sender installed the view this node rejoined, which this node may
        // install a moment later: held until then (the newest per sender, a few senders).
        if (toldPending_.size() >= kToldPendingMax && toldPending_.count(m.from) == 0) {
            ++toldRefused_;
            log("failover records refused: from " + m.from + ", not in the view");
            return;
        }
        toldPending_[m.from] = m;
        return;
    }
    keepTold(m);
}

void Controller::keepTold(const protocol::FailoversMessage &m)
{
    for (const auto &f : m.records) {
        const bool held = std::any_of(history_.begin(), history_.end(), [&](const auto &r) {
            return r.node == config_.self && r.viewId == f.viewId;
        });
        if (held)
            continue;
        FailoverRecord r;
        r.id = nextFailoverId_++;
        r.node = config_.self;
        r.cause = f.cause;
        r.roles = f.roles;
        for (const auto &[role, successor] : f.successors)
            r.successors[role] = successor;
        r.viewId = f.viewId;
        r.silentMs = f.silentMs;
        r.decidedAtMs = f.decidedMs;
        r.changedAtMs = f.changedMs;
        r.electedAtMs = f.electedMs;
        r.tunnelsUpAtMs = f.tunnelsUpMs;
        log("failover: this node (" + std::string(toString(r.cause)) +
                ") lost its roles while it was out of the view; view " + r.viewId + ", told by " +
                m.from,
            std::string(toString(r.cause)));
        addFailover(std::move(r));
    }
}

Snapshot Controller::snapshot(const std::string &cluster, Ms now) const
{
    Snapshot s;
    s.cluster = cluster;
    s.timeMs = now;
    s.nodes = known_;
    s.status = knownStatus_;
    s.membership = view_.groups;
    s.plan = plan_;
    return s;
}

// ---- Drills -------------------------------------------------------------------------------------

std::variant<protocol::DrillRecord, std::string>
Controller::drill(Ms now, const protocol::DrillRequest &drill, const protocol::DrillAuthor &author,
                  const NodeId &via)
{
    protocol::DrillRecord record;
    std::string err = runDrill(now, drill, author, via, record);
    wake();
    if (!err.empty())
        return err;
    return record;
}

void Controller::forwardedDrill(Ms now, const protocol::ForwardedDrillMessage &m)
{
    // A forwarded drill runs on the node it names, once: its id is remembered, so the same
    // message delivered again (a peer resending it, a frame replayed past the transport) is
    // refused and counted.
    auto refuse = [&](std::string why) {
        ++drillsRefused_;
        log("forwarded drill refused: " + why);
        return why;
    };
    protocol::DrillResultMessage result;
    result.corr = m.corr;
    if (!m.drill)
        result.error = refuse(m.drillError);
    else if (m.drill->node != config_.self)
        result.error =
            refuse("the drill names node " + m.drill->node + ", this is node " + config_.self);
    else if (m.drillId.empty() || m.drillId.size() > 64)
        result.error = refuse("a forwarded drill without a valid drill_id");
    else if (drillIdsSeen_.count(m.drillId) != 0)
        result.error = refuse("drill " + m.drillId + " already ran on this node");
    if (result.error.empty()) {
        drillIdsSeen_.insert(m.drillId);
        drillIdOrder_.push_back(m.drillId);
        while (drillIdOrder_.size() > kDrillIdsMax) {
            drillIdsSeen_.erase(drillIdOrder_.front());
            drillIdOrder_.pop_front();
        }
        protocol::DrillRecord record;
        result.error = runDrill(now, *m.drill, m.author, m.via, record);
        if (result.error.empty())
            result.record = record;
    }
    if (!m.replyTo.empty())
        emit(SendMessage{m.replyTo, result});
    wake();
}

std::string Controller::runDrill(Ms now, const protocol::DrillRequest &drill,
                                 const protocol::DrillAuthor &author, const NodeId &via,
                                 protocol::DrillRecord &record)
{
    record.action = drill.action;
    record.node = drill.node;
    record.iface = drill.iface;
    record.reason = drill.reason;
    record.durationMs = drill.durationMs;
    record.author = author;
    record.via = via;
    record.startedMs = now;

    auto hasIface = [&](const std::string &name) {
        return std::any_of(interfaces_.begin(), interfaces_.end(),
                           [&](const Interface &i) { return i.name == name; });
    };
    switch (drill.action) {
    case DrillAction::Kill:
        if (killed_)
            return "node " + drill.node + " is already killed";
        if (!waitingFor_.empty())
            return "node " + drill.node + " is not in the cluster yet (waiting for " + waitingFor_ +
                   ")";
        kill();
        break;
    case DrillAction::FailAdapter:
        if (!hasIface(drill.iface))
            return "node " + drill.node + " has no interface \"" + drill.iface + "\"";
        if (!failedAdapters_.insert(drill.iface).second)
            return "interface " + drill.iface + " of node " + drill.node + " has already failed";
        changedAtMs_ = now;
        emit(LocalChanged{});
        break;
    case DrillAction::Drain:
        if (drained_)
            return "node " + drill.node + " is already drained";
        drained_ = true;
        changedAtMs_ = now;
        emit(LocalChanged{});
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
            if (d.node != config_.self || d.endedMs != 0 || d.action == DrillAction::Restore)
                continue;
            if (!drill.iface.empty() && d.iface != drill.iface)
                continue;
            d.endedMs = now;
            d.rev = nextRev_++;
            restoreAt_.erase(d.id);
            emit(DrillRecorded{d});
            // The agent that took the drill keeps a copy: it ends there too.
            const auto taker = membershipAddress_.find(d.via);
            if (!d.via.empty() && d.via != config_.self && taker != membershipAddress_.end())
                emit(SendMessage{taker->second,
                                 protocol::DrillEndedMessage{d.node, d.action, d.iface, d.startedMs,
                                                             d.endedMs}});
        }
        changedAtMs_ = now;
        if (killed_) {
            killed_ = false;
            log("coming back from a kill drill: rejoining at the end of every list");
            emit(Resume{});
        } else {
            emit(LocalChanged{});
        }
        record.endedMs = now;
        break;
    }
    record.id = nextDrillId_++;
    record.rev = nextRev_++;
    log("drill " + std::string(toString(record.action)) +
            (record.iface.empty() ? "" : " " + record.iface) + " by " +
            (author.client.empty() ? std::string("?") : author.client) +
            (author.role.empty() ? std::string()
                                 : " (" + author.role + ", " + author.identity + ")") +
            (via.empty() ? std::string() : " via " + via) + ": " + record.reason,
        "drill");
    if (drill.durationMs && drill.action != DrillAction::Restore)
        restoreAt_[record.id] = now + *drill.durationMs;
    addDrill(record);
    emit(PublishEvent{
        now, protocol::encodeDrillEvent(now, drill, author.client, author.role, author.identity)});
    return {};
}

void Controller::addDrill(protocol::DrillRecord record)
{
    if (drills_.size() == kDrillsMax) {
        restoreAt_.erase(drills_.front().id);
        drills_.pop_front();
    }
    drills_.push_back(record);
    emit(DrillRecorded{std::move(record)});
}

void Controller::kill()
{
    // As if the process crashed: membership stops at once, every connection closes (so the
    // peers know now), and this node forwards nothing. The control port stays, so that a
    // duration or a restore can bring it back.
    killed_ = true;
    emit(Halt{});
    pending_.reset();
    dataPlane(actionsFor(diffPlans(held_, Plan{}), config_.self));
    plan_ = Plan{};
    view_ = gms::ClusterView{};
    selfSeq_ = 0; // its return at the end of every list is the drill's, not a rejoin
}

protocol::DrillRecord Controller::forwardedDrillRan(Ms now, const protocol::DrillRecord &target,
                                                    const protocol::DrillRequest &drill,
                                                    const protocol::DrillAuthor &author)
{
    (void)now; // the record keeps the target's times
    protocol::DrillRecord copy = target;
    copy.id = nextDrillId_++;
    copy.via = config_.self;
    copy.rev = nextRev_++;
    addDrill(copy);
    // This node's subscribers hear of it too, at the target's time: the target's own event and
    // this one are one drill to a client that hears both.
    emit(PublishEvent{copy.startedMs,
                      protocol::encodeDrillEvent(copy.startedMs, drill, author.client, author.role,
                                                 author.identity)});
    return copy;
}

void Controller::drillEnded(Ms now, const protocol::DrillEndedMessage &m)
{
    (void)now;
    // The target of a drill this node forwarded ended it (a restore, or its own timer).
    if (m.endedMs == 0)
        return;
    for (auto &d : drills_)
        if (d.endedMs == 0 && d.node == m.node && d.action == m.what && d.iface == m.iface &&
            d.startedMs == m.startedMs) {
            d.endedMs = m.endedMs;
            d.rev = nextRev_++;
            emit(DrillRecorded{d});
        }
}

void Controller::tick(Ms now)
{
    flushPendingCloses(now, false);
    // Timed drills that are due end with a restore of their own, in the order they were taken.
    std::vector<std::uint64_t> due;
    for (const auto &[id, at] : restoreAt_)
        if (at <= now)
            due.push_back(id);
    for (const std::uint64_t id : due) {
        restoreAt_.erase(id);
        for (const auto &d : drills_) {
            if (d.id != id || d.endedMs != 0)
                continue;
            protocol::DrillRequest restore;
            restore.action = DrillAction::Restore;
            restore.node = config_.self;
            restore.iface = d.action == DrillAction::FailAdapter ? d.iface : std::string();
            restore.reason = "end of drill " + std::to_string(id) + " (" + d.reason + ")";
            protocol::DrillRecord record;
            const std::string err =
                runDrill(now, restore, protocol::DrillAuthor{"dmr-agent timer", "agent", "timer"},
                         {}, record);
            if (!err.empty())
                log("timed restore: " + err);
            break;
        }
    }
    if (!due.empty())
        wake();
}

} // namespace dmr::node
