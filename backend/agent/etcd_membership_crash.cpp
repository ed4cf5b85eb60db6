// EtcdMembership's crash links (etcd_membership.h; the rule is the core's, dmr/etcd_crash.h): the
// links to the nodes whose crash this node watches, carried out on PeerLinks, and the revokes of
// a crashed node's lease, each after a down/ note fenced by the lease its record is on.
#include "etcd_membership.h"
#include "etcd_membership_internal.h"

#include <algorithm>

namespace dmr::agent {

using Json = nlohmann::json;
using namespace etcd_gateway;

namespace {

// The revoking survivor's transaction: if `recordKey` is still on `lease`, put the note and
// delete the node's keys.
Json downTxnBody(const std::string &recordKey, std::int64_t lease, Json notePut,
                 const std::vector<std::string> &keys)
{
    Json ops = Json::array();
    ops.push_back(std::move(notePut));
    for (const auto &k : keys)
        ops.push_back({{"request_delete_range", {{"key", etcd::base64Encode(k)}}}});
    Json compare = Json::array();
    compare.push_back({{"key", etcd::base64Encode(recordKey)},
                       {"target", "LEASE"},
                       {"result", "EQUAL"},
                       {"lease", std::to_string(lease)}});
    return {{"compare", std::move(compare)}, {"success", std::move(ops)}};
}

} // namespace

void EtcdMembership::openCrashLinks()
{
    if (!options_.clusterKey.empty()) {
        // The handlers run on the io_context, from links this object owns and closes (halt(),
        // the destructor): `this` outlives every call.
        links_ = std::make_unique<PeerLinks>(
            io_, options_.clusterKey, frame::Identity{options_.self, options_.address},
            PeerLinks::Handlers{
                [this](PeerLinks::LinkId id) {
                    if (!stopped_)
                        carryOut(crash_.linkUp(id, options_.nowMs()));
                },
                [this](PeerLinks::LinkId id, etcd::LinkEnd how, bool wasUp, const NodeId &node,
                       const std::string &why) {
                    if (stopped_)
                        return;
                    // An up link's end is rare and worth a line; a link that does not come up
                    // is retried every second, so its failure is said once until it changes.
                    const std::string line = "crash link to node " + node + " " +
                                             std::string(etcd::toString(how)) + ": " + why;
                    if (wasUp || linkFailures_[node] != line)
                        handlers_.log(line);
                    if (wasUp)
                        linkFailures_.erase(node);
                    else
                        linkFailures_[node] = line;
                    carryOut(crash_.linkEnded(id, how, options_.nowMs()));
                },
                [this](PeerLinks::LinkId id, etcd::ProbeResult result, const std::string &why) {
                    if (stopped_)
                        return;
                    if (result != etcd::ProbeResult::Refused)
                        handlers_.log("crash link probe " + std::string(etcd::toString(result)) +
                                      " (" + why + "): not a crash");
                    carryOut(crash_.probed(id, result, options_.nowMs()));
                }});
    }
}

void EtcdMembership::watchPeers(const gms::ClusterView &view)
{
    if (!links_ || stopped_)
        return;
    auto targets = etcd::watchTargets(keys_, view, options_.self);
    std::erase_if(linkFailures_, [&](const auto &kv) { return targets.count(kv.first) == 0; });
    carryOut(crash_.setTargets(targets, options_.nowMs()));
}

void EtcdMembership::carryOut(std::vector<etcd::CrashWatch::Action> actions)
{
    using W = etcd::CrashWatch;
    for (auto &a : actions) {
        if (auto *open = std::get_if<W::Open>(&a)) {
            links_->open(open->link, open->node, open->address);
        } else if (auto *close = std::get_if<W::Close>(&a)) {
            links_->close(close->link);
        } else if (auto *probe = std::get_if<W::Probe>(&a)) {
            links_->probe(probe->link, probe->address);
        } else if (auto *revoke = std::get_if<W::Revoke>(&a)) {
            revokes_.push_back(std::move(*revoke));
            if (!revoking_) {
                revoking_ = true;
                asio::co_spawn(io_, revokeLoop(), asio::detached);
            }
        }
    }
    armCrashRetry();
}

void EtcdMembership::armCrashRetry()
{
    const auto at = crash_.nextRetryAtMs();
    if (!at || stopped_)
        return;
    crashRetry_.expires_after(
        std::chrono::milliseconds(std::max<std::int64_t>(0, *at - options_.nowMs())));
    std::weak_ptr<EtcdMembership> weak = weak_from_this();
    crashRetry_.async_wait([weak](const error_code &ec) {
        auto self = weak.lock();
        if (ec || !self || self->stopped_)
            return;
        self->carryOut(self->crash_.tick(self->options_.nowMs()));
    });
}

Json EtcdMembership::downTxn(const etcd::CrashWatch::Revoke &r) const
{
    const etcd::DownNote note{r.lease, options_.self, options_.nowMs()};
    return downTxnBody(etcd::nodeKey(prefix_, r.node), r.lease,
                       putOp(etcd::downKey(prefix_, r.node), etcd::encodeDownNote(note)),
                       etcd::keysOnLease(keys_, r.node, r.lease));
}

awaitable<void> EtcdMembership::revokeLoop()
{
    auto keep = shared_from_this();
    while (!revokes_.empty() && !stopped_) {
        const etcd::CrashWatch::Revoke r = std::move(revokes_.front());
        revokes_.pop_front();
        handlers_.log("node " + r.node + " crashed (" + r.why + "): revoking its lease " +
                      std::to_string(r.lease));
        // One transaction, fenced by the lease the node's record is on: the note (so that every
        // agent records a connection loss) and the deletion of the node's keys, in one revision
        // and so one round of watch events; then the revoke, which also ends the lease for the
        // node itself should it still run.
        if (lease_ != 0) {
            Json body = downTxn(r);
            auto put = co_await revoker_->call("/v3/kv/txn", std::move(body));
            if (stopped_)
                break;
            if (!put || put->status != 200)
                handlers_.log("etcd down note for node " + r.node + " not written: " +
                              (!put ? put.error().message : gatewayMessage(*put)));
            else if (!etcd::boolField(put->body, "succeeded"))
                handlers_.log("node " + r.node + "'s record is gone or on another lease than " +
                              std::to_string(r.lease) +
                              " (another survivor was first, or it came back): nothing deleted");
        }
        auto rv = co_await revoker_->call("/v3/lease/revoke", idBody(r.lease));
        if (stopped_)
            break;
        if (!rv)
            handlers_.log("etcd lease " + std::to_string(r.lease) + " of node " + r.node +
                          " not revoked (" + rv.error().message + "); it expires on its own");
        else if (rv->status != 200)
            // Another survivor revoked it first, or it expired meanwhile.
            handlers_.log("etcd lease " + std::to_string(r.lease) + " of node " + r.node +
                          " already gone: " + gatewayMessage(*rv));
        else
            handlers_.log("etcd lease " + std::to_string(r.lease) + " of node " + r.node +
                          " revoked");
    }
    revoking_ = false;
}

} // namespace dmr::agent
