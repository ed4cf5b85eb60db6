#include "dmr/listeners.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace dmr::listen {

void Effects::append(Effects &&other)
{
    queries.insert(queries.end(), std::make_move_iterator(other.queries.begin()),
                   std::make_move_iterator(other.queries.end()));
    changed = changed || other.changed;
}

namespace {

bool isQuerier(const NetworkState &n)
{
    return n.querying && n.querier == n.ownAddress;
}

// An elected querier other than this node whose other-querier-present timer still runs.
bool otherQuerierPresent(const NetworkState &n, std::int64_t nowMs)
{
    return n.querier && *n.querier != n.ownAddress && n.otherQuerierUntilMs > nowMs;
}

void becomeQuerier(NetworkState &n, std::int64_t nowMs, int startupQueries)
{
    n.querier = n.ownAddress;
    n.startupQueriesLeft = startupQueries;
    n.nextGeneralQueryMs = nowMs;
}

// Another node queries now: this one's pending last-member queries are its business.
void stopQuerying(NetworkState &n)
{
    n.startupQueriesLeft = 0;
    for (auto &[group, g] : n.groups)
        g.lastMemberQueriesLeft = 0;
}

void forgetReporter(GroupState &g, const Reporter &r)
{
    g.reporters.erase(r);
    g.reporterExpiresMs.erase(r);
}

void updateTracked(GroupState &g, std::int64_t nowMs)
{
    g.tracked = !g.overflowed && g.anonymousUntilMs <= nowMs;
}

} // namespace

Table::Table(Config config)
    : config_(config)
{
}

Effects Table::setNetworks(const std::vector<std::pair<GroupName, IpAddress>> &networks,
                           std::int64_t nowMs)
{
    (void)nowMs;
    Effects fx;
    std::map<GroupName, NetworkState> next;
    for (const auto &[name, own] : networks) {
        if (next.contains(name))
            continue; // the first address named for a network is this node's there
        NetworkState s;
        if (auto it = networks_.find(name); it != networks_.end()) {
            s = std::move(it->second);
            networks_.erase(it);
        } else {
            s.network = name;
            s.ownAddress = own;
        }
        if (s.ownAddress != own) {
            if (s.querier == s.ownAddress)
                s.querier = own;
            s.ownAddress = own;
        }
        next.emplace(name, std::move(s));
    }
    for (const auto &[name, gone] : networks_)
        fx.changed = fx.changed || !gone.groups.empty();
    networks_ = std::move(next);
    return fx;
}

Effects Table::setQuerying(const GroupName &network, bool querying, std::int64_t nowMs)
{
    Effects fx;
    auto it = networks_.find(network);
    if (it == networks_.end() || it->second.querying == querying)
        return fx;
    NetworkState &n = it->second;
    n.querying = querying;
    if (querying) {
        // A lower querier heard lately keeps the role; a higher one gives way when it hears
        // this node's first query (RFC 3376 6.6.2).
        if (!(otherQuerierPresent(n, nowMs) && *n.querier < n.ownAddress))
            becomeQuerier(n, nowMs, config_.robustness);
        tickNetwork(n, nowMs, fx);
    } else {
        if (n.querier == n.ownAddress)
            n.querier.reset();
        stopQuerying(n);
    }
    return fx;
}

Effects Table::report(const GroupName &network, const IpAddress &group,
                      const std::optional<Reporter> &reporter, std::int64_t nowMs)
{
    Effects fx;
    auto nit = networks_.find(network);
    if (nit == networks_.end() || !group.isMulticast())
        return fx;
    NetworkState &n = nit->second;
    auto git = n.groups.find(group);
    if (git == n.groups.end()) {
        if (n.groups.size() >= config_.groupsPerNetworkMax) {
            ++n.refused;
            return fx;
        }
        GroupState g;
        g.group = group;
        g.sinceMs = nowMs;
        git = n.groups.emplace(group, std::move(g)).first;
        fx.changed = true;
    }
    GroupState &g = git->second;
    g.lastReportMs = nowMs;
    g.expiresMs = nowMs + config_.groupMembershipMs();
    g.lastMemberQueriesLeft = 0; // a report answers the last-member queries
    if (reporter) {
        if (g.reporters.contains(*reporter) || g.reporters.size() < config_.reportersPerGroupMax) {
            g.reporters.insert(*reporter);
            g.reporterExpiresMs[*reporter] = nowMs + config_.groupMembershipMs();
        } else {
            g.overflowed = true;
        }
    } else {
        // A host that names nobody (IGMPv2, MLDv1) is here: no fast leave until it has been
        // silent for a membership interval (RFC 3376 7.3.2's older host present timer).
        g.anonymousUntilMs = nowMs + config_.groupMembershipMs();
    }
    updateTracked(g, nowMs);
    return fx;
}

