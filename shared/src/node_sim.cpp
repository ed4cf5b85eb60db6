#include "node_sim.h"

#include <algorithm>

namespace dmr::sim {

namespace {

std::string addressOf(const NodeId &id)
{
    return "sim:" + id;
}

NodeId nodeOf(const std::string &address)
{
    return address.rfind("sim:", 0) == 0 ? address.substr(4) : address;
}

} // namespace

SimulatedNodes::SimulatedNodes(const Topology &topology)
    : topology_(topology)
{
}

bool SimulatedNodes::up(const NodeId &id) const
{
    const auto p = processes_.find(id);
    return p != processes_.end() && p->second.machine != nullptr;
}

std::string SimulatedNodes::check(const NodeId &id) const
{
    if (topology_.count(id) == 0)
        return "unknown node \"" + id + "\"";
    return {};
}

const node::Controller *SimulatedNodes::controller(const NodeId &id) const
{
    const auto p = processes_.find(id);
    return p == processes_.end() ? nullptr : p->second.controller.get();
}

std::vector<NodeId> SimulatedNodes::running() const
{
    std::vector<NodeId> ids;
    for (const auto &[id, p] : processes_)
        if (p.machine)
            ids.push_back(id);
    std::sort(ids.begin(), ids.end(), naturalLess);
    return ids;
}

std::vector<std::string> SimulatedNodes::takeLog()
{
    std::vector<std::string> out;
    out.swap(log_);
    return out;
}

void SimulatedNodes::startMachine(const NodeId &id)
{
    Process &p = processes_.at(id);
    gms::Config c;
    c.self = id;
    c.address = addressOf(id);
    c.incarnation = ++incarnations_;
    for (const auto &[other, node] : topology_)
        if (other != id)
            c.seeds.push_back(addressOf(other));
    p.machine = std::make_unique<gms::Machine>(c);
    peers_.erase(id);
    p.machine->start(now_, p.controller->wantedGroups(), p.controller->meta());
    drainMachine(id);
}

std::string SimulatedNodes::join(const NodeId &id)
{
    if (auto e = check(id); !e.empty())
        return e;
    if (processes_.count(id) != 0)
        return "node " + id + " is running already";
    node::Config c;
    c.self = id;
    c.interfaces = topology_.at(id).interfaces;
    c.membershipAddress = addressOf(id);
    processes_[id].controller = std::make_unique<node::Controller>(std::move(c));
    startMachine(id);
    return settle("join " + id);
}

std::string SimulatedNodes::fail(const NodeId &id)
{
    if (auto e = check(id); !e.empty())
        return e;
    if (processes_.count(id) == 0)
        return "node " + id + " is not running";
    processes_.erase(id);
    closeConnections(id);
    return settle("fail " + id);
}

std::string SimulatedNodes::leave(const NodeId &id)
{
    if (auto e = check(id); !e.empty())
        return e;
    if (!up(id))
        return "node " + id + " is not running";
    processes_.at(id).machine->leave(now_);
    drainMachine(id);
    processes_.erase(id);
    closeConnections(id); // after its goodbye, on the same connections
    return settle("leave " + id);
}

std::string SimulatedNodes::drill(const NodeId &id, protocol::DrillAction action,
                                  const std::string &iface)
{
    if (auto e = check(id); !e.empty())
        return e;
    if (processes_.count(id) == 0)
        return "node " + id + " is not running";
    protocol::DrillRequest d;
    d.action = action;
    d.node = id;
    d.iface = iface;
    d.reason = "scenario";
    auto ran = processes_.at(id).controller->drill(now_, d, {"scenario", "operator", "token"});
    drainController(id);
    if (const auto *err = std::get_if<std::string>(&ran))
        return *err;
    return settle(std::string(protocol::toString(action)) + " " + id);
}

std::string SimulatedNodes::hold(const NodeId &id)
{
    if (auto e = check(id); !e.empty())
        return e;
    if (processes_.count(id) == 0)
        return "node " + id + " is not running";
    processes_.at(id).holdApplied = true;
    return {};
}

std::string SimulatedNodes::release(const NodeId &id)
{
    if (auto e = check(id); !e.empty())
        return e;
    if (processes_.count(id) == 0)
        return "node " + id + " is not running";
    Process &p = processes_.at(id);
    if (!p.holdApplied)
        return "node " + id + "'s \"applied\" is not held (\"hold " + id + "\" first)";
    p.holdApplied = false;
    auto held = std::move(p.held);
    auto to = std::move(p.heldTo);
    p.held.clear();
    p.heldTo.clear();
    for (std::size_t i = 0; i < held.size(); ++i)
        sendAgent(id, to[i], held[i]);
    return settle("applied " + id);
}

void SimulatedNodes::wait(gms::Ms ms)
{
    for (gms::Ms i = 0; i < ms; ++i)
        step();
}

void SimulatedNodes::closeConnections(const NodeId &id)
{
    for (const auto &peer : peers_[id])
        if (processes_.count(peer) != 0)
            pending_.push_back({now_ + kLatencyMs, id, peer, std::monostate{}});
    peers_.erase(id);
    for (auto &[other, set] : peers_)
        set.erase(id);
}

void SimulatedNodes::sendAgent(const NodeId &from, const std::string &to,
                               const protocol::AgentMessage &message)
{
    Process &p = processes_.at(from);
    if (p.holdApplied && std::holds_alternative<protocol::AppliedMessage>(message)) {
        p.held.push_back(message);
        p.heldTo.push_back(to);
        return;
    }
    const NodeId target = nodeOf(to);
    if (topology_.count(target) == 0 || processes_.count(target) == 0)
        return; // nothing listens there
    // Through the wire form, as the agent sends it.
    const std::string line = protocol::encodeAgentMessage(message);
    if (!protocol::decodeAgentMessage(line) && fault_.empty())
        fault_ = "a \"" + std::string(protocol::kindOf(message)) + "\" from " + from +
                 " did not survive the wire form";
    pending_.push_back({now_ + kLatencyMs, from, target, line});
}

void SimulatedNodes::drainMachine(const NodeId &id)
{
    Process &p = processes_.at(id);
    if (!p.machine)
        return;
    for (auto &out : p.machine->takeOutputs()) {
        if (auto *s = std::get_if<gms::Send>(&out)) {
            const NodeId to = nodeOf(s->to);
            if (topology_.count(to) == 0)
                continue;
            if (!up(to)) {
                // Nothing listens there: the connection is refused at once.
                pending_.push_back({now_ + kLatencyMs, to, id, std::monostate{}});
                continue;
            }
            auto decoded = gms::decode(gms::encode(s->message));
            if (!decoded) {
                if (fault_.empty())
                    fault_ = "a membership message from " + id +
                             " did not survive the wire form: " + decoded.error().message;
                continue;
            }
            peers_[id].insert(to);
            peers_[to].insert(id);
            pending_.push_back({now_ + kLatencyMs, id, to, std::move(decoded).value()});
        } else if (auto *iv = std::get_if<gms::InstallView>(&out)) {
            p.controller->installView(now_, iv->view);
            drainController(id);
        }
    }
}

void SimulatedNodes::drainController(const NodeId &id)
{
    auto found = processes_.find(id);
    if (found == processes_.end())
        return;
    Process &p = found->second;
    bool saidApplied = false;
    for (auto &out : p.controller->takeOutputs()) {
        if (auto *batch = std::get_if<node::DataPlaneBatch>(&out)) {
            for (const auto &a : batch->actions)
                log_.push_back(id + ": " + a.toString());
        } else if (auto *send = std::get_if<node::SendMessage>(&out)) {
            // One word to every other node of the view: logged once.
            if (std::holds_alternative<protocol::AppliedMessage>(send->message) && !saidApplied) {
                saidApplied = true;
                log_.push_back(id + ": applied" + (p.holdApplied ? " (held)" : ""));
            }
            sendAgent(id, send->to, send->message);
        } else if (std::holds_alternative<node::LocalChanged>(out)) {
            if (p.machine) {
                p.machine->setGroups(now_, p.controller->wantedGroups(), p.controller->meta());
                drainMachine(id);
            }
        } else if (std::holds_alternative<node::Halt>(out)) {
            p.machine.reset();
            closeConnections(id);
        } else if (std::holds_alternative<node::Resume>(out)) {
            startMachine(id);
        }
    }
}

void SimulatedNodes::step()
{
    ++now_;
    std::deque<Packet> due;
    std::deque<Packet> later;
    for (auto &p : pending_)
        (p.at <= now_ ? due : later).push_back(std::move(p));
    pending_ = std::move(later);
    for (auto &p : due) {
        auto target = processes_.find(p.to);
        if (target == processes_.end())
            continue;
        if (const auto *line = std::get_if<std::string>(&p.body)) {
            auto message = protocol::decodeAgentMessage(*line);
            if (!message)
                continue;
            node::Controller &c = *target->second.controller;
            if (const auto *m = std::get_if<protocol::AppliedMessage>(&*message))
                c.applied(now_, *m);
            else if (const auto *d = std::get_if<protocol::ForwardedDrillMessage>(&*message))
                c.forwardedDrill(now_, *d);
            else if (const auto *e = std::get_if<protocol::DrillEndedMessage>(&*message))
                c.drillEnded(now_, *e);
            else if (const auto *f = std::get_if<protocol::FailoversMessage>(&*message))
                c.failoversTold(now_, *f);
            drainController(p.to);
            continue;
        }
        if (!target->second.machine)
            continue; // a killed process hears nothing of the membership
        if (const auto *env = std::get_if<gms::Envelope>(&p.body))
            target->second.machine->receive(now_, *env);
        else
            target->second.machine->connectionLost(now_, addressOf(p.from));
        drainMachine(p.to);
    }
    std::vector<NodeId> ids;
    for (const auto &[id, p] : processes_)
        ids.push_back(id);
    for (const auto &id : ids) {
        if (processes_.count(id) == 0)
            continue;
        if (auto &m = processes_.at(id).machine) {
            m->tick(now_);
            drainMachine(id);
        }
        processes_.at(id).controller->tick(now_);
        drainController(id);
    }
}

bool SimulatedNodes::settled(gms::ViewId &agreedId) const
{
    for (const auto &p : pending_)
        if (std::holds_alternative<std::string>(p.body))
            return false; // an agent message in flight
    const gms::ClusterView *agreed = nullptr;
    std::size_t live = 0;
    for (const auto &[id, p] : processes_) {
        if (!p.machine)
            continue;
        ++live;
        const gms::Machine &m = *p.machine;
        if (m.role() != gms::Role::Member && m.role() != gms::Role::Coordinator)
            return false;
        if (agreed == nullptr)
            agreed = &m.view();
        else if (!(m.view() == *agreed))
            return false;
    }
    if (agreed == nullptr)
        return true;
    agreedId = agreed->id;
    if (agreed->nodes.size() != live)
        return false;
    for (const auto &n : agreed->nodes)
        if (!up(n.id))
            return false;
    return true;
}

std::string SimulatedNodes::settle(const std::string &what)
{
    const gms::Ms deadline = now_ + kSettleMsMax;
    gms::Ms since = -1;
    gms::ViewId held;
    while (now_ < deadline) {
        if (!fault_.empty())
            return what + ": " + fault_;
        gms::ViewId id;
        if (settled(id)) {
            if (since < 0 || !(id == held)) {
                since = now_;
                held = id;
            } else if (now_ - since >= kQuietMs)
                return {};
        } else {
            since = -1;
        }
        step();
    }
    return what + ": the cluster did not settle within " + std::to_string(kSettleMsMax) +
           " simulated ms";
}

} // namespace dmr::sim
