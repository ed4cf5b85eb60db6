#pragma once
// Membership on etcd v3, through its JSON gateway (etcd_client.h). The key layout, the order
// and the view are the core's (dmr/etcd_view.h); this is the I/O around them, in three parts:
// the session (etcd_membership.cpp), the view (etcd_membership_watch.cpp) and the crash links
// (etcd_membership_crash.cpp).
//
// - One lease per agent, kept alive every TTL/3 on its own timer (a lost lease is having left
//   every group: etcd deletes every key on it). Every key of the node hangs on it: its record
//   (nodes/<id>), one key per network group it is in, and its gl/ key while it leads.
// - Joining: a range read of the cluster prefix, a revoke of any lease an earlier process of this
//   node left behind (so the node goes to the end of every list, not back to its old place),
//   then one transaction that puts the record and the group keys.
// - A watch stream on the prefix, from the revision after the range read, drives the views: the
//   events of one watch response are applied, then one view is installed if it changed.
// - A node fails when its lease expires (TTL, 2 s at the least: etcd grants a shorter one as 2),
//   or, when it crashed, at once: a survivor that watches it (dmr/etcd_crash.h says who watches
//   whom, and when its end is a crash) saw its authenticated link closed by its host and a new
//   connection refused, and revoked its lease, fenced by the lease its record was on, after a
//   down/ note that names it so that every agent records a connection loss, not an expiry. The
//   links are peer_link.h's; a silent or cut-off node still goes when its lease expires.
// - A graceful stop writes "leaving" into the record (the others take the node out at once, with
//   cause "left") and revokes the lease.
// - Drain, an adapter: one transaction deletes and puts group keys and the record together, so
//   the others see one view change, and the agent's make-before-break does the rest.
// - etcd unreachable (every endpoint, each tried in turn, for a whole lease TTL since one last
//   answered; a shorter gap, such as a member dying or etcd electing a new leader, is retried
//   and goes unnoticed): the backend reports itself degraded and installs nothing, so the agent
//   keeps its last view and plan and never touches a tunnel for it. When etcd answers again it
//   keeps the lease alive if it still exists, or grants a new one and joins again (at the end
//   of every list: etcd's order is the order of the keys' creation, and the old keys are gone),
//   reads the prefix again and watches from there.

#include "etcd_client.h"
#include "membership_service.h"
#include "peer_link.h"

#include "dmr/backoff.h"
#include "dmr/etcd_crash.h"
#include "dmr/etcd_view.h"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace dmr::agent {

class EtcdMembership : public MembershipService, public std::enable_shared_from_this<EtcdMembership>
{
public:
    struct Options
    {
        NodeId self;
        std::string cluster;
        std::string address; // this agent's transport endpoint, for the others' messages
        std::vector<HostPort> endpoints;
        int ttlSeconds = 2;
        int requestTimeoutMs = 1000;
        std::uint64_t incarnation = 0;
        std::function<std::int64_t()> nowMs; // the agent's clock
        // The cluster key: the crash links authenticate as the cluster transport does. Empty:
        // no crash links (a crash is then seen when its lease expires).
        std::string clusterKey;
    };

    // Held by shared_ptr: its coroutines keep it alive until they see halt() or leave().
    EtcdMembership(asio::io_context &io, Options options, Handlers handlers,
                   std::shared_ptr<EtcdCounters> counters);
    ~EtcdMembership() override;

    void start(std::set<GroupName> groups, std::string meta) override;
    void update(std::set<GroupName> groups, std::string meta) override;
    void leave(std::function<void()> done) override;
    void halt() override;

    std::string stateName() const override;
    bool joined() const override { return installed_; }
    bool coordinates() const override { return false; }
    bool degraded() const override { return degraded_; }
    std::uint64_t externalRequests() const override { return counters_->requests; }
    std::string backendName() const override { return "etcd"; }

    std::optional<CrashLinks> crashLinks() const override
    {
        if (!links_)
            return std::nullopt;
        return CrashLinks{crash_.watched(), crash_.linksUp(), crash_.revokes()};
    }

private:
    struct Written // what this node's keys in etcd hold, as far as it knows
    {
        std::set<GroupName> groups;
        std::string record;
        bool gl = false;
    };

