#include "transport.h"
#include "listen.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

namespace dmr::agent {

namespace {

std::string remoteOf(const tcp::socket &socket)
{
    error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    if (ec)
        return "?";
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}

// Lines of a byte stream, taken one at a time out of a growing buffer.
struct LineBuffer
{
    std::string data;
    std::size_t start = 0;

    std::optional<std::string_view> next()
    {
        const auto nl = data.find('\n', start);
        if (nl == std::string::npos)
            return std::nullopt;
        const std::string_view line = std::string_view(data).substr(start, nl - start);
        start = nl + 1;
        return line;
    }
    // Drops what was taken; the bytes of an unfinished line remain.
    std::size_t compact()
    {
        data.erase(0, start);
        start = 0;
        return data.size();
    }
};

} // namespace

PeerTransport::PeerTransport(asio::io_context &io, std::string key, frame::Identity self,
                             Handlers handlers)
    : io_(io)
    , key_(std::move(key))
    , self_(std::move(self))
    , handlers_(std::move(handlers))
{
}

PeerTransport::~PeerTransport()
{
    *alive_ = false;
}

void PeerTransport::count(frame::HandshakeFailure failure)
{
    if (failure == frame::HandshakeFailure::Key)
        ++counters_.keyMismatches;
    else if (failure == frame::HandshakeFailure::Version)
        ++counters_.versionMismatches;
}

std::int64_t PeerTransport::steadyMs() const
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void PeerTransport::logLimited(const std::string &peer, const std::string &kind,
                               const std::string &line)
{
    const std::string text = logLimiter_.admit(peer + " " + kind, line, steadyMs());
    if (!text.empty())
        handlers_.log(text);
}

Result<std::monostate> PeerTransport::listen(const HostPort &endpoint)
{
    auto acceptor = bindAcceptor(io_, endpoint, "membership.listen");
    if (!acceptor)
        return acceptor.error();
    acceptor_ = *acceptor;
    asio::co_spawn(io_, acceptLoop(acceptor_), asio::detached);
    return std::monostate{};
}

awaitable<void> PeerTransport::acceptLoop(std::shared_ptr<tcp::acceptor> acceptor)
{
    auto alive = alive_;
    for (;;) {
        error_code ec;
        tcp::socket socket = co_await acceptor->async_accept(ec_await(ec));
        if (!*alive || !acceptor->is_open())
            co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted)
                co_return;
            ++counters_.acceptErrors;
            logLimited("membership.listen", "accept", "membership accept: " + ec.message());
            // Out of file descriptors (or buffers): the pending connection stays in the backlog
            // and accept would fail again at once. Wait instead of spinning.
            asio::steady_timer pause(io_, std::chrono::milliseconds(kAcceptBackoffMs));
            co_await pause.async_wait(ec_await(ec));
            if (!*alive)
                co_return;
            continue;
        }
        const std::string remote = remoteOf(socket);
        if (pending_ >= limits_.pendingMax) {
            // Full of connections that have not said hello: the oldest goes, so that a flood of
            // idle ones cannot keep a real peer out for longer than it takes to send a hello.
            std::shared_ptr<Incoming> oldest;
            for (const auto &in : incoming_)
                if (!in->authenticated && (!oldest || in->acceptedMs < oldest->acceptedMs))
                    oldest = in;
            if (oldest) {
                ++counters_.pendingRefused;
                logLimited(oldest->remote, "pending",
                           "membership connection from " + oldest->remote +
                               " closed: " + std::to_string(limits_.pendingMax) +
                               " connections are in their handshake, it was the oldest");
                closeIncoming(oldest);
            }
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto in = std::make_shared<Incoming>(std::move(socket));
        in->remote = remote;
        in->acceptedMs = steadyMs();
        incoming_.insert(in);
        ++pending_;
        auto timer = std::make_shared<asio::steady_timer>(
            io_, std::chrono::milliseconds(limits_.handshakeTimeoutMs));
        std::weak_ptr<Incoming> weak = in;
        timer->async_wait([this, alive, weak, timer](const error_code &e) {
            if (e || !*alive)
                return;
            auto i = weak.lock();
            if (!i || i->authenticated || incoming_.count(i) == 0)
                return;
            ++counters_.handshakeTimeouts;
            logLimited(i->remote, "timeout",
                       "membership connection from " + i->remote +
                           " closed: no cluster hello "
                           "within " +
                           std::to_string(limits_.handshakeTimeoutMs) + " ms");
            closeIncoming(i);
        });
        asio::co_spawn(io_, serve(in), asio::detached);
    }
}

