// The etcd gateway client (backend/agent/etcd_client.h) against scripted HTTP servers on
// 127.0.0.1: moving on to the next endpoint, an unreachable etcd named endpoint by endpoint, a
// request timeout, etcd's refusals as replies, and the watch stream's lines (split across chunks,
// bounded, not JSON). Real sockets; the server side is a script, not etcd (the etcd backend
// itself runs against a real etcd in tst_membership_conformance).

#include "etcd_client.h"

#include <QtTest>

#include <array>
#include <optional>

using namespace dmr;
using namespace dmr::agent;

namespace {

// One scripted server: accepts connections and answers each request with the next of its
// responses (raw HTTP, written in the given pieces, a pause between them); no response left:
// it reads and never answers.
struct Script
{
    Script() = default;
    explicit Script(std::vector<std::vector<std::string>> r)
        : responses(std::move(r))
    {
    }
    std::vector<std::vector<std::string>> responses; // per request: its pieces
    int pauseMs = 5;
    int requests = 0;
    std::string lastBody;
};

class FakeServer
{
public:
    FakeServer(asio::io_context &io, Script &script)
        : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))
        , script_(script)
    {
        asio::co_spawn(io, accept(), asio::detached);
    }
    HostPort endpoint() const
    {
        return *HostPort::parse("127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()));
    }
    void close()
    {
        error_code ec;
        acceptor_.close(ec);
        for (auto &s : sockets_)
            s->close(ec);
    }

private:
    awaitable<void> accept()
    {
        for (;;) {
            error_code ec;
            auto socket =
                std::make_shared<tcp::socket>(co_await acceptor_.async_accept(ec_await(ec)));
            if (ec)
                co_return;
            sockets_.push_back(socket);
            asio::co_spawn(acceptor_.get_executor(), serve(socket), asio::detached);
        }
    }

    awaitable<void> serve(std::shared_ptr<tcp::socket> socket)
    {
        std::string in;
        for (;;) {
            // One request: the header, then Content-Length bytes.
            error_code ec;
            std::size_t headerEnd;
            while ((headerEnd = in.find("\r\n\r\n")) == std::string::npos) {
                std::array<char, 4096> buf{};
                const std::size_t n =
                    co_await socket->async_read_some(asio::buffer(buf), ec_await(ec));
                if (ec)
                    co_return;
                in.append(buf.data(), n);
            }
            std::size_t length = 0;
            const auto cl = in.find("Content-Length: ");
            if (cl != std::string::npos && cl < headerEnd)
                length = std::stoul(in.substr(cl + 16));
            while (in.size() < headerEnd + 4 + length) {
                std::array<char, 4096> buf{};
                const std::size_t n =
                    co_await socket->async_read_some(asio::buffer(buf), ec_await(ec));
                if (ec)
                    co_return;
                in.append(buf.data(), n);
            }
            script_.lastBody = in.substr(headerEnd + 4, length);
            in.erase(0, headerEnd + 4 + length);
            const auto index = static_cast<std::size_t>(script_.requests++);
            if (index >= script_.responses.size())
                continue; // never answers
            for (const auto &piece : script_.responses[index]) {
                co_await asio::async_write(*socket, asio::buffer(piece), ec_await(ec));
                if (ec)
                    co_return;
                asio::steady_timer pause(socket->get_executor(),
                                         std::chrono::milliseconds(script_.pauseMs));
                co_await pause.async_wait(ec_await(ec));
            }
        }
    }

    tcp::acceptor acceptor_;
    Script &script_;
    std::vector<std::shared_ptr<tcp::socket>> sockets_;
};

std::string okResponse(const std::string &body)
{
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string chunk(const std::string &data)
{
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return size + data + "\r\n";
}

const std::string kStreamHeader =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

// A port that refuses: bound, then closed.
HostPort closedPort(asio::io_context &io)
{
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = a.local_endpoint().port();
    a.close();
    return *HostPort::parse("127.0.0.1:" + std::to_string(port));
}

template<typename T>
awaitable<void> into(awaitable<T> op, std::optional<T> &out, asio::io_context &io)
{
    out.emplace(co_await std::move(op));
    io.stop();
}

// Runs one coroutine to its end on the loop (bounded: 10 s); nullopt if it did not end.
template<typename T>
std::optional<T> run(asio::io_context &io, awaitable<T> op)
{
    std::optional<T> out;
    asio::co_spawn(io, into(std::move(op), out, io), asio::detached);
    io.run_for(std::chrono::seconds(10));
    io.restart();
    return out;
}

} // namespace

