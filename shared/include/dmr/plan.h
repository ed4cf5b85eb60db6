#pragma once
// The tunnel plan: a star with the system leader at its centre and one tunnel
// to every other node that leads a network. Each routing node routes exactly the networks it
// leads, so every network has exactly one routing point.

#include "dmr/election.h"

namespace dmr {

struct Endpoint
{
    NodeId node;
    std::string iface;
    IpAddress address;
    bool operator==(const Endpoint &) const = default;
};

struct Tunnel
{
    Endpoint root;                   // the system leader's end
    Endpoint leaf;                   // the group leader's end
    std::vector<GroupName> networks; // the networks the leaf leads and carries, in group order
    bool operator==(const Tunnel &) const = default;
};

// A network routed by its leader on the local interface attached to it ("phyint").
struct Route
{
    NodeId node;
    std::string iface;
    GroupName network;
    bool operator==(const Route &) const = default;
};

// A leader the system leader cannot reach: the two nodes share no address family (an IPv4-only
// node and an IPv6-only one), so no tunnel joins them and the networks it leads are cut off.
struct NoTunnel
{
    NodeId root;
    NodeId leaf;
    std::vector<GroupName> networks; // what the tunnel would carry
    std::string reason;              // "no address family in common (2: IPv4; 6: IPv6)"
    bool operator==(const NoTunnel &) const = default;
};

struct Plan
{
    Election election;
    std::vector<Route> routes;       // by node (natural order), then group
    std::vector<Tunnel> tunnels;     // in GL_group order of the leaf
    std::vector<NoTunnel> noTunnels; // in GL_group order of the leaf
    bool operator==(const Plan &) const = default;

    std::vector<Route> routesOf(const NodeId &node) const;
    std::vector<Tunnel> tunnelsOf(const NodeId &node) const; // either end
};

// Tunnel endpoints: when the two nodes share a network, both ends use it (the leaf's led
// networks first, then group order). Otherwise each end uses its interface on its largest
// network (most members; ties by group order), the one most likely reached by unicast routing,
// in one address family: the family of the root's largest if the leaf has that family, else the
// leaf's largest's if the root has it, else the other family both have. Two nodes with no
// family in common get no tunnel, and the plan says so (noTunnels).
Plan makePlan(const Topology &topology, const Membership &membership);

} // namespace dmr
