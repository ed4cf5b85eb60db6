#include "control_server.h"
#include "control_session.h"
#include "listen.h"

#include "dmr/backoff.h"
#include "dmr/replies.h"

#include <algorithm>
#include <array>
#include <map>
#include <variant>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace dmr::agent {

using control_detail::Clock;

namespace {

constexpr std::size_t kReadChunkBytes = 4 * 1024;

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
        .count();
}

// A peer that vanishes without a FIN (a cable cut) is found by TCP keepalive: about 2 minutes.
void keepalive(tcp::socket &socket)
{
    error_code ignored;
    socket.set_option(asio::socket_base::keep_alive(true), ignored);
    const int fd = socket.native_handle();
    const int idleS = 60;
    const int intervalS = 10;
    const int count = 6;
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idleS, sizeof idleS);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intervalS, sizeof intervalS);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

bool outOfResources(const error_code &ec)
{
    return ec == asio::error::no_descriptors || ec.value() == ENFILE ||
           ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

} // namespace

ControlServer::ControlServer(asio::io_context &io, NodeId agentNode, std::string version,
                             AgentConfig::ControlSection config, Handler handler, RoleFn role,
                             LogFn log)
    : io_(io)
    , node_(std::move(agentNode))
    , version_(std::move(version))
    , config_(std::move(config))
    , credentials_{config_.operatorToken, config_.viewerToken, config_.anonymousViewers()}
    , handler_(std::move(handler))
    , role_(std::move(role))
    , log_(std::move(log))
    , serveWake_(io)
    , sweep_(io)
{
    serveWake_.expires_at(asio::steady_timer::time_point::max());
}

ControlServer::~ControlServer()
{
    *alive_ = false;
}

Result<std::monostate> ControlServer::listen()
{
    if (config_.tls()) {
        auto ctx = makeControlTlsContext(config_);
        if (!ctx)
            return ctx.error();
        tls_ = *ctx;
    }
    auto acceptor = bindAcceptor(io_, config_.listen, "control.listen");
    if (!acceptor)
        return acceptor.error();
    acceptor_ = *acceptor;
    asio::co_spawn(io_, acceptLoop(acceptor_), asio::detached);
    asio::co_spawn(io_, serveLoop(), asio::detached);
    asio::co_spawn(io_, sweepLoop(), asio::detached);
    return std::monostate{};
}

void ControlServer::logPeer(const Session &s, std::string_view kind, const std::string &what)
{
    if (!log_)
        return;
    const std::string line = logLimit_.admit("control " + std::string(kind),
                                             "control " + s.info.peer + ": " + what, nowMs());
    if (!line.empty())
        log_(line);
}

// ---- Accepting ----------------------------------------------------------------------------------

awaitable<void> ControlServer::acceptLoop(std::shared_ptr<tcp::acceptor> acceptor)
{
    auto alive = alive_;
    asio::steady_timer pause(io_);
    Backoff backoff(50, 1000); // out of descriptors: 50 ms doubling to 1 s
    for (;;) {
        error_code ec;
        tcp::socket socket = co_await acceptor->async_accept(ec_await(ec));
        if (!*alive || ec == asio::error::operation_aborted)
            co_return;
        if (ec) {
            // Out of descriptors the pending connection stays queued and the listening socket
            // stays readable: accepting again at once would spin. Wait, longer each time.
            ++acceptErrors_;
            std::chrono::milliseconds wait{10};
            if (outOfResources(ec))
                wait = std::chrono::milliseconds(backoff.next());
            if (log_) {
                const std::string line = logLimit_.admit(
                    "control accept",
                    "control " + config_.listen.toString() + ": accept: " + ec.message() +
                        "; accepting again in " + std::to_string(wait.count()) + " ms",
                    nowMs());
                if (!line.empty())
                    log_(line);
            }
            pause.expires_after(wait);
            co_await pause.async_wait(ec_await(ec));
            if (!*alive)
                co_return;
            continue;
        }
        backoff.reset();
        admit(std::move(socket));
    }
}

// Before a new connection: at most max_unauthenticated wait for their hello, and at most
// max_clients in all. The connection evicted is the oldest of those without a hello from the
// address that holds the most of them: one address flooding the port evicts its own.
void ControlServer::makeRoomForOneMore()
{
    const auto maxUnauth = static_cast<std::size_t>(
        std::max(1, std::min(config_.maxUnauthenticated, config_.maxClients)));
    for (;;) {
        std::map<std::string, std::pair<std::size_t, SessionPtr>> byAddress; // count, oldest
        std::size_t waiting = 0;
        for (const auto &s : sessions_) {
            if (s->gate.greeted() || s->closing)
                continue;
            ++waiting;
            auto &[count, oldest] = byAddress[s->address];
            ++count;
            if (!oldest || s->seq < oldest->seq)
                oldest = s;
        }
        const bool full = sessions_.size() >= static_cast<std::size_t>(config_.maxClients);
        if (waiting == 0 || (waiting < maxUnauth && !full))
            return;
        SessionPtr victim;
        std::size_t most = 0;
        for (const auto &[address, entry] : byAddress) {
            if (entry.first > most || (entry.first == most && entry.second->seq < victim->seq)) {
                most = entry.first;
                victim = entry.second;
            }
        }
        ++evicted_;
        logPeer(*victim, "evicted",
                "no hello yet, evicted for a newer connection (" + std::to_string(waiting) +
                    " waiting for their hello)");
        close(victim);
    }
}

