#pragma once
// The control port: newline-delimited JSON (backend/PROTOCOL.md). One reader and one writer
// coroutine per client; every line bounded (the core's LineFramer), every queue bounded. A bad
// line gets an error reply naming the problem, and the client and every other client carry on.

#include "asio.h"
#include "config.h"

#include "dmr/protocol.h"

#include <functional>
#include <memory>
#include <set>

namespace dmr::agent {

struct ControlSession
{
    std::string client; // from hello
    std::string peer;   // "127.0.0.1:53124"
    bool isOperator = false;
};

class ControlServer
{
public:
    // Answers a greeted, admitted request other than hello and subscribe by calling `reply` with
    // one encoded line, now or later (a forwarded drill waits for its target). Replies to one
    // client keep the order in which they are given.
    using Reply = std::function<void(std::string line)>;
    using Handler =
        std::function<void(const protocol::Request &, const ControlSession &, Reply reply)>;
    using RoleFn = std::function<std::string()>;

    static constexpr std::size_t kQueueLinesMax = 4096; // per client; past it, a slow client is cut

    ControlServer(asio::io_context &io, NodeId agentNode, std::string version,
                  std::string operatorToken, int maxClients, Handler handler, RoleFn role);
    ~ControlServer();

    // A subscribe: the reply's result and the events to send after it, before any new one (a
    // client that comes back asks for what it missed). Without it: {"events":..}, no replay.
    using Replay = std::function<std::pair<std::string, std::vector<std::string>>(
        const protocol::Request &)>;
    void setReplay(Replay replay) { replay_ = std::move(replay); }

    Result<std::monostate> listen(const HostPort &endpoint);
    // Sends an event line to every subscribed client.
    void publish(const std::string &line);
    std::size_t clients() const { return sessions_.size(); }
    std::uint64_t requestsServed() const { return served_; }
    std::uint64_t requestsRejected() const { return rejected_; }

private:
    struct Session;
    awaitable<void> acceptLoop(std::shared_ptr<tcp::acceptor> acceptor);
    awaitable<void> reader(std::shared_ptr<Session> s);
    awaitable<void> writer(std::shared_ptr<Session> s);
    void enqueue(const std::shared_ptr<Session> &s, std::string line);
    void close(const std::shared_ptr<Session> &s);

    asio::io_context &io_;
    NodeId node_;
    std::string version_;
    std::string token_;
    int maxClients_;
    Handler handler_;
    RoleFn role_;
    Replay replay_;
    std::shared_ptr<tcp::acceptor> acceptor_;
    std::set<std::shared_ptr<Session>> sessions_;
    std::uint64_t served_ = 0;
    std::uint64_t rejected_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
