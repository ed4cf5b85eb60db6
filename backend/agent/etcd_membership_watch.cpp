// EtcdMembership's view (etcd_membership.h): the range read of the cluster prefix (revoking the
// leases an earlier run of this node left behind), the watch stream from the revision after it,
// and the view installed from the keys (the core's etcd::KeySpace) when it changed.
#include "etcd_membership.h"
#include "etcd_membership_internal.h"

#include <algorithm>

namespace dmr::agent {

using Json = nlohmann::json;
using namespace etcd_gateway;

namespace {

Json rangeBody(const std::string &prefix)
{
    return {{"key", etcd::base64Encode(prefix)},
            {"range_end", etcd::base64Encode(etcd::prefixEnd(prefix))}};
}

Json watchBody(const std::string &prefix, std::int64_t fromRevision)
{
    return {{"create_request",
             {{"key", etcd::base64Encode(prefix)},
              {"range_end", etcd::base64Encode(etcd::prefixEnd(prefix))},
              {"start_revision", std::to_string(fromRevision)}}}};
}

} // namespace

awaitable<bool> EtcdMembership::resync()
{
    ++generation_;
    if (watch_) {
        watch_->close();
        watch_.reset();
    }
    const Json range = rangeBody(prefix_);
    // Keys this node left behind under another lease (an earlier process, or this one before a
    // kill drill) are revoked first: a node that comes back goes to the end of every list.
    for (int round = 0; round < 3; ++round) {
        auto r = co_await call("/v3/kv/range", range);
        if (!r)
            co_return false;
        if (r->status != 200) {
            handlers_.log("etcd range read refused: " + gatewayMessage(*r));
            co_return false;
        }
        std::vector<etcd::Kv> kvs;
        std::set<std::int64_t> stale;
        Written found;
        bool recordFound = false;
        for (auto &kv : etcd::decodeRangeKvs(r->body)) {
            auto parsed = etcd::parseKey(prefix_, kv.key);
            // A down/ note about this node is another node's key, on that node's lease.
            if (parsed && parsed->node == options_.self &&
                parsed->kind != etcd::ParsedKey::Kind::Down) {
                if (kv.lease != lease_) {
                    if (kv.lease != 0)
                        stale.insert(kv.lease);
                } else if (parsed->kind == etcd::ParsedKey::Kind::Node) {
                    found.record = kv.value;
                    recordFound = true;
                } else if (parsed->kind == etcd::ParsedKey::Kind::Group) {
                    found.groups.insert(parsed->group);
                } else {
                    found.gl = true;
                }
            }
            kvs.push_back(std::move(kv));
        }
        if (!stale.empty() && round < 2) {
            for (const std::int64_t lease : stale) {
                handlers_.log("revoking lease " + std::to_string(lease) +
                              " that an earlier run of this node left behind");
                auto rv = co_await call("/v3/lease/revoke", idBody(lease));
                if (!rv)
                    co_return false;
            }
            continue;
        }
        const std::int64_t revision = etcd::headerRevision(r->body);
        keys_.reset(std::move(kvs), revision);
        // Our own keys, if the lease outlived the outage: the transaction only fixes what differs.
        joinedKeys_ = recordFound;
        if (recordFound)
            written_ = found;
        needResync_ = false;
        publish();
        watch_ =
            std::make_shared<EtcdClient>(io_, options_.endpoints, requestTimeoutMs(), counters_);
        watch_->preferEndpoint(client_->endpointIndex());
        asio::co_spawn(io_, watchLoop(watch_, revision + 1, generation_), asio::detached);
        co_return true;
    }
    co_return false;
}

awaitable<void> EtcdMembership::watchLoop(std::shared_ptr<EtcdClient> client,
                                          std::int64_t fromRevision, std::uint64_t generation)
{
    auto keep = shared_from_this();
    const Json body = watchBody(prefix_, fromRevision);
    bool canceled = false;
    const std::string why = co_await client->stream("/v3/watch", body, [&](Json message) {
        if (stopped_ || generation != generation_)
            return false;
        auto result = etcd::decodeWatchMessage(message);
        if (result.canceled) {
            canceled = true;
            return false;
        }
        onWatchMessage(result, generation);
        return true;
    });
    if (stopped_ || generation != generation_)
        co_return;
    handlers_.log("etcd watch ended (" + (canceled ? std::string("canceled by etcd") : why) +
                  "); reading the prefix again");
    needResync_ = true;
    wake();
}

void EtcdMembership::onWatchMessage(const etcd::WatchResult &result, std::uint64_t generation)
{
    if (generation != generation_)
        return;
    if (result.events.empty())
        return; // "created", or a progress notice
    etcd::apply(keys_, result);
    // A down/ note alone changes no view (it is read when its node's keys go): no view to
    // compute for it, on 128 agents at once, just before the revoke that follows it.
    const bool notesOnly =
        std::all_of(result.events.begin(), result.events.end(), [this](const etcd::WatchEvent &e) {
            auto parsed = etcd::parseKey(prefix_, e.kv.key);
            return parsed && parsed->kind == etcd::ParsedKey::Kind::Down;
        });
    if (!notesOnly)
        publish();
}

void EtcdMembership::publish()
{
    gms::ClusterView v = keys_.view();
    if (v.node(options_.self) == nullptr) {
        // Not in etcd's view (joining, or the lease was lost): install nothing, keep the last.
        wantGl_ = false;
        watchPeers(v);
        return;
    }
    wantGl_ = etcd::wantGlKey(v, options_.self);
    if (wantGl_ != written_.gl)
        wake();
    if (installed_ && v.nodes == last_.nodes && v.groups == last_.groups)
        return;
    v.departed =
        etcd::departures(last_, v, keys_.leaving(), options_.nowMs(), ttlMs(), keys_.downNotes());
    last_ = v;
    installed_ = true;
    handlers_.installed(last_);
    if (!stopped_)
        watchPeers(last_);
}

} // namespace dmr::agent
