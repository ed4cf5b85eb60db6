#pragma once
// A client of etcd v3's JSON gateway (POST /v3/kv/range, /v3/kv/txn, /v3/lease/grant, ...) over
// HTTP/1.1 with Boost.Beast: no gRPC. One EtcdClient is one persistent connection that carries
// one request at a time (its user serialises them; the agent's etcd backend keeps one client
// for its session and opens another for each watch stream).
//
// Endpoints: several are accepted. A client talks to one at a time; when it cannot connect, or a
// request times out or the connection breaks, it moves to the next one and tries the request
// there, each endpoint once per call. Bodies are bounded (kMaxBodyBytes); a watch stream's lines
// too (kMaxLineBytes): a longer line ends the stream, counted, and the caller resynchronises.

#include "asio.h"
#include "config.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dmr::agent {

// Counts shared by every client of one backend (metrics).
struct EtcdCounters
{
    std::uint64_t requests = 0;      // HTTP requests sent (unary calls and watch opens)
    std::uint64_t failures = 0;      // requests that got no answer (connect, timeout, reset)
    std::uint64_t endpointMoves = 0; // moves to the next endpoint
    std::uint64_t linesDropped = 0;  // watch lines longer than kMaxLineBytes, or not JSON
};

struct EtcdReply
{
    unsigned status = 0;  // HTTP status: 200, or the gateway's error (with body.message)
    nlohmann::json body;  // the parsed JSON body
    std::string endpoint; // the endpoint that answered
};

class EtcdClient : public std::enable_shared_from_this<EtcdClient>
{
public:
    static constexpr std::size_t kMaxBodyBytes = 8 * 1024 * 1024;
    static constexpr std::size_t kMaxLineBytes = 8 * 1024 * 1024;

    // Held by shared_ptr: a call or a stream under way keeps its client alive.
    EtcdClient(asio::io_context &io, std::vector<HostPort> endpoints, int timeoutMs,
               std::shared_ptr<EtcdCounters> counters);
    ~EtcdClient();

    // One request. An Error only when no endpoint answered (unreachable, timeout, broken
    // connection, a body that is not JSON); etcd's own refusals come back as a reply with a
    // status other than 200.
    awaitable<Result<EtcdReply>> call(std::string path, nlohmann::json body);

    // A streaming request (/v3/watch): each JSON line of the response goes to onMessage, until
    // the stream ends, close() is called, or onMessage returns false. Returns why it ended.
    awaitable<std::string> stream(std::string path, nlohmann::json body,
                                  std::function<bool(nlohmann::json)> onMessage);

    // Aborts what is under way (its call or stream returns an error) and closes the connection.
    void close();
    // Start with this endpoint (so that a watch follows the session to the endpoint that works).
    void preferEndpoint(std::size_t index) { current_ = index % endpoints_.size(); }
    std::size_t endpointIndex() const { return current_; }
    std::string endpoint() const { return endpoints_[current_].toString(); }

private:
    awaitable<Result<std::monostate>> connect();
    void moveOn();

    asio::io_context &io_;
    std::vector<HostPort> endpoints_;
    std::size_t current_ = 0;
    int timeoutMs_;
    std::shared_ptr<EtcdCounters> counters_;
    std::unique_ptr<boost::beast::tcp_stream> stream_;
    boost::beast::flat_buffer buffer_;
    bool closed_ = false;
};

} // namespace dmr::agent
