// dmr-bench-prune: what pruning saves on the tunnels. Eight networks with one dmr-agent each
// (loopback mode, no root): node 1 joins first and is the system leader, the root of a star of
// seven tunnels. A receiver on network 8 listens to the channel, the receivers of the other
// networks do not. A sender on network 2 (a leaf) sends --datagrams datagrams of 100 bytes.
// With relay.prune on, then off (flooding, the relay before pruning): every tunnel's data bytes
// out, summed over all agents (probes off, so only the stream counts), and what each network's
// receiver got. Progress goes to stderr, the figures to stdout.
//
//   ./build/tests/bench/dmr-bench-prune [--datagrams 2000] [--agent PATH]

#include "agent_cluster.h"
#include "segment_streams.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>

#include <cstdio>
#include <unistd.h>

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

constexpr int kNetworks = 8;
constexpr int kDeadlineMs = 60000;

dmr::GroupName network(int k)
{
    return "10.0." + std::to_string(k) + ".0/24";
}

struct Result
{
    bool ok = false;
    qint64 tunnelBytes = 0;
    qint64 tunnelPackets = 0;
    int listenerGot = 0;
    int othersGot = 0; // datagrams of the stream on networks that do not listen (not the origin)
};

Result run(const QString &agent, bool prune, int count)
{
    Result r;
    const std::string cluster =
        "bench-prune-" + std::to_string(::getpid()) + (prune ? "-on" : "-off");
    const auto channel = *dmr::relay::Channel::parse("239.1.2.3:5001");
    AgentCluster c(agent);
    std::vector<dmr::GroupName> networks;
    for (int k = 1; k <= kNetworks; ++k) {
        c.addNode(QString::number(k), {s("eth0=10.0.%1.%1/24").arg(k)});
        networks.push_back(network(k));
    }
    for (const auto &id : c.ids())
        c.appendArgs(id,
                     c.loopbackRelayArgs(id, cluster) +
                         QStringList{s("--relay.channels"), s("239.1.0.0/16:5000-5100"),
                                     s("--relay.keepalive_ms"), s("100"),
                                     s("--relay.probe_interval_ms"), s("0"), s("--relay.prune"),
                                     prune ? s("true") : s("false"), s("--relay.query_interval_ms"),
                                     s("3000"), s("--relay.query_response_ms"), s("500")});
    SegmentStreams streams(cluster, networks, channel);
    std::string error;
    if (!streams.open(&error)) {
        std::fprintf(stderr, "dmr-bench-prune: %s\n", error.c_str());
        return r;
    }
    for (int k = 1; k < kNetworks; ++k)
        streams.listen(network(k), false); // only network 8's receiver listens
    if (!c.startAll()) {
        std::fprintf(stderr, "dmr-bench-prune: the agents did not start\n");
        return r;
    }
    if (!AgentCluster::waitFor([&] { return c.relayTunnelsUp(s("1"), kNetworks - 1); },
                               kDeadlineMs)) {
        std::fprintf(stderr, "dmr-bench-prune: node 1 never held %d tunnels up\n", kNetworks - 1);
        return r;
    }
    streams.announce();
    QString why;
    const QString group = QString::fromStdString(channel.group.toString());
    const bool settled = AgentCluster::waitFor(
        [&] {
            streams.receiveAll(20);
            return c.relayListens(s("8"), QString::fromStdString(network(kNetworks)), group) &&
                   (!prune || c.relayPruning(c.ids(), &why));
        },
        kDeadlineMs);
    if (!settled) {
        std::fprintf(stderr, "dmr-bench-prune: the agents did not settle: %s\n", qPrintable(why));
        return r;
    }
    auto sum = [&](const char *key) {
        qint64 n = 0;
        for (const auto &id : c.ids())
            for (const auto &t : c.relayOf(id)[s("tunnels")].toArray())
                n += t.toObject()[s(key)].toInteger();
        return n;
    };
    const qint64 bytesBefore = sum("bytes_out");
    const qint64 packetsBefore = sum("packets_out");
    const std::string tag = "bench";
    if (!streams.send(network(2), tag, 1, count)) {
        std::fprintf(stderr, "dmr-bench-prune: a send failed\n");
        return r;
    }
    const auto got = streams.collect(tag, count, {network(kNetworks)}, kDeadlineMs);
    r.listenerGot = got.at(network(kNetworks)).total(tag);
    for (int k = 1; k < kNetworks; ++k)
        if (k != 2)
            r.othersGot += got.at(network(k)).total(tag);
    // The counters as they stand once the stream is through (the agents answer at once).
    AgentCluster::waitFor([&] { return sum("packets_out") - packetsBefore >= count * 2; }, 2000);
    r.tunnelBytes = sum("bytes_out") - bytesBefore;
    r.tunnelPackets = sum("packets_out") - packetsBefore;
    r.ok = true;
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(s("dmr-bench-prune"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        s("Tunnel bytes with and without pruning: 8 networks, one listener (network 8), a "
          "sender on network 2, real dmr-agent processes in loopback mode."));
    parser.addHelpOption();
    const QCommandLineOption agentOpt(s("agent"), s("the dmr-agent to run"), s("path"),
                                      s(DMR_AGENT_PATH));
    const QCommandLineOption countOpt(s("datagrams"), s("datagrams sent (default 2000)"), s("n"),
                                      s("2000"));
    parser.addOptions({agentOpt, countOpt});
    parser.process(app);
    const int count = parser.value(countOpt).toInt();
    if (count <= 0) {
        std::fprintf(stderr, "dmr-bench-prune: --datagrams must be positive\n");
        return 2;
    }
    std::fprintf(stderr, "dmr-bench-prune: pruning on...\n");
    const Result on = run(parser.value(agentOpt), true, count);
    std::fprintf(stderr, "dmr-bench-prune: pruning off (flooding)...\n");
    const Result off = run(parser.value(agentOpt), false, count);
    if (!on.ok || !off.ok)
        return 1;
    std::printf("%d datagrams of 100 bytes from network 2, 1 of %d networks listening "
                "(network 8)\n",
                count, kNetworks);
    std::printf("%-22s %14s %14s %14s %18s\n", "", "tunnel bytes", "tunnel dgrams", "network 8 got",
                "non-listeners got");
    auto row = [&](const char *name, const Result &r) {
        std::printf("%-22s %14lld %14lld %14d %18d\n", name, static_cast<long long>(r.tunnelBytes),
                    static_cast<long long>(r.tunnelPackets), r.listenerGot, r.othersGot);
    };
    row("pruning (relay.prune)", on);
    row("flooding", off);
    if (off.tunnelBytes > 0)
        std::printf("pruning sends %.1f%% of flooding's tunnel bytes\n",
                    100.0 * static_cast<double>(on.tunnelBytes) /
                        static_cast<double>(off.tunnelBytes));
    return 0;
}
