#pragma once
// The cluster transport: authenticated line frames over TCP, one outgoing connection per peer
// address, dialled on first send. Whatever arrives on any connection (accepted or dialled) is
// handed up. A dialled connection that closes, or a dial that is refused, is reported as lost:
// for a crashed process that is proof of death, long before heartbeats would tell. (An accepted
// connection closing is not: the peer may just have dropped a node it no longer counts.)

#include "asio.h"
#include "config.h"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace dmr::agent {

class PeerTransport
{
public:
    struct Handlers
    {
        std::function<void(std::string payload)> message;
        std::function<void(const std::string &address)> lost;
        std::function<void(const std::string &what)> log;
    };

    // Bound on frames queued for one peer; past it the oldest is dropped and counted.
    static constexpr std::size_t kQueueFramesMax = 4096;

    PeerTransport(asio::io_context &io, std::string key, Handlers handlers);
    ~PeerTransport();

    // Binds the listening socket now, so that a bad address fails at start-up.
    Result<std::monostate> listen(const HostPort &endpoint);
    void send(const std::string &address, const std::string &payload);
    // Closes every connection at once, with no goodbye (a crash, for drills). With
    // keepListening the port stays open, so that a forwarded restore can still arrive.
    void dropAll(bool keepListening);

    // The node at this address left the view: abort the connection to it (RST) and drop what
    // is queued for it, so that nothing stale reaches it if its link comes back.
    void forget(const std::string &address);
    // Aborts connections whose data sits unacknowledged this long (TCP_USER_TIMEOUT), rather
    // than retrying for minutes after a partition.
    void setUserTimeout(int ms) { userTimeoutMs_ = ms; }

    std::uint64_t framesDropped() const { return framesDropped_; }
    std::uint64_t framesRejected() const { return framesRejected_; }
    std::size_t connections() const { return outgoing_.size() + incoming_.size(); }

private:
    struct Outgoing
    {
        explicit Outgoing(asio::io_context &io)
            : socket(io)
        {
        }
        tcp::socket socket;
        std::deque<std::string> queue;
        bool connected = false;
        bool writing = false;
        bool closed = false;
    };
    struct Incoming
    {
        explicit Incoming(tcp::socket s)
            : socket(std::move(s))
        {
        }
        tcp::socket socket;
        std::string peerAddress; // learnt from the first message's "addr"
    };

    awaitable<void> acceptLoop(std::shared_ptr<tcp::acceptor> acceptor);
    awaitable<void> dial(std::string address, std::shared_ptr<Outgoing> out);
    // One writer per connection at a time: startWriter starts it unless one runs already.
    void startWriter(const std::string &address, const std::shared_ptr<Outgoing> &out);
    awaitable<void> writer(std::string address, std::shared_ptr<Outgoing> out);
    awaitable<void> reader(tcp::socket &socket, std::string *peerAddress,
                           std::shared_ptr<void> keepAlive);
    void closeOutgoing(const std::string &address, const std::shared_ptr<Outgoing> &out);
    void deliver(std::string_view line, std::string *peerAddress);

    asio::io_context &io_;
    std::string key_;
    Handlers handlers_;
    std::shared_ptr<tcp::acceptor> acceptor_;
    std::map<std::string, std::shared_ptr<Outgoing>> outgoing_;
    std::set<std::shared_ptr<Incoming>> incoming_;
    int userTimeoutMs_ = 0;
    std::uint64_t framesDropped_ = 0;
    std::uint64_t framesRejected_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
