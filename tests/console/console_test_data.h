#pragma once
// Real data for the console's tests: Fig. 5 from resources/topologies/fig5.json, run through
// the core's ClusterModel, as snapshots; and failover and drill records in the agent's shapes
// (backend/PROTOCOL.md).

#include "dmr/cluster.h"
#include "dmr/snapshot.h"
#include "dmr/topology.h"

#include <QFile>
#include <QTest>

#include <optional>
#include <string>

namespace dmr::console::testdata {

inline constexpr qint64 kTimeMs = 1795756582800;

inline dmr::TopologyFile fig5Topology()
{
    QFile f(QStringLiteral(DMR_TOPOLOGIES "/fig5.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    const QByteArray text = f.readAll();
    auto topo = dmr::parseTopology(std::string_view(text.constData(), size_t(text.size())));
    if (!topo)
        qFatal("fig5.json: %s", topo.error().message.c_str());
    return std::move(topo).value();
}

// Fig. 5 with every node joined in the file's order; then node 2 failed when asked, and
// node 2 joined again (at the end of every list) when asked too.
inline dmr::Snapshot fig5(bool failNode2 = false, bool rejoinNode2 = false, qint64 timeMs = kTimeMs)
{
    const dmr::TopologyFile topo = fig5Topology();
    dmr::ClusterModel model(topo.nodes);
    for (const auto &id : topo.joinOrder)
        if (!model.join(id))
            qFatal("join %s failed", id.c_str());
    if (failNode2 && !model.fail("2"))
        qFatal("fail 2 failed");
    if (rejoinNode2 && !model.join("2"))
        qFatal("rejoin 2 failed");
    return dmr::makeSnapshot(model, "fig5", timeMs);
}

// get-history after node 2 (the system leader) of Fig. 5 failed, as node 6 reports it:
// the first record complete, the second still waiting for its tunnels.
inline const char *kHistoryJson =
    R"({"failovers":[{"cause":"connection-lost","detected_ms":1795756582802,"detection_ms":0,"elected_ms":1795756582803,"election_ms":1,"failed_ms":1795756582802,"id":1,"node":"2","rev":3,"roles":["system-leader","leader 10.0.1.0/24"],"silent_ms":11,"skew_ms":0,"successors":{"leader 10.0.1.0/24":"1","system-leader":"6"},"total_ms":2,"tunnels_ms":1,"tunnels_up_ms":1795756582804,"view_id":"2.0"},)"
    R"({"cause":"silent","detected_ms":1795756590000,"detection_ms":300,"elected_ms":1795756590004,"election_ms":4,"failed_ms":1795756589700,"id":2,"node":"4","rev":4,"roles":["leader 10.0.3.0/24"],"silent_ms":300,"skew_ms":0,"successors":{"leader 10.0.3.0/24":null},"total_ms":null,"tunnels_ms":null,"tunnels_up_ms":null,"view_id":"2.1"}],"instance":"6@1795756570000000","more":false,"rev":4})";

// get-drills: a forwarded kill still in force and an ended adapter failure.
inline const char *kDrillsJson =
    R"({"drills":[{"action":"kill","client":"dmr-console 0.1.0","duration_ms":3000,"ended_ms":null,"id":1,"node":"2","reason":"failover drill","started_ms":1795756582801,"via":"6"},)"
    R"({"action":"fail-adapter","client":"dmrctl 0.1.0","ended_ms":1795756599000,"id":2,"iface":"eth1","node":"4","reason":"cable pull","started_ms":1795756590000}]})";

// get-reachability: node 5 did not answer (nobody hears it lately either), nobody hears node 3
// (its probes stopped 80 s ago), node 4 lost a quarter of node 1's recent probes.
inline const char *kReachabilityJson =
    R"({"nodes":["1","2","3","4","5","6"],"interval_ms":1000,"asked_by":"2","time_ms":1795756582800,"rows":[{"node":"1","answered":true,"probing":true,"interval_ms":1000,"time_ms":1795756582800,"heard":[{"from":"2","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"3","heard":false,"received":40,"lost":80,"duplicates":0,"loss":1.0,"last_seen_ms":1795756502800,"age_ms":80000,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"4","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"5","heard":false,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756573800,"age_ms":9000,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"6","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]}]},{"node":"2","answered":true,"probing":true,"interval_ms":1000,"time_ms":1795756582800,"heard":[{"from":"1","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"3","heard":false,"received":40,"lost":80,"duplicates":0,"loss":1.0,"last_seen_ms":1795756502800,"age_ms":80000,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"4","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"5","heard":false,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756573800,"age_ms":9000,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"6","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]}]},{"node":"3","answered":true,"probing":true,"interval_ms":1000,"time_ms":1795756582800,"heard":[{"from":"1","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"2","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"4","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"5","heard":false,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756573800,"age_ms":9000,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"6","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]}]},{"node":"4","answered":true,"probing":true,"interval_ms":1000,"time_ms":1795756582800,"heard":[{"from":"1","heard":true,"received":120,"lost":3,"duplicates":0,"loss":0.25,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"2","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"3","heard":false,"received":40,"lost":80,"duplicates":0,"loss":1.0,"last_seen_ms":1795756502800,"age_ms":80000,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"5","heard":false,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756573800,"age_ms":9000,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"6","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]}]},{"node":"5","answered":false,"in_view":false,"heard":[]},{"node":"6","answered":true,"probing":true,"interval_ms":1000,"time_ms":1795756582800,"heard":[{"from":"1","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"2","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"3","heard":false,"received":40,"lost":80,"duplicates":0,"loss":1.0,"last_seen_ms":1795756502800,"age_ms":80000,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"4","heard":true,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756582300,"age_ms":500,"via":["10.0.1.0/24>10.0.1.0/24"]},{"from":"5","heard":false,"received":120,"lost":0,"duplicates":0,"loss":0.0,"last_seen_ms":1795756573800,"age_ms":9000,"via":["10.0.1.0/24>10.0.1.0/24"]}]}]})";

// get-state of Fig. 5's routing points, the relay's listeners and wanted groups (issue 18):
// node 2 (routes A, system leader) hears two groups on A, sends 239.1.0.5 to 6 and everything to
// 4, which has not said what it wants; node 6 (routes B) hears one group on B and sends both of
// A's groups up; node 4 runs an agent from before listening (no listeners, no peer_wants).
inline const char *kRelayState2 =
    R"({"node":"2","leads":["10.0.1.0/24"],"relay":{"mode":"loopback","prune":true,)"
    R"("listeners":[{"network":"10.0.1.0/24","querying":true,"querier":"10.0.1.2","refused":0,)"
    R"("groups":[{"group":"239.1.0.5","age_ms":1234,"expires_in_ms":250000,"reporters":1},)"
    R"({"group":"239.1.0.7","age_ms":75000,"expires_in_ms":200000,"reporters":2}]}],)"
    R"("tunnels":[{"peer":"6","role":"root","state":"up","networks":["10.0.2.0/24"],)"
    R"("peer_wants":["239.1.0.5"],"wants_sent":["239.1.0.5","239.1.0.7"],"pruned_packets":12},)"
    R"({"peer":"4","role":"root","state":"up","networks":["10.0.3.0/24"],)"
    R"("peer_wants":null,"wants_sent":null,"pruned_packets":0}]}})";
inline const char *kRelayState6 =
    R"({"node":"6","leads":["10.0.2.0/24"],"relay":{"mode":"loopback","prune":true,)"
    R"("listeners":[{"network":"10.0.2.0/24","querying":false,"querier":"10.0.2.4","refused":0,)"
    R"("groups":[{"group":"239.1.0.5","age_ms":500,"expires_in_ms":259500,"reporters":1}]}],)"
    R"("tunnels":[{"peer":"2","role":"leaf","state":"up","networks":["10.0.2.0/24"],)"
    R"("peer_wants":["239.1.0.5","239.1.0.7"],"wants_sent":["239.1.0.5"],"pruned_packets":3}]}})";
inline const char *kRelayState4Old =
    R"({"node":"4","leads":["10.0.3.0/24"],"relay":{"mode":"loopback",)"
    R"("tunnels":[{"peer":"2","role":"leaf","state":"up","networks":["10.0.3.0/24"]}]}})";

// get-state of node 2 (Fig. 5's system leader) with what its limits dropped (issue 18): a tunnel
// limit of 30,000 B/s and a channel limit of 100 datagrams/s in force; its tunnel to 6 dropped
// `limitedTo6` datagrams of 800 bytes, its tunnel to 4 none; its one channel range dropped 40 by
// its rate limit and `boundary` by a boundary. The probe channel comes last, as the agent lists it.
inline std::string relayLimits2(int limitedTo6, int boundary)
{
    const std::string to6 = std::to_string(limitedTo6);
    const std::string bytesTo6 = std::to_string(limitedTo6 * 800);
    const std::string bounded = std::to_string(boundary);
    return R"({"node":"2","leads":["10.0.1.0/24"],"relay":{"mode":"loopback","prune":true,)"
           R"("listeners":[],"tunnels":[{"peer":"6","role":"root","state":"up",)"
           R"("networks":["10.0.2.0/24"],"peer_wants":null,"wants_sent":null,"pruned_packets":0,)"
           R"("limited_packets":)" +
           to6 + R"(,"limited_bytes":)" + bytesTo6 +
           R"(},{"peer":"4","role":"root","state":"up","networks":["10.0.3.0/24"],)"
           R"("peer_wants":null,"wants_sent":null,"pruned_packets":0,"limited_packets":0,)"
           R"("limited_bytes":0}],"channels":[{"channel":"239.1.0.0/16:5000-5100",)"
           R"("ingested":500,"emitted":10,"limited_packets":40,"limited_bytes":4000,)"
           R"("boundary_packets":)" +
           bounded +
           R"j(,"below_threshold_packets":0},{"channel":"239.255.77.1:7699 (probe)",)j"
           R"("ingested":9,"emitted":9,"limited_packets":0,"limited_bytes":0,)"
           R"("boundary_packets":0,"below_threshold_packets":0}],"limits":{"boundaries":)"
           R"(["239.255.0.0/16","224.0.0.0/24"],"network_boundaries":{"10.0.2.0/24":)"
           R"(["239.3.0.0/16"]},"threshold":1,"tunnel":{"bytes_per_s":30000,"datagrams_per_s":0,)"
           R"("burst_bytes":8192,"burst_datagrams":0},"channel":{"bytes_per_s":0,)"
           R"("datagrams_per_s":100,"burst_bytes":0,"burst_datagrams":20}},"drops":{"boundary":)" +
           bounded + R"(,"below-threshold":0,"rate-limit-tunnel":)" + to6 +
           R"(,"rate-limit-channel":40}}})";
}

} // namespace dmr::console::testdata
