// The IGMP/MLD codec (dmr/igmp.h) on packets captured from Linux 6.18 in two network namespaces
// joined by a veth pair: the host side (10.77.0.1, fe80::5c76:68ff:fee1:a04f) joined and left
// groups with IGMPv1/v2/v3 and MLDv1/v2 forced in turn; the router side ran a bridge with
// mcast_querier on (10.77.0.2, fe80::581a:17ff:fe26:3472) in IGMPv2/v3 and MLDv1/v2. An AF_PACKET
// socket printed each frame's IP packet in hex; they are pasted here as they came.

#include "dmr/igmp.h"

#include <QtTest>

#include <string>
#include <vector>

using namespace dmr::igmp;
using dmr::IpAddress;

namespace {

std::vector<std::uint8_t> hex(const char *text)
{
    std::vector<std::uint8_t> out;
    const std::string s(text);
    for (std::size_t i = 0; i + 1 < s.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
    return out;
}
IpAddress ip(const char *text)
{
    return IpAddress::parse(text).value();
}

// IPv4 (with the router alert option) + IGMP.
const char *kV2Report = "46c00020000040000102e8c50a4d0001ef010203940400001600f8faef010203";
const char *kV2Leave = "46c00020000040000102f9c70a4d0001e0000002940400001700f7faef010203";
const char *kV3Join = // CHANGE_TO_EXCLUDE({}) 239.1.2.3
    "46c00028000040000102f9ab0a4d0001e0000016940400002200e8f90000000104000000ef010203";
const char *kV3Leave = // CHANGE_TO_INCLUDE({}) 239.1.2.3
    "46c00028000040000102f9ab0a4d0001e0000016940400002200e9f90000000103000000ef010203";
const char *kV2GeneralQuery = "46c00020000040000102f9c70a4d0002e0000001940400001164ee9b00000000";
const char *kV2GroupQuery = "46c00020000040000102f9c70a4d0002e000000194040000110afdf0ef010203";
const char *kV3GeneralQuery =
    "46c00024000040000102f9c30a4d0002e0000001940400001164ec9a0000000002010000";
const char *kV3GroupQuery =
    "46c00024000040000102e8c00a4d0002ef01020394040000110afbefef01020302010000";
const char *kV3GroupQuerySFlag =
    "46c00024000040000102e8c00a4d0002ef01020394040000110af3efef0102030a010000";
const char *kV3QueryFromZero = // the bridge's default: no address of its own
    "46c00024000040000102041300000000e0000001940400001164ec9a0000000002010000";

// IPv6 + hop-by-hop (router alert) + ICMPv6.
const char *kMldv1Report =
    "6000000000200001fe800000000000005c7668fffee1a04fff1500000000000000000000000100033a000502"
    "0000010083001b5100000000ff150000000000000000000000010003";
const char *kMldv1Done =
    "6000000000200001fe800000000000005c7668fffee1a04fff0200000000000000000000000000023a000502"
    "0000010084001a6600000000ff150000000000000000000000010003";
const char *kMldv2Join =
    "6000000000240001fe800000000000005c7668fffee1a04fff0200000000000000000000000000163a000502"
    "000001008f000b4d0000000104000000ff150000000000000000000000010003";
const char *kMldv2Leave =
    "6000000000240001fe800000000000005c7668fffee1a04fff0200000000000000000000000000163a000502"
    "000001008f000c4d0000000103000000ff150000000000000000000000010003";
const char *kMldv2TwoRecords = // IS_EXCLUDE({}) for two groups, answering a general query
    "6000000000380001fe80000000000000581a17fffe263472ff0200000000000000000000000000163a000502"
    "000001008f009a3c0000000202000000ff0200000000000000000001ff26347202000000ff02000000000000"
    "000000000000006a";
const char *kMldv1GeneralQuery =
    "6000000000200001fe80000000000000581a17fffe263472ff0200000000000000000000000000013a000502"
    "000000008200b6652710000000000000000000000000000000000000";
const char *kMldv1GroupQuery =
    "6000000000200001fe80000000000000581a17fffe263472ff0200000000000000000000000000013a000502"
    "000000008200da7303e80000ff150000000000000000000000010003";
const char *kMldv2GeneralQuery =
    "6000000000240001fe80000000000000581a17fffe263472ff0200000000000000000000000000013a000502"
    "000000008200b460271000000000000000000000000000000000000002010000";
const char *kMldv2GroupQuery =
    "6000000000240001fe80000000000000581a17fffe263472ff0200000000000000000000000000013a000502"
    "000000008200d86e03e80000ff15000000000000000000000001000302010000";

Message one(const char *packet, bool v6 = false)
{
    const auto bytes = hex(packet);
    auto r = v6 ? parseIpv6Mld(bytes) : parseIgmp(bytes);
    if (!r)
        qFatal("%s", r.error().message.c_str());
    if (r->size() != 1)
        qFatal("%zu messages, expected 1", r->size());
    return r->front();
}

// Sets the IPv4 header checksum and the IGMP checksum again after a test changed a field, so
// that the check the test aims at is the one that fires.
void fixIgmp(std::vector<std::uint8_t> &p)
{
    const std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
    p[10] = p[11] = 0;
    auto c = internetChecksum(std::span(p).subspan(0, ihl));
    p[10] = static_cast<std::uint8_t>(c >> 8);
    p[11] = static_cast<std::uint8_t>(c);
    if (p.size() >= ihl + 4) {
        p[ihl + 2] = p[ihl + 3] = 0;
        c = internetChecksum(std::span(p).subspan(ihl));
        p[ihl + 2] = static_cast<std::uint8_t>(c >> 8);
        p[ihl + 3] = static_cast<std::uint8_t>(c);
    }
}
// The same for an IPv6 packet with the 8-byte hop-by-hop header of the captures.
void fixMld(std::vector<std::uint8_t> &p)
{
    if (p.size() < 52)
        return;
    p[50] = p[51] = 0;
    std::array<std::uint8_t, 16> s{}, d{};
    std::copy(p.begin() + 8, p.begin() + 24, s.begin());
    std::copy(p.begin() + 24, p.begin() + 40, d.begin());
    const auto c = icmp6Checksum(std::span(p).subspan(48), IpAddress::v6(s), IpAddress::v6(d));
    p[50] = static_cast<std::uint8_t>(c >> 8);
    p[51] = static_cast<std::uint8_t>(c);
}

} // namespace

class TestIgmp : public QObject
{
    Q_OBJECT

private slots:
    void igmpReportsAndLeaves()
    {
        auto m = one(kV2Report);
        QVERIFY(m.type == MessageType::Report);
        QCOMPARE(m.version, 2);
        QCOMPARE(m.source, ip("10.77.0.1"));
        QCOMPARE(m.group, std::optional(ip("239.1.2.3")));
        QVERIFY(!m.namesHost); // IGMPv2 reports are suppressed: no host tracking

        m = one(kV2Leave);
        QVERIFY(m.type == MessageType::Leave);
        QCOMPARE(m.version, 2);
        QCOMPARE(m.group, std::optional(ip("239.1.2.3")));

        m = one(kV3Join);
        QVERIFY(m.type == MessageType::Report);
        QCOMPARE(m.version, 3);
        QCOMPARE(m.source, ip("10.77.0.1"));
        QCOMPARE(m.group, std::optional(ip("239.1.2.3")));
        QVERIFY(m.namesHost);

        m = one(kV3Leave);
        QVERIFY(m.type == MessageType::Leave);
        QVERIFY(m.namesHost);

        // IGMPv1: type 0x12, built from the v2 report.
        auto v1 = hex(kV2Report);
        v1[24] = 0x12;
        fixIgmp(v1);
        auto r = parseIgmp(v1);
        QVERIFY(r);
        QCOMPARE(r->front().version, 1);
        QVERIFY(r->front().type == MessageType::Report);

        // DVMRP (0x13) and mtrace (0x1f) are IGMP too, but nothing for the table.
        auto dvmrp = hex(kV2Report);
        dvmrp[24] = 0x13;
        fixIgmp(dvmrp);
        r = parseIgmp(dvmrp);
        QVERIFY(r);
        QVERIFY(r->empty());
    }