void ControlServer::admit(tcp::socket socket)
{
    error_code ec;
    // Replies and events are small lines: do not hold them back for the client's ACK.
    socket.set_option(tcp::no_delay(true), ec);
    keepalive(socket);
    const auto remote = socket.remote_endpoint(ec);
    makeRoomForOneMore();
    auto s = std::make_shared<Session>(std::move(socket), credentials_, tls_);
    s->seq = nextSeq_++;
    s->address = remote.address().to_string();
    s->info.peer = (remote.address().is_v6() ? "[" + s->address + "]" : s->address) + ":" +
                   std::to_string(remote.port());
    if (sessions_.size() >= static_cast<std::size_t>(config_.maxClients)) {
        // Every slot holds a session past its hello: this one is told so, and closed.
        ++rejected_;
        rejecting_.insert(s);
        logPeer(*s, "busy",
                "busy: already serving " + std::to_string(config_.maxClients) + " clients");
    } else {
        sessions_.insert(s);
    }
    spawnOwned(s, run(s), "session");
}

// Runs a session's coroutine; however it ends, an exception included, the session is closed
// and its slot freed.
void ControlServer::spawnOwned(const SessionPtr &s, awaitable<void> task, const char *what)
{
    auto alive = alive_;
    asio::co_spawn(io_, std::move(task), [this, s, alive, what](std::exception_ptr e) {
        if (!*alive)
            return;
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception &ex) {
                logPeer(*s, "internal",
                        std::string("internal error in its ") + what + ": " + ex.what() +
                            "; closed");
            } catch (...) {
                logPeer(*s, "internal", std::string("internal error in its ") + what + "; closed");
            }
            close(s);
        }
    });
}

awaitable<void> ControlServer::run(SessionPtr s)
{
    auto alive = alive_;
    if (auto *t = s->tls()) {
        error_code ec;
        co_await t->async_handshake(asio::ssl::stream_base::server, ec_await(ec));
        if (!*alive || s->closed)
            co_return;
        if (ec) {
            ++handshakesFailed_;
            logPeer(*s, "tls", "TLS handshake failed: " + ec.message());
            close(s);
            co_return;
        }
        if (auto cert = verifiedPeerCertificate(t->native_handle()))
            s->gate.setCertificate(certificateRole(*cert, config_), cert->subject);
    }
    spawnOwned(s, writer(s), "writer");
    if (rejecting_.count(s) != 0) {
        enqueue(s, protocol::encodeError({}, protocol::ErrorCode::Busy,
                                         "busy: already serving " +
                                             std::to_string(config_.maxClients) +
                                             " clients (control.max_clients); try later"));
        finish(s);
        co_return;
    }
    co_await reader(s);
}

// ---- Reading and serving ------------------------------------------------------------------------

awaitable<void> ControlServer::reader(SessionPtr s)
{
    auto alive = alive_;
    std::array<char, kReadChunkBytes> chunk{};
    while (!s->closing) {
        // Room for what the next read may bring: framed requests wait to be served.
        while (!s->closing &&
               (s->requests.size() >= kPendingRequestsMax || s->requestBytes >= kPendingBytesMax)) {
            error_code ec;
            co_await s->resume.async_wait(ec_await(ec));
            if (!*alive)
                co_return;
        }
        if (s->closing)
            co_return;
        error_code ec;
        const std::size_t n = co_await s->readSome(asio::buffer(chunk), ec);
        if (!*alive || s->closing)
            co_return; // one guess: after a refused hello nothing more is looked at
        if (ec) {
            if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
                // The client said all it will: answer what it sent, then close.
                s->eof = true;
                schedule(s);
            } else {
                close(s);
            }
            co_return;
        }
        for (auto &event : s->framer.feed(std::string_view(chunk.data(), n))) {
            s->requestBytes += event.text.size();
            s->requests.push_back(std::move(event));
        }
        schedule(s);
    }
}

bool ControlServer::blocked(const Session &s) const
{
    return s.queuedBytes > kQueueBytesPause || s.inFlight >= kInFlightMax;
}

