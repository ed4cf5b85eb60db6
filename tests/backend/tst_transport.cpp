// The cluster transport (backend/agent/transport.h) between two instances on 127.0.0.1, one
// io_context, real sockets: frames arrive whole and in order, also when a burst of sends (a
// view larger than the socket takes at once, then more) is queued before the connection's
// writer first runs.

#include "transport.h"

#include <QtTest>

#include <chrono>

#include <arpa/inet.h>
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
        PeerTransport a(io, kKey, handlersFor(atA));
        PeerTransport b(io, kKey, handlersFor(atB));
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
};

QTEST_GUILESS_MAIN(TestTransport)
#include "tst_transport.moc"
