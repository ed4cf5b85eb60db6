#include "control_session.h"

#include <algorithm>

namespace dmr::agent {

using control_detail::Clock;

namespace {

constexpr auto kSweepInterval = std::chrono::milliseconds(100);
constexpr std::size_t kWriteBatchBytes = 256 * 1024;
constexpr auto kTlsShutdownMax = std::chrono::milliseconds(1000);

} // namespace

// ---- Writing ------------------------------------------------------------------------------------

void ControlServer::publish(const std::string &line)
{
    std::vector<SessionPtr> subscribers;
    for (const auto &s : sessions_)
        if (s->subscribed)
            subscribers.push_back(s);
    for (const auto &s : subscribers)
        enqueue(s, line, true);
}

void ControlServer::enqueue(const SessionPtr &s, std::string line, bool isEvent)
{
    if (s->closed)
        return;
    if (isEvent &&
        (s->queue.size() >= kQueueLinesMax || s->queuedBytes + line.size() > kQueueBytesMax)) {
        // A client that does not read cannot hold the agent's memory: cut it off.
        ++dropped_;
        logPeer(*s, "dropped",
                "does not read its events (" + std::to_string(s->queue.size()) + " lines, " +
                    std::to_string(s->queuedBytes) + " bytes waiting); dropped");
        close(s);
        return;
    }
    s->queuedBytes += line.size();
    s->queue.push_back(std::move(line));
    s->wake.cancel();
}

void ControlServer::finish(const SessionPtr &s)
{
    if (s->closing)
        return;
    s->closing = true;
    s->wake.cancel();
    s->resume.cancel();
}

awaitable<void> ControlServer::writer(SessionPtr s)
{
    auto alive = alive_;
    std::string out;
    for (;;) {
        if (s->closed)
            co_return;
        if (s->queue.empty()) {
            if (s->closing)
                break;
            error_code ec;
            co_await s->wake.async_wait(ec_await(ec));
            if (!*alive)
                co_return;
            continue;
        }
        // One batch: the first line moved (a snapshot is not copied), more appended up to the
        // batch's bound.
        out = std::move(s->queue.front());
        s->queue.pop_front();
        while (!s->queue.empty() && out.size() + s->queue.front().size() <= kWriteBatchBytes) {
            out += s->queue.front();
            s->queue.pop_front();
        }
        s->queuedBytes -= std::min(s->queuedBytes, out.size());
        schedule(s); // room again: its requests may be served
        s->sending = true;
        s->sendProgress = Clock::now();
        std::size_t done = 0;
        while (done < out.size()) {
            error_code ec;
            const std::size_t n =
                co_await s->writeSome(asio::buffer(out.data() + done, out.size() - done), ec);
            if (!*alive)
                co_return;
            if (ec) {
                close(s);
                co_return;
            }
            done += n;
            s->sendProgress = Clock::now();
        }
        s->sending = false;
        out.clear();
        out.shrink_to_fit();
    }
    // Closing with everything written. TLS says so first (close_notify), for at most a second.
    if (auto *t = s->tls(); t != nullptr && !s->closed) {
        error_code ec;
        s->lowest().cancel(ec); // the reader's pending read
        asio::steady_timer guard(io_, kTlsShutdownMax);
        std::weak_ptr<Session> weak = s;
        guard.async_wait([weak](const error_code &e) {
            if (auto session = weak.lock(); session && !e) {
                error_code ignored;
                session->lowest().close(ignored);
            }
        });
        co_await t->async_shutdown(ec_await(ec));
        guard.cancel();
        if (!*alive)
            co_return;
    }
    close(s);
}

void ControlServer::close(const SessionPtr &s)
{
    if (s->closed)
        return;
    s->closed = true;
    s->closing = true;
    error_code ignored;
    s->lowest().shutdown(tcp::socket::shutdown_both, ignored);
    s->lowest().close(ignored);
    s->wake.cancel();
    s->resume.cancel();
    s->requests.clear();
    s->queue.clear();
    s->queuedBytes = 0;
    sessions_.erase(s);
    rejecting_.erase(s);
}

// ---- Deadlines ----------------------------------------------------------------------------------

awaitable<void> ControlServer::sweepLoop()
{
    auto alive = alive_;
    const auto helloTimeout = std::chrono::milliseconds(config_.helloTimeoutMs);
    const auto idleTimeout = std::chrono::milliseconds(config_.idleTimeoutMs);
    const auto sendTimeout = std::chrono::milliseconds(config_.sendTimeoutMs);
    for (;;) {
        sweep_.expires_after(kSweepInterval);
        error_code ec;
        co_await sweep_.async_wait(ec_await(ec));
        if (!*alive)
            co_return;
        const auto now = Clock::now();
        std::vector<SessionPtr> all(sessions_.begin(), sessions_.end());
        all.insert(all.end(), rejecting_.begin(), rejecting_.end());
        for (const auto &s : all) {
            if (s->closed)
                continue;
            if (s->sending && now - s->sendProgress > sendTimeout) {
                ++dropped_;
                logPeer(*s, "dropped",
                        "does not read what it is sent: nothing taken for " +
                            std::to_string(config_.sendTimeoutMs) +
                            " ms (control.send_timeout_ms); dropped");
                close(s);
            } else if (!s->gate.greeted() && !s->closing && now - s->accepted > helloTimeout) {
                ++timedOut_;
                logPeer(*s, "hello-timeout",
                        "no hello within " + std::to_string(config_.helloTimeoutMs) +
                            " ms (control.hello_timeout_ms); closed");
                close(s);
            } else if (config_.idleTimeoutMs > 0 && s->gate.greeted() && !s->subscribed &&
                       s->inFlight == 0 && s->requests.empty() && !s->sending &&
                       now - s->lastRequest > idleTimeout) {
                ++timedOut_;
                logPeer(*s, "idle",
                        "idle for " + std::to_string(config_.idleTimeoutMs) +
                            " ms (control.idle_timeout_ms); closed");
                close(s);
            }
        }
    }
}

} // namespace dmr::agent
