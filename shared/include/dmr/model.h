#pragma once
// The data the core reasons about: nodes with their interfaces, and membership views.
// Plain aggregates with ordered containers, so that every walk over them is deterministic.

#include "dmr/net.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dmr {

using NodeId = std::string;
// A network group's name is the canonical text of its network ID, "10.1.0.0/24".
using GroupName = std::string;

// The group of group leaders. Its name cannot clash with a network ID.
inline const GroupName kGlGroup = "GL_group";

// Natural order for ids shown to people: "2" < "10", "f1n2" < "f1n10". Ties fall back to
// plain string order, so it is a strict total order.
bool naturalLess(const std::string &a, const std::string &b);

struct Interface
{
    std::string name; // "eth0"
    InterfaceAddress address;

    Prefix network() const { return address.network(); }
    GroupName group() const { return network().toString(); }
    bool operator==(const Interface &) const = default;
};

struct Node
{
    NodeId id;
    std::vector<Interface> interfaces; // in configuration order

    const Interface *interface(const std::string &name) const;
    bool operator==(const Node &) const = default;
};

// Every node known to the cluster, by id.
using Topology = std::map<NodeId, Node>;

struct Member
{
    NodeId node;
    std::uint64_t seq = 0; // cluster-wide join sequence number, stamped when the join was accepted
    bool operator==(const Member &) const = default;
};

// A group's membership in join order: the first member is the group leader.
struct View
{
    GroupName group;
    std::vector<Member> members;

    const Member *leader() const { return members.empty() ? nullptr : &members.front(); }
    const Member *find(const NodeId &node) const;
    bool contains(const NodeId &node) const { return find(node) != nullptr; }
    bool operator==(const View &) const = default;
};

// The whole membership a node holds: every network group, and the GL_group.
struct Membership
{
    std::map<GroupName, View> networks;
    View glGroup{kGlGroup, {}};

    bool operator==(const Membership &) const = default;
};

} // namespace dmr