class TestEtcdClient : public QObject
{
    Q_OBJECT

private slots:
    void movesOnToTheNextEndpoint()
    {
        asio::io_context io;
        Script script{{{okResponse(R"({"header":{"revision":"7"},"ID":"42","TTL":"2"})")}}};
        FakeServer server(io, script);
        auto counters = std::make_shared<EtcdCounters>();
        auto client = std::make_shared<EtcdClient>(
            io, std::vector<HostPort>{closedPort(io), server.endpoint()}, 1000, counters);
        auto r = run(io, client->call("/v3/lease/grant", {{"TTL", "2"}}));
        QVERIFY(r.has_value());
        QVERIFY2(r->ok(), r->ok() ? "" : r->error().message.c_str());
        QCOMPARE((*r)->status, 200u);
        QCOMPARE((*r)->body["ID"].get<std::string>(), std::string("42"));
        QCOMPARE((*r)->endpoint, server.endpoint().toString());
        QCOMPARE(script.lastBody, std::string(R"({"TTL":"2"})"));
        QCOMPARE(counters->failures, std::uint64_t{1});
        QCOMPARE(counters->endpointMoves, std::uint64_t{1});
        QCOMPARE(counters->requests, std::uint64_t{1}); // the refused connect sent nothing
        QCOMPARE(client->endpoint(), server.endpoint().toString());
    }

    void unreachableNamesEveryEndpoint()
    {
        asio::io_context io;
        const HostPort a = closedPort(io);
        const HostPort b = closedPort(io);
        auto counters = std::make_shared<EtcdCounters>();
        auto client = std::make_shared<EtcdClient>(io, std::vector<HostPort>{a, b}, 1000, counters);
        auto r = run(io, client->call("/v3/kv/range", nlohmann::json::object()));
        QVERIFY(r.has_value() && !r->ok());
        const QString message = QString::fromStdString(r->error().message);
        QVERIFY2(message.contains(QString::fromStdString(a.toString())) &&
                     message.contains(QString::fromStdString(b.toString())) &&
                     message.contains(QStringLiteral("refused")),
                 qPrintable(message));
        QCOMPARE(counters->failures, std::uint64_t{2});
    }

    void requestTimesOut()
    {
        asio::io_context io;
        Script script; // reads, never answers
        FakeServer server(io, script);
        auto counters = std::make_shared<EtcdCounters>();
        auto client = std::make_shared<EtcdClient>(io, std::vector<HostPort>{server.endpoint()},
                                                   300, counters);
        QElapsedTimer t;
        t.start();
        auto r = run(io, client->call("/v3/lease/keepalive", {{"ID", "1"}}));
        QVERIFY(r.has_value() && !r->ok());
        QVERIFY2(QString::fromStdString(r->error().message).contains(QStringLiteral("timeout")),
                 r->error().message.c_str());
        QVERIFY(t.elapsed() >= 250);
        QCOMPARE(counters->failures, std::uint64_t{1});
    }

