#include "peer_link.h"

#include "config.h"
#include "listen.h"

#include <array>

namespace dmr::agent {

namespace {

// A socket error, as the crash rule reads it.
etcd::LinkEnd classify(const error_code &ec)
{
    if (ec == asio::error::eof || ec == asio::error::connection_reset)
        return etcd::LinkEnd::Closed;
    if (ec == asio::error::connection_refused)
        return etcd::LinkEnd::Refused;
    if (ec == asio::error::timed_out)
        return etcd::LinkEnd::TimedOut;
    return etcd::LinkEnd::Failed;
}

} // namespace

struct PeerLinks::Link
{
    explicit Link(asio::io_context &io)
        : socket(io)
        , deadline(io)
    {
    }
    tcp::socket socket;
    asio::steady_timer deadline;
    NodeId node;
    bool timedOut = false;
    bool closed = false;
    bool up = false;
};

PeerLinks::PeerLinks(asio::io_context &io, std::string key, frame::Identity self, Handlers handlers)
    : io_(io)
    , key_(std::move(key))
    , self_(std::move(self))
    , handlers_(std::move(handlers))
{
}

PeerLinks::~PeerLinks()
{
    *alive_ = false;
    closeAll();
}

void PeerLinks::open(LinkId id, NodeId node, std::string address)
{
    close(id);
    auto link = std::make_shared<Link>(io_);
    link->node = node;
    links_[id] = link;
    asio::co_spawn(io_, run(id, link, std::move(node), std::move(address)), asio::detached);
}

void PeerLinks::close(LinkId id)
{
    auto it = links_.find(id);
    if (it == links_.end())
        return;
    auto link = it->second;
    links_.erase(it);
    link->closed = true;
    error_code ignored;
    link->deadline.cancel();
    link->socket.close(ignored);
}

void PeerLinks::closeAll()
{
    while (!links_.empty())
        close(links_.begin()->first);
}

void PeerLinks::finish(LinkId id, const std::shared_ptr<Link> &link, etcd::LinkEnd how,
                       const std::string &why)
{
    if (link->closed)
        return;
    close(id);
    if (handlers_.ended)
        handlers_.ended(id, how, link->up, link->node, why);
}

awaitable<void> PeerLinks::run(LinkId id, std::shared_ptr<Link> link, NodeId node,
                               std::string address)
{
    auto alive = alive_;
    auto ep = parseEndpoint(address);
    if (!ep) {
        finish(id, link, etcd::LinkEnd::Failed, ep.error().message);
        co_return;
    }
    // One deadline for the connect, then another for the handshake; a timeout cancels the
    // socket's operation and is reported as such.
    auto arm = [link](int ms) {
        link->timedOut = false;
        link->deadline.expires_after(std::chrono::milliseconds(ms));
        link->deadline.async_wait([link](const error_code &e) {
            if (e || link->closed)
                return;
            link->timedOut = true;
            error_code ignored;
            link->socket.cancel(ignored);
        });
    };
    auto ended = [&](const error_code &ec, const std::string &what) {
        const etcd::LinkEnd how = link->timedOut ? etcd::LinkEnd::TimedOut : classify(ec);
        finish(id, link, how, what + ": " + (link->timedOut ? "timed out" : ec.message()));
    };
    error_code ec;
    arm(limits_.connectTimeoutMs);
    co_await link->socket.async_connect(*ep, ec_await(ec));
    if (!*alive || link->closed)
        co_return;
    if (ec) {
        ended(ec, "connect");
        co_return;
    }
    link->socket.set_option(tcp::no_delay(true), ec);
    arm(limits_.handshakeTimeoutMs);

    frame::Dialer handshake(key_, self_, frame::freshNonce());
    std::string buffer;
    std::array<char, 1024> chunk{};
    // The next line of the handshake, bounded; nullopt once the link ended (reported).
    auto readLine = [&]() -> awaitable<std::optional<std::string>> {
        for (;;) {
            if (const auto nl = buffer.find('\n'); nl != std::string::npos) {
                std::string line = buffer.substr(0, nl);
                buffer.erase(0, nl + 1);
                co_return line;
            }
            if (buffer.size() > frame::kHandshakeLineBytesMax) {
                ++counters_.handshakesFailed;
                finish(id, link, etcd::LinkEnd::Failed,
                       "a handshake line over " + std::to_string(frame::kHandshakeLineBytesMax) +
                           " bytes");
                co_return std::nullopt;
            }
            error_code rec;
            const std::size_t n =
                co_await link->socket.async_read_some(asio::buffer(chunk), ec_await(rec));
            if (!*alive || link->closed)
                co_return std::nullopt;
            if (rec) {
                // Closed during the handshake: the peer did not prove anything yet.
                ++counters_.handshakesFailed;
                const bool timedOut = link->timedOut;
                finish(id, link, timedOut ? etcd::LinkEnd::TimedOut : etcd::LinkEnd::Failed,
                       "handshake: " + (timedOut ? std::string("timed out") : rec.message()));
                co_return std::nullopt;
            }
            buffer.append(chunk.data(), n);
        }
    };
    auto challenge = co_await readLine();
    if (!challenge)
        co_return;
    auto hello = handshake.onChallenge(*challenge);
    if (!hello || hello->peer != node) {
        ++counters_.handshakesFailed;
        finish(id, link, etcd::LinkEnd::Failed,
               !hello ? hello.error().message
                      : "the agent at " + address + " says it is node " + hello->peer + ", not " +
                            node);
        co_return;
    }
    co_await asio::async_write(link->socket, asio::buffer(hello->hello), ec_await(ec));
    if (!*alive || link->closed)
        co_return;
    if (ec) {
        ++counters_.handshakesFailed;
        finish(id, link, etcd::LinkEnd::Failed, "handshake: " + ec.message());
        co_return;
    }
    auto answer = co_await readLine();
    if (!answer)
        co_return;
    if (auto ok = handshake.onAnswer(*answer); !ok) {
        ++counters_.handshakesFailed;
        finish(id, link, etcd::LinkEnd::Failed, ok.error().message);
        co_return;
    }
    link->deadline.cancel();
    link->timedOut = false;
    ++counters_.linksUp;
    link->up = true;
    if (handlers_.up)
        handlers_.up(id);
    if (!*alive || link->closed)
        co_return;
    // Up. The peer sends nothing more: any byte is out of protocol, and ends the link as a
    // failure (which revokes nothing); only its host closing it is a Closed.
    if (!buffer.empty()) {
        finish(id, link, etcd::LinkEnd::Failed, "bytes after the welcome");
        co_return;
    }
    const std::size_t n = co_await link->socket.async_read_some(asio::buffer(chunk), ec_await(ec));
    if (!*alive || link->closed)
        co_return;
    if (!ec && n > 0) {
        finish(id, link, etcd::LinkEnd::Failed, "bytes after the welcome");
        co_return;
    }
    if (classify(ec) == etcd::LinkEnd::Closed)
        ++counters_.closedByPeer;
    ended(ec, "link");
}

void PeerLinks::probe(LinkId id, std::string address)
{
    asio::co_spawn(io_, runProbe(id, std::move(address)), asio::detached);
}

awaitable<void> PeerLinks::runProbe(LinkId id, std::string address)
{
    auto alive = alive_;
    ++counters_.probes;
    auto ep = parseEndpoint(address);
    if (!ep) {
        if (handlers_.probed)
            handlers_.probed(id, etcd::ProbeResult::Failed, ep.error().message);
        co_return;
    }
    auto socket = std::make_shared<tcp::socket>(io_);
    auto timedOut = std::make_shared<bool>(false);
    asio::steady_timer deadline(io_, std::chrono::milliseconds(limits_.connectTimeoutMs));
    deadline.async_wait([socket, timedOut](const error_code &e) {
        if (e)
            return;
        *timedOut = true;
        error_code ignored;
        socket->cancel(ignored);
    });
    error_code ec;
    co_await socket->async_connect(*ep, ec_await(ec));
    // Connected: the kernel may have completed the handshake into the listen queue of a process
    // that is exiting (its established connections close before its listening socket). A live
    // agent writes its challenge at once; a dying one's listener resets the connection.
    std::array<char, 64> first{};
    std::size_t got = 0;
    if (!ec && !*timedOut)
        got = co_await socket->async_read_some(asio::buffer(first), ec_await(ec));
    deadline.cancel();
    error_code ignored;
    socket->close(ignored);
    if (!*alive)
        co_return;
    etcd::ProbeResult result = etcd::ProbeResult::Failed;
    std::string why;
    if (*timedOut) {
        why = "timed out";
    } else if (ec == asio::error::connection_refused) {
        result = etcd::ProbeResult::Refused;
        why = ec.message();
    } else if (ec == asio::error::connection_reset) {
        result = etcd::ProbeResult::Refused;
        why = "accepted into the listen queue, then reset before the first byte (its listener "
              "closed: the process is exiting)";
    } else if (!ec && got > 0) {
        result = etcd::ProbeResult::Accepted;
        why = "it answered";
    } else {
        why = ec ? ec.message() : "no answer";
    }
    if (result == etcd::ProbeResult::Refused)
        ++counters_.probesRefused;
    if (handlers_.probed)
        handlers_.probed(id, result, why);
}

} // namespace dmr::agent
