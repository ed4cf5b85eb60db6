// The cluster transport (backend/agent/transport.h) and its framing (frame.h).
// - The handshake and frames as values: a frame is taken once, on the connection it was made
//   for, by the node it was made for; a hello made with another key, for another node or
//   another connection is refused; version 1 and other versions are named.
// - Two instances on 127.0.0.1, one io_context, real sockets: frames arrive whole and in order,
//   also when a burst of sends (a view larger than the socket takes at once, then more) is
//   queued before the connection's writer first runs; a wrong key is reported on both sides;
//   a captured session replayed on a new connection, or a frame replayed within its own, is
//   refused and counted; an unauthenticated connection is bounded in time, bytes and number.

#include "frame.h"
#include "transport.h"

#include <QtTest>

#include <chrono>
#include <optional>

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace dmr;
using namespace dmr::agent;

namespace {

constexpr char kKey[] = "transport-test-cluster-key";

// A TCP port on 127.0.0.1 that was free a moment ago.
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

struct Received
{
    std::vector<std::string> messages;
    std::vector<std::string> logs;
    std::vector<std::string> lost;
};

PeerTransport::Handlers handlersFor(Received &r)
{
    return {[&r](std::string p) { r.messages.push_back(std::move(p)); },
            [&r](const std::string &a) { r.lost.push_back(a); },
            [&r](const std::string &w) { r.logs.push_back(w); }};
}

// Runs the loop until the condition holds or 20 s have passed.
bool runUntil(asio::io_context &io, const std::function<bool()> &condition)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        io.restart();
        io.run_for(std::chrono::milliseconds(10));
    }
    return true;
}

std::string chomp(std::string line)
{
    if (!line.empty() && line.back() == '\n')
        line.pop_back();
    return line;
}

// A blocking TCP client on 127.0.0.1, for playing a peer byte by byte.
struct RawClient
{
    int fd = -1;
    explicit RawClient(int port)
    {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            ::close(fd);
            fd = -1;
        }
        timeval tv{0, 1000};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~RawClient()
    {
        if (fd >= 0)
            ::close(fd);
    }
    void write(const std::string &bytes) const
    {
        std::size_t off = 0;
        while (off < bytes.size()) {
            const ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0)
                return;
            off += static_cast<std::size_t>(n);
        }
    }
    // Reads what is there now (the socket waits at most 1 ms); closed is set at EOF or reset.
    void poll()
    {
        char buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0)
            received.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            closed = true;
    }
    std::optional<std::string> line()
    {
        const auto nl = received.find('\n');
        if (nl == std::string::npos)
            return std::nullopt;
        std::string l = received.substr(0, nl);
        received.erase(0, nl + 1);
        return l;
    }
    std::string received;
    bool closed = false;
};

// The loop and the client turn by turn until the condition holds (20 s at most).
bool pumpUntil(asio::io_context &io, RawClient &client, const std::function<bool()> &condition)
{
    return runUntil(io, [&] {
        client.poll();
        return condition();
    });
}

struct Listening
{
    Received received;
    std::unique_ptr<PeerTransport> transport;
    int port = 0;
    std::string address;
};

std::unique_ptr<Listening> listening(asio::io_context &io, const std::string &node,
                                     const std::string &key = kKey)
{
    auto l = std::make_unique<Listening>();
    l->port = freePort();
    l->address = "127.0.0.1:" + std::to_string(l->port);
    l->transport = std::make_unique<PeerTransport>(io, key, frame::Identity{node, l->address},
                                                   handlersFor(l->received));
    auto hp = HostPort::parse(l->address);
    if (!hp || !l->transport->listen(*hp))
        return nullptr;
    return l;
}

} // namespace

