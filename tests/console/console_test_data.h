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
    R"({"failovers":[{"cause":"connection-lost","detected_ms":1795756582802,"elected_ms":1795756582803,"election_ms":1,"id":1,"node":"2","roles":["system-leader","leader 10.0.1.0/24"],"silent_ms":11,"successors":{"leader 10.0.1.0/24":"1","system-leader":"6"},"total_ms":2,"tunnels_ms":1,"tunnels_up_ms":1795756582804,"view_id":"2.0"},)"
    R"({"cause":"silent","detected_ms":1795756590000,"elected_ms":1795756590004,"election_ms":4,"id":2,"node":"4","roles":["leader 10.0.3.0/24"],"silent_ms":300,"successors":{"leader 10.0.3.0/24":null},"total_ms":null,"tunnels_ms":null,"tunnels_up_ms":null,"view_id":"2.1"}]})";

// get-drills: a forwarded kill still in force and an ended adapter failure.
inline const char *kDrillsJson =
    R"({"drills":[{"action":"kill","client":"dmr-console 0.1.0","duration_ms":3000,"ended_ms":null,"id":1,"node":"2","reason":"failover drill","started_ms":1795756582801,"via":"6"},)"
    R"({"action":"fail-adapter","client":"dmrctl 0.1.0","ended_ms":1795756599000,"id":2,"iface":"eth1","node":"4","reason":"cable pull","started_ms":1795756590000}]})";

} // namespace dmr::console::testdata