    void igmpv3RecordTypes_data()
    {
        QTest::addColumn<int>("recordType");
        QTest::addColumn<int>("sources");
        QTest::addColumn<QString>("expected"); // report|leave|leave-anonymous|nothing
        QTest::newRow("IS_IN({})") << 1 << 0 << "leave";
        QTest::newRow("IS_IN(S)") << 1 << 2 << "report";
        QTest::newRow("IS_EX({})") << 2 << 0 << "report";
        QTest::newRow("IS_EX(S)") << 2 << 1 << "report";
        QTest::newRow("TO_IN({})") << 3 << 0 << "leave";
        QTest::newRow("TO_IN(S)") << 3 << 1 << "report";
        QTest::newRow("TO_EX({})") << 4 << 0 << "report";
        QTest::newRow("ALLOW(S)") << 5 << 1 << "report";
        QTest::newRow("ALLOW({})") << 5 << 0 << "nothing";
        QTest::newRow("BLOCK(S)") << 6 << 2 << "leave-anonymous";
        QTest::newRow("BLOCK({})") << 6 << 0 << "nothing";
    }

    void igmpv3RecordTypes()
    {
        QFETCH(int, recordType);
        QFETCH(int, sources);
        QFETCH(QString, expected);
        // One record built by hand: the v3 join's headers, the record's sources appended.
        auto p = hex(kV3Join);
        p.resize(p.size() - 8);
        const std::vector<std::uint8_t> record = {static_cast<std::uint8_t>(recordType),
                                                  0,
                                                  0,
                                                  static_cast<std::uint8_t>(sources),
                                                  239,
                                                  1,
                                                  2,
                                                  3};
        p.insert(p.end(), record.begin(), record.end());
        for (int i = 0; i < sources; ++i)
            p.insert(p.end(), {10, 77, 9, static_cast<std::uint8_t>(i + 1)});
        p[3] = static_cast<std::uint8_t>(p.size());
        fixIgmp(p);
        auto r = parseIgmp(p);
        QVERIFY2(r, r ? "" : r.error().message.c_str());
        QString got = QStringLiteral("nothing");
        if (!r->empty()) {
            const auto &m = r->front();
            got = m.type == MessageType::Report ? QStringLiteral("report")
                  : m.namesHost                 ? QStringLiteral("leave")
                                                : QStringLiteral("leave-anonymous");
        }
        QCOMPARE(got, expected);
    }