    awaitable<void> session();
    awaitable<void> watchLoop(std::shared_ptr<EtcdClient> client, std::int64_t fromRevision,
                              std::uint64_t generation);
    awaitable<bool> grant();
    awaitable<bool> resync();
    awaitable<bool> joinTxn();
    awaitable<bool> reconcile();
    awaitable<bool> keepAlive();
    awaitable<void> goodbye(std::function<void()> done);
    // A call on the session client; marks the backend degraded when no endpoint answered.
    awaitable<std::optional<EtcdReply>> call(std::string path, nlohmann::json body);
    void setDegraded(bool degraded, const std::string &why);
    void onWatchMessage(const etcd::WatchResult &result, std::uint64_t generation);
    void publish();
    void wake();
    // The crash links (dmr/etcd_crash.h): carried out here (etcd_membership_crash.cpp). With a
    // cluster key, the constructor opens their PeerLinks.
    void openCrashLinks();
    void watchPeers(const gms::ClusterView &view);
    void carryOut(std::vector<etcd::CrashWatch::Action> actions);
    void armCrashRetry();
    awaitable<void> revokeLoop();
    // The revoker's transaction (outside the coroutine: g++ 12 miscompiles braced initialisers
    // in one).
    nlohmann::json downTxn(const etcd::CrashWatch::Revoke &r) const;
    nlohmann::json putOp(const std::string &key, const std::string &value) const;
    static nlohmann::json deleteOp(const std::string &key);
    std::string recordText(bool leaving) const;
    std::int64_t ttlMs() const { return std::int64_t{options_.ttlSeconds} * 1000; }
    // Per endpoint: a quarter of the TTL at the most, so that a member that hangs (or an etcd
    // electing a leader) leaves time to try the others before the lease runs out.
    int requestTimeoutMs() const
    {
        return static_cast<int>(std::min<std::int64_t>(options_.requestTimeoutMs, ttlMs() / 4));
    }

    asio::io_context &io_;
    Options options_;
    Handlers handlers_;
    std::shared_ptr<EtcdCounters> counters_;
    std::string prefix_;
    etcd::KeySpace keys_;
    std::shared_ptr<EtcdClient> client_;
    std::shared_ptr<EtcdClient> watch_;
    asio::steady_timer wake_;

    std::set<GroupName> wantedGroups_;
    std::string meta_;
    bool started_ = false;
    bool stopped_ = false; // halt() or leave(): every coroutine ends
    bool degraded_ = false;
    bool installed_ = false;  // a view with this node in it was installed
    std::int64_t lease_ = 0;  // 0: none
    bool joinedKeys_ = false; // the join transaction went through on this lease
    bool needResync_ = true;
    bool woken_ = false;           // wake() came while the session was busy: go round again
    bool wantGl_ = false;          // etcd::wantGlKey of the last view seen
    std::uint64_t generation_ = 0; // of the watch stream; a stale stream's events are ignored
    Written written_;
    std::int64_t nextKeepAliveMs_ = 0;
    std::int64_t answeredAtMs_ = -1; // when an endpoint last answered; -1: never
    bool retrying_ = false;          // a call failed since then (logged once)
    // Session retries: kBackoffMinMs doubling, bounded by a quarter of the lease TTL (within
    // kBackoffMinMs..kBackoffMaxMs).
    static constexpr int kBackoffMinMs = 100;
    static constexpr int kBackoffMaxMs = 2000;
    Backoff backoff_{kBackoffMinMs, kBackoffMaxMs};
    gms::ClusterView last_;

    etcd::CrashWatch crash_;
    std::unique_ptr<PeerLinks> links_; // null without a cluster key
    std::shared_ptr<EtcdClient> revoker_;
    std::deque<etcd::CrashWatch::Revoke> revokes_;
    bool revoking_ = false;
    asio::steady_timer crashRetry_;
    std::map<NodeId, std::string> linkFailures_; // the last failure said, per watched node
};

} // namespace dmr::agent
