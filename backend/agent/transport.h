#pragma once
// The cluster transport: authenticated sessions over TCP (frame.h: a handshake that proves both
// ends hold the cluster key and gives the connection keys of its own, then sequenced, MACed
// line frames), one outgoing connection per peer address, dialled on first send. Whatever
// arrives on any accepted connection is handed up. A dialled session that ends, or a dial that
// is refused, is reported as lost: for a crashed process that is proof of death, long before
// heartbeats would tell. A handshake that fails or times out is not (see dial()). (An accepted
// connection closing is not: the peer may just have dropped a node it no longer counts.)
//
// Before a peer is authenticated it gets little (Limits): a bounded number of connections at a
// time, a deadline, kHandshakeLineBytesMax bytes a line. A frame that does not verify
// (forged, replayed, made for another connection) closes the connection it came on. What is
// refused is counted and logged, rate-limited, with the peer's address.

#include "asio.h"
#include "config.h"
#include "frame.h"
#include "log_limit.h"

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
    struct Limits
    {
        // Connections accepted and not yet authenticated; past it a new one is closed at once.
        // Every agent of a cluster may dial its coordinator at the same moment (a cold start of
        // Fig. 1's 128 agents on a loaded machine did), so this is well above a cluster's size.
        std::size_t pendingMax = 1024;
        // For the handshake, on either side. A peer that does not finish it in time is closed
        // (not reported lost: a starved process is not a dead one, heartbeats tell that). Long,
        // because a machine loaded far beyond its cores can take seconds to schedule a process.
        int handshakeTimeoutMs = 30'000;
    };
    // After accept() fails for want of file descriptors, wait this long before the next one.
    static constexpr int kAcceptBackoffMs = 100;

    struct Counters
    {
        std::uint64_t framesRejected = 0;    // bad MAC, malformed, oversize
        std::uint64_t framesReplayed = 0;    // a valid MAC with an old sequence number
        std::uint64_t handshakesRefused = 0; // by this node, of a peer that dialled it
        std::uint64_t keyMismatches = 0;     // either side: a proof made with another key
        std::uint64_t versionMismatches = 0; // either side: a peer of another frame version
        std::uint64_t handshakeTimeouts = 0; // accepted, no hello within the deadline
        std::uint64_t pendingRefused = 0;    // closed, the oldest past Limits::pendingMax
        std::uint64_t acceptErrors = 0;      // accept() failed (EMFILE...)
        std::uint64_t framesDropped = 0;     // at a full peer queue
        std::uint64_t sessions = 0;          // authenticated connections, both directions
    };

    // self: this node's id and membership address, which its hellos name.
    PeerTransport(asio::io_context &io, std::string key, frame::Identity self, Handlers handlers);
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
    void setLimits(const Limits &limits) { limits_ = limits; }
    const Limits &limits() const { return limits_; }

    const Counters &counters() const { return counters_; }
    std::uint64_t framesDropped() const { return counters_.framesDropped; }
    std::uint64_t framesRejected() const
    {
        return counters_.framesRejected + counters_.framesReplayed;
    }
    std::size_t connections() const { return outgoing_.size() + incoming_.size(); }

private:
    struct Outgoing
    {
        explicit Outgoing(asio::io_context &io)
            : socket(io)
        {
        }
        tcp::socket socket;
        std::deque<std::string> queue; // payloads, sealed by the writer in order
        std::string hello;             // sent before the first frame
        frame::Sealer sealer;
        bool connected = false; // the handshake gave a sealer: the writer may run
        bool up = false;        // the peer's answer checked out: its end is now a loss
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
        std::string remote; // "127.0.0.1:53124", for the log
        std::int64_t acceptedMs = 0;
        frame::Identity peer; // from its hello
        bool authenticated = false;
    };

    awaitable<void> acceptLoop(std::shared_ptr<tcp::acceptor> acceptor);
    awaitable<void> dial(std::string address, std::shared_ptr<Outgoing> out);
    // One writer per connection at a time: startWriter starts it unless one runs already.
    void startWriter(const std::string &address, const std::shared_ptr<Outgoing> &out);
    awaitable<void> writer(std::string address, std::shared_ptr<Outgoing> out);
    awaitable<void> serve(std::shared_ptr<Incoming> in);
    void closeIncoming(const std::shared_ptr<Incoming> &in);
    void closeOutgoing(const std::string &address, const std::shared_ptr<Outgoing> &out);
    // Logs a refusal, at most once per interval per (peer, kind).
    void logLimited(const std::string &peer, const std::string &kind, const std::string &line);
    std::int64_t steadyMs() const;
    void count(frame::HandshakeFailure failure);

    asio::io_context &io_;
    std::string key_;
    frame::Identity self_;
    Handlers handlers_;
    std::shared_ptr<tcp::acceptor> acceptor_;
    std::map<std::string, std::shared_ptr<Outgoing>> outgoing_;
    std::set<std::shared_ptr<Incoming>> incoming_;
    std::size_t pending_ = 0; // incoming, not yet authenticated
    int userTimeoutMs_ = 0;
    Limits limits_;
    Counters counters_;
    LogLimiter logLimiter_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
