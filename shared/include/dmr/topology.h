#pragma once
// Topology files: the nodes of a cluster with their interfaces, and the order in which a lab
// starts them. JSON, as in resources/topologies/fig5.json:
//
//   {"name": "fig5", "description": "...",
//    "nodes": [{"id": "1", "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"}]}],
//    "join_order": ["2", "6", "4", "1", "3", "5"]}
//
// A dual-stack interface is listed twice under one name, once per family, as the OS lists it
// (resources/topologies/fig5-dual.json):
//
//   "interfaces": [{"name": "eth0", "address": "10.0.1.1/24"},
//                  {"name": "eth0", "address": "fd00:1::1/64"}]
//
// One name with two addresses of one family is refused.
//
// Every error names the field path and the reason: nodes[2].interfaces[0].address: ...

#include "dmr/model.h"

#include <string_view>

namespace dmr {

struct TopologyFile
{
    std::string name;
    std::string description;
    Topology nodes;
    std::vector<NodeId> joinOrder; // every node exactly once
};

Result<TopologyFile> parseTopology(std::string_view json);

} // namespace dmr