class TestTransport : public QObject
{
    Q_OBJECT

private slots:
    void burstArrivesWholeAndInOrder()
    {
        asio::io_context io(1);
        Received atA;
        Received atB;
        PeerTransport a(io, kKey, {"a", "127.0.0.1:1"}, handlersFor(atA));
        PeerTransport b(io, kKey, {"b", "127.0.0.1:2"}, handlersFor(atB));
        const int port = freePort();
        QVERIFY(port > 0);
        const auto listen = HostPort::parse("127.0.0.1:" + std::to_string(port));
        QVERIFY(listen.ok());
        auto listening = b.listen(*listen);
        QVERIFY2(listening.ok(), listening.ok() ? "" : listening.error().message.c_str());
        const std::string to = listen->toString();

        // The connection is up and its writer idle.
        a.send(to, "{\"n\":0}");
        QVERIFY(runUntil(io, [&] { return atB.messages.size() == 1; }));

        // Bursts: one frame of 3 MB (more than a loopback socket takes in one write), then
        // small ones, all sent before the writer runs again.
        std::vector<std::string> sent{"{\"n\":0}"};
        for (int burst = 0; burst < 3; ++burst) {
            std::string big = "{\"big\":\"" +
                              std::string(3 * 1024 * 1024, static_cast<char>('a' + burst)) + "\"}";
            a.send(to, big);
            sent.push_back(std::move(big));
            for (int i = 1; i <= 20; ++i) {
                const std::string small =
                    "{\"burst\":" + std::to_string(burst) + ",\"n\":" + std::to_string(i) + "}";
                a.send(to, small);
                sent.push_back(small);
            }
        }
        QVERIFY2(
            runUntil(io,
                     [&] { return atB.messages.size() == sent.size() || b.framesRejected() != 0; }),
            qPrintable(QString::number(atB.messages.size())));
        QVERIFY2(b.framesRejected() == 0,
                 qPrintable(QStringLiteral("%1 frames rejected, first: %2")
                                .arg(b.framesRejected())
                                .arg(QString::fromStdString(atB.logs.empty() ? std::string()
                                                                             : atB.logs.front()))));
        QCOMPARE(atB.messages.size(), sent.size());
        QVERIFY(atB.messages == sent); // whole, and in the order sent
        QVERIFY(atA.lost.empty());
        QCOMPARE(a.framesDropped(), std::uint64_t{0});
    }

    // ---- The framing, as values ----------------------------------------------------------

    void handshakeThenFramesInOrder()
    {
        frame::Acceptor acceptor(kKey, "b", frame::freshNonce());
        frame::Dialer dialer(kKey, {"a", "127.0.0.1:7401"}, frame::freshNonce());
        auto hello = dialer.onChallenge(chomp(acceptor.challenge()));
        QVERIFY2(hello.ok(), hello.ok() ? "" : hello.error().message.c_str());
        QCOMPARE(hello->peer, std::string("b"));
        auto accepted = acceptor.onHello(chomp(hello->hello));
        QVERIFY2(accepted.ok(), accepted.ok() ? "" : accepted.error().message.c_str());
        QCOMPARE(accepted->peer.node, std::string("a"));
        QCOMPARE(accepted->peer.address, std::string("127.0.0.1:7401"));
        QVERIFY(dialer.onAnswer(chomp(accepted->welcome)).ok());

        auto sealer = hello->sealer;
        auto opener = accepted->opener;
        const std::string one = chomp(sealer.seal(R"({"n":1})"));
        const std::string two = chomp(sealer.seal("with spaces and \"quotes\""));
        auto o1 = opener.open(one);
        QVERIFY(o1.ok());
        QCOMPARE(o1->payload, std::string(R"({"n":1})"));
        QCOMPARE(o1->seq, std::uint64_t{1});
        auto o2 = opener.open(two);
        QVERIFY(o2.ok());
        QCOMPARE(o2->payload, std::string("with spaces and \"quotes\""));
    }