    void refusalIsAReplyNotAnOutage()
    {
        asio::io_context io;
        const std::string body =
            R"({"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5})";
        Script script{
            {{"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body},
             {okResponse("{}")}}};
        FakeServer server(io, script);
        auto counters = std::make_shared<EtcdCounters>();
        auto client = std::make_shared<EtcdClient>(io, std::vector<HostPort>{server.endpoint()},
                                                   1000, counters);
        auto r = run(io, client->call("/v3/lease/revoke", {{"ID", "9"}}));
        QVERIFY(r.has_value() && r->ok());
        QCOMPARE((*r)->status, 404u);
        QCOMPARE((*r)->body["code"].get<int>(), 5);
        QCOMPARE(counters->failures, std::uint64_t{0});
        // The connection is kept: the next request goes on it.
        auto again = run(io, client->call("/v3/kv/range", nlohmann::json::object()));
        QVERIFY(again.has_value() && again->ok());
        QCOMPARE(script.requests, 2);
    }

    void watchLinesAcrossChunks()
    {
        asio::io_context io;
        const std::string one = R"({"result":{"header":{"revision":"3"},"created":true}})"
                                "\n";
        const std::string two =
            R"({"result":{"header":{"revision":"4"},"events":[{"kv":{"key":"YQ==","create_revision":"4"}}]}})"
            "\n";
        // The second line is cut in three chunks, and a blank line comes between.
        Script script{{{kStreamHeader, chunk(one + "\n"), chunk(two.substr(0, 10)),
                        chunk(two.substr(10, 20)), chunk(two.substr(30)), "0\r\n\r\n"}}};
        FakeServer server(io, script);
        auto counters = std::make_shared<EtcdCounters>();
        auto client = std::make_shared<EtcdClient>(io, std::vector<HostPort>{server.endpoint()},
                                                   1000, counters);
        std::vector<std::string> revisions;
        auto why =
            run(io, client->stream("/v3/watch", {{"create_request", {{"key", "YQ=="}}}},
                                   [&](nlohmann::json m) {
                                       revisions.push_back(m["result"]["header"]["revision"]);
                                       return true;
                                   }));
        QVERIFY(why.has_value());
        QCOMPARE(revisions, (std::vector<std::string>{"3", "4"}));
        QVERIFY2(QString::fromStdString(*why).contains(QStringLiteral("stream ended")),
                 why->c_str());
        QCOMPARE(counters->linesDropped, std::uint64_t{0});
    }

    void watchLineTooLongEndsTheStream()
    {
        asio::io_context io;
        const std::string first = R"({"result":{"created":true}})"
                                  "\n";
        const std::string huge(EtcdClient::kMaxLineBytes + 1, 'x');
        Script script{{{kStreamHeader, chunk(first), chunk(huge), chunk("\n")}}};
        script.pauseMs = 1;
        FakeServer server(io, script);
        auto counters = std::make_shared<EtcdCounters>();
        auto client = std::make_shared<EtcdClient>(io, std::vector<HostPort>{server.endpoint()},
                                                   1000, counters);
        int messages = 0;
        auto why = run(io, client->stream("/v3/watch", nlohmann::json::object(),
                                          [&](nlohmann::json) { return ++messages, true; }));
        QVERIFY(why.has_value());
        QCOMPARE(messages, 1);
        QVERIFY2(QString::fromStdString(*why).contains(QStringLiteral("a line longer than")),
                 why->c_str());
        QCOMPARE(counters->linesDropped, std::uint64_t{1});
    }

    void watchLineNotJsonEndsTheStream()
    {
        asio::io_context io;
        Script script{{{kStreamHeader, chunk("{not json\n")}}};
        FakeServer server(io, script);
        auto counters = std::make_shared<EtcdCounters>();
        auto client = std::make_shared<EtcdClient>(io, std::vector<HostPort>{server.endpoint()},
                                                   1000, counters);
        auto why = run(io, client->stream("/v3/watch", nlohmann::json::object(),
                                          [&](nlohmann::json) { return true; }));
        QVERIFY(why.has_value());
        QVERIFY2(QString::fromStdString(*why).contains(QStringLiteral("not JSON")), why->c_str());
        QCOMPARE(counters->linesDropped, std::uint64_t{1});
    }

    void closeAbortsAStream()
    {
        asio::io_context io;
        Script script{{{kStreamHeader, chunk("{\"result\":{}}\n")}}}; // then silence
        FakeServer server(io, script);
        auto counters = std::make_shared<EtcdCounters>();
        auto client = std::make_shared<EtcdClient>(io, std::vector<HostPort>{server.endpoint()},
                                                   1000, counters);
        asio::steady_timer later(io, std::chrono::milliseconds(200));
        later.async_wait([&](const error_code &) { client->close(); });
        int messages = 0;
        auto why = run(io, client->stream("/v3/watch", nlohmann::json::object(),
                                          [&](nlohmann::json) { return ++messages, true; }));
        QVERIFY(why.has_value());
        QCOMPARE(*why, std::string("closed"));
        // The line was handed over as it arrived, not when a buffer filled or the stream ended.
        QCOMPARE(messages, 1);
    }
};

QTEST_APPLESS_MAIN(TestEtcdClient)
#include "tst_etcd_client.moc"
