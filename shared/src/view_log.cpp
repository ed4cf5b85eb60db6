#include "dmr/view_log.h"

#include "dmr/plan.h"

#include "json_reader.h"

#include <algorithm>

namespace dmr {

namespace {

using detail::Json;

// Every group of a membership by name, the GL_group among them.
std::map<GroupName, const View *> groupsOf(const Membership &m)
{
    std::map<GroupName, const View *> out;
    for (const auto &[name, view] : m.networks)
        out.emplace(name, &view);
    out.emplace(kGlGroup, &m.glGroup);
    return out;
}

} // namespace

ViewDelta diffSnapshots(const Snapshot &before, const Snapshot &after)
{
    ViewDelta d;
    const auto was = groupsOf(before.membership);
    const auto now = groupsOf(after.membership);
    for (const auto &[name, view] : now) {
        const auto it = was.find(name);
        if (it == was.end() || !(*it->second == *view))
            d.groups.push_back(*view);
    }
    for (const auto &[name, view] : was)
        if (now.count(name) == 0)
            d.groups.push_back(View{name, {}});
    for (const auto &[id, status] : after.status) {
        const auto it = before.status.find(id);
        if (it == before.status.end() || !(it->second == status))
            d.status.emplace(id, status);
    }
    for (const auto &[id, node] : after.nodes) {
        const auto it = before.nodes.find(id);
        if (it == before.nodes.end() || !(it->second == node))
            d.nodes.push_back(node);
    }
    return d;
}

Snapshot applyDelta(const Snapshot &before, const ViewDelta &delta)
{
    Snapshot s = before;
    s.timeMs = delta.timeMs;
    for (const auto &node : delta.nodes)
        s.nodes[node.id] = node;
    for (const auto &[id, status] : delta.status)
        s.status[id] = status;
    for (const auto &view : delta.groups) {
        if (view.group == kGlGroup)
            s.membership.glGroup = view;
        else if (view.members.empty())
            s.membership.networks.erase(view.group);
        else
            s.membership.networks[view.group] = view;
    }
    s.plan = makePlan(s.nodes, s.membership);
    return s;
}

std::string toJson(const ViewDelta &d)
{
    Json groups = Json::array();
    for (const auto &v : d.groups) {
        Json members = Json::array();
        for (const auto &m : v.members)
            members.push_back({{"node", m.node}, {"seq", m.seq}});
        groups.push_back({{"name", v.group}, {"members", std::move(members)}});
    }
    Json status = Json::array();
    for (const auto &[id, st] : d.status)
        status.push_back(
            {{"id", id}, {"state", toString(st.state)}, {"failed_adapters", st.failedAdapters}});
    Json nodes = Json::array();
    for (const auto &n : d.nodes) {
        Json ifaces = Json::array();
        for (const auto &i : n.interfaces)
            ifaces.push_back({{"name", i.name}, {"address", i.address.toString()}});
        nodes.push_back({{"id", n.id}, {"interfaces", std::move(ifaces)}});
    }
    return Json{{"rev", d.rev},
                {"view_id", d.viewId},
                {"time_ms", d.timeMs},
                {"groups", std::move(groups)},
                {"status", std::move(status)},
                {"nodes", std::move(nodes)}}
        .dump();
}

Result<ViewDelta> parseViewDelta(std::string_view text)
{
    using namespace detail;
    auto parsed = parseJsonText(text, "view");
    if (!parsed)
        return parsed.error();
    try {
        const Json &j = *parsed;
        expectObject(j, "", {"rev", "view_id", "time_ms", "groups", "status", "nodes"});
        ViewDelta d;
        d.rev = intField(j, "", "rev");
        d.viewId = stringField(j, "", "view_id", true);
        d.timeMs = intField(j, "", "time_ms");
        const Json &groups = arrayField(j, "", "groups");
        for (std::size_t i = 0; i < groups.size(); ++i) {
            const auto path = element("groups", i);
            expectObject(groups[i], path, {"name", "members"});
            View v;
            v.group = stringField(groups[i], path, "name");
            const Json &members = arrayField(groups[i], path, "members");
            for (std::size_t k = 0; k < members.size(); ++k) {
                const auto mpath = element(member(path, "members"), k);
                expectObject(members[k], mpath, {"node", "seq"});
                v.members.push_back({stringField(members[k], mpath, "node"),
                                     unsignedField(members[k], mpath, "seq")});
            }
            d.groups.push_back(std::move(v));
        }
        const Json &status = arrayField(j, "", "status");
        for (std::size_t i = 0; i < status.size(); ++i) {
            const auto path = element("status", i);
            expectObject(status[i], path, {"id", "state", "failed_adapters"});
            auto state = parseNodeState(stringField(status[i], path, "state"));
            if (!state)
                fail(member(path, "state"), state.error().message);
            NodeStatus st{*state, {}};
            const Json &failed = arrayField(status[i], path, "failed_adapters");
            for (std::size_t k = 0; k < failed.size(); ++k) {
                if (!failed[k].is_string())
                    fail(element(member(path, "failed_adapters"), k),
                         "expected a string, found " + typeName(failed[k]));
                st.failedAdapters.insert(failed[k].get<std::string>());
            }
            d.status[stringField(status[i], path, "id")] = std::move(st);
        }
        const Json &nodes = arrayField(j, "", "nodes");
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            const auto path = element("nodes", i);
            expectObject(nodes[i], path, {"id", "interfaces"});
            Node n;
            n.id = stringField(nodes[i], path, "id");
            const Json &ifaces = arrayField(nodes[i], path, "interfaces");
            for (std::size_t k = 0; k < ifaces.size(); ++k) {
                const auto ipath = element(member(path, "interfaces"), k);
                expectObject(ifaces[k], ipath, {"name", "address"});
                auto address = InterfaceAddress::parse(stringField(ifaces[k], ipath, "address"));
                if (!address)
                    fail(member(ipath, "address"), address.error().message);
                n.interfaces.push_back({stringField(ifaces[k], ipath, "name"), *address});
            }
            d.nodes.push_back(std::move(n));
        }
        return d;
    } catch (const FieldError &e) {
        return Error{e.message};
    }
}

ViewLog::ViewLog(std::size_t entriesMax, std::int64_t keepMs)
    : entriesMax_(std::max<std::size_t>(1, entriesMax))
    , keepMs_(keepMs)
{
}

void ViewLog::record(const Snapshot &snapshot, const std::string &viewId, std::int64_t nowMs)
{
    if (!hasBase_) {
        hasBase_ = true;
        base_ = snapshot;
        baseViewId_ = viewId;
        baseRev_ = nextRev_++;
        last_ = snapshot;
        return;
    }
    ViewDelta d = diffSnapshots(last_, snapshot);
    d.rev = nextRev_++;
    d.viewId = viewId;
    d.timeMs = snapshot.timeMs;
    deltas_.push_back(std::move(d));
    last_ = snapshot;
    trim(nowMs);
}

void ViewLog::trim(std::int64_t nowMs)
{
    // The newest delta always stays: it is what the cluster looks like now.
    while (deltas_.size() > 1 &&
           (deltas_.size() > entriesMax_ || nowMs - deltas_.front().timeMs > keepMs_)) {
        base_ = applyDelta(base_, deltas_.front());
        baseViewId_ = deltas_.front().viewId;
        baseRev_ = deltas_.front().rev;
        deltas_.pop_front();
    }
}

} // namespace dmr
