#include "etcd_membership.h"

#include <algorithm>
#include <charconv>

namespace dmr::agent {

using Json = nlohmann::json;

namespace {

constexpr int kGoodbyeDeadlineMs = 2000;

using etcd::int64Field;

// Request bodies are made outside the coroutines: g++ 12 miscompiles braced initialiser lists
// inside a coroutine ("array used as initializer").
Json idBody(std::int64_t id)
{
    return {{"ID", std::to_string(id)}};
}

Json grantBody(int ttlSeconds)
{
    return {{"TTL", std::to_string(ttlSeconds)}};
}

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

Json txnBody(Json ops)
{
    return {{"success", std::move(ops)}};
}

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

std::string gatewayMessage(const EtcdReply &r)
{
    std::string m;
    if (const auto it = r.body.is_object() ? r.body.find("message") : r.body.end();
        it != r.body.end() && it->is_string())
        m = it->get<std::string>();
    return "HTTP " + std::to_string(r.status) + (m.empty() ? std::string() : ": " + m);
}

} // namespace

EtcdMembership::EtcdMembership(asio::io_context &io, Options options, Handlers handlers,
                               std::shared_ptr<EtcdCounters> counters)
    : io_(io)
    , options_(std::move(options))
    , handlers_(std::move(handlers))
    , counters_(std::move(counters))
    , prefix_(etcd::clusterPrefix(options_.cluster))
    , keys_(prefix_)
    , wake_(io)
    , crashRetry_(io)
{
    client_ = std::make_shared<EtcdClient>(io_, options_.endpoints, requestTimeoutMs(), counters_);
    revoker_ = std::make_shared<EtcdClient>(io_, options_.endpoints, requestTimeoutMs(), counters_);
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

EtcdMembership::~EtcdMembership()
{
    stopped_ = true;
    if (links_)
        links_->closeAll();
    revoker_->close();
    client_->close();
    if (watch_)
        watch_->close();
}

void EtcdMembership::start(std::set<GroupName> groups, std::string meta)
{
    if (started_)
        return;
    started_ = true;
    wantedGroups_ = std::move(groups);
    meta_ = std::move(meta);
    asio::co_spawn(io_, session(), asio::detached);
}

void EtcdMembership::update(std::set<GroupName> groups, std::string meta)
{
    wantedGroups_ = std::move(groups);
    meta_ = std::move(meta);
    wake();
}

void EtcdMembership::halt()
{
    stopped_ = true;
    ++generation_;
    client_->close();
    if (watch_)
        watch_->close();
    wake_.cancel();
    crash_.clear();
    if (links_)
        links_->closeAll();
    crashRetry_.cancel();
    revoker_->close();
    revokes_.clear();
}

void EtcdMembership::leave(std::function<void()> done)
{
    const bool wasStopped = stopped_;
    halt();
    if (wasStopped || lease_ == 0) {
        if (done)
            asio::post(io_, done);
        return;
    }
    asio::co_spawn(io_, goodbye(std::move(done)), asio::detached);
}

std::string EtcdMembership::stateName() const
{
    if (stopped_)
        return "stopped";
    if (degraded_)
        return "degraded";
    return installed_ ? "member" : "joining";
}

void EtcdMembership::wake()
{
    woken_ = true;
    wake_.cancel();
}

void EtcdMembership::setDegraded(bool degraded, const std::string &why)
{
    if (degraded == degraded_)
        return;
    degraded_ = degraded;
    handlers_.log(degraded ? "etcd unreachable, degraded (keeping the last view and plan): " + why
                           : "etcd reachable again: " + why);
    if (handlers_.degraded)
        handlers_.degraded(degraded, why);
}

Json EtcdMembership::putOp(const std::string &key, const std::string &value) const
{
    return {{"request_put",
             {{"key", etcd::base64Encode(key)},
              {"value", etcd::base64Encode(value)},
              {"lease", std::to_string(lease_)}}}};
}

Json EtcdMembership::deleteOp(const std::string &key)
{
    return {{"request_delete_range", {{"key", etcd::base64Encode(key)}}}};
}

std::string EtcdMembership::recordText(bool leaving) const
{
    return etcd::encodeNodeRecord({options_.address, options_.incarnation, meta_, leaving});
}

awaitable<std::optional<EtcdReply>> EtcdMembership::call(std::string path, Json body)
{
    auto keep = shared_from_this();
    auto r = co_await client_->call(path, std::move(body));
    if (stopped_)
        co_return std::nullopt;
    if (!r) {
        // Degraded once no endpoint has answered for a whole lease TTL (or none ever did): etcd
        // may then have expired the lease, and the view is no longer known to be etcd's. A
        // shorter silence is an etcd member dying or its cluster electing a new leader (which
        // extends every lease): retried within the TTL, it goes unnoticed.
        const std::int64_t now = options_.nowMs();
        if (answeredAtMs_ < 0 || now - answeredAtMs_ >= ttlMs())
            setDegraded(true, r.error().message);
        else if (!retrying_)
            handlers_.log("etcd did not answer (" + r.error().message + "); retrying within the " +
                          "lease TTL");
        retrying_ = true;
        // The watch is likely gone with it; read everything again once etcd answers.
        needResync_ = true;
        ++generation_;
        if (watch_)
            watch_->close();
        co_return std::nullopt;
    }
    answeredAtMs_ = options_.nowMs();
    retrying_ = false;
    co_return std::move(r).value();
}

awaitable<void> EtcdMembership::session()
{
    auto keep = shared_from_this();
    while (!stopped_) {
        bool ok = true;
        // The lease first: after an outage (or a stalled etcd) it is the one thing that cannot
        // wait, since etcd expires it on its own clock.
        if (lease_ == 0)
            ok = co_await grant();
        else if (needResync_ || options_.nowMs() >= nextKeepAliveMs_)
            ok = co_await keepAlive();
        if (ok && !stopped_ && needResync_)
            ok = co_await resync();
        if (ok && !stopped_ && !joinedKeys_)
            ok = co_await joinTxn();
        if (ok && !stopped_)
            ok = co_await reconcile();
        if (stopped_)
            break;
        int waitMs = 0;
        if (ok && lease_ != 0 && joinedKeys_ && !needResync_) {
            backoff_.reset();
            setDegraded(false, "lease " + std::to_string(lease_) +
                                   ", view resynchronised at revision " +
                                   std::to_string(keys_.revision()));
            waitMs =
                static_cast<int>(std::max<std::int64_t>(0, nextKeepAliveMs_ - options_.nowMs()));
        } else {
            // Retries stay well within the TTL, so that the lease is renewed in time when etcd
            // comes back.
            const int maxMs = static_cast<int>(
                std::clamp<std::int64_t>(ttlMs() / 4, kBackoffMinMs, kBackoffMaxMs));
            backoff_.setMaxMs(maxMs);
            waitMs = static_cast<int>(backoff_.next());
        }
        if (woken_) {
            woken_ = false;
            if (ok)
                continue;
        }
        wake_.expires_after(std::chrono::milliseconds(waitMs));
        error_code ec;
        co_await wake_.async_wait(ec_await(ec));
        woken_ = false;
    }
}

awaitable<bool> EtcdMembership::grant()
{
    auto r = co_await call("/v3/lease/grant", grantBody(options_.ttlSeconds));
    if (!r)
        co_return false;
    const std::int64_t id = int64Field(r->body, "ID");
    if (r->status != 200 || id == 0) {
        handlers_.log("etcd lease grant refused: " + gatewayMessage(*r));
        co_return false;
    }
    lease_ = id;
    joinedKeys_ = false;
    written_ = {};
    nextKeepAliveMs_ = options_.nowMs() + ttlMs() / 3;
    handlers_.log("etcd lease " + std::to_string(lease_) + " granted (TTL " +
                  std::to_string(int64Field(r->body, "TTL")) + " s) by " + r->endpoint);
    co_return true;
}

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

awaitable<bool> EtcdMembership::joinTxn()
{
    Json ops = Json::array();
    const std::string record = recordText(false);
    ops.push_back(putOp(etcd::nodeKey(prefix_, options_.self), record));
    for (const auto &g : wantedGroups_)
        ops.push_back(putOp(etcd::groupKey(prefix_, g, options_.self), ""));
    auto r = co_await call("/v3/kv/txn", txnBody(std::move(ops)));
    if (!r)
        co_return false;
    if (r->status != 200) {
        // Most likely the lease expired meanwhile: grant a new one and join with it.
        handlers_.log("etcd join refused: " + gatewayMessage(*r));
        lease_ = 0;
        co_return false;
    }
    joinedKeys_ = true;
    written_ = Written{wantedGroups_, record, false};
    handlers_.log("joined through etcd at revision " +
                  std::to_string(etcd::headerRevision(r->body)) + " with " +
                  std::to_string(wantedGroups_.size()) + " group(s)");
    co_return true;
}

awaitable<bool> EtcdMembership::reconcile()
{
    const std::string record = recordText(false);
    const bool gl = wantGl_;
    if (written_.groups == wantedGroups_ && written_.record == record && written_.gl == gl)
        co_return true;
    Json ops = Json::array();
    for (const auto &g : written_.groups)
        if (wantedGroups_.count(g) == 0)
            ops.push_back(deleteOp(etcd::groupKey(prefix_, g, options_.self)));
    for (const auto &g : wantedGroups_)
        if (written_.groups.count(g) == 0)
            ops.push_back(putOp(etcd::groupKey(prefix_, g, options_.self), ""));
    if (written_.record != record)
        ops.push_back(putOp(etcd::nodeKey(prefix_, options_.self), record));
    if (written_.gl != gl)
        ops.push_back(gl ? putOp(etcd::glKey(prefix_, options_.self), "")
                         : deleteOp(etcd::glKey(prefix_, options_.self)));
    auto r = co_await call("/v3/kv/txn", txnBody(std::move(ops)));
    if (!r)
        co_return false;
    if (r->status != 200) {
        handlers_.log("etcd update refused: " + gatewayMessage(*r));
        lease_ = 0;
        co_return false;
    }
    written_ = Written{wantedGroups_, record, gl};
    co_return true;
}

awaitable<bool> EtcdMembership::keepAlive()
{
    auto r = co_await call("/v3/lease/keepalive", idBody(lease_));
    if (!r)
        co_return false;
    const Json &result = etcd::objectField(r->body, "result");
    if (r->status != 200 || int64Field(result, "TTL") <= 0) {
        // The lease is gone (it expired while etcd could not be reached): etcd deleted every key
        // of this node, and the others have taken it out. Join again, at the end of every list.
        handlers_.log("etcd lease " + std::to_string(lease_) +
                      " expired; joining again (at the end of every list)");
        lease_ = 0;
        joinedKeys_ = false;
        written_ = {};
        needResync_ = true;
        co_return false;
    }
    nextKeepAliveMs_ = options_.nowMs() + ttlMs() / 3;
    co_return true;
}

awaitable<void> EtcdMembership::goodbye(std::function<void()> done)
{
    auto keep = shared_from_this();
    auto once = std::make_shared<std::function<void()>>(std::move(done));
    auto finish = [once] {
        if (*once) {
            auto f = std::move(*once);
            *once = nullptr;
            f();
        }
    };
    auto deadline =
        std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(kGoodbyeDeadlineMs));
    deadline->async_wait([finish](const error_code &) { finish(); });
    auto client =
        std::make_shared<EtcdClient>(io_, options_.endpoints, requestTimeoutMs(), counters_);
    client->preferEndpoint(client_->endpointIndex());
    // "Leaving" first: the others take this node out at once, with cause "left"; then the
    // revoke deletes every key of it.
    Json ops = Json::array();
    ops.push_back(putOp(etcd::nodeKey(prefix_, options_.self), recordText(true)));
    auto put = co_await client->call("/v3/kv/txn", txnBody(std::move(ops)));
    auto revoke = co_await client->call("/v3/lease/revoke", idBody(lease_));
    if (!put || !revoke)
        handlers_.log("etcd goodbye incomplete: " +
                      (!put ? put.error().message : revoke.error().message));
    else
        handlers_.log("left: lease " + std::to_string(lease_) + " revoked");
    lease_ = 0;
    deadline->cancel();
    finish();
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
