// Addresses, prefixes and interface addresses (net.h), and the natural order of ids (model.h).
// Every rejection in net.cpp has its own row: the message must quote the input and give the
// reason.

#include "dmr/model.h"
#include "dmr/net.h"

#include <QtTest>

#include <algorithm>
#include <string>
#include <vector>

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

// The 16 bytes of an address as 32 lower-case hex digits.
QString hexBytes(const dmr::IpAddress &a)
{
    QByteArray raw;
    for (auto b : a.bytes())
        raw.append(static_cast<char>(b));
    return QString::fromLatin1(raw.toHex());
}

// An IPv4 address's bytes, padded with zeros to 16 bytes as bytes() stores them.
QString v4Hex(const char *hex8)
{
    return QString::fromLatin1(hex8) + QString(24, QLatin1Char('0'));
}

// For a failure message: what a parser that should have refused the input made of it.
template<typename T>
QByteArray acceptedAs(const dmr::Result<T> &r)
{
    return r.ok() ? QByteArray("accepted as ") + QByteArray::fromStdString(r->toString())
                  : QByteArray();
}

QStringList toList(const std::vector<std::string> &v)
{
    QStringList out;
    for (const auto &s : v)
        out << QString::fromStdString(s);
    return out;
}

enum class Kind { Address, Network, Interface };

} // namespace

Q_DECLARE_METATYPE(Kind)

class TestNet : public QObject
{
    Q_OBJECT

private slots:
    // --- IpAddress -----------------------------------------------------------------------

    void addressParses_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<bool>("v6");
        QTest::addColumn<QString>("bytes");     // expected bytes(), in hex
        QTest::addColumn<QString>("canonical"); // expected toString()

