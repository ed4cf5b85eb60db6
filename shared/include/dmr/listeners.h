#pragma once
// Who listens, per network: the pure part of IGMP (RFC 2236, RFC 3376) and MLD (RFC 2710,
// RFC 3810) on the router side, as mrouted and the kernel's bridge snooping keep it. No sockets
// and no clocks: the agent feeds in what it heard on a segment (an IGMP or MLD message in os
// mode, a listen frame in loopback mode) and the time, and sends the queries that come back.
//
// Every agent keeps a table for each of its networks (it snoops the reports even where it does
// not route), so a new routing point after a drain or a kill knows the listeners at once. Only
// the networks this node routes query (setQuerying): it is the querier there unless a querier
// of a lower address is heard (RFC 3376 6.6.2, "lowest address wins"); then it stays quiet until
// that one was not heard for the other-querier-present interval.
//
// Per (network, group): the group membership interval from the last report; a leave makes the
// querier ask the group (last-member query: lastMemberQueryCount queries, lastMemberQueryIntervalMs
// apart) and the group goes when no report answers. Where the reports name each host (IGMPv3,
// MLDv2, listen frames: explicit tracking), the last host's leave removes the group at once
// (fast leave); a leave of one host of several removes only that host.
//
// Bounded: at most groupsPerNetworkMax groups per network (a report beyond is refused and
// counted), reportersPerGroupMax hosts per group (beyond: the group falls back to last-member
// queries, as IGMPv2 does).

#include "dmr/model.h"
#include "dmr/net.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dmr::listen {

struct Config
{
    int robustness = 2;                       // RFC 3376 8.1
    std::int64_t queryIntervalMs = 125'000;   // 8.2
    std::int64_t queryResponseMs = 10'000;    // 8.3 (max response time of general queries)
    std::int64_t lastMemberQueryIntervalMs = 1'000; // 8.8
    int lastMemberQueryCount = 2;             // 8.9 (default: robustness)
    std::size_t groupsPerNetworkMax = 1024;
    std::size_t reportersPerGroupMax = 64;
    // 8.4: robustness * queryInterval + queryResponse
    std::int64_t groupMembershipMs() const { return robustness * queryIntervalMs + queryResponseMs; }
    // 8.5: robustness * queryInterval + queryResponse / 2
    std::int64_t otherQuerierPresentMs() const
    {
        return robustness * queryIntervalMs + queryResponseMs / 2;
    }
};

// Where a report came from: the host's address, and for listen frames (every loopback host is
// 127.0.0.1) its port. Empty host: the protocol names no host (IGMPv2/MLDv1 suppress reports,
// so there is no explicit tracking).
struct Reporter
{
    IpAddress address;
    std::uint16_t port = 0;
    auto operator<=>(const Reporter &) const = default;
};

struct Query
{
    GroupName network;
    std::optional<IpAddress> group; // nullopt: a general query
    std::int64_t maxResponseMs = 0;
};

// What the table asks for: queries to send on networks this node is the querier of, and
// whether any network's wanted set changed (the relay's pruning follows).
struct Effects
{
    std::vector<Query> queries;
    bool changed = false;
    void append(Effects &&other);
};

struct GroupState
{
    IpAddress group;
    std::int64_t sinceMs = 0;     // first report
    std::int64_t lastReportMs = 0;
    std::int64_t expiresMs = 0;   // the membership timer (lowered by a leave)
    std::set<Reporter> reporters; // explicit tracking (empty: none known)
    bool tracked = true;          // false: a host that names no reporter, or too many
    std::map<Reporter, std::int64_t> reporterExpiresMs; // each host's own membership timer
    std::int64_t anonymousUntilMs = 0; // a host naming nobody was heard: no fast leave until then
    bool overflowed = false;           // more than reportersPerGroupMax hosts reported
    int lastMemberQueriesLeft = 0;     // group-specific queries still to send (querier only)
    std::int64_t nextLastMemberQueryMs = 0;
};

struct NetworkState
{
    GroupName network;
    IpAddress ownAddress;              // this node's address on it (querier election)
    bool querying = false;             // this node routes it (setQuerying)
    std::optional<IpAddress> querier;  // the elected querier (ownAddress when it is this node)
    std::int64_t otherQuerierUntilMs = 0;
    std::int64_t nextGeneralQueryMs = 0;
    int startupQueriesLeft = 0;
    std::map<IpAddress, GroupState> groups;
    std::uint64_t refused = 0; // reports over groupsPerNetworkMax
};

class Table
{
public:
    explicit Table(Config config = {});

    // The networks this node is attached to (its working interfaces), with its address on each:
    // the address its queries come from, which the election compares with heard queriers' (for
    // MLD the interface's link-local address: every MLD query comes from one). A network that
    // goes away takes its groups with it (changed); a new address keeps them.
    Effects setNetworks(const std::vector<std::pair<GroupName, IpAddress>> &networks,
                        std::int64_t nowMs);
    // This node routes the network: it queries there (a startup query series first), unless a
    // lower querier is heard.
    Effects setQuerying(const GroupName &network, bool querying, std::int64_t nowMs);

    // A host reports (joins, or answers a query) the group on the network.
    Effects report(const GroupName &network, const IpAddress &group,
                   const std::optional<Reporter> &reporter, std::int64_t nowMs);
    // A host leaves the group (IGMPv2 leave, IGMPv3/MLDv2 TO_IN({}) or BLOCK, listen frame).
    Effects leave(const GroupName &network, const IpAddress &group,
                  const std::optional<Reporter> &reporter, std::int64_t nowMs);
    // A query heard from another node: querier election, and (group-specific) the group's timer
    // lowered to the last-member query time, as a snooping switch does.
    Effects heardQuery(const GroupName &network, const IpAddress &from,
                       const std::optional<IpAddress> &group, std::int64_t nowMs);
    // Timers: expiries, due queries. Call at least every lastMemberQueryIntervalMs / 2.
    Effects tick(std::int64_t nowMs);

    // The groups some host on the network listens to now.
    std::set<IpAddress> wanted(const GroupName &network) const;
    const std::map<GroupName, NetworkState> &networks() const { return networks_; }
    const Config &config() const { return config_; }

private:
    void tickNetwork(NetworkState &n, std::int64_t nowMs, Effects &fx);

    Config config_;
    std::map<GroupName, NetworkState> networks_;
};

} // namespace dmr::listen
