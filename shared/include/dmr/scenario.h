#pragma once
// Scenario files (after etcd-io/raft's datadriven tests): commands, then a "----"
// line and the text the commands since the last check must print, up to a blank line.
//
//   # Fig. 5
//   node 1 eth0=10.0.1.1/24 eth1=10.0.3.1/24
//   join 2 6 4 1 3 5
//   plan
//   ----
//   leader 10.0.1.0/24 2
//   ...
//
// Commands (each handler in scenario.cpp carries an example):
//   node ID IFACE=ADDR/LEN ...     declare a node and its interfaces
//   join ID ...                    start nodes, in this order (also brings back failed ones)
//   fail ID ...                    crash nodes (no goodbye)
//   leave ID ...                   stop nodes gracefully
//   drain ID ... / restore ID ...  planned maintenance and its end
//   fail-adapter ID IFACE          an interface fails
//   restore-adapter ID IFACE       it works again
//   views                          print every group's members in join order
//   plan                           print leaders, GL_group, system leader, routes, tunnels
//   diff                           print the plan diff since the last plan or diff
//   render mrouted|smcroute|dot [ID]   print a rendered file (dot takes no ID)
//
// With "protocol" before the first event, the events run the embedded membership protocol
// itself (gms::Machine per node, on a simulated network: src/membership_sim.h) instead of the
// reference model, and each settles before the next:
//   protocol                       this file runs the protocol
//   join ID ... / fail ID ... / leave ID ...   start (a new incarnation), kill -9, stop
//   cut ID ... | ID ... [| ...]    split the network into sides that cannot reach each other
//   heal                           join them again; the sides merge (membership.h's rule)
//   wait MS                        simulated time passes
//   views                          each view the running nodes hold: "nodes" (coordinator
//                                  first) and its groups, under "held by" when there are several
//   plan / diff                    as above, from the one view every running node holds
//
// With "agents" before the first event, every node runs the membership protocol and the node
// controller (dmr/node.h), wired as the agent wires them, in simulated time (src/node_sim.h):
//   agents                         this file runs whole nodes
//   join ID ... / fail ID ... / leave ID ...   start a process, kill -9 it, stop it
//   drain ID ... / restore ID ... / kill ID ...   drills on the node's own control port
//   fail-adapter ID IFACE / restore-adapter ID IFACE
//   hold ID ...                    node ID's "applied" words are held back from now on
//   applied ID ...                 the held ones are delivered, and no longer held
//   wait MS                        simulated time passes
//   dataplane                      each data-plane action carried out and each "applied" said
//                                  since the last "dataplane", in order: "2: open-tunnel ..."
//   history ID                     node ID's failover records, phases in simulated ms
//   plan / diff                    the plan every running node's controller holds

#include "dmr/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dmr {

struct ScenarioCheck
{
    int line = 0;         // the "----" line, 1-based
    std::string expected; // each line ends with '\n'
    std::string actual;
    bool passed() const { return expected == actual; }
};

struct ScenarioResult
{
    std::vector<ScenarioCheck> checks;
    std::optional<Error> error; // "file:line: reason"; the run stops there
    bool passed() const;
    // The file's text with every expectation replaced by what was printed.
    std::string rewritten;
};

ScenarioResult runScenario(std::string_view text, std::string_view fileName);

} // namespace dmr
