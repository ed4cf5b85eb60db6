#include "client.h"

#include "dmr/replies.h"

#include <array>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace dmrctl {

namespace {

using std::chrono::milliseconds;

volatile std::sig_atomic_t gStop = 0;

void onStopSignal(int)
{
    gStop = 1;
}

std::string errnoText(int error)
{
    std::string s = std::strerror(error);
    if (!s.empty())
        s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

Failure unreachable(std::string message)
{
    return Failure{Failure::Kind::Unreachable, {}, std::move(message)};
}

Failure badReply(std::string message)
{
    return Failure{Failure::Kind::BadReply, {}, std::move(message)};
}

// Milliseconds left before the deadline, for poll: -1 waits without limit, 0 is expired.
int pollTimeout(const Connection::Deadline &deadline)
{
    if (!deadline)
        return -1;
    const auto left =
        std::chrono::ceil<milliseconds>(*deadline - Clock::now()).count(); // rounds up
    if (left <= 0)
        return 0;
    return static_cast<int>(std::min<long long>(left, 24LL * 60 * 60 * 1000));
}

// Waits for `events` on fd. 1: ready; 0: the deadline passed; -1: errno says why (EINTR when a
// stop signal came in an interruptible wait).
int waitFor(int fd, short events, const Connection::Deadline &deadline, bool interruptible)
{
    pollfd p{fd, events, 0};
    for (;;) {
        const int ms = pollTimeout(deadline);
        int r = 0;
        if (interruptible) {
            // The stop signals are blocked everywhere else; ppoll lets them in for the wait only.
            sigset_t open;
            ::sigprocmask(SIG_SETMASK, nullptr, &open);
            ::sigdelset(&open, SIGINT);
            ::sigdelset(&open, SIGTERM);
            timespec ts{ms / 1000, static_cast<long>(ms % 1000) * 1000000L};
            r = ::ppoll(&p, 1, ms < 0 ? nullptr : &ts, &open);
        } else {
            r = ::poll(&p, 1, ms);
        }
        if (r > 0)
            return 1;
        if (r == 0) {
            if (deadline && Clock::now() < *deadline)
                continue; // woke early: poll rounds down
            return 0;
        }
        if (errno == EINTR) {
            if (interruptible && gStop != 0)
                return -1;
            continue;
        }
        return -1;
    }
}

std::string describeId(const dmr::protocol::RequestId &id)
{
    if (const auto *n = std::get_if<std::int64_t>(&id))
        return std::to_string(*n);
    if (const auto *s = std::get_if<std::string>(&id))
        return Json(*s).dump();
    return "none";
}

// OpenSSL's queued errors as one line: the last reason ("certificate verify failed").
std::string sslReason()
{
    std::string reason;
    while (const unsigned long e = ERR_get_error())
        if (const char *r = ERR_reason_error_string(e))
            reason = r;
    return reason;
}

bool isIpLiteral(const std::string &host)
{
    in6_addr a6{};
    in_addr a4{};
    return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

} // namespace

std::variant<Address, std::string> parseAddress(std::string_view text)
{
    Address a;
    a.text = std::string(text);
    std::string_view host = text;
    std::string_view port;
    if (text.empty())
        return std::string("empty address; expected HOST:PORT");
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos)
            return std::string("missing \"]\" after an IPv6 address; expected [ADDRESS]:PORT");
        host = text.substr(1, close - 1);
        const std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return std::string("expected \":PORT\" after \"]\"");
            port = rest.substr(1);
            if (port.empty())
                return std::string("missing port after \":\"");
        }
    } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
        if (text.find(':') == colon) { // one colon: HOST:PORT
            host = text.substr(0, colon);
            port = text.substr(colon + 1);
            if (port.empty())
                return std::string("missing port after \":\"");
        } // several colons and no brackets: a bare IPv6 address
    }
    if (host.empty())
        return std::string("missing host; expected HOST:PORT");
    a.host = std::string(host);
    if (!port.empty()) {
        int value = 0;
        for (char c : port) {
            if (c < '0' || c > '9' || value > 65535)
                return "bad port \"" + std::string(port) + "\"; expected 1-65535";
            value = value * 10 + (c - '0');
        }
        if (value < 1 || value > 65535)
            return "bad port \"" + std::string(port) + "\"; expected 1-65535";
        a.port = value;
    }
    return a;
}

