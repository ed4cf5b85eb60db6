#include "membership_sim.h"

#include <algorithm>

namespace dmr::gms {

namespace {

std::string addressOf(const NodeId &id)
{
    return "sim:" + id;
}

std::string meta(const NodeId &id)
{
    // Every node carries a meta, so that views travel as deltas and must be rebuilt exactly.
    return R"({"node":")" + id + R"("})";
}

} // namespace

SimulatedCluster::SimulatedCluster(const Topology &topology)
    : topology_(topology)
{
}

bool SimulatedCluster::running(const NodeId &id) const
{
    return machines_.count(id) != 0 && down_.count(id) == 0;
}

bool SimulatedCluster::cutBetween(const NodeId &a, const NodeId &b) const
{
    for (const auto &side : sides_)
        if (side.count(a) != 0)
            return side.count(b) == 0;
    return false;
}

std::string SimulatedCluster::checkNode(const NodeId &id) const
{
    if (topology_.count(id) == 0)
        return "unknown node \"" + id + "\"";
    return {};
}

std::string SimulatedCluster::join(const NodeId &id)
{
    if (auto e = checkNode(id); !e.empty())
        return e;
    if (running(id))
        return "node " + id + " is running already";
    Config c;
    c.self = id;
    c.address = addressOf(id);
    c.incarnation = ++incarnations_;
    for (const auto &[other, node] : topology_)
        if (other != id)
            c.seeds.push_back(addressOf(other));
    std::set<GroupName> groups;
    for (const auto &i : topology_.at(id).interfaces)
        groups.insert(i.group());
    machines_[id] = std::make_unique<Machine>(c);
    down_.erase(id);
    peers_.erase(id);
    lastView_.erase(id);
    machines_[id]->start(now_, std::move(groups), meta(id));
    drain(id);
    return settle("join " + id);
}

std::string SimulatedCluster::fail(const NodeId &id)
{
    if (auto e = checkNode(id); !e.empty())
        return e;
    if (!running(id))
        return "node " + id + " is not running";
    machines_.at(id)->halt();
    down_.insert(id);
    closeConnections(id);
    return settle("fail " + id);
}

std::string SimulatedCluster::leave(const NodeId &id)
{
    if (auto e = checkNode(id); !e.empty())
        return e;
    if (!running(id))
        return "node " + id + " is not running";
    machines_.at(id)->leave(now_);
    drain(id);
    down_.insert(id);
    closeConnections(id); // after its goodbye, on the same connections
    return settle("leave " + id);
}

std::string SimulatedCluster::cut(const std::vector<std::set<NodeId>> &sides)
{
    std::set<NodeId> seen;
    for (const auto &side : sides) {
        if (side.empty())
            return "\"cut\": a side without nodes";
        for (const auto &id : side) {
            if (auto e = checkNode(id); !e.empty())
                return e;
            if (!seen.insert(id).second)
                return "\"cut\": node " + id + " is on two sides";
        }
    }
    for (const auto &[id, node] : topology_)
        if (seen.count(id) == 0)
            return "\"cut\": node " + id + " is on no side (list every node)";
    if (sides.size() < 2)
        return "\"cut\" needs two sides or more, split by |";
    sides_ = sides;
    return settle("cut");
}

std::string SimulatedCluster::heal()
{
    sides_.clear();
    return settle("heal");
}

void SimulatedCluster::wait(Ms ms)
{
    for (Ms i = 0; i < ms; ++i)
        step();
}

void SimulatedCluster::closeConnections(const NodeId &id)
{
    for (const auto &peer : peers_[id])
        if (running(peer))
            pending_.push_back({now_ + kLatencyMs, id, peer, std::nullopt});
    peers_.erase(id);
    for (auto &[other, set] : peers_)
        set.erase(id);
}

void SimulatedCluster::step()
{
    ++now_;
    // What is due, in the order it was sent.
    std::deque<Packet> due;
    std::deque<Packet> later;
    for (auto &p : pending_)
        (p.at <= now_ ? due : later).push_back(std::move(p));
    pending_ = std::move(later);
    for (auto &p : due) {
        if (!running(p.to) || cutBetween(p.from, p.to))
            continue;
        if (p.message)
            machines_.at(p.to)->receive(now_, *p.message);
        else
            machines_.at(p.to)->connectionLost(now_, addressOf(p.from));
        drain(p.to);
    }
    for (auto &[id, machine] : machines_) {
        if (!running(id))
            continue;
        machine->tick(now_);
        drain(id);
    }
}

void SimulatedCluster::drain(const NodeId &id)
{
    for (auto &out : machines_.at(id)->takeOutputs()) {
        if (auto *s = std::get_if<Send>(&out)) {
            const NodeId to = s->to.rfind("sim:", 0) == 0 ? s->to.substr(4) : s->to;
            if (topology_.count(to) == 0 || cutBetween(id, to))
                continue;
            if (!running(to)) {
                // Nothing listens there: the connection is refused at once.
                pending_.push_back({now_ + kLatencyMs, to, id, std::nullopt});
                continue;
            }
            auto decoded = decode(encode(s->message));
            if (!decoded) {
                if (fault_.empty())
                    fault_ = "a " + std::string(typeName(s->message.body)) + " from " + id +
                             " did not survive the wire form: " + decoded.error().message;
                continue;
            }
            peers_[id].insert(to);
            peers_[to].insert(id);
            pending_.push_back({now_ + kLatencyMs, id, to, std::move(decoded).value()});
        } else if (auto *iv = std::get_if<InstallView>(&out)) {
            // As the agent does: connections to the nodes the new view left out are dropped,
            // and what was queued for them with them.
            for (const auto &gone : lastView_[id].nodes) {
                if (iv->view.node(gone.id) != nullptr)
                    continue;
                pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                              [&](const Packet &p) {
                                                  return p.from == id && p.to == gone.id &&
                                                         p.message.has_value();
                                              }),
                               pending_.end());
            }
            lastView_[id] = iv->view;
        }
    }
}

