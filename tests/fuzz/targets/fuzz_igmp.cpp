// libFuzzer target: the IGMP/MLD readers (shared/include/dmr/igmp.h) on what a routing point's
// packet sockets hear: an IPv4 packet with IGMP, an IPv6 packet with MLD, a bare ICMPv6 message.
// Each input is also read with its checksums made right (the checksum check would stop almost
// every mutation at the door). What reads names only multicast groups, a group for every report
// and leave, and no more messages than records fit in the bytes.
#include "dmr/igmp.h"

#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

using namespace dmr::igmp;
using dmr::IpAddress;

namespace {

void check(const dmr::Result<std::vector<Message>> &r, std::size_t size, std::size_t recordBytes)
{
    if (!r) {
        if (r.error().message.empty())
            std::abort(); // every refusal says why
        return;
    }
    if (r->size() > size / recordBytes + 1)
        std::abort();
    for (const auto &m : *r) {
        if (m.type != MessageType::Query && !m.group)
            std::abort();
        if (m.group && !m.group->isMulticast())
            std::abort();
        if (m.maxResponseMs < 0 || m.queryIntervalS < 0)
            std::abort();
    }
}

std::uint16_t get16(const std::uint8_t *p)
{
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
void put16(std::uint8_t *p, std::uint16_t v)
{
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
IpAddress v6At(const std::uint8_t *p)
{
    std::array<std::uint8_t, 16> b{};
    for (std::size_t i = 0; i < 16; ++i)
        b[i] = p[i];
    return IpAddress::v6(b);
}

void fixIgmp(std::vector<std::uint8_t> &p)
{
    if (p.size() < 20)
        return;
    const std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
    if (ihl < 20 || ihl > p.size())
        return;
    put16(&p[10], 0);
    put16(&p[10], internetChecksum(std::span(p).subspan(0, ihl)));
    const std::size_t total = std::min<std::size_t>(get16(&p[2]), p.size());
    if (total >= ihl + 4) {
        put16(&p[ihl + 2], 0);
        put16(&p[ihl + 2], internetChecksum(std::span(p).subspan(ihl, total - ihl)));
    }
}

void fixMld(std::vector<std::uint8_t> &p)
{
    if (p.size() < 48)
        return;
    const std::size_t end = std::min<std::size_t>(40 + get16(&p[4]), p.size());
    const std::size_t at = p[6] == 0 ? 40 + (std::size_t{p[41]} + 1) * 8 : 40;
    if (at + 4 > end)
        return;
    put16(&p[at + 2], 0);
    put16(&p[at + 2], icmp6Checksum(std::span(p).subspan(at, end - at), v6At(&p[8]), v6At(&p[24])));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::uint8_t> bytes(data, size);
    check(parseIgmp(bytes), size, 8);
    check(parseIpv6Mld(bytes), size, 20);
    static const IpAddress src = IpAddress::parse("fe80::1").value();
    static const IpAddress dst = IpAddress::parse("ff02::16").value();
    check(parseMld(bytes, src, dst, 1), size, 20);

    std::vector<std::uint8_t> v4(data, data + size);
    fixIgmp(v4);
    check(parseIgmp(v4), size, 8);
    std::vector<std::uint8_t> v6(data, data + size);
    fixMld(v6);
    check(parseIpv6Mld(v6), size, 20);
    if (size >= 4) {
        std::vector<std::uint8_t> icmp(data, data + size);
        put16(&icmp[2], 0);
        put16(&icmp[2], icmp6Checksum(icmp, src, dst));
        check(parseMld(icmp, src, dst, 1), size, 20);
    }
    return 0;
}
