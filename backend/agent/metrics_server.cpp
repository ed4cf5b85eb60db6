#include "metrics_server.h"
#include "listen.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace dmr::agent {

namespace beast = boost::beast;
namespace http = beast::http;

MetricsServer::MetricsServer(asio::io_context &io, Render metrics, Ready ready)
    : io_(io)
    , metrics_(std::move(metrics))
    , ready_(std::move(ready))
{
}

MetricsServer::~MetricsServer()
{
    *alive_ = false;
}

Result<std::monostate> MetricsServer::listen(const HostPort &endpoint)
{
    auto acceptor = bindAcceptor(io_, endpoint, "metrics.listen");
    if (!acceptor)
        return acceptor.error();
    acceptor_ = *acceptor;
    asio::co_spawn(io_, acceptLoop(acceptor_), asio::detached);
    return std::monostate{};
}

awaitable<void> MetricsServer::acceptLoop(std::shared_ptr<tcp::acceptor> acceptor)
{
    auto alive = alive_;
    asio::steady_timer pause(io_);
    for (;;) {
        error_code ec;
        tcp::socket socket = co_await acceptor->async_accept(ec_await(ec));
        if (!*alive || ec == asio::error::operation_aborted)
            co_return;
        if (!ec) {
            asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
            continue;
        }
        // Out of descriptors the listening socket stays readable: accepting again at once would
        // spin. A scrape can wait a quarter of a second.
        pause.expires_after(std::chrono::milliseconds(250));
        co_await pause.async_wait(ec_await(ec));
        if (!*alive)
            co_return;
    }
}

awaitable<void> MetricsServer::serve(tcp::socket socket)
{
    auto alive = alive_;
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(5)); // a slow client cannot hold a connection
    beast::flat_buffer buffer(16 * 1024);
    http::request_parser<http::empty_body> parser;
    parser.header_limit(8 * 1024);
    error_code ec;
    co_await http::async_read(stream, buffer, parser, ec_await(ec));
    if (!*alive || ec)
        co_return;
    const auto &req = parser.get();
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(false);
    res.set(http::field::server, "dmr-agent");
    const std::string target(req.target());
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        res.result(http::status::method_not_allowed);
        res.body() = "only GET\n";
    } else if (target == "/metrics") {
        res.result(http::status::ok);
        res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = metrics_();
    } else if (target == "/livez") {
        res.result(http::status::ok);
        res.body() = "ok\n";
    } else if (target == "/readyz") {
        const auto [ready, why] = ready_();
        res.result(ready ? http::status::ok : http::status::service_unavailable);
        res.body() = ready ? "ready\n" : "not ready: " + why + "\n";
    } else {
        res.result(http::status::not_found);
        res.body() = "not found; try /metrics, /livez or /readyz\n";
    }
    res.prepare_payload();
    co_await http::async_write(stream, res, ec_await(ec));
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

} // namespace dmr::agent
