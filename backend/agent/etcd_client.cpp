#include "etcd_client.h"

#include <boost/beast/http.hpp>

namespace dmr::agent {

namespace beast = boost::beast;
namespace http = beast::http;
using Json = nlohmann::json;

EtcdClient::EtcdClient(asio::io_context &io, std::vector<HostPort> endpoints, int timeoutMs,
                       std::shared_ptr<EtcdCounters> counters)
    : io_(io)
    , endpoints_(std::move(endpoints))
    , timeoutMs_(timeoutMs)
    , counters_(std::move(counters))
{
}

EtcdClient::~EtcdClient() = default;

void EtcdClient::close()
{
    closed_ = true;
    if (stream_) {
        error_code ec;
        stream_->socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_->socket().close(ec);
    }
}

void EtcdClient::moveOn()
{
    if (stream_) {
        error_code ec;
        stream_->socket().close(ec);
    }
    stream_.reset();
    buffer_.clear();
    if (endpoints_.size() > 1) {
        current_ = (current_ + 1) % endpoints_.size();
        ++counters_->endpointMoves;
    }
}

awaitable<Result<std::monostate>> EtcdClient::connect()
{
    auto keep = shared_from_this();
    if (stream_ && stream_->socket().is_open())
        co_return std::monostate{};
    const HostPort &hp = endpoints_[current_];
    error_code ec;
    const auto ip = asio::ip::make_address(hp.host.toString(), ec);
    if (ec)
        co_return Error{"etcd " + hp.toString() + ": " + ec.message()};
    stream_ = std::make_unique<beast::tcp_stream>(io_);
    buffer_.clear();
    stream_->expires_after(std::chrono::milliseconds(timeoutMs_));
    co_await stream_->async_connect(tcp::endpoint(ip, hp.port), ec_await(ec));
    if (closed_)
        co_return Error{"etcd client closed"};
    if (ec) {
        stream_.reset();
        co_return Error{"etcd " + hp.toString() + ": connect: " + ec.message()};
    }
    stream_->socket().set_option(tcp::no_delay(true), ec);
    co_return std::monostate{};
}

namespace {

http::request<http::string_body> makeRequest(const std::string &path, const std::string &host,
                                             std::string body)
{
    http::request<http::string_body> req{http::verb::post, path, 11};
    req.set(http::field::host, host);
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

} // namespace

awaitable<Result<EtcdReply>> EtcdClient::call(std::string path, Json body)
{
    auto keep = shared_from_this();
    const std::string text = body.dump();
    std::string errors; // every endpoint's, for the one line that says etcd is unreachable
    auto failed = [&errors](const std::string &e) { errors += (errors.empty() ? "" : "; ") + e; };
    // Each endpoint once; a kept-alive connection that the server had closed gets one more go on
    // a fresh connection before moving on.
    std::size_t attempts = endpoints_.size();
    bool freshRetry = true;
    for (std::size_t attempt = 0; attempt < attempts && !closed_; ++attempt) {
        const bool reused = stream_ && stream_->socket().is_open();
        if (auto c = co_await connect(); !c) {
            failed(c.error().message);
            ++counters_->failures;
            moveOn();
            continue;
        }
        const std::string host = endpoints_[current_].toString();
        auto req = makeRequest(path, host, text);
        error_code ec;
        stream_->expires_after(std::chrono::milliseconds(timeoutMs_));
        ++counters_->requests;
        co_await http::async_write(*stream_, req, ec_await(ec));
        http::response_parser<http::string_body> parser;
        parser.body_limit(kMaxBodyBytes);
        if (!ec && !closed_)
            co_await http::async_read(*stream_, buffer_, parser, ec_await(ec));
        if (closed_)
            co_return Error{"etcd client closed"};
        if (ec) {
            const std::string error = "etcd " + host + path + ": " + ec.message();
            if (reused && freshRetry &&
                (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                 ec == asio::error::eof || ec == asio::error::broken_pipe)) {
                // The server closed an idle connection: the same endpoint, a new connection.
                freshRetry = false;
                stream_.reset();
                buffer_.clear();
                ++attempts;
                continue;
            }
            failed(error);
            ++counters_->failures;
            moveOn();
            continue;
        }
        auto res = parser.release();
        if (!res.keep_alive()) {
            error_code ignored;
            stream_->socket().close(ignored);
            stream_.reset();
        }
        EtcdReply reply;
        reply.status = res.result_int();
        reply.endpoint = host;
        reply.body = Json::parse(res.body(), nullptr, false);
        if (reply.body.is_discarded()) {
            ++counters_->failures;
            co_return Error{"etcd " + host + path + ": HTTP " + std::to_string(reply.status) +
                            " with a body that is not JSON"};
        }
        co_return reply;
    }
    co_return Error{closed_          ? std::string("etcd client closed")
                    : errors.empty() ? std::string("no endpoint")
                                     : errors};
}

awaitable<std::string> EtcdClient::stream(std::string path, Json body,
                                          std::function<bool(Json)> onMessage)
{
    auto keep = shared_from_this();
    std::string lastError = "no endpoint";
    bool opened = false;
    for (std::size_t attempt = 0; attempt < endpoints_.size() && !closed_; ++attempt) {
        if (auto c = co_await connect(); !c) {
            lastError = c.error().message;
            ++counters_->failures;
            moveOn();
            continue;
        }
        opened = true;
        break;
    }
    if (!opened || closed_)
        co_return closed_ ? std::string("closed") : lastError;
    const std::string host = endpoints_[current_].toString();
    auto req = makeRequest(path, host, body.dump());
    error_code ec;
    stream_->expires_after(std::chrono::milliseconds(timeoutMs_));
    ++counters_->requests;
    co_await http::async_write(*stream_, req, ec_await(ec));
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none); // a stream: no end but the connection's
    if (!ec && !closed_)
        co_await http::async_read_header(*stream_, buffer_, parser, ec_await(ec));
    if (closed_)
        co_return "closed";
    if (ec) {
        ++counters_->failures;
        moveOn();
        co_return "etcd " + host + path + ": " + ec.message();
    }
    if (parser.get().result_int() != 200) {
        moveOn();
        co_return "etcd " + host + path + ": HTTP " + std::to_string(parser.get().result_int());
    }
    stream_->expires_never();
    std::string line;
    std::array<char, 16 * 1024> chunk{};
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        // read_some: whatever has arrived, not a full buffer (events are small and rare).
        co_await http::async_read_some(*stream_, buffer_, parser, ec_await(ec));
        if (ec == http::error::need_buffer)
            ec = {};
        if (closed_)
            co_return "closed";
        if (ec)
            break;
        const std::size_t n = chunk.size() - parser.get().body().size;
        std::string_view data(chunk.data(), n);
        while (!data.empty()) {
            const auto nl = data.find('\n');
            const std::string_view piece = data.substr(0, nl);
            if (line.size() + piece.size() > kMaxLineBytes) {
                // The rest of the line, and the event in it, are lost: the caller must read
                // everything again.
                ++counters_->linesDropped;
                moveOn();
                co_return "etcd " + host + path + ": a line longer than " +
                    std::to_string(kMaxLineBytes) + " bytes";
            }
            line.append(piece);
            if (nl == std::string_view::npos)
                break;
            data.remove_prefix(nl + 1);
            if (line.find_first_not_of(" \r\t") == std::string::npos) {
                line.clear();
                continue;
            }
            auto message = Json::parse(line, nullptr, false);
            line.clear();
            if (message.is_discarded()) {
                ++counters_->linesDropped;
                moveOn();
                co_return "etcd " + host + path + ": a line that is not JSON";
            }
            if (!onMessage(std::move(message))) {
                moveOn();
                co_return "ended by its reader";
            }
            if (closed_)
                co_return "closed";
        }
    }
    moveOn();
    co_return "etcd " + host + path + ": stream ended" + (ec ? ": " + ec.message() : std::string());
}

} // namespace dmr::agent