    void replayedOrReorderedFrameIsRefused()
    {
        frame::Acceptor acceptor(kKey, "b", frame::freshNonce());
        frame::Dialer dialer(kKey, {"a", "127.0.0.1:7401"}, frame::freshNonce());
        auto hello = dialer.onChallenge(chomp(acceptor.challenge()));
        auto accepted = acceptor.onHello(chomp(hello->hello));
        QVERIFY(accepted.ok());
        auto sealer = hello->sealer;
        auto opener = accepted->opener;
        const std::string one = chomp(sealer.seal("drill"));
        const std::string two = chomp(sealer.seal("second"));
        frame::Refusal why{};
        // Out of order: the second before the first.
        QVERIFY(!opener.open(two, &why).ok());
        QVERIFY(why == frame::Refusal::Replayed);
        QVERIFY(opener.open(one).ok());
        // The same frame again, on its own connection.
        auto again = opener.open(one, &why);
        QVERIFY(!again.ok());
        QVERIFY(why == frame::Refusal::Replayed);
        QVERIFY(again.error().message.find("sequence 1, expected 2") != std::string::npos);
        QVERIFY(opener.open(two).ok());
        // Tampered, truncated, garbage: refused, and the stream goes on.
        std::string three = chomp(sealer.seal("third"));
        std::string tampered = three;
        tampered.back() = 'X';
        QVERIFY(!opener.open(tampered, &why).ok());
        QVERIFY(why == frame::Refusal::BadMac);
        QVERIFY(!opener.open(three.substr(0, 10), &why).ok());
        QVERIFY(why == frame::Refusal::Malformed);
        QVERIFY(!opener.open("", &why).ok());
        QVERIFY(why == frame::Refusal::Malformed);
        QVERIFY(!opener.open("99999999999999999999999 x y", &why).ok());
        QVERIFY(why == frame::Refusal::Malformed);
        QVERIFY(opener.open(three).ok());
    }

    void framesOfAnotherConnectionOrNodeAreRefused()
    {
        // Two connections to one node: a frame of the first does not open on the second.
        frame::Acceptor first(kKey, "b", frame::freshNonce());
        frame::Acceptor second(kKey, "b", frame::freshNonce());
        frame::Dialer d1(kKey, {"a", "127.0.0.1:7401"}, frame::freshNonce());
        frame::Dialer d2(kKey, {"a", "127.0.0.1:7401"}, frame::freshNonce());
        auto h1 = d1.onChallenge(chomp(first.challenge()));
        auto h2 = d2.onChallenge(chomp(second.challenge()));
        auto a1 = first.onHello(chomp(h1->hello));
        auto a2 = second.onHello(chomp(h2->hello));
        QVERIFY(a1.ok() && a2.ok());
        auto sealer1 = h1->sealer;
        auto opener2 = a2->opener;
        const std::string line = chomp(sealer1.seal("drill drain 5"));
        frame::Refusal why{};
        QVERIFY(!opener2.open(line, &why).ok());
        QVERIFY(why == frame::Refusal::BadMac);
        // The first connection's hello, replayed on the second: its proof names another nonce.
        frame::Acceptor third(kKey, "b", frame::freshNonce());
        QVERIFY(!third.onHello(chomp(h1->hello)).ok());
        QVERIFY(third.failure() == frame::HandshakeFailure::Key);
        // Even with the same nonce, a hello made for node b is refused by node c.
        const frame::Nonce shared = frame::freshNonce();
        frame::Acceptor atB(kKey, "b", shared);
        frame::Acceptor atC(kKey, "c", shared);
        frame::Dialer d3(kKey, {"a", "127.0.0.1:7401"}, frame::freshNonce());
        auto h3 = d3.onChallenge(chomp(atB.challenge()));
        QVERIFY(atB.onHello(chomp(h3->hello)).ok());
        QVERIFY(!atC.onHello(chomp(h3->hello)).ok());
    }

