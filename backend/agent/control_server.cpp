#include "control_server.h"
#include "listen.h"

#include <deque>

namespace dmr::agent {

struct ControlServer::Session
{
    Session(tcp::socket s, std::string token)
        : socket(std::move(s))
        , wake(socket.get_executor())
        , gate(std::move(token))
    {
        wake.expires_at(asio::steady_timer::time_point::max());
    }
    tcp::socket socket;
    asio::steady_timer wake; // cancelled to wake the writer
    protocol::LineFramer framer;
    protocol::SessionGate gate;
    ControlSession info;
    std::deque<std::string> queue;
    bool subscribed = false;
    bool closing = false; // close once the queue is written
    bool closed = false;
};

ControlServer::ControlServer(asio::io_context &io, NodeId agentNode, std::string version,
                             std::string operatorToken, int maxClients, Handler handler,
                             RoleFn role)
    : io_(io)
    , node_(std::move(agentNode))
    , version_(std::move(version))
    , token_(std::move(operatorToken))
    , maxClients_(maxClients)
    , handler_(std::move(handler))
    , role_(std::move(role))
{
}

ControlServer::~ControlServer()
{
    *alive_ = false;
}

Result<std::monostate> ControlServer::listen(const HostPort &endpoint)
{
    auto acceptor = bindAcceptor(io_, endpoint, "control.listen");
    if (!acceptor)
        return acceptor.error();
    acceptor_ = *acceptor;
    asio::co_spawn(io_, acceptLoop(acceptor_), asio::detached);
    return std::monostate{};
}

awaitable<void> ControlServer::acceptLoop(std::shared_ptr<tcp::acceptor> acceptor)
{
    auto alive = alive_;
    for (;;) {
        error_code ec;
        tcp::socket socket = co_await acceptor->async_accept(ec_await(ec));
        if (!*alive)
            co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted)
                co_return;
            continue;
        }
        // Replies and events are small lines: do not hold them back for the client's ACK.
        socket.set_option(tcp::no_delay(true), ec);
        auto s = std::make_shared<Session>(std::move(socket), token_);
        error_code ignored;
        auto remote = s->socket.remote_endpoint(ignored);
        s->info.peer = remote.address().to_string() + ":" + std::to_string(remote.port());
        sessions_.insert(s);
        asio::co_spawn(io_, writer(s), asio::detached);
        if (static_cast<int>(sessions_.size()) > maxClients_) {
            ++rejected_;
            enqueue(s,
                    protocol::encodeError({}, protocol::ErrorCode::Busy,
                                          "busy: already serving " + std::to_string(maxClients_) +
                                              " clients (control.max_clients); try later"));
            s->closing = true;
            continue;
        }
        asio::co_spawn(io_, reader(s), asio::detached);
    }
}

void ControlServer::publish(const std::string &line)
{
    for (const auto &s : sessions_)
        if (s->subscribed)
            enqueue(s, line);
}

void ControlServer::enqueue(const std::shared_ptr<Session> &s, std::string line)
{
    if (s->closed)
        return;
    if (s->queue.size() >= kQueueLinesMax) {
        // A client that does not read cannot hold the agent's memory: cut it off.
        close(s);
        return;
    }
    s->queue.push_back(std::move(line));
    s->wake.cancel();
}

void ControlServer::close(const std::shared_ptr<Session> &s)
{
    if (s->closed)
        return;
    s->closed = true;
    error_code ignored;
    s->socket.shutdown(tcp::socket::shutdown_both, ignored);
    s->socket.close(ignored);
    s->wake.cancel();
    sessions_.erase(s);
}

awaitable<void> ControlServer::writer(std::shared_ptr<Session> s)
{
    auto alive = alive_;
    for (;;) {
        if (s->queue.empty()) {
            if (s->closing || s->closed) {
                close(s);
                co_return;
            }
            error_code ec;
            co_await s->wake.async_wait(ec_await(ec));
            if (!*alive)
                co_return;
            continue;
        }
        std::string batch;
        while (!s->queue.empty() && batch.size() < 1024 * 1024) {
            batch += s->queue.front();
            s->queue.pop_front();
        }
        error_code ec;
        co_await asio::async_write(s->socket, asio::buffer(batch), ec_await(ec));
        if (!*alive)
            co_return;
        if (ec) {
            close(s);
            co_return;
        }
    }
}

awaitable<void> ControlServer::reader(std::shared_ptr<Session> s)
{
    auto alive = alive_;
    std::array<char, 4 * 1024> chunk{};
    while (!s->closed && !s->closing) {
        error_code ec;
        const std::size_t n = co_await s->socket.async_read_some(asio::buffer(chunk), ec_await(ec));
        if (!*alive)
            co_return;
        if (ec) {
            // The client went away: finish writing nothing more.
            close(s);
            co_return;
        }
        for (auto &event : s->framer.feed(std::string_view(chunk.data(), n))) {
            if (event.kind == protocol::LineFramer::Event::Kind::TooLong) {
                ++rejected_;
                enqueue(s, protocol::encodeError({}, protocol::ErrorCode::LineTooLong, event.text));
                continue;
            }
            auto decoded = protocol::decodeRequest(event.text);
            if (auto *err = std::get_if<protocol::RequestError>(&decoded)) {
                ++rejected_;
                enqueue(s, protocol::encodeError(*err));
                continue;
            }
            const auto &request = std::get<protocol::Request>(decoded);
            if (auto refused = s->gate.admit(request)) {
                ++rejected_;
                enqueue(s, protocol::encodeError(*refused));
                if (s->gate.closeAfterReply())
                    s->closing = true;
                continue;
            }
            ++served_;
            if (request.kind == protocol::RequestKind::Hello) {
                s->info.client = request.hello.client;
                s->info.isOperator = s->gate.isOperator();
                enqueue(s, protocol::encodeHelloReply(request.id, node_, version_, role_(),
                                                      s->gate.isOperator()));
                continue;
            }
            if (request.kind == protocol::RequestKind::Subscribe) {
                s->subscribed = request.subscribeEvents;
                std::pair<std::string, std::vector<std::string>> replayed{
                    request.subscribeEvents ? R"({"events":true})" : R"({"events":false})", {}};
                if (replay_ && request.subscribeEvents)
                    replayed = replay_(request);
                auto reply = protocol::encodeOk(request.id, replayed.first);
                enqueue(s, reply ? *reply
                                 : protocol::encodeError(request.id, protocol::ErrorCode::Failed,
                                                         reply.error().message));
                for (auto &line : replayed.second)
                    enqueue(s, std::move(line));
                continue;
            }
            std::weak_ptr<Session> weak = s;
            auto alive2 = alive_;
            handler_(request, s->info, [this, weak, alive2](std::string line) {
                if (!*alive2)
                    return;
                if (auto session = weak.lock())
                    enqueue(session, std::move(line));
            });
        }
    }
}

} // namespace dmr::agent