awaitable<void> PeerTransport::serve(std::shared_ptr<Incoming> in)
{
    auto alive = alive_;
    frame::Acceptor handshake(key_, self_.node, frame::freshNonce());
    frame::Opener opener;
    error_code ec;
    co_await asio::async_write(in->socket, asio::buffer(handshake.challenge()), ec_await(ec));
    if (!*alive)
        co_return;
    LineBuffer lines;
    std::array<char, 8 * 1024> chunk{}; // per connection: the coordinator holds hundreds
    while (!ec && incoming_.count(in) != 0) {
        while (auto line = lines.next()) {
            if (!in->authenticated) {
                auto accepted = handshake.onHello(*line);
                if (!accepted) {
                    ++counters_.handshakesRefused;
                    count(handshake.failure());
                    logLimited(in->remote, "hello",
                               "membership connection from " + in->remote +
                                   " refused: " + accepted.error().message);
                    const std::string refusal = handshake.refusal();
                    co_await asio::async_write(in->socket, asio::buffer(refusal), ec_await(ec));
                    if (*alive)
                        closeIncoming(in);
                    co_return;
                }
                in->authenticated = true;
                --pending_;
                ++counters_.sessions;
                in->peer = accepted->peer;
                opener = accepted->opener;
                co_await asio::async_write(in->socket, asio::buffer(accepted->welcome),
                                           ec_await(ec));
                if (!*alive)
                    co_return;
                if (ec || incoming_.count(in) == 0)
                    break;
                continue;
            }
            frame::Refusal why{};
            auto opened = opener.open(*line, &why);
            if (!opened) {
                if (why == frame::Refusal::Replayed)
                    ++counters_.framesReplayed;
                else
                    ++counters_.framesRejected;
                logLimited(in->remote, std::string(frame::toString(why)),
                           "cluster frame from " + in->remote + " (node " + in->peer.node +
                               ") refused, closing its connection: " + opened.error().message);
                closeIncoming(in);
                co_return;
            }
            handlers_.message(std::move(opened->payload));
            if (!*alive || incoming_.count(in) == 0)
                co_return; // the handler dropped every connection (a kill drill)
        }
        if (ec)
            break;
        const std::size_t bound =
            in->authenticated ? frame::kFrameBytesMax : frame::kHandshakeLineBytesMax;
        if (lines.compact() > bound) {
            ++counters_.framesRejected;
            logLimited(in->remote, "oversize",
                       "membership connection from " + in->remote + ": a line over " +
                           std::to_string(bound) + " bytes; closing it");
            break;
        }
        const std::size_t n =
            co_await in->socket.async_read_some(asio::buffer(chunk), ec_await(ec));
        if (!*alive)
            co_return;
        if (!ec)
            lines.data.append(chunk.data(), n);
    }
    // An accepted connection ended. That alone proves nothing: the peer may only have dropped
    // its connection to a node it no longer counts. A crash shows on this node's own connection
    // to the peer, which the dialling side reads.
    closeIncoming(in);
}

void PeerTransport::closeIncoming(const std::shared_ptr<Incoming> &in)
{
    if (incoming_.erase(in) == 0)
        return;
    if (!in->authenticated)
        --pending_;
    error_code ignored;
    in->socket.close(ignored);
}

void PeerTransport::send(const std::string &address, const std::string &payload)
{
    auto &out = outgoing_[address];
    if (!out) {
        out = std::make_shared<Outgoing>(io_);
        asio::co_spawn(io_, dial(address, out), asio::detached);
    }
    if (out->queue.size() >= kQueueFramesMax) {
        out->queue.pop_front();
        ++counters_.framesDropped;
    }
    out->queue.push_back(payload);
    startWriter(address, out);
}

void PeerTransport::startWriter(const std::string &address, const std::shared_ptr<Outgoing> &out)
{
    if (!out->connected || out->writing || out->closed ||
        (out->queue.empty() && out->hello.empty()))
        return;
    // Marked here, not when the writer first runs: co_spawn only posts it, and a second send
    // before then would start a second writer. Two async_writes on one socket interleave their
    // partial writes, and the peer reads torn frames (bad MAC) once a view is larger than the
    // socket takes at once (Fig. 1's 128-node views did).
    out->writing = true;
    asio::co_spawn(io_, writer(address, out), asio::detached);
}