    void wrongKeyIsNamedOnBothSides()
    {
        frame::Acceptor acceptor("the-real-key", "b", frame::freshNonce());
        frame::Dialer dialer("another-key", {"x", "127.0.0.1:7409"}, frame::freshNonce());
        auto hello = dialer.onChallenge(chomp(acceptor.challenge()));
        QVERIFY(hello.ok()); // the challenge proves nothing yet
        auto refused = acceptor.onHello(chomp(hello->hello));
        QVERIFY(!refused.ok());
        QVERIFY(acceptor.failure() == frame::HandshakeFailure::Key);
        QVERIFY(refused.error().message.find("node x at 127.0.0.1:7409") != std::string::npos);
        const std::string refusal = chomp(acceptor.refusal());
        QCOMPARE(refusal, std::string("DMR-CLUSTER-REFUSED key"));
        auto answer = dialer.onAnswer(refusal);
        QVERIFY(!answer.ok());
        QVERIFY(dialer.failure() == frame::HandshakeFailure::Key);
        QVERIFY(answer.error().message.find("cluster key does not match") != std::string::npos);

        // An acceptor with another key cannot forge a welcome either.
        const frame::Nonce n = frame::freshNonce();
        frame::Acceptor real(kKey, "b", n);
        frame::Acceptor impostor("impostor-key", "b", n);
        frame::Dialer d(kKey, {"a", "127.0.0.1:7401"}, frame::freshNonce());
        auto h = d.onChallenge(chomp(real.challenge()));
        QVERIFY(real.onHello(chomp(h->hello)).ok());
        // The impostor cannot verify the hello, so it can only make up a welcome line.
        QVERIFY(!impostor.onHello(chomp(h->hello)).ok());
        QVERIFY(!d.onAnswer("DMR-CLUSTER-WELCOME " + std::string(64, 'a')).ok());
        QVERIFY(d.failure() == frame::HandshakeFailure::Key);
    }

    void otherVersionsAreNamed()
    {
        frame::Acceptor acceptor(kKey, "b", frame::freshNonce());
        // A version-1 peer sends a bare "<hex HMAC> <payload>" without any handshake.
        QVERIFY(!acceptor.onHello(std::string(64, 'a') + R"( {"hb":1})").ok());
        QVERIFY(acceptor.failure() == frame::HandshakeFailure::Version);
        QVERIFY(acceptor.onHello(std::string(64, 'a') + " x").error().message.find("version 1") !=
                std::string::npos);
        QCOMPARE(chomp(acceptor.refusal()), std::string("DMR-CLUSTER-REFUSED version 2"));
        QVERIFY(!acceptor
                     .onHello("DMR-CLUSTER-HELLO 3 a 127.0.0.1:1 " + std::string(32, '0') + " " +
                              std::string(64, '0'))
                     .ok());
        QVERIFY(acceptor.failure() == frame::HandshakeFailure::Version);
        QVERIFY(!acceptor.onHello("GET / HTTP/1.1").ok());
        QVERIFY(acceptor.failure() == frame::HandshakeFailure::Malformed);

        frame::Dialer dialer(kKey, {"a", "127.0.0.1:7401"}, frame::freshNonce());
        auto three = dialer.onChallenge("DMR-CLUSTER 3 b " + std::string(32, '0'));
        QVERIFY(!three.ok());
        QVERIFY(dialer.failure() == frame::HandshakeFailure::Version);
        QVERIFY(three.error().message.find("version(s) 3; this node speaks version 2") !=
                std::string::npos);
        QVERIFY(dialer.onChallenge("DMR-CLUSTER 2,3 b " + std::string(32, '0')).ok());
        QVERIFY(!dialer.onChallenge("SSH-2.0-OpenSSH_9.2").ok());
        QVERIFY(dialer.failure() == frame::HandshakeFailure::Malformed);
        QVERIFY(!dialer.onChallenge("DMR-CLUSTER-REFUSED version 3").ok());
        QVERIFY(dialer.failure() == frame::HandshakeFailure::Version);
    }

    // ---- Real sockets --------------------------------------------------------------------

