#pragma once
// Renderers: the same input always gives the same bytes (golden files test them).

#include "dmr/snapshot.h"

#include <string>

namespace dmr {

// mrouted.conf for one node, in the syntax of the mrouted 4.x manual page: a phyint line for
// every interface of the node (disabled where it is not the network's routing point) and a
// tunnel line for each tunnel it ends. mrouted routes IPv4 only; IPv6 parts become comments.
std::string renderMrouted(const Plan &plan, const Topology &topology, const NodeId &node);

struct SmcrouteOptions
{
    // The multicast channels to route; by family, only the matching ones are used.
    std::vector<Prefix> channels;
    static SmcrouteOptions defaults(); // 239.0.0.0/8 and ff0e::/16
};

// The name of the local tunnel interface that reaches `peer`, at most 15 characters
// (Linux IFNAMSIZ): "dmr-<peer>", or "dmr-<4 chars>-<6 hex of a hash>" when the id is long
// or has characters an interface name should not.
std::string tunnelInterfaceName(const NodeId &peer);

// smcroute.conf for one node: phyint lines for the interfaces it routes and its tunnel
// interfaces, and "mroute from IIF group G/LEN to OIF ..." so that whatever arrives on one of
// them leaves on all the others.
std::string renderSmcroute(const Plan &plan, const Topology &topology, const NodeId &node,
                           const SmcrouteOptions &options = SmcrouteOptions::defaults());

// Plain text, one fact a line, as the scenario files state expectations:
//   leader 10.0.1.0/24 2
//   gl_group 2 6 4
//   system-leader 2
//   route 2 eth0 10.0.1.0/24
//   tunnel 2 eth0 10.0.1.2 -> 6 eth0 10.0.2.6 carries 10.0.2.0/24
//   no-tunnel 2 -> 7 carries fd00:7::/64: no address family in common (2: IPv4; 7: IPv6)
std::string renderPlanText(const Plan &plan);
//   group 10.0.1.0/24: 2 1 3
//   group GL_group: 2 6 4
std::string renderViewsText(const Membership &membership);

// GraphViz DOT of a snapshot: networks as ellipses, nodes as boxes linked to their networks,
// leaders and the system leader marked, tunnels as dashed edges.
std::string renderDot(const Snapshot &snapshot);

} // namespace dmr
