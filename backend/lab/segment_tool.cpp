// dmr-segment: send and receive multicast on a network's loopback segment, the way an
// application on that network would when the agents run the relay in loopback mode (dmr-lab's
// default). The segment of (cluster, network) is relay::loopbackSegment's group and port on
// 127.0.0.1; see backend/agent/segment_io.h.
//
//   dmr-segment send --cluster fig5 --network 10.0.1.0/24 --channel 239.1.2.3:5000 --count 5
//   dmr-segment recv --cluster fig5 --network 10.0.2.0/24 --channel 239.1.2.3:5000 --count 5
//
// send prints one line per datagram sent; recv one line per datagram received (channel, the
// sender's port, the payload as text) and exits 0 once --count arrived, 1 on --timeout-ms.
// recv listens to the channel's group as an application's host would (a listen frame now, one
// for each query of the segment's querier, a leave when it exits): with relay.prune the relays
// bring a group only where someone listens.

#include "clidoc_cli11.h"
#include "segment_io.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <thread>

int main(int argc, char **argv)
{
    CLI::App app{"dmr-segment: send or receive on a network's loopback segment (dmr-lab's relay)"};
    app.require_subcommand(1);
    std::string cluster;
    std::string network;
    std::string channelText = "239.1.2.3:5000";
    int count = 1;
    int intervalMs = 100;
    int timeoutMs = 10000;
    std::string text = "hello";
    auto common = [&](CLI::App *sub) {
        sub->add_option("--cluster", cluster, "The cluster's name (dmr-lab: the topology's)")
            ->required();
        sub->add_option("--network", network, "The network, as in 10.0.1.0/24")->required();
        sub->add_option("--channel", channelText, "GROUP:PORT (default 239.1.2.3:5000)");
        sub->add_option("--count", count, "How many datagrams (default 1)");
    };
    auto *send = app.add_subcommand("send", "Send --count datagrams \"TEXT N\" on the segment");
    common(send);
    send->add_option("--text", text, "The payload's text; the sequence number follows it");
    send->add_option("--interval-ms", intervalMs, "Between two datagrams (default 100)");
    auto *recv = app.add_subcommand("recv", "Print what the segment carries on the channel");
    common(recv);
    recv->add_option("--timeout-ms", timeoutMs, "Give up after this long (default 10000)");
    if (auto rc = dmr::clidoc::printIfAsked(app, "dmr-segment", DMR_VERSION, argc, argv))
        return *rc;
    CLI11_PARSE(app, argc, argv);

    auto channel = dmr::relay::Channel::parse(channelText);
    if (!channel) {
        std::cerr << "dmr-segment: --channel: " << channel.error().message << "\n";
        return 2;
    }
    if (!dmr::Prefix::parse(network)) {
        std::cerr << "dmr-segment: --network: " << dmr::Prefix::parse(network).error().message
                  << "\n";
        return 2;
    }
    auto sock = dmr::agent::LoopbackSegmentSocket::open(cluster, network);
    if (!sock) {
        std::cerr << "dmr-segment: " << sock.error().message << "\n";
        return 1;
    }
    const auto seg = (*sock)->segment();
    std::cerr << "dmr-segment: " << network << " of cluster " << cluster << " is "
              << dmr::relay::ipv4Text(seg.group) << ":" << seg.port << " on 127.0.0.1\n";
    if (send->parsed()) {
        for (int i = 1; i <= count; ++i) {
            const std::string payload = text + " " + std::to_string(i);
            if (!(*sock)->send(*channel,
                               std::span(reinterpret_cast<const std::uint8_t *>(payload.data()),
                                         payload.size()))) {
                std::cerr << "dmr-segment: send failed\n";
                return 1;
            }
            std::cout << "sent " << channel->toString() << " " << payload << std::endl;
            if (i < count)
                std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
        }
        return 0;
    }
    if (!(*sock)->listen(channel->group)) {
        std::cerr << "dmr-segment: could not say on the segment that it listens to "
                  << channel->group.toString() << "\n";
        return 1;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    int got = 0;
    while (got < count) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0)
            break;
        auto d = (*sock)->receive(static_cast<int>(left));
        if (!d)
            break;
        if (!(d->channel == *channel))
            continue;
        ++got;
        std::cout << "received " << d->channel.toString() << " from port " << d->sourcePort << ": "
                  << std::string(d->payload.begin(), d->payload.end()) << std::endl;
    }
    if (got < count) {
        std::cerr << "dmr-segment: " << got << " of " << count << " within " << timeoutMs
                  << " ms\n";
        return 1;
    }
    return 0;
}
