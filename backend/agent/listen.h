#pragma once
// Binding a listening TCP socket for one of the agent's ports, with an error that names the
// configuration key: "control.listen 127.0.0.1:7500: Address already in use"; and the endpoint a
// peer's advertised "HOST:PORT" dials.

#include "asio.h"
#include "config.h"

#include <memory>
#include <string_view>

namespace dmr::agent {

inline Result<std::shared_ptr<tcp::acceptor>>
bindAcceptor(asio::io_context &io, const HostPort &endpoint, std::string_view key)
{
    error_code ec;
    const auto ip = asio::ip::make_address(endpoint.host.toString(), ec);
    const tcp::endpoint ep(ip, endpoint.port);
    auto acceptor = std::make_shared<tcp::acceptor>(io);
    if (!ec)
        acceptor->open(ep.protocol(), ec);
    if (!ec)
        acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        acceptor->bind(ep, ec);
    if (!ec)
        acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return Error{std::string(key) + " " + endpoint.toString() + ": " + ec.message()};
    return acceptor;
}

inline Result<tcp::endpoint> parseEndpoint(const std::string &address)
{
    auto hp = HostPort::parse(address);
    if (!hp)
        return hp.error();
    error_code ec;
    auto ip = asio::ip::make_address(hp->host.toString(), ec);
    if (ec)
        return Error{address + ": " + ec.message()};
    return tcp::endpoint(ip, hp->port);
}

} // namespace dmr::agent
