#include "dmr/membership.h"

#include "dmr/election.h"

#include <algorithm>

namespace dmr::gms {

std::string ViewId::toString() const
{
    return std::to_string(epoch) + "." + std::to_string(counter);
}

const NodeInfo *ClusterView::node(const NodeId &nodeId) const
{
    auto it =
        std::find_if(nodes.begin(), nodes.end(), [&](const NodeInfo &n) { return n.id == nodeId; });
    return it == nodes.end() ? nullptr : &*it;
}

std::set<GroupName> ClusterView::groupsOf(const NodeId &nodeId) const
{
    std::set<GroupName> out;
    for (const auto &[name, view] : groups.networks)
        if (view.contains(nodeId))
            out.insert(name);
    return out;
}

bool outranks(const Standing &a, const Standing &b)
{
    if (a.established != b.established)
        return a.established;
    return std::pair(a.coordinatorSeq, a.coordinator) < std::pair(b.coordinatorSeq, b.coordinator);
}

std::string_view toString(Role role)
{
    switch (role) {
    case Role::Stopped:
        return "stopped";
    case Role::Joining:
        return "joining";
    case Role::Member:
        return "member";
    case Role::Coordinator:
        return "coordinator";
    }
    return "?";
}

namespace {

void eraseMember(std::vector<Member> &members, const NodeId &id)
{
    members.erase(std::remove_if(members.begin(), members.end(),
                                 [&](const Member &m) { return m.node == id; }),
                  members.end());
}

// Removes a node from the view's node list and from every group.
void dropNode(ClusterView &v, const NodeId &id)
{
    v.nodes.erase(std::remove_if(v.nodes.begin(), v.nodes.end(),
                                 [&](const NodeInfo &n) { return n.id == id; }),
                  v.nodes.end());
    for (auto &[name, view] : v.groups.networks)
        eraseMember(view.members, id);
    eraseMember(v.groups.glGroup.members, id);
}

// Drops empty network groups and lets the GL_group follow the leaders: a leader joins the group
// of group leaders while it leads a network and leaves it when it leads none.
void settle(ClusterView &v)
{
    for (auto it = v.groups.networks.begin(); it != v.groups.networks.end();) {
        if (it->second.members.empty())
            it = v.groups.networks.erase(it);
        else
            ++it;
    }
    const GlChanges changes = glChanges(v.groups);
    for (const NodeId &id : changes.leave)
        eraseMember(v.groups.glGroup.members, id);
    for (const NodeId &id : changes.join)
        v.groups.glGroup.members.push_back(Member{id, v.nextSeq++});
}

// Sets a node's network groups to `wanted`: leaves the others, joins the missing ones at the end.
bool setNodeGroups(ClusterView &v, const NodeId &id, const std::set<GroupName> &wanted)
{
    bool changed = false;
    for (auto &[name, view] : v.groups.networks) {
        if (wanted.count(name) == 0 && view.contains(id)) {
            eraseMember(view.members, id);
            changed = true;
        }
    }
    for (const GroupName &g : wanted) {
        View &view = v.groups.networks[g];
        view.group = g;
        if (!view.contains(id)) {
            view.members.push_back(Member{id, v.nextSeq++});
            changed = true;
        }
    }
    return changed;
}

bool setMeta(ClusterView &v, const NodeId &id, const std::string &meta)
{
    for (NodeInfo &n : v.nodes) {
        if (n.id == id && n.meta != meta) {
            n.meta = meta;
            return true;
        }
    }
    return false;
}

} // namespace

Machine::Machine(Config config)
    : config_(std::move(config))
{
}

Standing Machine::standing() const
{
    const NodeInfo *me = view_.coordinator();
    return Standing{sharedAView_, me != nullptr ? me->seq : 0, config_.self};
}

Discover Machine::discover() const
{
    const Standing s = standing();
    return Discover{s.coordinatorSeq, config_.address, s.established};
}

Envelope Machine::envelope(Body body) const
{
    return Envelope{config_.self, config_.address, view_.id, std::move(body)};
}

void Machine::send(const std::string &to, Body body)
{
    if (to.empty() || to == config_.address)
        return;
    outputs_.emplace_back(Send{to, envelope(std::move(body))});
}

void Machine::note(std::string text)
{
    outputs_.emplace_back(Note{std::move(text)});
}

std::vector<Output> Machine::takeOutputs()
{
    std::vector<Output> out;
    out.swap(outputs_);
    return out;
}

std::optional<Ms> Machine::nextDeadline() const
{
    std::optional<Ms> at;
    auto consider = [&at](Ms t) { at = at ? std::min(*at, t) : t; };
    // tick() fails a peer when now - lastHeard > failureTimeoutMs(): one millisecond past it.
    auto silentAt = [this](Ms heard) { return heard + config_.failureTimeoutMs() + 1; };
    switch (role_) {
    case Role::Stopped:
        return std::nullopt;
    case Role::Joining:
        if (joinTarget_.empty())
            consider(joinStarted_ + config_.bootstrapMs);
        consider(lastJoinSent_ + config_.joinRetryMs);
        return std::max(*at, rejoinNotBefore_);
    case Role::Member: {
        const NodeInfo *coordinator = view_.coordinator();
        if (!suspects_.empty())
            return successorDeadline_;
        consider(lastHeartbeatSent_ + config_.heartbeatMs);
        auto heard = lastHeard_.find(coordinator->id);
        consider(silentAt(heard == lastHeard_.end() ? 0 : heard->second));
        const NodeInfo *me = view_.node(config_.self);
        if (view_.groupsOf(config_.self) != wanted_ || me == nullptr || me->meta != meta_)
            consider(lastRequestSent_ + config_.heartbeatMs);
        return at;
    }
    case Role::Coordinator: {
        consider(lastHeartbeatSent_ + config_.heartbeatMs);
        for (const NodeInfo &n : view_.nodes) {
            if (n.id == config_.self)
                continue;
            if (auto heard = lastHeard_.find(n.id); heard != lastHeard_.end())
                consider(silentAt(heard->second));
        }
        for (const auto &seed : config_.seeds) {
            const bool inView = std::any_of(view_.nodes.begin(), view_.nodes.end(),
                                            [&](const NodeInfo &n) { return n.address == seed; });
            if (!inView) {
                consider(lastDiscover_ + config_.discoverMs);
                break;
            }
        }
        // Its own groups or meta changed while it was not coordinator: the next tick installs
        // them, so that tick is due now.
        const NodeInfo *me = view_.node(config_.self);
        if (view_.groupsOf(config_.self) != wanted_ || (me != nullptr && me->meta != meta_))
            consider(lastTick_);
        return at;
    }
    }
    return at;
}

void Machine::start(Ms now, std::set<GroupName> groups, std::string meta)
{
    wanted_ = std::move(groups);
    meta_ = std::move(meta);
    role_ = Role::Joining;
    joinStarted_ = now;
    lastJoinSent_ = now - config_.joinRetryMs;
    rejoinNotBefore_ = now;
    rejoinBackoff_ = config_.rejoinBackoffMs;
    joinTarget_.clear();
    joiningTick(now);
}

void Machine::setGroups(Ms now, std::set<GroupName> groups, std::string meta)
{
    wanted_ = std::move(groups);
    meta_ = std::move(meta);
    if (isCoordinator()) {
        ClusterView next = view_;
        const bool changed =
            setNodeGroups(next, config_.self, wanted_) | setMeta(next, config_.self, meta_);
        if (changed)
            installNext(now, std::move(next), false);
    } else if (role_ == Role::Member) {
        lastRequestSent_ = now;
        send(view_.coordinator()->address, GroupsRequest{wanted_, meta_});
    }
}

void Machine::leave(Ms now)
{
    if (isCoordinator()) {
        // Hand over: a view without this node makes the next oldest coordinator.
        ClusterView next = view_;
        dropNode(next, config_.self);
        if (!next.nodes.empty())
            installNext(now, std::move(next), false, {Departure{config_.self, "left", 0, now}});
    } else if (role_ == Role::Member) {
        send(view_.coordinator()->address, LeaveMessage{});
    }
    role_ = Role::Stopped;
}

void Machine::halt()
{
    role_ = Role::Stopped;
}

void Machine::tick(Ms now)
{
    if (lastTick_ != 0 && now - lastTick_ > config_.failureTimeoutMs() / 2 &&
        (role_ == Role::Member || role_ == Role::Coordinator)) {
        note("this process stalled for " + std::to_string(now - lastTick_) +
             " ms; not counting that silence against anyone");
        for (auto &[id, heard] : lastHeard_)
            heard = std::max(heard, now);
        if (successorDeadline_ != 0)
            successorDeadline_ = std::max(successorDeadline_, now + config_.failureTimeoutMs());
    }
    lastTick_ = now;
    switch (role_) {
    case Role::Stopped:
        return;
    case Role::Joining:
        joiningTick(now);
        return;
    case Role::Member:
        memberTick(now);
        return;
    case Role::Coordinator:
        coordinatorTick(now);
        return;
    }
}

void Machine::receive(Ms now, const Envelope &m)
{
    if (m.from == config_.self)
        return;
    highestSeen_ = std::max(highestSeen_, m.viewId);
    switch (role_) {
    case Role::Stopped:
        return;
    case Role::Joining:
        if (const auto *v = std::get_if<ViewMessage>(&m.body)) {
            if (auto full = resolve(*v, m.fromAddress))
                adopt(now, *full);
        } else if (const auto *r = std::get_if<Redirect>(&m.body)) {
            joinTarget_ = r->coordinatorAddress;
            lastJoinSent_ = now;
            send(joinTarget_, JoinRequest{wanted_, config_.incarnation, meta_});
        }
        return;
    case Role::Member:
        memberReceive(now, m);
        return;
    case Role::Coordinator:
        coordinatorReceive(now, m);
        return;
    }
}

void Machine::connectionLost(Ms now, const std::string &address)
{
    if (role_ == Role::Joining && address == joinTarget_) {
        joinTarget_.clear();
        return;
    }
    if (role_ == Role::Member && view_.coordinator() != nullptr &&
        view_.coordinator()->address == address) {
        suspectCoordinator(now, "connection to coordinator " + view_.coordinator()->id + " lost");
        return;
    }
    if (role_ == Role::Member && !suspects_.empty()) {
        // The expected successor's connection closing proves it dead too.
        for (const NodeInfo &n : view_.nodes) {
            if (n.address == address && suspects_.insert(n.id).second) {
                successorDeadline_ = now;
                memberTick(now);
                return;
            }
        }
    }
    if (isCoordinator()) {
        for (const NodeInfo &n : view_.nodes) {
            if (n.address == address && n.id != config_.self) {
                removeNodes(now, {n.id}, "connection-lost");
                return;
            }
        }
    }
}

// ---- Joining ------------------------------------------------------------------------------

void Machine::joiningTick(Ms now)
{
    if (now < rejoinNotBefore_)
        return;
    if (joinTarget_.empty() && now - joinStarted_ >= config_.bootstrapMs) {
        // Nobody answered: start a cluster of one. If a cluster does exist, the coordinators
        // will meet through Discover and merge.
        ClusterView alone;
        alone.nextSeq = std::max<std::uint64_t>(view_.nextSeq, 1);
        alone.groups = Membership{};
        admit(alone, NodeInfo{config_.self, 0, config_.address, config_.incarnation, meta_},
              wanted_);
        becomeCoordinator(now, std::move(alone), "no answer from any seed, forming a cluster");
        return;
    }
    if (now - lastJoinSent_ < config_.joinRetryMs)
        return;
    lastJoinSent_ = now;
    if (!joinTarget_.empty()) {
        send(joinTarget_, JoinRequest{wanted_, config_.incarnation, meta_});
        return;
    }
    for (const auto &seed : config_.seeds)
        send(seed, JoinRequest{wanted_, config_.incarnation, meta_});
}

// ---- Coordinator --------------------------------------------------------------------------

void Machine::admit(ClusterView &v, const NodeInfo &node, const std::set<GroupName> &groups)
{
    NodeInfo n = node;
    n.seq = v.nextSeq++;
    v.nodes.push_back(n);
    setNodeGroups(v, n.id, groups);
}

void Machine::becomeCoordinator(Ms now, ClusterView base, const std::string &why)
{
    std::vector<Departure> departed;
    for (const NodeId &id : suspects_) {
        if (base.node(id) == nullptr)
            continue;
        auto heard = lastHeard_.find(id);
        departed.push_back(Departure{
            id, why.find("connection") != std::string::npos ? "connection-lost" : "silent",
            heard == lastHeard_.end() ? 0 : now - heard->second, now});
        dropNode(base, id);
    }
    suspects_.clear();
    // This node must be first: every node before it is gone.
    while (!base.nodes.empty() && base.nodes.front().id != config_.self)
        dropNode(base, base.nodes.front().id);
    role_ = Role::Coordinator;
    note("coordinator now (" + why + ")");
    lastHeard_.clear();
    for (const NodeInfo &n : base.nodes)
        lastHeard_[n.id] = now;
    lastHeartbeatSent_ = now - config_.heartbeatMs;
    installNext(now, std::move(base), true, std::move(departed));
}

void Machine::installNext(Ms now, ClusterView next, bool newEpoch, std::vector<Departure> departed)
{
    settle(next);
    next.departed = std::move(departed);
    const ClusterView previous = view_;
    const ViewId top = std::max(highestSeen_, view_.id);
    next.id = newEpoch ? ViewId{top.epoch + 1, 0} : ViewId{view_.id.epoch, view_.id.counter + 1};
    if (next.id <= top)
        next.id = ViewId{top.epoch + 1, 0};
    view_ = std::move(next);
    highestSeen_ = view_.id;
    sharedAView_ = sharedAView_ || view_.nodes.size() > 1;
    for (const NodeInfo &n : view_.nodes)
        lastHeard_.try_emplace(n.id, now);
    for (auto it = lastHeard_.begin(); it != lastHeard_.end();) {
        if (view_.node(it->first) == nullptr)
            it = lastHeard_.erase(it);
        else
            ++it;
    }
    outputs_.emplace_back(InstallView{view_});
    // Members that hold the previous view (this coordinator sent it to them, in order, on the
    // same connection) get a delta; the others the whole view.
    const bool deltaPossible = !newEpoch && previous.coordinator() != nullptr &&
                               previous.coordinator()->id == config_.self;
    ViewMessage full{view_, std::nullopt, {}};
    ViewMessage delta{view_, previous.id, {}};
    if (deltaPossible) {
        for (NodeInfo &n : delta.view.nodes) {
            const NodeInfo *before = previous.node(n.id);
            if (before != nullptr && before->meta == n.meta && !n.meta.empty()) {
                delta.metaUnchanged.push_back(n.id);
                n.meta.clear();
            }
        }
    }
    for (const NodeInfo &n : view_.nodes) {
        if (n.id == config_.self)
            continue;
        const bool held = deltaPossible && previous.node(n.id) != nullptr;
        send(n.address, held ? delta : full);
    }
    // If this node is no longer first (a graceful hand-over), it is a member from now on.
    if (view_.coordinator() != nullptr && view_.coordinator()->id != config_.self)
        role_ = view_.node(config_.self) != nullptr ? Role::Member : Role::Stopped;
}

void Machine::removeNodes(Ms now, const std::set<NodeId> &ids, const std::string &cause)
{
    ClusterView next = view_;
    std::vector<Departure> departed;
    std::string names;
    for (const NodeId &id : ids) {
        dropNode(next, id);
        auto heard = lastHeard_.find(id);
        departed.push_back(
            Departure{id, cause, heard == lastHeard_.end() ? 0 : now - heard->second, now});
        names += (names.empty() ? "" : ",") + id;
    }
    note("removing " + names + " (" + cause + ")");
    installNext(now, std::move(next), false, std::move(departed));
}

void Machine::coordinatorReceive(Ms now, const Envelope &m)
{
    const NodeInfo *sender = view_.node(m.from);
    if (std::holds_alternative<Resync>(m.body)) {
        send(m.fromAddress, ViewMessage{view_, std::nullopt, {}});
        return;
    }
    if (const auto *j = std::get_if<JoinRequest>(&m.body)) {
        if (sender != nullptr && sender->incarnation == j->incarnation) {
            lastHeard_[m.from] = now;
            send(m.fromAddress,
                 ViewMessage{view_, std::nullopt, {}}); // a retry: the view may still be in flight
            return;
        }
        ClusterView next = view_;
        if (sender != nullptr) {
            note("node " + m.from + " restarted: back to the end of every list");
            dropNode(next, m.from);
        } else {
            note("admitting node " + m.from);
        }
        admit(next, NodeInfo{m.from, 0, m.fromAddress, j->incarnation, j->meta}, j->groups);
        installNext(now, std::move(next), false);
        lastHeard_[m.from] = now;
        return;
    }
    if (const auto *d = std::get_if<Discover>(&m.body)) {
        if (sender != nullptr) {
            send(m.fromAddress, ViewMessage{view_, std::nullopt, {}});
            return;
        }
        // The merge rule (membership.h): the side that outranks the other keeps its order. The
        // other coordinator gets this side's standing back, compares the same way, and sends
        // its view to merge.
        const Standing theirs{d->established, d->coordinatorSeq, m.from};
        if (outranks(standing(), theirs))
            send(d->coordinatorAddress, discover());
        else
            send(d->coordinatorAddress, MergeRequest{view_, sharedAView_});
        return;
    }
    if (const auto *mr = std::get_if<MergeRequest>(&m.body)) {
        if (sender != nullptr || mr->view.coordinator() == nullptr)
            return;
        // The sender judged from a Discover sent some time ago; the rule is checked again with
        // the view it hands over. Should it rightly win, it gets this side's view instead.
        const NodeInfo &theirs = *mr->view.coordinator();
        if (outranks(Standing{mr->established, theirs.seq, theirs.id}, standing())) {
            note("not merging the partition of " + theirs.id + ": it outranks this one");
            send(m.fromAddress, MergeRequest{view_, sharedAView_});
            return;
        }
        merge(now, mr->view);
        return;
    }
    if (const auto *v = std::get_if<ViewMessage>(&m.body)) {
        // Another coordinator's newer view: this node was superseded (its members chose a
        // successor) or lost a merge. Follow it, or rejoin if it left this node out.
        if (v->view.id > view_.id && legitimate(v->view)) {
            const auto full = resolve(*v, m.fromAddress);
            if (!full)
                return;
            if (full->node(config_.self) != nullptr) {
                note("following the newer view " + full->id.toString() + " of " +
                     full->coordinator()->id);
                role_ = Role::Member;
                adopt(now, *full);
            } else {
                expelled(now, "view " + full->id.toString() + " leaves this node out",
                         full->coordinator() != nullptr ? full->coordinator()->address : "");
            }
        }
        return;
    }
    if (sender == nullptr) {
        // Heartbeats, group requests, goodbyes from a node outside the view: it was removed.
        if (!std::holds_alternative<NotMember>(m.body) &&
            !std::holds_alternative<LeaveMessage>(m.body))
            send(m.fromAddress, NotMember{});
        return;
    }
    lastHeard_[m.from] = now;
    if (const auto *g = std::get_if<GroupsRequest>(&m.body)) {
        ClusterView next = view_;
        const bool changed =
            setNodeGroups(next, m.from, g->groups) | setMeta(next, m.from, g->meta);
        if (changed)
            installNext(now, std::move(next), false);
        return;
    }
    if (std::holds_alternative<LeaveMessage>(m.body)) {
        removeNodes(now, {m.from}, "left");
        return;
    }
    if (std::holds_alternative<NotMember>(m.body))
        return; // a member that does not count this node; its view, if newer, follows
}

void Machine::merge(Ms now, const ClusterView &other)
{
    ClusterView next = view_;
    next.nextSeq = std::max(next.nextSeq, other.nextSeq);
    std::string joined;
    for (const NodeInfo &n : other.nodes) {
        if (next.node(n.id) != nullptr)
            continue;
        next.nodes.push_back(NodeInfo{n.id, next.nextSeq++, n.address, n.incarnation, n.meta});
        lastHeard_[n.id] = now;
        joined += (joined.empty() ? "" : ",") + n.id;
    }
    for (const auto &[name, view] : other.groups.networks) {
        View &mine = next.groups.networks[name];
        mine.group = name;
        for (const Member &m : view.members)
            if (!mine.contains(m.node))
                mine.members.push_back(Member{m.node, next.nextSeq++});
    }
    highestSeen_ = std::max(highestSeen_, other.id);
    note("merging the partition of " +
         (other.coordinator() != nullptr ? other.coordinator()->id : std::string("?")) + ": " +
         joined + " follow in their own order");
    installNext(now, std::move(next), true);
}

void Machine::coordinatorTick(Ms now)
{
    if (now - lastHeartbeatSent_ >= config_.heartbeatMs) {
        lastHeartbeatSent_ = now;
        for (const NodeInfo &n : view_.nodes)
            if (n.id != config_.self)
                send(n.address, Heartbeat{});
    }
    std::set<NodeId> silent;
    for (const NodeInfo &n : view_.nodes) {
        if (n.id == config_.self)
            continue;
        auto it = lastHeard_.find(n.id);
        if (it != lastHeard_.end() && now - it->second > config_.failureTimeoutMs())
            silent.insert(n.id);
    }
    if (!silent.empty())
        removeNodes(now, silent, "silent");
    if (now - lastDiscover_ >= config_.discoverMs) {
        lastDiscover_ = now;
        for (const auto &seed : config_.seeds) {
            const bool inView = std::any_of(view_.nodes.begin(), view_.nodes.end(),
                                            [&](const NodeInfo &n) { return n.address == seed; });
            if (!inView)
                send(seed, discover());
        }
    }
    ClusterView next = view_;
    if (setNodeGroups(next, config_.self, wanted_) | setMeta(next, config_.self, meta_))
        installNext(now, std::move(next), false);
}

// ---- Member -------------------------------------------------------------------------------

bool Machine::legitimate(const ClusterView &v) const
{
    // A newer view counts if it keeps this node's coordinator (its own next view, or a merge it
    // joined), or if its coordinator is this node's rightful successor coordinator: every node
    // before it in this node's view is gone from it. Anything else is a view from the other
    // side of a partition, delivered late (TCP holds it until the link comes back): the heal
    // goes through Discover and the merge rule instead.
    const NodeInfo *coordinator = view_.coordinator();
    if (coordinator == nullptr || v.node(coordinator->id) != nullptr)
        return true;
    const NodeInfo *next = v.coordinator();
    if (next == nullptr || view_.node(next->id) == nullptr)
        return false;
    for (const NodeInfo &n : view_.nodes) {
        if (n.id == next->id)
            return true;
        if (v.node(n.id) != nullptr)
            return false;
    }
    return false;
}

std::optional<ClusterView> Machine::resolve(const ViewMessage &m, const std::string &from)
{
    if (!m.metaBase)
        return m.view;
    if (view_.id != *m.metaBase) {
        if (m.view.id > view_.id) {
            note("view " + m.view.id.toString() + " is a delta on " + m.metaBase->toString() +
                 ", which this node does not hold; asking for the whole view");
            send(from, Resync{});
        }
        return std::nullopt;
    }
    ClusterView v = m.view;
    for (const NodeId &id : m.metaUnchanged) {
        const NodeInfo *before = view_.node(id);
        auto it = std::find_if(v.nodes.begin(), v.nodes.end(),
                               [&](const NodeInfo &n) { return n.id == id; });
        if (before == nullptr || it == v.nodes.end()) {
            send(from, Resync{});
            return std::nullopt;
        }
        it->meta = before->meta;
    }
    return v;
}

void Machine::adopt(Ms now, const ClusterView &v)
{
    if (v.id <= view_.id)
        return;
    if (v.node(config_.self) == nullptr) {
        if (role_ == Role::Member)
            expelled(now, "view " + v.id.toString() + " leaves this node out",
                     v.coordinator() != nullptr ? v.coordinator()->address : "");
        return;
    }
    view_ = v;
    highestSeen_ = std::max(highestSeen_, v.id);
    sharedAView_ = sharedAView_ || view_.nodes.size() > 1;
    suspects_.clear();
    successorDeadline_ = 0;
    outputs_.emplace_back(InstallView{view_});
    if (view_.coordinator()->id == config_.self) {
        role_ = Role::Coordinator;
        note("coordinator now (the view " + v.id.toString() + " puts this node first)");
        lastHeard_.clear();
        for (const NodeInfo &n : view_.nodes)
            lastHeard_[n.id] = now;
        return;
    }
    role_ = Role::Member;
    lastHeard_.clear();
    lastHeard_[view_.coordinator()->id] = now;
}

void Machine::memberReceive(Ms now, const Envelope &m)
{
    const NodeInfo *coordinator = view_.coordinator();
    if (const auto *v = std::get_if<ViewMessage>(&m.body)) {
        if (!legitimate(v->view))
            return;
        if (auto full = resolve(*v, m.fromAddress))
            adopt(now, *full);
        return;
    }
    if (std::holds_alternative<Heartbeat>(m.body)) {
        if (m.from == coordinator->id) {
            lastHeard_[m.from] = now;
            if (suspects_.count(m.from) != 0) {
                // It is alive and still counts this node: the silence was this node's or its
                // link's, not the coordinator's. Left standing, the suspicion would stop this
                // node's heartbeats (the coordinator then removes it) and walk down the list
                // suspecting successors that have no reason to take over, one failure timeout
                // each. If a successor did take over meanwhile, its view still comes, and is
                // followed as before.
                note("coordinator " + m.from + " is alive after all: suspicion withdrawn");
                suspects_.clear();
                successorDeadline_ = 0;
            }
        } else if (view_.node(m.from) == nullptr) {
            // A coordinator this view left out (it was stalled or cut off): show it the view;
            // if that view rightfully replaced its own, it rejoins.
            send(m.fromAddress, ViewMessage{view_, std::nullopt, {}});
        }
        return;
    }
    if (std::holds_alternative<NotMember>(m.body)) {
        if (m.from == coordinator->id)
            expelled(now, "coordinator " + m.from + " does not count this node", m.fromAddress);
        return;
    }
    if (std::holds_alternative<JoinRequest>(m.body) ||
        std::holds_alternative<GroupsRequest>(m.body)) {
        send(m.fromAddress, Redirect{coordinator->address});
        return;
    }
    if (std::holds_alternative<Discover>(m.body) || std::holds_alternative<MergeRequest>(m.body)) {
        // For the coordinator to answer; forwarded as it came.
        if (!suspects_.empty())
            return;
        outputs_.emplace_back(Send{coordinator->address, m});
        return;
    }
}

void Machine::memberTick(Ms now)
{
    const NodeInfo *coordinator = view_.coordinator();
    if (suspects_.empty()) {
        if (now - lastHeartbeatSent_ >= config_.heartbeatMs) {
            lastHeartbeatSent_ = now;
            send(coordinator->address, Heartbeat{});
        }
        if (now - lastHeard_[coordinator->id] > config_.failureTimeoutMs()) {
            suspectCoordinator(now, "coordinator " + coordinator->id + " silent for more than " +
                                        std::to_string(config_.failureTimeoutMs()) + " ms");
            return;
        }
        const NodeInfo *me = view_.node(config_.self);
        const bool differs =
            view_.groupsOf(config_.self) != wanted_ || me == nullptr || me->meta != meta_;
        if (differs && now - lastRequestSent_ >= config_.heartbeatMs) {
            lastRequestSent_ = now;
            send(coordinator->address, GroupsRequest{wanted_, meta_});
        }
        return;
    }
    if (now < successorDeadline_)
        return;
    // The expected successor did not take over in time: suspect it too.
    for (const NodeInfo &n : view_.nodes) {
        if (suspects_.count(n.id) == 0) {
            if (n.id == config_.self)
                break;
            suspects_.insert(n.id);
            note("successor " + n.id + " did not take over; suspecting it too");
            break;
        }
    }
    suspectCoordinator(now, "successor timeout");
}

void Machine::suspectCoordinator(Ms now, const std::string &why)
{
    suspects_.insert(view_.coordinator()->id);
    note(why);
    for (const NodeInfo &n : view_.nodes) {
        if (suspects_.count(n.id) != 0)
            continue;
        if (n.id == config_.self) {
            becomeCoordinator(now, view_, "succeeding: " + why);
        } else {
            successorDeadline_ = now + config_.failureTimeoutMs();
        }
        return;
    }
}

void Machine::expelled(Ms now, const std::string &why, const std::string &coordinatorAddress)
{
    if (now - lastExpelled_ > 60'000)
        rejoinBackoff_ = config_.rejoinBackoffMs; // calm for a minute: past flaps are forgiven
    lastExpelled_ = now;
    note("expelled: " + why + "; rejoining at the end of every list in " +
         std::to_string(rejoinBackoff_) + " ms");
    joinTarget_ = coordinatorAddress == config_.address ? std::string() : coordinatorAddress;
    role_ = Role::Joining;
    suspects_.clear();
    rejoinNotBefore_ = now + rejoinBackoff_;
    rejoinBackoff_ = std::min(rejoinBackoff_ * 2, config_.rejoinBackoffMaxMs);
    joinStarted_ = rejoinNotBefore_;
    lastJoinSent_ = rejoinNotBefore_ - config_.joinRetryMs;
}

} // namespace dmr::gms