awaitable<void> PeerTransport::dial(std::string address, std::shared_ptr<Outgoing> out)
{
    auto alive = alive_;
    auto ep = parseEndpoint(address);
    if (!ep) {
        handlers_.log("peer address " + ep.error().message);
        closeOutgoing(address, out);
        co_return;
    }
    error_code ec;
    co_await out->socket.async_connect(*ep, ec_await(ec));
    if (!*alive || out->closed)
        co_return;
    if (ec) {
        // Refused: nothing listens there, the process is gone (or not yet started).
        closeOutgoing(address, out);
        handlers_.lost(address);
        co_return;
    }
    out->socket.set_option(tcp::no_delay(true), ec);
    if (userTimeoutMs_ > 0) {
        const unsigned timeout = static_cast<unsigned>(userTimeoutMs_);
        ::setsockopt(out->socket.native_handle(), IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout,
                     sizeof timeout);
    }

    // The handshake: the peer's challenge, then its answer to our hello, within the deadline.
    frame::Dialer handshake(key_, self_, frame::freshNonce());
    enum class Stage { Challenge, Answer, Up } stage = Stage::Challenge;
    auto timedOut = std::make_shared<bool>(false);
    asio::steady_timer deadline(io_, std::chrono::milliseconds(limits_.handshakeTimeoutMs));
    deadline.async_wait([out, timedOut](const error_code &e) {
        if (e)
            return;
        *timedOut = true;
        error_code ignored;
        out->socket.cancel(ignored);
    });
    // A handshake that fails proves nothing about the peer's life (another key, another
    // version, a peer too starved to answer in time): the connection closes, unreported, and the
    // next message dials again. Only a refused dial or an established session that ends is a
    // loss.
    auto fail = [&](const std::string &kind, const std::string &why) {
        logLimited(address, kind, "membership peer " + address + ": " + why);
        closeOutgoing(address, out);
    };
    LineBuffer lines;
    std::array<char, 1024> chunk{};
    for (;;) {
        while (stage != Stage::Up) {
            auto line = lines.next();
            if (!line)
                break;
            if (stage == Stage::Challenge) {
                auto hello = handshake.onChallenge(*line);
                if (!hello) {
                    count(handshake.failure());
                    deadline.cancel();
                    fail("challenge", hello.error().message);
                    co_return;
                }
                out->hello = std::move(hello->hello);
                out->sealer = hello->sealer;
                out->connected = true;
                stage = Stage::Answer;
                startWriter(address, out);
                continue;
            }
            auto answer = handshake.onAnswer(*line);
            deadline.cancel();
            if (!answer) {
                count(handshake.failure());
                fail("answer", answer.error().message);
                co_return;
            }
            ++counters_.sessions;
            stage = Stage::Up;
            out->up = true;
        }
        // The peer writes nothing after its answer, but reading tells us when it closes.
        if (stage == Stage::Up)
            lines = LineBuffer{};
        else if (lines.compact() > frame::kHandshakeLineBytesMax) {
            deadline.cancel();
            fail("oversize", "its handshake line is over " +
                                 std::to_string(frame::kHandshakeLineBytesMax) + " bytes");
            co_return;
        }
        const std::size_t n =
            co_await out->socket.async_read_some(asio::buffer(chunk), ec_await(ec));
        if (!*alive || out->closed)
            co_return;
        if (ec) {
            deadline.cancel();
            if (*timedOut) {
                fail("timeout", "no cluster handshake within " +
                                    std::to_string(limits_.handshakeTimeoutMs) +
                                    " ms (stalled, an older DMR without one, or not a DMR agent)");
                co_return;
            }
            if (stage != Stage::Up) {
                fail("closed", "closed the connection during the handshake (" + ec.message() + ")");
                co_return;
            }
            break;
        }
        lines.data.append(chunk.data(), n);
    }
    closeOutgoing(address, out);
    handlers_.lost(address);
}

awaitable<void> PeerTransport::writer(std::string address, std::shared_ptr<Outgoing> out)
{
    auto alive = alive_; // out->writing was set by startWriter
    while ((!out->queue.empty() || !out->hello.empty()) && !out->closed) {
        // Gather what is queued into one write: fewer syscalls under bursts. Frames are sealed
        // here, in the order they go out, so their sequence numbers are the stream's order.
        std::string batch = std::move(out->hello);
        out->hello.clear();
        while (!out->queue.empty() && batch.size() < 256 * 1024) {
            batch += out->sealer.seal(out->queue.front());
            out->queue.pop_front();
        }
        error_code ec;
        co_await asio::async_write(out->socket, asio::buffer(batch), ec_await(ec));
        if (!*alive)
            co_return;
        if (ec) {
            out->writing = false;
            if (!out->closed) {
                closeOutgoing(address, out);
                if (out->up) // see dial(): a failed handshake is not a loss
                    handlers_.lost(address);
            }
            co_return;
        }
    }
    out->writing = false;
}

void PeerTransport::closeOutgoing(const std::string &address, const std::shared_ptr<Outgoing> &out)
{
    out->closed = true;
    error_code ignored;
    out->socket.close(ignored);
    auto it = outgoing_.find(address);
    if (it != outgoing_.end() && it->second == out)
        outgoing_.erase(it);
}

void PeerTransport::forget(const std::string &address)
{
    auto it = outgoing_.find(address);
    if (it == outgoing_.end())
        return;
    auto out = it->second;
    out->queue.clear();
    error_code ignored;
    out->socket.set_option(asio::socket_base::linger(true, 0), ignored); // RST, no flush
    closeOutgoing(address, out);
}

void PeerTransport::dropAll(bool keepListening)
{
    if (acceptor_ && !keepListening) {
        error_code ignored;
        acceptor_->close(ignored);
        acceptor_.reset();
    }
    auto outs = outgoing_;
    for (auto &[address, out] : outs)
        closeOutgoing(address, out);
    auto ins = incoming_;
    for (const auto &in : ins)
        closeIncoming(in);
}

} // namespace dmr::agent
