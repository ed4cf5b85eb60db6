#pragma once
// dmrctl's commands against a running dmr-agent's control port. Each returns the exit code:
// 0 done, 1 the agent refused (or answered nonsense), 2 usage, 3 no agent could be reached.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dmrctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

// The options every command shares.
struct Globals
{
    std::vector<std::string> connect; // HOST:PORT, tried in turn; empty: 127.0.0.1:7500
    std::string token;                // empty: none (a read-only session)
    bool json = false;                // print the result JSON instead of tables
    int timeoutMs = 3000;             // per connect, and per answer
    std::string clientName;           // "dmrctl 0.1.0", sent in the hello
    std::string tlsCa;                // PEM CA file: TLS on, the agent checked against it
    std::string tlsCert;              // PEM client certificate (mutual TLS)
    std::string tlsKey;               // its key; empty: in the certificate's file
};

struct DrillArgs
{
    std::string action; // kill, fail-adapter, drain, restore
    std::string node;
    std::string iface;
    std::string reason;
    std::optional<std::int64_t> durationMs;
};

int runStatus(const Globals &g);
int runCluster(const Globals &g);
// The order to upgrade the cluster in, one node at a time, that moves the system leader least
// (dmr/upgrade.h), from the agent's snapshot of the cluster.
int runUpgradePlan(const Globals &g);
int runHistory(const Globals &g);
int runDrills(const Globals &g);
int runTunnels(const Globals &g);
int runReachability(const Globals &g);
// Each network's wanted groups, from the get-state of its routing point (another member of the
// network when that one does not answer), and what each tunnel carries: get-cluster from the
// first agent that answers, then get-state from the agents it lists.
int runListeners(const Globals &g);
int runDrill(const Globals &g, const DrillArgs &args);
// count: stop after this many events; none: until Ctrl-C or the connection closes.
int runEvents(const Globals &g, std::optional<std::int64_t> count);
// format: "json" or "dot"; output: a file, or "" for standard output.
int runSnapshot(const Globals &g, const std::string &format, const std::string &output);

} // namespace dmrctl
