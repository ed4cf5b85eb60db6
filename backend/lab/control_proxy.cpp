#include "control_proxy.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <list>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dmr::lab {

namespace {

void setNonBlocking(int fd)
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

sockaddr_in loopback(std::uint16_t port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

struct Pair
{
    int client = -1;
    int upstream = -1;
    bool connecting = true;
    bool clientEof = false;
    bool upstreamEof = false;
    bool upShut = false;
    bool clientShut = false;
    std::string toUpstream;
    std::string toClient;
    bool dead = false;
};

// Reads what fits into `into`; false on EOF (eof set) or a hard error (dead).
void readInto(int fd, std::string &into, bool &eof, bool &dead)
{
    char buf[16 * 1024];
    const std::size_t room = ControlProxy::kBufferBytes - into.size();
    if (room == 0)
        return;
    const ssize_t n = ::recv(fd, buf, std::min(room, sizeof buf), 0);
    if (n > 0)
        into.append(buf, static_cast<std::size_t>(n));
    else if (n == 0)
        eof = true;
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        dead = true;
}

void writeFrom(int fd, std::string &from, bool &dead)
{
    if (from.empty())
        return;
    const ssize_t n = ::send(fd, from.data(), from.size(), MSG_NOSIGNAL);
    if (n > 0)
        from.erase(0, static_cast<std::size_t>(n));
    else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        dead = true;
}

} // namespace

int ControlProxy::socketInNetns(const std::string &netns, int type)
{
    const int home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    const int there = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    int fd = -1;
    if (home >= 0 && there >= 0 && ::setns(there, CLONE_NEWNET) == 0) {
        // A socket belongs to the namespace it was made in, wherever the thread goes next.
        fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
        if (::setns(home, CLONE_NEWNET) != 0) {
            std::fprintf(stderr, "dmr-lab: cannot return to the lab's network namespace: %s\n",
                         std::strerror(errno));
            std::abort();
        }
    }
    if (home >= 0)
        ::close(home);
    if (there >= 0)
        ::close(there);
    return fd;
}

Result<std::unique_ptr<ControlProxy>> ControlProxy::start(std::vector<Route> routes)
{
    std::unique_ptr<ControlProxy> p(new ControlProxy());
    p->routes_ = std::move(routes);
    for (const auto &r : p->routes_) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        const sockaddr_in a = loopback(r.port);
        if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr *>(&a), sizeof a) != 0 ||
            ::listen(fd, 64) != 0) {
            const std::string why = std::strerror(errno);
            if (fd >= 0)
                ::close(fd);
            for (int l : p->listeners_)
                ::close(l);
            p->listeners_.clear();
            return Error{"control proxy: 127.0.0.1:" + std::to_string(r.port) + ": " + why};
        }
        p->listeners_.push_back(fd);
    }
    if (::pipe2(p->wake_, O_CLOEXEC | O_NONBLOCK) != 0)
        return Error{std::string("control proxy: pipe: ") + std::strerror(errno)};
    p->thread_ = std::thread([raw = p.get()] { raw->loop(); });
    return p;
}

ControlProxy::~ControlProxy()
{
    if (thread_.joinable()) {
        const char c = 'x';
        (void)!::write(wake_[1], &c, 1);
        thread_.join();
    }
    for (int fd : listeners_)
        ::close(fd);
    for (int fd : wake_)
        if (fd >= 0)
            ::close(fd);
}

void ControlProxy::loop()
{
    std::list<Pair> pairs;
    std::vector<pollfd> fds;
    while (true) {
        fds.clear();
        fds.push_back({wake_[0], POLLIN, 0});
        for (int l : listeners_)
            fds.push_back({l, POLLIN, 0});
        for (auto &p : pairs) {
            short c = 0;
            short u = 0;
            if (!p.clientEof && p.toUpstream.size() < kBufferBytes)
                c |= POLLIN;
            if (!p.toClient.empty())
                c |= POLLOUT;
            if (p.connecting || !p.toUpstream.empty())
                u |= POLLOUT;
            if (!p.connecting && !p.upstreamEof && p.toClient.size() < kBufferBytes)
                u |= POLLIN;
            fds.push_back({p.client, c, 0});
            fds.push_back({p.upstream, u, 0});
        }
        if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR)
            return;
        if ((fds[0].revents & POLLIN) != 0)
            break;
        for (std::size_t i = 0; i < listeners_.size(); ++i) {
            if ((fds[1 + i].revents & POLLIN) == 0)
                continue;
            const int client = ::accept4(listeners_[i], nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0)
                continue;
            if (pairs.size() >= kConnectionsMax) {
                ::close(client);
                ++refused_;
                continue;
            }
            const int up = socketInNetns(routes_[i].netns, SOCK_STREAM);
            if (up < 0) {
                ::close(client);
                ++upstreamFailures_;
                continue;
            }
            setNonBlocking(client);
            setNonBlocking(up);
            const sockaddr_in a = loopback(routes_[i].port);
            const int r = ::connect(up, reinterpret_cast<const sockaddr *>(&a), sizeof a);
            if (r != 0 && errno != EINPROGRESS) {
                ::close(client);
                ::close(up);
                ++upstreamFailures_;
                continue;
            }
            Pair p;
            p.client = client;
            p.upstream = up;
            p.connecting = r != 0;
            pairs.push_back(std::move(p));
        }
        // Pairs made in this round have no pollfd yet: they are the last ones; skip them.
        std::size_t k = 1 + listeners_.size();
        for (auto &p : pairs) {
            if (k + 1 >= fds.size())
                break;
            const short c = fds[k].revents;
            const short u = fds[k + 1].revents;
            k += 2;
            if (p.connecting && (u & (POLLOUT | POLLERR | POLLHUP)) != 0) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(p.upstream, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0) {
                    ++upstreamFailures_;
                    p.dead = true;
                    continue;
                }
                p.connecting = false;
            }
            if ((c & (POLLIN | POLLHUP)) != 0 && !p.clientEof)
                readInto(p.client, p.toUpstream, p.clientEof, p.dead);
            if (!p.connecting && (u & (POLLIN | POLLHUP)) != 0 && !p.upstreamEof)
                readInto(p.upstream, p.toClient, p.upstreamEof, p.dead);
            if ((c & POLLERR) != 0 || (!p.connecting && (u & POLLERR) != 0))
                p.dead = true;
            if (!p.connecting)
                writeFrom(p.upstream, p.toUpstream, p.dead);
            writeFrom(p.client, p.toClient, p.dead);
            if (p.clientEof && p.toUpstream.empty() && !p.upShut && !p.connecting) {
                ::shutdown(p.upstream, SHUT_WR);
                p.upShut = true;
            }
            if (p.upstreamEof && p.toClient.empty() && !p.clientShut) {
                ::shutdown(p.client, SHUT_WR);
                p.clientShut = true;
            }
            if (p.upShut && p.clientShut)
                p.dead = true;
        }
        for (auto it = pairs.begin(); it != pairs.end();) {
            if (it->dead) {
                ::close(it->client);
                ::close(it->upstream);
                it = pairs.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto &p : pairs) {
        ::close(p.client);
        ::close(p.upstream);
    }
}

} // namespace dmr::lab
