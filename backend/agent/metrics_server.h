#pragma once
// A small HTTP endpoint (Boost.Beast): GET /metrics (Prometheus text format), /livez (the
// process serves) and /readyz (the agent is in a view and has applied its plan). One request
// per connection, bounded in size and time.

#include "asio.h"
#include "config.h"

#include <functional>

namespace dmr::agent {

class MetricsServer
{
public:
    using Render = std::function<std::string()>;
    using Ready = std::function<std::pair<bool, std::string>()>; // ready?, why not

    MetricsServer(asio::io_context &io, Render metrics, Ready ready);
    ~MetricsServer();
    Result<std::monostate> listen(const HostPort &endpoint);

private:
    awaitable<void> acceptLoop(std::shared_ptr<tcp::acceptor> acceptor);
    awaitable<void> serve(tcp::socket socket);

    asio::io_context &io_;
    Render metrics_;
    Ready ready_;
    std::shared_ptr<tcp::acceptor> acceptor_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