// ---- Connection --------------------------------------------------------------------------------

Connection::Connection(int fd, Address address)
    : fd_(fd)
    , address_(std::move(address))
{
}

Connection::Connection(Connection &&other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , ctx_(std::exchange(other.ctx_, nullptr))
    , ssl_(std::exchange(other.ssl_, nullptr))
    , tlsError_(std::move(other.tlsError_))
    , address_(std::move(other.address_))
    , framer_(std::move(other.framer_))
    , ready_(std::move(other.ready_))
{
}

Connection &Connection::operator=(Connection &&other) noexcept
{
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        ctx_ = std::exchange(other.ctx_, nullptr);
        ssl_ = std::exchange(other.ssl_, nullptr);
        tlsError_ = std::move(other.tlsError_);
        address_ = std::move(other.address_);
        framer_ = std::move(other.framer_);
        ready_ = std::move(other.ready_);
    }
    return *this;
}

Connection::~Connection()
{
    close();
}

void Connection::close()
{
    if (ssl_ != nullptr)
        SSL_free(ssl_);
    ssl_ = nullptr;
    if (ctx_ != nullptr)
        SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
}

// TLS 1.3 over the connected socket: the agent's certificate must chain to the CA file and name
// the host connected to (its IP address, or its DNS name).
Outcome<std::monostate> Connection::handshake(const TlsOptions &tls, const Deadline &deadline)
{
    const auto failed = [&](const std::string &why) {
        return unreachable("TLS with " + address_.text + ": " + why);
    };
    ERR_clear_error();
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (ctx_ == nullptr)
        return failed(sslReason());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_3_VERSION);
    if (SSL_CTX_load_verify_locations(ctx_, tls.caFile.c_str(), nullptr) != 1)
        return failed("--tls-ca " + tls.caFile + ": cannot load (" + sslReason() + ")");
    if (!tls.certFile.empty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx_, tls.certFile.c_str()) != 1)
            return failed("--tls-cert " + tls.certFile + ": cannot load (" + sslReason() + ")");
        const std::string key = tls.keyFile.empty() ? tls.certFile : tls.keyFile;
        if (SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx_) != 1)
            return failed("--tls-key " + key + ": cannot load, or does not match --tls-cert (" +
                          sslReason() + ")");
    }
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1)
        return failed(sslReason());
    if (isIpLiteral(address_.host)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), address_.host.c_str());
    } else {
        SSL_set_tlsext_host_name(ssl_, address_.host.c_str());
        SSL_set1_host(ssl_, address_.host.c_str());
    }
    for (;;) {
        ERR_clear_error();
        const int r = SSL_connect(ssl_);
        if (r == 1)
            return std::monostate{};
        const int e = SSL_get_error(ssl_, r);
        short events = 0;
        if (e == SSL_ERROR_WANT_READ)
            events = POLLIN;
        else if (e == SSL_ERROR_WANT_WRITE)
            events = POLLOUT;
        if (events == 0) {
            const long verify = SSL_get_verify_result(ssl_);
            if (verify != X509_V_OK)
                return failed("the agent's certificate is not trusted: " +
                              std::string(X509_verify_cert_error_string(verify)) +
                              " (checked against --tls-ca " + tls.caFile + ")");
            std::string why = sslReason();
            if (why.empty())
                why = e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN
                          ? "the agent closed the connection during the handshake"
                          : "handshake failed";
            if (why == "wrong version number" || why == "packet length too long" ||
                why == "record layer failure")
                why += " (does its control port speak TLS?)";
            return failed(why);
        }
        const int w = waitFor(fd_, events, deadline, false);
        if (w == 0)
            return failed("no handshake within the timeout");
        if (w < 0)
            return failed(errnoText(errno));
    }
}

