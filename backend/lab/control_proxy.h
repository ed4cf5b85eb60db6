#pragma once
// dmr-lab --netns: the agents' control ports live on 127.0.0.1 inside each node's namespace,
// which the host cannot reach. The proxy listens on 127.0.0.1:PORT in dmr-lab's own namespace and
// relays every connection, byte for byte, to 127.0.0.1:PORT inside the node's namespace (a socket
// made there with setns). The ports are the same on both sides, so the control addresses that
// get-cluster lists are the ones the host reaches: `dmrctl --connect 127.0.0.1:18400` and the
// console's move to another agent work unchanged.
//
// One thread, poll(). Bounded: at most kConnectionsMax connections (more are closed at once and
// counted), kBufferBytes per direction (a full buffer stops reading that side: no byte is
// dropped).

#include "dmr/result.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace dmr::lab {

class ControlProxy
{
public:
    struct Route
    {
        std::uint16_t port = 0; // on 127.0.0.1 here and there
        std::string netns;      // /run/netns/NAME
    };
    static constexpr std::size_t kConnectionsMax = 256;
    static constexpr std::size_t kBufferBytes = 256 * 1024;

    // Binds every listener (an error names the port), then starts the thread.
    static Result<std::unique_ptr<ControlProxy>> start(std::vector<Route> routes);
    ~ControlProxy();
    ControlProxy(const ControlProxy &) = delete;
    ControlProxy &operator=(const ControlProxy &) = delete;

    std::uint64_t connectionsRefused() const { return refused_.load(); }
    std::uint64_t upstreamFailures() const { return upstreamFailures_.load(); }

    // A socket of the named network namespace, made by this thread stepping in and back out;
    // -1 when it cannot be made.
    static int socketInNetns(const std::string &netns, int type);

private:
    ControlProxy() = default;
    void loop();

    std::vector<Route> routes_;
    std::vector<int> listeners_;
    int wake_[2] = {-1, -1};
    std::thread thread_;
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<std::uint64_t> upstreamFailures_{0};
};

} // namespace dmr::lab
