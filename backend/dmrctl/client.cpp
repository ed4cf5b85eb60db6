#include "client.h"

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

std::string describeId(const Json &id)
{
    return id.is_null() ? std::string("none") : id.dump();
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
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
}

Outcome<Connection> Connection::open(const Address &address, milliseconds timeout)
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
            return Connection(fd, address);
        }
        ::close(fd);
        reason = error == ETIMEDOUT
                     ? "no connection within " + std::to_string(timeout.count()) + " ms"
                     : errnoText(error);
    }
    ::freeaddrinfo(found);
    return unreachable(reason);
}

Outcome<std::monostate> Connection::send(std::string_view bytes, Deadline deadline)
{
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const int w = waitFor(fd_, POLLOUT, deadline, false);
            if (w == 0)
                return unreachable("the agent took no data for too long");
            if (w < 0)
                return unreachable(errnoText(errno));
            continue;
        }
        return unreachable("cannot send: " + errnoText(errno));
    }
    return std::monostate{};
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
        const int w = waitFor(fd_, POLLIN, deadline, interruptible);
        if (w == 0)
            return unreachable("no answer within the timeout");
        if (w < 0) {
            if (interruptible && stopRequested())
                return Failure{Failure::Kind::Interrupted, {}, "interrupted"};
            return unreachable(errnoText(errno));
        }
        const ssize_t n = ::recv(fd_, chunk.data(), chunk.size(), 0);
        if (n == 0) {
            close();
            return unreachable("the agent closed the connection");
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            const int error = errno;
            close();
            return unreachable(errnoText(error));
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
        auto connection = Connection::open(address, options.timeout);
        if (!connection) {
            tried.push_back(address.text + " (" + connection.failure().message + ")");
            continue;
        }
        Client client(std::move(*connection), i, options.timeout);
        dmr::protocol::Request hello;
        hello.kind = dmr::protocol::RequestKind::Hello;
        hello.hello.client = options.clientName;
        hello.hello.token = options.token;
        auto reply = client.exchange(hello);
        if (reply) {
            client.hello_ = std::move(*reply);
            return client;
        }
        const Failure &f = reply.failure();
        if (f.kind == Failure::Kind::Refused && f.code != "busy")
            return f; // this agent answered: a wrong token or protocol is not a reason to move on
        tried.push_back(address.text + " (" +
                        (f.kind == Failure::Kind::Refused ? f.code + ": " : std::string()) +
                        f.message + ")");
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
        Json j = Json::parse(*line, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            return badReply("the agent's answer to " + what + " is not a JSON object");
        const std::string type =
            j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "";
        if (type == "event") {
            events_.push_back(std::move(j));
            continue;
        }
        const Json idValue = j.contains("id") ? j["id"] : Json();
        // An error without an id answers whatever is pending (busy, line-too-long).
        const bool ours = idValue == Json(id) || (type == "error" && idValue.is_null());
        if (!ours)
            continue; // a stale answer, never expected: skipped until the deadline
        if (type == "error" || !j.contains("ok") || j["ok"] != true) {
            if (!j.contains("code") || !j["code"].is_string() || !j.contains("message") ||
                !j["message"].is_string())
                return badReply("the agent's error answer to " + what + " (id " +
                                describeId(idValue) + ") lacks a code or a message");
            return Failure{Failure::Kind::Refused, j["code"].get<std::string>(),
                           j["message"].get<std::string>()};
        }
        if (type != "reply" || !j.contains("result"))
            return badReply("the agent's answer to " + what + " has no \"result\"");
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
