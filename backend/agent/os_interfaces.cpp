#include "os_interfaces.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dmr::agent {

namespace {

int prefixLength(const sockaddr *mask)
{
    const unsigned char *bytes = nullptr;
    std::size_t n = 0;
    if (mask->sa_family == AF_INET) {
        bytes = reinterpret_cast<const unsigned char *>(
            &reinterpret_cast<const sockaddr_in *>(mask)->sin_addr);
        n = 4;
    } else {
        bytes = reinterpret_cast<const unsigned char *>(
            &reinterpret_cast<const sockaddr_in6 *>(mask)->sin6_addr);
        n = 16;
    }
    int bits = 0;
    for (std::size_t i = 0; i < n; ++i)
        bits += __builtin_popcount(bytes[i]);
    return bits;
}

} // namespace

Result<std::vector<Interface>> readOsInterfaces()
{
    ifaddrs *list = nullptr;
    if (::getifaddrs(&list) != 0)
        return Error{std::string("getifaddrs: ") + std::strerror(errno)};
    std::vector<Interface> out;
    for (ifaddrs *i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_netmask == nullptr)
            continue;
        const int family = i->ifa_addr->sa_family;
        if (family != AF_INET && family != AF_INET6)
            continue;
        // Administratively up and with a carrier (IFF_RUNNING): a pulled cable is a failure too.
        if ((i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_RUNNING) == 0 ||
            (i->ifa_flags & IFF_LOOPBACK) != 0)
            continue;
        char text[INET6_ADDRSTRLEN] = {};
        const void *addr =
            family == AF_INET
                ? static_cast<const void *>(&reinterpret_cast<sockaddr_in *>(i->ifa_addr)->sin_addr)
                : static_cast<const void *>(
                      &reinterpret_cast<sockaddr_in6 *>(i->ifa_addr)->sin6_addr);
        if (::inet_ntop(family, addr, text, sizeof text) == nullptr)
            continue;
        if (family == AF_INET6 &&
            IN6_IS_ADDR_LINKLOCAL(&reinterpret_cast<sockaddr_in6 *>(i->ifa_addr)->sin6_addr))
            continue; // link-local addresses name no routed network
        auto parsed = InterfaceAddress::parse(std::string(text) + "/" +
                                              std::to_string(prefixLength(i->ifa_netmask)));
        if (!parsed)
            continue;
        out.push_back(Interface{i->ifa_name, *parsed});
    }
    ::freeifaddrs(list);
    return out;
}

InterfaceWatch::InterfaceWatch(asio::io_context &io, std::function<void()> changed)
    : io_(io)
    , changed_(std::move(changed))
    , debounce_(io)
{
}

InterfaceWatch::~InterfaceWatch()
{
    *alive_ = false;
}

Result<std::monostate> InterfaceWatch::start()
{
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (fd < 0)
        return Error{std::string("rtnetlink socket: ") + std::strerror(errno)};
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        return Error{"rtnetlink bind: " + why};
    }
    socket_ = std::make_unique<asio::posix::stream_descriptor>(io_, fd);
    asio::co_spawn(io_, readLoop(), asio::detached);
    return std::monostate{};
}

awaitable<void> InterfaceWatch::readLoop()
{
    auto alive = alive_;
    std::array<char, 16 * 1024> buf{};
    for (;;) {
        error_code ec;
        co_await socket_->async_read_some(asio::buffer(buf), ec_await(ec));
        if (!*alive || ec == asio::error::operation_aborted)
            co_return;
        // The messages only say that something changed; the caller reads the whole state
        // again (ENOBUFS, a lost message, is handled the same way).
        debounce_.expires_after(std::chrono::milliseconds(5));
        debounce_.async_wait([this, alive](const error_code &e) {
            if (!e && *alive)
                changed_();
        });
        if (ec && ec != asio::error::no_buffer_space)
            co_return;
    }
}

} // namespace dmr::agent