    void igmpQueries()
    {
        auto q = one(kV2GeneralQuery);
        QVERIFY(q.type == MessageType::Query);
        QCOMPARE(q.version, 2);
        QCOMPARE(q.source, ip("10.77.0.2"));
        QVERIFY(!q.group);
        QCOMPARE(q.maxResponseMs, std::int64_t(10'000));

        q = one(kV2GroupQuery);
        QCOMPARE(q.group, std::optional(ip("239.1.2.3")));
        QCOMPARE(q.maxResponseMs, std::int64_t(1'000));

        q = one(kV3GeneralQuery);
        QCOMPARE(q.version, 3);
        QVERIFY(!q.group);
        QCOMPARE(q.maxResponseMs, std::int64_t(10'000));
        QCOMPARE(q.robustness, 2);
        QCOMPARE(q.queryIntervalS, std::int64_t(1));
        QVERIFY(!q.suppressRouterSide);

        q = one(kV3GroupQuery);
        QCOMPARE(q.group, std::optional(ip("239.1.2.3")));
        QCOMPARE(q.maxResponseMs, std::int64_t(1'000));
        QVERIFY(!one(kV3GroupQuery).suppressRouterSide);
        QVERIFY(one(kV3GroupQuerySFlag).suppressRouterSide);

        // IGMPv1: max response code 0 means 10 s.
        auto v1 = hex(kV2GeneralQuery);
        v1[25] = 0;
        fixIgmp(v1);
        auto r = parseIgmp(v1);
        QVERIFY(r);
        QCOMPARE(r->front().version, 1);
        QCOMPARE(r->front().maxResponseMs, std::int64_t(10'000));
    }

    void mldMessages()
    {
        auto m = one(kMldv1Report, true);
        QVERIFY(m.type == MessageType::Report);
        QCOMPARE(m.version, 1);
        QCOMPARE(m.source, ip("fe80::5c76:68ff:fee1:a04f"));
        QCOMPARE(m.group, std::optional(ip("ff15::1:3")));
        QVERIFY(!m.namesHost);

        m = one(kMldv1Done, true);
        QVERIFY(m.type == MessageType::Leave);
        QCOMPARE(m.group, std::optional(ip("ff15::1:3")));

        m = one(kMldv2Join, true);
        QVERIFY(m.type == MessageType::Report);
        QCOMPARE(m.version, 2);
        QVERIFY(m.namesHost);
        QCOMPARE(m.group, std::optional(ip("ff15::1:3")));

        m = one(kMldv2Leave, true);
        QVERIFY(m.type == MessageType::Leave);
        QVERIFY(m.namesHost);

        auto two = parseIpv6Mld(hex(kMldv2TwoRecords));
        QVERIFY(two);
        QCOMPARE(two->size(), std::size_t(2));
        QCOMPARE((*two)[0].group, std::optional(ip("ff02::1:ff26:3472")));
        QCOMPARE((*two)[1].group, std::optional(ip("ff02::6a")));
        QVERIFY((*two)[1].type == MessageType::Report);

        auto q = one(kMldv1GeneralQuery, true);
        QVERIFY(q.type == MessageType::Query);
        QCOMPARE(q.version, 1);
        QVERIFY(!q.group);
        QCOMPARE(q.maxResponseMs, std::int64_t(10'000));
        QCOMPARE(q.source, ip("fe80::581a:17ff:fe26:3472"));
        q = one(kMldv1GroupQuery, true);
        QCOMPARE(q.group, std::optional(ip("ff15::1:3")));
        QCOMPARE(q.maxResponseMs, std::int64_t(1'000));
        q = one(kMldv2GeneralQuery, true);
        QCOMPARE(q.version, 2);
        QVERIFY(!q.group);
        QCOMPARE(q.maxResponseMs, std::int64_t(10'000));
        QCOMPARE(q.robustness, 2);
        QCOMPARE(q.queryIntervalS, std::int64_t(1));
        q = one(kMldv2GroupQuery, true);
        QCOMPARE(q.group, std::optional(ip("ff15::1:3")));
        QCOMPARE(q.maxResponseMs, std::int64_t(1'000));
    }

    // Each malformed packet is refused with the field named.
    void igmpMalformed_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<int>("offset"); // -1: truncate to `value` bytes instead
        QTest::addColumn<int>("value");
        QTest::addColumn<bool>("fix"); // recompute the checksums after the change
        QTest::addColumn<QString>("error");
        QTest::newRow("short ip header")
            << kV2Report << -1 << 19 << false << "IPv4 header: 19 bytes, at least 20";
        QTest::newRow("ip version")
            << kV2Report << 0 << 0x66 << true << "IPv4 version 6, expected 4";
        QTest::newRow("ihl beyond packet")
            << kV2Report << 0 << 0x4f << false << "IPv4 header length 60 (20 to 32)";
        QTest::newRow("ihl below 20") << kV2Report << 0 << 0x44 << false << "IPv4 header length 16";
        QTest::newRow("total length")
            << kV2Report << 3 << 0x40 << true << "IPv4 total length 64, the packet has 32 bytes";
        QTest::newRow("fragment") << kV2Report << 6 << 0x20 << true << "IPv4 fragment";
        QTest::newRow("ttl") << kV2Report << 8 << 64 << true
                             << "IPv4 TTL 64, expected 1: IGMP never crosses a router";
        QTest::newRow("protocol") << kV2Report << 9 << 17 << true
                                  << "IPv4 protocol 17, expected 2 (IGMP)";
        QTest::newRow("ip checksum")
            << kV2Report << 10 << 0 << false << "IPv4 header checksum 0x00c5 wrong";
        QTest::newRow("igmp checksum")
            << kV2Report << 26 << 0 << false << "IGMP checksum 0x00fa wrong";
        QTest::newRow("igmp short")
            << kV2Report << 3 << 30 << true << "IGMP message: 6 bytes, at least 8";
        QTest::newRow("report group unicast")
            << kV2Report << 28 << 10 << true << "IGMPv2 report group 10.1.2.3 is not multicast";
        QTest::newRow("leave group unicast")
            << kV2Leave << 28 << 10 << true << "IGMPv2 leave group 10.1.2.3 is not multicast";
        QTest::newRow("query group unicast")
            << kV3GroupQuery << 28 << 10 << true << "IGMP query group 10.1.2.3 is not multicast";
        QTest::newRow("query length 10") << kV3GeneralQuery << 3 << 34 << true
                                         << "IGMP query length 10 (8 for v1/v2, 12 or more for v3)";
        QTest::newRow("query sources") << kV3GeneralQuery << 35 << 3 << true
                                       << "IGMPv3 query: 3 sources need 24 bytes, the message "
                                          "has 12";
        QTest::newRow("query from 0.0.0.0")
            << kV3QueryFromZero << 0 << 0x46 << false << "IGMP query from 0.0.0.0";
        QTest::newRow("record count") << kV3Join << 31 << 2 << true
                                      << "IGMPv3 report record 2 of 2: 0 bytes left, a record "
                                         "needs 8";
        QTest::newRow("record sources") << kV3Join << 35 << 1 << true
                                        << "IGMPv3 report record 1 of 1: 1 sources and 0 words "
                                           "of auxiliary data need 12 bytes, 8 left";
        QTest::newRow("record aux") << kV3Join << 33 << 1 << true
                                    << "0 sources and 1 words of auxiliary data need 12 bytes";
        QTest::newRow("record type") << kV3Join << 32 << 9 << true
                                     << "IGMPv3 report record 1: record type 9 unknown (1 to 6)";
        QTest::newRow("record group") << kV3Join << 36 << 10 << true
                                      << "IGMPv3 report record 1 of 1: group 10.1.2.3 is not "
                                         "multicast";
    }

    void igmpMalformed()
    {
        QFETCH(QString, base);
        QFETCH(int, offset);
        QFETCH(int, value);
        QFETCH(bool, fix);
        QFETCH(QString, error);
        auto p = hex(base.toLatin1().constData());
        if (offset < 0)
            p.resize(static_cast<std::size_t>(value));
        else
            p[static_cast<std::size_t>(offset)] = static_cast<std::uint8_t>(value);
        if (fix)
            fixIgmp(p);
        auto r = parseIgmp(p);
        QVERIFY2(!r, "accepted");
        QVERIFY2(r.error().message.find(error.toStdString()) != std::string::npos,
                 r.error().message.c_str());
    }

    void mldMalformed_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<int>("offset"); // -1: truncate to `value` bytes
        QTest::addColumn<int>("value");
        QTest::addColumn<bool>("fix");
        QTest::addColumn<QString>("error");
        QTest::newRow("short ipv6 header")
            << kMldv1Report << -1 << 39 << false << "IPv6 header: 39 bytes, at least 40";
        QTest::newRow("ipv6 version")
            << kMldv1Report << 0 << 0x40 << false << "IPv6 version 4, expected 6";
        QTest::newRow("payload length") << kMldv1Report << -1 << 60 << false
                                        << "IPv6 payload length 32, the packet has 20 bytes after "
                                           "the header";
        QTest::newRow("hop-by-hop length") << kMldv1Report << 41 << 4 << false
                                           << "IPv6 hop-by-hop header length 40, the payload has "
                                              "32 bytes";
        QTest::newRow("next header")
            << kMldv1Report << 40 << 17 << false << "IPv6 next header 17, expected 58 (ICMPv6)";
        QTest::newRow("hop limit") << kMldv1Report << 7 << 255 << true
                                   << "MLD hop limit 255, expected 1: MLD never crosses a router";
        QTest::newRow("source not link-local") << kMldv1Report << 8 << 0xfd << true
                                               << "MLD source fd80::5c76:68ff:fee1:a04f is not "
                                                  "link-local";
        QTest::newRow("checksum") << kMldv1Report << 50 << 0 << false
                                  << "ICMPv6 checksum 0x0051 wrong";
        QTest::newRow("not mld") << kMldv1Report << 48 << 128 << true
                                 << "ICMPv6 type 128 is not MLD (130, 131, 132, 143)";
        QTest::newRow("v1 report short")
            << kMldv1Report << 5 << 30 << true << "MLDv1 report: 22 bytes, at least 24";
        QTest::newRow("v1 report group") << kMldv1Report << 56 << 0x20 << true
                                         << "MLDv1 report group 2015::1:3 is not multicast";
        QTest::newRow("done group")
            << kMldv1Done << 56 << 0x20 << true << "MLDv1 done group 2015::1:3 is not multicast";
        QTest::newRow("query length 26") << kMldv2GeneralQuery << 5 << 34 << true
                                         << "MLD query length 26 (24 for v1, 28 or more for v2)";
        QTest::newRow("query sources") << kMldv2GeneralQuery << 75 << 1 << true
                                       << "MLDv2 query: 1 sources need 44 bytes, the message has "
                                          "28";
        QTest::newRow("query group") << kMldv2GroupQuery << 56 << 0x20 << true
                                     << "MLD query group 2015::1:3 is not multicast";
        QTest::newRow("v2 record count") << kMldv2Join << 55 << 2 << true
                                         << "MLDv2 report record 2 of 2: 0 bytes left, a record "
                                            "needs 20";
        QTest::newRow("v2 record sources") << kMldv2Join << 59 << 1 << true
                                           << "1 sources and 0 words of auxiliary data need 36 "
                                              "bytes, 20 left";
        QTest::newRow("v2 record type") << kMldv2Join << 56 << 7 << true
                                        << "MLDv2 report record 1: record type 7 unknown (1 to 6)";
        QTest::newRow("v2 record group")
            << kMldv2Join << 60 << 0x20 << true << "group 2015::1:3 is not multicast";
    }

    void mldMalformed()
    {
        QFETCH(QString, base);
        QFETCH(int, offset);
        QFETCH(int, value);
        QFETCH(bool, fix);
        QFETCH(QString, error);
        auto p = hex(base.toLatin1().constData());
        if (offset < 0) {
            p.resize(static_cast<std::size_t>(value));
        } else {
            p[static_cast<std::size_t>(offset)] = static_cast<std::uint8_t>(value);
            if (offset == 5) // a shorter payload: cut the packet to it
                p.resize(40 + static_cast<std::size_t>(value));
        }
        if (fix)
            fixMld(p);
        auto r = parseIpv6Mld(p);
        QVERIFY2(!r, "accepted");
        QVERIFY2(r.error().message.find(error.toStdString()) != std::string::npos,
                 r.error().message.c_str());
    }

    void mldFromUnspecified()
    {
        // During duplicate address detection a host reports from ::, which names no host; a
        // query from :: is refused (it would win every election).
        const auto join = hex(kMldv2Join);
        const auto icmp = std::span(join).subspan(48);
        std::vector<std::uint8_t> msg(icmp.begin(), icmp.end());
        msg[2] = msg[3] = 0;
        const auto c = icmp6Checksum(msg, ip("::"), ip("ff02::16"));
        msg[2] = static_cast<std::uint8_t>(c >> 8);
        msg[3] = static_cast<std::uint8_t>(c);
        auto r = parseMld(msg, ip("::"), ip("ff02::16"), 1);
        QVERIFY(r);
        QVERIFY(!r->front().namesHost);

        const auto query = encodeMldv2Query({}, ip("::"), ip("ff02::1"));
        auto q = parseMld(query, ip("::"), ip("ff02::1"), 1);
        QVERIFY(!q);
        QVERIFY(q.error().message.find("MLD query from ::") != std::string::npos);
        QVERIFY(!parseMld(msg, ip("10.0.0.1"), ip("ff02::16"), 1));
    }

    // What this node sends is byte for byte what the kernel's bridge querier sends.
    void encodersMatchTheKernel()
    {
        QueryParams general;
        general.maxResponseMs = 10'000;
        general.robustness = 2;
        general.queryIntervalS = 1;
        auto kernel = hex(kV3GeneralQuery);
        QCOMPARE(encodeIgmpv3Query(general),
                 std::vector<std::uint8_t>(kernel.begin() + 24, kernel.end()));
        QueryParams group = general;
        group.group = ip("239.1.2.3");
        group.maxResponseMs = 1'000;
        kernel = hex(kV3GroupQuery);
        QCOMPARE(encodeIgmpv3Query(group),
                 std::vector<std::uint8_t>(kernel.begin() + 24, kernel.end()));

        const IpAddress src = ip("fe80::581a:17ff:fe26:3472");
        kernel = hex(kMldv2GeneralQuery);
        QCOMPARE(encodeMldv2Query(general, src, ip("ff02::1")),
                 std::vector<std::uint8_t>(kernel.begin() + 48, kernel.end()));
        QueryParams group6 = general;
        group6.group = ip("ff15::1:3");
        group6.maxResponseMs = 1'000;
        kernel = hex(kMldv2GroupQuery);
        QCOMPARE(encodeMldv2Query(group6, src, ip("ff02::1")),
                 std::vector<std::uint8_t>(kernel.begin() + 48, kernel.end()));

        // And they read back: the defaults, and a max response beyond the linear range.
        QueryParams big;
        big.group = ip("239.9.9.9");
        big.maxResponseMs = 25'600; // code 0x80 | ..., 256 tenths
        auto wire = encodeIgmpv3Query(big);
        std::vector<std::uint8_t> packet = hex("46c00024000040000102000000000000e000000194040000");
        packet[12] = 10;
        packet[15] = 2;
        packet.insert(packet.end(), wire.begin(), wire.end());
        fixIgmp(packet);
        auto back = parseIgmp(packet);
        QVERIFY2(back, back ? "" : back.error().message.c_str());
        QCOMPARE(back->front().maxResponseMs, std::int64_t(25'600));
        QCOMPARE(back->front().group, big.group);
        QCOMPARE(back->front().robustness, 2);
        QCOMPARE(back->front().queryIntervalS, std::int64_t(125));
        QueryParams big6;
        big6.maxResponseMs = 40'000;
        auto wire6 = encodeMldv2Query(big6, src, ip("ff02::1"));
        auto back6 = parseMld(wire6, src, ip("ff02::1"), 1);
        QVERIFY(back6);
        QCOMPARE(back6->front().maxResponseMs, std::int64_t(40'000));
        QVERIFY(!back6->front().group);
    }

    // One value each way at the edges of both widths: the last linear code and the first
    // floating one, an exponent's step, rounding down, the largest code and saturation.
    void codeEdges_data()
    {
        QTest::addColumn<int>("bits");
        QTest::addColumn<qint64>("value");
        QTest::addColumn<int>("code");       // what value encodes to
        QTest::addColumn<qint64>("decoded"); // what code reads back as
        QTest::newRow("8: negative") << 8 << qint64(-5) << 0 << qint64(0);
        QTest::newRow("8: zero") << 8 << qint64(0) << 0 << qint64(0);
        QTest::newRow("8: 125 (QQIC default)") << 8 << qint64(125) << 125 << qint64(125);
        QTest::newRow("8: 127, last linear") << 8 << qint64(127) << 0x7f << qint64(127);
        QTest::newRow("8: 128, first floating") << 8 << qint64(128) << 0x80 << qint64(128);
        QTest::newRow("8: 135 rounds down") << 8 << qint64(135) << 0x80 << qint64(128);
        QTest::newRow("8: 136, next step") << 8 << qint64(136) << 0x81 << qint64(136);
        QTest::newRow("8: 255, top of exp 0") << 8 << qint64(255) << 0x8f << qint64(248);
        QTest::newRow("8: 256, exp 1") << 8 << qint64(256) << 0x90 << qint64(256);
        QTest::newRow("8: 31744, largest") << 8 << qint64(31'744) << 0xff << qint64(31'744);
        QTest::newRow("8: 31745 saturates") << 8 << qint64(31'745) << 0xff << qint64(31'744);
        QTest::newRow("8: 1e6 saturates") << 8 << qint64(1'000'000) << 0xff << qint64(31'744);
        QTest::newRow("16: negative") << 16 << qint64(-5) << 0 << qint64(0);
        QTest::newRow("16: 10000 (default)") << 16 << qint64(10'000) << 10'000 << qint64(10'000);
        QTest::newRow("16: 32767, last linear") << 16 << qint64(32'767) << 0x7fff << qint64(32'767);
        QTest::newRow("16: 32768, first floating")
            << 16 << qint64(32'768) << 0x8000 << qint64(32'768);
        QTest::newRow("16: 32775 rounds down") << 16 << qint64(32'775) << 0x8000 << qint64(32'768);
        QTest::newRow("16: 65535, top of exp 0")
            << 16 << qint64(65'535) << 0x8fff << qint64(65'528);
        QTest::newRow("16: 65536, exp 1") << 16 << qint64(65'536) << 0x9000 << qint64(65'536);
        QTest::newRow("16: 8387584, largest")
            << 16 << qint64(8'387'584) << 0xffff << qint64(8'387'584);
        QTest::newRow("16: 8387585 saturates")
            << 16 << qint64(8'387'585) << 0xffff << qint64(8'387'584);
    }

    void codeEdges()
    {
        QFETCH(int, bits);
        QFETCH(qint64, value);
        QFETCH(int, code);
        QFETCH(qint64, decoded);
        if (bits == 8) {
            QCOMPARE(int(encodeCode8(value)), code);
            QCOMPARE(qint64(decodeCode8(static_cast<std::uint8_t>(code))), decoded);
        } else {
            QCOMPARE(int(encodeCode16(value)), code);
            QCOMPARE(qint64(decodeCode16(static_cast<std::uint16_t>(code))), decoded);
        }
    }

    void codes()
    {
        // Every value encodes to a code no larger than itself, within one step of it.
        for (std::int64_t v = 0; v < 40'000; v += 7) {
            const auto d = decodeCode8(encodeCode8(v));
            QVERIFY(d <= v);
            QVERIFY(v - d <= v / 16 + 1 || v > 31'744);
        }
        for (std::int64_t v = 0; v < 9'000'000; v += 997) {
            const auto d = decodeCode16(encodeCode16(v));
            QVERIFY(d <= v);
            QVERIFY(v - d <= v / 4096 + 1 || v > 8'387'584);
        }
        // Every code reads back to itself.
        for (int c = 0; c < 256; ++c)
            QCOMPARE(int(encodeCode8(decodeCode8(static_cast<std::uint8_t>(c)))), c);
        for (int c = 0; c < 65536; c += 3)
            QCOMPARE(int(encodeCode16(decodeCode16(static_cast<std::uint16_t>(c)))), c);
    }

    // Every truncation of every capture is refused with an error, never read past its end
    // (the sanitizer build of the fuzz target checks the reads; here: no crash, an error).
    void truncations()
    {
        for (const char *c : {kV2Report, kV3Join, kV3GeneralQuery, kV3GroupQuery})
            for (std::size_t n = 0; n < hex(c).size(); ++n) {
                auto p = hex(c);
                p.resize(n);
                QVERIFY(!parseIgmp(p));
            }
        for (const char *c : {kMldv1Report, kMldv2TwoRecords, kMldv2GeneralQuery})
            for (std::size_t n = 0; n < hex(c).size(); ++n) {
                auto p = hex(c);
                p.resize(n);
                QVERIFY(!parseIpv6Mld(p));
            }
    }
};

QTEST_GUILESS_MAIN(TestIgmp)
#include "tst_igmp.moc"