Outcome<Connection> Connection::open(const Address &address, milliseconds timeout,
                                     const TlsOptions &tls)
{
    const Deadline deadline = Clock::now() + timeout;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *found = nullptr;
    const std::string port = std::to_string(address.port);
    // getaddrinfo has no timeout of its own; an IP literal never waits.
    if (const int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); rc != 0)
        return unreachable(std::string("cannot resolve \"") + address.host +
                           "\": " + ::gai_strerror(rc));
    std::string reason = "no address to connect to";
    for (addrinfo *ai = found; ai != nullptr; ai = ai->ai_next) {
        const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                ai->ai_protocol);
        if (fd < 0) {
            reason = errnoText(errno);
            continue;
        }
        int error = 0;
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            error = errno;
            if (error == EINPROGRESS) {
                const int w = waitFor(fd, POLLOUT, deadline, false);
                if (w == 0) {
                    error = ETIMEDOUT;
                } else if (w < 0) {
                    error = errno;
                } else {
                    socklen_t len = sizeof error;
                    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0)
                        error = errno;
                }
            }
        }
        if (error == 0) {
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            ::freeaddrinfo(found);
            Connection c(fd, address);
            if (tls.enabled())
                if (auto shaken = c.handshake(tls, deadline); !shaken)
                    return shaken.failure();
            return c;
        }
        ::close(fd);
        reason = error == ETIMEDOUT
                     ? "no connection within " + std::to_string(timeout.count()) + " ms"
                     : errnoText(error);
    }
    ::freeaddrinfo(found);
    return unreachable(reason);
}

Outcome<Connection> Connection::adopt(int fd, const Address &address, milliseconds timeout,
                                      const TlsOptions &tls)
{
    if (fd < 0)
        return unreachable("no socket");
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Connection c(fd, address);
    if (tls.enabled())
        if (auto shaken = c.handshake(tls, Clock::now() + timeout); !shaken)
            return shaken.failure();
    return c;
}

