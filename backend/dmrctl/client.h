#pragma once
// dmrctl's side of the control protocol (backend/PROTOCOL.md): a blocking TCP connection to one
// dmr-agent, in clear text or in TLS 1.3 (OpenSSL; the agent's certificate checked against a CA
// file and the address or name connected to), bounded in time (every wait has a deadline) and in
// memory (lines are framed with dmr::protocol::kReplyLineBytesMax), and a client that says hello
// to the first agent of a list that answers. dmr-lab and the tests' AgentCluster use it too.

#include "dmr/protocol.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace dmrctl {

// Replies keep the agent's field order, so --json prints what the agent sent.
using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

inline constexpr int kDefaultPort = 7500;
inline constexpr const char *kDefaultAddress = "127.0.0.1:7500";

// "HOST:PORT", "[v6]:PORT", a bare "HOST" or a bare IPv6 address (port 7500).
struct Address
{
    std::string host;
    int port = kDefaultPort;
    std::string text; // as the user wrote it, for messages
};
// On failure, why the text is not an address, as one line.
std::variant<Address, std::string> parseAddress(std::string_view text);

// Why a command could not be carried out.
struct Failure
{
    enum class Kind : std::uint8_t {
        Unreachable, // no agent answered: connect failed, timed out, or the connection dropped
        Refused,     // the agent answered with an error: `code` and `message` are its own
        BadReply,    // the agent's line is not what the protocol says
        Interrupted, // SIGINT or SIGTERM while waiting (only when interruptible)
    };
    Kind kind = Kind::Unreachable;
    std::string code;
    std::string message;
    std::vector<int> versions = {}; // unsupported-protocol: the versions the agent speaks
};

// A value or a Failure.
template<typename T>
class Outcome
{
public:
    Outcome(T value)
        : v_(std::move(value))
    {
    } // NOLINT(google-explicit-constructor)
    Outcome(Failure failure)
        : v_(std::move(failure))
    {
    } // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(v_); }
    explicit operator bool() const { return ok(); }
    T &value() { return std::get<T>(v_); }
    const T &value() const { return std::get<T>(v_); }
    T &operator*() { return value(); }
    T *operator->() { return &value(); }
    const Failure &failure() const { return std::get<Failure>(v_); }

private:
    std::variant<T, Failure> v_;
};

// TLS to the agent's control port: on when caFile is set.
struct TlsOptions
{
    std::string caFile;   // PEM: the CA that signed the agents' certificates
    std::string certFile; // PEM: this client's certificate (mutual TLS); empty: none
    std::string keyFile;  // PEM: its private key
    bool enabled() const { return !caFile.empty(); }
};

// One TCP connection, non-blocking underneath, every call bounded by a deadline (none: wait
// until the line comes, the peer closes, or a signal interrupts).
class Connection
{
public:
    using Deadline = std::optional<Clock::time_point>;

    // Resolves the address and connects to the first of its IPs that accepts in time; with TLS,
    // the handshake too (within the same timeout), checking the agent's certificate.
    static Outcome<Connection> open(const Address &address, std::chrono::milliseconds timeout,
                                    const TlsOptions &tls = {});
    // A socket connected by the caller (e.g. one made in another network namespace), owned from
    // here on; with TLS, the handshake within the timeout. `address` names it in messages and is
    // what the agent's certificate is checked against.
    static Outcome<Connection> adopt(int fd, const Address &address,
                                     std::chrono::milliseconds timeout, const TlsOptions &tls = {});

    Connection(Connection &&other) noexcept;
    Connection &operator=(Connection &&other) noexcept;
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;
    ~Connection();

    Outcome<std::monostate> send(std::string_view bytes, Deadline deadline);
    // The agent's next line, without its terminator. With `interruptible`, SIGINT and SIGTERM
    // (blocked by the caller, see blockStopSignals) end the wait with Kind::Interrupted.
    Outcome<std::string> readLine(Deadline deadline, bool interruptible = false);

    const Address &address() const { return address_; }

    bool tls() const { return ssl_ != nullptr; }

private:
    Connection(int fd, Address address);
    void close();
    Outcome<std::monostate> handshake(const TlsOptions &tls, const Deadline &deadline);
    // One read of at most `size` bytes: >0 bytes, 0 at the end of the stream, -1 with errno,
    // -2 when the deadline passed, -3 for a TLS error (tlsError_ says which).
    long receive(char *data, std::size_t size, const Deadline &deadline, bool interruptible);

    int fd_ = -1;
    SSL_CTX *ctx_ = nullptr;
    SSL *ssl_ = nullptr;
    std::string tlsError_;
    Address address_;
    dmr::protocol::LineFramer framer_{dmr::protocol::kReplyLineBytesMax};
    std::deque<dmr::protocol::LineFramer::Event> ready_;
};

// Blocks SIGINT and SIGTERM so that only an interruptible readLine sees them (through ppoll):
// no signal is lost between a check and a wait. Returns true once one has arrived.
void blockStopSignals();
bool stopRequested();

struct ClientOptions
{
    std::vector<Address> addresses; // tried in turn
    std::optional<std::string> token;
    std::chrono::milliseconds timeout{3000};
    std::string clientName; // "dmrctl 0.1.0"
    TlsOptions tls;
    // The control protocol versions this client speaks: the hello names the newest; an agent
    // that speaks only older ones lists them, and the hello goes again in the newest common.
    int protocolMin = dmr::protocol::kVersionMin;
    int protocol = dmr::protocol::kVersion;
};

// A session with one agent, after its hello.
class Client
{
public:
    // Connects to the first address, from `first` on, whose agent answers the hello. An agent
    // that refuses the hello (a wrong token, another protocol) is a Refused failure at once; a
    // busy one counts as not answering. `tried` collects each address that failed and why.
    static Outcome<Client> connect(const ClientOptions &options, std::size_t first,
                                   std::vector<std::string> &tried);

    // Sends the request with a fresh id and returns the reply's "result"; an error reply is a
    // Refused failure with the agent's code and message. Events on the way are kept for
    // nextEvent.
    Outcome<Json> call(dmr::protocol::Request request);
    // The next event (the whole line, parsed), waiting without limit; Ctrl-C interrupts.
    Outcome<Json> nextEvent();

    const Json &hello() const { return hello_; }
    const Address &address() const { return connection_.address(); }
    std::size_t addressIndex() const { return index_; }
    // Whether a request went out on this connection (a drill must not be sent twice).
    bool sentRequest() const { return sentRequest_; }

private:
    Client(Connection connection, std::size_t index, std::chrono::milliseconds timeout)
        : connection_(std::move(connection))
        , index_(index)
        , timeout_(timeout)
    {
    }
    Outcome<Json> exchange(dmr::protocol::Request request);

    Connection connection_;
    std::size_t index_ = 0;
    std::chrono::milliseconds timeout_;
    std::int64_t nextId_ = 1;
    bool sentRequest_ = false;
    Json hello_;
    std::deque<Json> events_;
};

// Runs one request on the first agent that answers. A read (`retryable`) whose connection drops
// before the reply goes on to the next address; a drill never does, once sent. On success,
// `client` holds the session that answered; `tried` names each address passed over, and why.
Outcome<Json> callFirst(const ClientOptions &options, const dmr::protocol::Request &request,
                        bool retryable, std::optional<Client> &client,
                        std::vector<std::string> &tried);

// The message of an Unreachable failure naming every address tried.
std::string unreachableMessage(const std::vector<std::string> &tried);

} // namespace dmrctl