    void wrongKeyIsReportedOnBothSides()
    {
        asio::io_context io(1);
        auto b = listening(io, "b", "the-real-key");
        QVERIFY(b);
        Received atX;
        PeerTransport x(io, "not-the-key", {"x", "127.0.0.1:7409"}, handlersFor(atX));
        x.send(b->address, R"({"hello":"from x"})");
        QVERIFY(runUntil(io, [&] {
            return x.counters().keyMismatches == 1 && b->transport->counters().keyMismatches == 1;
        }));
        QVERIFY(b->received.messages.empty());
        // Another key is not a dead peer: nothing is reported lost.
        QVERIFY(atX.lost.empty());
        auto has = [](const std::vector<std::string> &logs, const std::string &text) {
            for (const auto &l : logs)
                if (l.find(text) != std::string::npos)
                    return true;
            return false;
        };
        QVERIFY(has(atX.logs, "membership peer " + b->address +
                                  ": it refused our hello: the cluster key does not match"));
        QVERIFY(has(b->received.logs, "refused: its hello's proof does not verify: the cluster "
                                      "key does not match (it says it is node x at "
                                      "127.0.0.1:7409)"));
        QVERIFY(has(b->received.logs, "membership connection from 127.0.0.1:"));
    }

    void capturedSessionReplayedIsRefused()
    {
        asio::io_context io(1);
        auto b = listening(io, "b");
        auto c = listening(io, "c");
        QVERIFY(b && c);

        // A legitimate session: what a tap on the wire sees the dialer send.
        std::string captured;
        {
            RawClient client(b->port);
            QVERIFY(client.fd >= 0);
            std::optional<std::string> challenge;
            QVERIFY(pumpUntil(io, client, [&] { return (challenge = client.line()).has_value(); }));
            frame::Dialer dialer(kKey, {"a", "127.0.0.1:7401"}, frame::freshNonce());
            auto hello = dialer.onChallenge(*challenge);
            QVERIFY(hello.ok());
            auto sealer = hello->sealer;
            captured = hello->hello;
            captured += sealer.seal(R"({"agent":"drill"})");
            captured += sealer.seal(R"({"n":2})");
            client.write(captured);
            QVERIFY2(runUntil(io, [&] { return b->received.messages.size() == 2; }),
                     b->received.logs.empty() ? "no log" : b->received.logs.back().c_str());
        }
        QCOMPARE(b->transport->counters().sessions, std::uint64_t{1});

        // The same bytes on a new connection, to the same node and to another one.
        for (auto *target : {b.get(), c.get()}) {
            RawClient replay(target->port);
            replay.write(captured);
            QVERIFY(pumpUntil(io, replay, [&] { return replay.closed; }));
            QCOMPARE(target->transport->counters().handshakesRefused, std::uint64_t{1});
            QVERIFY(replay.received.find("DMR-CLUSTER-REFUSED key") != std::string::npos);
        }
        QCOMPARE(b->received.messages.size(), std::size_t{2});
        QVERIFY(c->received.messages.empty());
    }

    void frameReplayedWithinItsConnectionClosesIt()
    {
        asio::io_context io(1);
        auto b = listening(io, "b");
        QVERIFY(b);
        RawClient client(b->port);
        std::optional<std::string> challenge;
        QVERIFY(pumpUntil(io, client, [&] { return (challenge = client.line()).has_value(); }));
        frame::Dialer dialer(kKey, {"a", "127.0.0.1:7401"}, frame::freshNonce());
        auto hello = dialer.onChallenge(*challenge);
        QVERIFY(hello.ok());
        auto sealer = hello->sealer;
        const std::string first = sealer.seal(R"({"agent":"drill"})");
        client.write(hello->hello + first + first + sealer.seal(R"({"n":2})"));
        QVERIFY(pumpUntil(io, client, [&] { return client.closed; }));
        QCOMPARE(b->received.messages.size(), std::size_t{1});
        QCOMPARE(b->transport->counters().framesReplayed, std::uint64_t{1});
        QCOMPARE(b->transport->framesRejected(), std::uint64_t{1});
    }

