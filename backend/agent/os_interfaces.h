#pragma once
// The host's interfaces as DMR reads them: every interface that is up, is not
// loopback and has an IPv4 or IPv6 address with a prefix, one entry per address.

#include "dmr/model.h"

namespace dmr::agent {

Result<std::vector<Interface>> readOsInterfaces();

} // namespace dmr::agent

#include "asio.h"

#include <functional>
#include <memory>

namespace dmr::agent {

// Watches rtnetlink for link and address changes and calls `changed` (debounced by a few
// milliseconds, since one `ip` command sends several messages). The caller re-reads the
// interfaces: a link going down or an address going away is an adapter failure.
class InterfaceWatch
{
public:
    InterfaceWatch(asio::io_context &io, std::function<void()> changed);
    ~InterfaceWatch();
    Result<std::monostate> start();

private:
    awaitable<void> readLoop();

    asio::io_context &io_;
    std::function<void()> changed_;
    std::unique_ptr<asio::posix::stream_descriptor> socket_;
    asio::steady_timer debounce_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
