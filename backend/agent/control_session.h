#pragma once
// One control connection's state, shared by the two halves of ControlServer: accepting, reading
// and serving (control_server.cpp), and writing, closing and the deadlines (control_session.cpp).
// Internal to the agent: included by nothing else.

#include "control_server.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <variant>

namespace dmr::agent {

namespace control_detail {
using Clock = std::chrono::steady_clock;
using TlsStream = asio::ssl::stream<tcp::socket>;
} // namespace control_detail

struct ControlServer::Session
{
    using Clock = control_detail::Clock;
    using TlsStream = control_detail::TlsStream;

    Session(tcp::socket s, const protocol::Credentials &credentials,
            const std::shared_ptr<asio::ssl::context> &tls)
        : stream(tls ? std::variant<tcp::socket, TlsStream>(std::in_place_type<TlsStream>,
                                                            std::move(s), *tls)
                     : std::variant<tcp::socket, TlsStream>(std::move(s)))
        , wake(lowest().get_executor())
        , resume(lowest().get_executor())
        , gate(credentials)
    {
        wake.expires_at(asio::steady_timer::time_point::max());
        resume.expires_at(asio::steady_timer::time_point::max());
    }

    tcp::socket &lowest()
    {
        if (auto *t = std::get_if<TlsStream>(&stream))
            return t->next_layer();
        return std::get<tcp::socket>(stream);
    }
    TlsStream *tls() { return std::get_if<TlsStream>(&stream); }

    awaitable<std::size_t> readSome(asio::mutable_buffer buffer, error_code &ec)
    {
        if (auto *t = tls())
            co_return co_await t->async_read_some(buffer, ec_await(ec));
        co_return co_await std::get<tcp::socket>(stream).async_read_some(buffer, ec_await(ec));
    }
    awaitable<std::size_t> writeSome(asio::const_buffer buffer, error_code &ec)
    {
        if (auto *t = tls())
            co_return co_await t->async_write_some(buffer, ec_await(ec));
        co_return co_await std::get<tcp::socket>(stream).async_write_some(buffer, ec_await(ec));
    }

    std::variant<tcp::socket, TlsStream> stream;
    asio::steady_timer wake;   // cancelled to wake the writer
    asio::steady_timer resume; // cancelled to wake a reader waiting for room
    protocol::LineFramer framer;
    protocol::SessionGate gate;
    ControlSession info;
    std::string address;   // the peer's address without its port
    std::uint64_t seq = 0; // accept order: the oldest has the lowest
    std::deque<protocol::LineFramer::Event> requests;
    std::size_t requestBytes = 0;
    std::deque<std::string> queue;
    std::size_t queuedBytes = 0;
    int inFlight = 0;
    Clock::time_point accepted = Clock::now();
    Clock::time_point lastRequest = Clock::now();
    Clock::time_point sendProgress = Clock::now();
    bool sending = false;
    bool ready = false; // in ready_
    bool eof = false;   // the client sent everything it will
    bool subscribed = false;
    bool closing = false; // no more requests: close once the queue is written
    bool closed = false;
};

} // namespace dmr::agent