    void unauthenticatedConnectionsAreBounded()
    {
        asio::io_context io(1);
        auto b = listening(io, "b");
        QVERIFY(b);
        PeerTransport::Limits limits;
        limits.pendingMax = 16;
        limits.handshakeTimeoutMs = 1000;
        b->transport->setLimits(limits);
        // A line longer than a handshake line may be: closed, counted.
        {
            RawClient client(b->port);
            client.write(std::string(frame::kHandshakeLineBytesMax + 100, 'x'));
            QVERIFY(pumpUntil(io, client, [&] { return client.closed; }));
            QCOMPARE(b->transport->framesRejected(), std::uint64_t{1});
        }
        // More connections in their handshake than allowed: the extra ones are closed at once,
        // and a legitimate peer still gets in once the others are gone.
        std::vector<std::unique_ptr<RawClient>> idle;
        for (std::size_t i = 0; i < limits.pendingMax + 5; ++i)
            idle.push_back(std::make_unique<RawClient>(b->port));
        QVERIFY(runUntil(io, [&] { return b->transport->counters().pendingRefused == 5; }));
        // An idle one is closed by the handshake deadline.
        QVERIFY(runUntil(
            io, [&] { return b->transport->counters().handshakeTimeouts == limits.pendingMax; }));
        idle.clear();
        Received atA;
        PeerTransport a(io, kKey, {"a", "127.0.0.1:7401"}, handlersFor(atA));
        a.send(b->address, "{}");
        QVERIFY(runUntil(io, [&] { return b->received.messages.size() == 1; }));
    }

    void version1PeerIsRefusedByName()
    {
        asio::io_context io(1);
        auto b = listening(io, "b");
        QVERIFY(b);
        RawClient client(b->port);
        // A version-1 agent sends its frames at once, without reading anything.
        client.write(std::string(64, 'a') + R"( {"addr":"127.0.0.1:9"})" + "\n");
        QVERIFY(pumpUntil(io, client, [&] { return client.closed; }));
        QCOMPARE(b->transport->counters().versionMismatches, std::uint64_t{1});
        QVERIFY(client.received.find("DMR-CLUSTER-REFUSED version 2") != std::string::npos);
        bool named = false;
        for (const auto &l : b->received.logs)
            named = named || l.find("speaks cluster frame version 1") != std::string::npos;
        QVERIFY(named);
    }
    void onlyAnEstablishedSessionEndingIsALoss()
    {
        asio::io_context io(1);
        // A listener that accepts and closes at once, before any handshake: not a loss.
        const int port = freePort();
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        QVERIFY(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
        QVERIFY(::listen(fd, 8) == 0);
        Received atA;
        PeerTransport a(io, kKey, {"a", "127.0.0.1:7401"}, handlersFor(atA));
        const std::string closer = "127.0.0.1:" + std::to_string(port);
        a.send(closer, "{}");
        int accepted = 0;
        QVERIFY(runUntil(io, [&] {
            const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c >= 0) {
                ::close(c);
                ++accepted;
            }
            return accepted == 1 && a.connections() == 0;
        }));
        ::close(fd);
        QVERIFY(atA.lost.empty());
        // A refused dial is one (nothing listens there now).
        a.send(closer, "{}");
        QVERIFY(runUntil(io, [&] { return !atA.lost.empty(); }));
        QCOMPARE(atA.lost.front(), closer);
        atA.lost.clear();
        // So is an established session that ends: the peer's process is gone.
        auto b = listening(io, "b");
        QVERIFY(b);
        a.send(b->address, "{}");
        QVERIFY(runUntil(io, [&] { return b->received.messages.size() == 1; }));
        QVERIFY(runUntil(io, [&] { return a.counters().sessions == 1; }));
        b->transport->dropAll(false); // as a crash closes every socket of the process
        QVERIFY(runUntil(io, [&] { return !atA.lost.empty(); }));
        QCOMPARE(atA.lost.front(), b->address);
    }
};

QTEST_GUILESS_MAIN(TestTransport)
#include "tst_transport.moc"
