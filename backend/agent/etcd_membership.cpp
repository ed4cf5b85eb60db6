// EtcdMembership's session (etcd_membership.h): the lease, granted and kept alive every TTL/3;
// the join transaction and the updates that follow (the record, the group keys, the gl/ key);
// degraded while no endpoint answers for a whole TTL; the goodbye of a graceful stop. The view is
// etcd_membership_watch.cpp's, the crash links etcd_membership_crash.cpp's.
#include "etcd_membership.h"
#include "etcd_membership_internal.h"

#include <algorithm>

namespace dmr::agent {

using Json = nlohmann::json;
using namespace etcd_gateway;

namespace {

constexpr int kGoodbyeDeadlineMs = 2000;

using etcd::int64Field;

Json grantBody(int ttlSeconds)
{
    return {{"TTL", std::to_string(ttlSeconds)}};
}

Json txnBody(Json ops)
{
    return {{"success", std::move(ops)}};
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
    openCrashLinks();
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

} // namespace dmr::agent
