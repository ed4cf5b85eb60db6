#pragma once
// The agent's membership backend: who is in which group, in which order. The agent states what
// this node wants (its network groups and its meta) and hears whole views back; it plans from
// every view it is handed and from nothing else. Two implementations:
//   EmbeddedMembership  the embedded protocol (gms::Machine, dmr/membership.h) over the agents'
//                       own authenticated TCP transport (transport.h);
//   EtcdMembership      etcd v3 through its JSON gateway (etcd_membership.h).
// Both hand over gms::ClusterView values: nodes and every group's members in join order, each
// node's meta, a view id that every agent holding that view names alike, and the departures the
// change made, with their cause and when this node learnt of them.

#include "dmr/membership.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

namespace dmr::agent {

class MembershipService
{
public:
    struct Handlers
    {
        std::function<void(const gms::ClusterView &)> installed; // a new view, in order
        std::function<void(const std::string &)> log;
        // The backend lost (true) or regained (false) the service it depends on; the agent
        // keeps its last view and plan meanwhile.
        std::function<void(bool degraded, const std::string &why)> degraded;
    };

    virtual ~MembershipService() = default;

    // Starts joining with these network groups; meta travels with this node's entry.
    virtual void start(std::set<GroupName> groups, std::string meta) = 0;
    // The network groups this node wants now (an adapter failed or came back, a drain), and its
    // meta. A backend applies them as one change.
    virtual void update(std::set<GroupName> groups, std::string meta) = 0;
    // A graceful stop: tells the others so that successors take over at once. `done` runs once
    // the goodbye is out (or could not be said).
    virtual void leave(std::function<void()> done) = 0;
    // A crash for drills: stops at once and says nothing; the others find out as after a crash.
    virtual void halt() = 0;
    // Called on the agent's backstop tick (every second; a backend keeps its own deadlines).
    virtual void tick() {}
    // The agents' transport: a membership payload arrived, or a peer connection closed.
    virtual void receive(const std::string & /*payload*/) {}
    virtual void connectionLost(const std::string & /*address*/) {}

    // "stopped", "joining", "member", "coordinator" (embedded), "member", "degraded" (etcd).
    virtual std::string stateName() const = 0;
    virtual bool joined() const = 0;      // in a view
    virtual bool coordinates() const = 0; // the embedded protocol's coordinator; etcd: never
    virtual bool degraded() const { return false; }
    // Requests this node made of an external service (etcd), since start; embedded: 0.
    virtual std::uint64_t externalRequests() const { return 0; }
    virtual std::string backendName() const = 0; // "embedded", "etcd"

    // etcd's crash links (dmr/etcd_crash.h): nodes watched, links up, leases revoked after a
    // crash since start. nullopt: the backend has none (embedded: its own connections do it).
    struct CrashLinks
    {
        std::size_t watched = 0;
        std::size_t up = 0;
        std::uint64_t revoked = 0;
    };
    virtual std::optional<CrashLinks> crashLinks() const { return std::nullopt; }
};

} // namespace dmr::agent