bool SimulatedCluster::settled(std::vector<ViewId> &ids) const
{
    ids.clear();
    std::vector<std::set<NodeId>> sides = sides_;
    if (sides.empty()) {
        sides.emplace_back();
        for (const auto &[id, node] : topology_)
            sides.back().insert(id);
    }
    for (const auto &side : sides) {
        const ClusterView *agreed = nullptr;
        std::size_t live = 0;
        for (const auto &id : side) {
            if (!running(id))
                continue;
            ++live;
            const Machine &m = *machines_.at(id);
            if (m.role() != Role::Member && m.role() != Role::Coordinator)
                return false;
            if (agreed == nullptr)
                agreed = &m.view();
            else if (!(m.view() == *agreed))
                return false;
        }
        if (agreed == nullptr)
            continue;
        if (agreed->nodes.size() != live)
            return false;
        for (const auto &n : agreed->nodes)
            if (side.count(n.id) == 0 || !running(n.id))
                return false;
        ids.push_back(agreed->id);
    }
    return true;
}

std::string SimulatedCluster::settle(const std::string &what)
{
    const Ms deadline = now_ + kSettleMsMax;
    Ms since = -1;
    std::vector<ViewId> held;
    std::vector<ViewId> ids;
    while (now_ < deadline) {
        if (!fault_.empty())
            return what + ": " + fault_;
        if (settled(ids)) {
            if (since < 0 || ids != held) {
                since = now_;
                held = ids;
            } else if (now_ - since >= kQuietMs) {
                return {};
            }
        } else {
            since = -1;
        }
        step();
    }
    return what + ": the cluster did not settle within " + std::to_string(kSettleMsMax) +
           " simulated ms (" + describe() + ")";
}

std::string SimulatedCluster::describe() const
{
    std::string out;
    std::vector<NodeId> ids;
    for (const auto &[id, node] : topology_)
        ids.push_back(id);
    std::sort(ids.begin(), ids.end(), naturalLess);
    for (const auto &id : ids) {
        out += (out.empty() ? "" : "; ") + id + " ";
        if (!running(id)) {
            out += machines_.count(id) != 0 ? "down" : "not started";
            continue;
        }
        const Machine &m = *machines_.at(id);
        out += std::string(toString(m.role())) + " view " + m.view().id.toString() + " [";
        for (const auto &n : m.view().nodes)
            out += (n.id == m.view().nodes.front().id ? "" : " ") + n.id;
        out += "]";
    }
    return out;
}

std::vector<SimulatedCluster::HeldView> SimulatedCluster::views() const
{
    std::vector<NodeId> ids;
    for (const auto &[id, m] : machines_)
        if (running(id) && (m->role() == Role::Member || m->role() == Role::Coordinator))
            ids.push_back(id);
    std::sort(ids.begin(), ids.end(), naturalLess);
    std::vector<HeldView> out;
    for (const auto &id : ids) {
        const ClusterView &v = machines_.at(id)->view();
        auto it =
            std::find_if(out.begin(), out.end(), [&](const HeldView &h) { return h.view == v; });
        if (it == out.end())
            out.push_back({{id}, v});
        else
            it->holders.push_back(id);
    }
    return out;
}

} // namespace dmr::gms