Effects Table::leave(const GroupName &network, const IpAddress &group,
                     const std::optional<Reporter> &reporter, std::int64_t nowMs)
{
    Effects fx;
    auto nit = networks_.find(network);
    if (nit == networks_.end())
        return fx;
    NetworkState &n = nit->second;
    auto git = n.groups.find(group);
    if (git == n.groups.end())
        return fx;
    GroupState &g = git->second;
    updateTracked(g, nowMs);
    if (reporter) {
        const bool known = g.reporters.contains(*reporter);
        forgetReporter(g, *reporter);
        if (g.tracked) {
            if (known && g.reporters.empty()) {
                // Fast leave: the last host that listens said it goes.
                n.groups.erase(git);
                fx.changed = true;
                return fx;
            }
            // Other hosts still listen (or a host nobody knew leaves while others stay).
            if (!g.reporters.empty())
                return fx;
        }
    }
    // Unknown hosts may still listen: ask the group (the querier does; a non-querier lowers its
    // timer when it hears that query).
    if (!isQuerier(n))
        return fx;
    const std::int64_t lastMemberMs =
        config_.lastMemberQueryCount * config_.lastMemberQueryIntervalMs;
    if (g.expiresMs <= nowMs + lastMemberMs)
        return fx; // already asked: a burst of leaves sends no burst of queries
    g.expiresMs = nowMs + lastMemberMs;
    g.lastMemberQueriesLeft = config_.lastMemberQueryCount;
    g.nextLastMemberQueryMs = nowMs;
    tickNetwork(n, nowMs, fx);
    return fx;
}

Effects Table::heardQuery(const GroupName &network, const IpAddress &from,
                          const std::optional<IpAddress> &group, std::int64_t nowMs)
{
    Effects fx;
    auto nit = networks_.find(network);
    if (nit == networks_.end())
        return fx;
    NetworkState &n = nit->second;
    if (from == n.ownAddress)
        return fx; // this node's own query, looped back
    // The candidate now: this node when it queries, or the querier heard lately.
    std::optional<IpAddress> current;
    if (isQuerier(n))
        current = n.ownAddress;
    else if (otherQuerierPresent(n, nowMs))
        current = n.querier;
    if (!current || from <= *current) {
        const bool wasQuerier = isQuerier(n);
        n.querier = from;
        n.otherQuerierUntilMs = nowMs + config_.otherQuerierPresentMs();
        if (wasQuerier)
            stopQuerying(n);
    }
    if (group) {
        // As a snooping switch does: the hosts must answer this query within the last-member
        // query time, or the group goes.
        if (auto git = n.groups.find(*group); git != n.groups.end()) {
            const std::int64_t lowered =
                nowMs + config_.lastMemberQueryCount * config_.lastMemberQueryIntervalMs;
            git->second.expiresMs = std::min(git->second.expiresMs, lowered);
        }
    }
    return fx;
}

Effects Table::tick(std::int64_t nowMs)
{
    Effects fx;
    for (auto &[name, n] : networks_)
        tickNetwork(n, nowMs, fx);
    return fx;
}

void Table::tickNetwork(NetworkState &n, std::int64_t nowMs, Effects &fx)
{
    // The other querier fell silent: this node takes over at once (RFC 3376 6.6.2).
    if (n.querier && *n.querier != n.ownAddress && n.otherQuerierUntilMs <= nowMs) {
        n.querier.reset();
        if (n.querying)
            becomeQuerier(n, nowMs, 0);
    }
    if (isQuerier(n) && n.nextGeneralQueryMs <= nowMs) {
        fx.queries.push_back({n.network, std::nullopt, config_.queryResponseMs});
        if (n.startupQueriesLeft > 0)
            --n.startupQueriesLeft;
        // At most one query per tick: a late tick sends one, not the ones it missed.
        n.nextGeneralQueryMs = nowMs + (n.startupQueriesLeft > 0 ? config_.queryIntervalMs / 4
                                                                 : config_.queryIntervalMs);
    }
    for (auto it = n.groups.begin(); it != n.groups.end();) {
        GroupState &g = it->second;
        if (g.expiresMs <= nowMs) {
            it = n.groups.erase(it);
            fx.changed = true;
            continue;
        }
        for (auto r = g.reporterExpiresMs.begin(); r != g.reporterExpiresMs.end();) {
            if (r->second <= nowMs) {
                g.reporters.erase(r->first);
                r = g.reporterExpiresMs.erase(r);
            } else {
                ++r;
            }
        }
        updateTracked(g, nowMs);
        if (isQuerier(n) && g.lastMemberQueriesLeft > 0 && g.nextLastMemberQueryMs <= nowMs) {
            fx.queries.push_back({n.network, g.group, config_.lastMemberQueryIntervalMs});
            --g.lastMemberQueriesLeft;
            g.nextLastMemberQueryMs = nowMs + config_.lastMemberQueryIntervalMs;
        }
        ++it;
    }
}

std::set<IpAddress> Table::wanted(const GroupName &network) const
{
    std::set<IpAddress> out;
    if (auto it = networks_.find(network); it != networks_.end())
        for (const auto &[group, g] : it->second.groups)
            out.insert(group);
    return out;
}

} // namespace dmr::listen