        QTest::newRow("v4") << "10.1.0.7" << false << v4Hex("0a010007") << "10.1.0.7";
        QTest::newRow("v4 zeros") << "0.0.0.0" << false << v4Hex("00000000") << "0.0.0.0";
        QTest::newRow("v4 all ones")
            << "255.255.255.255" << false << v4Hex("ffffffff") << "255.255.255.255";
        QTest::newRow("v6 short") << "fd00:1::7" << true << "fd000001000000000000000000000007"
                                  << "fd00:1::7";
        QTest::newRow("v6 full, upper case, leading zeros")
            << "FD00:0001:0000:0000:0000:0000:0000:0007" << true
            << "fd000001000000000000000000000007"
            << "fd00:1::7";
        QTest::newRow("v6 unspecified") << "::" << true << "00000000000000000000000000000000"
                                        << "::";
        QTest::newRow("v6 loopback") << "::1" << true << "00000000000000000000000000000001"
                                     << "::1";
        QTest::newRow("v6 trailing gap") << "1::" << true << "00010000000000000000000000000000"
                                         << "1::";
        QTest::newRow("v6 zeros at the end, written out")
            << "1:0:0:0:0:0:0:0" << true << "00010000000000000000000000000000"
            << "1::";
        QTest::newRow("v6 no zeros")
            << "1:2:3:4:5:6:7:8" << true << "00010002000300040005000600070008"
            << "1:2:3:4:5:6:7:8";
        QTest::newRow("v6 longest run is compressed")
            << "2001:0:0:1:0:0:0:1" << true << "20010000000000010000000000000001"
            << "2001:0:0:1::1";
        QTest::newRow("v6 tie: first run is compressed")
            << "2001:db8:0:0:1:0:0:1" << true << "20010db8000000000001000000000001"
            << "2001:db8::1:0:0:1";
        QTest::newRow("v6 tie of three: first run")
            << "fe80:0:0:0:1:0:0:0" << true << "fe800000000000000001000000000000"
            << "fe80::1:0:0:0";
        QTest::newRow("v6 single zero group is not compressed")
            << "2001:db8:0:1:1:1:1:1" << true << "20010db8000000010001000100010001"
            << "2001:db8:0:1:1:1:1:1";
        QTest::newRow("v6 :: for one group is accepted, rendered without")
            << "2001:db8::1:1:1:1:1" << true << "20010db8000000010001000100010001"
            << "2001:db8:0:1:1:1:1:1";
        QTest::newRow("v6 single zero then longer run")
            << "1:0:2:0:0:3:4:5" << true << "00010000000200000000000300040005"
            << "1:0:2::3:4:5";
        QTest::newRow("v6 embedded IPv4 after ::")
            << "::ffff:10.0.0.1" << true << "00000000000000000000ffff0a000001"
            << "::ffff:a00:1";
        QTest::newRow("v6 embedded IPv4 without ::")
            << "0:0:0:0:0:ffff:10.0.0.1" << true << "00000000000000000000ffff0a000001"
            << "::ffff:a00:1";
        QTest::newRow("v6 multicast") << "ff02::1" << true << "ff020000000000000000000000000001"
                                      << "ff02::1";
    }

    void addressParses()
    {
        QFETCH(QString, input);
        QFETCH(bool, v6);
        QFETCH(QString, bytes);
        QFETCH(QString, canonical);

        const auto a = dmr::IpAddress::parse(input.toStdString());
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().message.c_str());
        QCOMPARE(a->family() == dmr::Family::V6, v6);
        QCOMPARE(a->bitCount(), v6 ? 128 : 32);
        QCOMPARE(hexBytes(*a), bytes);
        QCOMPARE(qs(a->toString()), canonical);

        // The canonical text parses back to the same address, and is a fixed point.
        const auto again = dmr::IpAddress::parse(a->toString());
        QVERIFY(again.ok());
        QVERIFY(*again == *a);
        QCOMPARE(qs(again->toString()), canonical);
    }

    void addressV4HostOrder()
    {
        const auto a = dmr::IpAddress::parse("10.1.0.7");
        QVERIFY(a.ok());
        QCOMPARE(a->v4HostOrder(), std::uint32_t{0x0a010007});
        QVERIFY(dmr::IpAddress::v4(0x0a010007) == *a);
        QVERIFY(dmr::IpAddress::v4(0x0a010008) != *a);
        // Same bytes, different family: not equal.
        const auto zero4 = dmr::IpAddress::parse("0.0.0.0");
        const auto zero6 = dmr::IpAddress::parse("::");
        QVERIFY(zero4.ok() && zero6.ok());
        QVERIFY(*zero4 != *zero6);
    }

    void multicast_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<bool>("multicast");
        QTest::newRow("224.0.0.1") << "224.0.0.1" << true;
        QTest::newRow("239.255.255.255") << "239.255.255.255" << true;
        QTest::newRow("223.255.255.255") << "223.255.255.255" << false;
        QTest::newRow("240.0.0.1") << "240.0.0.1" << false;
        QTest::newRow("ff02::1") << "ff02::1" << true;
        QTest::newRow("fe80::1") << "fe80::1" << false;
    }

    void multicast()
    {
        QFETCH(QString, input);
        QFETCH(bool, multicast);
        const auto a = dmr::IpAddress::parse(input.toStdString());
        QVERIFY(a.ok());
        QCOMPARE(a->isMulticast(), multicast);
    }

    void v4Mapped()
    {
        const auto v4 = *dmr::IpAddress::parse("10.0.1.2");
        QVERIFY(v4.v4Mapped() == *dmr::IpAddress::parse("::ffff:a00:102"));
        QVERIFY(v4.v4Mapped().unmapped() == v4);
        QVERIFY(v4.unmapped() == v4);
        const auto v6 = *dmr::IpAddress::parse("fd00:1::2");
        QVERIFY(v6.v4Mapped() == v6);
        QVERIFY(v6.unmapped() == v6);
        QVERIFY(dmr::IpAddress::parse("::1")->unmapped() == *dmr::IpAddress::parse("::1"));
    }

    // --- Prefix --------------------------------------------------------------------------

    void prefixParses_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("canonical");
        QTest::addColumn<int>("length");

        QTest::newRow("v4 /24") << "10.1.0.0/24"
                                << "10.1.0.0/24" << 24;
        QTest::newRow("v4 /20") << "10.1.0.0/20"
                                << "10.1.0.0/20" << 20;
        QTest::newRow("v4 /32") << "10.1.2.3/32"
                                << "10.1.2.3/32" << 32;
        QTest::newRow("v4 /1") << "128.0.0.0/1"
                               << "128.0.0.0/1" << 1;
        QTest::newRow("v4 /0") << "0.0.0.0/0"
                               << "0.0.0.0/0" << 0;
        QTest::newRow("v4 multicast network") << "224.0.0.0/4"
                                              << "224.0.0.0/4" << 4;
        QTest::newRow("v6 /64") << "fd00:1::/64"
                                << "fd00:1::/64" << 64;
        QTest::newRow("v6 /64 non-canonical text") << "FD00:0001:0:0::/64"
                                                   << "fd00:1::/64" << 64;
        QTest::newRow("v6 /128") << "fd00::1/128"
                                 << "fd00::1/128" << 128;
        QTest::newRow("v6 /1") << "8000::/1"
                               << "8000::/1" << 1;
        QTest::newRow("v6 /0") << "::/0"
                               << "::/0" << 0;
    }

    void prefixParses()
    {
        QFETCH(QString, input);
        QFETCH(QString, canonical);
        QFETCH(int, length);
        const auto p = dmr::Prefix::parse(input.toStdString());
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().message.c_str());
        QCOMPARE(p->length(), length);
        QCOMPARE(qs(p->toString()), canonical);
        const auto again = dmr::Prefix::parse(p->toString());
        QVERIFY(again.ok());
        QVERIFY(*again == *p);
    }

    void prefixContains_data()
    {
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("contains");

        QTest::newRow("/24 host") << "10.1.0.0/24"
                                  << "10.1.0.7" << true;
        QTest::newRow("/24 network address") << "10.1.0.0/24"
                                             << "10.1.0.0" << true;
        QTest::newRow("/24 broadcast") << "10.1.0.0/24"
                                       << "10.1.0.255" << true;
        QTest::newRow("/24 next network") << "10.1.0.0/24"
                                          << "10.1.1.0" << false;
        QTest::newRow("/24 previous network") << "10.1.0.0/24"
                                              << "10.0.255.255" << false;
        QTest::newRow("/20 last") << "10.1.0.0/20"
                                  << "10.1.15.255" << true;
        QTest::newRow("/20 just past") << "10.1.0.0/20"
                                       << "10.1.16.0" << false;
        QTest::newRow("/32 itself") << "10.1.2.3/32"
                                    << "10.1.2.3" << true;
        QTest::newRow("/32 neighbour") << "10.1.2.3/32"
                                       << "10.1.2.4" << false;
        QTest::newRow("/1 upper half") << "128.0.0.0/1"
                                       << "200.1.2.3" << true;
        QTest::newRow("/1 lower half") << "128.0.0.0/1"
                                       << "127.255.255.255" << false;
        QTest::newRow("v4 /0 any v4") << "0.0.0.0/0"
                                      << "1.2.3.4" << true;
        QTest::newRow("v4 /0 not v6") << "0.0.0.0/0"
                                      << "::" << false;
        QTest::newRow("v6 /0 not v4") << "::/0"
                                      << "0.0.0.0" << false;
        QTest::newRow("v6 /0 any v6") << "::/0"
                                      << "fd00::1" << true;
        QTest::newRow("v6 /64 host") << "fd00:1::/64"
                                     << "fd00:1::7" << true;
        QTest::newRow("v6 /64 last") << "fd00:1::/64"
                                     << "fd00:1::ffff:ffff:ffff:ffff" << true;
        QTest::newRow("v6 /64 other subnet") << "fd00:1::/64"
                                             << "fd00:1:0:1::7" << false;
        QTest::newRow("v6 /128 itself") << "fd00::1/128"
                                        << "fd00::1" << true;
        QTest::newRow("v6 /128 neighbour") << "fd00::1/128"
                                           << "fd00::2" << false;
    }

    void prefixContains()
    {
        QFETCH(QString, prefix);
        QFETCH(QString, address);
        QFETCH(bool, contains);
        const auto p = dmr::Prefix::parse(prefix.toStdString());
        const auto a = dmr::IpAddress::parse(address.toStdString());
        QVERIFY(p.ok());
        QVERIFY(a.ok());
        QCOMPARE(p->contains(*a), contains);
    }

    // The constructor masks: Prefix(10.1.0.7, 24) is 10.1.0.0/24.
    void prefixConstructorMasks()
    {
        const auto a = dmr::IpAddress::parse("10.1.0.7");
        QVERIFY(a.ok());
        const dmr::Prefix p(*a, 24);
        QCOMPARE(qs(p.toString()), QStringLiteral("10.1.0.0/24"));
        QVERIFY(p.contains(*a));
    }

    // --- InterfaceAddress ----------------------------------------------------------------

    void interfaceParses_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("canonical");
        QTest::addColumn<QString>("network"); // address & mask

        QTest::newRow("v4 /24") << "10.1.0.7/24"
                                << "10.1.0.7/24"
                                << "10.1.0.0/24";
        QTest::newRow("v4 /20") << "10.1.2.3/20"
                                << "10.1.2.3/20"
                                << "10.1.0.0/20";
        QTest::newRow("v4 /9") << "10.255.255.255/9"
                               << "10.255.255.255/9"
                               << "10.128.0.0/9";
        QTest::newRow("v4 /31") << "10.0.0.1/31"
                                << "10.0.0.1/31"
                                << "10.0.0.0/31";
        QTest::newRow("v4 /32") << "10.1.2.3/32"
                                << "10.1.2.3/32"
                                << "10.1.2.3/32";
        QTest::newRow("v4 /1 low") << "10.1.2.3/1"
                                   << "10.1.2.3/1"
                                   << "0.0.0.0/1";
        QTest::newRow("v4 /1 high") << "200.1.2.3/1"
                                    << "200.1.2.3/1"
                                    << "128.0.0.0/1";
        QTest::newRow("v6 /64") << "fd00:1::7/64"
                                << "fd00:1::7/64"
                                << "fd00:1::/64";
        QTest::newRow("v6 upper case") << "FD00:1::7/64"
                                       << "fd00:1::7/64"
                                       << "fd00:1::/64";
        QTest::newRow("v6 /57 inside a group") << "fd00:1:2:ffff:ffff::1/57"
                                               << "fd00:1:2:ffff:ffff::1/57"
                                               << "fd00:1:2:ff80::/57";
        QTest::newRow("v6 /128") << "fd00:1:2:3:4:5:6:7/128"
                                 << "fd00:1:2:3:4:5:6:7/128"
                                 << "fd00:1:2:3:4:5:6:7/128";
        QTest::newRow("v6 /1") << "fd00:1:2:3:4:5:6:7/1"
                               << "fd00:1:2:3:4:5:6:7/1"
                               << "8000::/1";
        QTest::newRow("v6 embedded IPv4") << "::ffff:10.0.0.1/120"
                                          << "::ffff:a00:1/120"
                                          << "::ffff:a00:0/120";
    }

    void interfaceParses()
    {
        QFETCH(QString, input);
        QFETCH(QString, canonical);
        QFETCH(QString, network);
        const auto ia = dmr::InterfaceAddress::parse(input.toStdString());
        QVERIFY2(ia.ok(), ia.ok() ? "" : ia.error().message.c_str());
        QCOMPARE(qs(ia->toString()), canonical);
        QCOMPARE(qs(ia->network().toString()), network);
        QCOMPARE(ia->network().length(), ia->prefixLength());

        // The address keeps its host bits; the network is exactly what Prefix parses.
        const auto address =
            dmr::IpAddress::parse(input.section(QLatin1Char('/'), 0, 0).toStdString());
        QVERIFY(address.ok());
        QVERIFY(ia->address() == *address);
        const auto prefix = dmr::Prefix::parse(network.toStdString());
        QVERIFY2(prefix.ok(), prefix.ok() ? "" : prefix.error().message.c_str());
        QVERIFY(ia->network() == *prefix);
        QVERIFY(ia->network().contains(ia->address()));

        const auto again = dmr::InterfaceAddress::parse(ia->toString());
        QVERIFY(again.ok());
        QVERIFY(*again == *ia);
    }

    // --- Rejections ----------------------------------------------------------------------

    void rejects_data()
    {
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("reason"); // a substring of the message

        const Kind A = Kind::Address;
        const Kind N = Kind::Network;
        const Kind I = Kind::Interface;

        // IpAddress::parse
        QTest::newRow("address: empty") << A << ""
                                        << "invalid address \"\": empty";
        QTest::newRow("address: white space")
            << A << "10.0.0.1 "
            << "invalid address \"10.0.0.1 \": contains white space";
        QTest::newRow("address: tab") << A << "10.0.\t0.1"
                                      << "contains white space";

        // IPv4
        QTest::newRow("v4: 3 octets") << A << "10.0.1"
                                      << "expected 4 dotted octets, found 3";
        QTest::newRow("v4: 5 octets") << A << "10.0.1.2.3"
                                      << "expected 4 dotted octets, found 5";
        QTest::newRow("v4: empty octet") << A << "10..1.2"
                                         << "empty octet 2";
        QTest::newRow("v4: trailing dot") << A << "10.0.1."
                                          << "empty octet 4";
        QTest::newRow("v4: octet 256") << A << "10.0.1.256"
                                       << "bad octet \"256\" (greater than 255)";
        QTest::newRow("v4: octet 1000") << A << "10.0.1.1000"
                                        << "bad octet \"1000\" (greater than 255)";
        QTest::newRow("v4: non-decimal octet") << A << "10.0.1.0x1"
                                               << "bad octet \"0x1\" (not a decimal number)";
        QTest::newRow("v4: negative octet") << A << "10.0.-1.2"
                                            << "bad octet \"-1\" (not a decimal number)";
        QTest::newRow("v4: leading zero") << A << "10.010.1.2"
                                          << "bad octet \"010\" (leading zero)";
        QTest::newRow("v4: double zero") << A << "10.00.1.2"
                                         << "bad octet \"00\" (leading zero)";
        QTest::newRow("v4: family named") << A << "1.2.3"
                                          << "invalid IPv4 address \"1.2.3\"";

        // IPv6
        QTest::newRow("v6: zone index") << A << "fe80::1%eth0"
                                        << "zone index (%) is not allowed";
        QTest::newRow("v6: two ::") << A << "fd00::1::2"
                                    << "more than one \"::\"";
        QTest::newRow("v6: :::") << A << "fd00:::1"
                                 << "\":::\" is not allowed";
        QTest::newRow("v6: ::: alone") << A << ":::"
                                       << "\":::\" is not allowed";
        QTest::newRow("v6: 5 hex digits") << A << "fd00:12345::1"
                                          << "bad group \"12345\" (more than 4 hex digits)";
        QTest::newRow("v6: non-hex group") << A << "fd00:g::1"
                                           << "bad group \"g\" (not hexadecimal)";
        QTest::newRow("v6: 9 groups") << A << "1:2:3:4:5:6:7:8:9"
                                      << "expected 8 groups, found 9";
        QTest::newRow("v6: 7 groups without ::") << A << "1:2:3:4:5:6:7"
                                                 << "expected 8 groups, found 7";
        QTest::newRow("v6: 8 groups plus ::") << A << "1:2:3:4::5:6:7:8"
                                              << "too many groups for \"::\"";
        QTest::newRow("v6: 8 groups then ::") << A << "1:2:3:4:5:6:7:8::"
                                              << "too many groups for \"::\"";
        QTest::newRow("v6: leading single colon")
            << A << ":1:2:3:4:5:6:7"
            << "empty group (a single ':' at the start or end)";
        QTest::newRow("v6: leading single colon before ::") << A << ":1::2"
                                                            << "empty group";
        QTest::newRow("v6: trailing single colon") << A << "1::2:"
                                                   << "empty group";
        QTest::newRow("v6: bad embedded IPv4")
            << A << "::ffff:10.0.0.256"
            << "embedded IPv4: bad octet \"256\" (greater than 255)";
        QTest::newRow("v6: short embedded IPv4")
            << A << "::ffff:10.0.1"
            << "embedded IPv4: expected 4 dotted octets, found 3";
        QTest::newRow("v6: embedded IPv4 makes 9 groups") << A << "1:2:3:4:5:6:7:10.0.0.1"
                                                          << "expected 8 groups, found 9";
        QTest::newRow("v6: family named") << A << "fd00::g"
                                          << "invalid IPv6 address \"fd00::g\"";

        // The '/' and the prefix length (shared by Prefix and InterfaceAddress)
        QTest::newRow("network: empty") << N << ""
                                        << "invalid network \"\": empty";
        QTest::newRow("interface: empty") << I << ""
                                          << "invalid interface address \"\": empty";
        QTest::newRow("interface: white space only") << I << " "
                                                     << "missing '/' and prefix length";
        QTest::newRow("interface: white space in address") << I << "10.0.0.1 /24"
                                                           << "contains white space";
        QTest::newRow("interface: white space in length")
            << I << "10.0.0.1/ 24"
            << "prefix length \" 24\" is not a number";
        QTest::newRow("interface: missing /") << I << "10.0.0.1"
                                              << "missing '/' and prefix length";
        QTest::newRow("network: missing /") << N << "10.0.0.0"
                                            << "missing '/' and prefix length";
        QTest::newRow("interface: two /") << I << "10.0.0.1/24/8"
                                          << "more than one '/'";
        QTest::newRow("network: two /") << N << "10.0.0.0/24/"
                                        << "more than one '/'";
        QTest::newRow("interface: empty length") << I << "10.0.0.1/"
                                                 << "empty prefix length after '/'";
        QTest::newRow("network: empty length") << N << "10.0.0.0/"
                                               << "empty prefix length after '/'";
        QTest::newRow("interface: non-numeric length") << I << "10.0.0.1/ab"
                                                       << "prefix length \"ab\" is not a number";
        QTest::newRow("interface: negative length") << I << "10.0.0.1/-1"
                                                    << "prefix length \"-1\" is not a number";
        QTest::newRow("interface: leading zero in length")
            << I << "10.0.0.1/024"
            << "prefix length \"024\" has a leading zero";
        QTest::newRow("network: leading zero in length")
            << N << "10.0.0.0/00"
            << "prefix length \"00\" has a leading zero";
        QTest::newRow("interface: v4 /33") << I << "10.0.0.1/33"
                                           << "prefix length 33 out of range 1-32";
        QTest::newRow("network: v4 /33") << N << "10.0.0.0/33"
                                         << "prefix length 33 out of range 0-32";
        QTest::newRow("interface: v6 /129") << I << "fd00::1/129"
                                            << "prefix length 129 out of range 1-128";
        QTest::newRow("network: v6 /129") << N << "fd00::/129"
                                          << "prefix length 129 out of range 0-128";
        QTest::newRow("interface: 4-digit length") << I << "fd00::1/1000"
                                                   << "prefix length 1000 out of range 1-128";
        QTest::newRow("interface: v4 /0") << I << "10.0.0.1/0"
                                          << "prefix length 0 out of range 1-32";
        QTest::newRow("interface: v6 /0") << I << "fd00::1/0"
                                          << "prefix length 0 out of range 1-128";

        // The address inside, with the outer input quoted as well
        QTest::newRow("interface: bad v4 address")
            << I << "10.0.1.256/24"
            << "invalid IPv4 address \"10.0.1.256\": bad octet \"256\"";
        QTest::newRow("interface: bad v6 address")
            << I << "fd00::1::2/64"
            << "invalid IPv6 address \"fd00::1::2\": more than one \"::\"";
        QTest::newRow("interface: empty address") << I << "/24"
                                                  << "invalid address \"\": empty";
        QTest::newRow("network: bad address")
            << N << "10.0.1/24"
            << "invalid IPv4 address \"10.0.1\": expected 4 dotted octets";

        // Semantic rejections
        QTest::newRow("interface: v4 multicast") << I << "224.0.0.1/4"
                                                 << "a multicast address cannot be an interface's";
        QTest::newRow("interface: v6 multicast") << I << "ff02::1/16"
                                                 << "a multicast address cannot be an interface's";
        QTest::newRow("network: host bits set v4") << N << "10.1.0.7/24"
                                                   << "host bits set (the network is 10.1.0.0/24)";
        QTest::newRow("network: host bits set /20") << N << "10.1.2.0/20"
                                                    << "host bits set (the network is 10.1.0.0/20)";
        QTest::newRow("network: host bits set v6") << N << "fd00:1::7/64"
                                                   << "host bits set (the network is fd00:1::/64)";
        QTest::newRow("network: host bits with /0") << N << "10.0.0.0/0"
                                                    << "host bits set (the network is 0.0.0.0/0)";
    }

    void rejects()
    {
        QFETCH(Kind, kind);
        QFETCH(QString, input);
        QFETCH(QString, reason);

        const std::string text = input.toStdString();
        std::string message;
        switch (kind) {
        case Kind::Address: {
            const auto r = dmr::IpAddress::parse(text);
            QVERIFY2(!r.ok(), acceptedAs(r).constData());
            message = r.error().message;
            break;
        }
        case Kind::Network: {
            const auto r = dmr::Prefix::parse(text);
            QVERIFY2(!r.ok(), acceptedAs(r).constData());
            message = r.error().message;
            break;
        }
        case Kind::Interface: {
            const auto r = dmr::InterfaceAddress::parse(text);
            QVERIFY2(!r.ok(), acceptedAs(r).constData());
            message = r.error().message;
            break;
        }
        }
        const QString m = qs(message);
        QVERIFY2(m.contains(reason), qPrintable(QStringLiteral("message: ") + m));
        // The message quotes the whole input and is one line.
        QVERIFY2(m.contains(QLatin1Char('"') + input + QLatin1Char('"')),
                 qPrintable(QStringLiteral("input not quoted in: ") + m));
        QVERIFY(!m.contains(QLatin1Char('\n')));
    }

    // --- naturalLess ---------------------------------------------------------------------

    void naturalLess_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("less");

        QTest::newRow("2 < 10") << "2"
                                << "10" << true;
        QTest::newRow("not 10 < 2") << "10"
                                    << "2" << false;
        QTest::newRow("f1n2 < f1n10") << "f1n2"
                                      << "f1n10" << true;
        QTest::newRow("not f1n10 < f1n2") << "f1n10"
                                          << "f1n2" << false;
        QTest::newRow("f2n1 after f1n10") << "f1n10"
                                          << "f2n1" << true;
        QTest::newRow("node9 < node10") << "node9"
                                        << "node10" << true;
        QTest::newRow("letters") << "a"
                                 << "b" << true;
        QTest::newRow("prefix first") << "a"
                                      << "a1" << true;
        QTest::newRow("not longer first") << "a1"
                                          << "a" << false;
        QTest::newRow("empty first") << ""
                                     << "1" << true;
        QTest::newRow("digits before letters") << "9"
                                               << "a" << true;
        QTest::newRow("9a < 10") << "9a"
                                 << "10" << true;
        QTest::newRow("irreflexive") << "f1n2"
                                     << "f1n2" << false;
        QTest::newRow("irreflexive empty") << ""
                                           << "" << false;
        QTest::newRow("tie 01 < 1 (string order)") << "01"
                                                   << "1" << true;
        QTest::newRow("tie not 1 < 01") << "1"
                                        << "01" << false;
        QTest::newRow("tie a007 < a7") << "a007"
                                       << "a7" << true;
        QTest::newRow("tie not a7 < a007") << "a7"
                                           << "a007" << false;
        QTest::newRow("zero-padded bigger") << "002"
                                            << "10" << true;
        QTest::newRow("numbers past 64 bits") << "99999999999999999999"
                                              << "100000000000000000000" << true;
        QTest::newRow("numbers past 64 bits, reversed") << "100000000000000000000"
                                                        << "99999999999999999999" << false;
    }

    void naturalLess()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, less);
        QCOMPARE(dmr::naturalLess(a.toStdString(), b.toStdString()), less);
    }

    void naturalSort()
    {
        std::vector<std::string> ids{"f1n10", "10", "1", "f1n2", "01", "2", "f10n1", "f2n1"};
        std::sort(ids.begin(), ids.end(), dmr::naturalLess);
        const std::vector<std::string> expected{"01",   "1",     "2",    "10",
                                                "f1n2", "f1n10", "f2n1", "f10n1"};
        QCOMPARE(toList(ids), toList(expected));
    }

    // Every string of up to 3 characters from an alphabet with digits and characters below and
    // above them: naturalLess must be a strict total order (irreflexive, asymmetric,
    // transitive, and any two distinct strings ordered one way).
    void naturalLessIsStrictTotalOrder()
    {
        const std::string alphabet = "01a/";
        std::vector<std::string> all{""};
        std::vector<std::string> last{""};
        for (int length = 1; length <= 3; ++length) {
            std::vector<std::string> next;
            for (const auto &s : last)
                for (char c : alphabet)
                    next.push_back(s + c);
            all.insert(all.end(), next.begin(), next.end());
            last = next;
        }
        QCOMPARE(all.size(), std::size_t(85));

        const std::size_t n = all.size();
        std::vector<char> less(n * n);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j)
                less[i * n + j] = dmr::naturalLess(all[i], all[j]) ? 1 : 0;

        for (std::size_t i = 0; i < n; ++i) {
            if (less[i * n + i])
                QFAIL(qPrintable(QStringLiteral("\"%1\" < itself").arg(qs(all[i]))));
            for (std::size_t j = 0; j < n; ++j)
                if (i != j && less[i * n + j] == less[j * n + i])
                    QFAIL(qPrintable(QStringLiteral("\"%1\" and \"%2\": not ordered one way")
                                         .arg(qs(all[i]), qs(all[j]))));
        }
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                if (!less[i * n + j])
                    continue;
                for (std::size_t k = 0; k < n; ++k)
                    if (less[j * n + k] && !less[i * n + k])
                        QFAIL(qPrintable(QStringLiteral("not transitive: \"%1\" < \"%2\" < \"%3\"")
                                             .arg(qs(all[i]), qs(all[j]), qs(all[k]))));
            }
    }
};

QTEST_GUILESS_MAIN(TestNet)
#include "tst_net.moc"
