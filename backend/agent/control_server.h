#pragma once
// The control port: newline-delimited JSON (backend/PROTOCOL.md), in clear text or in TLS 1.3.
//
// Per client, a reader coroutine frames lines (the core's LineFramer) into a bounded queue of
// pending requests, and a writer coroutine sends what is queued for it. One server coroutine
// serves the pending requests: one request of each client in turn, and it yields to the
// io_context after kServeTurn of work, so no client (nor all of them) holds back the membership
// timers. A client whose replies are not read stops being served once kQueueBytesPause bytes
// wait for it (its requests then wait in the kernel, and TCP stops it), and is dropped once a
// send makes no progress for control.send_timeout_ms, or when events for it pass kQueueBytesMax
// or kQueueLinesMax. A bad line gets an error reply naming the problem, and the client and every
// other client carry on; bad input is logged, naming the peer, at most one line of each kind
// per 10 s.
//
// Every session has an owner: whatever ends it (the peer, an error, an exception, a deadline, an
// eviction), close() frees its slot. Deadlines: the hello (TLS handshake included) within
// control.hello_timeout_ms; a session without a request for control.idle_timeout_ms is closed
// unless subscribed. At most control.max_unauthenticated connections wait for their hello: a new
// one evicts the oldest of the address that holds the most. An accept that fails for lack of
// descriptors or memory backs off (50 ms doubling to 1 s) instead of spinning.

#include "asio.h"
#include "config.h"
#include "control_tls.h"
#include "log_limit.h"

#include "dmr/protocol.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>

namespace dmr::agent {

struct ControlSession
{
    std::string client; // from hello
    std::string peer;   // "127.0.0.1:53124"
    protocol::Role role = protocol::Role::None;
    std::string identity; // what granted the role: "token", a certificate's subject, "anonymous"
    bool isOperator() const { return role == protocol::Role::Operator; }
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
    using LogFn = std::function<void(const std::string &line)>;

    // Per client (PROTOCOL.md, Limits).
    static constexpr std::size_t kQueueLinesMax = 4096;        // queued lines; past it: cut
    static constexpr std::size_t kQueueBytesMax = 8 << 20;     // queued event bytes; past: cut
    static constexpr std::size_t kQueueBytesPause = 256 << 10; // its requests wait above this
    static constexpr std::size_t kPendingRequestsMax = 64;     // framed, not yet served
    static constexpr std::size_t kPendingBytesMax = 64 << 10;  // their bytes (+ one read)
    static constexpr int kInFlightMax = 4;                     // answers not given yet
    // The server's share of the io_context: it yields after this much serving.
    static constexpr std::chrono::microseconds kServeTurn{2000};

    ControlServer(asio::io_context &io, NodeId agentNode, std::string version,
                  AgentConfig::ControlSection config, Handler handler, RoleFn role, LogFn log);
    ~ControlServer();

    // A subscribe: the reply's result and the events to send after it, before any new one (a
    // client that comes back asks for what it missed). Without it: {"events":..}, no replay.
    using Replay =
        std::function<std::pair<std::string, std::vector<std::string>>(const protocol::Request &)>;
    void setReplay(Replay replay) { replay_ = std::move(replay); }

    // Binds control.listen; with TLS configured, loads its certificate, key and client CA first.
    Result<std::monostate> listen();
    // Sends an event line to every subscribed client.
    void publish(const std::string &line);
    std::size_t clients() const { return sessions_.size(); }
    bool tls() const { return tls_ != nullptr; }
    std::uint64_t requestsServed() const { return served_; }
    std::uint64_t requestsRejected() const { return rejected_; }
    std::uint64_t connectionsEvicted() const { return evicted_; }   // before their hello
    std::uint64_t connectionsTimedOut() const { return timedOut_; } // hello, idle deadlines
    std::uint64_t clientsDropped() const { return dropped_; }       // not reading
    std::uint64_t handshakesFailed() const { return handshakesFailed_; }
    std::uint64_t acceptErrors() const { return acceptErrors_; }
    std::uint64_t logLinesSuppressed() const { return logLimit_.heldTotal(); }

private:
    struct Session;
    using SessionPtr = std::shared_ptr<Session>;
    awaitable<void> acceptLoop(std::shared_ptr<tcp::acceptor> acceptor);
    void admit(tcp::socket socket);
    void makeRoomForOneMore();
    awaitable<void> run(SessionPtr s);
    awaitable<void> reader(SessionPtr s);
    awaitable<void> writer(SessionPtr s);
    awaitable<void> serveLoop();
    awaitable<void> sweepLoop();
    void serveOne(const SessionPtr &s, protocol::LineFramer::Event event);
    void schedule(const SessionPtr &s);
    bool blocked(const Session &s) const;
    void enqueue(const SessionPtr &s, std::string line, bool isEvent = false);
    void finish(const SessionPtr &s); // close once the queue is written
    void close(const SessionPtr &s);
    void spawnOwned(const SessionPtr &s, awaitable<void> task, const char *what);
    // Logs what a peer did, at most one line of each kind per 10 s (the next says how many were
    // held back), naming the peer.
    void logPeer(const Session &s, std::string_view kind, const std::string &what);

    asio::io_context &io_;
    NodeId node_;
    std::string version_;
    AgentConfig::ControlSection config_;
    protocol::Credentials credentials_;
    Handler handler_;
    RoleFn role_;
    LogFn log_;
    std::shared_ptr<asio::ssl::context> tls_;
    Replay replay_;
    std::shared_ptr<tcp::acceptor> acceptor_;
    std::set<SessionPtr> sessions_;  // served, or waiting for their hello
    std::set<SessionPtr> rejecting_; // told "busy", closing
    std::deque<SessionPtr> ready_;   // sessions with requests to serve, in turn
    asio::steady_timer serveWake_;
    asio::steady_timer sweep_;
    LogLimiter logLimit_;
    std::uint64_t nextSeq_ = 1;
    std::uint64_t served_ = 0;
    std::uint64_t rejected_ = 0;
    std::uint64_t evicted_ = 0;
    std::uint64_t timedOut_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t handshakesFailed_ = 0;
    std::uint64_t acceptErrors_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
