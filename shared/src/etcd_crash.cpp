#include "dmr/etcd_crash.h"

#include "dmr/election.h"

#include <algorithm>

namespace dmr::etcd {

namespace {

// Self's part of the plan, as far as a node's failure can change it.
struct Part
{
    std::vector<GroupName> leads;
    std::optional<NodeId> root; // the system leader, while self leads a network
    std::vector<NodeId> leaves; // the other leaders, while self is the system leader
    bool operator==(const Part &) const = default;
};

Part partOf(const Election &e, const NodeId &self)
{
    Part p;
    p.leads = e.groupsLedBy(self);
    if (p.leads.empty())
        return p;
    p.root = e.systemLeader;
    if (e.systemLeader == self)
        for (const auto &n : e.glOrder)
            if (n != self)
                p.leaves.push_back(n);
    return p;
}

Membership without(Membership m, const NodeId &node)
{
    const auto drop = [&](View &v) {
        std::erase_if(v.members, [&](const Member &member) { return member.node == node; });
    };
    for (auto &[group, view] : m.networks)
        drop(view);
    drop(m.glGroup);
    return m;
}

} // namespace

std::set<NodeId> watchedNodes(const gms::ClusterView &view, const NodeId &self)
{
    std::set<NodeId> out;
    if (view.node(self) == nullptr)
        return out;
    const Election now = elect(view.groups);
    const Part mine = partOf(now, self);
    // Only a leader's failure changes any plan: the others lead nothing, so taking them out of
    // their groups changes no group's first member and no GL_group.
    std::set<NodeId> leaders;
    for (const auto &[group, leader] : now.groupLeaders)
        leaders.insert(leader);
    for (const auto &leader : leaders) {
        if (leader == self || view.node(leader) == nullptr)
            continue;
        if (partOf(elect(without(view.groups, leader)), self) != mine)
            out.insert(leader);
    }
    // The ring: the node after self, so that a crash of any node is seen at once.
    const auto &nodes = view.nodes;
    for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].id == self && nodes.size() > 1) {
            out.insert(nodes[(i + 1) % nodes.size()].id);
            break;
        }
    return out;
}

std::map<NodeId, WatchTarget> watchTargets(const KeySpace &keys, const gms::ClusterView &view,
                                           const NodeId &self)
{
    std::map<NodeId, WatchTarget> out;
    for (const auto &node : watchedNodes(view, self)) {
        const auto *info = view.node(node);
        const auto kv = keys.kvs().find(nodeKey(keys.prefix(), node));
        if (info == nullptr || kv == keys.kvs().end() || kv->second.lease == 0)
            continue;
        out[node] = WatchTarget{info->address, kv->second.lease};
    }
    return out;
}

std::vector<std::string> keysOnLease(const KeySpace &keys, const NodeId &node, std::int64_t lease)
{
    std::vector<std::string> out;
    if (lease == 0)
        return out;
    for (const auto &[key, kv] : keys.kvs()) {
        auto parsed = parseKey(keys.prefix(), key);
        if (parsed && parsed->node == node && parsed->kind != ParsedKey::Kind::Down &&
            kv.lease == lease)
            out.push_back(key);
    }
    return out;
}

std::string_view toString(LinkEnd end)
{
    switch (end) {
    case LinkEnd::Closed:
        return "closed by the peer";
    case LinkEnd::Refused:
        return "refused";
    case LinkEnd::TimedOut:
        return "timed out";
    case LinkEnd::Failed:
        return "failed";
    }
    return "?";
}

std::string_view toString(ProbeResult result)
{
    switch (result) {
    case ProbeResult::Refused:
        return "refused";
    case ProbeResult::Accepted:
        return "accepted";
    case ProbeResult::Failed:
        return "failed";
    }
    return "?";
}

CrashWatch::Entry *CrashWatch::find(LinkId link, NodeId *node)
{
    for (auto &[id, e] : entries_)
        if (e.link == link && link != 0) {
            if (node != nullptr)
                *node = id;
            return &e;
        }
    return nullptr;
}