Outcome<std::monostate> Connection::send(std::string_view bytes, Deadline deadline)
{
    while (!bytes.empty()) {
        short wait = POLLOUT;
        if (ssl_ != nullptr) {
            ERR_clear_error();
            const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
            if (n > 0) {
                bytes.remove_prefix(static_cast<std::size_t>(n));
                continue;
            }
            const int e = SSL_get_error(ssl_, n);
            if (e == SSL_ERROR_WANT_READ)
                wait = POLLIN;
            else if (e != SSL_ERROR_WANT_WRITE)
                return unreachable("cannot send: " +
                                   (sslReason().empty() ? errnoText(errno) : sslReason()));
        } else {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n > 0) {
                bytes.remove_prefix(static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (!(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
                return unreachable("cannot send: " + errnoText(errno));
        }
        const int w = waitFor(fd_, wait, deadline, false);
        if (w == 0)
            return unreachable("the agent took no data for too long");
        if (w < 0)
            return unreachable(errnoText(errno));
    }
    return std::monostate{};
}

long Connection::receive(char *data, std::size_t size, const Deadline &deadline, bool interruptible)
{
    for (;;) {
        short wait = POLLIN;
        if (ssl_ != nullptr) {
            ERR_clear_error();
            const int n = SSL_read(ssl_, data, static_cast<int>(size));
            if (n > 0)
                return n;
            const int e = SSL_get_error(ssl_, n);
            if (e == SSL_ERROR_ZERO_RETURN)
                return 0;
            if (e == SSL_ERROR_WANT_WRITE) {
                wait = POLLOUT;
            } else if (e != SSL_ERROR_WANT_READ) {
                tlsError_ = sslReason();
                // An agent that closes without a TLS farewell: the end of the stream.
                if (tlsError_.empty() || tlsError_ == "unexpected eof while reading")
                    return 0;
                return -3;
            }
        } else {
            const ssize_t n = ::recv(fd_, data, size, 0);
            if (n >= 0)
                return n;
            if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
                return -1;
            if (errno == EINTR)
                continue;
        }
        const int w = waitFor(fd_, wait, deadline, interruptible);
        if (w == 0)
            return -2;
        if (w < 0)
            return -1;
    }
}

Outcome<std::string> Connection::readLine(Deadline deadline, bool interruptible)
{
    std::array<char, 64 * 1024> chunk{};
    for (;;) {
        while (!ready_.empty()) {
            auto event = std::move(ready_.front());
            ready_.pop_front();
            if (event.kind == dmr::protocol::LineFramer::Event::Kind::TooLong)
                return badReply("a line from the agent is longer than " +
                                std::to_string(dmr::protocol::kReplyLineBytesMax) + " bytes");
            return std::move(event.text);
        }
        if (fd_ < 0)
            return unreachable("the connection is closed");
        const long n = receive(chunk.data(), chunk.size(), deadline, interruptible);
        if (n == -2)
            return unreachable("no answer within the timeout");
        if (n == -1 && interruptible && stopRequested())
            return Failure{Failure::Kind::Interrupted, {}, "interrupted"};
        if (n == 0) {
            close();
            return unreachable("the agent closed the connection");
        }
        if (n < 0) {
            const std::string why = n == -3 ? "TLS: " + tlsError_ : errnoText(errno);
            close();
            return unreachable(why);
        }
        for (auto &event :
             framer_.feed(std::string_view(chunk.data(), static_cast<std::size_t>(n))))
            ready_.push_back(std::move(event));
    }
}

void blockStopSignals()
{
    struct sigaction sa
    {
    };
    sa.sa_handler = onStopSignal;
    ::sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // no SA_RESTART: the wait returns EINTR
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    sigset_t stop;
    ::sigemptyset(&stop);
    ::sigaddset(&stop, SIGINT);
    ::sigaddset(&stop, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &stop, nullptr);
}

bool stopRequested()
{
    return gStop != 0;
}

// ---- Client ------------------------------------------------------------------------------------

Outcome<Client> Client::connect(const ClientOptions &options, std::size_t first,
                                std::vector<std::string> &tried)
{
    for (std::size_t i = first; i < options.addresses.size(); ++i) {
        const Address &address = options.addresses[i];
        auto connection = Connection::open(address, options.timeout, options.tls);
        if (!connection) {
            tried.push_back(address.text + " (" + connection.failure().message + ")");
            continue;
        }
        Client client(std::move(*connection), i, options.timeout);
        dmr::protocol::Request hello;
        hello.kind = dmr::protocol::RequestKind::Hello;
        hello.hello.protocol = options.protocol;
        hello.hello.client = options.clientName;
        hello.hello.token = options.token;
        auto reply = client.exchange(hello);
        if (!reply && reply.failure().code == "unsupported-protocol") {
            // An agent of another release: the newest version both speak, on a new connection
            // (the agent closed this one), once.
            const auto common = dmr::protocol::newestCommon(reply.failure().versions,
                                                            options.protocolMin, options.protocol);
            if (common && *common != hello.hello.protocol) {
                auto again = Connection::open(address, options.timeout, options.tls);
                if (!again) {
                    tried.push_back(address.text + " (" + again.failure().message + ")");
                    continue;
                }
                client = Client(std::move(*again), i, options.timeout);
                hello.hello.protocol = *common;
                reply = client.exchange(hello);
            }
        }
        if (reply) {
            client.hello_ = std::move(*reply);
            return client;
        }
        const Failure &f = reply.failure();
        if (f.kind == Failure::Kind::Refused && f.code != "busy")
            return f; // this agent answered: a wrong token or protocol is not a reason to move on
        std::string why = f.message;
        if (!options.tls.enabled() && f.message == "the agent closed the connection")
            why += "; if its control port speaks TLS, give --tls-ca";
        tried.push_back(address.text + " (" +
                        (f.kind == Failure::Kind::Refused ? f.code + ": " : std::string()) + why +
                        ")");
    }
    return unreachable(unreachableMessage(tried));
}

Outcome<Json> Client::call(dmr::protocol::Request request)
{
    return exchange(std::move(request));
}

Outcome<Json> Client::exchange(dmr::protocol::Request request)
{
    const std::int64_t id = nextId_++;
    request.id = id;
    const Connection::Deadline deadline = Clock::now() + timeout_;
    if (request.kind != dmr::protocol::RequestKind::Hello)
        sentRequest_ = true;
    if (auto sent = connection_.send(dmr::protocol::encodeRequest(request), deadline); !sent)
        return sent.failure();
    const std::string what(dmr::protocol::toString(request.kind));
    for (;;) {
        auto line = connection_.readLine(deadline);
        if (!line) {
            Failure f = line.failure();
            if (f.kind == Failure::Kind::Unreachable && f.message == "no answer within the timeout")
                f.message =
                    "no answer to " + what + " within " + std::to_string(timeout_.count()) + " ms";
            return f;
        }
        // The envelope through the protocol's one reader; the result parsed again here in the
        // agent's field order, so that --json prints what the agent sent.
        auto message = dmr::reply::parseMessage(*line);
        if (!message)
            return badReply("the agent's answer to " + what + ": " + message.error().message);
        if (message->type == dmr::reply::Message::Type::Event) {
            events_.push_back(Json::parse(*line, nullptr, false));
            continue;
        }
        // An error without an id answers whatever is pending (busy, line-too-long).
        const bool isError = message->type == dmr::reply::Message::Type::Error;
        const bool ours = message->id == dmr::protocol::RequestId(id) ||
                          (isError && std::holds_alternative<std::monostate>(message->id));
        if (!ours)
            continue; // a stale answer, never expected: skipped until the deadline
        if (isError) {
            if (message->code.empty() || message->message.empty())
                return badReply("the agent's error answer to " + what + " (id " +
                                describeId(message->id) + ") lacks a code or a message");
            Failure refused{Failure::Kind::Refused, message->code, message->message, {}};
            refused.versions = message->versions;
            return refused;
        }
        if (!message->resultJson)
            return badReply("the agent's answer to " + what + " has no \"result\" object");
        Json j = Json::parse(*line, nullptr, false);
        return std::move(j["result"]);
    }
}

Outcome<Json> Client::nextEvent()
{
    for (;;) {
        if (!events_.empty()) {
            Json j = std::move(events_.front());
            events_.pop_front();
            return j;
        }
        auto line = connection_.readLine(std::nullopt, true);
        if (!line)
            return line.failure();
        Json j = Json::parse(*line, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            return badReply("a line from the agent is not a JSON object");
        if (j.contains("type") && j["type"] == "event")
            return j;
        // Anything else (an answer nobody waits for) is not an event: skip it.
    }
}

std::string unreachableMessage(const std::vector<std::string> &tried)
{
    std::string m = "cannot connect to an agent: ";
    for (std::size_t i = 0; i < tried.size(); ++i)
        m += (i == 0 ? "" : ", ") + tried[i];
    if (tried.empty())
        m += "no address given";
    return m;
}

Outcome<Json> callFirst(const ClientOptions &options, const dmr::protocol::Request &request,
                        bool retryable, std::optional<Client> &client,
                        std::vector<std::string> &tried)
{
    std::size_t first = 0;
    for (;;) {
        auto connected = Client::connect(options, first, tried);
        if (!connected)
            return connected.failure();
        client.emplace(std::move(*connected));
        auto result = client->call(request);
        if (result || result.failure().kind != Failure::Kind::Unreachable)
            return result;
        // The agent went away between the hello and the answer.
        first = client->addressIndex() + 1;
        const bool sent = client->sentRequest();
        const std::string where = client->address().text;
        const std::string why = result.failure().message;
        client.reset();
        if (sent && !retryable)
            return unreachable("lost " + where + " after sending " +
                               std::string(dmr::protocol::toString(request.kind)) + " (" + why +
                               "): it may or may not have been carried out");
        tried.push_back(where + " (" + why + ")");
        if (first >= options.addresses.size())
            return unreachable(unreachableMessage(tried));
    }
}

} // namespace dmrctl
