#include "os_interfaces.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

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
        if ((i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0)
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

} // namespace dmr::agent
