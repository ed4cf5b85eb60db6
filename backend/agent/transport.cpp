#include "transport.h"
#include "listen.h"

#include "frame.h"

#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace dmr::agent {

namespace {

Result<tcp::endpoint> parseEndpoint(const std::string &address)
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

} // namespace

PeerTransport::PeerTransport(asio::io_context &io, std::string key, Handlers handlers)
    : io_(io)
    , key_(std::move(key))
    , handlers_(std::move(handlers))
{
}

PeerTransport::~PeerTransport()
{
    *alive_ = false;
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
            handlers_.log("membership accept: " + ec.message());
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto in = std::make_shared<Incoming>(std::move(socket));
        incoming_.insert(in);
        asio::co_spawn(io_, reader(in->socket, &in->peerAddress, in), asio::detached);
    }
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
        ++framesDropped_;
    }
    out->queue.push_back(seal(key_, payload));
    startWriter(address, out);
}

void PeerTransport::startWriter(const std::string &address, const std::shared_ptr<Outgoing> &out)
{
    if (!out->connected || out->writing || out->closed || out->queue.empty())
        return;
    // Marked here, not when the writer first runs: co_spawn only posts it, and a second send
    // before then would start a second writer. Two async_writes on one socket interleave their
    // partial writes, and the peer reads torn frames (bad HMAC) once a view is larger than the
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
    out->connected = true;
    startWriter(address, out);
    // The peer never writes on our dialled connection, but reading it tells us when it closes.
    std::string *none = nullptr;
    co_await reader(out->socket, none, out);
    if (!*alive || out->closed)
        co_return;
    closeOutgoing(address, out);
    handlers_.lost(address);
}

awaitable<void> PeerTransport::writer(std::string address, std::shared_ptr<Outgoing> out)
{
    auto alive = alive_; // out->writing was set by startWriter
    while (!out->queue.empty() && !out->closed) {
        // Gather what is queued into one write: fewer syscalls under bursts.
        std::string batch;
        while (!out->queue.empty() && batch.size() < 256 * 1024) {
            batch += out->queue.front();
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
                handlers_.lost(address);
            }
            co_return;
        }
    }
    out->writing = false;
}

awaitable<void> PeerTransport::reader(tcp::socket &socket, std::string *peerAddress,
                                      std::shared_ptr<void> keepAlive)
{
    auto alive = alive_;
    std::string buffer;
    std::array<char, 8 * 1024> chunk{}; // per connection: the coordinator holds hundreds
    for (;;) {
        error_code ec;
        const std::size_t n = co_await socket.async_read_some(asio::buffer(chunk), ec_await(ec));
        if (!*alive)
            co_return;
        if (ec)
            break;
        buffer.append(chunk.data(), n);
        std::size_t start = 0;
        for (;;) {
            const auto nl = buffer.find('\n', start);
            if (nl == std::string::npos)
                break;
            deliver(std::string_view(buffer).substr(start, nl - start), peerAddress);
            start = nl + 1;
        }
        buffer.erase(0, start);
        if (buffer.size() > kFrameBytesMax) {
            handlers_.log("cluster frame over " + std::to_string(kFrameBytesMax) +
                          " bytes; closing the connection");
            ++framesRejected_;
            break;
        }
    }
    if (peerAddress != nullptr) {
        // An accepted connection ended. That alone proves nothing: the peer may only have
        // dropped its connection to a node it no longer counts. A crash shows on this node's
        // own connection to the peer, which the dialling side reads.
        for (auto it = incoming_.begin(); it != incoming_.end(); ++it) {
            if (it->get() == keepAlive.get()) {
                error_code ignored;
                (*it)->socket.close(ignored);
                incoming_.erase(it);
                break;
            }
        }
    }
}

void PeerTransport::deliver(std::string_view line, std::string *peerAddress)
{
    auto payload = open(key_, line);
    if (!payload) {
        ++framesRejected_;
        handlers_.log("cluster frame rejected: " + payload.error().message);
        return;
    }
    if (peerAddress != nullptr && peerAddress->empty()) {
        // Learn who is on the other end from the first message's "addr".
        auto j = nlohmann::json::parse(*payload, nullptr, false);
        if (j.is_object() && j.contains("addr") && j["addr"].is_string())
            *peerAddress = j["addr"].get<std::string>();
    }
    handlers_.message(std::move(payload).value());
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
    for (const auto &in : incoming_) {
        error_code ignored;
        in->peerAddress.clear(); // no loss reports for what we closed ourselves
        in->socket.close(ignored);
    }
    incoming_.clear();
}

} // namespace dmr::agent