void ControlServer::schedule(const SessionPtr &s)
{
    if (s->ready || s->closing || blocked(*s) || (s->requests.empty() && !s->eof))
        return;
    s->ready = true;
    ready_.push_back(s);
    serveWake_.cancel();
}

awaitable<void> ControlServer::serveLoop()
{
    auto alive = alive_;
    for (;;) {
        if (ready_.empty()) {
            error_code ec;
            co_await serveWake_.async_wait(ec_await(ec));
            if (!*alive)
                co_return;
            continue;
        }
        const auto start = Clock::now();
        while (!ready_.empty() && Clock::now() - start < kServeTurn) {
            SessionPtr s = std::move(ready_.front());
            ready_.pop_front();
            s->ready = false;
            if (s->closing || blocked(*s))
                continue; // its writer or its answers put it back
            if (s->requests.empty()) {
                if (s->eof && s->inFlight == 0)
                    finish(s);
                continue;
            }
            auto event = std::move(s->requests.front());
            s->requests.pop_front();
            s->requestBytes -= event.text.size();
            s->resume.cancel();
            try {
                serveOne(s, std::move(event));
            } catch (const std::exception &e) {
                logPeer(*s, "internal",
                        std::string("internal error serving a request: ") + e.what());
                enqueue(s, protocol::encodeError({}, protocol::ErrorCode::Failed,
                                                 "internal error; the request was not served"));
            }
            schedule(s);
        }
        // Let the timers and every other handler of the io_context run.
        co_await asio::post(io_, use_awaitable);
        if (!*alive)
            co_return;
    }
}

void ControlServer::serveOne(const SessionPtr &s, protocol::LineFramer::Event event)
{
    if (event.kind == protocol::LineFramer::Event::Kind::TooLong) {
        ++rejected_;
        logPeer(*s, "line-too-long", "line-too-long: " + event.text);
        enqueue(s, protocol::encodeError({}, protocol::ErrorCode::LineTooLong, event.text));
        return;
    }
    auto decoded = protocol::decodeRequest(event.text);
    if (auto *err = std::get_if<protocol::RequestError>(&decoded)) {
        ++rejected_;
        logPeer(*s, protocol::toString(err->code),
                std::string(protocol::toString(err->code)) + ": " + err->message);
        enqueue(s, protocol::encodeError(*err));
        return;
    }
    const auto &request = std::get<protocol::Request>(decoded);
    s->lastRequest = Clock::now();
    if (auto refused = s->gate.admit(request)) {
        ++rejected_;
        if (refused->code == protocol::ErrorCode::NotAuthorized ||
            request.kind == protocol::RequestKind::Hello)
            logPeer(*s, "refused",
                    "refused " + std::string(protocol::toString(request.kind)) +
                        (request.kind == protocol::RequestKind::Hello
                             ? " of client \"" + request.hello.client + "\""
                             : std::string()) +
                        ": " + refused->message);
        enqueue(s, protocol::encodeError(*refused));
        if (s->gate.closeAfterReply()) {
            // One guess per connection: what it sent after the hello is never looked at.
            s->requests.clear();
            s->requestBytes = 0;
            finish(s);
        }
        return;
    }
    ++served_;
    if (request.kind == protocol::RequestKind::Hello) {
        s->info.client = request.hello.client;
        s->info.role = s->gate.role();
        s->info.identity = s->gate.identity();
        // The session speaks the version the hello named (one this agent speaks: decodeRequest
        // refused any other, listing ours).
        enqueue(s, protocol::encodeHelloReply(request.id, node_, version_, role_(), s->gate.role(),
                                              s->gate.identity(), request.hello.protocol));
        return;
    }
    if (request.kind == protocol::RequestKind::Subscribe) {
        s->subscribed = request.subscribeEvents;
        // The reply, then what the client missed (a bounded replay), before any new event.
        reply::Subscribe plain;
        plain.events = request.subscribeEvents;
        std::pair<std::string, std::vector<std::string>> replayed{reply::encodeSubscribe(plain),
                                                                  {}};
        if (replay_ && request.subscribeEvents)
            replayed = replay_(request);
        auto reply = protocol::encodeOk(request.id, replayed.first);
        enqueue(s, reply ? *reply
                         : protocol::encodeError(request.id, protocol::ErrorCode::Failed,
                                                 reply.error().message));
        for (auto &line : replayed.second)
            enqueue(s, std::move(line), true);
        return;
    }
    ++s->inFlight;
    std::weak_ptr<Session> weak = s;
    auto alive = alive_;
    handler_(request, s->info, [this, weak, alive](std::string line) {
        if (!*alive)
            return;
        if (auto session = weak.lock()) {
            --session->inFlight;
            enqueue(session, std::move(line));
            schedule(session);
        }
    });
}

} // namespace dmr::agent