CrashWatch::Open CrashWatch::open(const NodeId &node, Entry &e)
{
    e.link = nextLink_++;
    e.state = State::Dialling;
    return Open{e.link, node, e.target.address};
}

std::vector<CrashWatch::Action> CrashWatch::setTargets(const std::map<NodeId, WatchTarget> &targets,
                                                       gms::Ms nowMs)
{
    (void)nowMs;
    std::vector<Action> out;
    for (auto it = entries_.begin(); it != entries_.end();) {
        const auto t = targets.find(it->first);
        if (t != targets.end() && t->second == it->second.target) {
            ++it;
            continue;
        }
        if (it->second.link != 0 && it->second.state != State::Revoked)
            out.emplace_back(Close{it->second.link});
        it = entries_.erase(it);
    }
    for (const auto &[node, target] : targets) {
        if (target.lease == 0 || target.address.empty() || entries_.count(node) != 0)
            continue;
        Entry &e = entries_[node];
        e.target = target;
        out.emplace_back(open(node, e));
    }
    return out;
}

std::vector<CrashWatch::Action> CrashWatch::linkUp(LinkId link, gms::Ms nowMs)
{
    (void)nowMs;
    if (Entry *e = find(link); e != nullptr && e->state == State::Dialling)
        e->state = State::Up;
    return {};
}

std::vector<CrashWatch::Action> CrashWatch::linkEnded(LinkId link, LinkEnd how, gms::Ms nowMs)
{
    Entry *e = find(link);
    if (e == nullptr || e->state == State::Revoked || e->state == State::Waiting ||
        e->state == State::Probing)
        return {};
    if (e->state == State::Up && how == LinkEnd::Closed) {
        // Step 2: the peer's host closed an authenticated link. Is anything still listening?
        e->state = State::Probing;
        return {Probe{link, e->target.address}};
    }
    // A link that never came up, or one that timed out or failed otherwise, proves nothing.
    e->state = State::Waiting;
    e->retryAtMs = nowMs + retryMs_;
    return {};
}

std::vector<CrashWatch::Action> CrashWatch::probed(LinkId link, ProbeResult result, gms::Ms nowMs)
{
    NodeId node;
    Entry *e = find(link, &node);
    if (e == nullptr || e->state != State::Probing)
        return {};
    if (result == ProbeResult::Refused) {
        e->state = State::Revoked;
        ++revokes_;
        return {Revoke{node, e->target.lease,
                       "its link to " + e->target.address +
                           " was closed by its host and a new connection was refused"}};
    }
    if (result == ProbeResult::Accepted)
        return {open(node, *e)}; // it lives: link again at once
    e->state = State::Waiting;
    e->retryAtMs = nowMs + retryMs_;
    return {};
}

std::vector<CrashWatch::Action> CrashWatch::tick(gms::Ms nowMs)
{
    std::vector<Action> out;
    for (auto &[node, e] : entries_)
        if (e.state == State::Waiting && e.retryAtMs <= nowMs)
            out.emplace_back(open(node, e));
    return out;
}

std::vector<CrashWatch::Action> CrashWatch::clear()
{
    std::vector<Action> out;
    for (auto &[node, e] : entries_)
        if (e.link != 0 && e.state != State::Revoked)
            out.emplace_back(Close{e.link});
    entries_.clear();
    return out;
}

std::optional<gms::Ms> CrashWatch::nextRetryAtMs() const
{
    std::optional<gms::Ms> at;
    for (const auto &[node, e] : entries_)
        if (e.state == State::Waiting && (!at || e.retryAtMs < *at))
            at = e.retryAtMs;
    return at;
}

std::size_t CrashWatch::linksUp() const
{
    return static_cast<std::size_t>(
        std::count_if(entries_.begin(), entries_.end(),
                      [](const auto &kv) { return kv.second.state == State::Up; }));
}

} // namespace dmr::etcd
